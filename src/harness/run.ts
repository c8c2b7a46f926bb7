/**
 * The instreg latency benchmark: lookups from reader workers (a {@link ReaderPool}, attached once)
 * against a registry the writer keeps updating, side by side with the baselines of DESIGN §5
 * (thread-local `Map`, lmdb-js `get`, postMessage round trip to a registry thread, one piscina
 * task per lookup), plus the writer's registration throughput and a torn-read count.
 *
 * Timeline of {@link runBench}:
 * 1. Registry: the given one, a restored snapshot, or a fresh one loaded with the shipped data.
 * 2. `instruments` extra instruments generated deterministically ({@link generateInstruments}),
 *    registered with `registerInstrument` (registration throughput measured here).
 * 3. lmdb env in a temp dir with id → 128-byte record image for every instrument.
 * 4. `readers` pool workers run {@link benchReader} in lock-step phase windows while the main
 *    thread writes `writeRatePerSec` self-checking updates per second to random generated
 *    instruments (half of them to a 64-record churn set the readers verify constantly).
 * 5. The piscina-task baseline: the main thread submits one pool task per lookup.
 *
 * `durationSec` is the total of the measured windows (setup not included); it is split evenly
 * over the phases (lmdb phases get half a share each).
 *
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { Worker, MessageChannel } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import * as hdr from 'hdr-histogram-js';
import { KIND_CODES } from '../../layout/index.js';
import { dataDir } from '../config.js';
import { splitId } from '../id/derive.js';
import type { InstrumentKind } from '../model/types.js';
import { compiledModuleUrl, createReaderPool, type ReaderPool } from '../reader/pool.js';
import { InstrumentView } from '../reader/view.js';
import type { RegistryHandle } from '../shm/handle.js';
import { InstrumentRegistry } from '../writer/registry.js';
import { benchPatch, generateInstruments, mulberry32 } from './dataset.js';
import { newHistogram, type PhaseWindow, type ReaderBenchArgs, type ReaderBenchReport, type ReaderPhase } from './reader-task.js';

/** Options of {@link runBench}. */
export interface BenchOptions {
  /** Extra generated instruments on top of the registry's own (default 0). */
  instruments?: number;
  /** Reader worker threads (default: available cores). */
  readers?: number;
  /** Updates per second the writer performs during the run (default 1000; 0 = none). */
  writeRatePerSec?: number;
  /** Total length of the measured windows, s (default 20). */
  durationSec?: number;
  /** Hot-set size, instruments (default 4096). */
  hotSet?: number;
  /** Lookups per timed batch (default 1000). */
  batch?: number;
  /** PRNG seed for the dataset and access patterns (default 42). */
  seed?: number;
  /** Baselines to run (default: all). */
  baselines?: { map?: boolean; lmdb?: boolean; postMessage?: boolean; piscinaTask?: boolean };
  /** Measure `byIdProbe` (key probe only, extra result) (default true). */
  probe?: boolean;
  /** Use this (already loaded) registry instead of loading the shipped data. It is only read unless `instruments` > 0. */
  registry?: InstrumentRegistry;
  /** Restore the registry from a snapshot file (needs `src/snapshot/`). */
  snapshot?: string;
  /** Data directory for the shipped payloads (default `dataDir()`). */
  dataDir?: string;
  /** Progress messages. */
  log?: (msg: string) => void;
}

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

/** Result of {@link runBench}; `--json` writes exactly this (schema 1). */
export interface BenchResult {
  schema: 1;
  machine: MachineInfo;
  dataset: { instruments: number; generated: number; shipped: number; isins: number; hotSet: number };
  readers: number;
  writeRatePerSec: number;
  durationSec: number;
  results: { byId: HotRandom; bySymbol: HotRandom; byIsin: HotRandom };
  baselines: { map: LatencyStats; lmdb: LatencyStats; postMessage: LatencyStats; piscinaTask: LatencyStats };
  /** Extra scenarios: key probe only, and the random-pattern Map / lmdb baselines. */
  extra: { byIdProbeHot: LatencyStats; mapRandom: LatencyStats; lmdbRandom: LatencyStats };
  registration: { perSec: number; instruments: number; lmdbPutsPerSec: number };
  tornReads: number;
  checks: { verifiedReads: number; misses: number; seqlockRetries: number; writes: number; firstError: string | null; lmdbError?: string };
  batch: number;
  startedAt: string;
  /** Percentile curves (`[percentile, ns]`) per scenario, for `--plot`. */
  curves: Record<string, Array<[number, number]>>;
  notes: string[];
}

