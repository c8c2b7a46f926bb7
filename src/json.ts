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
import { formatFixed } from './model/fixed.js';
import type { Fixed } from './model/types.js';

/** A JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isFixed(v: unknown): v is Fixed {
  return typeof v === 'object' && v !== null && typeof (v as Fixed).raw === 'bigint' && typeof (v as Fixed).scale === 'number' && Object.keys(v).length === 2;
}

/**
 * Convert an instreg value to JSON data (see the module doc for the rules).
 *
 * @param v any value: an `Instrument`, a view, a summary, arrays of those.
 * @returns plain JSON data (`JSON.stringify` never throws on it).
 */
export function toJsonValue(v: unknown): Json {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (v === undefined) return null; // as JSON.stringify does inside arrays (object members are dropped)
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (typeof v === 'bigint') return formatId(v);
  if (isFixed(v)) return formatFixed(v);
  if (Array.isArray(v)) return v.map(toJsonValue);
  if (typeof v === 'object') {
    const toObject = (v as { toObject?: unknown }).toObject;
    if (typeof toObject === 'function') return toJsonValue(toObject.call(v));
    const out: { [key: string]: Json } = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined && typeof x !== 'function') out[k] = toJsonValue(x);
    return out;
  }
  return String(v);
}

/**
 * A `JSON.stringify` replacer applying the same rules as {@link toJsonValue}
 * (`JSON.stringify(view.toObject(), jsonReplacer)`).
 */
export function jsonReplacer(this: unknown, _key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return formatId(value);
  if (isFixed(value)) return formatFixed(value);
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return value;
}

/**
 * `JSON.stringify` of {@link toJsonValue}`(value)`.
 *
 * @param space indentation, as for `JSON.stringify`.
 */
export function stringifyJson(value: unknown, space?: number | string): string {
  return JSON.stringify(toJsonValue(value), null, space);
}
