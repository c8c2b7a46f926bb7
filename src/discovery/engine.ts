/**
 * The discovery engine: turns a venue payload into normalised instrument registrations,
 * driven entirely by a declarative mapping (`mappings/*.json`, see `docs/mappings.md`).
 *
 * Pipeline for one payload:
 *  1. parse (JSON, or CSV via csv-parse) — an unreadable file raises `ParseError` with a position;
 *  2. select the records (one JSONata expression; `entries` turns an object into records);
 *     records that are not objects, carry `__proto__` / `constructor` / `prototype` keys at any
 *     depth, or nest deeper than `MAX_RECORD_DEPTH` are rejected (`limits.ts`);
 *  3. for `events` mappings, decode logs with viem (other logs are skipped);
 *  4. evaluate the mapping's expressions per record (`evaluate.ts`), each compiled once per mapping
 *     (`compile.ts`: plain paths and simple operators run as JavaScript closures, the rest on
 *     JSONata with time / depth / sequence bounds): skip rules (first true one wins; `let`
 *     bindings first only for a rule that uses one), `let` bindings, key, template conditions,
 *     then the fields of the templates that apply — a record
 *     whose expressions throw is rejected (`ExpressionError`, or `ExpressionLimit` at a bound),
 *     the rest still load;
 *  5. per record: convert fields, validate every instrument and derive ids (`target.idOf`);
 *     a record is rejected WHOLE if any of its instruments fails;
 *  6. de-duplicate (shared dependencies silently; a record's own instrument seen twice is a
 *     `DuplicateRecord`; the same venue + symbol for two ids is a `DuplicateSymbol`).
 *
 * @module
 */
import { argFunction, argObject, argOptions, argString } from '../args.js';
import { RegistryError } from '../errors.js';
import { validateInstrument } from '../model/validate.js';
import { symbolIsUnique, type InstrumentInput } from '../model/types.js';
import type { Vars } from './compile.js';
import { applySteps } from './convert.js';
import { NEEDS_JSONATA, compile, evaluateRecord, evaluateRecordSync, isLimit, memoKey, padded, value, type Evaluated } from './evaluate.js';
import { cachedJson } from './detect.js';
import { decodeLog } from './evm.js';
import { FORBIDDEN_KEYS, MAX_LIMIT_HITS, scanRecord } from './limits.js';
import { prepareMapping, type LoadedMapping, type Mapping } from './mapping.js';
import { parseCsvPayload, parseJsonText } from './parse.js';
import { storedFields } from '../model/stored-fields.js';
import type { DiscoveryReport } from '../writer/metrics.js';
import { checkTarget } from './target.js';

export { loadMappings, prepareMapping, validateMapping, defaultMappingsDir, userMappingsDirs } from './mapping.js';
export type { Mapping, LoadedMapping, InstrumentTemplate, FieldSpec, SkipRule, DetectSpec, DetectCondition, TableSpec, CsvOptions } from './mapping.js';
export { detectFormat, detectPayload, specificity, type Detection } from './detect.js';
export { loadPayload, loadDirectory, readPayload, type SourceStats, type LoadOptions, type DirectoryStats, type PayloadSource } from './load.js';
export { MAX_PAYLOAD_BYTES, MAX_RECORD_DEPTH, MAX_LIMIT_HITS } from './limits.js';
export { EXPRESSION_LIMITS, RECORDS_EXPRESSION_LIMITS } from './compile.js';
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
   * `opts.placeholder`: the instrument defers to the same listing already held (outcome
   * `unchanged`, possibly with the held instrument's id; see `RegisterOptions` in `src/writer/registry-types.ts`).
   */
  registerInstrument(input: InstrumentInput, opts?: { placeholder?: boolean }): { id: bigint; outcome: 'added' | 'unchanged' | 'updated' };
  /** Optional: whether an instrument with this id is registered (lets `placeholder` templates defer to it). */
  has?(id: bigint): boolean;
  /**
   * Optional: validate and derive the id once, returning a token that {@link registerPrepared}
   * registers without doing either again (`InstrumentRegistry.prepare`). Throws like `idOf`.
   */
  prepare?(input: InstrumentInput): { readonly input: InstrumentInput; readonly id: bigint };
  /** Optional: register what {@link prepare} returned (`InstrumentRegistry.registerPrepared`). */
  registerPrepared?(
    p: { readonly input: InstrumentInput; readonly id: bigint },
    opts?: { placeholder?: boolean },
  ): { id: bigint; outcome: 'added' | 'unchanged' | 'updated' };
  /** Optional: receives each loaded file's counts (`loadPayload`), e.g. for `InstrumentRegistry.getMetrics().discovery`. */
  recordDiscovery?(report: DiscoveryReport): void;
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
  /** A `RegistryErrorCode` (`InvalidField`, `InvalidIdentifier`, `InvalidEnum`, `FieldTooLong`, `DuplicateSymbol`, `LimitExceeded`, …) or an engine code (`MalformedRecord`, `ForbiddenKey`, `DecodeError`, `ExpressionError`, `ExpressionLimit`, `NoInstrument`, `DuplicateRecord`, `DependencyRejected`, `UnstoredField`). */
  code: string;
}

