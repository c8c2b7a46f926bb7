/**
 * The venue registry: every venue instreg knows (ISO 10383 MICs plus crypto venues and chains),
 * their run-time status, and best-venue selection for routing.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../config.js';
import { argArray, argFunction, argOptions, argPath, ioError } from '../args.js';
import { ValidationError } from '../errors.js';
import { show } from '../identifiers/common.js';
import { CRYPTO_VENUES_FILE, checkVenueInfo, loadCryptoVenues } from './crypto.js';
import { findMicList, loadMicList } from './mic.js';
import { ExecutionCriteria, VENUE_STATUSES, isTradableStatus, type VenueInfo, type VenueStatus } from './types.js';

/** Called after a venue's status changed (`from !== to`). */
export type VenueStatusListener = (code: string, from: VenueStatus, to: VenueStatus) => void;

/** Options of {@link VenueRegistry}. */
export interface VenueRegistryOptions {
  /** Hook for the change-event feed: called by {@link VenueRegistry.setStatus} after each actual change. */
  onStatusChange?: VenueStatusListener;
}

/** A listing of an instrument on a venue, as {@link VenueRegistry.findBestVenue} ranks them. */
export interface VenueListing {
  /** Venue code. */
  venue: string;
  /** Symbol on that venue. */
  symbol: string;
  /** Instrument id. */
  id: bigint;
}

const CRITERIA = Object.values(ExecutionCriteria) as readonly string[];

/** Compare two optional numbers: present values first, ordered by `dir` (1 ascending, -1 descending). */
function cmpMetric(a: number | undefined, b: number | undefined, dir: 1 | -1): number {
  if (a === undefined || b === undefined) return (a === undefined ? 1 : 0) - (b === undefined ? 1 : 0);
  return a === b ? 0 : (a < b ? -1 : 1) * dir;
}

