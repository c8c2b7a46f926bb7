/**
 * Little-endian field reads from a private Int32Array copy of one 64-byte cache line of a
 * record. Used by views so that a lookup allocates only small on-heap typed arrays (V8 keeps
 * typed arrays ≤ 64 bytes on the JS heap; larger ones get an off-heap backing store, which costs
 * about a microsecond to allocate).
 *
 * `off` is a byte offset within the line (0..63), always naturally aligned for its width.
 *
 * @module
 */
/** Unsigned byte at `off`. */
export function u8At(w: Int32Array, off: number): number {
  return (w[off >> 2]! >>> ((off & 3) * 8)) & 0xff;
}

/** Unsigned 16-bit value at `off` (2-aligned). */
export function u16At(w: Int32Array, off: number): number {
  return (w[off >> 2]! >>> ((off & 3) * 8)) & 0xffff;
}

/** Unsigned 32-bit value at `off` (4-aligned). */
export function u32At(w: Int32Array, off: number): number {
  return w[off >> 2]! >>> 0;
}

/** Signed 32-bit value at `off` (4-aligned). */
export function i32At(w: Int32Array, off: number): number {
  return w[off >> 2]! | 0;
}

/** Unsigned 64-bit value stored as two halves at `off` (low half first). */
export function u64At(w: Int32Array, off: number): bigint {
  return (BigInt(w[(off >> 2) + 1]! >>> 0) << 32n) | BigInt(w[off >> 2]! >>> 0);
}

/** Signed 64-bit ms timestamp at `off`, as a number. */
export function msAt(w: Int32Array, off: number): number {
  const hi = w[(off >> 2) + 1]! | 0;
  const lo = w[off >> 2]! >>> 0;
  return hi * 2 ** 32 + lo;
}

const utf8 = new TextEncoder();

/**
 * Compare the symbol stored in a line-0 copy (`lenOff` = SYMBOL_LEN_OFFSET, `symOff` =
 * SYMBOL_OFFSET) with a query string, without allocating for ASCII queries.
 */
export function symbolEqualsWords(w: Int32Array, lenOff: number, symOff: number, query: string): boolean {
  const n = u8At(w, lenOff);
  let ascii = true;
  for (let i = 0; i < query.length; i++) {
    if (query.charCodeAt(i) >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) {
    if (query.length !== n) return false;
    for (let i = 0; i < n; i++) if (u8At(w, symOff + i) !== query.charCodeAt(i)) return false;
    return true;
  }
  const b = utf8.encode(query);
  if (b.length !== n) return false;
  for (let i = 0; i < n; i++) if (u8At(w, symOff + i) !== b[i]) return false;
  return true;
}
