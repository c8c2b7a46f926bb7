/**
 * 64-bit instrument ids as two u32 halves, and their text form. No dependencies but the error
 * classes, so readers and the CLI's query parser can import it without the BLAKE3
 * implementations of `derive.ts`.
 *
 * @module
 */
import { RegistryError } from '../errors.js';

const U64_MAX = 0xffffffffffffffffn;

/** A u32 id half; signed i32 halves (as `InstrumentView` holds them) are accepted too. */
function checkHalf(v: unknown, name: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < -(2 ** 31) || v >= 2 ** 32) {
    throw new RegistryError('InvalidArgument', `id half ${name} must be a 32-bit integer, got ${typeof v === 'number' ? v : typeof v}`);
  }
  return v;
}

function checkId(id: unknown): bigint {
  if (typeof id !== 'bigint') throw new RegistryError('InvalidArgument', `id must be a bigint, got ${typeof id}`);
  if (id < 0n || id > U64_MAX) throw new RegistryError('InvalidArgument', `id ${id} is outside 0..2^64-1`);
  return id;
}

/**
 * Join two u32 halves into a u64 bigint.
 * @throws {RegistryError} `InvalidArgument` if a half is not an integer in -2^31..2^32-1.
 */
export function joinId(lo: number, hi: number): bigint {
  return (BigInt(checkHalf(hi, 'hi') >>> 0) << 32n) | BigInt(checkHalf(lo, 'lo') >>> 0);
}

/**
 * Split a u64 bigint into u32 halves `[lo, hi]`.
 * @throws {RegistryError} `InvalidArgument` if `id` is not a bigint in 0..2^64-1.
 */
export function splitId(id: bigint): [number, number] {
  checkId(id);
  return [Number(id & 0xffffffffn) >>> 0, Number((id >> 32n) & 0xffffffffn) >>> 0];
}

/**
 * Format an id as 16 lower-case hex digits, `0x`-prefixed.
 * @throws {RegistryError} `InvalidArgument` if `id` is not a bigint in 0..2^64-1.
 */
export function formatId(id: bigint): string {
  return `0x${checkId(id).toString(16).padStart(16, '0')}`;
}

/**
 * Parse `0x…` or bare hex (1..16 digits) into an id; `undefined` if not hex.
 * @throws {RegistryError} `InvalidArgument` if `text` is not a string.
 */
export function parseId(text: string): bigint | undefined {
  if (typeof text !== 'string') throw new RegistryError('InvalidArgument', `id text must be a string, got ${typeof text}`);
  const m = /^(?:0x)?([0-9a-fA-F]{1,16})$/.exec(text.trim());
  return m ? BigInt(`0x${m[1]}`) : undefined;
}
