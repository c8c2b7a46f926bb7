/**
 * The reader side of the bench: a {@link ReaderPool} `module` task (`fn: 'benchReader'`) run
 * once per reader worker. It uses the worker's reader (attached once, at worker start), builds
 * its floor/raw table view ({@link FloorTable}), its key streams and thread-local `Map`
 * baselines (`streams.ts`), an lmdb-js read-only env, tells the main thread it is ready, and
 * then runs the phase windows in lock-step with the other readers (windows are absolute
 * `process.hrtime` times: one monotonic clock for every thread). The main thread interleaves
 * the scenarios round-robin and repeats the round, so every scenario is measured in every part
 * of the run; a scenario's windows accumulate into one histogram.
 *
 * Timing:
 * - Sub-µs scenarios (`bodies.ts`) run in batches of `batch` lookups timed with two
 *   `process.hrtime.bigint()` calls; each op of the batch is recorded as batch ns / batch into
 *   an HDR histogram (percentiles are over batch means; the timer does not dominate).
 * - µs-scale scenarios (lmdb-js `get`, postMessage round trip) are timed one by one.
 *
 * Verification (untimed, the same for every scenario, Maps included): after every timed batch
 * (per-op scenarios: every 64 ops) the reader verifies `checks` self-checking generated records
 * through the view API, half of them from the writer's churn set; a torn record is counted.
 *
 * The reader never writes registry shared memory: `ready` and `start` are harness SABs.
 *
 * @module
 */
import type { MessagePort } from 'node:worker_threads';
import * as hdr from 'hdr-histogram-js';
import type { ReaderTaskContext } from '../reader/pool.js';
import { InstrumentView } from '../reader/view.js';
import { BODIES, HOT_API_SCENARIOS, MAP_SCENARIOS, type BatchedScenario, type BodyState } from './bodies.js';
import { checkVersion, mulberry32 } from './dataset.js';
import { FloorTable } from './floor.js';
import { loadHotApi } from './hot-api.js';
import type { Population } from './population.js';
import { buildMaps, buildStream, type Pattern, type Stream } from './streams.js';

/** Every scenario: the batched ones of `bodies.ts`, and the per-op lmdb and postMessage baselines. */
export type Scenario = BatchedScenario | 'lmdb' | 'postMessage';
/** A reader phase: scenario + access pattern (`hot` = uniform over the hot set, `random` = over all keys). */
export type ReaderPhase = `${Scenario}.${Pattern}`;
/** Lookup mode: independent lookups (batch means) or each key dependent on the previous result. */
export type BenchMode = 'throughput' | 'latency';

/** One phase window, relative to the start time (ns). A phase may have several windows (rounds). */
export interface PhaseWindow {
  name: ReaderPhase;
  offsetNs: number;
  durationNs: number;
}

/** Arguments of {@link benchReader} (structured-cloned into each worker; the population arrays are harness SABs, read-only here). */
export interface ReaderBenchArgs extends Population {
  /** Generated (self-checking) instruments are indexes genBase..genBase+genCount-1; the first `churn` are the writer's churn set. */
  genBase: number;
  genCount: number;
  churn: number;
  /** Untimed torn-read checks after each timed batch. */
  checks: number;
  batch: number;
  mode: BenchMode;
  /** Accesses per stream (powers of two). */
  streamLength: Record<Pattern, number>;
  phases: PhaseWindow[];
  /** Harness SABs: ready counter (Int32 [0]) and start time (BigInt64 [0], hrtime ns). */
  ready: Int32Array;
  start: BigInt64Array;
  seed: number;
  /** lmdb env path (read-only here), and the instrument indexes with prebuilt keys (hot set first, then a random sample). */
  lmdbPath?: string;
  lmdbKeyIdx?: Uint32Array;
  lmdbHot?: number;
  /** Port to the registry thread for the postMessage baseline. */
  port?: MessagePort;
}

/** What one reader reports per phase. */
export interface PhaseReport {
  /** HDR histogram of per-op ns (compressed base64). */
  hist: string;
  ops: number;
  /** ns spent inside timed sections. */
  timedNs: number;
}

/** What {@link benchReader} returns. */
export interface ReaderBenchReport {
  threadId: number;
  phases: Partial<Record<ReaderPhase, PhaseReport>>;
  /** Whether this reader had the hot API (`hot-api.ts`). */
  hotApi: boolean;
  torn: number;
  checks: number;
  /** Verification misses (a generated record not found). */
  misses: number;
  /** Lookups in timed batches that found nothing (every key is in the table: should be 0). */
  lookupMisses: number;
  firstError: string | null;
  retries: number;
  floorRetries: number;
  lmdbError?: string;
  sink: number;
}

/** New HDR histogram for ns values (pure JS build). */
export function newHistogram(): hdr.Histogram {
  return hdr.build({ useWebAssembly: false, lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: 3 });
}

