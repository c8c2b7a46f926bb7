/**
 * The discovery engine: turns a venue payload into normalised instrument registrations,
 * driven entirely by a declarative mapping (`mappings/*.json`, see `docs/mappings.md`).
 *
 * Pipeline for one payload:
 *  1. parse (JSON, or CSV via csv-parse) — an unreadable file raises `ParseError` with a position;
 *  2. select the records (one JSONata expression; `entries` turns an object into records);
 *     records that are not objects or carry `__proto__` / `constructor` / `prototype` keys are rejected;
 *  3. for `events` mappings, decode logs with viem (other logs are skipped);
 *  4. evaluate ONE composite JSONata expression mapping the whole record array (key, skip rules,
 *     template conditions, raw field values) — a record whose expressions throw is isolated
 *     and rejected, the rest still load;
 *  5. per record: convert fields, validate every instrument and derive ids (`target.idOf`);
 *     a record is rejected WHOLE if any of its instruments fails;
 *  6. de-duplicate (shared dependencies silently; a record's own instrument seen twice is a
 *     `DuplicateRecord`; the same venue + symbol for two ids is a `DuplicateSymbol`).
 *
 * @module
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import jsonata from 'jsonata';
import { DuplicateSymbolError, RegistryError } from '../errors.js';
import { validateInstrument } from '../model/validate.js';
import { symbolIsUnique, type InstrumentInput } from '../model/types.js';
import { convertValue } from './convert.js';
import { cachedJson, detectFormat } from './detect.js';
import { decodeLog, eventIndex, type EventIndex } from './evm.js';
import { prepareMapping, type FieldSpec, type LoadedMapping, type Mapping } from './mapping.js';
import { parseCsvPayload, parseJsonText } from './parse.js';

export { loadMappings, prepareMapping, validateMapping, defaultMappingsDir } from './mapping.js';
export type { Mapping, LoadedMapping, InstrumentTemplate, FieldSpec, SkipRule, DetectSpec, DetectCondition, TableSpec, CsvOptions } from './mapping.js';
export { detectFormat } from './detect.js';
export type { ConvertStep } from './convert.js';

/**
 * Where discovered instruments go. Implemented by the writer's `InstrumentRegistry`
 * (`src/writer/registry.ts`); tests use a Map-backed fake.
 */
export interface RegistrationTarget {
  /** Validates (throws `ValidationError`) and derives the id; no side effects. */
  idOf(input: InstrumentInput): bigint;
  /**
   * Registers (or updates) an instrument. Throws `RegistryError` subclasses
   * (`ValidationError`, `DuplicateSymbolError`, `HashCollisionError`) and registers nothing on throw.
   */
  registerInstrument(input: InstrumentInput): { id: bigint; outcome: 'added' | 'unchanged' | 'updated' };
  /** Optional: whether an instrument with this id is registered (lets `placeholder` templates defer to it). */
  has?(id: bigint): boolean;
}

/** A record that was rejected, with why. */
export interface Reject {
  /** 0-based index of the record in the payload's record list. */
  record: number;
  /** 1-based line of a CSV row. */
  line?: number;
  /** The record's key (`mapping.key`), e.g. the venue symbol. */
  key?: string;
  reason: string;
  /** A `RegistryErrorCode` (`InvalidField`, `InvalidIdentifier`, `InvalidEnum`, `FieldTooLong`, `DuplicateSymbol`, …) or an engine code (`MalformedRecord`, `ForbiddenKey`, `DecodeError`, `ExpressionError`, `NoInstrument`, `DuplicateRecord`, `DependencyRejected`). */
  code: string;
}

/** One instrument a record yields, validated, with its id. */
export interface DiscoveredInstrument {
  /** Template name (`as`). */
  as: string;
  id: bigint;
  input: InstrumentInput;
  /** `true` for the first occurrence in this payload and not deferred to an existing instrument: it is to be registered. */
  emit: boolean;
  /** From a `placeholder` template: defers to an instrument the target already holds. */
  placeholder: boolean;
}

/** The instruments of one accepted record, in dependency order. */
export interface DiscoveredRecord {
  record: number;
  key?: string;
  instruments: DiscoveredInstrument[];
}

