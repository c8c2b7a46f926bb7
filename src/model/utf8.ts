/**
 * UTF-8 length and encoding for the short strings instreg stores (symbols, codes, identifiers).
 * ASCII strings (nearly all of them) take a plain loop; anything else goes to the platform's
 * `TextEncoder`. Measured on this machine (Node 20): `TextEncoder.encode` of an 8-char symbol
 * costs ~0.5-0.7 µs per call, the ASCII loop ~10 ns, and registration calls it several times
 * per instrument (see `bench/registration.bench.ts`).
 *
 * @module
 */

const encoder = new TextEncoder();

/** True if every UTF-16 code unit of `s` is < 0x80. */
export function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return false;
  return true;
}

/** Byte length of `s` in UTF-8. */
export function utf8Length(s: string): number {
  return isAscii(s) ? s.length : encoder.encode(s).length;
}

/** UTF-8 bytes of `s` (fresh array). */
export function utf8Bytes(s: string): Uint8Array {
  if (!isAscii(s)) return encoder.encode(s);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/**
 * Write `s` as UTF-8 into `dst` at `off`; returns the number of bytes written.
 * The caller guarantees room for `utf8Length(s)` bytes.
 */
export function writeUtf8(s: string, dst: Uint8Array, off: number): number {
  if (isAscii(s)) {
    for (let i = 0; i < s.length; i++) dst[off + i] = s.charCodeAt(i);
    return s.length;
  }
  return encoder.encodeInto(s, dst.subarray(off)).written;
}
