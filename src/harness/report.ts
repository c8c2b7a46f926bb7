/**
 * Text output of the bench: a cli-table3 table of per-op latency percentiles (ns) and ops/s per
 * reader for every scenario, each row's p50 as a ratio to the floor row and to `Map<number>`
 * (same access pattern, same run), followed by the DESIGN §5 targets and whether this run met
 * them.
 *
 * @module
 */
import Table from 'cli-table3';
import type { BenchResult, LatencyStats } from './result.js';

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

/** Cost of `row` relative to `ref` at p50 (`row.p50Ns / ref.p50Ns`; 1.3 = 30 % slower), or undefined if either is missing. */
export function costRatio(row: LatencyStats, ref: LatencyStats): number | undefined {
  if (!row.available || !ref.available || ref.p50Ns <= 0) return undefined;
  return row.p50Ns / ref.p50Ns;
}

/** Format a ratio: `1.23×`, `12.3×`, `123×`; `-` when undefined. */
export function fmtRatio(x: number | undefined): string {
  if (x === undefined) return '-';
  if (x >= 100) return `${Math.round(x)}×`;
  if (x >= 10) return `${x.toFixed(1)}×`;
  return `${x.toFixed(2)}×`;
}

/** One row of the table. */
export interface ReportRow {
  label: string;
  s: LatencyStats;
  pattern: 'hot' | 'random';
}

/** Every measured row, in table order (scenarios that did not run are left out). */
export function reportRows(r: BenchResult): ReportRow[] {
  const out: ReportRow[] = [];
  const both = (label: string, hr: { hot: LatencyStats; random: LatencyStats }) => {
    out.push({ label: `${label}, hot`, s: hr.hot, pattern: 'hot' }, { label: `${label}, random`, s: hr.random, pattern: 'random' });
  };
  const b = r.baselines;
  const x = r.results;
  both('floor (seqlock, 1 field)', b.floor);
  both('raw (plain loads, unsafe)', b.raw);
  if (r.hotApi) {
    both('instreg byId (readById)', x.byId);
    both('instreg byId (view)', x.byIdView);
  } else {
    both('instreg byId (view)', x.byIdView);
  }
  out.push({ label: 'instreg byId probe only (view), hot', s: r.extra.byIdProbeHot, pattern: 'hot' });
  both('instreg symbol, prepared key', x.bySymbolKey);
  if (r.hotApi) both('instreg symbol, string', x.bySymbol);
  both('instreg symbol (view)', x.bySymbolView);
  if (r.hotApi) both('instreg ISIN, all listings (slots)', x.byIsin);
  both('instreg ISIN (view)', x.byIsinView);
  both('Map<number>.get', b.mapNumber);
  both('Map<bigint>.get', b.mapBigint);
  both('Map<string>.get VENUE:SYMBOL', b.mapString);
  both('Map<string>.get ISIN', b.mapStringIsin);
  out.push({ label: 'lmdb-js get, hot', s: b.lmdb, pattern: 'hot' }, { label: 'lmdb-js get, random', s: r.extra.lmdbRandom, pattern: 'random' });
  out.push({ label: 'postMessage RPC, hot', s: b.postMessage, pattern: 'hot' }, { label: 'piscina task/lookup, hot', s: b.piscinaTask, pattern: 'hot' });
  return out.filter((row) => row.s.available);
}