/** What {@link discover} found in a payload (nothing is registered). */
export interface DiscoveryResult {
  /** Validated, normalised, de-duplicated instruments in dependency order (references before referrers). */
  registrations: InstrumentInput[];
  rejected: Reject[];
  /** Records skipped by the mapping's `skip` rules (or logs of other events), by code. */
  skipped: Record<string, number>;
  /** Records in the payload (after `records` selection). */
  recordsSeen: number;
  /** Accepted records with their instruments. */
  records: DiscoveredRecord[];
}

/** Options of {@link discover}. */
export interface DiscoverOptions {
  /** Whether an instrument with this id already exists (for `placeholder` templates). Default: `target.has`. */
  known?: (id: bigint) => boolean;
  /** File name used in error messages. */
  file?: string;
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function forbiddenKey(v: unknown, depth = 0): string | undefined {
  if (v === null || typeof v !== 'object' || depth > 64) return undefined;
  if (Array.isArray(v)) {
    for (const x of v) {
      const f = forbiddenKey(x, depth + 1);
      if (f) return f;
    }
    return undefined;
  }
  for (const k of Object.keys(v)) {
    if (FORBIDDEN_KEYS.has(k)) return k;
    const f = forbiddenKey((v as Record<string, unknown>)[k], depth + 1);
    if (f) return f;
  }
  return undefined;
}

interface Compiled {
  records: jsonata.Expression;
  batch: jsonata.Expression;
  single: jsonata.Expression;
  events: EventIndex;
}

const compiled = new WeakMap<Mapping, Compiled>();

function compile(m: LoadedMapping): Compiled {
  const hit = compiled.get(m);
  if (hit) return hit;
  const parts: string[] = [];
  if (m.key) parts.push(`"k": (${m.key})`);
  (m.skip ?? []).forEach((s, i) => parts.push(`"s${i}": (${s.when})`));
  m.instruments.forEach((t, j) => {
    if (t.when) parts.push(`"w${j}": (${t.when})`);
    const fs = Object.entries(t.fields)
      .map(([f, spec]) => {
        const e = typeof spec === 'string' ? spec : 'expr' in spec ? spec.expr : undefined;
        return e === undefined ? undefined : `${JSON.stringify(f)}: (${e})`;
      })
      .filter((x): x is string => x !== undefined);
    parts.push(`"t${j}": {${fs.join(', ')}}`);
  });
  const lets = Object.entries(m.let ?? {})
    .map(([v, e]) => `$${v} := (${e});`)
    .join(' ');
  const body = `$rec.( ${lets} {${parts.join(', ')}} )`;
  const c: Compiled = {
    records: jsonata(m.records ?? '$'),
    batch: jsonata(`$map($, function($rec) { ${body} })`),
    single: jsonata(`(${body.replace(/^\$rec\./, '')})`),
    events: eventIndex(m.abis ?? []),
  };
  compiled.set(m, c);
  return c;
}

function asLoaded(m: Mapping): LoadedMapping {
  const l = m as LoadedMapping;
  return l.resolvedTables && l.abis ? l : prepareMapping(m);
}

function toArray(v: unknown): unknown[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? [...v] : [v];
}

/** A record-level rejection raised inside the engine with its own code. */
class RecordReject extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function errorCode(e: unknown): { code: string; reason: string } {
  if (e instanceof RecordReject) return { code: e.code, reason: e.message };
  if (e instanceof RegistryError) return { code: e.code, reason: e.message };
  const err = e as { message?: string; code?: string };
  return { code: 'ExpressionError', reason: `${err.code ? `${err.code}: ` : ''}${err.message ?? String(e)}` };
}

/**
 * Turn a payload into validated registrations without registering anything.
 *
 * @param payloadText the payload as published (JSON or CSV text)
 * @param mapping the mapping for its format (see {@link detectFormat}); a mapping built in code is prepared on the fly
 * @param target gives ids (`idOf`) so references between instruments need no registry lookup
 * @throws {RegistryError} `ParseError` if the payload cannot be parsed at all, or the mapping is flagged `ignore`.
 */
export async function discover(payloadText: string, mapping: Mapping, target: RegistrationTarget, opts: DiscoverOptions = {}): Promise<DiscoveryResult> {
  const m = asLoaded(mapping);
  const file = opts.file ?? '<payload>';
  if (m.ignore) throw new RegistryError('ParseError', `${file}: mapping ${m.name} does not load this format: ${m.ignore}`);
  const c = compile(m);
  const known = opts.known ?? (target.has ? (id: bigint) => target.has!(id) : () => false);
  const bindings = { tables: m.resolvedTables } as Record<string, unknown>;
  const rejected: Reject[] = [];
  const skipped: Record<string, number> = Object.create(null);
  const bump = (code: string): void => {
    skipped[code] = (skipped[code] ?? 0) + 1;
  };

  // 1-2. parse and select records
  let raw: unknown[];
  const lines: Array<number | undefined> = [];
  if (m.format === 'csv') {
    const { rows } = parseCsvPayload(payloadText, m.csv, file);
    raw = rows.map((r) => r.record);
    rows.forEach((r, i) => {
      lines[i] = r.line;
      if (r.malformed) raw[i] = { __malformed: r.malformed };
    });
  } else {
    const j = cachedJson(payloadText);
    const root = j.ok ? j.value : parseJsonText(payloadText, file);
    bindings.root = root;
    let sel: unknown;
    try {
      sel = await c.records.evaluate(root, bindings);
    } catch (e) {
      throw new RegistryError('ParseError', `${file}: records expression of ${m.name} failed: ${(e as Error).message}`);
    }
    if (m.entries) {
      raw = [];
      for (const obj of toArray(sel)) {
        if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) continue;
        for (const k of Object.keys(obj)) raw.push({ key: k, value: (obj as Record<string, unknown>)[k] });
      }
    } else raw = toArray(sel);
  }
  const recordsSeen = raw.length;

