/**
 * The result of `instreg bench` (what `--json` writes, schema 1) and how the readers' reports
 * are merged into it.
 *
 * Schema 1 is additive: every field of the first version is kept with its meaning
 * (`results.byId|bySymbol|byIsin`, `baselines.map|lmdb|postMessage|piscinaTask`, `extra`, …);
 * later fields are `mode`, `hotApi`, `rounds`, `results.bySymbolKey`, `results.*View`,
 * `baselines.floor|raw|mapNumber|mapBigint|mapString|mapStringIsin` (each `{hot, random}`).
 *
 * @module
 */
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import * as hdr from 'hdr-histogram-js';
import { newHistogram, type BenchMode, type ReaderBenchReport, type ReaderPhase } from './reader-task.js';

/** Latency statistics of one scenario: per-op ns percentiles (HDR, 3 significant digits) and throughput. */
export interface LatencyStats {
  p50Ns: number;
  p90Ns: number;
  p99Ns: number;
  p999Ns: number;
  maxNs: number;
  /** Mean over readers of ops / timed seconds (ops/s). */
  opsPerSecPerReader: number;
  /** Operations measured (all readers). */
  ops: number;
  /** Mean ns/op. */
  meanNs: number;
  /** False if the scenario could not run (all numbers 0). */
  available: boolean;
}

/** Hot-set and uniformly random variants of a scenario. */
export interface HotRandom {
  hot: LatencyStats;
  random: LatencyStats;
}

/** The machine a result was measured on. */
export interface MachineInfo {
  cpu: string;
  cores: number;
  node: string;
  platform: string;
  arch: string;
  totalMemGiB: number;
  /** 1-minute load average at start and end of the run. */
  loadAvg1: [number, number];
}

/** Result of `runBench`; `--json` writes exactly this (schema 1, additive). */
export interface BenchResult {
  schema: 1;
  /** `throughput`: independent lookups, batch means; `latency`: each key depends on the previous result. */
  mode: BenchMode;
  /**
   * Whether the reader has the allocation-free hot API. If true, `results.byId|bySymbol|byIsin`
   * use it (`readById`, `readBySymbol`, `findByIsinSlots` + `readSlot`); if false they hold the
   * view-API figures (`results.*View`) and `bySymbolKey` is unavailable.
   */
  hotApi: boolean;
  machine: MachineInfo;
  dataset: { instruments: number; generated: number; shipped: number; isins: number; hotSet: number };
  readers: number;
  writeRatePerSec: number;
  durationSec: number;
  /** Round-robin rounds: every scenario ran once per round. */
  rounds: number;
  results: {
    byId: HotRandom;
    bySymbol: HotRandom;
    byIsin: HotRandom;
    /** Venue + symbol through a prepared key (`prepareSymbolKey` once, `readBySymbolKey` per lookup). */
    bySymbolKey: HotRandom;
    /** The convenience view API: `getByIdHalves` / `getBySymbolIndex` / `getByIsin`, then `.kindCode`. */
    byIdView: HotRandom;
    bySymbolView: HotRandom;
    byIsinView: HotRandom;
  };
  baselines: {
    /** Schema 1: `Map<bigint>` on the hot set (= `mapBigint.hot`). */
    map: LatencyStats;
    lmdb: LatencyStats;
    postMessage: LatencyStats;
    piscinaTask: LatencyStats;
    /** Minimal correct seqlock lookup written against the layout (`floor.ts`). */
    floor: HotRandom;
    /** Plain loads, no seqlock (unsafe; context only). */
    raw: HotRandom;
    mapNumber: HotRandom;
    mapBigint: HotRandom;
    /** `Map<string>` keyed by `"VENUE:SYMBOL"`. */
    mapString: HotRandom;
    /** `Map<string>` keyed by ISIN, value = every listing. */
    mapStringIsin: HotRandom;
  };
  /** Extra scenarios: key probe only, and the random-pattern Map<bigint> / lmdb baselines. */
  extra: { byIdProbeHot: LatencyStats; mapRandom: LatencyStats; lmdbRandom: LatencyStats };
  registration: { perSec: number; instruments: number; lmdbPutsPerSec: number };
  tornReads: number;
  checks: {
    verifiedReads: number;
    misses: number;
    /** Lookups in timed batches that found nothing (every queried key is in the table: 0 expected). */
    lookupMisses: number;
    seqlockRetries: number;
    floorRetries: number;
    writes: number;
    firstError: string | null;
    lmdbError?: string;
  };
  batch: number;
  startedAt: string;
  /** Percentile curves (`[percentile, ns]`) per phase, for `--plot`. */
  curves: Record<string, Array<[number, number]>>;
  notes: string[];
}

