/**
 * The reader side of the latency bench: a {@link ReaderPool} `module` task
 * (`fn: 'benchReader'`) run once per reader worker. It uses the worker's reader (attached once,
 * at worker start), builds its thread-local baselines (a `Map`, an lmdb-js read-only env), tells
 * the main thread it is ready, and then runs the phases in lock-step with the other readers
 * (phase windows are absolute `process.hrtime` times: one monotonic clock for every thread).
 *
 * Timing:
 * - Sub-µs operations (instreg, `Map`) run in batches of `batch` lookups timed with two
 *   `process.hrtime.bigint()` calls; each op of the batch is recorded as batch ns / batch into an
 *   HDR histogram (so percentiles are over batch means, and the timer does not dominate).
 * - µs-scale operations (lmdb-js `get`, postMessage round trip) are timed one by one.
 *
 * One "lookup" = find the record and read its kind (instreg: `getByIdHalves` / `getBySymbolIndex`
 * / `getByIsin`, then `view.kind`, which copies the record's first cache line under the seqlock;
 * `Map`: `map.get(bigintId).kind`; lmdb: `get(key)` then the kind byte of the returned copy).
 * `byIdProbe` is the key probe alone (`getByIdHalves`, no record copy).
 *
 * Torn-read check: after every timed batch of an instreg phase the reader verifies `checks`
 * self-checking generated records (untimed), half of them from the writer's churn set.
 *
 * The reader never writes registry shared memory: `ready` and `start` are harness SABs.
 *
 * @module
 */
import type { MessagePort } from 'node:worker_threads';
import * as hdr from 'hdr-histogram-js';
import { KIND_CODES } from '../../layout/index.js';
import type { ReaderTaskContext } from '../reader/pool.js';
import type { RegistryReader } from '../reader/reader.js';
import { InstrumentView } from '../reader/view.js';
import { checkVersion } from './dataset.js';

/** Phases a reader runs. `.hot` = uniform over the hot set, `.random` = uniform over all keys. */
export const READER_PHASES = [
  'byId.hot',
  'byId.random',
  'bySymbol.hot',
  'bySymbol.random',
  'byIsin.hot',
  'byIsin.random',
  'byIdProbe.hot',
  'map.hot',
  'map.random',
  'lmdb.hot',
  'lmdb.random',
  'postMessage.hot',
] as const;
/** A reader phase name. */
export type ReaderPhase = (typeof READER_PHASES)[number];

/** One phase window, relative to the start time (ns). */
export interface PhaseWindow {
  name: ReaderPhase;
  offsetNs: number;
  durationNs: number;
}

/** Arguments of {@link benchReader} (structured-cloned into each worker). */
export interface ReaderBenchArgs {
  /** Id halves of every instrument (harness SABs, read-only here). */
  lo: Uint32Array;
  hi: Uint32Array;
  /** Kind code per instrument (for the Map baseline's values). */
  kinds: Uint8Array;
  /** Venue number per instrument (index into `venueCodes`). */
  venueOf: Uint32Array;
  venueCodes: string[];
  symbols: string[];
  /** Distinct ISINs of instruments that have one. */
  isins: string[];
  /** Hot set: instrument indexes, and ISIN indexes. */
  hotIds: Uint32Array;
  hotIsins: Uint32Array;
  /** Generated (self-checking) instruments are indexes genBase..genBase+genCount-1; the first `churn` are the writer's churn set. */
  genBase: number;
  genCount: number;
  churn: number;
  /** Untimed torn-read checks after each timed batch. */
  checks: number;
  batch: number;
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
  torn: number;
  checks: number;
  misses: number;
  firstError: string | null;
  retries: number;
  lmdbError?: string;
  sink: number;
}

/** New HDR histogram for ns values (pure JS build). */
export function newHistogram(): hdr.Histogram {
  return hdr.build({ useWebAssembly: false, lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: 3 });
}

const KIND_NAMES: string[] = [];
for (const [k, v] of Object.entries(KIND_CODES)) KIND_NAMES[v] = k;

interface State {
  reader: RegistryReader;
  a: ReaderBenchArgs;
  view: InstrumentView;
  checkView: InstrumentView;
  venueIdx: Int32Array;
  x: number;
  torn: number;
  checks: number;
  misses: number;
  firstError: string | null;
  sink: number;
}

function now(): number {
  return Number(process.hrtime.bigint());
}

