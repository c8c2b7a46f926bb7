/**
 * Wire protocol throughput: encode, decode and framer (decode from a chunked stream) for a
 * representative mix of messages. Each task iteration processes the whole batch (timing single
 * microsecond-scale calls would mostly measure the timer); figures are reported per message.
 *
 * Run: `npx tsc -p tsconfig.json && node dist/bench/wire.bench.js`
 * Env: `INSTREG_BENCH_TIME_MS` — time budget per task (default 2000).
 *
 * @module
 */
import os from 'node:os';
import { Bench } from 'tinybench';
import type { InstrumentInput } from '../src/model/types.js';
import { decodeMessage, encodeMessage } from '../src/wire/codec.js';
import { MessageFramer } from '../src/wire/framer.js';
import type { WireMessage } from '../src/wire/types.js';

const TIME_MS = Number(process.env.INSTREG_BENCH_TIME_MS ?? 2000);
const BATCH = 1000;
const CHUNK = 4096;

function hex40(i: number): string {
  return `0x${((i * 2654435761) >>> 0).toString(16).padStart(8, '0').repeat(5)}`;
}

/** The mix: 35 % CEX pairs, 15 % DEX pools, 10 % tokens, 10 % stocks, 5 % options, 20 % updates, 5 % removals. */
function mix(): WireMessage[] {
  const out: WireMessage[] = [];
  for (let i = 0; i < BATCH; i++) {
    const h = { seq: BigInt(i + 1), timestampNs: 1_700_000_000_000_000_000n + BigInt(i), flags: 0 };
    const r = i % 20;
    let m: WireMessage;
    if (r < 7) {
      m = {
        type: 'cexPairRegistration',
        ...h,
        instrument: {
          kind: 'cexPair',
          symbol: `SYM${i}USDT`,
          venue: 'BINANCE',
          source: 'cex',
          status: 'active',
          baseId: BigInt(i) * 7919n,
          quoteId: 2n,
          tickSize: { raw: 1n, scale: 2 },
          lotSize: { raw: 1n, scale: 3 },
          minQty: { raw: 1n, scale: 3 },
          maxQty: { raw: 1000n, scale: 0 },
          makerFeeBps: 2,
          takerFeeBps: 4,
          priceDecimals: 2,
          sizeDecimals: 3,
        },
      };
    } else if (r < 10) {
      m = {
        type: 'poolRegistration',
        ...h,
        instrument: {
          kind: 'dexPool',
          symbol: `P${i}`,
          venue: 'UNISWAP_V3',
          source: 'defi',
          status: 'active',
          chainId: 1,
          address: hex40(i),
          token0Id: BigInt(i) << 20n,
          token1Id: 3n,
          feeTier: 3000,
          poolType: 'concentratedLiquidity',
        },
      };
    } else if (r < 12) {
      m = {
        type: 'instrumentRegistration',
        ...h,
        instrument: {
          kind: 'token',
          symbol: `TOK${i}`,
          venue: 'ETHEREUM',
          source: 'defi',
          status: 'active',
          chainId: 1,
          address: hex40(i + 1),
          sizeDecimals: 18,
          name: `Token number ${i}`,
        } as InstrumentInput,
      };
    } else if (r < 14) {
      m = {
        type: 'instrumentRegistration',
        ...h,
        instrument: {
          kind: 'stock',
          symbol: `S${i}`,
          venue: 'XNAS',
          source: 'tradfi',
          status: 'active',
          isin: 'US0378331005',
          cusip: '037833100',
          currency: 'USD',
          name: 'Apple Inc.',
          tickSize: { raw: 1n, scale: 2 },
        },
      };
    } else if (r < 15) {
      m = {
        type: 'instrumentRegistration',
        ...h,
        instrument: {
          kind: 'option',
          symbol: `O${i}`,
          venue: 'OPRA',
          source: 'tradfi',
          status: 'active',
          underlyingId: 12345n,
          expiry: 1_705_622_400_000,
          strike: { raw: BigInt(100 + i), scale: 0 },
          right: 'call',
          style: 'american',
          occSymbol: 'AAPL  240119C00190000',
        },
      };
    } else if (r < 19) {
      m = {
        type: 'instrumentUpdate',
        ...h,
        id: (BigInt(i) * 0x9e3779b97f4a7c15n) % (1n << 64n),
        patch: { status: 'halted', tickSize: { raw: 5n, scale: 3 }, updatedAt: 1_700_000_000_000 + i },
      };
    } else {
      m = { type: 'instrumentRemoval', ...h, id: BigInt(i) };
    }
    out.push(m);
  }
  return out;
}

async function main(): Promise<void> {
  const msgs = mix();
  const frames = msgs.map(encodeMessage);
  const stream = Buffer.concat(frames);
  const avgBytes = stream.length / BATCH;
  let sink = 0;

  const bench = new Bench({ time: TIME_MS, warmupTime: Math.min(500, TIME_MS / 4), iterations: 5 });
  bench
    .add(`encode ×${BATCH}`, () => {
      for (let i = 0; i < BATCH; i++) sink += encodeMessage(msgs[i]).length;
    })
    .add(`decode ×${BATCH}`, () => {
      for (let i = 0; i < BATCH; i++) sink += decodeMessage(frames[i]).flags;
    })
    .add(`framer ×${BATCH} (${CHUNK} B chunks)`, () => {
      const f = new MessageFramer();
      for (let o = 0; o < stream.length; o += CHUNK) sink += f.push(stream.subarray(o, o + CHUNK)).length;
      sink += f.end().length;
    });
  await bench.run();

  const cpu = os.cpus()[0];
  console.log(`wire bench — ${cpu?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, Node ${process.version}, ${os.platform()} ${os.arch()}`);
  console.log(
    `mix: ${BATCH} messages (35% cexPair, 15% dexPool, 10% token, 10% stock, 5% option reg.; 20% update; 5% removal), avg frame ${avgBytes.toFixed(1)} B; budget ${TIME_MS} ms/task`,
  );
  const rows = bench.tasks.map((t) => {
    const r = t.result;
    if (r.state !== 'completed' && r.state !== 'aborted-with-statistics') return { task: t.name, state: r.state };
    const nsPerMsg = (r.period * 1e6) / BATCH;
    return {
      task: t.name,
      'msgs/s': Math.round(1e9 / nsPerMsg).toLocaleString('en-US'),
      'ns/msg (mean)': nsPerMsg.toFixed(0),
      'ns/msg (p99)': ((r.latency.p99 * 1e6) / BATCH).toFixed(0),
      'MB/s': ((avgBytes * 1e3) / nsPerMsg).toFixed(1),
      '±%': r.latency.rme.toFixed(1),
      samples: r.latency.samplesCount,
    };
  });
  console.table(rows);
  if (sink === -1) console.log(sink);
}

await main();
