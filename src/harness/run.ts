/**
 * The instreg latency benchmark: lookups from reader workers (a {@link ReaderPool}, attached once)
 * against a registry the writer keeps updating, side by side in one run with the references of
 * DESIGN §5: the **floor** (a minimal correct seqlock lookup written against the layout) and
 * **raw** rows (`floor.ts`), thread-local `Map<number>`, `Map<bigint>` and `Map<string>` over the
 * same population (`streams.ts`), lmdb-js `get`, a postMessage round trip to a registry thread,
 * one piscina task per lookup; plus the writer's registration throughput and a torn-read count.
 *
 * Timeline of {@link runBench}:
 * 1. Registry: the given one, a restored snapshot, or a fresh one loaded with the shipped data.
 * 2. `instruments` extra instruments generated deterministically ({@link generateInstruments}),
 *    registered with `registerInstrument` (registration throughput measured here).
 * 3. lmdb env in a temp dir with id → 128-byte record image for every instrument.
 * 4. `readers` pool workers (default cores − 1, so the writer does not preempt them) run
 *    `benchReader` in lock-step phase windows while the main thread writes `writeRatePerSec`
 *    self-checking updates per second to random generated instruments (half of them to a
 *    64-record churn set the readers verify constantly). The windows cycle through every
 *    scenario round-robin, `rounds` times.
 * 5. The piscina-task baseline: the main thread submits one pool task per lookup.
 *
 * `durationSec` is the total of the measured windows (setup not included); it is split evenly
 * over the scenarios (lmdb scenarios get half a share each) and each share over the rounds.
 *
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker, MessageChannel } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { dataDir } from '../config.js';
import { compiledModuleUrl, createReaderPool, type ReaderPool } from '../reader/pool.js';
import { InstrumentView } from '../reader/view.js';
import type { RegistryHandle } from '../shm/handle.js';
import { InstrumentRegistry } from '../writer/registry.js';
import { benchPatch, generateInstruments, mulberry32 } from './dataset.js';
import { defaultReaders } from './defaults.js';
import { loadHotApi } from './hot-api.js';
import { planPhases } from './phases.js';
import { buildPopulation, sample } from './population.js';
import { curveOf, machineInfo, mergeHotRandom, mergePhase, statsOf, zeroStats, type BenchResult, type HotRandom } from './result.js';
import { newHistogram, type BenchMode, type ReaderBenchArgs } from './reader-task.js';

export type { BenchResult, HotRandom, LatencyStats, MachineInfo } from './result.js';
export type { BenchMode } from './reader-task.js';

/** Options of {@link runBench}. */
export interface BenchOptions {
  /** Extra generated instruments on top of the registry's own (default 0). */
  instruments?: number;
  /** Reader worker threads (default: cores − 1, at least 1). */
  readers?: number;
  /** Updates per second the writer performs during the run (default 1000; 0 = none). */
  writeRatePerSec?: number;
  /** Total length of the measured windows, s (default 20). */
  durationSec?: number;
  /** Round-robin rounds over the scenarios (default 3). */
  rounds?: number;
  /** `throughput` (default): independent lookups; `latency`: each key depends on the previous result. */
  mode?: BenchMode;
  /** Hot-set size, instruments (default 4096). */
  hotSet?: number;
  /** Lookups per timed batch (default 1000). */
  batch?: number;
  /** PRNG seed for the dataset and access patterns (default 42). */
  seed?: number;
  /** Baselines to run (default: all). `map` covers every Map baseline. */
  baselines?: { map?: boolean; lmdb?: boolean; postMessage?: boolean; piscinaTask?: boolean };
  /** Measure `byIdProbe` (view-API key probe only, extra result) (default true). */
  probe?: boolean;
  /** Use this (already loaded) registry instead of loading the shipped data. It is only read unless `instruments` > 0. */
  registry?: InstrumentRegistry;
  /** Restore the registry from a snapshot file (needs `src/snapshot/`). */
  snapshot?: string;
  /** Data directory for the shipped payloads (default `dataDir()`). */
  dataDir?: string;
  /** User mapping folders loaded next to the shipped ones (default: `INSTREG_MAPPINGS_DIR`'s). */
  mappingsDirs?: readonly string[];
  /** Progress messages. */
  log?: (msg: string) => void;
}

