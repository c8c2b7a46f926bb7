/**
 * An independent reference for what a mapping makes of one payload, record by record, used by the
 * discovery fuzz suite: its own parsing (`JSON.parse`; csv-parse without the engine's row
 * building), record selection and every expression evaluated by plain JSONata (no compiled
 * closures), forbidden keys and depth checked by its own breadth-first walk, ids by the
 * @noble/hashes BLAKE3 reference (`deriveIdReference`). It shares only the conversion steps, the
 * validator and the log decoder with the engine. It does not de-duplicate across records (the
 * fuzz checker compares the engine's `DuplicateRecord` / `DuplicateSymbol` separately).
 *
 * A record's outcome is a pure function of the mapping and the record's content (no shipped
 * mapping reads `$root`; a mapping that does is never memoised), so {@link RefMemo} keeps the
 * outcome of every record seen, keyed by the mapping and an exact serialisation of the record:
 * the fuzz cases mutate one record of a small payload, and the records left as they were are not
 * evaluated again.
 *
 * @module
 */
import { parse as parseCsv } from 'csv-parse/sync';
import jsonata from 'jsonata';
import { convertValue } from '../../src/discovery/convert.js';
import { decodeLog, eventIndex } from '../../src/discovery/evm.js';
import type { LoadedMapping } from '../../src/discovery/mapping.js';
import { RegistryError } from '../../src/errors.js';
import { deriveIdReference, joinId } from '../../src/id/derive.js';
import type { InstrumentInput } from '../../src/model/types.js';
import { validateInstrument } from '../../src/model/validate.js';

/** The reference outcome of one record. */
export type RefOutcome =
  | { kind: 'accepted'; instruments: Array<{ as: string; id: bigint; input: InstrumentInput }> }
  | { kind: 'rejected'; code: string }
  | { kind: 'skipped'; code: string };

/** The reference outcome of a payload: a file-level failure, or one outcome per record. */
export type RefResult = { kind: 'failed' } | { kind: 'records'; outcomes: RefOutcome[] };

const malformed = new WeakSet<object>();

const cache = new Map<string, jsonata.Expression>();
function expr(s: string): jsonata.Expression {
  let e = cache.get(s);
  if (!e) {
    // no time bound: the reference must be deterministic (the shipped mappings have no loops)
    e = jsonata(s, { stack: 500, sequence: 100_000 });
    cache.set(s, e);
  }
  return e;
}

/** Outcomes of records already evaluated, by mapping and record content (see the module doc). */
export class RefMemo {
  /** Two generations: a full `young` one becomes `old` (the previous `old` is dropped); a hit in `old` moves back. */
  private young = new Map<string, RefOutcome>();
  private old = new Map<string, RefOutcome>();
  private readonly pure = new WeakMap<LoadedMapping, boolean>();
  hits = 0;
  misses = 0;
  /** @param perGeneration records kept per generation (the mutated records of a case are rarely seen again and age out) */
  constructor(private readonly perGeneration = 100_000) {}

  /** Whether a record's outcome depends only on the record (no expression reads `$root`). */
  memoisable(m: LoadedMapping): boolean {
    let p = this.pure.get(m);
    if (p === undefined) {
      const exprs = [m.key, ...Object.values(m.let ?? {}), ...(m.skip ?? []).map((s) => s.when)];
      for (const t of m.instruments) {
        exprs.push(t.when);
        for (const spec of Object.values(t.fields)) exprs.push(typeof spec === 'string' ? spec : 'expr' in spec ? spec.expr : undefined);
      }
      p = !exprs.some((e) => e !== undefined && /\$root(?![A-Za-z0-9_])/.test(e));
      this.pure.set(m, p);
    }
    return p;
  }

  get(key: string): RefOutcome | undefined {
    let o = this.young.get(key);
    if (o === undefined) {
      o = this.old.get(key);
      if (o !== undefined) this.set(key, o);
    }
    if (o) this.hits++;
    else this.misses++;
    return o;
  }

  set(key: string, o: RefOutcome): void {
    if (this.young.size >= this.perGeneration) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(key, o);
  }
}

/** Whether `v` holds a number `JSON.stringify` does not write exactly (-0 as 0, ±Infinity as null), or nests past `depth` levels. */
function inexact(v: unknown, depth: number): boolean {
  if (typeof v === 'number') return !Number.isFinite(v) || Object.is(v, -0);
  if (v === null || typeof v !== 'object') return false;
  if (depth === 0) return true;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (inexact(v[i], depth - 1)) return true;
    return false;
  }
  for (const k in v) if (inexact((v as Record<string, unknown>)[k], depth - 1)) return true;
  return false;
}

