/**
 * Numeric codes stored in records and wire messages for the model's enumerations.
 *
 * Every code is one byte. `0` is never a valid code, so a zeroed byte is always
 * detectable as "unset" and a decoder can reject it. The string names on the
 * left are the public API spelling; the numbers are the stored spelling and are
 * part of the layout version (changing one is a layout change, see `SPEC.md`).
 *
 * @module
 */

/** Instrument kinds (record byte `KIND_OFFSET`). */
export const KIND_CODES = {
  token: 1,
  stock: 2,
  etf: 3,
  future: 4,
  option: 5,
  currency: 6,
  cexPair: 7,
  dexPool: 8,
  synthetic: 9,
  index: 10,
} as const;

/** Where an instrument comes from (record byte `SOURCE_OFFSET`). */
export const SOURCE_CODES = {
  defi: 1,
  cex: 2,
  tradfi: 3,
  synthetic: 4,
} as const;

/**
 * Trading status (record byte `STATUS_OFFSET`): `active` trading; `halted` suspended;
 * `delisted` no longer listed; `preOpen` listed, not yet trading (auction / pre-market);
 * `postOnly` only orders that add liquidity are accepted; `cancelOnly` only cancels accepted;
 * `reduceOnly` only orders that reduce a position accepted.
 */
export const STATUS_CODES = {
  active: 1,
  halted: 2,
  delisted: 3,
  preOpen: 4,
  postOnly: 5,
  cancelOnly: 6,
  reduceOnly: 7,
} as const;

/** Contract type of a future (detail blob): a dated future or a perpetual swap. Codes 1 (spot) and 4 (option) are retired. */
export const CONTRACT_TYPE_CODES = {
  perpetual: 2,
  future: 3,
} as const;

/**
 * Settlement of a future or option (detail blob): `linear` settles in the quote currency,
 * `inverse` in the base (the contract is worth a fixed amount of quote), `quanto` in a third
 * currency at a fixed rate (BitMEX ETHUSD: priced in USD, settled in XBT). Code 1 (none, for spot) is retired.
 */
export const SETTLEMENT_CODES = {
  linear: 2,
  inverse: 3,
  quanto: 4,
} as const;

/** Option right (detail blob). */
export const RIGHT_CODES = {
  call: 1,
  put: 2,
} as const;

/** Option exercise style (detail blob). */
export const STYLE_CODES = {
  american: 1,
  european: 2,
} as const;

/** DEX pool invariant (detail blob). */
export const POOL_TYPE_CODES = {
  constantProduct: 1,
  concentratedLiquidity: 2,
  stableSwap: 3,
  weighted: 4,
} as const;

/** Slot state (record word `STATE_OFFSET`). `EMPTY = 0` so a zeroed buffer is an empty table. */
export const SLOT_STATE = {
  EMPTY: 0,
  FULL: 1,
  TOMBSTONE: 2,
} as const;

/** Reverse lookup of a code table: code → name, `undefined` for an unknown code. */
export function codeName<T extends Record<string, number>>(table: T, code: number): keyof T | undefined {
  for (const k in table) if (table[k] === code) return k;
  return undefined;
}
