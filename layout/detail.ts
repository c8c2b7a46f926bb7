/**
 * Per-kind detail blobs: the fields of each kind's descriptor (`layout/kinds.ts`: ISIN,
 * contract address, base/quote ids, strike, limits…), stored in the string heap and referenced
 * by the record's DETAIL_REF. A blob is immutable; changing a mutable kind field writes a new
 * blob and publishes its reference under the record's seqlock.
 *
 * ```
 *  blob: +----------------+---------+---------+-- … --+
 *        | PRESENT u32    | field 0 | field 1 |       |   fields in DETAIL_FIELDS order; absent ones omitted
 *        +----------------+---------+---------+-- … --+
 *  field encodings (little-endian), by the descriptor's field type (layout/kinds.ts):
 *    u8     1 byte     enum  1 byte (code)     u32   4 bytes            id    8 bytes (u64)
 *    ms     8 bytes (i64 ms)     fixed 1 byte scale + 8 bytes raw (u64)
 *    str    1 byte length + UTF-8 bytes (≤ 255)
 *    legs   u16 count, then per leg: id (8) + flags u8 (bit0 = negative) + fixed (9)
 * ```
 * Bit i of PRESENT is set when field i is present.
 *
 * @module
 */

import { KIND_STR_MAX, KINDS, type KindField, type KindName } from './kinds.js';
import { SIZE_OF_I32, SIZE_OF_I64, SIZE_OF_U16, SIZE_OF_U8 } from './sizes.js';

/** Bytes of the PRESENT bitmask at the start of every blob. */
export const DETAIL_PRESENT_SIZE = SIZE_OF_I32;
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
export const DETAIL_STR_MAX = KIND_STR_MAX;

/** Field lists per kind, in blob order: the kind descriptors' fields (`layout/kinds.ts`). */
export const DETAIL_FIELDS: { readonly [K in KindName]: readonly KindField[] } = Object.fromEntries(
  Object.entries(KINDS).map(([k, d]) => [k, d.fields]),
) as unknown as { readonly [K in KindName]: readonly KindField[] };