/**
 * Exact serialisation of a parsed record: own enumerable keys in order, lone surrogates escaped
 * (well-formed `JSON.stringify`); `undefined` when the record holds a -0 or an infinite number
 * (`1e400` parses to Infinity), which `JSON.stringify` writes as 0 and null, or nests deeper than
 * 80 levels (it is rejected on depth anyway): such a record is not memoised.
 */
function recordKey(m: LoadedMapping, r: unknown): string | undefined {
  if (inexact(r, 80)) return undefined;
  return `${m.name}\u0000${r !== null && typeof r === 'object' && malformed.has(r) ? 'M' : 'R'}${JSON.stringify(r)}`;
}

const recordsCache = new Map<string, jsonata.Expression>();
/** The `records` expression, unbounded (it walks one small payload). */
function recordsExpr(s: string): jsonata.Expression {
  let e = recordsCache.get(s);
  if (!e) recordsCache.set(s, (e = jsonata(s)));
  return e;
}

function depthAndKeys(v: unknown): 'forbidden' | 'deep' | undefined {
  // Breadth-first with explicit depth; the first problem found in either class decides, so compare classes only.
  let level: unknown[] = [v];
  let depth = 1;
  let deep = false;
  while (level.length > 0) {
    const next: unknown[] = [];
    for (const x of level) {
      if (Array.isArray(x)) next.push(...x.filter((y) => y !== null && typeof y === 'object'));
      else if (x !== null && typeof x === 'object') {
        for (const k of Object.keys(x)) {
          if (k === '__proto__' || k === 'constructor' || k === 'prototype') return 'forbidden';
          const y = (x as Record<string, unknown>)[k];
          if (y !== null && typeof y === 'object') next.push(y);
        }
      }
    }
    if (next.length > 0 && depth + 1 > 64) deep = true;
    if (deep) return 'deep';
    level = next;
    depth++;
  }
  return undefined;
}

/**
 * Evaluate the mapping on a payload with the reference pipeline.
 * @param memo outcomes of records seen before (see {@link RefMemo}); none: every record is evaluated
 */
export async function referenceDiscover(text: string, m: LoadedMapping, memo?: RefMemo): Promise<RefResult> {
  const tables = m.resolvedTables;
  let raw: unknown[];
  const base: Record<string, unknown> = { tables };
  const t = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (m.format === 'csv') {
    let rows: Array<Record<string, string>>;
    let width = 0;
    try {
      const all = parseCsv(t, {
        delimiter: m.csv?.delimiter ?? ',',
        quote: m.csv?.quote ?? '"',
        from_line: (m.csv?.skipLines ?? 0) + 1,
        relax_column_count: true,
        skip_empty_lines: true,
      }) as string[][];
      if (all.length === 0) return { kind: 'failed' };
      const header = all[0]!.map((h) => h.trim());
      width = header.length;
      // a "__proto__" column must be an own data property, as in the payload: defineProperty
      // (plain assignment would set the prototype); other names assign as they are
      const proto = header.includes('__proto__');
      rows = all
        .slice(1)
        .filter((r) => !r.every((f) => /^\s*$/.test(f)))
        .map((r) => {
          const o: Record<string, string> = {};
          if (proto) header.forEach((h, i) => Object.defineProperty(o, h, { value: r[i] ?? '', enumerable: true, writable: true, configurable: true }));
          else for (let i = 0; i < width; i++) o[header[i]!] = r[i] ?? '';
          if (r.length !== width) malformed.add(o);
          return o;
        });
    } catch {
      return { kind: 'failed' };
    }
    raw = rows;
  } else {
    let root: unknown;
    try {
      root = JSON.parse(t);
    } catch {
      return { kind: 'failed' };
    }
    base.root = root;
    let sel: unknown;
    try {
      sel = await recordsExpr(m.records ?? '$').evaluate(root, base);
    } catch {
      return { kind: 'failed' };
    }
    const arr = sel === undefined ? [] : Array.isArray(sel) ? [...sel] : [sel];
    if (m.entries) {
      raw = [];
      for (const o of arr)
        if (o !== null && typeof o === 'object' && !Array.isArray(o))
          for (const k of Object.keys(o)) raw.push({ key: k, value: (o as Record<string, unknown>)[k] });
    } else raw = arr;
  }
  const events = eventsOf(m);
  const outcomes: RefOutcome[] = [];
  const useMemo = memo !== undefined && memo.memoisable(m);
  for (const r0 of raw) {
    const key = useMemo ? recordKey(m, r0) : undefined;
    let o = key !== undefined ? memo!.get(key) : undefined;
    if (!o) {
      o = await one(r0, m, base, events);
      if (key !== undefined) memo!.set(key, o);
    }
    outcomes.push(o);
  }
  return { kind: 'records', outcomes };
}

/** A `ref` field naming a template that yielded no instrument in this record. */
class MissingRef extends Error {}

