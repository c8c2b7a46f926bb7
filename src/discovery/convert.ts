/**
 * Generic field conversions used by mapping files (`"convert": [...]`). Every conversion is
 * venue-neutral; venue specifics live in the mapping (tables, expressions).
 *
 * Named conversions: `string`, `trim`, `lower`, `upper`, `decimal` (→ exact `Fixed` via
 * `parseFixed`), `decimalTruncate` (like `decimal`, but a value too precise for a `Fixed`
 * (raw > 2^64 − 1) loses fractional digits toward zero until it fits — for limits such as a
 * maximum quantity published with 16 decimals), `decimalsOf` (decimals of a decimal string, e.g. a tick size `"0.01"` → 2),
 * `int`, `number`, `bool`, `ms` (epoch ms number/string or ISO 8601 date → ms),
 * `sec` (epoch seconds → ms), `thirdFriday` (`"YYYY-MM"` → ms of that month's third Friday
 * 00:00 UTC, the usual equity-index futures expiry), `percentToBps` (0.26 % → 26 bps, exact),
 * `fractionToBps` (0.0026 → 26 bps, exact).
 * Table conversions: `{ "map": "<table>" }` (strict: unknown value rejects the record with
 * `InvalidEnum`), `{ "alias": "<table>" }` (replace if listed, else keep),
 * `{ "lookup": "<table>", "fallback": "CHAIN-{}" }` (replace if listed, else the fallback
 * template with `{}` = the value). `{ "template": "x{}y" }` formats the value.
 * Exact decimal arithmetic: `{ "multiply": "<decimal>" }` and `{ "divide": "<decimal>" }` take a
 * decimal value (string or number, optionally negative) and give the exact result as a decimal
 * string (a division whose result needs more than 40 decimals is refused), e.g. a contract
 * multiplier or a percent: `{ "divide": "100" }` then `decimal`. No floating point is involved.
 *
 * @module
 */
import { argObject, argString } from '../args.js';
import { ValidationError } from '../errors.js';
import { formatFixed, parseFixed } from '../model/fixed.js';

/** One conversion step: a conversion name or a table / template object. */
export type ConvertStep =
  | string
  | { map: string; default?: string | number | boolean }
  | { alias: string }
  | { lookup: string; fallback?: string }
  | { template: string }
  | { multiply: string }
  | { divide: string };

/** Names of the built-in conversions. */
export const CONVERSION_NAMES = new Set([
  'string',
  'trim',
  'lower',
  'upper',
  'decimal',
  'decimalTruncate',
  'decimalsOf',
  'int',
  'number',
  'bool',
  'ms',
  'sec',
  'thirdFriday',
  'percentToBps',
  'fractionToBps',
]);

function scalarText(v: unknown, field: string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'bigint') return v.toString();
  throw new ValidationError('InvalidField', field, `expected a string or number, got ${describe(v)}`);
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (v === null) return 'null';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'number') return `number ${Object.is(v, -0) ? '-0' : String(v)}`; // JSON.stringify writes Infinity as null
  return `${typeof v} ${JSON.stringify(v)?.slice(0, 40)}`;
}

/** Exact `value × 10^shift` of a (possibly negative) decimal, as a JS number. */
function shiftDecimal(v: unknown, shift: number, field: string): number {
  let t = scalarText(v, field).trim();
  const neg = t.startsWith('-');
  if (neg) t = t.slice(1);
  const f = parseFixed(t, field);
  const scaled = { raw: f.raw * (f.scale >= shift ? 1n : 10n ** BigInt(shift - f.scale)), scale: Math.max(0, f.scale - shift) };
  const n = Number(formatFixed(scaled));
  return neg ? -n : n;
}

/** A signed decimal as an exact integer and a scale: value = int × 10^-scale. */
function signedDecimal(text: string, field: string): { int: bigint; scale: number } {
  let t = text.trim();
  const neg = t.startsWith('-');
  if (neg) t = t.slice(1);
  const f = parseFixed(t, field);
  return { int: neg ? -f.raw : f.raw, scale: f.scale };
}

function decimalText(int: bigint, scale: number): string {
  const neg = int < 0n;
  const s = (neg ? -int : int).toString().padStart(scale + 1, '0');
  let out = scale === 0 ? s : `${s.slice(0, s.length - scale)}.${s.slice(s.length - scale)}`;
  if (scale > 0) out = out.replace(/\.?0+$/, '');
  return neg && out !== '0' ? `-${out}` : out;
}

