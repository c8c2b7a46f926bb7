/**
 * Cross-venue questions answered inside a reader worker: `module` tasks of the reader pool
 * (`createReaderPool`, `src/reader/pool.ts`). Each export takes the worker's
 * {@link ReaderTaskContext} and plain arguments, and returns plain data (strings, `0x…` hex ids)
 * so the answer crosses the thread boundary without instrument objects.
 *
 * @module
 */
import { ASSET_VENUE } from '../src/model/types.js';
import type { ReaderTaskContext } from '../src/reader/pool.js';
import type { InstrumentView } from '../src/reader/view.js';

/** One instrument as a plain record. */
export interface ListingRecord {
  /** Instrument id, `0x` + 16 lower-case hex digits. */
  id: string;
  venue: string;
  symbol: string;
  kind: string;
}

/** A pool or pair between two assets, with the ids of its legs. */
export interface PoolRecord extends ListingRecord {
  /** Contract address (DEX pools). */
  address?: string;
  /** Ids of the legs: token0 and token1 (pools), or base and quote (CEX pairs). */
  legs: [string, string];
}

/** `0x` + 16 hex digits of a 64-bit id. */
export function hexId(id: bigint): string {
  return `0x${id.toString(16).padStart(16, '0')}`;
}

function record(v: InstrumentView): ListingRecord {
  return { id: hexId(v.id), venue: v.venue, symbol: v.symbol, kind: v.kind };
}

function byVenueSymbol(a: ListingRecord, b: ListingRecord): number {
  return a.venue < b.venue ? -1 : a.venue > b.venue ? 1 : a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0;
}

/** Every listing of an ISIN (sorted by venue, then symbol). */
export function listingsOfIsin(ctx: ReaderTaskContext, args: { isin: string }): ListingRecord[] {
  return ctx.reader.getByIsin(args.isin).map(record).sort(byVenueSymbol);
}

/**
 * The venues where an asset trades as a leg of a CEX pair or DEX pool: the `currency`
 * instrument `ASSET:<code>`, then `findByAsset` on its id. `null` when the currency is unknown.
 */
export function venuesOfAsset(ctx: ReaderTaskContext, args: { code: string }): { assetId: string; venues: string[]; listings: number } | null {
  const cur = ctx.reader.getBySymbol(ASSET_VENUE, args.code);
  if (!cur || cur.kind !== 'currency') return null;
  const assetId = cur.id;
  const hits = ctx.reader.findByAsset(assetId);
  return { assetId: hexId(assetId), venues: [...new Set(hits.map((v) => v.venue))].sort(), listings: hits.length };
}

/**
 * The pools and pairs between two tokens given by address on a chain: token ids from
 * `getByAddress`, then `findPoolsForPair`. Token ids are `null` when an address is not registered.
 */
export function poolsForTokenPair(
  ctx: ReaderTaskContext,
  args: { chainId: number; token0: string; token1: string },
): { token0Id: string | null; token1Id: string | null; pools: PoolRecord[] } {
  const token = (addr: string): InstrumentView | undefined => ctx.reader.getByAddress(args.chainId, addr).find((v) => v.kind === 'token');
  const t0 = token(args.token0);
  const t1 = token(args.token1);
  if (!t0 || !t1) return { token0Id: t0 ? hexId(t0.id) : null, token1Id: t1 ? hexId(t1.id) : null, pools: [] };
  const [a, b] = [t0.id, t1.id];
  const pools = ctx.reader.findPoolsForPair(a, b).map((v): PoolRecord => {
    const d = v.detail;
    const legs = [d.token0Id ?? d.baseId, d.token1Id ?? d.quoteId] as [bigint, bigint];
    return { ...record(v), ...(typeof d.address === 'string' ? { address: d.address } : {}), legs: [hexId(legs[0]), hexId(legs[1])] };
  });
  return { token0Id: hexId(a), token1Id: hexId(b), pools: pools.sort(byVenueSymbol) };
}
