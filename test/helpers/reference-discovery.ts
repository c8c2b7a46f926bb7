/**
 * An independent reference for what a mapping makes of one payload, record by record, used by the
 * discovery fuzz suite: its own parsing (`JSON.parse`; csv-parse with `columns`), record
 * selection and every expression evaluated by plain JSONata (no compiled closures), forbidden
 * keys and depth checked by its own walk, ids by the @noble/hashes BLAKE3 reference
 * (`deriveIdReference`). It shares only the conversion steps, the validator and the log decoder
 * with the engine. It does not de-duplicate across records (the engine's `DuplicateRecord` /
 * `DuplicateSymbol` are compared separately).
 */
import { parse as parseCsv } from 'csv-parse/sync';
import jsonata from 'jsonata';
import { convertValue } from '../../src/discovery/convert.js';
import { decodeLog, eventIndex } from '../../src/discovery/evm.js';
import type { LoadedMapping } from '../../src/discovery/mapping.js';
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

/** Evaluate the mapping on a payload with the reference pipeline. */
export async function referenceDiscover(text: string, m: LoadedMapping): Promise<RefResult> {
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
      rows = all
        .slice(1)
        .filter((r) => !r.every((f) => /^\s*$/.test(f)))
        .map((r) => {
          const o: Record<string, string> = {};
          // defineProperty: a "__proto__" column is an own data property, as in the payload
          header.forEach((h, i) => Object.defineProperty(o, h, { value: r[i] ?? '', enumerable: true, writable: true, configurable: true }));
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
      sel = await jsonata(m.records ?? '$').evaluate(root, base);
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
  const events = eventIndex(m.abis ?? []);
  const outcomes: RefOutcome[] = [];
  for (const r0 of raw) outcomes.push(await one(r0, m, base, events));
  return { kind: 'records', outcomes };
}

async function one(r0: unknown, m: LoadedMapping, base: Record<string, unknown>, events: ReturnType<typeof eventIndex>): Promise<RefOutcome> {
  if (r0 === null || typeof r0 !== 'object' || Array.isArray(r0)) return { kind: 'rejected', code: 'MalformedRecord' };
  if (malformed.has(r0)) return { kind: 'rejected', code: 'MalformedRecord' };
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
          if (id === undefined) throw Object.assign(new Error('ref'), { code: 'InvalidField' });
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
    return { kind: 'rejected', code: (e as { code?: string }).code ?? 'Untyped' };
  }
  return { kind: 'accepted', instruments: out };
}
