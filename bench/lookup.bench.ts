/**
 * Single-thread lookup micro-benchmark: every lookup scenario of `instreg bench` in one thread,
 * no writer, one call site per scenario (the loops of `src/harness/bodies.ts`): the floor row
 * (minimal correct seqlock lookup written against the layout), the raw row (plain loads, unsafe),
 * byId through the hot API and the view API, venue + symbol with a prepared key, with a string
 * and through the view, ISIN (all listings) through slots and the view, and `Map<number>`,
 * `Map<bigint>`, `Map<string>` baselines holding the same keys as the table (the whole
 * population). Keys are walked sequentially from one interleaved stream per access pattern
 * (`src/harness/streams.ts`); hot = 4096 instruments, random = uniform over all.
 *
 * Each scenario: 3 repetitions of 2^20 lookups (hot) / the whole random stream, round-robin
 * over the scenarios; the median repetition is reported, with its ratio to the floor and to
 * `Map<number>` of the same pattern.
 *
 * Run: `npm run build && node dist/bench/lookup.bench.js` (env `LOOKUP_BENCH_N`: generated
 * instruments, default 1 000 000; `LOOKUP_BENCH_MODE=latency` for dependent lookups).
 */
import os from 'node:os';
import { BODIES, HOT_API_SCENARIOS, type BatchedScenario, type BodyState } from '../src/harness/bodies.js';
import { generateInstruments, mulberry32 } from '../src/harness/dataset.js';
import { FloorTable } from '../src/harness/floor.js';
import { loadHotApi } from '../src/harness/hot-api.js';
import { buildPopulation } from '../src/harness/population.js';
import { buildMaps, buildStream, type Pattern } from '../src/harness/streams.js';
import { RegistryReader } from '../src/reader/reader.js';
import { InstrumentView } from '../src/reader/view.js';
import { InstrumentRegistry } from '../src/writer/registry.js';

const N = Number(process.env.LOOKUP_BENCH_N ?? 1_000_000);
const LAT = process.env.LOOKUP_BENCH_MODE === 'latency';
const HOT = 4096;
const REPS = 3;

console.log(
  `lookup.bench — ${os.cpus()[0]?.model ?? 'cpu'}, ${os.availableParallelism()} cores, Node ${process.version} ${process.platform}/${process.arch}, load avg ${os.loadavg()[0]!.toFixed(2)}`,
);
const reg = await InstrumentRegistry.create({ initialCapacity: N + 1024 });
const t0 = process.hrtime.bigint();
const d = generateInstruments(N, 42, (input) => reg.registerInstrument(input).id);
console.log(`${N} generated instruments registered in ${(Number(process.hrtime.bigint() - t0) / 1e9).toFixed(1)} s; ${LAT ? 'latency' : 'throughput'} mode`);
const rnd = mulberry32(7);
const pop = buildPopulation(d.entries, HOT, rnd);
const reader = RegistryReader.attach(reg.handle);
const hot = await loadHotApi(reader);
const maps = buildMaps(pop);
const venueIdx = Int32Array.from(pop.venueCodes, (c) => reader.venueIndex(c));
let randomLen = 1;
while (randomLen < 4 * N) randomLen *= 2;
const streams = {
  hot: buildStream(pop, 'hot', 1 << 16, rnd, venueIdx, maps, hot),
  random: buildStream(pop, 'random', Math.min(1 << 20, randomLen), rnd, venueIdx, maps, hot),
};
for (const st of Object.values(streams)) {
  for (const k of st.venueSymbols) maps.bySymbol.get(k);
  for (const k of st.isins) maps.byIsin.get(k);
}
const s: BodyState = {
  floor: new FloorTable(reg.handle),
  reader,
  hot: hot?.reader,
  f: hot?.kindFields(),
  view: new InstrumentView(reader),
  maps,
  slots: new Int32Array(64),
  z: N < 0 ? 1 : 0,
  misses: 0,
  sink: 0,
};
const scenarios = (Object.keys(BODIES) as BatchedScenario[]).filter((k) => hot || !HOT_API_SCENARIOS.includes(k));
if (!hot) console.log(`no hot API in this build: ${HOT_API_SCENARIOS.join(', ')} not measured`);

// Warm-up, then REPS round-robin repetitions.
for (const k of scenarios) for (const p of ['hot', 'random'] as const) BODIES[k](s, streams[p], 20_000, LAT);
s.misses = 0;
const ns: Record<string, number[]> = {};
for (let rep = 0; rep < REPS; rep++) {
  for (const k of scenarios) {
    for (const p of ['hot', 'random'] as Pattern[]) {
      const ops = k.includes('Isin') ? 1 << 17 : p === 'hot' ? 1 << 20 : streams.random.length;
      const t = process.hrtime.bigint();
      BODIES[k](s, streams[p], ops, LAT);
      (ns[`${k}.${p}`] ??= []).push(Number(process.hrtime.bigint() - t) / ops);
    }
  }
}
const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1]!;
const fmt = (x: number | undefined) => (x === undefined ? '-' : `${x.toFixed(2)}×`);
console.log(
  `${'scenario'.padEnd(24)} ${'hot ns'.padStart(8)} ${'× floor'.padStart(8)} ${'× Map#'.padStart(8)} ${'random ns'.padStart(10)} ${'× floor'.padStart(8)} ${'× Map#'.padStart(8)}`,
);
for (const k of scenarios) {
  const cells = (['hot', 'random'] as Pattern[]).map((p) => {
    const v = median(ns[`${k}.${p}`]!);
    return [
      v.toFixed(1).padStart(p === 'hot' ? 8 : 10),
      fmt(v / median(ns[`floor.${p}`]!)).padStart(8),
      fmt(v / median(ns[`mapNumber.${p}`]!)).padStart(8),
    ].join(' ');
  });
  console.log(`${k.padEnd(24)} ${cells.join(' ')}`);
}
console.log(`misses ${s.misses} (must be 0); floor retries ${s.floor.retries}; sink ${s.sink % 1000}`);