const eventIndexes = new WeakMap<LoadedMapping, ReturnType<typeof eventIndex>>();
function eventsOf(m: LoadedMapping): ReturnType<typeof eventIndex> {
  let e = eventIndexes.get(m);
  if (!e) eventIndexes.set(m, (e = eventIndex(m.abis ?? [])));
  return e;
}

async function one(r0: unknown, m: LoadedMapping, base: Record<string, unknown>, events: ReturnType<typeof eventIndex>): Promise<RefOutcome> {
  if (r0 === null || typeof r0 !== 'object' || Array.isArray(r0)) return { kind: 'rejected', code: 'MalformedRecord' };
  if (malformed.has(r0)) return { kind: 'rejected', code: 'MalformedRecord' };
  // an `entries` record is { key, value } of one property of the payload: its key counts as a key
  if (m.entries && ['__proto__', 'constructor', 'prototype'].includes(String((r0 as { key?: unknown }).key))) return { kind: 'rejected', code: 'ForbiddenKey' };
  const dk = depthAndKeys(r0);
  if (dk === 'forbidden') return { kind: 'rejected', code: 'ForbiddenKey' };
  if (dk === 'deep') return { kind: 'rejected', code: 'LimitExceeded' };
  let rec = r0 as Record<string, unknown>;
  if (events.size > 0) {
    const d = decodeLog(rec, events);
    if (d.kind === 'other') return { kind: 'skipped', code: 'OtherEvent' };
    if (d.kind === 'error') return { kind: 'rejected', code: 'DecodeError' };
    rec = d.record;
  }
  const vars: Record<string, unknown> = { ...base };
  const ev = async (s: string): Promise<unknown> => expr(s).evaluate(rec, vars);
  let active: boolean[];
  const values: Array<Record<string, unknown>> = [];
  try {
    // skip rules first; the let bindings only before a rule that uses one of them
    const lets = Object.entries(m.let ?? {});
    let bound = false;
    const bind = async (): Promise<void> => {
      if (bound) return;
      bound = true;
      for (const [n, e] of lets) vars[n] = await ev(e);
    };
    for (const s of m.skip ?? []) {
      if (lets.some(([n]) => s.when.includes(`$${n}`))) await bind();
      if ((await ev(s.when)) === true) return { kind: 'skipped', code: s.code };
    }
    await bind();
    if (m.key) await ev(m.key);
    active = [];
    for (const t of m.instruments) active.push(t.when ? (await ev(t.when)) === true : true);
    for (let j = 0; j < m.instruments.length; j++) {
      const o: Record<string, unknown> = {};
      if (active[j]) {
        for (const [f, spec] of Object.entries(m.instruments[j]!.fields)) {
          const src = typeof spec === 'string' ? spec : 'expr' in spec ? spec.expr : undefined;
          if (src !== undefined) o[f] = await ev(src);
        }
      }
      values.push(o);
    }
  } catch (e) {
    const code = (e as { code?: string })?.code;
    return {
      kind: 'rejected',
      code: e instanceof RangeError || (code !== undefined && ['D1011', 'D1012', 'D2015', 'D2014'].includes(code)) ? 'ExpressionLimit' : 'ExpressionError',
    };
  }
  if (!active.includes(true)) return { kind: 'rejected', code: 'NoInstrument' };
  const missing = new Set(m.missing ?? ['']);
  const out: Array<{ as: string; id: bigint; input: InstrumentInput }> = [];
  const refs = new Map<string, bigint>();
  try {
    m.instruments.forEach((t, j) => {
      if (!active[j]) return;
      const inst: Record<string, unknown> = { kind: t.kind };
      for (const [f, spec] of Object.entries(t.fields)) {
        if (typeof spec === 'object' && 'const' in spec) inst[f] = spec.const;
        else if (typeof spec === 'object' && 'ref' in spec) {
          if (!active[m.instruments.findIndex((x) => x.as === spec.ref)]) continue; // reference to a template whose when is false
          const id = refs.get(spec.ref);
          if (id === undefined) throw new MissingRef();
          inst[f] = id;
        } else {
          let v = values[j]![f];
          if (typeof v === 'string' && missing.has(v.trim())) v = undefined;
          if (v === undefined || v === null) continue;
          inst[f] = convertValue(typeof spec === 'object' ? spec.convert : undefined, v, f, m.resolvedTables);
        }
      }
      const norm = validateInstrument(inst as unknown as InstrumentInput);
      const d = deriveIdReference(norm);
      const id = joinId(d.idLo, d.idHi);
      refs.set(t.as, id);
      out.push({ as: t.as, id, input: norm });
    });
  } catch (e) {
    // typed errors only: anything else is a defect of the shared conversion / validation code
    return { kind: 'rejected', code: e instanceof RegistryError ? e.code : e instanceof MissingRef ? 'InvalidField' : 'Untyped' };
  }
  return { kind: 'accepted', instruments: out };
}
