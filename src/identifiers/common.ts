/**
 * Helpers shared by the identifier validators (internal, not re-exported).
 *
 * @module
 */
import { ValidationError } from '../errors.js';

/** Throw an `InvalidIdentifier` {@link ValidationError} for `field`. */
export function invalid(field: string, reason: string): never {
  throw new ValidationError('InvalidIdentifier', field, reason);
}

/** Short, safe rendering of user input for error messages. */
export function show(s: unknown): string {
  const t = typeof s === 'string' ? s : String(s);
  return JSON.stringify(t.length > 40 ? `${t.slice(0, 40)}…` : t);
}

/**
 * Value of an alphanumeric character in the ISO 6166 / CUSIP / SEDOL alphabets:
 * `0`–`9` → 0–9, `A`–`Z` → 10–35. Returns -1 for anything else.
 */
export function alnumValue(ch: string): number {
  const c = ch.charCodeAt(0);
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 90) return c - 55;
  return -1;
}