/** Exact `v × operand` or `v ÷ operand` as a decimal string. */
function exactArithmetic(v: unknown, operand: string, op: 'multiply' | 'divide', field: string): string {
  const a = signedDecimal(scalarText(v, field), field);
  const b = signedDecimal(operand, field);
  if (op === 'multiply') return decimalText(a.int * b.int, a.scale + b.scale);
  if (b.int === 0n) throw new ValidationError('InvalidField', field, 'division by zero');
  // a / b = (a.int × 10^b.scale) / (b.int × 10^a.scale): find the shortest exact decimal expansion
  const n = a.int * 10n ** BigInt(b.scale);
  const d = b.int * 10n ** BigInt(a.scale);
  for (let k = 0; k <= 40; k++) {
    const nk = n * 10n ** BigInt(k);
    if (nk % d === 0n) return decimalText(nk / d, k);
  }
  throw new ValidationError('InvalidField', field, `${op} by ${operand} has no exact decimal result within 40 decimals`);
}

function toMs(v: unknown, field: string): number {
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) throw new ValidationError('InvalidField', field, `not an integer epoch ms: ${v}`);
    return v;
  }
  if (typeof v !== 'string') throw new ValidationError('InvalidField', field, `expected a date, got ${describe(v)}`);
  const t = v.trim();
  if (/^-?\d+$/.test(t)) return toMs(Number(t), field);
  // Date-times without a zone are taken as UTC.
  const iso = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(t) ? `${t.replace(' ', 'T')}Z` : t;
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) throw new ValidationError('InvalidField', field, `not a date: ${JSON.stringify(t.slice(0, 40))}`);
  return ms;
}

function thirdFriday(v: unknown, field: string): number {
  const m = /^(\d{4})-(\d{2})$/.exec(scalarText(v, field).trim());
  if (!m) throw new ValidationError('InvalidField', field, `thirdFriday expects "YYYY-MM", got ${describe(v)}`);
  const y = Number(m[1]);
  const mo = Number(m[2]) - 1;
  if (mo < 0 || mo > 11) throw new ValidationError('InvalidField', field, `bad month in ${m[0]}`);
  const firstDow = new Date(Date.UTC(y, mo, 1)).getUTCDay();
  const firstFriday = 1 + ((5 - firstDow + 7) % 7);
  return Date.UTC(y, mo, firstFriday + 14);
}

function tableLookup(table: Record<string, unknown> | undefined, key: unknown, tableName: string, field: string): { hit: boolean; value: unknown } {
  if (!table) throw new ValidationError('InvalidField', field, `unknown table ${tableName}`);
  const k = typeof key === 'string' || typeof key === 'number' || typeof key === 'boolean' ? String(key) : undefined;
  if (k !== undefined && Object.prototype.hasOwnProperty.call(table, k)) return { hit: true, value: table[k] };
  return { hit: false, value: undefined };
}

/**
 * Apply one conversion step.
 * @param tables the mapping's resolved tables
 * @throws {ValidationError} `InvalidField` (bad value) or `InvalidEnum` (value missing from a `map` table).
 */
