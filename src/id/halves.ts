/**
 * 64-bit instrument ids as two u32 halves, and their text form. No dependencies, so readers and
 * the CLI's query parser can import it without the BLAKE3 implementations of `derive.ts`.
 *
 * @module
 */

/** Join two u32 halves into a u64 bigint. */
export function joinId(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

/** Split a u64 bigint into u32 halves `[lo, hi]`. */
export function splitId(id: bigint): [number, number] {
  return [Number(id & 0xffffffffn) >>> 0, Number((id >> 32n) & 0xffffffffn) >>> 0];
}

/** Format an id as 16 lower-case hex digits, `0x`-prefixed. */
export function formatId(id: bigint): string {
  return `0x${id.toString(16).padStart(16, '0')}`;
}

/** Parse `0x…` or bare hex (1..16 digits) into an id; `undefined` if not hex. */
export function parseId(text: string): bigint | undefined {
  const m = /^(?:0x)?([0-9a-fA-F]{1,16})$/.exec(text.trim());
  return m ? BigInt(`0x${m[1]}`) : undefined;
}
