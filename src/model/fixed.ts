/**
 * Exact decimal fixed-point values ({@link Fixed}): parse from the decimal strings
 * venues publish, format back, compare. No floating point is involved anywhere.
 *
 * @module
 */
import { ValidationError } from '../errors.js';
import type { Fixed } from './types.js';

/** Largest raw value a {@link Fixed} may hold: 2^64 − 1. */
export const FIXED_RAW_MAX = (1n << 64n) - 1n;
/** Largest scale a {@link Fixed} may hold. */
export const FIXED_SCALE_MAX = 30;

/**
 * Longest decimal text {@link parseFixed} reads, in UTF-16 code units (surrounding whitespace
 * included): 128. A `Fixed` holds at most 20 significant digits and 30 decimals, so 128
 * characters leave room for any zero padding venues publish (e.g. `"0.01000000"`); longer text is
 * refused with `FieldTooLong` before any digit is examined, so parsing costs O(128) at most.
 */
export const DECIMAL_TEXT_MAX = 128;

const DECIMAL_RE = /^(\d+)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$|^\.(\d+)$/;

/**
 * Parse a non-negative decimal string (`"0.01000000"`, `"5"`, `"1e-8"`) exactly and
 * normalise it (trailing fractional zeros removed, so `"0.0100"` → `{ raw: 1n, scale: 2 }`).
 *
 * @param text decimal text as published by a venue
 * @param field field name used in the error
 * Linear in the length of `text`: trailing zeros are stripped from the digit string before a
 * single `BigInt` conversion.
 *
 * @throws {ValidationError} `FieldTooLong` if `text` is longer than {@link DECIMAL_TEXT_MAX}
 *   characters; `InvalidField` if it is not a non-negative decimal, or its normalised raw value
 *   exceeds 2^64 − 1 or its scale exceeds 30.
 */
export function parseFixed(text: string, field = 'value'): Fixed {
  if (typeof text !== 'string') throw new ValidationError('InvalidField', field, 'not a decimal string');
  if (text.length > DECIMAL_TEXT_MAX)
    throw new ValidationError('FieldTooLong', field, `decimal text is ${text.length} characters; the limit is ${DECIMAL_TEXT_MAX}`);
  const t = text.trim();
  const m = DECIMAL_RE.exec(t);
  if (!m) throw new ValidationError('InvalidField', field, `not a non-negative decimal: ${JSON.stringify(text.slice(0, 40))}`);
  let intPart = m[1] ?? '0';
  let frac = m[2] ?? m[4] ?? '';
  const exp = m[3] ? Number(m[3]) : 0;
  if (!Number.isSafeInteger(exp) || Math.abs(exp) > 64) throw new ValidationError('InvalidField', field, 'exponent out of range');
  // Shift the decimal point by the exponent.
  let digits = intPart + frac;
  let scale = frac.length - exp;
  if (scale < 0) {
    digits += '0'.repeat(-scale);
    scale = 0;
  }
  return normaliseDigits(digits, scale, field);
}

/** Normalise a decimal digit string with `scale` implied decimals, in one pass over the digits. */
function normaliseDigits(digits: string, scale: number, field: string): Fixed {
  let end = digits.length;
  while (scale > 0 && end > 0 && digits.charCodeAt(end - 1) === 48) {
    end--;
    scale--;
  }
  let start = 0;
  while (start < end - 1 && digits.charCodeAt(start) === 48) start++;
  const d = digits.slice(start, end);
  if (d === '' || d === '0') return Object.freeze({ raw: 0n, scale: 0 });
  if (!Number.isInteger(scale) || scale < 0 || scale > FIXED_SCALE_MAX) {
    throw new ValidationError('InvalidField', field, `scale ${scale} outside 0..${FIXED_SCALE_MAX}`);
  }
  // 2^64 − 1 has 20 digits: anything longer exceeds it without building a BigInt.
  const raw = d.length > 20 ? FIXED_RAW_MAX + 1n : BigInt(d);
  if (raw > FIXED_RAW_MAX) throw new ValidationError('InvalidField', field, 'exceeds 2^64-1 at its precision');
  return Object.freeze({ raw, scale });
}