/** Stats of a scenario that did not run. */
export function zeroStats(): LatencyStats {
  return { p50Ns: 0, p90Ns: 0, p99Ns: 0, p999Ns: 0, maxNs: 0, opsPerSecPerReader: 0, ops: 0, meanNs: 0, available: false };
}

/** Stats of a histogram; `perReader` = ops/s of each reader. */
export function statsOf(h: hdr.Histogram, perReader: number[]): LatencyStats {
  if (h.totalCount === 0) return zeroStats();
  return {
    p50Ns: h.getValueAtPercentile(50),
    p90Ns: h.getValueAtPercentile(90),
    p99Ns: h.getValueAtPercentile(99),
    p999Ns: h.getValueAtPercentile(99.9),
    maxNs: h.maxValue,
    opsPerSecPerReader: Math.round(perReader.reduce((a, b) => a + b, 0) / Math.max(1, perReader.length)),
    ops: h.totalCount,
    meanNs: Math.round(h.mean * 10) / 10,
    available: true,
  };
}

/** Percentiles at which curves are sampled: 1 - 10^-x for x = 0, 0.1, …, 4 (0 % … 99.99 %). */
export const CURVE_PERCENTILES = Array.from({ length: 41 }, (_, i) => Math.round((1 - 10 ** (-i / 10)) * 1e6) / 1e4);

/** Percentile curve of a histogram: `[percentile, ns]` pairs at {@link CURVE_PERCENTILES}. */
export function curveOf(h: hdr.Histogram): Array<[number, number]> {
  if (h.totalCount === 0) return [];
  return CURVE_PERCENTILES.map((p) => [p, p === 0 ? h.minNonZeroValue : h.getValueAtPercentile(p)]);
}

/** Merge the readers' reports of one phase (and keep its percentile curve in `curves`). */
export function mergePhase(reports: ReaderBenchReport[], name: ReaderPhase, curves?: Record<string, Array<[number, number]>>): LatencyStats {
  const h = newHistogram();
  const perReader: number[] = [];
  for (const r of reports) {
    const p = r.phases[name];
    if (!p || p.ops === 0) continue;
    h.add(hdr.decodeFromCompressedBase64(p.hist, 32, false));
    perReader.push(p.ops / (p.timedNs / 1e9));
  }
  if (curves && h.totalCount) curves[name] = curveOf(h);
  return statsOf(h, perReader);
}

/** Hot and random variants of scenario `s`. */
export function mergeHotRandom(reports: ReaderBenchReport[], s: string, curves: Record<string, Array<[number, number]>>): HotRandom {
  return { hot: mergePhase(reports, `${s}.hot` as ReaderPhase, curves), random: mergePhase(reports, `${s}.random` as ReaderPhase, curves) };
}

/** Machine description recorded with every result. */
export function machineInfo(): MachineInfo {
  const c = cpus();
  return {
    cpu: c[0]?.model.trim() ?? 'unknown',
    cores: availableParallelism(),
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    totalMemGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    loadAvg1: [Math.round(loadavg()[0]! * 100) / 100, 0],
  };
}
