/**
 * {@link createReaderPool}: a piscina pool of reader workers. Every worker attaches ONCE to the
 * registry (the handle travels in `workerData`) and then serves batched lookups from its own
 * {@link RegistryReader}; no worker ever writes registry shared memory.
 *
 * Use it when lookups are requested from code that cannot hold its own reader (request handlers
 * on the main thread, batch jobs). A hot path that can own a reader should attach one directly:
 * a lookup through the pool costs a task round trip (tens of µs), a direct lookup tens of ns.
 *
 * The worker entry is `workers/reader-worker.ts` (compiled to `dist/workers/reader-worker.js`).
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { TransferListItem } from 'node:worker_threads';
import type { Piscina } from 'piscina';

/** piscina's constructor options (piscina does not export the type by name). */
export type PiscinaOptions = NonNullable<ConstructorParameters<typeof Piscina>[0]>;
import { createRequire } from 'node:module';
import { repoRoot } from '../config.js';
import { ConfigError, RegistryError } from '../errors.js';
import { checkHandle } from '../shm/handle.js';
import { checkReaderTask, fromWireError } from './pool-tasks.js';
import type { Instrument } from '../model/types.js';
import type { RegistryHandle } from '../shm/handle.js';

/**
 * piscina options {@link createReaderPool} sets itself (they define what a reader pool is): the worker
 * file, the thread count (`threads`), one task per worker, `workerData` (carries the handle).
 */
export type ReservedPiscinaOption = 'filename' | 'minThreads' | 'maxThreads' | 'concurrentTasksPerWorker' | 'workerData';

/** Most worker threads one reader pool may have. */
export const READER_POOL_MAX_THREADS = 1024;

/** Options of {@link createReaderPool}. */
export interface ReaderPoolOptions {
  /** Worker threads (each with one attached reader), 1..{@link READER_POOL_MAX_THREADS}. Default: available cores. */
  threads?: number;
  /**
   * Further piscina options, passed through unchanged (e.g. `idleTimeout`, `maxQueue`,
   * `resourceLimits`, `env`, `niceIncrement`, `recordTiming`; `name` selects the worker's handler export and breaks the pool). Default `idleTimeout: Infinity`.
   * The options of {@link ReservedPiscinaOption} are not accepted here.
   */
  piscina?: Omit<PiscinaOptions, ReservedPiscinaOption>;
}

/**
 * A task for {@link ReaderPool.run}. Built-in ops, plus `module`: import a compiled ES module in
 * the worker (cached) and call its export `fn(ctx, args)` with the worker's attached reader in
 * `ctx` (see {@link ReaderTaskContext}). The bench uses `module` tasks for its lookup loops.
 */
export type ReaderTask =
  | { op: 'ids'; ids: BigUint64Array }
  | { op: 'symbols'; pairs: ReadonlyArray<readonly [venue: string, symbol: string]> }
  | { op: 'idHalves'; lo: number; hi: number }
  | { op: 'ping' }
  | { op: 'module'; module: string; fn: string; args?: unknown };

/** What a `module` task function receives in the worker. */
export interface ReaderTaskContext {
  /** The worker's reader (attached once at worker start). */
  reader: import('./reader.js').RegistryReader;
  /** The registry handle from `workerData`. */
  handle: RegistryHandle;
  /** Index of this worker thread (`worker_threads.threadId`). */
  threadId: number;
}

/** A pool of reader workers. Create with {@link createReaderPool}. */
export interface ReaderPool {
  /** Worker threads in the pool. */
  readonly threads: number;
  /** Look up instruments by id in one task; `null` where no live instrument has the id. */
  lookupIds(ids: BigUint64Array): Promise<Array<Instrument | null>>;
  /** Look up instruments by `[venue, symbol]` in one task; `null` where none is listed. */
  lookupSymbols(pairs: ReadonlyArray<readonly [venue: string, symbol: string]>): Promise<Array<Instrument | null>>;
  /**
   * Run any {@link ReaderTask} on a free worker. `transferList` is passed to piscina
   * (e.g. a `MessagePort`). Resolves with the task's result.
   */
  run<R = unknown>(task: ReaderTask, transferList?: readonly TransferListItem[]): Promise<R>;
  /** Wait until every worker has started and attached (one `ping` per thread). */
  ready(): Promise<void>;
  /** Stop the workers (pending tasks finish first). Idempotent; later calls resolve when the first is done. */
  close(): Promise<void>;
  /** `await using pool = createReaderPool(…)`: calls {@link ReaderPool.close}. */
  [Symbol.asyncDispose](): Promise<void>;
  /** The underlying piscina instance (statistics, events). */
  readonly piscina: Piscina;
}

/**
 * Path of the compiled reader worker: next to this module in `dist/`, or under the repo's `dist/` when run from sources.
 * @throws {ConfigError} `InvalidConfig` if it is missing (run `npm run build`).
 */
export function readerWorkerPath(): string {
  const here = fileURLToPath(new URL('../../workers/reader-worker.js', import.meta.url));
  if (existsSync(here)) return here;
  const built = join(repoRoot(), 'dist', 'workers', 'reader-worker.js');
  if (existsSync(built)) return built;
  throw new ConfigError('readerWorkerPath', `${built} missing: run \`npm run build\``);
}

