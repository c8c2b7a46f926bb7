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
import { SingleBar } from 'cli-progress';
import { repoRoot } from '../config.js';
import { RegistryError } from '../errors.js';
import { loadDirectory, loadMappings, loadPayload, readPayload, type LoadedMapping, type PayloadSource, type SourceStats } from '../discovery/index.js';
import { parseJsonText } from '../discovery/parse.js';
import { RegistryReader } from '../reader/reader.js';
import { readSnapshot } from '../snapshot/index.js';
import { CRYPTO_VENUES_FILE, loadCryptoVenues } from '../venues/crypto.js';
import { VenueRegistry, defaultVenueRegistry } from '../venues/registry.js';
import { InstrumentRegistry } from '../writer/registry.js';
import { CliError, EXIT_DATA } from './cli-error.js';
import { resolveChainId } from './query.js';

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
}

/** Make a message one line (payload excerpts in parse errors may carry newlines). */
export function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

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
  private readonly bar: SingleBar | undefined;
  private total = 0;
  private done = 0;

  constructor(enabled: boolean) {
    this.bar = enabled
      ? new SingleBar({
          stream: process.stderr,
          format: 'loading {bar} {value}/{total} files | {file}',
          clearOnComplete: true,
          hideCursor: true,
        })
      : undefined;
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
function jsonParseError(path: string, text: string): string | undefined {
  if (!looksLikeJson(path, text)) return undefined;
  try {
    parseJsonText(text, path);
    return undefined;
  } catch (e) {
    return e instanceof RegistryError ? oneLine(e.message) : undefined;
  }
}

/**
 * Load files and folders into `target`. Folders go through `loadDirectory` (mapping priority order,
 * files that fail to parse are listed in `failed`, and broken JSON that no mapping could recognise is
 * moved from `ignored` to `failed` with its parse position). Files given by name are loaded in
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
  const report: LoadReport = { paths: paths.map((p) => resolve(p)), files: [], ignored: [], failed: [], elapsedMs: 0 };
  const dirs: Array<{ path: string; estimate: number }> = [];
  const files: Array<{ path: string; source: PayloadSource; priority: number; order: number }> = [];
  for (const path of report.paths) {
    let st;
    try {
      st = await stat(path);
    } catch (e) {
      throw new CliError(`${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : oneLine((e as Error).message)}`, EXIT_DATA);
    }
    if (st.isDirectory()) {
      dirs.push({ path, estimate: (await readdir(path)).filter(isCandidate).length });
      continue;
    }
    // read, size-check, detect and parse once; loadPayload reuses it
    let source: PayloadSource;
    try {
      source = await readPayload(path, mappings);
    } catch (e) {
      if (!(e instanceof RegistryError)) throw e;
      throw new CliError(oneLine(e.message.replace(/^ParseError: /, '')), EXIT_DATA);
    }
    const m = source.mapping;
    if (!m) throw new CliError(jsonParseError(path, source.text) ?? `UnknownFormat: ${path}: no mapping fits this payload`, EXIT_DATA);
    if (m.ignore) {
      report.ignored.push({ file: basename(path), reason: `${m.name}: ${m.ignore}` });
      continue;
    }
    files.push({ path, source, priority: m.priority ?? 50, order: files.length });
  }
  files.sort((a, b) => a.priority - b.priority || a.order - b.order);

  const progress = new Progress(opts.progress === true);
  progress.start(files.length + dirs.reduce((n, d) => n + d.estimate, 0));
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
      let seen = false;
      const res = await loadDirectory(d.path, target, {
        mappings,
        session,
        onProgress: (_done, total) => {
          if (!seen) progress.adjust(total - d.estimate);
          seen = true;
          progress.tick(basename(d.path));
        },
      });
      if (!seen) progress.adjust(-d.estimate);
      for (const s of res.files) report.files.push({ ...s, path: join(d.path, s.file) });
      for (const f of res.failed) report.failed.push({ file: join(d.path, f.file), error: oneLine(f.error) });
      for (const ig of res.ignored) {
        const path = join(d.path, ig.file);
        const broken = isCandidate(ig.file) && ig.reason.startsWith('no mapping') ? jsonParseError(path, await readFile(path, 'utf8')) : undefined;
        if (broken) report.failed.push({ file: path, error: broken });
        else report.ignored.push(ig);
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
  const registry = await InstrumentRegistry.create({ initialCapacity: opts.initialCapacity ?? 32768 });
  const mappings = await loadMappings();
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
    const code = (e as NodeJS.ErrnoException).code;
    if (!(e instanceof RegistryError) && typeof code !== 'string') throw e;
    const why = code === 'ENOENT' ? 'no such file' : oneLine((e as Error).message);
    throw new CliError(why.includes(file) ? why : `${file}: ${why}`, EXIT_DATA);
  }
  const report: LoadReport = { paths: [file], files: [], ignored: [], failed: [], elapsedMs: performance.now() - t0 };
  return { dataDir: opts.dataDir, reader, venues, report, warnings };
}

/**
 * Open the session a query command (`get`, `venues`) reads from: restored from `snapshot` when
 * given, else by loading the payloads. An address query's chain is resolved against the venue
 * registry before anything loads (an unknown chain exits 2 first). Files that failed to load are
 * reported on stderr as warnings.
 */
export async function openQuerySession(
  query: { type: string; chain?: string | number },
  opts: { dataDir: string; progress: boolean; snapshot?: string },
): Promise<ReaderSession> {
  const beforeLoad = (venues: VenueRegistry): void => {
    if (query.type === 'address' && query.chain !== undefined) resolveChainId(venues, query.chain);
  };
  const session = opts.snapshot
    ? await openSessionFromSnapshot({ dataDir: opts.dataDir, snapshot: opts.snapshot, beforeLoad })
    : await openSession({ dataDir: opts.dataDir, progress: opts.progress, beforeLoad });
  for (const f of session.report.failed) process.stderr.write(`instreg: warning: not loaded: ${f.error}\n`);
  return session;
}
