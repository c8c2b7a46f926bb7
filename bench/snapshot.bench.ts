/**
 * Snapshot benchmark (purpose-built harness, not tinybench: each operation takes 10²-10³ ms).
 *
 * Builds a registry of N simple instruments (alternating `currency` and `cexPair`, synthetic
 * symbols, via `registerInstrument`), then measures:
 * - `writeSnapshot`: hash + write of the temp file, and fsync + rename + directory fsync (ms);
 * - `readSnapshot` with checksum verification (the default) and with `verify: false` (ms), the
 *   file being in the page cache (it was just written); each restore allocates fresh
 *   SharedArrayBuffers, so page-faulting them in is part of the figure;
 * - checksum throughput over the region section in memory: XXH64 (xxhash-wasm, the format's
 *   choice) against CRC-32 (`crc-32`), GB/s.
 *
 * Run: `npm run build && node --expose-gc dist/bench/snapshot.bench.js`
 * Env: `SNAPSHOT_BENCH_N` (default 1 000 000), `SNAPSHOT_BENCH_CAPACITY` (writer
 * `initialCapacity`, default N), `SNAPSHOT_BENCH_DIR` (default the OS temp dir),
 * `SNAPSHOT_BENCH_RUNS` (default 5).
 *
 * @module
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { RegistryReader } from '../src/reader/reader.js';
import { newChecksum } from '../src/snapshot/checksum.js';
import { execFileSync } from 'node:child_process';
import { loadSnapshotChecksum, readSnapshot, writeSnapshot, SNAPSHOT_CHUNK_BYTES, type SnapshotInfo } from '../src/snapshot/index.js';
import { InstrumentRegistry } from '../src/writer/registry.js';
import { simpleInstrument } from '../workers/snapshot-fixtures.js';

const N = Number(process.env.SNAPSHOT_BENCH_N ?? 1_000_000);
const CAPACITY = Number(process.env.SNAPSHOT_BENCH_CAPACITY ?? N);
const RUNS = Number(process.env.SNAPSHOT_BENCH_RUNS ?? 5);
const DIR = mkdtempSync(join(process.env.SNAPSHOT_BENCH_DIR ?? tmpdir(), 'instreg-snapbench-'));
const crc32 = createRequire(import.meta.url)('crc-32') as { buf(data: Uint8Array, seed?: number): number };

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const fmt = (ms: number) => ms.toFixed(1).padStart(8);
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
function stats(xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  return `min ${fmt(s[0]!)}  median ${fmt(s[Math.floor(s.length / 2)]!)}  max ${fmt(s[s.length - 1]!)} ms`;
}

async function main(): Promise<void> {
  await loadSnapshotChecksum();
  const cpu = cpus();
  console.log('# snapshot benchmark');
  console.log(
    `machine: ${cpu[0]?.model ?? '?'}, ${cpu.length} cores, ${mb(totalmem())} RAM; load avg ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} (shared machine)`,
  );
  console.log(`node ${process.version} (${process.platform}/${process.arch}); ${new Date().toISOString()}`);
  console.log(
    `dataset: ${N} instruments (currency / cexPair alternating), writer initialCapacity ${CAPACITY}; ${RUNS} runs each; chunk ${mb(SNAPSHOT_CHUNK_BYTES)}; dir ${DIR}`,
  );

  const reg = await InstrumentRegistry.create({ initialCapacity: CAPACITY });
  let t = performance.now();
  for (let i = 0; i < N; i++) reg.registerInstrument(simpleInstrument(i));
  const genMs = performance.now() - t;
  const m = reg.getMetrics();
  reg.logSeq = BigInt(N);
  console.log(
    `generate: ${fmt(genMs)} ms (${((genMs * 1000) / N).toFixed(2)} µs/registration); capacity ${m.capacity} slots, generation ${m.generation}, heap ${mb(m.heapBytes)}, ${m.venues} venues`,
  );

  const file = join(DIR, 'registry.snap');
  const writes: SnapshotInfo[] = [];
  for (let r = 0; r < RUNS; r++) writes.push(await writeSnapshot(reg, file));
  const info = writes[0]!;
  console.log(
    `file: ${info.bytes} bytes (${mb(info.bytes)}): control ${info.sections.CONTROL} B, region ${mb(info.sections.REGION)}, heap ${mb(info.sections.HEAP)}, venues ${info.sections.VENUES} B`,
  );
  console.log(`write (hash + write temp file):          ${stats(writes.map((w) => w.writeMs))}`);
  console.log(`write (fsync + rename + dir fsync):      ${stats(writes.map((w) => w.syncMs))}`);
  console.log(`write total:                             ${stats(writes.map((w) => w.writeMs + w.syncMs))}`);
  if (statSync(file).size !== info.bytes) throw new Error('size mismatch');

  const ids = [0, 1, N >> 1, N - 1].map((i) => reg.idOf(simpleInstrument(i)));
  for (const verify of [true, false]) {
    const times: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      gc();
      t = performance.now();
      const handle = await readSnapshot(file, { verify });
      times.push(performance.now() - t);
      const reader = RegistryReader.attach(handle);
      if (reader.count !== m.instruments || !ids.every((id) => reader.has(id))) throw new Error('restored registry differs');
    }
    console.log(`restore ${verify ? '(verify XXH64)     ' : '(verify: false)    '}:            ${stats(times)}`);
  }
  // What a restart costs: a fresh process restoring the file (no earlier restores' memory to reclaim).
  const snapshotModule = new URL('../src/snapshot/index.js', import.meta.url).href;
  const fresh: number[] = [];
  const script = join(DIR, 'restore.mjs');
  writeFileSync(
    script,
    `import { readSnapshot } from ${JSON.stringify(snapshotModule)}; const t = performance.now(); await readSnapshot(${JSON.stringify(file)}); console.log(performance.now() - t);`,
  );
  for (let r = 0; r < RUNS; r++) fresh.push(Number(execFileSync(process.execPath, [script]).toString().trim()));
  console.log(`restore, fresh process (verify XXH64):  ${stats(fresh)}`);

  // Checksum throughput over the region bytes already in memory (the format's choice vs CRC-32).
  const region = new Uint8Array(reg.handle.regions[m.generation & 1]!, 0, info.sections.REGION);
  for (const [name, run] of [
    [
      'XXH64 (xxhash-wasm)',
      () => {
        const h = newChecksum();
        for (let o = 0; o < region.length; o += SNAPSHOT_CHUNK_BYTES) h.update(region.subarray(o, o + SNAPSHOT_CHUNK_BYTES));
        h.digest();
      },
    ],
    [
      'CRC-32 (crc-32)    ',
      () => {
        let c = 0;
        for (let o = 0; o < region.length; o += SNAPSHOT_CHUNK_BYTES) c = crc32.buf(region.subarray(o, o + SNAPSHOT_CHUNK_BYTES), c);
      },
    ],
  ] as const) {
    const times: number[] = [];
    for (let r = 0; r < 3; r++) {
      t = performance.now();
      run();
      times.push(performance.now() - t);
    }
    const best = Math.min(...times);
    console.log(`checksum ${name} over ${mb(region.length)}: ${stats(times)}  (${(region.length / best / 1e6).toFixed(2)} GB/s best)`);
  }
  rmSync(DIR, { recursive: true, force: true });
}

await main();
