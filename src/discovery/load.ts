/**
 * Loading payload files into a registration target: {@link loadPayload} (one file) and
 * {@link loadDirectory} (a folder, in mapping priority order). Each file is read once, checked
 * against `MAX_PAYLOAD_BYTES` before it is read, detected once and (JSON) parsed once: the value
 * detection parsed is handed to `discover`.
 *
 * @module
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { argArray, argCount, argFunction, argOptions, argPath, ioError } from '../args.js';
import { RegistryError } from '../errors.js';
import { cachedJson, detectPayload } from './detect.js';
import { discover, errorCode, RecordReject, type DiscoveredInstrument, type Reject, type RegistrationTarget } from './engine.js';
import { checkPayloadSize } from './limits.js';
import type { Mapping } from './mapping.js';
import { refersTo } from '../writer/refs.js';
import { checkTarget } from './target.js';

/**
 * Register a discovered instrument, without validating it or deriving its id again when the target
 * prepared it; `placeholder`: it defers to the same listing already held (outcome `unchanged`).
 */
function register(target: RegistrationTarget, g: DiscoveredInstrument, placeholder: boolean): ReturnType<RegistrationTarget['registerInstrument']> {
  const opts = placeholder ? { placeholder: true } : undefined;
  return g.prepared && target.registerPrepared ? target.registerPrepared(g.prepared, opts) : target.registerInstrument(g.input, opts);
}

/** Per-file result of {@link loadPayload}. */
export interface SourceStats {
  file: string;
  /** Name of the mapping used. */
  mapping: string;
  recordsSeen: number;
  /** Instruments the payload yields after de-duplication. */
  instruments: number;
  /** Instruments registered as new or changed (`added` + `updated`). */
  registered: number;
  /** Outcomes reported by the target, one per instrument registered: what `getMetrics().outcomes` counts. */
  added: number;
  updated: number;
  /**
   * Instruments the target already held unchanged ("already present"), including a placeholder
   * that deferred to the same listing held under another id (an Alpaca asset whose venue +
   * symbol iShares holdings registered with its ISIN).
   */
  unchanged: number;
  /** Skipped records by code (mapping `skip` rules, logs of other events). */
  skipped: Record<string, number>;
  /** Rejected records by reason code (by discovery or by the target). */
  rejected: Record<string, number>;
  /** The subset of `rejected` the target refused when registering (`getMetrics().failuresByCode`), by code. */
  refused: Record<string, number>;
  /** Values of fields the kind does not store, dropped because the mapping lists them in `ignoreFields`, by field. */
  ignoredFields: Record<string, number>;
  /** The first rejected records in detail (at most `maxRejects`). */
  rejects: Reject[];
  /** Set when the mapping is flagged `ignore`: why the file was not loaded. */
  ignored?: string;
  /** Other mappings that also fit the file; the most specific one (`mapping`) was used. */
  ambiguous?: string[];
}

/** A payload file read and detected once: its text, the mapping that fits it and (JSON) the parsed value. */
export interface PayloadSource {
  text: string;
  /** `undefined` when no mapping fits. */
  mapping: Mapping | undefined;
  /** The parsed JSON (detection parsed it); absent for CSV and for text that is not JSON. */
  parsed?: unknown;
  /** Other mappings whose detection also holds (the most specific one won). */
  ambiguous?: string[];
}

/**
 * Read one payload file (refusing one larger than `MAX_PAYLOAD_BYTES` before reading it) and
 * detect its format; JSON is parsed once and kept for `discover`.
 * @throws {RegistryError} `ParseError` if the file cannot be read, `LimitExceeded` if too large;
 *   `InvalidArgument` if `filePath` is not a non-empty string or `mappings` not an array of mappings.
 */
export async function readPayload(filePath: string, mappings: readonly Mapping[]): Promise<PayloadSource> {
  argPath(filePath, 'filePath');
  argArray(mappings, 'mappings');
  let text: string;
  try {
    checkPayloadSize((await stat(filePath)).size, filePath);
    text = await readFile(filePath, 'utf8');
  } catch (e) {
    if (e instanceof RegistryError) throw e;
    throw new RegistryError('ParseError', `${filePath}: cannot read: ${(e as Error).message}`);
  }
  const { mapping, ambiguous } = detectPayload(text, basename(filePath), mappings);
  const amb = ambiguous.length > 0 ? { ambiguous } : {};
  if (!mapping || mapping.format !== 'json') return { text, mapping, ...amb };
  const j = cachedJson(text);
  return j.ok ? { text, mapping, parsed: j.value, ...amb } : { text, mapping, ...amb };
}