const KIND_NAMES = Object.keys(KIND_CODES) as InstrumentKind[];

function zeroStats(): LatencyStats {
  return { p50Ns: 0, p90Ns: 0, p99Ns: 0, p999Ns: 0, maxNs: 0, opsPerSecPerReader: 0, ops: 0, meanNs: 0, available: false };
}

function statsOf(h: hdr.Histogram, perReader: number[]): LatencyStats {
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
function curveOf(h: hdr.Histogram): Array<[number, number]> {
  if (h.totalCount === 0) return [];
  return CURVE_PERCENTILES.map((p) => [p, p === 0 ? h.minNonZeroValue : h.getValueAtPercentile(p)]);
}

/** Merge the readers' reports of one phase (and keep its percentile curve in `curves`). */
function mergePhase(reports: ReaderBenchReport[], name: ReaderPhase, curves?: Record<string, Array<[number, number]>>): LatencyStats {
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

/** Distinct random sample of `k` of `0..n-1` (partial Fisher–Yates). */
function sample(n: number, k: number, rnd: () => number): Uint32Array {
  k = Math.min(k, n);
  const idx = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(rnd() * (n - i));
    const t = idx[i]!;
    idx[i] = idx[j]!;
    idx[j] = t;
  }
  return idx.slice(0, k);
}

function sharedU32(n: number): Uint32Array {
  return new Uint32Array(new SharedArrayBuffer(Math.max(4, n * 4)), 0, n);
}

/**
 * Restore a registry from a snapshot file (`readSnapshot` of `src/snapshot/`), as a writer that
 * can keep updating it.
 * @throws {Error} "snapshots not available" if the snapshot module cannot be loaded.
 */
export async function restoreSnapshot(file: string): Promise<InstrumentRegistry> {
  let readSnapshot: ((file: string) => Promise<RegistryHandle>) | undefined;
  try {
    ({ readSnapshot } = await import('../snapshot/index.js'));
  } catch {
    readSnapshot = undefined;
  }
  if (typeof readSnapshot !== 'function') throw new Error('snapshots not available');
  const handle = await readSnapshot(file);
  return InstrumentRegistry.create({ handle });
}

/**
 * Run the benchmark (see module doc). Never asserts on timings; `tornReads` must be 0.
 * @returns the result in the `--json` shape.
 */
export async function runBench(opts: BenchOptions = {}): Promise<BenchResult> {
  const log = opts.log ?? (() => {});
  const N = Math.max(0, Math.floor(opts.instruments ?? 0));
  const R = Math.max(1, Math.floor(opts.readers ?? availableParallelism()));
  const W = Math.max(0, opts.writeRatePerSec ?? 1000);
  const durationSec = Math.max(0.1, opts.durationSec ?? 20);
  const K = Math.max(1, Math.floor(opts.hotSet ?? 4096));
  const B = Math.max(1, Math.floor(opts.batch ?? 1000));
  const seed = opts.seed ?? 42;
  const base = { map: true, lmdb: true, postMessage: true, piscinaTask: true, ...opts.baselines };
  const machine = machineInfo();
  const startedAt = new Date().toISOString();
  const notes: string[] = [];

  // 1. Registry.
  let registry = opts.registry;
  if (!registry && opts.snapshot) {
    log(`restoring snapshot ${opts.snapshot}`);
    registry = await restoreSnapshot(opts.snapshot);
  }
  if (!registry) {
    registry = await InstrumentRegistry.create({ initialCapacity: N + 32_768 });
    const dir = opts.dataDir ?? dataDir();
    log(`loading shipped data from ${dir}`);
    const { loadDirectory } = await import('../discovery/index.js');
    await loadDirectory(dir, registry);
  }
  const mainReader = registry.reader();
  const shipped = mainReader.all().map((v) => {
    const kind = v.kind;
    const isin = kind === 'stock' || kind === 'etf' ? (v.detail.isin as string | undefined) : undefined;
    return { id: v.id, kind, venue: v.venue, symbol: v.symbol, ...(isin ? { isin } : {}) };
  });

  // 2. Generated instruments (registration throughput).
  let regPerSec = 0;
  let regCount = 0;
  let generated: ReturnType<typeof generateInstruments>['entries'] = [];
  if (N > 0) {
    log(`registering ${N} generated instruments`);
    const reg = registry;
    const d = generateInstruments(N, seed, (input) => reg.registerInstrument(input).id);
    generated = d.entries;
    regPerSec = d.perSec;
    regCount = N;
  } else {
    // Measure registration on a scratch registry; the given one is only read.
    const scratch = await InstrumentRegistry.create({ initialCapacity: 32_768 });
    const d = generateInstruments(20_000, seed, (input) => scratch.registerInstrument(input).id);
    regPerSec = d.perSec;
    regCount = 20_000;
    notes.push('registration measured on a scratch registry (20000 generated instruments); the benchmarked registry was only read');
  }
  log(`registration: ${Math.round(regPerSec)} instruments/s`);

  // Population arrays (harness SABs where numeric).
  const all = [...shipped, ...generated];
  const n = all.length;
  const lo = sharedU32(n);
  const hi = sharedU32(n);
  const kinds = new Uint8Array(new SharedArrayBuffer(Math.max(1, n)), 0, n);
  const venueOf = sharedU32(n);
  const venueCodes: string[] = [];
  const venueNo = new Map<string, number>();
  const symbols: string[] = new Array<string>(n);
  const isinSet = new Set<string>();
  for (let i = 0; i < n; i++) {
    const e = all[i]!;
    const [l, h] = splitId(e.id);
    lo[i] = l;
    hi[i] = h;
    kinds[i] = KIND_CODES[e.kind];
    let v = venueNo.get(e.venue);
    if (v === undefined) venueNo.set(e.venue, (v = venueCodes.push(e.venue) - 1));
    venueOf[i] = v;
    symbols[i] = e.symbol;
    if (e.isin) isinSet.add(e.isin);
  }
  const isins = [...isinSet];
  const rnd = mulberry32(seed ^ 0x5bd1e995);
  const hotIds = sample(n, K, rnd);
  const hotIsins = sample(isins.length, K, rnd);
  if (isins.length === 0) notes.push('no instrument has an ISIN: byIsin not measured');

  // 3. lmdb env.
  let lmdbPath: string | undefined;
  let lmdbKeyIdx: Uint32Array | undefined;
  let lmdbPutsPerSec = 0;
  let lmdbError: string | undefined;
  if (base.lmdb) {
    try {
      const { open } = await import('lmdb');
      lmdbPath = mkdtempSync(join(tmpdir(), 'instreg-bench-lmdb-'));
      const db = open<Buffer, Buffer>({ path: lmdbPath, encoding: 'binary', keyEncoding: 'binary', compression: false, noSync: true });
      const view = new InstrumentView(mainReader);
      log(`lmdb: writing ${n} records`);
      let putNs = 0;
      for (let start = 0; start < n; start += 50_000) {
        const t0 = process.hrtime.bigint();
        db.transactionSync(() => {
          for (let i = start; i < Math.min(n, start + 50_000); i++) {
            const v = mainReader.getByIdHalves(lo[i]!, hi[i]!, view)!;
            void v.kind; // copy line 0
            void v.status; // copy line 1
            const key = Buffer.allocUnsafe(8);
            key.writeUInt32BE(hi[i]!, 0);
            key.writeUInt32BE(lo[i]!, 4);
            db.putSync(key, Buffer.from(v.recordBytes().buffer));
          }
        });
        putNs += Number(process.hrtime.bigint() - t0);
      }
      lmdbPutsPerSec = n / (putNs / 1e9);
      await db.close();
      const sampleIdx = sample(n, Math.min(n, 65_536), rnd);
      lmdbKeyIdx = new Uint32Array(hotIds.length + sampleIdx.length);
      lmdbKeyIdx.set(hotIds, 0);
      lmdbKeyIdx.set(sampleIdx, hotIds.length);
    } catch (e) {
      lmdbError = (e as Error).message;
      notes.push(`lmdb baseline unavailable: ${lmdbError}`);
      lmdbPath = undefined;
    }
  }

  // Phase windows.
  const phaseNames: Array<[ReaderPhase, number]> = [
    ['byId.hot', 1],
    ['byId.random', 1],
    ['bySymbol.hot', 1],
    ['bySymbol.random', 1],
  ];
  if (isins.length) phaseNames.push(['byIsin.hot', 1], ['byIsin.random', 1]);
  if (opts.probe !== false) phaseNames.push(['byIdProbe.hot', 1]);
  if (base.map) phaseNames.push(['map.hot', 1], ['map.random', 1]);
  if (lmdbPath) phaseNames.push(['lmdb.hot', 0.5], ['lmdb.random', 0.5]);
  if (base.postMessage) phaseNames.push(['postMessage.hot', 1]);
  const shares = phaseNames.reduce((a, [, w]) => a + w, 0) + (base.piscinaTask ? 1 : 0);
  const unitNs = (durationSec * 1e9) / shares;
  const phases: PhaseWindow[] = [];
  let offset = 0;
  for (const [name, w] of phaseNames) {
    phases.push({ name, offsetNs: Math.round(offset), durationNs: Math.round(unitNs * w) });
    offset += unitNs * w;
  }

  // 4. Readers + writer.
  log(`starting ${R} reader workers`);
  const pool: ReaderPool = createReaderPool(registry.handle, { threads: R });
  let server: Worker | undefined;
  const ready = new Int32Array(new SharedArrayBuffer(4));
  const start = new BigInt64Array(new SharedArrayBuffer(8));
  const genBase = shipped.length;
  const churn = Math.min(64, generated.length);
  let writes = 0;
  let writer: NodeJS.Timeout | undefined;
  const version = new Uint32Array(generated.length);
  try {
    await pool.ready();
    const ports: Array<import('node:worker_threads').MessagePort | undefined> = [];
    if (base.postMessage) {
      const serverUrl = compiledModuleUrl(new URL('../../workers/registry-server.' + (import.meta.url.endsWith('.ts') ? 'ts' : 'js'), import.meta.url).href);
      server = new Worker(fileURLToPath(serverUrl), { workerData: { handle: registry.handle } });
      await new Promise((resolve, reject) => {
        server!.once('message', resolve);
        server!.once('error', reject);
      });
      for (let r = 0; r < R; r++) {
        const ch = new MessageChannel();
        server.postMessage({ port: ch.port1 }, [ch.port1]);
        ports.push(ch.port2);
      }
    }
    const moduleUrl = compiledModuleUrl(new URL('./reader-task.' + (import.meta.url.endsWith('.ts') ? 'ts' : 'js'), import.meta.url).href);
    const tasks = Array.from({ length: R }, (_, r) => {
      const args: ReaderBenchArgs = {
        lo, hi, kinds, venueOf, venueCodes, symbols, isins, hotIds, hotIsins,
        genBase, genCount: generated.length, churn, checks: 8, batch: B, phases, ready, start, seed: seed + r,
        ...(lmdbPath && lmdbKeyIdx ? { lmdbPath, lmdbKeyIdx, lmdbHot: hotIds.length } : {}),
        ...(ports[r] ? { port: ports[r] } : {}),
      };
      return pool.run<ReaderBenchReport>({ op: 'module', module: moduleUrl, fn: 'benchReader', args }, ports[r] ? [ports[r]!] : undefined);
    });
    // Writer: self-checking updates to random generated instruments, paced every 5 ms.
    if (W > 0 && generated.length > 0) {
      const wr = mulberry32(seed ^ 0x1234567);
      const t0 = Date.now();
      writer = setInterval(() => {
        const due = Math.floor(((Date.now() - t0) / 1000) * W);
        while (writes < due) {
          const g = writes & 1 ? Math.floor(wr() * churn) : Math.floor(wr() * generated.length);
          registry!.updateInstrument(generated[g]!.id, benchPatch(g, ++version[g]!));
          writes++;
        }
      }, 5);
    }
    while (Atomics.load(ready, 0) < R) await new Promise((r) => setTimeout(r, 5));
    log(`measuring ${durationSec}s (${phases.length}${base.piscinaTask ? ' + 1' : ''} phases of ~${(unitNs / 1e9).toFixed(2)}s)`);
    Atomics.store(start, 0, process.hrtime.bigint() + 20_000_000n);
    const reports = await Promise.all(tasks);

    // 5. One piscina task per lookup, from the main thread (readers idle).
    let piscinaTask = zeroStats();
    const curves: Record<string, Array<[number, number]>> = {};
    if (base.piscinaTask) {
      const h = newHistogram();
      const end = Date.now() + unitNs / 1e6;
      let ops = 0;
      let timed = 0;
      let x = seed | 1;
      for (let w = 0; w < 50; w++) await pool.run({ op: 'idHalves', lo: lo[hotIds[w % K]!]!, hi: hi[hotIds[w % K]!]! });
      while (Date.now() < end) {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        const i = hotIds[(x >>> 0) % hotIds.length]!;
        const t0 = process.hrtime.bigint();
        await pool.run({ op: 'idHalves', lo: lo[i]!, hi: hi[i]! });
        const dt = Number(process.hrtime.bigint() - t0);
        h.recordValue(Math.max(1, dt));
        timed += dt;
        ops++;
      }
      piscinaTask = statsOf(h, [ops / (timed / 1e9)]);
      if (h.totalCount) curves['piscinaTask.hot'] = curveOf(h);
    }
    if (writer) clearInterval(writer);
    machine.loadAvg1[1] = Math.round(loadavg()[0]! * 100) / 100;

    const torn = reports.reduce((a, r) => a + r.torn, 0);
    const result: BenchResult = {
      schema: 1,
      machine,
      dataset: { instruments: registry.getMetrics().instruments, generated: generated.length, shipped: shipped.length, isins: isins.length, hotSet: hotIds.length },
      readers: R,
      writeRatePerSec: W,
      durationSec,
      results: {
        byId: { hot: mergePhase(reports, 'byId.hot', curves), random: mergePhase(reports, 'byId.random', curves) },
        bySymbol: { hot: mergePhase(reports, 'bySymbol.hot', curves), random: mergePhase(reports, 'bySymbol.random', curves) },
        byIsin: { hot: mergePhase(reports, 'byIsin.hot', curves), random: mergePhase(reports, 'byIsin.random', curves) },
      },
      baselines: { map: mergePhase(reports, 'map.hot', curves), lmdb: mergePhase(reports, 'lmdb.hot', curves), postMessage: mergePhase(reports, 'postMessage.hot', curves), piscinaTask },
      extra: { byIdProbeHot: mergePhase(reports, 'byIdProbe.hot', curves), mapRandom: mergePhase(reports, 'map.random', curves), lmdbRandom: mergePhase(reports, 'lmdb.random', curves) },
      registration: { perSec: Math.round(regPerSec), instruments: regCount, lmdbPutsPerSec: Math.round(lmdbPutsPerSec) },
      tornReads: torn,
      checks: {
        verifiedReads: reports.reduce((a, r) => a + r.checks, 0),
        misses: reports.reduce((a, r) => a + r.misses, 0),
        seqlockRetries: reports.reduce((a, r) => a + r.retries, 0),
        writes,
        firstError: reports.find((r) => r.firstError)?.firstError ?? null,
        ...(lmdbError ?? reports.find((r) => r.lmdbError)?.lmdbError ? { lmdbError: lmdbError ?? reports.find((r) => r.lmdbError)!.lmdbError! } : {}),
      },
      batch: B,
      startedAt,
      curves,
      notes: [
        ...notes,
        `lookup = find + read kind (instreg: first-cache-line copy under the seqlock); batched ${B} ops per timer pair for instreg and Map (percentiles over batch means); lmdb, postMessage and piscinaTask timed per op`,
        'Map baseline: thread-local Map<bigint id, frozen {id, kind, venue, symbol}>, keys prebuilt (same access pattern as byId)',
        `postMessage: ${R} reader(s) each with a MessagePort to one registry thread, one lookup per round trip; piscinaTask: main thread, one pool task per lookup, one in flight`,
      ],
    };
    return result;
  } finally {
    if (writer) clearInterval(writer);
    await pool.close();
    if (server) await server.terminate();
    if (lmdbPath) rmSync(lmdbPath, { recursive: true, force: true });
  }
}

export { KIND_NAMES as BENCH_KIND_NAMES };
