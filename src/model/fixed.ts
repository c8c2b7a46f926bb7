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

const DECIMAL_RE = /^(\d+)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$|^\.(\d+)$/;

/**
 * Parse a non-negative decimal string (`"0.01000000"`, `"5"`, `"1e-8"`) exactly and
 * normalise it (trailing fractional zeros removed, so `"0.0100"` → `{ raw: 1n, scale: 2 }`).
 *
 * @param text decimal text as published by a venue
 * @param field field name used in the error
 * @throws {ValidationError} `InvalidField` if `text` is not a non-negative decimal, or its
 *   normalised raw value exceeds 2^64 − 1 or its scale exceeds 30.
 */
export function parseFixed(text: string, field = 'value'): Fixed {
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
  return normalise(BigInt(digits), scale, field);
}

/**
 * Build a {@link Fixed} from raw and scale, normalised (trailing zeros of raw moved into scale).
 * @throws {ValidationError} `InvalidField` when out of range.
 */
export function fixed(raw: bigint | number, scale: number, field = 'value'): Fixed {
  if (typeof raw === 'number' && !Number.isSafeInteger(raw)) throw new ValidationError('InvalidField', field, 'raw must be an integer');
  return normalise(BigInt(raw), scale, field);
}

function normalise(raw: bigint, scale: number, field: string): Fixed {
  if (raw < 0n) throw new ValidationError('InvalidField', field, 'must not be negative');
  while (scale > 0 && raw !== 0n && raw % 10n === 0n) {
    raw /= 10n;
    scale--;
  }
  if (raw === 0n) scale = 0;
  if (!Number.isInteger(scale) || scale < 0 || scale > FIXED_SCALE_MAX) {
    throw new ValidationError('InvalidField', field, `scale ${scale} outside 0..${FIXED_SCALE_MAX}`);
  }
  if (raw > FIXED_RAW_MAX) throw new ValidationError('InvalidField', field, 'exceeds 2^64-1 at its precision');
  return Object.freeze({ raw, scale });
}

/** Format a {@link Fixed} as a plain decimal string (`{ raw: 1n, scale: 2 }` → `"0.01"`). */
export function formatFixed(v: Fixed): string {
  const s = v.raw.toString();
  if (v.scale === 0) return s;
  const padded = s.padStart(v.scale + 1, '0');
  return `${padded.slice(0, padded.length - v.scale)}.${padded.slice(padded.length - v.scale)}`;
}

/** Exact equality of two fixed values (both normalised or not). */
export function fixedEquals(a: Fixed | undefined, b: Fixed | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  const s = Math.max(a.scale, b.scale);
  return a.raw * 10n ** BigInt(s - a.scale) === b.raw * 10n ** BigInt(s - b.scale);
}

/** Approximate value as a JS number (for display and sorting only, never for storage). */
export function fixedToNumber(v: Fixed): number {
  return Number(formatFixed(v));
}

/** Number of decimals a decimal string carries after normalisation (`"0.00100000"` → 3). */
export function decimalsOf(text: string, field = 'value'): number {
  return parseFixed(text, field).scale;
}
