/**
 * Venue description types shared by the MIC loader, the crypto-venue loader and the
 * {@link VenueRegistry}.
 *
 * @module
 */

/**
 * Status of a venue.
 * - `active`, `expired`, `updated`: the ISO 10383 `STATUS` values (`ACTIVE`, `EXPIRED`, `UPDATED`).
 *   `updated` means the MIC entry was modified in the latest ISO publication; the MIC is still
 *   in use, so it counts as tradable.
 * - `suspended`: set at run time (e.g. a venue outage); not tradable.
 */
export type VenueStatus = 'active' | 'updated' | 'expired' | 'suspended';

/** Every {@link VenueStatus}, in a stable order. */
export const VENUE_STATUSES: readonly VenueStatus[] = ['active', 'updated', 'expired', 'suspended'];

/**
 * Kind of venue.
 * - `exchange`: a trading venue or segment identified by an ISO 10383 MIC (regulated market,
 *   MTF, OTF, SEF, ATS, systematic internaliser …).
 * - `cex`: a centralised crypto exchange (own code, e.g. `BINANCE`), or a MIC whose market
 *   category is `CASP` (crypto-asset service provider).
 * - `dex`: a decentralised exchange protocol (e.g. `UNISWAP_V3`).
 * - `chain`: a blockchain, the venue of its tokens (e.g. `ETHEREUM`).
 * - `other`: MIC entries that are not execution venues (publication and reporting services,
 *   consolidated tapes, `OTHR`).
 */
export type VenueType = 'exchange' | 'cex' | 'dex' | 'chain' | 'other';

/** A venue's regular trading session in its local time. */
export interface TradingHours {
  /** Session open, `HH:MM` 24-hour local time in the venue's {@link VenueInfo.timeZone}. */
  open: string;
  /** Session close, `HH:MM` 24-hour local time in the venue's {@link VenueInfo.timeZone}. */
  close: string;
}

/** Everything instreg knows about a venue. */
export interface VenueInfo {
  /**
   * Venue code used in instruments' `venue` field: the MIC for ISO 10383 venues, else an
   * upper-case code (`BINANCE`, `ETHEREUM`). 1–16 chars of `[A-Z0-9_.-]`.
   */
  code: string;
  /** ISO 10383 MIC, when the venue has one. */
  mic?: string;
  /** ISO 10383 operating MIC (equal to `mic` for an operating-level entry). */
  operatingMic?: string;
  /** ISO 10383 level: operating MIC (`OPRT`) or market segment MIC (`SGMT`). */
  segment?: 'OPRT' | 'SGMT';
  /** Venue name (ISO 10383 "MARKET NAME-INSTITUTION DESCRIPTION" for MICs). */
  name: string;
  /** ISO 3166-1 alpha-2 country code. */
  country?: string;
  /** City, as published. */
  city?: string;
  status: VenueStatus;
  type: VenueType;
  /** ISO 10383 market category code (`RMKT`, `MLTF`, `NSPD`, `CASP` …). */
  marketCategory?: string;
  /** ISO 10383 acronym (e.g. `NASDAQ`, `XETRA`). */
  acronym?: string;
  /** Legal entity identifier (ISO 17442) of the operator, when published. */
  lei?: string;
  /** Website, as published (ISO 10383 upper-cases it). */
  website?: string;
  /** IANA time zone of {@link tradingHours} (e.g. `America/New_York`, `UTC`). */
  timeZone?: string;
  /** Regular session in local time; absent = unknown, or continuous (24/7) for crypto venues. */
  tradingHours?: TradingHours;
  /** Maker fee in basis points (standard / lowest-volume tier); negative = rebate. */
  makerFeeBps?: number;
  /** Taker fee in basis points (standard / lowest-volume tier). */
  takerFeeBps?: number;
  /** Where the fee figures come from (schedule, tier, date). */
  feesSource?: string;
  /** Typical order-to-execution latency in milliseconds (an estimate unless you measured it). */
  latencyMs?: number;
  /** Relative depth of liquidity, 0 (none) … 1 (deepest); an estimate unless you measured it. */
  liquidityScore?: number;
  /** Fraction of time the venue is usable, 0 … 1; an estimate unless you measured it. */
  reliability?: number;
  /** For `chain` venues: the EVM chain id (or registry-assigned id for non-EVM chains). */
  chainId?: number;
  /** For `dex` venues: chain ids of the deployments instreg knows about. */
  chainIds?: number[];
  /** For `chain` venues: true for a test network. */
  testnet?: boolean;
}

/**
 * How {@link VenueRegistry.findBestVenue} ranks venues:
 * - `LowestFees`: lowest taker fee (execution takes liquidity), then lowest maker fee.
 * - `HighestLiquidity`: highest {@link VenueInfo.liquidityScore}.
 * - `FastestExecution`: lowest {@link VenueInfo.latencyMs}.
 */
export const ExecutionCriteria = {
  LowestFees: 'LowestFees',
  HighestLiquidity: 'HighestLiquidity',
  FastestExecution: 'FastestExecution',
} as const;
/** One of the {@link ExecutionCriteria} values. */
export type ExecutionCriteria = (typeof ExecutionCriteria)[keyof typeof ExecutionCriteria];

/** Venue code syntax: 1–16 chars of `[A-Z0-9_.-]` (the registry's venue table holds 16 bytes). */
export const VENUE_CODE_RE = /^[A-Z0-9_.-]{1,16}$/;

/** True for statuses a venue can be traded in (`active`, and `updated`, which is an active MIC). */
export function isTradableStatus(s: VenueStatus): boolean {
  return s === 'active' || s === 'updated';
}
