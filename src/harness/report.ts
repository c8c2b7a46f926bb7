/**
 * Text output of the latency bench: a cli-table3 table of per-op latency percentiles (ns) and
 * ops/s per reader for every scenario, with p50 ratios against each baseline, followed by the
 * DESIGN §5 targets and whether this run met them.
 *
 * @module
 */
import Table from 'cli-table3';
import type { BenchResult, LatencyStats } from './run.js';

/** Format a duration in ns with a unit (ns, µs, ms, s). */
export function fmtNs(ns: number): string {
  if (!Number.isFinite(ns) || ns <= 0) return '-';
  if (ns < 1e3) return `${Math.round(ns)} ns`;
  if (ns < 1e6) return `${(ns / 1e3).toPrecision(3)} µs`;
  if (ns < 1e9) return `${(ns / 1e6).toPrecision(3)} ms`;
  return `${(ns / 1e9).toPrecision(3)} s`;
}

/** Format a rate (ops/s) with a k/M suffix. */
export function fmtRate(r: number): string {
  if (!Number.isFinite(r) || r <= 0) return '-';
  if (r >= 1e6) return `${(r / 1e6).toPrecision(3)} M`;
  if (r >= 1e3) return `${(r / 1e3).toPrecision(3)} k`;
  return `${Math.round(r)}`;
}

/** How many times faster `row` is than `baseline` at p50 (`baseline.p50Ns / row.p50Ns`), or undefined if either is missing. */
export function speedup(row: LatencyStats, baseline: LatencyStats): number | undefined {
  if (!row.available || !baseline.available || row.p50Ns <= 0) return undefined;
  return baseline.p50Ns / row.p50Ns;
}

function fmtRatio(x: number | undefined): string {
  if (x === undefined) return '-';
  if (x >= 100) return `${Math.round(x)}×`;
  if (x >= 10) return `${x.toFixed(1)}×`;
  return `${x.toFixed(2)}×`;
}

/** One row of the table: label, stats, and whether it is an instreg (true) or baseline row. */
interface Row {
  label: string;
  s: LatencyStats;
  pattern: 'hot' | 'random';
  instreg: boolean;
}

function rows(r: BenchResult): Row[] {
  const out: Row[] = [
    { label: 'instreg byId hot', s: r.results.byId.hot, pattern: 'hot', instreg: true },
    { label: 'instreg byId random', s: r.results.byId.random, pattern: 'random', instreg: true },
    { label: 'instreg bySymbol hot', s: r.results.bySymbol.hot, pattern: 'hot', instreg: true },
    { label: 'instreg bySymbol random', s: r.results.bySymbol.random, pattern: 'random', instreg: true },
    { label: 'instreg byIsin hot', s: r.results.byIsin.hot, pattern: 'hot', instreg: true },
    { label: 'instreg byIsin random', s: r.results.byIsin.random, pattern: 'random', instreg: true },
    { label: '(byId probe only, hot)', s: r.extra.byIdProbeHot, pattern: 'hot', instreg: true },
    { label: 'Map.get hot', s: r.baselines.map, pattern: 'hot', instreg: false },
    { label: 'Map.get random', s: r.extra.mapRandom, pattern: 'random', instreg: false },
    { label: 'lmdb-js get hot', s: r.baselines.lmdb, pattern: 'hot', instreg: false },
    { label: 'lmdb-js get random', s: r.extra.lmdbRandom, pattern: 'random', instreg: false },
    { label: 'postMessage RPC', s: r.baselines.postMessage, pattern: 'hot', instreg: false },
    { label: 'piscina task/lookup', s: r.baselines.piscinaTask, pattern: 'hot', instreg: false },
  ];
  return out.filter((row) => row.s.available);
}

/** The cli-table3 table of a result (string, with colours off so it can go to files). */
export function renderTable(r: BenchResult): string {
  const t = new Table({
    head: ['scenario', 'p50', 'p90', 'p99', 'p99.9', 'max', 'ops/s/reader', 'vs Map', 'vs lmdb', 'vs postMsg', 'vs piscina'],
    style: { head: [], border: [] },
    colAligns: ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
  });
  const mapFor = (p: 'hot' | 'random') => (p === 'random' && r.extra.mapRandom.available ? r.extra.mapRandom : r.baselines.map);
  const lmdbFor = (p: 'hot' | 'random') => (p === 'random' && r.extra.lmdbRandom.available ? r.extra.lmdbRandom : r.baselines.lmdb);
  for (const row of rows(r)) {
    const s = row.s;
    const ratios = row.instreg
      ? [speedup(s, mapFor(row.pattern)), speedup(s, lmdbFor(row.pattern)), speedup(s, r.baselines.postMessage), speedup(s, r.baselines.piscinaTask)].map(fmtRatio)
      : ['', '', '', ''];
    t.push([row.label, fmtNs(s.p50Ns), fmtNs(s.p90Ns), fmtNs(s.p99Ns), fmtNs(s.p999Ns), fmtNs(s.maxNs), fmtRate(s.opsPerSecPerReader), ...ratios]);
  }
  return t.toString();
}

