/**
 * A CLI session: one {@link InstrumentRegistry} (the writer, built on this thread), the venue
 * registry (ISO 10383 MICs + crypto venues and chains), and the payloads loaded into it.
 * Every command (`load`, `get`, `venues`, `start`, `bench`) opens one with {@link openSession}
 * and reads through {@link Session.reader}; `get` and `venues` can instead start from a snapshot
 * file with {@link openSessionFromSnapshot} (a {@link ReaderSession}: a reader, no writer).
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { SingleBar } from 'cli-progress';
import { repoRoot } from '../config.js';
import { IoError, RegistryError } from '../errors.js';
import type { LoadedMapping, PayloadSource, SourceStats } from '../discovery/index.js';
import { RegistryReader } from '../reader/reader.js';
import { readSnapshot } from '../snapshot/index.js';
import { CRYPTO_VENUES_FILE, loadCryptoVenues } from '../venues/crypto.js';
import { VenueRegistry, defaultVenueRegistry } from '../venues/registry.js';
import type { InstrumentRegistry } from '../writer/registry.js';
import { CliError, EXIT_DATA, oneLine } from './cli-error.js';
import { resolveChainId } from './query.js';

/** Discovery (JSONata, csv-parse, viem) is imported only by commands that load payloads. */
const discovery = () => import('../discovery/index.js');

/** Per-file statistics of a load, with the path the file was loaded from. */
export interface FileStats extends SourceStats {
  /** Path of the file (as resolved on disk). */
  path: string;
}

/** What loading a set of paths did. */
export interface LoadReport {
  /** The paths given (files and folders), resolved. */
  paths: string[];
  /** Files loaded, in load order. */
  files: FileStats[];
  /** Files not loaded on purpose (not a payload, no mapping fits, mapping flagged `ignore`). */
  ignored: Array<{ file: string; reason: string }>;
  /** Files of a folder that could not be parsed (one-line reasons with positions); the rest loaded. */
  failed: Array<{ file: string; error: string }>;
  /** Wall time of the load, ms. */
  elapsedMs: number;
}

/** What the lookup commands (`get`, `venues`) need: a reader and the venue registry. */
export interface ReaderSession {
  /** Data folder (MIC list, default payloads). */
  readonly dataDir: string;
  /** A lock-free reader on this thread. */
  readonly reader: RegistryReader;
  /** Venue attributes (MIC list + crypto venues and chains). */
  readonly venues: VenueRegistry;
  /** What was loaded (for a snapshot session: no files, `paths` = the snapshot, time to restore). */
  readonly report: LoadReport;
  /** Warnings met while opening (e.g. the MIC list could not be read). */
  readonly warnings: string[];
}

/** A loaded registry and everything the commands need around it. Reusable by benchmarks. */
export interface Session extends ReaderSession {
  /** The writer; owned by this (main) thread. Pass `registry.handle` to workers. */
  readonly registry: InstrumentRegistry;
  /** A lock-free reader on this thread (`registry.reader()`). */
  readonly reader: RegistryReader;
  /** Discovery mappings used for the load. */
  readonly mappings: readonly LoadedMapping[];
}

/** Options of {@link openSession}. */
export interface SessionOptions {
  /** Data folder (see `dataDir()` in `src/config.ts`). */
  dataDir: string;
  /** Files and folders to load; default: `[dataDir]`. An empty array loads nothing. */
  paths?: readonly string[];
  /** Show a cli-progress bar on stderr (callers pass `process.stderr.isTTY`). Default false. */
  progress?: boolean;
  /** First table capacity (default 32768, enough for the shipped data without growing). */
  initialCapacity?: number;
  /**
   * Called with the venue registry before any payload is loaded: lets a command reject a query
   * that names an unknown venue or chain without waiting for the load (throw to abort).
   */
  beforeLoad?: (venues: VenueRegistry) => void;
  /** User mapping folders loaded next to the shipped ones (`--mappings`, `INSTREG_MAPPINGS_DIR`; see `userMappingsDirs()`). Default: none. */
  mappingsDirs?: readonly string[];
}

export { oneLine };

/**
 * The venue registry for `dataDir`: MIC list + crypto venues. If the MIC list cannot be read,
 * falls back to the crypto venues alone and adds a warning.
 */
function openVenues(dataDir: string, warnings: string[]): VenueRegistry {
  try {
    return defaultVenueRegistry(dataDir);
  } catch (e) {
    warnings.push(`venue registry: ${oneLine((e as Error).message)}; using the crypto venues only`);
    const reg = new VenueRegistry();
    const crypto = loadCryptoVenues(readFileSync(join(repoRoot(), CRYPTO_VENUES_FILE), 'utf8'));
    for (const v of crypto.venues) reg.addVenue(v, { replace: true });
    for (const [chainId, code] of crypto.chains) reg.setChain(chainId, code);
    return reg;
  }
}