/** Untimed torn-read checks on generated records (id lookups; symbol verified too). */
function verify(s: State): void {
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
    const v = s.reader.getByIdHalves(a.lo[i]!, a.hi[i]!, s.checkView);
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

type BatchBody = (s: State, hot: boolean, n: number) => void;

// Each body runs `n` lookups; written out per key type so each call site stays monomorphic.
const bodies: Record<'byId' | 'byIdProbe' | 'bySymbol' | 'byIsin', BatchBody> = {
  byId(s, hot, n) {
    const { lo, hi, hotIds } = s.a;
    const reader = s.reader;
    const view = s.view;
    const N = lo.length;
    const K = hotIds.length;
    let x = s.x;
    let sink = 0;
    for (let k = 0; k < n; k++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      const i = hot ? hotIds[(x >>> 0) % K]! : (x >>> 0) % N;
      const v = reader.getByIdHalves(lo[i]!, hi[i]!, view);
      if (v === undefined) s.misses++;
      else sink += v.kind.length;
    }
    s.x = x;
    s.sink += sink;
  },
  byIdProbe(s, hot, n) {
    const { lo, hi, hotIds } = s.a;
    const reader = s.reader;
    const view = s.view;
    const N = lo.length;
    const K = hotIds.length;
    let x = s.x;
    let sink = 0;
    for (let k = 0; k < n; k++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      const i = hot ? hotIds[(x >>> 0) % K]! : (x >>> 0) % N;
      const v = reader.getByIdHalves(lo[i]!, hi[i]!, view);
      if (v === undefined) s.misses++;
      else sink += v.slot;
    }
    s.x = x;
    s.sink += sink;
  },
  bySymbol(s, hot, n) {
    const { symbols, venueOf, hotIds } = s.a;
    const venueIdx = s.venueIdx;
    const reader = s.reader;
    const view = s.view;
    const N = symbols.length;
    const K = hotIds.length;
    let x = s.x;
    let sink = 0;
    for (let k = 0; k < n; k++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      const i = hot ? hotIds[(x >>> 0) % K]! : (x >>> 0) % N;
      const v = reader.getBySymbolIndex(venueIdx[venueOf[i]!]!, symbols[i]!, view);
      if (v === undefined) s.misses++;
      else sink += v.kind.length;
    }
    s.x = x;
    s.sink += sink;
  },
  byIsin(s, hot, n) {
    const { isins, hotIsins } = s.a;
    const reader = s.reader;
    const N = isins.length;
    const K = hotIsins.length;
    let x = s.x;
    let sink = 0;
    for (let k = 0; k < n; k++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      const i = hot ? hotIsins[(x >>> 0) % K]! : (x >>> 0) % N;
      const found = reader.getByIsin(isins[i]!);
      if (found.length === 0) s.misses++;
      else sink += found[0]!.kind.length;
    }
    s.x = x;
    s.sink += sink;
  },
};

interface MapValue {
  readonly id: bigint;
  readonly kind: string;
  readonly venue: string;
  readonly symbol: string;
}

function mapBody(s: State, map: Map<bigint, MapValue>, keys: bigint[], hot: boolean, n: number): void {
  const hotIds = s.a.hotIds;
  const N = keys.length;
  const K = hotIds.length;
  let x = s.x;
  let sink = 0;
  for (let k = 0; k < n; k++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const i = hot ? hotIds[(x >>> 0) % K]! : (x >>> 0) % N;
    const v = map.get(keys[i]!);
    if (v === undefined) s.misses++;
    else sink += v.kind.length;
  }
  s.x = x;
  s.sink += sink;
}

function waitUntil(t: number): void {
  const cell = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    const d = t - now();
    if (d <= 0) return;
    if (d > 2_000_000) Atomics.wait(cell, 0, 0, (d - 1_000_000) / 1e6);
  }
}

/** Batched phase: time `batch` ops at a time until the window closes. */
function runBatched(s: State, hist: hdr.Histogram, end: number, run: (n: number) => void, check: boolean): PhaseReport {
  const B = s.a.batch;
  let ops = 0;
  let timedNs = 0;
  run(Math.min(B, 200)); // warm the call site (not recorded)
  while (now() < end) {
    const t0 = process.hrtime.bigint();
    run(B);
    const dt = Number(process.hrtime.bigint() - t0);
    timedNs += dt;
    ops += B;
    hist.recordValueWithCount(Math.max(1, Math.round(dt / B)), B);
    if (check) verify(s);
  }
  return { hist: hdr.encodeIntoCompressedBase64(hist), ops, timedNs };
}

