/**
 * SEDOL (Stock Exchange Daily Official List, London Stock Exchange) validation.
 *
 * Shape: 6 characters of `0-9` and consonants `B-Z` (vowels A, E, I, O, U are never used),
 * then 1 numeric check digit.
 *
 * @module
 */
import { alnumValue, invalid, show } from './common.js';

/** SEDOL weights of positions 1–6 (London Stock Exchange SEDOL Masterfile specification). */
const WEIGHTS = [1, 3, 1, 7, 3, 9] as const;
const SEDOL_CHAR_RE = /^[0-9B-DF-HJ-NP-TV-Z]$/;

function describeSedolProblem(s: unknown, withCheckDigit: boolean): string | undefined {
  if (typeof s !== 'string') return `must be a string, got ${typeof s}`;
  const want = withCheckDigit ? 7 : 6;
  if (s.length !== want) return `length ${s.length}, expected ${want}: ${show(s)}`;
  for (let i = 0; i < 6; i++) {
    if (!SEDOL_CHAR_RE.test(s[i]!)) {
      const vowel = /^[AEIOU]$/.test(s[i]!);
      return `invalid character ${show(s[i])} at position ${i + 1} (${vowel ? 'vowels are not used in SEDOLs' : 'allowed: 0-9 and upper-case consonants'}): ${show(s)}`;
    }
  }
  if (withCheckDigit && !/^[0-9]$/.test(s[6]!)) return `check digit must be a digit 0-9, got ${show(s[6])}`;
  return undefined;
}

function sedolDigit(first6: string): number {
  let sum = 0;
  for (let i = 0; i < 6; i++) sum += alnumValue(first6[i]!) * WEIGHTS[i]!;
  return (10 - (sum % 10)) % 10;
}

/**
 * SEDOL check digit of the first 6 characters.
 *
 * Algorithm (LSE SEDOL specification): character values 0–9, B=11 … Z=35; weights
 * 1, 3, 1, 7, 3, 9; the check digit is `(10 − weighted sum mod 10) mod 10`.
 *
 * @param first6 the 6 data characters (digits and upper-case consonants).
 * @returns the check digit, 0–9.
 * @throws {ValidationError} `InvalidIdentifier` (field `sedol`) if `first6` is not 6 allowed characters.
 * @example sedolCheckDigit('026349') // 4  (BAE Systems, 0263494)
 */
export function sedolCheckDigit(first6: string): number {
  const problem = describeSedolProblem(first6, false);
  if (problem) invalid('sedol', problem);
  return sedolDigit(first6);
}

/** True when `s` is a 7-character SEDOL (upper case, no vowels) with a correct check digit. */
export function isValidSedol(s: string): boolean {
  return describeSedolProblem(s, true) === undefined && sedolDigit(s.slice(0, 6)) === s.charCodeAt(6) - 48;
}

/**
 * Validate a SEDOL and return it unchanged.
 *
 * @param s candidate SEDOL (upper case, 7 characters).
 * @param field field name reported in the error.
 * @returns `s`.
 * @throws {ValidationError} `InvalidIdentifier` naming `field`: wrong length, a vowel or other
 *   disallowed character, or a check-digit mismatch (expected vs got).
 */
export function checkSedol(s: string, field = 'sedol'): string {
  const problem = describeSedolProblem(s, true);
  if (problem) invalid(field, problem);
  const expected = sedolDigit(s.slice(0, 6));
  const got = s.charCodeAt(6) - 48;
  if (expected !== got) invalid(field, `check digit of ${show(s)}: expected ${expected}, got ${got}`);
  return s;
}
