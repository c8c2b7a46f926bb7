/**
 * When a placeholder registration may defer to the instrument already registered under its
 * venue + symbol ({@link sameListing}): the same kind, and no descriptive field the placeholder
 * gives contradicts the held one. A placeholder knows less than the held instrument (e.g. an
 * Alpaca asset without the ISIN that iShares holdings gave the same XNAS listing), which is why
 * their ids differ; any field both carry must agree, or the two are different instruments on one
 * venue + symbol (`DuplicateSymbol`).
 *
 * @module
 */
import { MUTABLE_FIELDS, type Instrument, type InstrumentInput } from '../model/types.js';

/** Fields that do not tell listings apart: what an update may change, and the writer's timestamps. */
const NOT_COMPARED: ReadonlySet<string> = new Set<string>([...MUTABLE_FIELDS, 'createdAt', 'updatedAt', 'id']);

/** Canonical text of a field value (bigint ids, fixed-point values, legs). */
function canon(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x));
}

/**
 * Is `incoming` (a placeholder) the listing `held` already is?
 *
 * @param held the live instrument registered under the same venue + symbol.
 * @param incoming the validated placeholder.
 * @returns true when the kinds are equal and every field of `incoming` other than the mutable
 *   ones and the timestamps is either absent from `held` or equal to it.
 */
export function sameListing(held: Instrument, incoming: InstrumentInput): boolean {
  if (held.kind !== incoming.kind) return false;
  const h = held as unknown as Record<string, unknown>;
  for (const [k, v] of Object.entries(incoming)) {
    if (v === undefined || NOT_COMPARED.has(k)) continue;
    const w = h[k];
    if (w !== undefined && canon(w) !== canon(v)) return false;
  }
  return true;
}
