/**
 * String-heap compaction, single writer thread, one process: the same rename workload (every
 * rename a new 200-byte name and a new detail blob) with compaction off (the append-only heap
 * the registry had before; threshold 2^52) and on (default threshold), interleaved, then the
 * pause of one compaction at N instruments: the automatic slot-for-slot copy (the slowest
 * registration, which ran it) and `compact()` (a full same-size rebuild: records re-inserted,
 * index entries re-added for their new slots).
 *
 * Reported: µs per rename (median of the rounds) and its ratio to compaction off, heap bytes in
 * use (HEAP_USED) and the bytes of both heap buffers at the end, compactions, and the pauses (ms).
 *
 * Run: `npm run build && node dist/bench/heap.bench.js` (env `HEAP_BENCH_N`: instruments,
 * default 3000; `HEAP_BENCH_RENAMES`: renames per round, default 200 000; `HEAP_BENCH_PAUSE_N`:
 * instruments for the pause rows, default 200 000).
 */
import os from 'node:os';
import { stressRenamed } from '../src/testkit/self-check.js';
import { generateInstruments } from '../src/harness/dataset.js';
import { InstrumentRegistry } from '../src/writer/registry.js';

const N = Number(process.env.HEAP_BENCH_N ?? 3000);
const RENAMES = Number(process.env.HEAP_BENCH_RENAMES ?? 200_000);
const PAUSE_N = Number(process.env.HEAP_BENCH_PAUSE_N ?? 200_000);
const ROUNDS = 3;
const OFF = 2 ** 52;

console.log(
  `heap.bench — ${os.cpus()[0]?.model ?? 'cpu'}, ${os.availableParallelism()} cores, Node ${process.version} ${process.platform}/${process.arch}, load avg ${os.loadavg()[0]!.toFixed(2)}; ${RENAMES} renames of ${N} instruments per round`,
);

const inputs = Array.from({ length: RENAMES }, (_, u) => {
  const i = (u * 7919) % N;
  return stressRenamed(i, Math.floor(u / N) + 1);
});

interface Row {
  us: number[];
  used: number;
  buffers: number;
  live: number;
  compactions: number;
}
const rows: Record<'off' | 'on', Row> = {
  off: { us: [], used: 0, buffers: 0, live: 0, compactions: 0 },
  on: { us: [], used: 0, buffers: 0, live: 0, compactions: 0 },
};

for (let round = 0; round < ROUNDS; round++) {
  for (const mode of round % 2 ? (['on', 'off'] as const) : (['off', 'on'] as const)) {
    const reg = await InstrumentRegistry.create({ initialCapacity: N, heapCompactionMinGarbage: mode === 'off' ? OFF : undefined, requireReferences: false });
    for (let i = 0; i < N; i++) reg.registerInstrument(stressRenamed(i, 0));
    const t0 = process.hrtime.bigint();
    for (const input of inputs) reg.registerInstrument(input);
    const ns = Number(process.hrtime.bigint() - t0);
    const m = reg.getMetrics();
    const row = rows[mode];
    row.us.push(ns / 1000 / RENAMES);
    row.used = m.heapBytes;
    row.buffers = reg.handle.heaps.reduce((a, h) => a + h.byteLength, 0);
    row.live = m.heapLiveBytes;
    row.compactions = m.heapCompactions;
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const base = median(rows.off.us);
console.log('compaction   µs/rename  × off   HEAP_USED B   heap buffers B   live B   compactions');
for (const [mode, r] of Object.entries(rows)) {
  const us = median(r.us);
  console.log(
    `${mode.padEnd(11)} ${us.toFixed(2).padStart(10)} ${(us / base).toFixed(2).padStart(5)}× ${String(r.used).padStart(12)} ${String(r.buffers).padStart(16)} ${String(r.live).padStart(8)} ${String(r.compactions).padStart(13)}`,
  );
}

// Pause of one compaction at PAUSE_N instruments (generated population, names and details).
const reg = await InstrumentRegistry.create({ initialCapacity: PAUSE_N + 1024, requireReferences: false });
generateInstruments(PAUSE_N, 42, (input) => reg.registerInstrument(input).id);
const cap = reg.getMetrics().capacity;
// Renames until two automatic compactions ran; the slowest registration of each ran one.
let worstCopy = 0;
let copies = 0;
const start = reg.getMetrics().heapCompactions;
for (let u = 0; copies < 2; u++) {
  const input = { ...stressRenamed(u % 1000, u + 1), symbol: `HB${u % 1000}` };
  const t0 = process.hrtime.bigint();
  reg.registerInstrument(input);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const c = reg.getMetrics().heapCompactions - start;
  if (c > copies) {
    copies = c;
    worstCopy = Math.max(worstCopy, ms);
  }
}
const t1 = process.hrtime.bigint();
reg.compact();
const rebuildMs = Number(process.hrtime.bigint() - t1) / 1e6;
console.log(
  `pause at ${PAUSE_N} instruments (${cap} slots, ${reg.getMetrics().heapBytes} heap bytes): automatic copy ${worstCopy.toFixed(1)} ms (slowest of ${copies}), compact() rebuild ${rebuildMs.toFixed(1)} ms`,
);