export function applyStep(step: ConvertStep, v: unknown, field: string, tables: Record<string, Record<string, unknown>>): unknown {
  if (typeof step === 'object') {
    if ('map' in step) {
      const r = tableLookup(tables[step.map], v, step.map, field);
      if (r.hit) return r.value;
      if (step.default !== undefined) return step.default;
      throw new ValidationError('InvalidEnum', field, `${describe(v)} is not in table ${step.map}`);
    }
    if ('alias' in step) {
      const r = tableLookup(tables[step.alias], v, step.alias, field);
      return r.hit ? r.value : v;
    }
    if ('lookup' in step) {
      const r = tableLookup(tables[step.lookup], v, step.lookup, field);
      if (r.hit) return r.value;
      if (step.fallback !== undefined) return step.fallback.replaceAll('{}', scalarText(v, field));
      throw new ValidationError('InvalidEnum', field, `${describe(v)} is not in table ${step.lookup}`);
    }
    if ('multiply' in step) return exactArithmetic(v, step.multiply, 'multiply', field);
    if ('divide' in step) return exactArithmetic(v, step.divide, 'divide', field);
    return step.template.replaceAll('{}', scalarText(v, field));
  }
  switch (step) {
    case 'string':
      return scalarText(v, field);
    case 'trim':
      return scalarText(v, field).trim();
    case 'lower':
      return scalarText(v, field).toLowerCase();
    case 'upper':
      return scalarText(v, field).toUpperCase();
    case 'decimal':
      return parseFixed(scalarText(v, field), field);
    case 'decimalTruncate': {
      let t = scalarText(v, field).trim();
      for (;;) {
        try {
          return parseFixed(t, field);
        } catch (e) {
          const m = /^(\d+)\.(\d+)$/.exec(t);
          if (!m || !String((e as Error).message).includes('2^64')) throw e;
          t = m[2].length > 1 ? `${m[1]}.${m[2].slice(0, -1)}` : m[1];
        }
      }
    }
    case 'decimalsOf':
      return parseFixed(scalarText(v, field), field).scale;
    case 'int': {
      const n = typeof v === 'number' ? v : /^\s*-?\d+\s*$/.test(scalarText(v, field)) ? Number(v) : NaN;
      if (!Number.isSafeInteger(n)) throw new ValidationError('InvalidField', field, `not an integer: ${describe(v)}`);
      return n;
    }
    case 'number': {
      const n = typeof v === 'number' ? v : Number(scalarText(v, field).trim());
      if (!Number.isFinite(n) || (typeof v === 'string' && v.trim() === '')) throw new ValidationError('InvalidField', field, `not a number: ${describe(v)}`);
      return n;
    }
    case 'bool':
      if (typeof v === 'boolean') return v;
      if (v === 'true' || v === 1 || v === '1') return true;
      if (v === 'false' || v === 0 || v === '0') return false;
      throw new ValidationError('InvalidField', field, `not a boolean: ${describe(v)}`);
    case 'ms':
      return toMs(v, field);
    case 'sec': {
      const s = typeof v === 'number' ? v : Number(scalarText(v, field));
      if (!Number.isFinite(s)) throw new ValidationError('InvalidField', field, `not epoch seconds: ${describe(v)}`);
      return Math.round(s * 1000);
    }
    case 'thirdFriday':
      return thirdFriday(v, field);
    case 'percentToBps':
      return shiftDecimal(v, 2, field);
    case 'fractionToBps':
      return shiftDecimal(v, 4, field);
    default:
      throw new ValidationError('InvalidField', field, `unknown conversion ${step}`);
  }
}

const STEP_KEYS: Record<string, 'string'> = { map: 'string', alias: 'string', lookup: 'string', template: 'string', multiply: 'string', divide: 'string' };

/** A step as {@link ConvertStep} describes it: a conversion name, or an object with one step key holding a string. */
function checkStep(step: unknown, field: string): ConvertStep {
  if (typeof step === 'string') return step;
  const key = typeof step === 'object' && step !== null ? Object.keys(step).find((k) => Object.prototype.hasOwnProperty.call(STEP_KEYS, k)) : undefined;
  if (key === undefined || typeof (step as Record<string, unknown>)[key] !== 'string') {
    throw new ValidationError(
      'InvalidField',
      field,
      `unknown conversion step ${typeof step === 'object' && step !== null ? JSON.stringify(Object.keys(step)) : typeof step}`,
    );
  }
  return step as ConvertStep;
}

/**
 * Apply a conversion pipeline (one step or a list) to a value.
 * @throws {ValidationError} `InvalidField` for a step that is no conversion (see {@link ConvertStep}),
 *   and the step's own errors (see `applyStep`).
 * @throws {RegistryError} `InvalidArgument` if `tables` is not an object or `field` not a string.
 */
export function convertValue(
  steps: ConvertStep | ConvertStep[] | undefined,
  v: unknown,
  field: string,
  tables: Record<string, Record<string, unknown>>,
): unknown {
  argString(field, 'field');
  argObject(tables, 'tables');
  if (steps === undefined) return v;
  return applySteps(
    (Array.isArray(steps) ? steps : [steps]).map((s) => checkStep(s, field)),
    v,
    field,
    tables,
  );
}

/** @internal {@link convertValue} without its argument checks (the engine's path: mappings are validated when loaded). */
export function applySteps(
  steps: ConvertStep | ConvertStep[] | undefined,
  v: unknown,
  field: string,
  tables: Record<string, Record<string, unknown>>,
): unknown {
  if (steps === undefined) return v;
  let out = v;
  for (const s of Array.isArray(steps) ? steps : [steps]) out = applyStep(s, out, field, tables);
  return out;
}