/** One DESIGN §5 target and this run's verdict. */
export interface TargetCheck {
  what: string;
  target: string;
  measured: string;
  /** undefined = not measured in this run. */
  met: boolean | undefined;
}

/** Check the DESIGN §5 targets this bench measures. */
export function checkTargets(r: BenchResult): TargetCheck[] {
  const id = r.results.byId;
  const ratio = (a: LatencyStats, b: LatencyStats) => (a.available && b.available && b.p50Ns > 0 ? a.p50Ns / b.p50Ns : undefined);
  const symRatio = ratio(r.results.bySymbol.hot, id.hot);
  const isinRatio = ratio(r.results.byIsin.hot, id.hot);
  const pm = speedup(id.hot, r.baselines.postMessage);
  const pt = speedup(id.hot, r.baselines.piscinaTask);
  const rpc = [pm, pt].filter((x): x is number => x !== undefined);
  return [
    { what: 'byId hot p50 / p99', target: '≤ 25 ns / ≤ 60 ns', measured: `${fmtNs(id.hot.p50Ns)} / ${fmtNs(id.hot.p99Ns)}`, met: id.hot.available ? id.hot.p50Ns <= 25 && id.hot.p99Ns <= 60 : undefined },
    {
      what: `byId random p50 (${r.dataset.instruments} instruments${r.dataset.instruments < 1_000_000 ? ', target is for 1M' : ''})`,
      target: '≤ 150 ns',
      measured: fmtNs(id.random.p50Ns),
      met: id.random.available ? id.random.p50Ns <= 150 : undefined,
    },
    { what: 'bySymbol / byId (hot p50)', target: '≤ 2×', measured: symRatio === undefined ? '-' : `${symRatio.toFixed(2)}×`, met: symRatio === undefined ? undefined : symRatio <= 2 },
    { what: 'byIsin / byId (hot p50)', target: '≤ 2×', measured: isinRatio === undefined ? '-' : `${isinRatio.toFixed(2)}×`, met: isinRatio === undefined ? undefined : isinRatio <= 2 },
    { what: 'byId hot vs postMessage / piscina task (p50)', target: '≥ 1000× faster', measured: `${fmtRatio(pm)} / ${fmtRatio(pt)}`, met: rpc.length ? rpc.every((x) => x >= 1000) : undefined },
    { what: 'registrations incl. id derivation', target: '≥ 1 M/s', measured: `${fmtRate(r.registration.perSec)}/s`, met: r.registration.perSec >= 1e6 },
    { what: 'torn reads under writer churn', target: '0', measured: `${r.tornReads} of ${r.checks.verifiedReads} verified (${r.checks.writes} writes)`, met: r.checks.writes > 0 ? r.tornReads === 0 : undefined },
  ];
}

/** Full text report: header, table, targets, notes. */
export function renderReport(r: BenchResult): string {
  const m = r.machine;
  const lines = [
    `instreg bench — ${m.cpu}, ${m.cores} cores, Node ${m.node} ${m.platform}/${m.arch}, load avg ${m.loadAvg1.join('→')}`,
    `dataset: ${r.dataset.instruments} instruments (${r.dataset.generated} generated, ${r.dataset.shipped} shipped), ${r.dataset.isins} ISINs, hot set ${r.dataset.hotSet}; ` +
      `${r.readers} reader worker(s); writer ${r.writeRatePerSec} updates/s; ${r.durationSec}s measured; batch ${r.batch}`,
    renderTable(r),
    'ratios: baseline p50 / instreg p50 (random rows use the random Map / lmdb baselines)',
    `registration: ${fmtRate(r.registration.perSec)} instruments/s incl. id derivation (${r.registration.instruments} instruments)` +
      (r.registration.lmdbPutsPerSec ? `; lmdb-js puts ${fmtRate(r.registration.lmdbPutsPerSec)}/s` : ''),
    r.checks.writes === 0 && r.checks.verifiedReads === 0
      ? 'torn reads: not checked (no writer churn in this run: the registry was only read)'
      : `torn reads: ${r.tornReads} (verified reads ${r.checks.verifiedReads}, misses ${r.checks.misses}, seqlock retries ${r.checks.seqlockRetries}, writes ${r.checks.writes})` +
      (r.checks.firstError ? ` first error: ${r.checks.firstError}` : ''),
    '',
    'DESIGN §5 targets:',
    ...checkTargets(r).map((c) => `  ${c.met === undefined ? '·' : c.met ? '✓' : '✗'} ${c.what}: ${c.measured} (target ${c.target})`),
    '',
    ...r.notes.map((n) => `note: ${n}`),
  ];
  return lines.join('\n');
}