/** One instrument a record yields, validated, with its id. */
export interface DiscoveredInstrument {
  /** Template name (`as`). */
  as: string;
  id: bigint;
  input: InstrumentInput;
  /** The target's prepared form of `input` (when the target has `prepare`): registered without a second validation or id derivation. */
  prepared?: { readonly input: InstrumentInput; readonly id: bigint };
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
  /** Values dropped from accepted records because the kind does not store the field and the mapping lists it in `ignoreFields`, by field. */
  ignoredFields: Record<string, number>;
}

/** Options of {@link discover}. */
export interface DiscoverOptions {
  /** Whether an instrument with this id already exists (for `placeholder` templates). Default: `target.has`. */
  known?: (id: bigint) => boolean;
  /** File name used in error messages. */
  file?: string;
  /** The payload already parsed as JSON (e.g. by detection), so it is not parsed again. JSON mappings only. */
  parsed?: unknown;
}

function asLoaded(m: Mapping): LoadedMapping {
  const l = m as LoadedMapping;
  return l.resolvedTables && l.abis ? l : prepareMapping(m);
}

function toArray(v: unknown): unknown[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? [...v] : [v];
}

/** A record-level rejection raised inside the engine with its own code. @internal */
export class RecordReject extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Code and reason of a typed error raised while converting, validating or registering one record
 * (a `RecordReject` or a `RegistryError`). Any other error is a defect, not bad input: it is
 * rethrown rather than counted as a reject under a borrowed code. @internal
 */
export function errorCode(e: unknown): { code: string; reason: string } {
  if (e instanceof RecordReject) return { code: e.code, reason: e.message };
  if (e instanceof RegistryError) return { code: e.code, reason: e.message };
  throw e;
}

/**
 * Turn a payload into validated registrations without registering anything.
 *
 * @param payloadText the payload as published (JSON or CSV text)
 * @param mapping the mapping for its format (see {@link detectFormat}); a mapping built in code is prepared on the fly
 * @param target gives ids (`idOf`) so references between instruments need no registry lookup
 * @throws {RegistryError} `ParseError` if the payload cannot be parsed at all, or the mapping is flagged `ignore`;
 *   `LimitExceeded` if the `records` expression hits an evaluation bound, or {@link MAX_LIMIT_HITS}
 *   records do (the mapping is refused for this payload; nothing of it is to be registered);
 *   `InvalidArgument` if `payloadText` is not a string, `mapping` not an object, `target` not a
 *   {@link RegistrationTarget}, or `opts` not an object (`known` a function, `file` a string).
 */