  // prevalidate, decode logs
  const live: number[] = [];
  const input: unknown[] = [];
  const reject = (i: number, code: string, reason: string, key?: string): void => {
    rejected.push({ record: i, ...(lines[i] !== undefined ? { line: lines[i] } : {}), ...(key !== undefined ? { key } : {}), code, reason });
  };
  raw.forEach((r, i) => {
    if (r === null || typeof r !== 'object' || Array.isArray(r)) return reject(i, 'MalformedRecord', `record is ${r === null ? 'null' : Array.isArray(r) ? 'an array' : typeof r}, not an object`);
    const mal = (r as { __malformed?: string }).__malformed;
    if (typeof mal === 'string' && Object.keys(r).length === 1) return reject(i, 'MalformedRecord', `CSV row has ${mal}`);
    const fk = m.entries && FORBIDDEN_KEYS.has(String((r as { key?: unknown }).key)) ? String((r as { key?: unknown }).key) : forbiddenKey(r);
    if (fk) return reject(i, 'ForbiddenKey', `record contains the key ${JSON.stringify(fk)}`);
    let rec = r as Record<string, unknown>;
    if (c.events.size > 0) {
      const d = decodeLog(rec, c.events);
      if (d.kind === 'other') return bump('OtherEvent');
      if (d.kind === 'error') return reject(i, 'DecodeError', d.reason);
      rec = d.record;
    }
    live.push(i);
    input.push(rec);
  });

  // 3. one evaluation for all records; isolate failures record by record
  let outs: unknown[];
  try {
    outs = input.length === 0 ? [] : toArray(await c.batch.evaluate(input, bindings));
    if (outs.length !== input.length) throw new Error('record count changed');
  } catch {
    outs = [];
    for (let n = 0; n < input.length; n++) {
      try {
        outs.push(await c.single.evaluate(input[n], bindings));
      } catch (e) {
        outs.push(new Error((e as Error).message ?? String(e)));
      }
    }
  }

  // 4. convert, validate, derive ids, de-duplicate
  const missing = new Set(m.missing ?? ['']);
  const seenIds = new Map<bigint, { record: number; own: boolean; input: InstrumentInput }>();
  const bySymbol = new Map<string, { id: bigint; record: number }>();
  const records: DiscoveredRecord[] = [];
  const registrations: InstrumentInput[] = [];

