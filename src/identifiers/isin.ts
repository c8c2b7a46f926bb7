/**
 * ISIN (International Securities Identification Number, ISO 6166) validation.
 *
 * Shape: 2-letter country prefix (ISO 3166-1 alpha-2, or a registration-authority
 * prefix such as `XS`/`EU`), 9 alphanumeric characters (the NSIN), 1 numeric check digit.
 *
 * @module
 */
import { alnumValue, invalid, show } from './common.js';

const ALNUM_RE = /^[A-Z0-9]*$/;

/**
 * Sum of the Luhn (mod 10) algorithm over a digit string, doubling the digits at odd
 * distance from the right end when `doubleRightmost` is true.
 */
function luhnSum(digits: string, doubleRightmost: boolean): number {
  let sum = 0;
  let dbl = doubleRightmost;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (dbl) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    dbl = !dbl;
  }
  return sum;
}

/** Expand letters to their two-digit values (A=10 … Z=35); digits stay as they are. */
function expand(s: string): string {
  let out = '';
  for (const ch of s) out += String(alnumValue(ch));
  return out;
}

function describeIsinProblem(s: unknown, withCheckDigit: boolean): string | undefined {
  if (typeof s !== 'string') return `must be a string, got ${typeof s}`;
  const want = withCheckDigit ? 12 : 11;
  if (s.length !== want) return `length ${s.length}, expected ${want}: ${show(s)}`;
  if (!ALNUM_RE.test(s)) {
    const i = [...s].findIndex((c) => alnumValue(c) < 0);
    return `invalid character ${show(s[i])} at position ${i + 1} (only A-Z and 0-9 are allowed, upper case): ${show(s)}`;
  }
  if (!/^[A-Z]{2}$/.test(s.slice(0, 2))) return `country prefix must be two letters A-Z, got ${show(s.slice(0, 2))}`;
  if (withCheckDigit && !/^[0-9]$/.test(s[11]!)) return `check digit must be a digit 0-9, got ${show(s[11])}`;
  return undefined;
}

/**
 * ISO 6166 check digit of the first 11 characters of an ISIN.
 *
 * Algorithm (ISO 6166 Annex, "modulus 10 double-add-double"): convert each letter to
 * two digits (A=10 … Z=35), keep digits as they are, then run the Luhn algorithm over the
 * resulting digit string, doubling the rightmost digit; the check digit is
 * `(10 − sum mod 10) mod 10`.
 *
 * @param first11 country prefix + NSIN, exactly 11 characters of `[A-Z0-9]`, upper case,
 *   the first two letters.
 * @returns the check digit, 0–9.
 * @throws {ValidationError} `InvalidIdentifier` (field `isin`) if `first11` is not that shape.
 * @example isinCheckDigit('US037833100') // 5  (Apple, US0378331005)
 */
export function isinCheckDigit(first11: string): number {
  const problem = describeIsinProblem(first11, false);
  if (problem) invalid('isin', problem);
  return (10 - (luhnSum(expand(first11), true) % 10)) % 10;
}

/**
 * True when `s` is a well-formed ISIN with a correct ISO 6166 check digit.
 * Upper case only (`us0378331005` is rejected; upper-case it first if you accept it).
 * The country prefix is checked for format (two letters), not against the ISO 3166 list.
 */
export function isValidIsin(s: string): boolean {
  return typeof s === 'string' && describeIsinProblem(s, true) === undefined && luhnSum(expand(s), false) % 10 === 0;
}

/**
 * Validate an ISIN and return it unchanged.
 *
 * @param s candidate ISIN (upper case, 12 characters).
 * @param field field name reported in the error.
 * @returns `s`.
 * @throws {ValidationError} `InvalidIdentifier` naming `field`; the message says what is
 *   wrong: length, character set, country prefix format, or the check digit (expected vs got).
 */
export function checkIsin(s: string, field = 'isin'): string {
  const problem = describeIsinProblem(s, true);
  if (problem) invalid(field, problem);
  const expected = isinCheckDigit(s.slice(0, 11));
  const got = s.charCodeAt(11) - 48;
  if (expected !== got) invalid(field, `check digit of ${show(s)}: expected ${expected}, got ${got}`);
  return s;
}