export async function discover(payloadText: string, mapping: Mapping, target: RegistrationTarget, opts: DiscoverOptions = {}): Promise<DiscoveryResult> {
  argString(payloadText, 'payloadText');
  argObject(mapping, 'mapping');
  checkTarget(target);
  argOptions(opts);
  argFunction(opts.known, 'known', true);
  if (opts.file !== undefined) argString(opts.file, 'file');
  const m = asLoaded(mapping);
  const file = opts.file ?? '<payload>';
  if (m.ignore) throw new RegistryError('ParseError', `${file}: mapping ${m.name} does not load this format: ${m.ignore}`);
  const c = compile(m);
  const known = opts.known ?? (target.has ? (id: bigint) => target.has!(id) : () => false);
  const bindings: Vars = { tables: m.resolvedTables };
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
    let root: unknown;
    if (opts.parsed !== undefined) root = opts.parsed;
    else {
      const j = cachedJson(payloadText);
      root = j.ok ? j.value : parseJsonText(payloadText, file);
    }
    bindings.root = root;
    let sel: unknown;
    try {
      sel = await value(c.records, root, bindings);
    } catch (e) {
      if (isLimit(e))
        throw new RegistryError('LimitExceeded', `${file}: records expression of ${m.name} exceeded an evaluation bound: ${(e as Error).message}`);
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
    if (r === null || typeof r !== 'object' || Array.isArray(r))
      return reject(i, 'MalformedRecord', `record is ${r === null ? 'null' : Array.isArray(r) ? 'an array' : typeof r}, not an object`);
    const mal = (r as { __malformed?: string }).__malformed;
    if (typeof mal === 'string' && Object.keys(r).length === 1) return reject(i, 'MalformedRecord', `CSV row has ${mal}`);
    if (m.entries && FORBIDDEN_KEYS.has(String((r as { key?: unknown }).key)))
      return reject(i, 'ForbiddenKey', `record contains the key ${JSON.stringify(String((r as { key?: unknown }).key))}`);
    const fault = scanRecord(r);
    if (fault) return reject(i, fault.code, fault.reason);
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

  // 3. evaluate each record; isolate failures record by record
  const outs: Array<Evaluated | Error> = [];
  let limitHits = 0;
  for (let n = 0; n < input.length; n++) {
    try {
      let ev: Evaluated | undefined;
      if (c.anyNative) {
        try {
          ev = evaluateRecordSync(c, input[n], bindings);
        } catch (e) {
          if (e !== NEEDS_JSONATA) throw e;
        }
      }
      if (ev === undefined) {
        try {
          ev = await evaluateRecord(c, input[n], bindings);
        } catch (e) {
          // The time bound is wall-clock: a record that met it once (a GC pause, a busy machine)
          // gets one more try before it counts against the mapping.
          if ((e as { code?: unknown } | null)?.code !== 'D1012') throw e;
          ev = await evaluateRecord(c, input[n], bindings);
        }
      }
      outs.push(ev);
    } catch (e) {
      const msg = (e as Error)?.message ?? String(e);
      if (isLimit(e)) {
        if (++limitHits >= MAX_LIMIT_HITS) {
          throw new RegistryError(
            'LimitExceeded',
            `${file}: mapping ${m.name} refused: its expressions exceeded an evaluation bound on ${limitHits} records (last: ${msg})`,
          );
        }
        outs.push(Object.assign(new Error(msg), { limit: true }));
      } else outs.push(new Error(msg));
    }
  }

  // 4. convert, validate, derive ids, de-duplicate
  const missing = new Set(m.missing ?? ['']);
  const seenIds = new Map<bigint, { record: number; own: boolean; input: InstrumentInput }>();
  const bySymbol = new Map<string, { id: bigint; record: number }>();
  const records: DiscoveredRecord[] = [];
  const registrations: InstrumentInput[] = [];
  const sharedMemo = new Map<string, { norm: InstrumentInput; id: bigint; prepared: DiscoveredInstrument['prepared'] }>();
  const ignorable = new Set(m.ignoreFields ?? []);
  const ignoredFields: Record<string, number> = Object.create(null);

  for (let n = 0; n < live.length; n++) {
    const i = live[n];
    const out = outs[n];
    if (out instanceof Error) {
      if ((out as { limit?: boolean }).limit) reject(i, 'ExpressionLimit', `mapping expression exceeded an evaluation bound: ${out.message}`);
      else reject(i, 'ExpressionError', `mapping expression failed: ${out.message}`);
      continue;
    }
    const k = out.key;
    let key: string | undefined;
    try {
      key = k === undefined || k === null ? undefined : typeof k === 'object' ? JSON.stringify(k) : String(k);
    } catch {
      key = '<unprintable key>';
    }
    if (out.skip >= 0) {
      bump(m.skip![out.skip].code);
      continue;
    }
    const active = out.active;
    if (!active.includes(true)) {
      reject(i, 'NoInstrument', 'no instrument template applies to this record', key);
      continue;
    }
    const dropped: string[] = [];
    try {
      const refs = new Map<string, bigint>();
      const got: DiscoveredInstrument[] = [];
      m.instruments.forEach((t, j) => {
        if (!active[j]) return;
        const vals = out.values[j];
        const inst: Record<string, unknown> = { kind: t.kind };
        for (const p of c.plans[j]) {
          const f = p.field;
          if (p.type === 'const') inst[f] = p.value;
          else if (p.type === 'ref') {
            // a reference to a template whose `when` is false leaves the field out
            if (!active[c.templateIndex.get(p.ref)!]) continue;
            const id = refs.get(p.ref);
            if (id === undefined) throw new RecordReject('InvalidField', `${t.as}.${f}: referenced instrument "${p.ref}" is not present in this record`);
            inst[f] = id;
          } else {
            let v = Object.prototype.hasOwnProperty.call(vals, f) ? vals[f] : undefined;
            if (typeof v === 'string' && (missing.has(v) || (padded(v) && missing.has(v.trim())))) v = undefined;
            if (v === undefined || v === null) continue;
            inst[f] = p.convert === undefined ? v : applySteps(p.convert, v, f, m.resolvedTables);
          }
        }
        // A field the kind does not store is never dropped quietly: counted when the mapping
        // declares it ignorable, else the record is rejected.
        const stored = storedFields(t.kind);
        for (const f of Object.keys(inst)) {
          if (stored.has(f)) continue;
          if (!ignorable.has(f))
            throw new RecordReject('UnstoredField', `${t.as}.${f}: kind ${t.kind} does not store ${f} (list it in "ignoreFields" to drop it, counted)`);
          dropped.push(f);
          delete inst[f];
        }
        // A shared dependency (the currencies of CEX pairs) repeats across records: validate and
        // derive its id once per distinct field set (both are pure functions of the fields).
        const mk = t.shared ? memoKey(inst) : undefined;
        const hit = mk === undefined ? undefined : sharedMemo.get(mk);
        let norm: InstrumentInput;
        let id: bigint;
        let prepared: DiscoveredInstrument['prepared'];
        if (hit) ({ norm, id, prepared } = hit);
        else if (target.prepare) {
          // validation and id derivation once, reused by registerPrepared
          prepared = target.prepare(inst as unknown as InstrumentInput);
          ({ input: norm, id } = prepared);
          if (mk !== undefined) sharedMemo.set(mk, { norm, id, prepared });
        } else {
          norm = validateInstrument(inst as unknown as InstrumentInput);
          id = target.idOf(norm);
          if (mk !== undefined) sharedMemo.set(mk, { norm, id, prepared: undefined });
        }
        refs.set(t.as, id);
        got.push({ as: t.as, id, input: norm, emit: false, placeholder: t.placeholder === true, ...(prepared ? { prepared } : {}) });
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
      for (const f of dropped) ignoredFields[f] = (ignoredFields[f] ?? 0) + 1;
    } catch (e) {
      const { code, reason } = errorCode(e);
      reject(i, code, reason, key);
    }
  }
  return { registrations, rejected, skipped: { ...skipped }, recordsSeen, records, ignoredFields: { ...ignoredFields } };
}