interface Verifier {
  a: ReaderBenchArgs;
  reader: ReaderTaskContext['reader'];
  view: InstrumentView;
  x: number;
  torn: number;
  checks: number;
  misses: number;
  firstError: string | null;
}

function now(): number {
  return Number(process.hrtime.bigint());
}

/** Untimed torn-read checks on generated records (id lookups; symbol verified too). */
function verify(s: Verifier): void {
  const a = s.a;
  if (a.genCount === 0) return;
  for (let k = 0; k < a.checks; k++) {
    let x = s.x;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    s.x = x;
    const u = x >>> 0;
    const g = k & 1 ? u % a.churn : u % a.genCount;
    const i = a.genBase + g;
    const v = s.reader.getByIdHalves(a.lo[i]!, a.hi[i]!, s.view);
    s.checks++;
    if (!v) {
      s.misses++;
      s.firstError ??= `miss on generated instrument ${g}`;
      continue;
    }
    const err = v.symbol !== a.symbols[i] ? `symbol ${v.symbol} ≠ ${a.symbols[i]}` : checkVersion(v, g);
    if (err) {
      s.torn++;
      s.firstError ??= err;
    }
  }
}

function waitUntil(t: number): void {
  const cell = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    const d = t - now();
    if (d <= 0) return;
    if (d > 2_000_000) Atomics.wait(cell, 0, 0, (d - 1_000_000) / 1e6);
  }
}

/**
 * Batched window: time `batch` ops at a time until `end`, verifying after each batch. At least one
 * batch runs even if the reader reaches the window late (a preempted reader still measures it).
 */
function runBatched(v: Verifier, hist: hdr.Histogram, end: number, B: number, run: (n: number) => void, acc: PhaseReport): void {
  do {
    const t0 = process.hrtime.bigint();
    run(B);
    const dt = Number(process.hrtime.bigint() - t0);
    acc.timedNs += dt;
    acc.ops += B;
    hist.recordValueWithCount(Math.max(1, Math.round(dt / B)), B);
    verify(v);
  } while (now() < end);
}

/** Per-op window: time every op individually until `end` (at least 64 ops), verifying after every 64 ops. */
async function runPerOp(
  v: Verifier,
  hist: hdr.Histogram,
  end: number,
  op: (i: number) => unknown,
  keys: number,
  rnd: () => number,
  acc: PhaseReport,
): Promise<void> {
  do {
    for (let k = 0; k < 64; k++) {
      const i = Math.floor(rnd() * keys);
      const t0 = process.hrtime.bigint();
      const r = op(i);
      if (r instanceof Promise) await r;
      const dt = Number(process.hrtime.bigint() - t0);
      acc.timedNs += dt;
      acc.ops++;
      hist.recordValue(Math.max(1, dt));
    }
    verify(v);
  } while (now() < end);
}

/**
 * Reader bench task (see module doc). Runs in a reader-pool worker.
 * @returns per-phase HDR histograms (ns/op), op counts and timed ns, torn-read counts.
 */