/** Check {@link LoadOptions} (and that `opts` is an object). */
function checkLoadOptions(opts: LoadOptions): void {
  argOptions(opts);
  if (opts.maxRejects !== undefined) argCount(opts.maxRejects, 'maxRejects');
  if (opts.session !== undefined && !(opts.session instanceof Set)) throw new RegistryError('InvalidArgument', 'session must be a Set of ids');
}

/** Options of {@link loadPayload} and {@link loadDirectory}. */
export interface LoadOptions {
  /** Detailed rejects kept per file (default 20). */
  maxRejects?: number;
  /**
   * Ids registered earlier in the same session (shared across the files of {@link loadDirectory}):
   * `placeholder` instruments (e.g. tokens seen only in a log) defer to these.
   */
  session?: Set<bigint>;
}

/**
 * Detect, discover and register one payload file. Each record is all-or-nothing as far as
 * validation goes (all its instruments pass `idOf` before any is registered). If the target
 * then refuses one (e.g. `DuplicateSymbol` against what it already holds) the record is counted
 * as rejected (and in `refused`); shared dependencies registered just before (a currency, a token)
 * stay: they are valid instruments on their own. A `placeholder` instrument is registered with
 * `{ placeholder: true }`: when the target already holds the same listing under its venue +
 * symbol (e.g. the same stock registered with its ISIN) it counts as `unchanged`, unless the
 * record's other instruments reference it by its own id. Each file's counts go to
 * `target.recordDiscovery` when the target has it.
 *
 * @param opts.source the file already read and detected ({@link readPayload}); default: read it here
 * @throws {RegistryError} `ParseError` if the file cannot be read or parsed (with position),
 *   `UnknownFormat` if no mapping fits it, `LimitExceeded` if it is larger than `MAX_PAYLOAD_BYTES`
 *   or its mapping is refused at an expression bound; `InvalidArgument` if `filePath` is not a
 *   non-empty string, `target` not a {@link RegistrationTarget}, `mappings` not an array, or `opts`
 *   not an object (`maxRejects` a number ≥ 0, `session` a Set).
 */
export async function loadPayload(
  filePath: string,
  target: RegistrationTarget,
  mappings: readonly Mapping[],
  opts: LoadOptions & { source?: PayloadSource } = {},
): Promise<SourceStats> {
  argPath(filePath, 'filePath');
  checkTarget(target);
  argArray(mappings, 'mappings');
  checkLoadOptions(opts);
  const file = basename(filePath);
  const src = opts.source ?? (await readPayload(filePath, mappings));
  const { text, mapping } = src;
  if (!mapping) throw new RegistryError('UnknownFormat', `${filePath}: no mapping fits this payload`);
  const stats: SourceStats = {
    file,
    mapping: mapping.name,
    recordsSeen: 0,
    instruments: 0,
    registered: 0,
    added: 0,
    updated: 0,
    unchanged: 0,
    skipped: {},
    rejected: {},
    refused: {},
    ignoredFields: {},
    rejects: [],
    ...(src.ambiguous ? { ambiguous: src.ambiguous } : {}),
  };
  if (mapping.ignore) return { ...stats, ignored: mapping.ignore };
  const session = opts.session ?? new Set<bigint>();
  const known = (id: bigint): boolean => session.has(id) || (target.has ? target.has(id) : false);
  const res = await discover(text, mapping, target, { known, file: filePath, ...(src.parsed !== undefined ? { parsed: src.parsed } : {}) });
  const maxRejects = opts.maxRejects ?? 20;
  const rejects = [...res.rejected];
  const failed = new Set<bigint>();
  for (const rec of res.records) {
    let refused = false;
    try {
      const dep = rec.instruments.find((g) => failed.has(g.id));
      if (dep) throw new RecordReject('DependencyRejected', `${dep.input.venue}:${dep.input.symbol} was refused by the target`);
      for (const g of rec.instruments) {
        if (!g.emit) continue;
        // A placeholder defers to the same listing the target already holds (e.g. a stock known
        // there with its ISIN), unless another instrument of the record refers to it by its own id.
        const defer = g.placeholder && !rec.instruments.some((o) => o !== g && refersTo(o.input, g.id));
        let r: ReturnType<RegistrationTarget['registerInstrument']>;
        try {
          r = register(target, g, defer);
        } catch (e) {
          failed.add(g.id);
          refused = true;
          throw e;
        }
        session.add(r.id);
        stats[r.outcome]++;
      }
    } catch (e) {
      const { code, reason } = errorCode(e);
      rejects.push({ record: rec.record, ...(rec.key !== undefined ? { key: rec.key } : {}), code, reason });
      if (refused) stats.refused[code] = (stats.refused[code] ?? 0) + 1;
    }
  }
  stats.recordsSeen = res.recordsSeen;
  stats.instruments = res.registrations.length;
  stats.registered = stats.added + stats.updated;
  stats.skipped = res.skipped;
  for (const r of rejects) stats.rejected[r.code] = (stats.rejected[r.code] ?? 0) + 1;
  stats.ignoredFields = res.ignoredFields;
  stats.rejects = rejects.sort((a, b) => a.record - b.record).slice(0, maxRejects);
  target.recordDiscovery?.({
    mapping: stats.mapping,
    recordsSeen: stats.recordsSeen,
    skipped: { ...stats.skipped },
    rejected: { ...stats.rejected },
    ignoredFields: { ...stats.ignoredFields },
  });
  return stats;
}

