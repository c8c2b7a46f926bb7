/**
 * JSON for instruments, views and summaries. `JSON.stringify` throws on `bigint` (ids, the raw
 * part of fixed-point values), so instreg values go through {@link toJsonValue} or
 * {@link stringifyJson}:
 *
 * - a `bigint` (an {@link InstrumentId} or a reference id) → `"0x"` + 16 lower-case hex digits;
 * - a {@link Fixed} (`{ raw, scale }`) → its exact decimal string (`"0.00010000"` keeps the scale
 *   as `formatFixed` does);
 * - non-finite numbers → their string (`"NaN"`, `"Infinity"`); `undefined` members are dropped;
 * - arrays and plain objects recursively; an object with a `toObject()` method (an
 *   {@link InstrumentView}) is converted through it.
 *
 * The CLI prints `--json` output with these functions.
 *
 * @example
 * ```ts
 * import { stringifyJson } from 'instreg/reader';
 * const view = reader.getBySymbol('BINANCE', 'BTCUSDT');
 * if (view) console.log(stringifyJson(view.toObject()));       // {"id":"0x91cd…","tickSize":"0.01",…}
 * JSON.stringify(view?.toObject(), jsonReplacer);               // the same, as a replacer
 * ```
 *
 * @module
 */
import { formatId } from './id/halves.js';
import { RegistryError } from './errors.js';
import { FIXED_SCALE_MAX, formatFixed } from './model/fixed.js';
import type { Fixed } from './model/types.js';

/** A JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A `{ raw, scale }` pair that formats: raw a bigint, scale an integer in 0..FIXED_SCALE_MAX, nothing else. */
function isFixed(v: unknown): v is Fixed {
  if (typeof v !== 'object' || v === null || Object.keys(v).length !== 2) return false;
  const { raw, scale } = v as Fixed;
  return typeof raw === 'bigint' && Number.isInteger(scale) && scale >= 0 && scale <= FIXED_SCALE_MAX;
}

/** Decimal text of a fixed-point pair; a negative raw (a signed quantity) gets a leading `-`. */
function fixedJson(v: Fixed): string {
  return v.raw < 0n ? `-${formatFixed({ raw: -v.raw, scale: v.scale })}` : formatFixed(v);
}

/** Deepest nesting {@link toJsonValue} converts (instreg values nest a few levels). */
export const JSON_MAX_DEPTH = 256;

/** A bigint as JSON: an id (`0x` + 16 hex digits) when it is in 0..2^64 − 1, else its decimal digits. */
function bigintJson(v: bigint): string {
  return v >= 0n && v <= 0xffffffffffffffffn ? formatId(v) : v.toString();
}

/**
 * Convert an instreg value to JSON data (see the module doc for the rules; a bigint outside
 * 0..2^64 − 1, which is no id, becomes its decimal digits).
 *
 * @param v any value: an `Instrument`, a view, a summary, arrays of those.
 * @returns plain JSON data (`JSON.stringify` never throws on it).
 * @throws {RegistryError} `InvalidArgument` if `v` is cyclic or nests deeper than {@link JSON_MAX_DEPTH}.
 */
export function toJsonValue(v: unknown): Json {
  return convert(v, 0, []);
}

function convert(v: unknown, depth: number, path: object[]): Json {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (v === undefined) return null; // as JSON.stringify does inside arrays (object members are dropped)
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (typeof v === 'bigint') return bigintJson(v);
  if (isFixed(v)) return fixedJson(v);
  if (typeof v !== 'object') return String(v);
  if (depth >= JSON_MAX_DEPTH) throw new RegistryError('InvalidArgument', `value nests deeper than ${JSON_MAX_DEPTH} levels`);
  if (path.includes(v)) throw new RegistryError('InvalidArgument', 'value is cyclic (an object contains itself)');
  path.push(v);
  try {
    if (Array.isArray(v)) return v.map((x) => convert(x, depth + 1, path));
    const toObject = (v as { toObject?: unknown }).toObject;
    if (typeof toObject === 'function') return convert(toObject.call(v), depth + 1, path);
    const out: { [key: string]: Json } = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined && typeof x !== 'function') out[k] = convert(x, depth + 1, path);
    return out;
  } finally {
    path.pop();
  }
}

/**
 * A `JSON.stringify` replacer applying the same rules as {@link toJsonValue}
 * (`JSON.stringify(view.toObject(), jsonReplacer)`).
 */
export function jsonReplacer(this: unknown, _key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return bigintJson(value);
  if (isFixed(value)) return fixedJson(value);
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return value;
}

/**
 * `JSON.stringify` of {@link toJsonValue}`(value)`.
 * @throws {RegistryError} `InvalidArgument` as {@link toJsonValue}.
 * @param space indentation, as for `JSON.stringify`.
 */
export function stringifyJson(value: unknown, space?: number | string): string {
  return JSON.stringify(toJsonValue(value), null, space);
}