/** Per-op phase: time every op individually until the window closes. */
async function runPerOp(s: State, hist: hdr.Histogram, end: number, op: (i: number) => unknown, hot: number, keys: number): Promise<PhaseReport> {
  let ops = 0;
  let timedNs = 0;
  let x = s.x;
  for (let w = 0; w < 50; w++) await op(w % Math.max(1, hot)); // warm-up
  while (now() < end) {
    for (let k = 0; k < 64; k++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      const i = (x >>> 0) % keys;
      const t0 = process.hrtime.bigint();
      const r = op(i);
      if (r instanceof Promise) await r;
      const dt = Number(process.hrtime.bigint() - t0);
      timedNs += dt;
      ops++;
      hist.recordValue(Math.max(1, dt));
    }
  }
  s.x = x;
  return { hist: hdr.encodeIntoCompressedBase64(hist), ops, timedNs };
}

/**
 * Reader bench task (see module doc). Runs in a reader-pool worker.
 * @returns per-phase HDR histograms (ns/op), op counts and timed ns, torn-read counts.
 */
export async function benchReader(ctx: ReaderTaskContext, a: ReaderBenchArgs): Promise<ReaderBenchReport> {
  const reader = ctx.reader;
  const venueIdx = Int32Array.from(a.venueCodes, (c) => reader.venueIndex(c));
  const s: State = {
    reader,
    a,
    view: new InstrumentView(reader),
    checkView: new InstrumentView(reader),
    venueIdx,
    x: (a.seed ^ Math.imul(ctx.threadId + 1, 0x9e3779b1)) | 1,
    torn: 0,
    checks: 0,
    misses: 0,
    firstError: null,
    sink: 0,
  };
  const want = new Set(a.phases.map((p) => p.name.split('.')[0]));
  // Thread-local Map baseline: Map<bigint id, small frozen object>; keys prebuilt (no BigInt per lookup).
  let keys: bigint[] = [];
  const map = new Map<bigint, MapValue>();
  if (want.has('map')) {
    keys = new Array<bigint>(a.lo.length);
    for (let i = 0; i < a.lo.length; i++) {
      const id = (BigInt(a.hi[i]!) << 32n) | BigInt(a.lo[i]!);
      keys[i] = id;
      map.set(id, Object.freeze({ id, kind: KIND_NAMES[a.kinds[i]!]!, venue: a.venueCodes[a.venueOf[i]!]!, symbol: a.symbols[i]! }));
    }
  }
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
        const v = db.get(lk[i]!);
        return v ? v[0]! : -1;
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
    for (const k of ['byId', 'byIdProbe', 'bySymbol'] as const) if (want.has(k)) bodies[k](s, rep & 1 ? true : false, 1000);
    if (want.has('byIsin') && a.isins.length) bodies.byIsin(s, true, 50);
    if (want.has('map')) mapBody(s, map, keys, rep & 1 ? true : false, 1000);
    if (a.genCount) verify(s);
  }
  Atomics.add(a.ready, 0, 1);
  Atomics.notify(a.ready, 0);
  while (Atomics.load(a.start, 0) === 0n) await new Promise((r) => setTimeout(r, 1));
  const t0 = Number(Atomics.load(a.start, 0));

  const phases: Partial<Record<ReaderPhase, PhaseReport>> = {};
  for (const p of a.phases) {
    const begin = t0 + p.offsetNs;
    const end = begin + p.durationNs;
    waitUntil(begin);
    const hist = newHistogram();
    const [kind, pattern] = p.name.split('.') as [string, 'hot' | 'random'];
    const hot = pattern === 'hot';
    if (kind === 'map') {
      phases[p.name] = runBatched(s, hist, end, (n) => mapBody(s, map, keys, hot, n), false);
    } else if (kind === 'lmdb') {
      if (!lmdbGet) continue;
      const nHot = a.lmdbHot ?? 0;
      const get = lmdbGet;
      phases[p.name] = hot ? await runPerOp(s, hist, end, get, nHot, nHot) : await runPerOp(s, hist, end, (i) => get(nHot + i), 1, a.lmdbKeyIdx!.length - nHot);
    } else if (kind === 'postMessage') {
      if (!port) continue;
      phases[p.name] = await runPerOp(s, hist, end, rpc, a.hotIds.length, a.hotIds.length);
    } else {
      const body = bodies[kind as keyof typeof bodies];
      phases[p.name] = runBatched(s, hist, end, (n) => body(s, hot, n), true);
    }
  }
  port?.close();
  await lmdbClose?.();
  return {
    threadId: ctx.threadId,
    phases,
    torn: s.torn,
    checks: s.checks,
    misses: s.misses,
    firstError: s.firstError,
    retries: reader.retries,
    ...(lmdbError ? { lmdbError } : {}),
    sink: s.sink,
  };
}
