/**
 * {@link RegistryReader}: lock-free lookups over a registry's shared memory, from any thread.
 * A reader never writes shared memory: no locks, no reader counters, no reader slots.
 *
 * Two APIs over one protocol core (`core.ts`; argued in `layout/SPEC.md`, "Memory ordering"):
 * - **Hot, allocation-free**: `readById`, `readBySymbolKey` (prepared key), `readBySymbol`,
 *   `findByIsinSlots` / `findByCusipSlots` + `readSlot`, each copying only a {@link FieldSet}'s
 *   words under one seqlock check.
 * - **Convenient**: `getById`, `getBySymbol`, `getByIsin`, … returning {@link InstrumentView}s
 *   that copy and decode lazily, and `toObject()` (the view machinery: `view-reader.ts`).
 *
 * @module
 */
import { CTL, KIND_CODES } from '../../layout/index.js';
import { RegistryError, ValidationError } from '../errors.js';
import { splitId } from '../id/halves.js';
import type { Fixed, InstrumentKind, OptionRight } from '../model/types.js';
import { occKeyHash } from '../shm/index-keys.js';
import { compareOptions, legsOf, occKey, optionMatches, toId, type OptionChainFilter } from './chain.js';
import type { RegistryHandle } from '../shm/handle.js';
import { hashChainAddress, hashIdHalves, hashIdPair } from '../shm/keyhash.js';
import { packCode } from '../shm/pack.js';
import { FieldSet } from './fields.js';
import { newSymbolKey, SymbolKey } from './symbol-key.js';
import { InstrumentView } from './view.js';
import { ViewReader } from './view-reader.js';

/** Lock-free reader. Attach with {@link RegistryReader.attach}; one per thread. */
export class RegistryReader extends ViewReader {
  /** Lookups performed through the convenience API (thread-local; sum across readers on demand). */
  lookups = 0;
  private readonly idFields = new FieldSet(['id']);
  private readonly scratchKey = new SymbolKey();
  private readonly packed = new Int32Array(2);
  /** Generation of the slots the last `find…Slots` call returned. */
  private slotsGen = 0;

  private constructor(handle: RegistryHandle) {
    super(handle);
  }

  /**
   * Attach to a registry from its handle (e.g. received in `workerData`).
   * @throws {LayoutMismatchError} wrong magic, layout version, or a malformed handle.
   * @example
   * const reader = RegistryReader.attach(workerData.handle);
   */
  static attach(handle: RegistryHandle): RegistryReader {
    return new RegistryReader(handle);
  }

  /** Published generation number. */
  get generation(): number {
    this.sync();
    return this.gen;
  }

  /** Live instruments (published counter). */
  get count(): number {
    return Atomics.load(this.ctl, CTL.COUNT);
  }

  // ------------------------------------------------------------------ hot API (allocation-free)

  /**
   * Prepare a venue + symbol key for {@link readBySymbolKey}. Venue codes are case-insensitive.
   * An unknown venue gives a key that never matches (prepare again once the venue exists).
   * @throws {RegistryError} `InvalidArgument` if `venue` is neither a string nor a venue index.
   * @example
   * const key = reader.prepareSymbolKey('BINANCE', 'BTCUSDT');
   * const f = new FieldSet(['tickSize', 'lotSize']);
   * if (reader.readBySymbolKey(key, f)) quote(f.tickRaw, f.tickScale);
   */
  prepareSymbolKey(venue: string | number, symbol: string): SymbolKey {
    const v = typeof venue === 'string' ? this.venueIndex(venue) : venue;
    return newSymbolKey(v, symbol);
  }

  /**
   * Venue index + symbol string lookup, without a prepared key (hashes and packs the symbol per
   * call, allocation-free for ASCII symbols). See {@link readBySymbolKey}. `f` is not checked
   * (hot path).
   * @returns false if not found (also for venue index -1, an unknown venue).
   * @throws {RegistryError} `InvalidArgument` if `venueIndex` is not an integer in -1..0xffff or
   *   `symbol` not a string.
   */
  readBySymbol(venueIndex: number, symbol: string, f: FieldSet): boolean {
    const k = this.scratchKey;
    if (venueIndex === -1 && typeof symbol === 'string') return false; // unknown venue
    if (!k.set(venueIndex, symbol)) return false;
    return this.readBySymbolKey(k, f);
  }