export async function benchReader(ctx: ReaderTaskContext, a: ReaderBenchArgs): Promise<ReaderBenchReport> {
  const reader = ctx.reader;
  const rnd = mulberry32(a.seed ^ Math.imul(ctx.threadId + 1, 0x9e3779b1));
  const venueIdx = Int32Array.from(a.venueCodes, (c) => reader.venueIndex(c));
  const want = new Set(a.phases.map((p) => p.name.split('.')[0] as Scenario));
  const hot = [...want].some((k) => (HOT_API_SCENARIOS as readonly string[]).includes(k)) ? await loadHotApi(reader) : undefined;
  const maps = [...want].some((k) => (MAP_SCENARIOS as readonly string[]).includes(k)) ? buildMaps(a) : undefined;
  const streams: Record<Pattern, Stream> = {
    hot: buildStream(a, 'hot', a.streamLength.hot, rnd, venueIdx, maps, hot),
    random: buildStream(a, 'random', a.streamLength.random, rnd, venueIdx, maps, hot),
  };
  if (maps) {
    // Let V8 cache the hash of every query string (the strictest Map<string> baseline, see streams.ts).
    for (const st of Object.values(streams)) {
      for (const k of st.venueSymbols) maps.bySymbol.get(k);
      for (const k of st.isins) maps.byIsin.get(k);
    }
  }
  const s: BodyState = {
    floor: new FloorTable(ctx.handle),
    reader,
    hot: hot?.reader,
    f: hot?.kindFields(),
    view: new InstrumentView(reader),
    maps,
    slots: new Int32Array(64),
    z: a.batch < 0 ? 1 : 0, // 0, but not a constant the compiler can see
    misses: 0,
    sink: 0,
  };
  const v: Verifier = {
    a,
    reader,
    view: new InstrumentView(reader),
    x: (a.seed ^ Math.imul(ctx.threadId + 7, 0x85ebca6b)) | 1,
    torn: 0,
    checks: 0,
    misses: 0,
    firstError: null,
  };
  const lat = a.mode === 'latency';
  const runnable = (k: Scenario): k is BatchedScenario =>
    k in BODIES &&
    (hot !== undefined || !(HOT_API_SCENARIOS as readonly string[]).includes(k)) &&
    (maps !== undefined || !(MAP_SCENARIOS as readonly string[]).includes(k));

  // lmdb-js read-only env, keys prebuilt as 8-byte buffers (hot set first, then a random sample).
  let lmdbGet: ((i: number) => number) | undefined;
  let lmdbClose: (() => Promise<void>) | undefined;
  let lmdbError: string | undefined;
  if (want.has('lmdb') && a.lmdbPath && a.lmdbKeyIdx) {
    try {
      const { open } = await import('lmdb');
      const db = open<Buffer, Buffer>({ path: a.lmdbPath, readOnly: true, encoding: 'binary', keyEncoding: 'binary', compression: false });
      const lk = Array.from(a.lmdbKeyIdx, (i) => {
        const b = Buffer.alloc(8);
        b.writeUInt32BE(a.hi[i]!, 0);
        b.writeUInt32BE(a.lo[i]!, 4);
        return b;
      });
      lmdbGet = (i) => {
        const r = db.get(lk[i]!);
        return r ? r[0]! : -1;
      };
      lmdbClose = () => db.close();
    } catch (e) {
      lmdbError = (e as Error).message;
    }
  }
  // postMessage round trip to the registry thread: one lookup per message.
  let pending: ((v: unknown) => void) | undefined;
  const port = a.port;
  port?.on('message', (m) => pending?.(m));
  const rpc = (i: number): Promise<unknown> =>
    new Promise((resolve) => {
      pending = resolve;
      const idx = a.hotIds[i]!;
      port!.postMessage([a.lo[idx]!, a.hi[idx]!]);
    });

  // Warm-up (untimed): get every lookup loop optimised before the first window opens.
  for (let rep = 0; rep < 20; rep++) {
    for (const k of want) {
      if (!runnable(k)) continue;
      const st = streams[rep & 1 ? 'hot' : 'random'];
      BODIES[k](s, st, k.startsWith('byIsin') || k === 'mapStringIsin' ? 100 : 1000, rep % 4 < 2);
    }
    verify(v);
  }
  if (lmdbGet) for (let w = 0; w < 50; w++) lmdbGet(w % Math.max(1, a.lmdbHot ?? 1));
  if (port) for (let w = 0; w < 50; w++) await rpc(w % a.hotIds.length);
  s.misses = 0;
  Atomics.add(a.ready, 0, 1);
  Atomics.notify(a.ready, 0);
  while (Atomics.load(a.start, 0) === 0n) await new Promise((r) => setTimeout(r, 1));
  const t0 = Number(Atomics.load(a.start, 0));

  const hists = new Map<ReaderPhase, hdr.Histogram>();
  const phases: Partial<Record<ReaderPhase, PhaseReport>> = {};
  for (const p of a.phases) {
    const begin = t0 + p.offsetNs;
    const end = begin + p.durationNs;
    const [kind, pattern] = p.name.split('.') as [Scenario, Pattern];
    if (kind === 'lmdb' ? !lmdbGet : kind === 'postMessage' ? !port : !runnable(kind)) continue;
    waitUntil(begin);
    let hist = hists.get(p.name);
    if (!hist) hists.set(p.name, (hist = newHistogram()));
    const acc = (phases[p.name] ??= { hist: '', ops: 0, timedNs: 0 });
    if (kind === 'lmdb') {
      const nHot = a.lmdbHot ?? 0;
      const get = lmdbGet!;
      if (pattern === 'hot') await runPerOp(v, hist, end, get, nHot, rnd, acc);
      else await runPerOp(v, hist, end, (i) => get(nHot + i), a.lmdbKeyIdx!.length - nHot, rnd, acc);
    } else if (kind === 'postMessage') {
      await runPerOp(v, hist, end, rpc, a.hotIds.length, rnd, acc);
    } else {
      const body = BODIES[kind];
      const st = streams[pattern];
      runBatched(v, hist, end, a.batch, (n) => body(s, st, n, lat), acc);
    }
  }
  for (const [name, h] of hists) phases[name]!.hist = hdr.encodeIntoCompressedBase64(h);
  port?.close();
  await lmdbClose?.();
  return {
    threadId: ctx.threadId,
    phases,
    hotApi: hot !== undefined,
    torn: v.torn,
    checks: v.checks,
    misses: v.misses,
    lookupMisses: s.misses,
    firstError: v.firstError,
    retries: reader.retries,
    floorRetries: s.floor.retries,
    ...(lmdbError ? { lmdbError } : {}),
    sink: s.sink,
  };
}