/**
 * The URL of the compiled ES module for a source module URL, for {@link ReaderTask} `module`
 * tasks (workers load compiled JavaScript). `…/dist/x.js` URLs are returned unchanged; a
 * `…/<repo>/x.ts` URL (vitest) maps to `…/<repo>/dist/x.js`.
 * @throws {RegistryError} `InvalidArgument` if `moduleUrl` is not a string (or a `.ts` URL not a
 *   `file:` URL); {@link ConfigError} `InvalidConfig` if the compiled module is missing.
 */
export function compiledModuleUrl(moduleUrl: string): string {
  if (typeof moduleUrl !== 'string') throw new RegistryError('InvalidArgument', `module URL must be a string, got ${typeof moduleUrl}`);
  if (!moduleUrl.endsWith('.ts')) return moduleUrl;
  const root = repoRoot();
  let path: string;
  try {
    path = fileURLToPath(moduleUrl);
  } catch (e) {
    throw new RegistryError('InvalidArgument', `not a file: URL: ${JSON.stringify(moduleUrl.slice(0, 80))} (${(e as Error).message})`);
  }
  const rel = path.slice(root.length + 1).replace(/\.ts$/, '.js');
  const out = join(root, 'dist', rel);
  if (!existsSync(out)) throw new ConfigError('compiledModuleUrl', `${out} missing: run \`npm run build\``);
  return pathToFileURL(out).href;
}

/**
 * Start a pool of `threads` reader workers over a registry. Workers start immediately
 * (`minThreads = maxThreads = threads`), attach once, and run one task at a time.
 *
 * @param handle the registry's shared regions (`InstrumentRegistry.handle`).
 * @param opts thread count and piscina options passed through ({@link ReaderPoolOptions}).
 * @throws {ConfigError} `InvalidConfig` if the compiled worker is missing (run `npm run build`).
 * @throws {LayoutMismatchError} if `handle` is not a registry handle of this layout (checked
 *   here, before any worker starts).
 * @throws {RegistryError} `InvalidArgument` if `opts` is not an object, `threads` is not an
 *   integer in 1..{@link READER_POOL_MAX_THREADS}, or `opts.piscina` is not an object or sets
 *   one of the {@link ReservedPiscinaOption}s.
 *
 * The pool's methods reject with `InvalidArgument` for a malformed task (checked before it is
 * posted) and with `ConnectionClosed` once {@link ReaderPool.close} was called; a
 * `RegistryError` thrown in a worker reaches the caller as a `RegistryError` with its code
 * (its subclass is not kept). Errors of a `module` task's own function pass through as
 * structured clone delivers them.
 * @example
 * ```ts
 * await using pool = createReaderPool(registry.handle, { threads: 2, piscina: { maxQueue: 1000 } });
 * const [btc] = await pool.lookupSymbols([['BINANCE', 'BTCUSDT']]);
 * ```
 */
export function createReaderPool(handle: RegistryHandle, opts: ReaderPoolOptions = {}): ReaderPool {
  checkHandle(handle);
  if (typeof opts !== 'object' || opts === null) throw new RegistryError('InvalidArgument', 'createReaderPool: options must be an object');
  const threads = opts.threads ?? Math.min(availableParallelism(), READER_POOL_MAX_THREADS);
  if (!Number.isInteger(threads) || threads < 1 || threads > READER_POOL_MAX_THREADS) {
    throw new RegistryError('InvalidArgument', `createReaderPool: threads must be an integer in 1..${READER_POOL_MAX_THREADS}, got ${String(threads)}`);
  }
  const extra = (opts.piscina ?? {}) as Record<string, unknown>;
  if (typeof extra !== 'object' || extra === null) throw new RegistryError('InvalidArgument', 'createReaderPool: piscina options must be an object');
  for (const k of ['filename', 'minThreads', 'maxThreads', 'concurrentTasksPerWorker', 'workerData'] satisfies ReservedPiscinaOption[]) {
    if (k in extra)
      throw new RegistryError('InvalidArgument', `createReaderPool: piscina option ${k} is set by the pool (use \`threads\` for the thread count)`);
  }
  // piscina is loaded on first use: importing instreg does not start its machinery
  const { Piscina: PiscinaClass } = createRequire(import.meta.url)('piscina') as { Piscina: typeof Piscina };
  let closing: Promise<void> | undefined;
  const piscina = new PiscinaClass({
    idleTimeout: Infinity,
    ...extra,
    filename: readerWorkerPath(),
    minThreads: threads,
    maxThreads: threads,
    concurrentTasksPerWorker: 1,
    workerData: { handle },
  });
  const run = async <R>(task: ReaderTask, transferList?: readonly TransferListItem[]): Promise<R> => {
    if (closing) throw new RegistryError('ConnectionClosed', 'reader pool is closed');
    checkReaderTask(task);
    try {
      return (await piscina.run(task, transferList ? { transferList: transferList as never } : undefined)) as R;
    } catch (e) {
      throw fromWireError(e);
    }
  };
  return {
    threads,
    piscina,
    run,
    lookupIds: (ids) => run({ op: 'ids', ids }),
    lookupSymbols: (pairs) => run({ op: 'symbols', pairs }),
    async ready() {
      await Promise.all(Array.from({ length: threads }, () => run({ op: 'ping' })));
    },
    close: () => (closing ??= piscina.close()),
    [Symbol.asyncDispose]: () => (closing ??= piscina.close()),
  };
}