  /**
   * Every live listing of an ISIN (case-insensitive), as slots of the current generation, into
   * `out` (as many as fit). Verified in the index: no heap access, no allocation.
   * @returns the number of listings (may exceed `out.length`); read them with {@link readSlot}.
   *   A non-string or malformed ISIN has none.
   * @throws {RegistryError} `InvalidArgument` if `out` is not an Int32Array.
   */
  findByIsinSlots(isin: string, out: Int32Array): number {
    checkOut(out);
    return this.findCodeSlots('ISIN', isin, out);
  }

  /** Every live listing of a CUSIP, as slots. Same contract as {@link findByIsinSlots}. */
  findByCusipSlots(cusip: string, out: Int32Array): number {
    checkOut(out);
    return this.findCodeSlots('CUSIP', cusip, out);
  }

  /**
   * Copy `f`'s fields of a slot returned by the last `find…Slots` call.
   * @returns false if that listing was removed or its generation replaced since (find again).
   */
  readSlot(slot: number, f: FieldSet): boolean {
    return this.readSlotOf(this.slotsGen, slot, f);
  }

  /** Views of every live listing under a packed identifier (ISIN, CUSIP, SEDOL); none for a code that does not pack. */
  private viewsByCode(index: 'ISIN' | 'CUSIP' | 'SEDOL', code: string): InstrumentView[] {
    this.lookups++;
    if (typeof code !== 'string' || !packCode(code, this.packed)) return [];
    const [a, b] = this.packed;
    return this.viewsOf(() => this.walkKeyed(index, a!, b!, 0, this.walkBuf));
  }

  private findCodeSlots(index: 'ISIN' | 'CUSIP', code: string, out: Int32Array): number {
    if (typeof code !== 'string' || !packCode(code, this.packed)) return 0;
    const n = this.walkKeyed(index, this.packed[0]!, this.packed[1]!, 0, out);
    this.slotsGen = this.gen;
    return n;
  }

  // ------------------------------------------------------------------ convenience API (views)

  /**
   * Look up by id halves (no BigInt). Returns `into` (or a new view) bound to the record, or
   * undefined if no live instrument has that id.
   * @throws {RegistryError} `InvalidArgument` if a half is not an integer in -2^31..2^32-1 or
   *   `into` is given and not an InstrumentView.
   */
  getByIdHalves(idLo: number, idHi: number, into?: InstrumentView): InstrumentView | undefined {
    if (!isHalf(idLo) || !isHalf(idHi)) throw new RegistryError('InvalidArgument', 'id halves must be 32-bit integers');
    checkInto(into);
    this.lookups++;
    const f = this.presence;
    if (!this.readById(idLo, idHi, f)) return undefined;
    return (into ?? new InstrumentView(this)).bind(f.gen, f.slot, idLo | 0, idHi | 0);
  }

  /**
   * Look up by 64-bit id: a bigint, or a hex string (`0x` optional, 1-16 hex digits).
   * @throws {RegistryError} `InvalidArgument` for anything else (a number, a malformed string,
   *   a bigint outside 0..2^64-1), or an `into` that is not an InstrumentView.
   * @example
   * reader.getById(0xa9f423a8166d831an)?.symbol;
   * reader.getById('0xa9f423a8166d831a')?.toObject();
   */
  getById(id: bigint | string, into?: InstrumentView): InstrumentView | undefined {
    checkInto(into);
    const [lo, hi] = splitId(toId(id));
    return this.getByIdHalves(lo, hi, into);
  }

  /** True if a live instrument has this id. */
  has(id: bigint | string): boolean {
    const [lo, hi] = splitId(toId(id));
    return this.readById(lo, hi, this.presence);
  }

  /** Venue code → venue index for the hot API (-1 if unknown). Case-insensitive. */
  venueIndex(venue: string): number {
    if (typeof venue !== 'string') return -1;
    const i = this.venues.indexOf(venue);
    return i >= 0 ? i : this.venues.indexOf(venue.toUpperCase());
  }

