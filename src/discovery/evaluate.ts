/**
 * Per-record evaluation of a mapping: its expressions compiled once per mapping
 * (`compile.ts`), then, per record, the skip rules, `let` bindings, key, template conditions and
 * the fields of the templates that apply — on closures alone when they decide
 * ({@link evaluateRecordSync}), with JSONata otherwise ({@link evaluateRecord}).
 *
 * @module
 */
import { FALLBACK, LIMIT_CODES, RECORDS_EXPRESSION_LIMITS, compileExpr, evaluateExpr, type CompiledExpr, type Vars } from './compile.js';
import type { ConvertStep } from './convert.js';
import { eventIndex, type EventIndex } from './evm.js';
import type { FieldSpec, LoadedMapping, Mapping } from './mapping.js';

/** How one template field gets its value. */
export type FieldPlan =
  | { field: string; type: 'const'; value: unknown }
  | { field: string; type: 'ref'; ref: string }
  | { field: string; type: 'expr'; convert: ConvertStep | ConvertStep[] | undefined };

function fieldPlan(field: string, spec: FieldSpec): FieldPlan {
  if (typeof spec === 'object' && 'const' in spec) return { field, type: 'const', value: spec.const };
  if (typeof spec === 'object' && 'ref' in spec) return { field, type: 'ref', ref: spec.ref };
  return { field, type: 'expr', convert: typeof spec === 'object' ? spec.convert : undefined };
}

/** A mapping's expressions, compiled once (see `compile.ts`). */
export interface Compiled {
  records: CompiledExpr;
  key: CompiledExpr | undefined;
  lets: Array<[string, CompiledExpr]>;
  skips: CompiledExpr[];
  /** Per skip rule: it mentions a `let` variable, so the bindings are evaluated before it. */
  skipNeedsLets: boolean[];
  whens: Array<CompiledExpr | undefined>;
  /** Per template: its expression fields. */
  fields: Array<Array<[string, CompiledExpr]>>;
  events: EventIndex;
  /** Template name (`as`) → index. */
  templateIndex: Map<string, number>;
  /** Per template: every field in declaration order, how it gets its value. */
  plans: FieldPlan[][];
  /** Some per-record expression has a closure: try {@link evaluateRecordSync} first (it hands over to JSONata only when a record reaches an expression without one). */
  anyNative: boolean;
}

const compiled = new WeakMap<Mapping, Compiled>();

/** The compiled expressions of a mapping (compiled once per mapping, cached by identity). */
export function compile(m: LoadedMapping): Compiled {
  const hit = compiled.get(m);
  if (hit) return hit;
  const letNames = new Set(Object.keys(m.let ?? {}));
  const ce = (e: string): CompiledExpr => compileExpr(e, letNames);
  const c: Compiled = {
    records: compileExpr(m.records ?? '$', letNames, RECORDS_EXPRESSION_LIMITS),
    key: m.key ? ce(m.key) : undefined,
    lets: Object.entries(m.let ?? {}).map(([v, e]) => [v, ce(e)]),
    skips: (m.skip ?? []).map((s) => ce(s.when)),
    skipNeedsLets: (m.skip ?? []).map((s) => [...letNames].some((v) => new RegExp(`\\$${v}(?![A-Za-z0-9_])`).test(s.when))),
    whens: m.instruments.map((t) => (t.when ? ce(t.when) : undefined)),
    fields: m.instruments.map((t) =>
      Object.entries(t.fields)
        .map(([f, spec]): [string, string | undefined] => [f, typeof spec === 'string' ? spec : 'expr' in spec ? spec.expr : undefined])
        .filter((x): x is [string, string] => x[1] !== undefined)
        .map(([f, e]) => [f, ce(e)]),
    ),
    events: eventIndex(m.abis ?? []),
    templateIndex: new Map(m.instruments.map((t, j) => [t.as, j])),
    plans: m.instruments.map((t) => Object.entries(t.fields).map(([f, spec]) => fieldPlan(f, spec))),
    anyNative: false,
  };
  c.anyNative = [c.key, ...c.lets.map((x) => x[1]), ...c.skips, ...c.whens, ...c.fields.flat().map((x) => x[1])].some(
    (e) => e !== undefined && e.native !== undefined,
  );
  compiled.set(m, c);
  return c;
}

/** What one record's expressions gave: key, first skip rule that holds, active templates, raw field values. */
export interface Evaluated {
  key: unknown;
  skip: number;
  active: boolean[];
  values: Array<Record<string, unknown>>;
}

/**
 * A JSONata error raised at an `EXPRESSION_LIMITS` bound, or a resource `RangeError` (string
 * longer than V8 allows, call stack exhausted) raised while evaluating.
 */
export function isLimit(e: unknown): boolean {
  if (e instanceof RangeError) return true;
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && LIMIT_CODES.has(code);
}

