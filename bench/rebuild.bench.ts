/**
 * Table rebuild cost, single writer thread, one process: what a growth doubling, a tombstone
 * rebuild or `compact()` pauses the writer for (readers are never paused: they keep serving the
 * old generation until the new one is published).
 *
 * Rows (median of ROUNDS, ms, and ns per live instrument):
 * - floor: the slot-for-slot generation copy (`TableWriter.copyGeneration`: every record and
 *   index entry copied to the same position, heap entries moved; no probing, no key derivation),
 *   the least a new generation can cost;
 * - `compact()`: a full same-size rebuild (records re-inserted by id, index entries re-added);
 * - growth: the slowest single `registerInstrument` while filling a registry that starts at
 *   1024 slots (the registration that ran the last doubling), next to the median registration.
 *
 * Population: the harness's generated instruments (`src/harness/dataset.ts`, every kind, real
 * references). Run: `npm run bench:rebuild` (env `REBUILD_BENCH_N`, default 500 000).
 */
import os from 'node:os';
import { generateInstruments } from '../src/harness/dataset.js';
import type { InstrumentInput } from '../src/model/types.js';
import { InstrumentRegistry } from '../src/writer/registry.js';
import type { TableWriter } from '../src/writer/table.js';

const N = Number(process.env.REBUILD_BENCH_N ?? 500_000);
const ROUNDS = 5;

console.log(
  `rebuild.bench — ${os.cpus()[0]?.model ?? 'cpu'}, ${os.availableParallelism()} cores, Node ${process.version} ${process.platform}/${process.arch}, load avg ${os.loadavg()[0]!.toFixed(2)}; ${N} generated instruments`,
);

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const tableOf = (reg: InstrumentRegistry): TableWriter => (reg as unknown as { w: { table: TableWriter } }).w.table;

// Growth: fill from 1024 slots, timing every registration.
const inputs: InstrumentInput[] = [];
const growing = await InstrumentRegistry.create({ initialCapacity: 1024 });
const perReg: number[] = [];
generateInstruments(N, 7, (input) => {
  inputs.push(input);
  const t0 = performance.now();
  const id = growing.registerInstrument(input).id;
  perReg.push(performance.now() - t0);
  return id;
});
const live = growing.getMetrics().instruments;
const slowest = perReg.reduce((m, x) => Math.max(m, x), 0);
console.log(`  registry: ${live} live, ${growing.getMetrics().capacity} slots, ${growing.getMetrics().generation} generations`);

const copy: number[] = [];
const full: number[] = [];
const t = tableOf(growing);
for (let r = 0; r < ROUNDS; r++) {
  let t0 = performance.now();
  t.copyGeneration();
  copy.push(performance.now() - t0);
  t0 = performance.now();
  growing.compact();
  full.push(performance.now() - t0);
}
// the registry still answers every instrument after the rebuilds
const reader = growing.reader();
for (let i = 0; i < inputs.length; i += 97) if (!reader.getBySymbol(inputs[i]!.venue, inputs[i]!.symbol)) throw new Error(`lost ${inputs[i]!.symbol}`);

const row = (name: string, ms: number, ref: number) =>
  console.log(
    `  ${name.padEnd(58)} ${ms.toFixed(1).padStart(9)} ms  ${((ms * 1e6) / live).toFixed(0).padStart(6)} ns/instrument  ${(ms / ref).toFixed(2).padStart(6)}× floor`,
  );
const floor = median(copy);
row('floor: slot-for-slot generation copy (copyGeneration)', floor, floor);
row('compact(): full same-size rebuild', median(full), floor);
row('growth: slowest registerInstrument (ran the last doubling)', slowest, floor);
console.log(`  median registerInstrument while filling: ${(median(perReg) * 1000).toFixed(2)} µs`);
