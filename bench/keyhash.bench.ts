/**
 * Key-hash micro-benchmark (tinybench): the project's FNV-1a + fmix32 string hashes
 * (`hashString`, `hashVenueSymbol` in `src/shm/keyhash.ts`) against xxhash-wasm `h32` (string
 * input, which is UTF-8-encoded into WASM memory on every call) and `h32Raw` (pre-encoded bytes,
 * the best case for xxhash: a reader never has its keys pre-encoded), on the same short keys the
 * registry hashes on its lookup path: venue symbols (3–12 chars) and ISINs (12 chars).
 * Each task iteration hashes a batch of 1024 keys; figures are reported per key (ns/key).
 *
 * Run: `npx tsc -p tsconfig.json && node dist/bench/keyhash.bench.js`
 * Env: `INSTREG_BENCH_TIME_MS` — time budget per task (default 1500).
 *
 * @module
 */
import os from 'node:os';
import { Bench } from 'tinybench';
import xxhash from 'xxhash-wasm';
import { isinCheckDigit } from '../src/identifiers/isin.js';
import { hashString, hashVenueSymbol } from '../src/shm/keyhash.js';

const TIME_MS = Number(process.env.INSTREG_BENCH_TIME_MS ?? 1500);
const BATCH = 1024;

/** Deterministic keys: symbols like BTCUSDT / AAPL / ETH-PERP, valid ISINs. */
function keys(): { symbols: string[]; isins: string[] } {
  const bases = ['BTC', 'ETH', 'SOL', 'AAPL', 'MSFT', 'SAP', 'DOGE', 'XRP', 'ADA', 'BNB', 'LINK', 'AVAX', 'VOW3', 'DTE', 'SIE', 'ALV'];
  const quotes = ['', 'USDT', 'USD', '-PERP', 'EUR', 'BTC', 'USDC'];
  const symbols: string[] = [];
  const isins: string[] = [];
  for (let i = 0; i < BATCH; i++) {
    symbols.push(`${bases[i % bases.length]}${i % 7 === 3 ? i : ''}${quotes[(i * 7) % quotes.length]}`);
    const first11 = ['US', 'DE', 'GB', 'FR'][i % 4] + String(100000000 + i * 7919).slice(0, 9);
    isins.push(first11 + String(isinCheckDigit(first11)));
  }
  return { symbols, isins };
}

const { h32, h32Raw } = await xxhash();
const { symbols, isins } = keys();
const enc = new TextEncoder();
const symbolBytes = symbols.map((s) => enc.encode(s));
const isinBytes = isins.map((s) => enc.encode(s));
let sink = 0;

const bench = new Bench({ time: TIME_MS, warmup: true });
bench
  .add('symbol: hashVenueSymbol (FNV-1a + fmix32)', () => {
    for (let i = 0; i < BATCH; i++) sink ^= hashVenueSymbol(i & 63, symbols[i]!);
  })
  .add('symbol: xxhash-wasm h32 (string)', () => {
    for (let i = 0; i < BATCH; i++) sink ^= h32(symbols[i]!, i & 63);
  })
  .add('symbol: xxhash-wasm h32Raw (pre-encoded)', () => {
    for (let i = 0; i < BATCH; i++) sink ^= h32Raw(symbolBytes[i]!, i & 63);
  })
  .add('ISIN: hashString (FNV-1a + fmix32)', () => {
    for (let i = 0; i < BATCH; i++) sink ^= hashString(isins[i]!);
  })
  .add('ISIN: xxhash-wasm h32 (string)', () => {
    for (let i = 0; i < BATCH; i++) sink ^= h32(isins[i]!);
  })
  .add('ISIN: xxhash-wasm h32Raw (pre-encoded)', () => {
    for (let i = 0; i < BATCH; i++) sink ^= h32Raw(isinBytes[i]!);
  });

await bench.run();
const cpu = os.cpus()[0]?.model.trim() ?? 'unknown';
console.log(
  `keyhash bench — ${cpu}, ${os.availableParallelism()} cores, Node ${process.version}, load avg ${os.loadavg()[0]!.toFixed(2)}; ${BATCH} keys per iteration`,
);
console.table(
  bench.tasks.map((t) => {
    const r = t.result as unknown as { latency?: { p50?: number; mean?: number }; period?: number } | undefined;
    const ms = r?.latency?.p50 ?? r?.latency?.mean ?? r?.period ?? NaN;
    return { task: t.name, 'ns/key (p50)': Number(((ms * 1e6) / BATCH).toFixed(1)) };
  }),
);
if (sink === 0.5) console.log(sink);