/** Result of {@link loadDirectory}. */
export interface DirectoryStats {
  /** Files loaded, in load order. */
  files: SourceStats[];
  /** Files not loaded on purpose: not a payload, no mapping fits, or the mapping says `ignore`. */
  ignored: Array<{ file: string; reason: string }>;
  /** Files that failed to parse (`ParseError`); the other files still load. */
  failed: Array<{ file: string; error: string }>;
}

/**
 * Load every payload in a folder. `SOURCES.md`, `README*`, dot files and files other than
 * `.json` / `.csv` are skipped; files whose mapping says `ignore` (the ISO 10383 MIC list,
 * which belongs to the venue registry) are listed in `ignored`. Files load in mapping
 * `priority` order (token lists before logs), then by name; all files share one session so
 * `placeholder` instruments defer to instruments registered by earlier files.
 * @throws {IoError} `IoError` if `dir` cannot be listed (`errno` `ENOENT`, `ENOTDIR` …)
 * @throws {RegistryError} `InvalidArgument` as {@link loadPayload}, or an `onProgress` that is not a function
 */
export async function loadDirectory(
  dir: string,
  target: RegistrationTarget,
  opts: LoadOptions & { mappings?: readonly Mapping[]; onProgress?(done: number, total: number): void } = {},
): Promise<DirectoryStats> {
  argPath(dir, 'dir');
  checkTarget(target);
  checkLoadOptions(opts);
  if (opts.mappings !== undefined) argArray(opts.mappings, 'mappings');
  argFunction(opts.onProgress, 'onProgress', true);
  const { loadMappings } = await import('./mapping.js');
  const mappings = opts.mappings ?? (await loadMappings());
  const out: DirectoryStats = { files: [], ignored: [], failed: [] };
  const plan: Array<{ path: string; file: string; priority: number; source?: PayloadSource }> = [];
  let names: string[];
  try {
    names = (await readdir(dir)).sort();
  } catch (e) {
    throw ioError(e, `list ${dir}`);
  }
  for (const file of names) {
    const path = join(dir, file);
    if (file.startsWith('.')) continue;
    let isFile: boolean;
    try {
      isFile = (await stat(path)).isFile();
    } catch (e) {
      out.failed.push({ file, error: (ioError(e, `stat ${path}`) as Error).message });
      continue;
    }
    if (!isFile) continue;
    if (!/\.(json|csv)$/i.test(file)) {
      out.ignored.push({ file, reason: 'not a payload (only .json and .csv files are loaded)' });
      continue;
    }
    let source: PayloadSource;
    try {
      source = await readPayload(path, mappings);
    } catch (e) {
      if (!(e instanceof RegistryError)) throw e;
      out.failed.push({ file, error: e.message });
      continue;
    }
    const m = source.mapping;
    if (!m) out.ignored.push({ file, reason: 'no mapping fits this payload' });
    else if (m.ignore) out.ignored.push({ file, reason: `${m.name}: ${m.ignore}` });
    // JSON already parsed: the text is not needed again, let it go while other files are read
    else plan.push({ path, file, priority: m.priority ?? 50, source: source.parsed !== undefined ? { ...source, text: '' } : source });
  }
  plan.sort((a, b) => a.priority - b.priority || a.file.localeCompare(b.file));
  const session = opts.session ?? new Set<bigint>();
  let done = 0;
  for (const p of plan) {
    try {
      const source = p.source!;
      p.source = undefined; // let the parsed payload go once it is loaded
      out.files.push(await loadPayload(p.path, target, mappings, { ...opts, session, source }));
    } catch (e) {
      if (!(e instanceof RegistryError)) throw e;
      out.failed.push({ file: p.file, error: e.message });
    }
    opts.onProgress?.(++done, plan.length);
  }
  return out;
}
