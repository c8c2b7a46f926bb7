/**
 * Primitive sizes and the one helper that turns byte offsets into Int32 element
 * indexes. Every other layout module derives its offsets from these.
 *
 * @module
 */
import { RegistryError } from '../src/errors.js';

/** Bytes in a u8/i8. */
export const SIZE_OF_U8 = 1;
/** Bytes in a u16. */
export const SIZE_OF_U16 = 2;
/** Bytes in an i32/u32 (one "word"). */
export const SIZE_OF_I32 = 4;
/** Bytes in a 64-bit value stored as two little-endian 32-bit halves (low half first). */
export const SIZE_OF_I64 = 8;
/** Bytes in a cache line on x86-64 and most ARM64 cores. */
export const CACHE_LINE = 64;

/**
 * Byte offset → Int32Array element index. Throws on a misaligned offset so that a
 * layout mistake fails at module load, not as a silent torn field.
 * @throws {RegistryError} `InvalidArgument` if `byteOffset` is not a number that is a multiple of 4.
 */
export function wordIndex(byteOffset: number): number {
  if (typeof byteOffset !== 'number' || byteOffset % SIZE_OF_I32 !== 0) {
    throw new RegistryError('InvalidArgument', `layout: offset ${typeof byteOffset === 'number' ? byteOffset : typeof byteOffset} is not 4-byte aligned`);
  }
  return byteOffset / SIZE_OF_I32;
}

/**
 * Round `n` (0 ≤ n < 2^53) up to a multiple of `align` (a power of two). Plain arithmetic, not a
 * 32-bit mask: offsets in a 4 GiB heap pass 2^31.
 */
export function alignUp(n: number, align: number): number {
  return Math.ceil(n / align) * align;
}