  /**
   * The live instrument listed under venue + symbol, or undefined (also for a venue that is no
   * known code, or not a string).
   * @throws {RegistryError} `InvalidArgument` if `symbol` is not a string or `into` not an InstrumentView.
   */
  getBySymbol(venue: string, symbol: string, into?: InstrumentView): InstrumentView | undefined {
    const v = this.venueIndex(venue);
    if (v < 0) {
      if (typeof symbol !== 'string') throw new RegistryError('InvalidArgument', `symbol must be a string, got ${typeof symbol}`);
      checkInto(into);
      return undefined;
    }
    return this.getBySymbolIndex(v, symbol, into);
  }

  /**
   * Like {@link getBySymbol} with a pre-resolved venue index.
   * @throws {RegistryError} `InvalidArgument` as {@link readBySymbol}, or an `into` that is not an InstrumentView.
   */
  getBySymbolIndex(venue: number, symbol: string, into?: InstrumentView): InstrumentView | undefined {
    checkInto(into);
    this.lookups++;
    const f = this.idFields;
    if (!this.readBySymbol(venue, symbol, f)) return undefined;
    return (into ?? new InstrumentView(this)).bind(f.gen, f.slot, f.idLo | 0, f.idHi | 0);
  }

  /**
   * Every live instrument listed under venue + symbol. Usually one; on-chain tokens and pools may
   * share a symbol on one chain (their identity is the address), see `symbolIsUnique`.
   * @throws {RegistryError} `InvalidArgument` if `symbol` is not a string.
   */
  getAllBySymbol(venue: string, symbol: string): InstrumentView[] {
    if (typeof symbol !== 'string') throw new RegistryError('InvalidArgument', `symbol must be a string, got ${typeof symbol}`);
    const v = this.venueIndex(venue);
    const k = new SymbolKey();
    if (v < 0 || !k.set(v, symbol)) return [];
    this.lookups++;
    return this.viewsOf(() => this.walkHashed('SYMBOL', k.hash, k, this.walkBuf));
  }

  /** Every live listing of an ISIN (one per venue it trades on). Case-insensitive. */
  getByIsin(isin: string): InstrumentView[] {
    return this.viewsByCode('ISIN', isin);
  }

  /** Every live listing with this CUSIP. Case-insensitive. */
  getByCusip(cusip: string): InstrumentView[] {
    return this.viewsByCode('CUSIP', cusip);
  }

  /**
   * Token or DEX pool at a contract address on a chain (case-insensitive).
   * @throws {RegistryError} `InvalidArgument` if `chainId` is not a u32 or `address` not a string.
   */
  getByAddress(chainId: number, address: string): InstrumentView[] {
    if (!Number.isInteger(chainId) || chainId < 0 || chainId > 0xffffffff) throw new RegistryError('InvalidArgument', 'chainId must be a u32');
    if (typeof address !== 'string') throw new RegistryError('InvalidArgument', `address must be a string, got ${typeof address}`);
    this.lookups++;
    const key = address.toLowerCase();
    const views = this.viewsOf(() => this.walkHashed('ADDRESS', hashChainAddress(chainId, key) | 0, null, this.walkBuf));
    return views.filter((vw) => {
      // Verified on a validated private copy of the detail blob (the heap may be reused meanwhile).
      // EVM addresses are stored lower-case; others compare case-insensitively.
      const d = vw.detail;
      return d.chainId === chainId >>> 0 && typeof d.address === 'string' && d.address.toLowerCase() === key;
    });
  }

  /** Venue codes an ISIN trades on (sorted, unique). */
  findAllVenuesForIsin(isin: string): string[] {
    return [...new Set(this.getByIsin(isin).map((v) => v.venue))].sort();
  }

  /**
   * CEX pairs and DEX pools between two assets, in either order.
   * @throws {RegistryError} `InvalidArgument` if an id is not a bigint in 0..2^64-1.
   */
  findPoolsForPair(a: bigint, b: bigint): InstrumentView[] {
    this.lookups++;
    const [aLo, aHi] = splitId(a);
    const [bLo, bHi] = splitId(b);
    const views = this.viewsOf(() => this.walkHashed('PAIR', hashIdPair(aLo, aHi, bLo, bHi) | 0, null, this.walkBuf));
    return views.filter((vw) => {
      const [x, y] = legsOf(vw);
      return (x === a && y === b) || (x === b && y === a);
    });
  }