/** Evaluate one compiled expression (closure or JSONata) on `input` with bindings `vars`. */
export async function value(c: CompiledExpr, input: unknown, vars: Vars): Promise<unknown> {
  const v = evaluateExpr(c, input, vars);
  return v instanceof Promise ? await v : v;
}

/** Thrown by {@link evaluateRecordSync} when some expression of the record needs JSONata. */
export const NEEDS_JSONATA = Symbol('needs-jsonata');

function valueSync(c: CompiledExpr, input: unknown, vars: Vars): unknown {
  if (!c.native) throw NEEDS_JSONATA;
  const v = c.native(input, vars);
  if (v === FALLBACK) throw NEEDS_JSONATA;
  return v;
}

/**
 * Evaluate one record with closures only (throws `NEEDS_JSONATA` when an expression has none):
 * the skip rules in order up to the first that holds (the `let` bindings are evaluated first only
 * for a rule that uses one, so a binding that fails on a record a rule drops does not reject it),
 * then the `let` bindings, key, template conditions, and the fields of the templates that apply.
 */
export function evaluateRecordSync(c: Compiled, rec: unknown, base: Vars): Evaluated {
  const vars: Vars = { ...base };
  let bound = false;
  for (let s = 0; s < c.skips.length; s++) {
    if (!bound && c.skipNeedsLets[s]) {
      for (const [name, e] of c.lets) vars[name] = valueSync(e, rec, vars);
      bound = true;
    }
    if (valueSync(c.skips[s], rec, vars) === true) return { key: undefined, skip: s, active: [], values: [] };
  }
  if (!bound) for (const [name, e] of c.lets) vars[name] = valueSync(e, rec, vars);
  const key = c.key ? valueSync(c.key, rec, vars) : undefined;
  const active: boolean[] = [];
  for (const w of c.whens) active.push(w ? valueSync(w, rec, vars) === true : true);
  const values: Array<Record<string, unknown>> = [];
  for (let j = 0; j < c.fields.length; j++) {
    const o: Record<string, unknown> = {};
    if (active[j]) {
      for (const [f, e] of c.fields[j]) {
        const v = valueSync(e, rec, vars);
        if (v !== undefined) o[f] = v;
      }
    }
    values.push(o);
  }
  return { key, skip: -1, active, values };
}

/** As {@link evaluateRecordSync}, with JSONata where an expression needs it. */
export async function evaluateRecord(c: Compiled, rec: unknown, base: Vars): Promise<Evaluated> {
  const vars: Vars = { ...base };
  let bound = false;
  for (let s = 0; s < c.skips.length; s++) {
    if (!bound && c.skipNeedsLets[s]) {
      for (const [name, e] of c.lets) vars[name] = await value(e, rec, vars);
      bound = true;
    }
    if ((await value(c.skips[s], rec, vars)) === true) return { key: undefined, skip: s, active: [], values: [] };
  }
  if (!bound) for (const [name, e] of c.lets) vars[name] = await value(e, rec, vars);
  const key = c.key ? await value(c.key, rec, vars) : undefined;
  const active: boolean[] = [];
  for (const w of c.whens) active.push(w ? (await value(w, rec, vars)) === true : true);
  const values: Array<Record<string, unknown>> = [];
  for (let j = 0; j < c.fields.length; j++) {
    const o: Record<string, unknown> = {};
    if (active[j]) {
      for (const [f, e] of c.fields[j]) {
        const v = await value(e, rec, vars);
        if (v !== undefined) o[f] = v;
      }
    }
    values.push(o);
  }
  return { key, skip: -1, active, values };
}

/** Whether `v` starts or ends with whitespace (so `trim` could change it). */
export function padded(v: string): boolean {
  if (v.length === 0) return false;
  const a = v.charCodeAt(0);
  const b = v.charCodeAt(v.length - 1);
  return a <= 32 || b <= 32 || a === 0xa0 || b === 0xa0 || a > 0x7f || b > 0x7f;
}

/**
 * A key identifying an instrument's raw fields exactly (field names with typed scalar values;
 * `Fixed` values by raw and scale), or `undefined` when some value is anything else.
 */
export function memoKey(inst: Record<string, unknown>): string | undefined {
  let k = '';
  for (const f in inst) {
    const v = inst[f];
    const t = typeof v;
    if (t === 'string' || t === 'number' || t === 'boolean' || t === 'bigint') k += `${f}\u0000${t[0]}${Object.is(v, -0) ? '-0' : String(v)}\u0001`;
    else if (
      t === 'object' &&
      v !== null &&
      Object.keys(v as object).length === 2 &&
      typeof (v as { raw?: unknown }).raw === 'bigint' &&
      typeof (v as { scale?: unknown }).scale === 'number'
    ) {
      k += `${f}\u0000F${String((v as { raw: bigint }).raw)}:${String((v as { scale: number }).scale)}\u0001`;
    } else if (v !== undefined) return undefined;
  }
  return k;
}