  for (let n = 0; n < live.length; n++) {
    const i = live[n];
    const out = outs[n] as Record<string, unknown> | Error;
    if (out instanceof Error) {
      reject(i, 'ExpressionError', `mapping expression failed: ${out.message}`);
      continue;
    }
    const k = out?.k;
    const key = k === undefined || k === null ? undefined : typeof k === 'object' ? JSON.stringify(k) : String(k);
    const skipIdx = (m.skip ?? []).findIndex((_, s) => out[`s${s}`] === true);
    if (skipIdx >= 0) {
      bump(m.skip![skipIdx].code);
      continue;
    }
    const active = m.instruments.map((t, j) => (t.when ? out[`w${j}`] === true : true));
    if (!active.includes(true)) {
      reject(i, 'NoInstrument', 'no instrument template applies to this record', key);
      continue;
    }
    try {
      const refs = new Map<string, bigint>();
      const got: DiscoveredInstrument[] = [];
      m.instruments.forEach((t, j) => {
        if (!active[j]) return;
        const vals = (out[`t${j}`] ?? {}) as Record<string, unknown>;
        const inst: Record<string, unknown> = { kind: t.kind };
        for (const [f, spec] of Object.entries(t.fields) as Array<[string, FieldSpec]>) {
          if (typeof spec === 'object' && 'const' in spec) inst[f] = spec.const;
          else if (typeof spec === 'object' && 'ref' in spec) {
            const id = refs.get(spec.ref);
            if (id === undefined) throw new RecordReject('InvalidField', `${t.as}.${f}: referenced instrument "${spec.ref}" is not present in this record`);
            inst[f] = id;
          } else {
            let v = Object.prototype.hasOwnProperty.call(vals, f) ? vals[f] : undefined;
            if (typeof v === 'string' && missing.has(v.trim())) v = undefined;
            if (v === undefined || v === null) continue;
            inst[f] = convertValue(typeof spec === 'object' ? spec.convert : undefined, v, f, m.resolvedTables);
          }
        }
        const norm = validateInstrument(inst as unknown as InstrumentInput);
        const id = target.idOf(norm);
        refs.set(t.as, id);
        got.push({ as: t.as, id, input: norm, emit: false, placeholder: t.placeholder === true });
      });
      // de-duplication and payload-internal conflicts
      for (const g of got) {
        const t = m.instruments.find((x) => x.as === g.as)!;
        const prev = seenIds.get(g.id);
        if (prev && !t.shared && prev.own) {
          throw new RecordReject('DuplicateRecord', `${g.input.venue}:${g.input.symbol} duplicates record ${prev.record}`);
        }
        const sk = `${g.input.venue}\u0000${g.input.symbol}`;
        const ps = bySymbol.get(sk);
        if (ps && ps.id !== g.id && symbolIsUnique(g.input.kind) && !(t.placeholder && known(g.id))) {
          throw new RecordReject('DuplicateSymbol', `${g.input.venue}:${g.input.symbol} is already a different instrument (record ${ps.record})`);
        }
      }
      for (const g of got) {
        const t = m.instruments.find((x) => x.as === g.as)!;
        if (!seenIds.has(g.id)) {
          g.emit = !(t.placeholder && known(g.id));
          seenIds.set(g.id, { record: i, own: !t.shared, input: g.input });
          if (g.emit) {
            bySymbol.set(`${g.input.venue}\u0000${g.input.symbol}`, { id: g.id, record: i });
            registrations.push(g.input);
          }
        } else if (!t.shared) seenIds.get(g.id)!.own = true;
      }
      records.push({ record: i, ...(key !== undefined ? { key } : {}), instruments: got });
    } catch (e) {
      const { code, reason } = errorCode(e);
      reject(i, code, reason, key);
    }
  }
  return { registrations, rejected, skipped: { ...skipped }, recordsSeen, records };
}

const REF_FIELDS = ['baseId', 'quoteId', 'settleId', 'token0Id', 'token1Id', 'underlyingId'] as const;

