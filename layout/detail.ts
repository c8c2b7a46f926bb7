/**
 * Per-kind detail blobs: the immutable identity fields of each kind (ISIN, contract
 * address, base/quote ids, strike…), stored once in the string heap and referenced by the
 * record's DETAIL_REF.
 *
 * ```
 *  blob: +----------------+---------+---------+-- … --+
 *        | PRESENT u16    | field 0 | field 1 |       |   fields in DETAIL_FIELDS order; absent ones omitted
 *        +----------------+---------+---------+-- … --+
 *  field encodings (little-endian):
 *    u8     1 byte               u32   4 bytes            id    8 bytes (u64)
 *    ms     8 bytes (i64 ms)     fixed 1 byte scale + 8 bytes raw (u64)
 *    str    1 byte length + UTF-8 bytes (≤ 255)
 *    legs   u16 count, then per leg: id (8) + flags u8 (bit0 = negative) + fixed (9)
 * ```
 * Bit i of PRESENT is set when field i is present.
 *
 * @module
 */

/** Encoding of one detail field. */
export type DetailType = 'u8' | 'u32' | 'id' | 'ms' | 'fixed' | 'str' | 'legs';

import { SIZE_OF_I64, SIZE_OF_U16, SIZE_OF_U8 } from './sizes.js';

/** Bytes of the PRESENT bitmask at the start of every blob. */
export const DETAIL_PRESENT_SIZE = SIZE_OF_U16;
/** Offset of the scale inside an encoded fixed-point value. */
export const FIXED_SCALE_OFFSET = 0;
/** Offset of the raw u64 inside an encoded fixed-point value. */
export const FIXED_RAW_OFFSET = FIXED_SCALE_OFFSET + SIZE_OF_U8;
/** Bytes of a fixed-point value in a blob (scale + raw). */
export const DETAIL_FIXED_SIZE = FIXED_RAW_OFFSET + SIZE_OF_I64;
/** Offset of the id inside a synthetic leg. */
export const LEG_ID_OFFSET = 0;
/** Offset of the flags byte inside a leg (bit 0 = negative weight). */
export const LEG_FLAGS_OFFSET = LEG_ID_OFFSET + SIZE_OF_I64;
/** Offset of the weight (fixed) inside a leg. */
export const LEG_WEIGHT_OFFSET = LEG_FLAGS_OFFSET + SIZE_OF_U8;
/** Bytes of one synthetic leg. */
export const DETAIL_LEG_SIZE = LEG_WEIGHT_OFFSET + DETAIL_FIXED_SIZE;
/** Bytes of the leg count. */
export const DETAIL_LEG_COUNT_SIZE = SIZE_OF_U16;
/** Bytes of a string length prefix. */
export const DETAIL_STR_LEN_SIZE = SIZE_OF_U8;
/** Longest string field in a blob, in UTF-8 bytes. */
export const DETAIL_STR_MAX = 255;

/** Field lists per kind, in blob order. Names match the model's field names. */
export const DETAIL_FIELDS = {
  token: [
    ['chainId', 'u32'],
    ['address', 'str'],
  ],
  stock: [
    ['isin', 'str'],
    ['cusip', 'str'],
    ['sedol', 'str'],
    ['currency', 'str'],
  ],
  etf: [
    ['isin', 'str'],
    ['cusip', 'str'],
    ['sedol', 'str'],
    ['currency', 'str'],
  ],
  future: [
    ['underlyingId', 'id'],
    ['expiry', 'ms'],
    ['contractSize', 'fixed'],
    ['currency', 'str'],
  ],
  option: [
    ['underlyingId', 'id'],
    ['expiry', 'ms'],
    ['strike', 'fixed'],
    ['right', 'u8'],
    ['style', 'u8'],
    ['occSymbol', 'str'],
    ['contractSize', 'fixed'],
  ],
  currency: [],
  cexPair: [
    ['baseId', 'id'],
    ['quoteId', 'id'],
    ['settleId', 'id'],
    ['contractType', 'u8'],
    ['settlement', 'u8'],
    ['expiry', 'ms'],
    ['contractSize', 'fixed'],
  ],
  dexPool: [
    ['chainId', 'u32'],
    ['address', 'str'],
    ['token0Id', 'id'],
    ['token1Id', 'id'],
    ['feeTier', 'u32'],
    ['poolType', 'u8'],
  ],
  synthetic: [['legs', 'legs']],
} as const satisfies Record<string, ReadonlyArray<readonly [string, DetailType]>>;