/** The cli-table3 table of a result (string, colours off so it can go to files). */
export function renderTable(r: BenchResult): string {
  const t = new Table({
    head: ['scenario', 'p50', 'p90', 'p99', 'p99.9', 'max', 'ops/s/reader', '× floor', '× Map<number>'],
    style: { head: [], border: [] },
    colAligns: ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
  });
  for (const row of reportRows(r)) {
    const s = row.s;
    const floor = r.baselines.floor[row.pattern];
    const map = r.baselines.mapNumber[row.pattern];
    t.push([
      row.label,
      fmtNs(s.p50Ns),
      fmtNs(s.p90Ns),
      fmtNs(s.p99Ns),
      fmtNs(s.p999Ns),
      fmtNs(s.maxNs),
      fmtRate(s.opsPerSecPerReader),
      fmtRatio(costRatio(s, floor)),
      fmtRatio(costRatio(s, map)),
    ]);
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

/** Check the DESIGN §5 targets this bench measures (p50 ratios within this run). */
export function checkTargets(r: BenchResult): TargetCheck[] {
  const id = r.results.byId;
  const api = r.hotApi ? '' : ' [view API: no hot API in this build]';
  const ratioCheck = (what: string, a: LatencyStats, b: LatencyStats, max: number): TargetCheck => {
    const x = costRatio(a, b);
    return {
      what,
      target: `≤ ${max}×`,
      measured: x === undefined ? '-' : `${x.toFixed(2)}× (${fmtNs(a.p50Ns)} / ${fmtNs(b.p50Ns)})`,
      met: x === undefined ? undefined : x <= max,
    };
  };
  const size = `${r.dataset.instruments} instruments${r.dataset.instruments < 1_000_000 ? ', target is for 1 M' : ''}`;
  return [
    ratioCheck(`byId hot / floor hot (${r.mode} mode, ${size})${api}`, id.hot, r.baselines.floor.hot, 1.3),
    ratioCheck(`byId hot / Map<number> hot${api}`, id.hot, r.baselines.mapNumber.hot, 0.8),
    ratioCheck(`byId random / floor random (${r.mode} mode; the target holds for both modes)${api}`, id.random, r.baselines.floor.random, 1.3),
    ratioCheck('venue+symbol, prepared key / byId (hot)', r.results.bySymbolKey.hot, id.hot, 2),
    ratioCheck(`venue+symbol, string / byId (hot)${api}`, r.results.bySymbol.hot, id.hot, 6),
    ratioCheck(`ISIN, all listings / byId (hot)${api}`, r.results.byIsin.hot, id.hot, 3),
    {
      what: 'registrations, one at a time, incl. id derivation',
      target: '≥ 300 k/s',
      measured: `${fmtRate(r.registration.perSec)}/s`,
      met: r.registration.perSec > 0 ? r.registration.perSec >= 300_000 : undefined,
    },
    { what: 'registrations through registerMany', target: '≥ 600 k/s', measured: 'not measured by this bench (npm run bench:registration)', met: undefined },
    {
      what: 'torn reads under writer churn',
      target: '0',
      measured: `${r.tornReads} of ${r.checks.verifiedReads} verified (${r.checks.writes} writes)`,
      met: r.checks.writes > 0 ? r.tornReads === 0 : undefined,
    },
  ];
}

/** Full text report: header, table, targets, notes. */
export function renderReport(r: BenchResult): string {
  const m = r.machine;
  const lines = [
    `instreg bench — ${m.cpu}, ${m.cores} cores, Node ${m.node} ${m.platform}/${m.arch}, load avg ${m.loadAvg1.join('→')}`,
    `dataset: ${r.dataset.instruments} instruments (${r.dataset.generated} generated, ${r.dataset.shipped} shipped), ${r.dataset.isins} ISINs, hot set ${r.dataset.hotSet}; ` +
      `${r.readers} reader worker(s); writer ${r.writeRatePerSec} updates/s; ${r.durationSec}s measured in ${r.rounds} round(s); ${r.mode} mode; batch ${r.batch}`,
    renderTable(r),
    'ratios: row p50 / reference p50, same access pattern, same run (× floor: 1.30× = 30 % above the floor row)',
    `registration: ${fmtRate(r.registration.perSec)} instruments/s incl. id derivation (${r.registration.instruments} instruments)` +
      (r.registration.lmdbPutsPerSec ? `; lmdb-js puts ${fmtRate(r.registration.lmdbPutsPerSec)}/s` : ''),
    r.checks.writes === 0 && r.checks.verifiedReads === 0
      ? 'torn reads: not checked (no writer churn in this run: the registry was only read)'
      : `torn reads: ${r.tornReads} (verified reads ${r.checks.verifiedReads}, misses ${r.checks.misses}, lookup misses ${r.checks.lookupMisses}, seqlock retries ${r.checks.seqlockRetries} reader / ${r.checks.floorRetries} floor, writes ${r.checks.writes})` +
        (r.checks.firstError ? ` first error: ${r.checks.firstError}` : ''),
    '',
    'DESIGN §5 targets:',
    ...checkTargets(r).map((c) => `  ${c.met === undefined ? '·' : c.met ? '✓' : '✗'} ${c.what}: ${c.measured} (target ${c.target})`),
    '',
    ...r.notes.map((n) => `note: ${n}`),
  ];
  return lines.join('\n');
}
