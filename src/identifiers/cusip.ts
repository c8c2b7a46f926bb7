/**
 * CUSIP (Committee on Uniform Securities Identification Procedures) validation, and
 * the derivation of an ISIN from a CUSIP (or CINS) number.
 *
 * Shape: 6-character issuer code, 2-character issue number, 1 numeric check digit; the
 * first 8 characters are `0-9`, `A-Z`, or the private-placement characters `*`, `@`, `#`.
 *
 * @module
 */
import { alnumValue, invalid, show } from './common.js';
import { isinCheckDigit } from './isin.js';

/** Value of a CUSIP character: 0–9, A=10 … Z=35, `*`=36, `@`=37, `#`=38; -1 if not allowed. */
function cusipValue(ch: string): number {
  if (ch === '*') return 36;
  if (ch === '@') return 37;
  if (ch === '#') return 38;
  return alnumValue(ch);
}

function describeCusipProblem(s: unknown, withCheckDigit: boolean): string | undefined {
  if (typeof s !== 'string') return `must be a string, got ${typeof s}`;
  const want = withCheckDigit ? 9 : 8;
  if (s.length !== want) return `length ${s.length}, expected ${want}: ${show(s)}`;
  for (let i = 0; i < 8; i++) {
    if (cusipValue(s[i]!) < 0) {
      return `invalid character ${show(s[i])} at position ${i + 1} (allowed: 0-9, A-Z upper case, *, @, #): ${show(s)}`;
    }
  }
  if (withCheckDigit && !/^[0-9]$/.test(s[8]!)) return `check digit must be a digit 0-9, got ${show(s[8])}`;
  return undefined;
}

function cusipDigit(first8: string): number {
  let sum = 0;
  for (let i = 0; i < 8; i++) {
    let v = cusipValue(first8[i]!);
    if (i % 2 === 1) v *= 2; // every second character (2nd, 4th, 6th, 8th) is doubled
    sum += Math.floor(v / 10) + (v % 10);
  }
  return (10 - (sum % 10)) % 10;
}

/**
 * CUSIP check digit of the first 8 characters.
 *
 * Algorithm (CUSIP Global Services / ANSI X9.6, "modulus 10 double-add-double"): character
 * values 0–9, A=10 … Z=35, `*`=36, `@`=37, `#`=38; double the value of every second
 * character (positions 2, 4, 6, 8); add the decimal digits of every product/value; the check
 * digit is `(10 − sum mod 10) mod 10`.
 *
 * @param first8 issuer (6) + issue (2) characters.
 * @returns the check digit, 0–9.
 * @throws {ValidationError} `InvalidIdentifier` (field `cusip`) if `first8` is not 8 allowed characters.
 * @example cusipCheckDigit('03783310') // 0  (Apple, 037833100)
 */
export function cusipCheckDigit(first8: string): number {
  const problem = describeCusipProblem(first8, false);
  if (problem) invalid('cusip', problem);
  return cusipDigit(first8);
}

/** True when `s` is a 9-character CUSIP (upper case) with a correct check digit. */
export function isValidCusip(s: string): boolean {
  return describeCusipProblem(s, true) === undefined && cusipDigit(s.slice(0, 8)) === s.charCodeAt(8) - 48;
}

/**
 * Validate a CUSIP and return it unchanged.
 *
 * @param s candidate CUSIP (upper case, 9 characters).
 * @param field field name reported in the error.
 * @returns `s`.
 * @throws {ValidationError} `InvalidIdentifier` naming `field`: wrong length, a character outside
 *   the CUSIP alphabet, or a check-digit mismatch (expected vs got).
 */
export function checkCusip(s: string, field = 'cusip'): string {
  const problem = describeCusipProblem(s, true);
  if (problem) invalid(field, problem);
  const expected = cusipDigit(s.slice(0, 8));
  const got = s.charCodeAt(8) - 48;
  if (expected !== got) invalid(field, `check digit of ${show(s)}: expected ${expected}, got ${got}`);
  return s;
}

/**
 * Derive the ISIN of a security from its CUSIP (or CINS) number: `country + cusip + check digit`,
 * as ANNA/CGS assign ISINs for North-American securities (e.g. `037833100` → `US0378331005`).
 *
 * The CUSIP must itself be valid (its check digit is verified). Note that only securities whose
 * ISIN was allocated from their CUSIP follow this rule: many non-US issuers with a CINS number
 * (e.g. `G…` Bermuda or Irish companies) have an unrelated ISIN from their home agency.
 *
 * @param cusip 9-character CUSIP/CINS with a valid check digit.
 * @param country 2-letter ISIN country prefix (default `US`; `CA` for Canadian CUSIPs, `BM`, `KY`… for CINS).
 * @returns the 12-character ISIN.
 * @throws {ValidationError} `InvalidIdentifier` (field `cusip`) for a bad CUSIP, or
 *   (field `country`) if `country` is not two letters A-Z.
 */
export function cusipToIsin(cusip: string, country = 'US'): string {
  checkCusip(cusip, 'cusip');
  if (typeof country !== 'string' || !/^[A-Z]{2}$/.test(country)) {
    invalid('country', `ISIN country prefix must be two letters A-Z, got ${show(country)}`);
  }
  if (/[*@#]/.test(cusip)) invalid('cusip', `${show(cusip)} contains a private-placement character (*, @, #) that an ISIN cannot hold`);
  const first11 = country + cusip;
  return first11 + String(isinCheckDigit(first11));
}
