/**
 * Bounds-checked little-endian byte cursors used by the wire codec. Every read checks its
 * bounds first and throws a typed {@link WireFormatError} (`LengthOutOfBounds`) instead of
 * letting a `DataView` throw a `RangeError`. 64-bit values are two u32 halves, low first
 * (`layout/wire.ts`).
 *
 * @module
 */
import { SIZE_OF_I32, SIZE_OF_I64, SIZE_OF_U16, SIZE_OF_U8 } from '../../layout/sizes.js';
import { ValidationError } from '../errors.js';
import { WireFormatError, invalidField } from './errors.js';

const TWO_32 = 4294967296;
const U64_LIMIT = 1n << 64n;
const utf8Encoder = new TextEncoder();

// fatal: malformed UTF-8 is an error, not U+FFFD; ignoreBOM: a leading U+FEFF is data, not stripped.
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const LONE_SURROGATE = /\p{Surrogate}/u;

/** Check that `v` is a u64 bigint. @throws {ValidationError} `InvalidField` otherwise. */
export function checkU64(v: unknown, field: string): bigint {
  if (typeof v !== 'bigint' || v < 0n || v >= U64_LIMIT) throw invalidField(field, 'must be a u64 bigint (0 ≤ v < 2^64)');
  return v;
}

/** Sequential writer into a fixed-capacity scratch buffer. */
export class ByteWriter {
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  /** Next write position. */
  pos = 0;

  /** @param capacity bytes available; writing past it throws `LengthOutOfBounds`. */
  constructor(capacity: number) {
    this.bytes = new Uint8Array(capacity);
    this.view = new DataView(this.bytes.buffer);
  }

  /**
   * Reserve `n` bytes at the current position (filled later with the `patch*` methods).
   * @returns the position of the first reserved byte
   * @throws {WireFormatError} `LengthOutOfBounds` if they do not fit
   */
  reserve(n: number, field: string): number {
    return this.room(n, field);
  }

  private room(n: number, field: string): number {
    const at = this.pos;
    if (at + n > this.bytes.length) {
      throw new WireFormatError('LengthOutOfBounds', `message exceeds ${this.bytes.length} bytes while writing ${field}`, at, field);
    }
    this.pos = at + n;
    return at;
  }

  /** Write a u8. @throws {ValidationError} `InvalidField` if `v` is not an integer 0..255. */
  u8(v: number, field: string): void {
    if (!Number.isInteger(v) || v < 0 || v > 0xff) throw invalidField(field, `must be an integer in 0..255, got ${String(v)}`);
    this.bytes[this.room(SIZE_OF_U8, field)] = v;
  }

  /** Write a u16. @throws {ValidationError} `InvalidField` if out of range. */
  u16(v: number, field: string): void {
    if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw invalidField(field, `must be an integer in 0..65535, got ${String(v)}`);
    this.view.setUint16(this.room(SIZE_OF_U16, field), v, true);
  }

  /** Write a u32. @throws {ValidationError} `InvalidField` if out of range. */
  u32(v: number, field: string): void {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw invalidField(field, `must be an integer in 0..2^32-1, got ${String(v)}`);
    this.view.setUint32(this.room(SIZE_OF_I32, field), v, true);
  }

  /** Write an i32. @throws {ValidationError} `InvalidField` if out of range. */
  i32(v: number, field: string): void {
    if (!Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) throw invalidField(field, `must be an i32, got ${String(v)}`);
    this.view.setInt32(this.room(SIZE_OF_I32, field), v, true);
  }

  /** Write a u64 as two u32 halves, low first. @throws {ValidationError} `InvalidField` if not a u64 bigint. */
  u64(v: bigint, field: string): void {
    checkU64(v, field);
    // Same bytes as two little-endian u32 halves, low first; one call instead of two bigint shifts.
    this.view.setBigUint64(this.room(SIZE_OF_I64, field), v, true);
  }

  /** Write a safe integer as an i64 (low u32, high i32). @throws {ValidationError} `InvalidField` if not a safe integer. */
  i64(v: number, field: string): void {
    if (!Number.isSafeInteger(v)) throw invalidField(field, `must be a safe integer, got ${String(v)}`);
    const hi = Math.floor(v / TWO_32);
    const at = this.room(SIZE_OF_I64, field);
    this.view.setUint32(at, v - hi * TWO_32, true);
    this.view.setInt32(at + SIZE_OF_I32, hi, true);
  }

  /**
   * Write a string as a length prefix (`lenBytes` = 1 or 2) plus UTF-8 bytes.
   * @throws {ValidationError} `InvalidField` if not a well-formed string (a lone surrogate
   *   cannot round-trip through UTF-8), `FieldTooLong` if longer than `max` bytes.
   */
  str(v: unknown, lenBytes: 1 | 2, max: number, field: string): void {
    if (typeof v !== 'string') throw invalidField(field, 'must be a string');
    const lenAt = this.room(lenBytes, field);
    const at = this.pos;
    const n = v.length;
    let written: number;
    // ASCII fast path (the common case): one byte per UTF-16 unit, no allocation.
    let ascii = n <= this.bytes.length - at;
    for (let i = 0; ascii && i < n; i++) {
      const c = v.charCodeAt(i);
      if (c > 0x7f) ascii = false;
      else this.bytes[at + i] = c;
    }
    if (ascii) {
      written = n;
    } else {
      if (LONE_SURROGATE.test(v)) throw invalidField(field, 'contains a lone UTF-16 surrogate');
      const r = utf8Encoder.encodeInto(v, this.bytes.subarray(at));
      if (r.read !== n) {
        throw new WireFormatError('LengthOutOfBounds', `message exceeds ${this.bytes.length} bytes while writing ${field}`, at, field);
      }
      written = r.written;
    }
    if (written > max) throw new ValidationError('FieldTooLong', field, `${written} UTF-8 bytes > ${max}`);
    this.room(written, field);
    if (lenBytes === 1) this.bytes[lenAt] = written;
    else this.view.setUint16(lenAt, written, true);
  }