/** Progress on stderr over all files of all paths; a no-op when disabled. */
class Progress {
  private bar: SingleBar | undefined;
  private total = 0;
  private done = 0;

  static async create(enabled: boolean): Promise<Progress> {
    const p = new Progress();
    if (!enabled) return p;
    const { SingleBar: Bar } = await import('cli-progress');
    p.bar = new Bar({
      stream: process.stderr,
      format: 'loading {bar} {value}/{total} files | {file}',
      clearOnComplete: true,
      hideCursor: true,
    });
    return p;
  }

  start(total: number): void {
    this.total = total;
    this.bar?.start(Math.max(total, 1), 0, { file: '' });
  }

  /** Replace an estimated number of files by the exact one. */
  adjust(delta: number): void {
    if (delta === 0) return;
    this.total += delta;
    this.bar?.setTotal(Math.max(this.total, 1));
  }

  tick(file: string): void {
    this.done++;
    this.bar?.update(this.done, { file });
  }

  stop(): void {
    this.bar?.stop();
  }
}

function isCandidate(file: string): boolean {
  return !file.startsWith('.') && /\.(json|csv)$/i.test(file);
}

/** Whether a payload is meant to be JSON (by extension, or by its first character). */
function looksLikeJson(file: string, text: string): boolean {
  if (/\.json$/i.test(file)) return true;
  if (/\.(csv|tsv|txt)$/i.test(file)) return false;
  return /^\uFEFF?\s*[[{]/.test(text);
}

/**
 * For a payload no mapping fits: the parse error (with line and column) if it is broken JSON,
 * else undefined (it is well-formed, just of an unknown format).
 */
async function jsonParseError(path: string, text: string): Promise<string | undefined> {
  if (!looksLikeJson(path, text)) return undefined;
  const { parseJsonText } = await import('../discovery/parse.js');
  try {
    parseJsonText(text, path);
    return undefined;
  } catch (e) {
    return e instanceof RegistryError ? oneLine(e.message) : undefined;
  }
}

/** Files of a folder to load, in load order (mapping priority, then name). */
type DirPlan = Array<{ path: string; priority: number }>;

/** One-line reason of a file-system error (`EACCES: permission denied`, `ELOOP: …`). */
export function fsReason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (typeof err?.code === 'string') {
    const what: Record<string, string> = {
      ENOENT: 'no such file or directory',
      EACCES: 'permission denied',
      EPERM: 'operation not permitted',
      ENOTDIR: 'a path component is not a directory',
      EISDIR: 'is a directory',
      ELOOP: 'too many levels of symbolic links',
      EMFILE: 'too many open files',
      EIO: 'input/output error',
    };
    return `${err.code}: ${what[err.code] ?? oneLine(err.message)}`;
  }
  return oneLine(String((e as Error)?.message ?? e));
}

/**
 * Plan the load of one folder: every `.json` / `.csv` entry (dot files skipped) is stat'ed and read
 * once for format detection. An entry that cannot be stat'ed or read (EACCES, ELOOP, ENOTDIR, a
 * dangling link …) or is broken JSON goes to `report.failed` with a one-line reason; entries that
 * are not payloads, fit no mapping or whose mapping says `ignore` go to `report.ignored`. The
 * other files still load.
 */
async function planDirectory(dir: string, mappings: readonly LoadedMapping[], report: LoadReport): Promise<DirPlan> {
  const { detectFormat } = await discovery();
  let names: string[];
  try {
    names = (await readdir(dir)).sort();
  } catch (e) {
    throw new CliError(`${dir}: cannot list: ${fsReason(e)}`, EXIT_DATA);
  }
  const plan: Array<{ path: string; file: string; priority: number }> = [];
  for (const file of names) {
    if (file.startsWith('.')) continue;
    const path = join(dir, file);
    let text: string;
    try {
      if (!(await stat(path)).isFile()) continue;
      if (!isCandidate(file)) {
        report.ignored.push({ file, reason: 'not a payload (only .json and .csv files are loaded)' });
        continue;
      }
      text = await readFile(path, 'utf8');
    } catch (e) {
      report.failed.push({ file: path, error: `${path}: cannot read: ${fsReason(e)}` });
      continue;
    }
    const m = detectFormat(text, file, mappings);
    if (!m) {
      const broken = await jsonParseError(path, text);
      if (broken) report.failed.push({ file: path, error: broken });
      else report.ignored.push({ file, reason: 'no mapping fits this payload' });
    } else if (m.ignore) report.ignored.push({ file, reason: `${m.name}: ${m.ignore}` });
    else plan.push({ path, file, priority: m.priority ?? 50 });
  }
  plan.sort((a, b) => a.priority - b.priority || a.file.localeCompare(b.file));
  return plan.map(({ path, priority }) => ({ path, priority }));
}

/**
 * Load files and folders into `target`. A folder's files load in mapping-priority order, then by name;
 * files of a folder that cannot be read (any file-system error: EACCES, ELOOP, ENOTDIR, EISDIR …) or
 * parsed are listed in `failed` with a one-line reason and the other files still load; broken JSON
 * that no mapping could recognise is listed in `failed` with its parse position. Files given by name are loaded in
 * mapping-priority order (stable) after detection; a file given by name that cannot be read, parsed
 * or recognised ends the load.
 *
 * @throws {CliError} exit code 3 ({@link EXIT_DATA}) naming the file (and the line/column for parse
 *   errors) when a file given by name cannot be loaded, or a path does not exist.
 */
export async function loadPaths(
  target: InstrumentRegistry,
  mappings: readonly LoadedMapping[],
  paths: readonly string[],
  opts: { progress?: boolean } = {},
): Promise<LoadReport> {
  const t0 = performance.now();
  const { loadPayload, readPayload } = await discovery();
  const report: LoadReport = { paths: paths.map((p) => resolve(p)), files: [], ignored: [], failed: [], elapsedMs: 0 };
  const dirs: Array<{ path: string; plan: DirPlan }> = [];
  const files: Array<{ path: string; source: PayloadSource; priority: number; order: number }> = [];
  for (const path of report.paths) {
    let st;
    try {
      st = await stat(path);
    } catch (e) {
      throw new CliError(`${path}: ${fsReason(e)}`, EXIT_DATA);
    }
    if (st.isDirectory()) {
      dirs.push({ path, plan: await planDirectory(path, mappings, report) });
      continue;
    }
    // read, size-check, detect and parse once; loadPayload reuses it
    let source: PayloadSource;
    try {
      source = await readPayload(path, mappings);
    } catch (e) {
      if (!(e instanceof RegistryError)) throw new CliError(`${path}: cannot read: ${fsReason(e)}`, EXIT_DATA);
      throw new CliError(oneLine(e.message.replace(/^ParseError: /, '')), EXIT_DATA);
    }
    const m = source.mapping;
    if (!m) throw new CliError((await jsonParseError(path, source.text)) ?? `UnknownFormat: ${path}: no mapping fits this payload`, EXIT_DATA);
    if (m.ignore) {
      report.ignored.push({ file: basename(path), reason: `${m.name}: ${m.ignore}` });
      continue;
    }
    files.push({ path, source, priority: m.priority ?? 50, order: files.length });
  }
  files.sort((a, b) => a.priority - b.priority || a.order - b.order);

  const progress = await Progress.create(opts.progress === true);
  progress.start(files.length + dirs.reduce((n, d) => n + d.plan.length, 0));
  const session = new Set<bigint>();
  try {
    for (const f of files) {
      try {
        report.files.push({ ...(await loadPayload(f.path, target, mappings, { session, source: f.source })), path: f.path });
      } catch (e) {
        if (!(e instanceof RegistryError)) throw e;
        throw new CliError(oneLine(e.message), EXIT_DATA);
      }
      progress.tick(basename(f.path));
    }
    for (const d of dirs) {
      for (const p of d.plan) {
        try {
          report.files.push({ ...(await loadPayload(p.path, target, mappings, { session })), path: p.path });
        } catch (e) {
          if (!(e instanceof RegistryError)) throw e;
          report.failed.push({ file: p.path, error: oneLine(e.message) });
        }
        progress.tick(basename(p.path));
      }
    }
  } finally {
    progress.stop();
  }
  report.elapsedMs = performance.now() - t0;
  return report;
}

/**
 * Open a session: create the registry, the venue registry and load `paths` (default: the data folder).
 *
 * @throws {CliError} exit code 3 when a file given by name cannot be loaded (see {@link loadPaths}).
 */
export async function openSession(opts: SessionOptions): Promise<Session> {
  const warnings: string[] = [];
  const venues = openVenues(opts.dataDir, warnings);
  opts.beforeLoad?.(venues);
  const [{ InstrumentRegistry }, { loadMappings }] = await Promise.all([import('../writer/registry.js'), discovery()]);
  const registry = await InstrumentRegistry.create({ initialCapacity: opts.initialCapacity ?? 32768 });
  const mappings = await loadMappings(undefined, opts.mappingsDirs ?? []);
  for (const m of mappings) if (m.replaces !== undefined) warnings.push(`mapping ${m.name}: ${m.file} replaces the shipped ${m.replaces}`);
  const report = await loadPaths(registry, mappings, opts.paths ?? [opts.dataDir], { progress: opts.progress === true });
  return { dataDir: opts.dataDir, registry, reader: registry.reader(), venues, mappings, report, warnings };
}

/** Options of {@link openSessionFromSnapshot}. */
export interface SnapshotSessionOptions {
  /** Data folder (MIC list); the venue registry is still loaded from files. */
  dataDir: string;
  /** Snapshot file written by `instreg load --snapshot FILE` (`writeSnapshot`). */
  snapshot: string;
  /** As {@link SessionOptions.beforeLoad}: called with the venue registry before the restore. */
  beforeLoad?: (venues: VenueRegistry) => void;
}

/**
 * Open a read-only session from a snapshot: the venue registry from `dataDir`, the instruments
 * restored with `readSnapshot` (no payload parsing) and read through `RegistryReader.attach`.
 *
 * @throws {CliError} exit code 3 ({@link EXIT_DATA}) when the snapshot is missing, unreadable,
 *   truncated or corrupt (one-line reason naming the file).
 */
export async function openSessionFromSnapshot(opts: SnapshotSessionOptions): Promise<ReaderSession> {
  const warnings: string[] = [];
  const venues = openVenues(opts.dataDir, warnings);
  opts.beforeLoad?.(venues);
  const file = resolve(opts.snapshot);
  const t0 = performance.now();
  let reader: RegistryReader;
  try {
    reader = RegistryReader.attach(await readSnapshot(file));
  } catch (e) {
    const code = e instanceof IoError ? e.errno : (e as NodeJS.ErrnoException).code;
    if (!(e instanceof RegistryError) && typeof code !== 'string') throw e;
    const why = code === 'ENOENT' ? 'no such file' : oneLine((e as Error).message);
    throw new CliError(why.includes(file) ? why : `${file}: ${why}`, EXIT_DATA);
  }
  const report: LoadReport = { paths: [file], files: [], ignored: [], failed: [], elapsedMs: performance.now() - t0 };
  return { dataDir: opts.dataDir, reader, venues, report, warnings };
}

/** Options of {@link openQuerySession}. */
export interface QuerySessionOptions {
  /** Data folder (MIC list, payloads). */
  dataDir: string;
  /** Progress bar on stderr while loading. */
  progress: boolean;
  /** Start from this snapshot file instead (no cache involved). */
  snapshot?: string | undefined;
  /** Cache folder of the automatic cache snapshot (see `cache.ts`), or `false` for a fresh load (`--no-cache`). */
  cache: string | false;
  /** User mapping folders (part of the cache key). Default: none. */
  mappingsDirs?: readonly string[];
}

/**
 * Open the session a query command (`get`, `venues`) reads from: restored from `snapshot` when
 * given; else from the cache snapshot of the data folder when it is current (its key matches, see
 * `cache.ts`); else by loading the payloads, after which the cache is (re)written. An address
 * query's chain is resolved against the venue registry before anything loads (an unknown chain
 * exits 2 first). Files that failed to load are reported on stderr as warnings.
 */
export async function openQuerySession(query: { type: string; chain?: string | number; address?: string }, opts: QuerySessionOptions): Promise<ReaderSession> {
  const beforeLoad = (venues: VenueRegistry): void => {
    if (query.type === 'address' && query.chain !== undefined) resolveChainId(venues, query.chain, query.address);
  };
  const mappingsDirs = opts.mappingsDirs ?? [];
  let session: ReaderSession | undefined;
  if (opts.snapshot !== undefined) {
    session = await openSessionFromSnapshot({ dataDir: opts.dataDir, snapshot: opts.snapshot, beforeLoad });
  } else if (opts.cache === false) {
    session = await openSession({ dataDir: opts.dataDir, progress: opts.progress, beforeLoad, mappingsDirs });
  } else {
    const cache = await import('./cache.js');
    const key = await cache.cacheKey(opts.dataDir, opts.cache, mappingsDirs);
    session = cache.openCachedSession(opts.cache, key, opts.dataDir);
    if (session) beforeLoad(session.venues);
    else {
      const fresh = await openSession({ dataDir: opts.dataDir, progress: opts.progress, beforeLoad, mappingsDirs });
      const warning = await cache.writeCache(opts.cache, key, fresh);
      if (warning) process.stderr.write(`instreg: warning: ${oneLine(warning)}\n`);
      session = fresh;
    }
  }
  for (const f of session.report.failed) process.stderr.write(`instreg: warning: not loaded: ${f.error}\n`);
  return session;
}