export { defaultReaders };

/** Smallest power of two ≥ n. */
function pow2AtLeast(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
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
  const R = Math.max(1, Math.floor(opts.readers ?? defaultReaders()));
  const W = Math.max(0, opts.writeRatePerSec ?? 1000);
  const durationSec = Math.max(0.1, opts.durationSec ?? 20);
  const rounds = Math.max(1, Math.floor(opts.rounds ?? 3));
  const mode: BenchMode = opts.mode ?? 'throughput';
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
    const { loadDirectory, loadMappings } = await import('../discovery/index.js');
    await loadDirectory(dir, registry, opts.mappingsDirs ? { mappings: await loadMappings(undefined, opts.mappingsDirs) } : {});
  }
  const mainReader = registry.reader();
  const shipped = mainReader.all().map((v) => {
    const kind = v.kind;
    const isin = kind === 'stock' || kind === 'etf' ? (v.detail.isin as string | undefined) : undefined;
    return { id: v.id, kind, venue: v.venue, symbol: v.symbol, ...(isin ? { isin } : {}) };
  });
  const hotApi = (await loadHotApi(mainReader)) !== undefined;
  if (!hotApi)
    notes.push(
      'this build has no reader hot API (readById, prepareSymbolKey, …): results.byId/bySymbol/byIsin hold the view-API figures; bySymbolKey not measured',
    );

  // 2. Generated instruments (registration throughput).
  let regPerSec: number;
  let regCount: number;
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

  // Population arrays (harness SABs where numeric) and hot sets.
  const rnd = mulberry32(seed ^ 0x5bd1e995);
  const pop = buildPopulation([...shipped, ...generated], K, rnd);
  const { lo, hi, isins, hotIds } = pop;
  const n = lo.length;
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

  // Phase windows: every scenario once per round, round-robin, `rounds` rounds.
  const { phases, unitNs, scenarios } = planPhases({
    durationSec,
    rounds,
    hotApi,
    maps: base.map,
    isins: isins.length > 0,
    probe: opts.probe !== false,
    lmdb: lmdbPath !== undefined,
    postMessage: base.postMessage,
    piscinaTask: base.piscinaTask,
  });

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
  const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
  try {
    await pool.ready();
    const ports: Array<import('node:worker_threads').MessagePort | undefined> = [];
    if (base.postMessage) {
      const serverUrl = compiledModuleUrl(new URL(`../../workers/registry-server.${ext}`, import.meta.url).href);
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
    const moduleUrl = compiledModuleUrl(new URL(`./reader-task.${ext}`, import.meta.url).href);
    // Streams: hot 2^16 accesses; random up to 2^20 (4× the population, so a pass does not fit in cache at 1 M).
    const streamLength = { hot: 1 << 16, random: Math.min(1 << 20, pow2AtLeast(4 * n)) };
    log(`readers: building key streams (${streamLength.hot} hot, ${streamLength.random} random accesses) and Map baselines over ${n} instruments`);
    const tasks = Array.from({ length: R }, (_, r) => {
      const args: ReaderBenchArgs = {
        ...pop,
        genBase,
        genCount: generated.length,
        churn,
        checks: 8,
        batch: B,
        mode,
        streamLength,
        phases,
        ready,
        start,
        seed: seed + r,
        ...(lmdbPath && lmdbKeyIdx ? { lmdbPath, lmdbKeyIdx, lmdbHot: hotIds.length } : {}),
        ...(ports[r] ? { port: ports[r] } : {}),
      };
      return pool.run<import('./reader-task.js').ReaderBenchReport>(
        { op: 'module', module: moduleUrl, fn: 'benchReader', args },
        ports[r] ? [ports[r]!] : undefined,
      );
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
    log(
      `measuring ${durationSec}s in ${mode} mode: ${scenarios} scenarios × ${rounds} rounds${base.piscinaTask ? ' + piscina' : ''} (windows of ~${(unitNs / rounds / 1e9).toFixed(2)}s)`,
    );
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

    const hr = (s: string): HotRandom => mergeHotRandom(reports, s, curves);
    const view = { byId: hr('byIdView'), bySymbol: hr('bySymbolView'), byIsin: hr('byIsinView') };
    const fast = hotApi ? { byId: hr('byId'), bySymbol: hr('bySymbol'), byIsin: hr('byIsin') } : view;
    const mapBigint = hr('mapBigint');
    const lmdbRandom = mergePhase(reports, 'lmdb.random', curves);
    const torn = reports.reduce((a, r) => a + r.torn, 0);
    const firstLmdbError = lmdbError ?? reports.find((r) => r.lmdbError)?.lmdbError;
    const result: BenchResult = {
      schema: 1,
      mode,
      hotApi,
      machine,
      dataset: {
        instruments: registry.getMetrics().instruments,
        generated: generated.length,
        shipped: shipped.length,
        isins: isins.length,
        hotSet: hotIds.length,
      },
      readers: R,
      writeRatePerSec: W,
      durationSec,
      rounds,
      results: {
        ...fast,
        bySymbolKey: hr('bySymbolKey'),
        byIdView: view.byId,
        bySymbolView: view.bySymbol,
        byIsinView: view.byIsin,
      },
      baselines: {
        map: mapBigint.hot,
        lmdb: mergePhase(reports, 'lmdb.hot', curves),
        postMessage: mergePhase(reports, 'postMessage.hot', curves),
        piscinaTask,
        floor: hr('floor'),
        raw: hr('raw'),
        mapNumber: hr('mapNumber'),
        mapBigint,
        mapString: hr('mapString'),
        mapStringIsin: hr('mapStringIsin'),
      },
      extra: { byIdProbeHot: mergePhase(reports, 'byIdProbe.hot', curves), mapRandom: mapBigint.random, lmdbRandom },
      registration: { perSec: Math.round(regPerSec), instruments: regCount, lmdbPutsPerSec: Math.round(lmdbPutsPerSec) },
      tornReads: torn,
      checks: {
        verifiedReads: reports.reduce((a, r) => a + r.checks, 0),
        misses: reports.reduce((a, r) => a + r.misses, 0),
        lookupMisses: reports.reduce((a, r) => a + r.lookupMisses, 0),
        seqlockRetries: reports.reduce((a, r) => a + r.retries, 0),
        floorRetries: reports.reduce((a, r) => a + r.floorRetries, 0),
        writes,
        firstError: reports.find((r) => r.firstError)?.firstError ?? null,
        ...(firstLmdbError ? { lmdbError: firstLmdbError } : {}),
      },
      batch: B,
      startedAt,
      curves,
      notes: [
        ...notes,
        `lookup = find + read one field (the kind code); ${mode} mode${mode === 'latency' ? ' (each key depends on the previous result: no two lookups overlap)' : ' (independent lookups)'}; batched ${B} ops per timer pair for instreg, floor, raw and Map (percentiles over batch means); lmdb, postMessage and piscinaTask timed per op`,
        `keys walked sequentially from one per-reader stream per pattern, in access order; ${rounds} round-robin rounds; the same untimed verification after every batch of every scenario`,
        'Map baselines: thread-local, same population as the table; Map<number> key = instrument index (a Smi), Map<bigint> = 64-bit id, Map<string> = "VENUE:SYMBOL" / ISIN (query strings are copies with their hash cached)',
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