/**
 * Build a {@link Fixed} from raw and scale, normalised (trailing zeros of raw moved into scale).
 * @throws {ValidationError} `InvalidField` when `raw` is not a bigint or safe integer, or out of range.
 */
export function fixed(raw: bigint | number, scale: number, field = 'value'): Fixed {
  if (typeof raw === 'number' ? !Number.isSafeInteger(raw) : typeof raw !== 'bigint') {
    throw new ValidationError('InvalidField', field, 'raw must be a bigint or a safe integer');
  }
  return normalise(BigInt(raw), scale, field);
}

function normalise(raw: bigint, scale: number, field: string): Fixed {
  if (raw < 0n) throw new ValidationError('InvalidField', field, 'must not be negative');
  if (typeof scale !== 'number' || !Number.isInteger(scale) || scale < 0) {
    throw new ValidationError('InvalidField', field, `scale ${typeof scale === 'number' ? scale : typeof scale} outside 0..${FIXED_SCALE_MAX}`);
  }
  // A raw value that would need more than DECIMAL_TEXT_MAX digits cannot normalise into range.
  if (raw >= 10n ** BigInt(DECIMAL_TEXT_MAX)) throw new ValidationError('FieldTooLong', field, `raw value has more than ${DECIMAL_TEXT_MAX} digits`);
  return normaliseDigits(raw.toString(), scale, field);
}

/**
 * Check that `v` is shaped as a {@link Fixed}: `raw` a non-negative bigint, `scale` an integer in
 * 0..30 (normalised or not; a raw beyond 2^64 − 1 formats and compares exactly, it only cannot
 * be stored).
 * @throws {ValidationError} `InvalidField` otherwise.
 */
function checkFixed(v: unknown, field: string): Fixed {
  const f = v as Fixed;
  if (typeof v !== 'object' || v === null || typeof f.raw !== 'bigint' || f.raw < 0n) {
    throw new ValidationError('InvalidField', field, 'must be a Fixed { raw: bigint ≥ 0, scale }');
  }
  if (typeof f.scale !== 'number' || !Number.isInteger(f.scale) || f.scale < 0 || f.scale > FIXED_SCALE_MAX) {
    throw new ValidationError('InvalidField', field, `Fixed scale must be an integer in 0..${FIXED_SCALE_MAX}`);
  }
  return f;
}

/**
 * Format a {@link Fixed} as a plain decimal string (`{ raw: 1n, scale: 2 }` → `"0.01"`).
 * @throws {ValidationError} `InvalidField` if `v` is not a Fixed (raw a bigint ≥ 0, scale an integer in 0..30).
 */
export function formatFixed(v: Fixed): string {
  checkFixed(v, 'value');
  const s = v.raw.toString();
  if (v.scale === 0) return s;
  const padded = s.padStart(v.scale + 1, '0');
  return `${padded.slice(0, padded.length - v.scale)}.${padded.slice(padded.length - v.scale)}`;
}

/**
 * Exact equality of two fixed values (both normalised or not); two `undefined`s are equal.
 * @throws {ValidationError} `InvalidField` if a value is neither `undefined` nor a Fixed.
 */
export function fixedEquals(a: Fixed | undefined, b: Fixed | undefined): boolean {
  if (a !== undefined) checkFixed(a, 'a');
  if (b !== undefined) checkFixed(b, 'b');
  if (a === undefined || b === undefined) return a === b;
  const s = Math.max(a.scale, b.scale);
  return a.raw * 10n ** BigInt(s - a.scale) === b.raw * 10n ** BigInt(s - b.scale);
}

/**
 * Approximate value as a JS number (for display and sorting only, never for storage).
 * @throws {ValidationError} `InvalidField` if `v` is not a Fixed.
 */
export function fixedToNumber(v: Fixed): number {
  return Number(formatFixed(v));
}

/** Number of decimals a decimal string carries after normalisation (`"0.00100000"` → 3). */
export function decimalsOf(text: string, field = 'value'): number {
  return parseFixed(text, field).scale;
}