  /**
   * CEX pairs and DEX pools that have this asset as a leg (base or quote, token0 or token1).
   * @throws {RegistryError} `InvalidArgument` if `asset` is not a bigint in 0..2^64-1.
   */
  findByAsset(asset: bigint): InstrumentView[] {
    this.lookups++;
    const [lo, hi] = splitId(asset);
    return this.viewsOf(() => this.walkKeyed('ASSET', hashIdHalves(lo, hi) | 0, lo | 0, hi | 0, this.walkBuf));
  }

  /** Every live listing with this SEDOL. Case-insensitive. */
  getBySedol(sedol: string): InstrumentView[] {
    return this.viewsByCode('SEDOL', sedol);
  }

  /**
   * Options with this OCC symbol (the 21-character padded form or the compact one, any case):
   * normally one (OCC options are fungible across US exchanges, ADR 0001).
   */
  getByOccSymbol(occ: string): InstrumentView[] {
    this.lookups++;
    const key = occKey(occ);
    if (key === undefined) return [];
    return this.viewsOf(() => this.walkHashed('OCC', occKeyHash(key), null, this.walkBuf)).filter((v) => v.detail.occSymbol === key);
  }

  /**
   * Instruments whose underlying is `id`: futures and options on it (the `underlyingId` of
   * their descriptors) and, for an asset, its on-chain tokens (`assetId`). Index walk, no scan.
   */
  findByUnderlying(id: bigint): InstrumentView[] {
    this.lookups++;
    const [lo, hi] = splitId(toId(id));
    return this.viewsOf(() => this.walkKeyed('UNDERLYING', hashIdHalves(lo, hi) | 0, lo | 0, hi | 0, this.walkBuf));
  }

  /**
   * The option chain of an underlying: its live options, filtered, sorted by expiry, strike,
   * then right (calls first) and venue. Walks the UNDERLYING index (no table scan).
   * @param filter `expiry` (exact, ms), `expiryFrom` / `expiryTo` (inclusive, ms),
   *   `strikeMin` / `strikeMax` (inclusive, exact decimals), `right`, `venue`
   * @example
   * const calls = reader.getOptionChain(btcIndexId, { expiry: Date.UTC(2025, 2, 28, 8), right: 'call' });
   */
  getOptionChain(underlying: bigint, filter: OptionChainFilter = {}): InstrumentView[] {
    const venue = filter.venue === undefined ? -1 : this.venueIndex(filter.venue);
    if (filter.venue !== undefined && venue < 0) return [];
    const chain = this.findByUnderlying(underlying).filter((v) => {
      if (v.kind !== 'option' || (venue >= 0 && v.venueIndex !== venue)) return false;
      const d = v.detail as { expiry: number; strike: Fixed; right: OptionRight };
      return optionMatches(d, filter);
    });
    return chain.sort(compareOptions);
  }

  /**
   * Every live instrument of a kind (scans the table: not a hot-path call).
   * @throws {ValidationError} `InvalidEnum` if `kind` is not an instrument kind.
   */
  findByType(kind: InstrumentKind): InstrumentView[] {
    if (typeof kind !== 'string' || !Object.prototype.hasOwnProperty.call(KIND_CODES, kind)) {
      throw new ValidationError(
        'InvalidEnum',
        'kind',
        `${typeof kind === 'string' ? JSON.stringify(kind.slice(0, 40)) : typeof kind} is not one of ${Object.keys(KIND_CODES).join(', ')}`,
      );
    }
    const code = KIND_CODES[kind];
    return this.scan((vw) => vw.kindCode === code);
  }

  /** Every live instrument listed on a venue (scans the table). */
  findByVenue(venue: string): InstrumentView[] {
    const v = this.venueIndex(venue);
    if (v < 0) return [];
    return this.scan((vw) => vw.venueIndex === v);
  }

  /** Every live instrument (scans the table). */
  all(): InstrumentView[] {
    return this.scan(() => true);
  }
}

/** A u32 id half, or its signed i32 form. */
function isHalf(v: unknown): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 32;
}

/** `into`, when given, must be a view. */
function checkInto(into: unknown): void {
  if (into !== undefined && !(into instanceof InstrumentView)) throw new RegistryError('InvalidArgument', 'into must be an InstrumentView');
}

/** The slot buffer of a `find…Slots` call. */
function checkOut(out: unknown): void {
  if (!(out instanceof Int32Array)) throw new RegistryError('InvalidArgument', 'out must be an Int32Array');
}
