/**
 * OCC option symbols (Options Clearing Corporation "OSI" symbology, 2010).
 *
 * The 21-character form is: option root padded on the right with spaces to 6 characters,
 * expiry `YYMMDD`, right `C`/`P`, and the strike × 1000 as 8 digits
 * (5 integer + 3 decimal digits). Example: `AAPL  210115C00125000` is the AAPL 15 Jan 2021
 * 125 call. The unpadded form (`AAPL210115C00125000`), common in vendor feeds, is accepted too.
 *
 * @module
 */
import { fixed } from '../model/fixed.js';
import type { Fixed, OptionRight } from '../model/types.js';
import { invalid, show } from './common.js';

/** A calendar date with no time zone: the expiry date printed in an OCC symbol. */
export interface OccExpiry {
  /** Four-digit year, 2000–2099 (the symbol holds `YY`, read as `20YY`). */
  year: number;
  /** Month 1–12. */
  month: number;
  /** Day of month 1–31 (valid for the month). */
  day: number;
}

/** The parts of an OCC option symbol. */
export interface OccOption {
  /** Option root (usually the underlying ticker; adjusted series carry a digit, e.g. `AAPL1`), 1–6 chars of `[A-Z0-9]`. */
  root: string;
  /** Expiry date as printed in the symbol (no time of day, no zone). */
  expiry: OccExpiry;
  right: OptionRight;
  /** Strike price in the option's currency, exact, at most 3 decimals, below 100 000. */
  strike: Fixed;
}

const FIELD = 'occSymbol';
const OCC_RE = /^([A-Z0-9]{1,6})( *)([0-9]{6})([CP])([0-9]{8})$/;

function daysInMonth(year: number, month: number): number {
  return [31, year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
}

function checkDate(year: number, month: number, day: number): void {
  if (!Number.isInteger(year) || year < 2000 || year > 2099) invalid(FIELD, `expiry year ${year} outside 2000..2099`);
  if (!Number.isInteger(month) || month < 1 || month > 12) invalid(FIELD, `expiry month ${month} outside 1..12`);
  if (!Number.isInteger(day) || day < 1 || day > daysInMonth(year, month)) {
    invalid(FIELD, `expiry day ${day} is not a day of ${year}-${String(month).padStart(2, '0')}`);
  }
}

/**
 * Parse an OCC option symbol (21-character padded form, or the same without the padding spaces).
 *
 * @param s the symbol, upper case.
 * @returns root, expiry date, right and strike (`strike` = 8-digit field / 1000, exact).
 * @throws {ValidationError} `InvalidIdentifier` (field `occSymbol`) when the shape is wrong (root not
 *   1–6 chars of A-Z/0-9, padding that does not make the root 6 wide, date not `YYMMDD`, right not
 *   `C`/`P`, strike not 8 digits), the date does not exist, or the strike is zero.
 * @example parseOccSymbol('AAPL  210115C00125000')
 *   // { root: 'AAPL', expiry: { year: 2021, month: 1, day: 15 }, right: 'call', strike: { raw: 125n, scale: 0 } }
 */
export function parseOccSymbol(s: string): OccOption {
  if (typeof s !== 'string') invalid(FIELD, `must be a string, got ${typeof s}`);
  const m = OCC_RE.exec(s);
  if (!m) {
    invalid(FIELD, `${show(s)} is not an OCC symbol (root 1-6 chars A-Z/0-9, padded to 6 or unpadded, YYMMDD, C|P, strike x1000 as 8 digits)`);
  }
  const [, root, pad, date, cp, strikeDigits] = m as unknown as [string, string, string, string, string, string];
  if (pad.length > 0 && root.length + pad.length !== 6) {
    invalid(FIELD, `${show(s)}: root padding makes it ${root.length + pad.length} wide, expected 6 (or no padding)`);
  }
  const year = 2000 + Number(date.slice(0, 2));
  const month = Number(date.slice(2, 4));
  const day = Number(date.slice(4, 6));
  checkDate(year, month, day);
  const raw = BigInt(strikeDigits);
  if (raw === 0n) invalid(FIELD, `${show(s)}: strike is zero`);
  return { root, expiry: { year, month, day }, right: cp === 'C' ? 'call' : 'put', strike: fixed(raw, 3, FIELD) };
}

/**
 * Format an OCC option symbol.
 *
 * @param o root, expiry, right, strike (strike must be a multiple of 0.001 and below 100 000).
 * @param opts `padded` (default `true`): pad the root with spaces to 6 characters, giving the
 *   21-character OCC form; `false` gives the compact form without spaces.
 * @returns the symbol, e.g. `AAPL  210115C00125000`.
 * @throws {ValidationError} `InvalidIdentifier` (field `occSymbol`) if the root is not 1–6 chars of
 *   A-Z/0-9, the expiry is not a real date in 2000–2099, the right is not call/put, or the strike is
 *   zero, has more than 3 decimals, or is ≥ 100 000; also if `o`, its `expiry` or `opts` is not an object.
 */
export function formatOccSymbol(o: OccOption, opts: { padded?: boolean } = {}): string {
  if (typeof o !== 'object' || o === null) invalid(FIELD, 'must be an OccOption object { root, expiry, right, strike }');
  if (typeof opts !== 'object' || opts === null) invalid(FIELD, 'options must be an object');
  const { root, expiry, right, strike } = o;
  if (typeof expiry !== 'object' || expiry === null) invalid(FIELD, 'expiry must be an object { year, month, day }');
  if (typeof root !== 'string' || !/^[A-Z0-9]{1,6}$/.test(root)) invalid(FIELD, `root must be 1-6 chars of A-Z/0-9, got ${show(root)}`);
  checkDate(expiry.year, expiry.month, expiry.day);
  if (right !== 'call' && right !== 'put') invalid(FIELD, `right must be 'call' or 'put', got ${show(right)}`);
  if (typeof strike?.raw !== 'bigint' || !Number.isInteger(strike.scale) || strike.scale < 0 || strike.raw < 0n) {
    invalid(FIELD, 'strike must be a Fixed { raw: bigint ≥ 0, scale: integer ≥ 0 }');
  }
  // Normalise away trailing zeros so e.g. { raw: 125000n, scale: 3 } is accepted.
  const norm = fixed(strike.raw, strike.scale, FIELD);
  if (norm.scale > 3) invalid(FIELD, 'strike has more than 3 decimals; OCC strikes are in units of 0.001');
  const milli = norm.raw * 10n ** BigInt(3 - norm.scale);
  if (milli === 0n) invalid(FIELD, 'strike is zero');
  if (milli > 99_999_999n) invalid(FIELD, 'strike ≥ 100000 does not fit the 8-digit OCC strike field');
  const yymmdd = `${String(expiry.year % 100).padStart(2, '0')}${String(expiry.month).padStart(2, '0')}${String(expiry.day).padStart(2, '0')}`;
  const r = opts.padded === false ? root : root.padEnd(6, ' ');
  return `${r}${yymmdd}${right === 'call' ? 'C' : 'P'}${milli.toString().padStart(8, '0')}`;
}
