/**
 * Helpers of the reader's convenience queries: id arguments, pair legs, and the option-chain
 * filter and order of {@link RegistryReader.getOptionChain}.
 *
 * @module
 */
import { RegistryError } from '../errors.js';
import { formatOccSymbol, parseOccSymbol } from '../identifiers/occ.js';
import type { Fixed, OptionRight } from '../model/types.js';
import type { InstrumentView } from './view.js';

/** Filter of an option chain. Bounds are inclusive; expiries are ms since the Unix epoch (UTC). */
export interface OptionChainFilter {
  /** Exactly this expiry. */
  expiry?: number;
  /** Expiry at or after. */
  expiryFrom?: number;
  /** Expiry at or before. */
  expiryTo?: number;
  /** Strike at or above (exact decimal comparison). */
  strikeMin?: Fixed;
  /** Strike at or below. */
  strikeMax?: Fixed;
  right?: OptionRight;
  /** Listed on this venue only. */
  venue?: string;
}

/** a − b for exact decimals: negative, 0 or positive. */
export function compareFixed(a: Fixed, b: Fixed): number {
  const s = Math.max(a.scale, b.scale);
  const x = a.raw * 10n ** BigInt(s - a.scale);
  const y = b.raw * 10n ** BigInt(s - b.scale);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Does an option's detail pass the filter? */
export function optionMatches(d: { expiry: number; strike: Fixed; right: OptionRight }, f: OptionChainFilter): boolean {
  if (f.expiry !== undefined && d.expiry !== f.expiry) return false;
  if (f.expiryFrom !== undefined && d.expiry < f.expiryFrom) return false;
  if (f.expiryTo !== undefined && d.expiry > f.expiryTo) return false;
  if (f.strikeMin !== undefined && compareFixed(d.strike, f.strikeMin) < 0) return false;
  if (f.strikeMax !== undefined && compareFixed(d.strike, f.strikeMax) > 0) return false;
  if (f.right !== undefined && d.right !== f.right) return false;
  return true;
}

/** Chain order: expiry, strike, call before put, venue. */
export function compareOptions(a: InstrumentView, b: InstrumentView): number {
  const x = a.detail as { expiry: number; strike: Fixed; right: OptionRight };
  const y = b.detail as { expiry: number; strike: Fixed; right: OptionRight };
  return (
    x.expiry - y.expiry ||
    compareFixed(x.strike, y.strike) ||
    (x.right === y.right ? 0 : x.right === 'call' ? -1 : 1) ||
    (a.venue < b.venue ? -1 : a.venue > b.venue ? 1 : 0)
  );
}

/** The stored (21-character padded) form of an OCC symbol, or undefined if it is not one. */
export function occKey(occ: unknown): string | undefined {
  if (typeof occ !== 'string') return undefined;
  try {
    return formatOccSymbol(parseOccSymbol(occ.toUpperCase()));
  } catch {
    return undefined;
  }
}

/** A 64-bit id from a bigint or hex string. */
export function toId(id: bigint | string): bigint {
  if (typeof id === 'bigint') {
    if (id < 0n || id > 0xffffffffffffffffn) throw new RegistryError('InvalidArgument', `id ${id} is outside 0..2^64-1`);
    return id;
  }
  if (typeof id === 'string') {
    const m = /^(?:0x)?([0-9a-fA-F]{1,16})$/.exec(id);
    if (m) return BigInt('0x' + m[1]);
    throw new RegistryError('InvalidArgument', `id must be 1-16 hex digits (0x optional), got ${JSON.stringify(id.slice(0, 40))}`);
  }
  throw new RegistryError('InvalidArgument', `id must be a bigint or a hex string, got ${typeof id}`);
}

/** The two leg ids of a CEX pair (base, quote) or DEX pool (token0, token1). */
export function legsOf(vw: InstrumentView): [bigint | undefined, bigint | undefined] {
  const d = vw.detail;
  if (d.baseId !== undefined) return [d.baseId as bigint, d.quoteId as bigint];
  return [d.token0Id as bigint | undefined, d.token1Id as bigint | undefined];
}