function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Registry of venues keyed by venue code.
 *
 * MICs and crypto codes share one namespace (an instrument's `venue` is a bare code). Where a crypto
 * code equals an ISO 10383 MIC (the Base chain `BASE` vs MIC `BASE`), {@link get} returns the venue
 * registered under the code last (with `replace`), {@link isKnownMic} still answers from the ISO list,
 * and {@link shadowedMics} lists the MIC entries hidden that way.
 *
 * Stored venues are frozen copies; mutate them only through {@link addVenue} (`replace`) and {@link setStatus}.
 */
export class VenueRegistry {
  readonly #byCode = new Map<string, Readonly<VenueInfo>>();
  readonly #mics = new Map<string, Readonly<VenueInfo>>();
  readonly #shadowed = new Map<string, Readonly<VenueInfo>>();
  readonly #chains = new Map<number, string>();
  readonly #onStatusChange: VenueStatusListener | undefined;

  /**
   * @param opts optional {@link VenueRegistryOptions.onStatusChange} listener.
   * @throws {RegistryError} `InvalidArgument` if `opts` is not an object or the listener not a function.
   */
  constructor(opts: VenueRegistryOptions = {}) {
    argOptions(opts);
    this.#onStatusChange = argFunction(opts.onStatusChange, 'onStatusChange', true);
  }

  /** Number of venue codes registered. */
  get size(): number {
    return this.#byCode.size;
  }

  /**
   * Register a venue (a validated, frozen copy is stored).
   *
   * @param info the venue.
   * @param opts `replace: true` to overwrite a venue already registered under `info.code`.
   * @returns the stored venue.
   * @throws {ValidationError} `InvalidField`/`InvalidEnum` for an invalid venue (code syntax, ranges,
   *   see `checkVenueInfo`), or `InvalidField` on `code` when the code is taken and `replace` is not set.
   * @throws {RegistryError} `InvalidArgument` if `opts` is not an object.
   */
  addVenue(info: VenueInfo, opts: { replace?: boolean } = {}): Readonly<VenueInfo> {
    argOptions(opts);
    const v = freeze(checkVenueInfo(info, 'venue'));
    const existing = this.#byCode.get(v.code);
    if (existing && !opts.replace) throw new ValidationError('InvalidField', 'code', `venue ${v.code} is already registered`);
    this.#byCode.set(v.code, v);
    if (v.mic !== undefined) {
      this.#mics.set(v.mic, v);
      this.#shadowed.delete(v.mic);
    }
    if (existing?.mic !== undefined && existing.mic === existing.code && v.mic !== existing.mic) this.#shadowed.set(existing.mic, existing);
    if (v.type === 'chain' && v.chainId !== undefined && !this.#chains.has(v.chainId)) this.#chains.set(v.chainId, v.code);
    return v;
  }

  /** The venue registered under `code`, or `undefined`. */
  get(code: string): Readonly<VenueInfo> | undefined {
    return this.#byCode.get(code);
  }

  /**
   * True when `code` is an ISO 10383 MIC known to this registry (a venue with that `mic` was added,
   * normally from the ISO list), even if a crypto venue shadows the code.
   *
   * @param opts `activeOnly: true` to answer false for MICs whose status is not tradable
   *   (`expired`, `suspended`); `active` and `updated` count as active.
   * @throws {RegistryError} `InvalidArgument` if `opts` is not an object.
   */
  isKnownMic(code: string, opts: { activeOnly?: boolean } = {}): boolean {
    argOptions(opts);
    const v = this.#mics.get(code);
    if (v === undefined) return false;
    return opts.activeOnly ? isTradableStatus(v.status) : true;
  }

  /** Every registered venue, sorted by code. */
  all(): Readonly<VenueInfo>[] {
    return [...this.#byCode.values()].sort((a, b) => cmpStr(a.code, b.code));
  }

  /** MIC entries hidden because a non-MIC venue was registered under the same code (sorted by MIC). */
  shadowedMics(): Readonly<VenueInfo>[] {
    return [...this.#shadowed.values()].sort((a, b) => cmpStr(a.code, b.code));
  }

  /**
   * Map a chain id to the code of its `chain` venue (e.g. `1` → `ETHEREUM`).
   * @throws {ValidationError} `InvalidField` if `chainId` is not a positive safe integer or `code` is not a registered venue.
   */
  setChain(chainId: number, code: string): void {
    if (!Number.isSafeInteger(chainId) || chainId <= 0) throw new ValidationError('InvalidField', 'chainId', 'must be a positive safe integer');
    if (!this.#byCode.has(code)) throw new ValidationError('InvalidField', 'venue', `unknown venue code ${show(code)}`);
    this.#chains.set(chainId, code);
  }

  /** Code of the chain venue for `chainId` (e.g. `137` → `POLYGON`), or `undefined`. */
  venueForChain(chainId: number): string | undefined {
    return this.#chains.get(chainId);
  }

  /** Every known chain id → chain venue code, sorted by chain id. */
  chains(): Array<[chainId: number, code: string]> {
    return [...this.#chains.entries()].sort((a, b) => a[0] - b[0]);
  }

  /**
   * Change a venue's status (e.g. `suspended` during an outage).
   *
   * The change is stored first; then, if the status actually changed, the `onStatusChange` listener
   * given to the constructor is called with `(code, from, to)`. An exception from the listener propagates.
   *
   * @returns the previous status.
   * @throws {ValidationError} `InvalidField` on `venue` for an unknown code; `InvalidEnum` on `status`.
   */
  setStatus(code: string, status: VenueStatus): VenueStatus {
    const v = this.#byCode.get(code);
    if (!v) throw new ValidationError('InvalidField', 'venue', `unknown venue code ${show(code)}`);
    if (!VENUE_STATUSES.includes(status)) {
      throw new ValidationError('InvalidEnum', 'status', `${show(status)} is not one of ${VENUE_STATUSES.join(', ')}`);
    }
    const from = v.status;
    if (from === status) return from;
    const next = freeze({ ...v, status });
    this.#byCode.set(code, next);
    if (next.mic !== undefined && this.#mics.get(next.mic) === v) this.#mics.set(next.mic, next);
    this.#onStatusChange?.(code, from, status);
    return from;
  }

  /**
   * Pick the listing on the best venue for `criteria`.
   *
   * Listings whose venue is unknown or not tradable (status other than `active`/`updated`) are ignored.
   * Ranking:
   * - `LowestFees`: lowest `takerFeeBps`, then lowest `makerFeeBps`;
   * - `HighestLiquidity`: highest `liquidityScore`;
   * - `FastestExecution`: lowest `latencyMs`.
   * A venue without the metric ranks after every venue that has it. Remaining ties are broken by venue
   * code, then symbol, then id (ascending), so the result does not depend on input order.
   *
   * @returns the chosen listing and its venue, or `undefined` when no listing is on a tradable venue.
   * @throws {ValidationError} `InvalidEnum` on `criteria` for an unknown criterion; `InvalidField` for a
   *   listing that is not an object with a string `venue` and `symbol` and a bigint `id`.
   * @throws {RegistryError} `InvalidArgument` if `listings` is not an array.
   */
  findBestVenue<L extends VenueListing>(listings: readonly L[], criteria: ExecutionCriteria): { listing: L; venue: Readonly<VenueInfo> } | undefined {
    if (!CRITERIA.includes(criteria)) {
      throw new ValidationError('InvalidEnum', 'criteria', `${show(criteria)} is not one of ${CRITERIA.join(', ')}`);
    }
    argArray(listings, 'listings');
    let best: { listing: L; venue: Readonly<VenueInfo> } | undefined;
    for (const listing of listings) {
      if (
        typeof listing !== 'object' ||
        listing === null ||
        typeof listing.venue !== 'string' ||
        typeof listing.symbol !== 'string' ||
        typeof listing.id !== 'bigint'
      ) {
        throw new ValidationError('InvalidField', 'listing', 'must be { venue: string, symbol: string, id: bigint }');
      }
      const venue = this.#byCode.get(listing.venue);
      if (!venue || !isTradableStatus(venue.status)) continue;
      const cand = { listing, venue };
      if (best === undefined || compare(cand, best, criteria) < 0) best = cand;
    }
    return best;
  }
}

function compare(
  a: { listing: VenueListing; venue: Readonly<VenueInfo> },
  b: { listing: VenueListing; venue: Readonly<VenueInfo> },
  criteria: ExecutionCriteria,
): number {
  let c = 0;
  switch (criteria) {
    case ExecutionCriteria.LowestFees:
      c = cmpMetric(a.venue.takerFeeBps, b.venue.takerFeeBps, 1) || cmpMetric(a.venue.makerFeeBps, b.venue.makerFeeBps, 1);
      break;
    case ExecutionCriteria.HighestLiquidity:
      c = cmpMetric(a.venue.liquidityScore, b.venue.liquidityScore, -1);
      break;
    case ExecutionCriteria.FastestExecution:
      c = cmpMetric(a.venue.latencyMs, b.venue.latencyMs, 1);
      break;
  }
  if (c !== 0) return c;
  c = cmpStr(a.venue.code, b.venue.code) || cmpStr(a.listing.symbol, b.listing.symbol);
  if (c !== 0) return c;
  return a.listing.id < b.listing.id ? -1 : a.listing.id > b.listing.id ? 1 : 0;
}

function freeze(v: VenueInfo): Readonly<VenueInfo> {
  if (v.tradingHours) Object.freeze(v.tradingHours);
  if (v.chainIds) Object.freeze(v.chainIds);
  return Object.freeze(v);
}

/**
 * The standard registry: the ISO 10383 MIC list found in `dataDir` by content (`findMicList`) plus the crypto
 * venues and chain table shipped in the repository (`mappings/venues/crypto-venues.json`, found from the
 * repository root, so it works from `src/` and from compiled `dist/src/`).
 *
 * A crypto venue whose code equals a MIC (e.g. `BASE`) replaces it under that code; the MIC stays
 * known to {@link VenueRegistry.isKnownMic} and is listed by {@link VenueRegistry.shadowedMics}.
 * Rows of the MIC CSV that `loadMicList` rejects are skipped.
 *
 * @param dataDir directory holding the MIC CSV (see `dataDir()` in `src/config.ts`).
 * @param opts registry options (status-change listener).
 * @throws {ConfigError} when `dataDir` holds no MIC list; {@link IoError} if a file cannot be read (the
 *   crypto venue file missing: `errno` ENOENT); {@link RegistryError} `ParseError` for a malformed MIC
 *   header, `InvalidArgument` for a `dataDir` that is not a non-empty string; {@link ValidationError}
 *   for an invalid crypto venue file.
 */
export function defaultVenueRegistry(dataDir: string, opts: VenueRegistryOptions = {}): VenueRegistry {
  argPath(dataDir, 'dataDir');
  const reg = new VenueRegistry(opts);
  const read = (file: string) => {
    try {
      return readFileSync(file, 'utf8');
    } catch (e) {
      throw ioError(e, `read ${file}`);
    }
  };
  const { venues: mics } = loadMicList(read(findMicList(dataDir)));
  for (const v of mics) reg.addVenue(v);
  const crypto = loadCryptoVenues(read(join(repoRoot(), CRYPTO_VENUES_FILE)));
  for (const v of crypto.venues) {
    const existing = reg.get(v.code);
    // Only a MIC entry may be shadowed; two crypto venues with one code is an error (addVenue throws).
    reg.addVenue(v, { replace: existing?.mic !== undefined && v.mic === undefined });
  }
  for (const [chainId, code] of crypto.chains) reg.setChain(chainId, code);
  return reg;
}