function refersTo(inst: InstrumentInput, id: bigint): boolean {
  const o = inst as unknown as Record<string, unknown>;
  return REF_FIELDS.some((f) => o[f] === id) || (inst.kind === 'synthetic' && inst.legs.some((l) => l.id === id));
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
  added: number;
  updated: number;
  /** Instruments the target already held unchanged. */
  alreadyPresent: number;
  /** Skipped records by code (mapping `skip` rules, logs of other events). */
  skipped: Record<string, number>;
  /** Rejected records by reason code. */
  rejected: Record<string, number>;
  /** The first rejected records in detail (at most `maxRejects`). */
  rejects: Reject[];
  /** Set when the mapping is flagged `ignore`: why the file was not loaded. */
  ignored?: string;
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
 * as rejected; shared dependencies registered just before (a currency, a token) stay: they are
 * valid instruments on their own. A `placeholder` instrument refused with `DuplicateSymbol`
 * (the venue + symbol is already held, e.g. by the same stock registered with its ISIN) counts
 * as already present, unless the record's other instruments reference it.
 *
 * @throws {RegistryError} `ParseError` if the file cannot be read or parsed (with position),
 *   `UnknownFormat` if no mapping fits it.
 */
export async function loadPayload(filePath: string, target: RegistrationTarget, mappings: readonly Mapping[], opts: LoadOptions = {}): Promise<SourceStats> {
  const file = basename(filePath);
  let text: string;
  try {
    text = await readFile(filePath, 'utf8');
  } catch (e) {
    throw new RegistryError('ParseError', `${filePath}: cannot read: ${(e as Error).message}`);
  }
  const mapping = detectFormat(text, file, mappings);
  if (!mapping) throw new RegistryError('UnknownFormat', `${filePath}: no mapping fits this payload`);
  const stats: SourceStats = { file, mapping: mapping.name, recordsSeen: 0, instruments: 0, registered: 0, added: 0, updated: 0, alreadyPresent: 0, skipped: {}, rejected: {}, rejects: [] };
  if (mapping.ignore) return { ...stats, ignored: mapping.ignore };
  const session = opts.session ?? new Set<bigint>();
  const known = (id: bigint): boolean => session.has(id) || (target.has ? target.has(id) : false);
  const res = await discover(text, mapping, target, { known, file: filePath });
  const maxRejects = opts.maxRejects ?? 20;
  const rejects = [...res.rejected];
  const failed = new Set<bigint>();
  for (const rec of res.records) {
    try {
      const dep = rec.instruments.find((g) => failed.has(g.id));
      if (dep) throw new RecordReject('DependencyRejected', `${dep.input.venue}:${dep.input.symbol} was refused by the target`);
      for (const g of rec.instruments) {
        if (!g.emit) continue;
        try {
          const r = target.registerInstrument(g.input);
          session.add(r.id);
          if (r.outcome === 'added') stats.added++;
          else if (r.outcome === 'updated') stats.updated++;
          else stats.alreadyPresent++;
        } catch (e) {
          // A placeholder whose venue + symbol the target already holds (e.g. a stock known
          // there with its ISIN) defers to it, unless another instrument of the record refers to it.
          if (g.placeholder && e instanceof DuplicateSymbolError && !rec.instruments.some((o) => o !== g && refersTo(o.input, g.id))) {
            stats.alreadyPresent++;
            continue;
          }
          failed.add(g.id);
          throw e;
        }
      }
    } catch (e) {
      const { code, reason } = errorCode(e);
      rejects.push({ record: rec.record, ...(rec.key !== undefined ? { key: rec.key } : {}), code, reason });
    }
  }
  stats.recordsSeen = res.recordsSeen;
  stats.instruments = res.registrations.length;
  stats.registered = stats.added + stats.updated;
  stats.skipped = res.skipped;
  for (const r of rejects) stats.rejected[r.code] = (stats.rejected[r.code] ?? 0) + 1;
  stats.rejects = rejects.sort((a, b) => a.record - b.record).slice(0, maxRejects);
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
 */
export async function loadDirectory(
  dir: string,
  target: RegistrationTarget,
  opts: LoadOptions & { mappings?: readonly Mapping[]; onProgress?(done: number, total: number): void } = {},
): Promise<DirectoryStats> {
  const { loadMappings } = await import('./mapping.js');
  const mappings = opts.mappings ?? (await loadMappings());
  const out: DirectoryStats = { files: [], ignored: [], failed: [] };
  const plan: Array<{ path: string; file: string; priority: number }> = [];
  for (const file of (await readdir(dir)).sort()) {
    const path = join(dir, file);
    if (file.startsWith('.') || !(await stat(path)).isFile()) continue;
    if (!/\.(json|csv)$/i.test(file)) {
      out.ignored.push({ file, reason: 'not a payload (only .json and .csv files are loaded)' });
      continue;
    }
    const m = detectFormat(await readFile(path, 'utf8'), file, mappings);
    if (!m) out.ignored.push({ file, reason: 'no mapping fits this payload' });
    else if (m.ignore) out.ignored.push({ file, reason: `${m.name}: ${m.ignore}` });
    else plan.push({ path, file, priority: m.priority ?? 50 });
  }
  plan.sort((a, b) => a.priority - b.priority || a.file.localeCompare(b.file));
  const session = opts.session ?? new Set<bigint>();
  let done = 0;
  for (const p of plan) {
    try {
      out.files.push(await loadPayload(p.path, target, mappings, { ...opts, session }));
    } catch (e) {
      if (!(e instanceof RegistryError)) throw e;
      out.failed.push({ file: p.file, error: e.message });
    }
    opts.onProgress?.(++done, plan.length);
  }
  return out;
}