  /** Overwrite a u16 at an earlier position (bitmasks written after their fields). */
  patchU16(at: number, v: number): void {
    this.view.setUint16(at, v, true);
  }

  /** Overwrite a u8 at an earlier position. */
  patchU8(at: number, v: number): void {
    this.bytes[at] = v;
  }

  /** Overwrite a u64 (two u32 halves, low first) at an earlier position. The caller has checked the range. */
  patchU64(at: number, v: bigint): void {
    this.view.setBigUint64(at, v, true);
  }

  /** Overwrite a u32 at an earlier position. */
  patchU32(at: number, v: number): void {
    this.view.setUint32(at, v >>> 0, true);
  }
}

/** Sequential reader over `bytes[start, end)`. Offsets in errors are relative to `start`. */
export class ByteReader {
  private readonly view: DataView;
  /** Next read position (absolute index into `bytes`). */
  pos: number;

  /**
   * @param bytes backing bytes
   * @param start first byte to read
   * @param end one past the last readable byte
   */
  constructor(
    readonly bytes: Uint8Array,
    readonly start: number,
    readonly end: number,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = start;
  }

  /** Bytes left. */
  get remaining(): number {
    return this.end - this.pos;
  }

  /**
   * Consume a fixed-size block of `n` bytes (read later with the `*At` methods).
   * @returns its absolute position
   * @throws {WireFormatError} `LengthOutOfBounds` if fewer than `n` bytes are left
   */
  block(n: number, field: string): number {
    return this.take(n, field);
  }

  /** u8 at an absolute position inside a {@link block}. */
  u8At(at: number): number {
    return this.bytes[at];
  }

  /** u16 at an absolute position inside a {@link block}. */
  u16At(at: number): number {
    return this.view.getUint16(at, true);
  }

  /** u32 at an absolute position inside a {@link block}. */
  u32At(at: number): number {
    return this.view.getUint32(at, true);
  }

  /** u64 (two u32 halves, low first) at an absolute position inside a {@link block}. */
  u64At(at: number): bigint {
    return this.view.getBigUint64(at, true);
  }

  private take(n: number, field: string): number {
    const at = this.pos;
    if (n > this.end - at) {
      throw new WireFormatError('LengthOutOfBounds', `${field} needs ${n} bytes at ${at - this.start}, ${this.end - at} left`, at - this.start, field);
    }
    this.pos = at + n;
    return at;
  }

  /** Read a u8. @throws {WireFormatError} `LengthOutOfBounds` past the end. */
  u8(field: string): number {
    return this.bytes[this.take(SIZE_OF_U8, field)];
  }

  /** Read a u16. @throws {WireFormatError} `LengthOutOfBounds` past the end. */
  u16(field: string): number {
    return this.view.getUint16(this.take(SIZE_OF_U16, field), true);
  }

  /** Read a u32. @throws {WireFormatError} `LengthOutOfBounds` past the end. */
  u32(field: string): number {
    return this.view.getUint32(this.take(SIZE_OF_I32, field), true);
  }

  /** Read an i32. @throws {WireFormatError} `LengthOutOfBounds` past the end. */
  i32(field: string): number {
    return this.view.getInt32(this.take(SIZE_OF_I32, field), true);
  }

  /** Read a u64 (two u32 halves, low first). @throws {WireFormatError} `LengthOutOfBounds` past the end. */
  u64(field: string): bigint {
    return this.view.getBigUint64(this.take(SIZE_OF_I64, field), true);
  }

  /**
   * Read an i64 (low u32, high i32) that must be a safe integer.
   * @throws {WireFormatError} `LengthOutOfBounds` past the end.
   * @throws {ValidationError} `InvalidField` if outside ±(2^53 − 1).
   */
  i64(field: string): number {
    const at = this.take(SIZE_OF_I64, field);
    const lo = this.view.getUint32(at, true);
    const hi = this.view.getInt32(at + SIZE_OF_I32, true);
    const v = hi * TWO_32 + lo;
    if (!Number.isSafeInteger(v)) throw invalidField(field, 'i64 outside the safe integer range');
    return v;
  }

  /**
   * Read a length-prefixed UTF-8 string.
   * @throws {ValidationError} `FieldTooLong` if the prefix exceeds `max`, `InvalidField` on malformed UTF-8.
   * @throws {WireFormatError} `LengthOutOfBounds` if the bytes run past the end.
   */
  str(lenBytes: 1 | 2, max: number, field: string): string {
    const n = lenBytes === 1 ? this.u8(field) : this.u16(field);
    if (n > max) throw new ValidationError('FieldTooLong', field, `${n} UTF-8 bytes > ${max}`);
    const at = this.take(n, field);
    try {
      return utf8Decoder.decode(this.bytes.subarray(at, at + n));
    } catch {
      throw invalidField(field, 'malformed UTF-8');
    }
  }
}
