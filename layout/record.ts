/**
 * The 128-byte instrument record: one slot of the open-addressed instrument table.
 *
 * ```
 *  byte 0          4       5      6        7       8        12       16       20        24      26     27     28              36                     64
 *  +-----------+-------+------+--------+-------+--------+--------+--------+---------+-------+------+------+---------------+----------------------+
 *  | SEQ u32   | STATE | KIND | SOURCE | FLAGS | ID lo  | ID hi  | FP u32 | GEN_TAG | VENUE | SLEN | rsvd | CREATED_AT ms | SYMBOL 28 B UTF-8,   |
 *  | seqlock   | u8    | u8   | u8     | u8    | u32    | u32    |        | u32     | u16   | u8   | u8   | lo u32 hi u32 | NUL padded           |
 *  +-----------+-------+------+--------+-------+--------+--------+--------+---------+-------+------+------+---------------+----------------------+
 *   cache line 0: seqlock, state, key and identity. GEN_TAG = the table generation that wrote the slot; a slot whose
 *   tag is not the reader's generation is EMPTY (regions are reused without zeroing, see region.ts).
 *
 *  byte 64          72          80          88          96   97   98   99   100  101  102  103  104       108       112             120        124        128
 *  +-----------+-----------+-----------+-----------+----+----+----+----+----+----+----+----+---------+---------+---------------+----------+----------+
 *  | TICK raw  | LOT raw   | MIN_QTY   | MAX_QTY   | TS | LS | MNS| MXS| PD | SD | ST | PR | MAKER   | TAKER   | UPDATED_AT ms | NAME_REF | DETAIL_  |
 *  | u64 (2×32)| u64       | raw u64   | raw u64   | scales (u8 each)  | u8 | u8 | u8 | u8 | i32     | i32     | lo u32 hi u32 | u32      | REF u32  |
 *  +-----------+-----------+-----------+-----------+----+----+----+----+----+----+----+----+---------+---------+---------------+----------+----------+
 *   cache line 1: mutable attributes, rewritten in place under the seqlock.
 *   TS/LS/MNS/MXS = scales of tick, lot, min qty, max qty; PD/SD = price/size decimals; ST = status; PR = PRESENT bitmask.
 * ```
 *
 * All multi-byte values are little-endian; 64-bit values are two 32-bit halves, low half first.
 * See `layout/SPEC.md` for the field table and the seqlock protocol.
 *
 * @module
 */
import { CACHE_LINE, SIZE_OF_I32, SIZE_OF_I64, SIZE_OF_U16, SIZE_OF_U8, wordIndex } from './sizes.js';

/** Bytes per record. Fixed by DESIGN §1. */
export const RECORD_SIZE = 2 * CACHE_LINE;
/** Int32 words per record. */
export const RECORD_WORDS = RECORD_SIZE / SIZE_OF_I32;

// ---- cache line 0: seqlock, state, key, identity ----
/** Seqlock sequence: odd while the writer is changing the record. */
export const SEQ_OFFSET = 0;
/** Slot state byte (`SLOT_STATE`). Shares a word with KIND, SOURCE, FLAGS. */
export const STATE_OFFSET = SEQ_OFFSET + SIZE_OF_I32;
/** Instrument kind code (`KIND_CODES`). */
export const KIND_OFFSET = STATE_OFFSET + SIZE_OF_U8;
/** Source code (`SOURCE_CODES`). */
export const SOURCE_OFFSET = KIND_OFFSET + SIZE_OF_U8;
/** Reserved flag byte, written 0. */
export const FLAGS_OFFSET = SOURCE_OFFSET + SIZE_OF_U8;
/** Instrument id, low 32 bits. */
export const ID_LO_OFFSET = FLAGS_OFFSET + SIZE_OF_U8;
/** Instrument id, high 32 bits. */
export const ID_HI_OFFSET = ID_LO_OFFSET + SIZE_OF_I32;
/** Fingerprint: digest bits 64..95. A different identity with the same id differs here with probability 1 − 2^-32. */
export const FP_OFFSET = ID_HI_OFFSET + SIZE_OF_I32;
/** Generation that wrote this slot (u32). A slot is live only in the generation its tag names. */
export const GEN_TAG_OFFSET = FP_OFFSET + SIZE_OF_I32;
/** Venue index into the venue table (u16). */
export const VENUE_OFFSET = GEN_TAG_OFFSET + SIZE_OF_I32;
/** Symbol length in UTF-8 bytes (u8). */
export const SYMBOL_LEN_OFFSET = VENUE_OFFSET + SIZE_OF_U16;
/** Reserved byte, written 0. */
export const RESERVED0_OFFSET = SYMBOL_LEN_OFFSET + SIZE_OF_U8;
/** Creation time, ms since the Unix epoch, as two u32 halves. */
export const CREATED_AT_OFFSET = RESERVED0_OFFSET + SIZE_OF_U8;
/** Symbol bytes (UTF-8, NUL padded). */
export const SYMBOL_OFFSET = CREATED_AT_OFFSET + SIZE_OF_I64;
/** Maximum symbol length in UTF-8 bytes: the rest of cache line 0. */
export const SYMBOL_MAX_BYTES = CACHE_LINE - SYMBOL_OFFSET;

// ---- cache line 1: mutable attributes ----
/** Tick size raw value (u64). */
export const TICK_OFFSET = SYMBOL_OFFSET + SYMBOL_MAX_BYTES;
/** Lot size raw value (u64). */
export const LOT_OFFSET = TICK_OFFSET + SIZE_OF_I64;
/** Minimum quantity raw value (u64). */
export const MIN_QTY_OFFSET = LOT_OFFSET + SIZE_OF_I64;
/** Maximum quantity raw value (u64). */
export const MAX_QTY_OFFSET = MIN_QTY_OFFSET + SIZE_OF_I64;
/** Scale of the tick size (u8). */
export const TICK_SCALE_OFFSET = MAX_QTY_OFFSET + SIZE_OF_I64;
/** Scale of the lot size (u8). */
export const LOT_SCALE_OFFSET = TICK_SCALE_OFFSET + SIZE_OF_U8;
/** Scale of min quantity (u8). */
export const MIN_QTY_SCALE_OFFSET = LOT_SCALE_OFFSET + SIZE_OF_U8;
/** Scale of max quantity (u8). */
export const MAX_QTY_SCALE_OFFSET = MIN_QTY_SCALE_OFFSET + SIZE_OF_U8;
/** Price decimals (u8). */
export const PRICE_DECIMALS_OFFSET = MAX_QTY_SCALE_OFFSET + SIZE_OF_U8;
/** Size decimals (u8). */
export const SIZE_DECIMALS_OFFSET = PRICE_DECIMALS_OFFSET + SIZE_OF_U8;
/** Status code (`STATUS_CODES`). */
export const STATUS_OFFSET = SIZE_DECIMALS_OFFSET + SIZE_OF_U8;
/** Bitmask of optional fields present (`PRESENT_BITS`). */
export const PRESENT_OFFSET = STATUS_OFFSET + SIZE_OF_U8;
/** Maker fee, i32, hundredths of a basis point. */
export const MAKER_FEE_OFFSET = PRESENT_OFFSET + SIZE_OF_U8;
/** Taker fee, i32, hundredths of a basis point. */
export const TAKER_FEE_OFFSET = MAKER_FEE_OFFSET + SIZE_OF_I32;
/** Last update time, ms since the Unix epoch, two u32 halves. */
export const UPDATED_AT_OFFSET = TAKER_FEE_OFFSET + SIZE_OF_I32;
/** String-heap reference of the name (0 = none). */
export const NAME_REF_OFFSET = UPDATED_AT_OFFSET + SIZE_OF_I64;
/** String-heap reference of the per-kind detail blob (0 = none). */
export const DETAIL_REF_OFFSET = NAME_REF_OFFSET + SIZE_OF_I32;
/** End of the record: must equal {@link RECORD_SIZE}. */
export const RECORD_END = DETAIL_REF_OFFSET + SIZE_OF_I32;

/** Fee resolution: stored integer = bps × FEE_UNITS_PER_BP. */
export const FEE_UNITS_PER_BP = 100;

/** Bits of the PRESENT byte: which optional attributes were given. */
export const PRESENT_BITS = {
  tickSize: 1 << 0,
  lotSize: 1 << 1,
  minQty: 1 << 2,
  maxQty: 1 << 3,
  priceDecimals: 1 << 4,
  sizeDecimals: 1 << 5,
  makerFeeBps: 1 << 6,
  takerFeeBps: 1 << 7,
} as const;

// ---- word indexes (Int32Array element offsets within a record) ----
/** Word index of SEQ. */
export const SEQ_WORD = wordIndex(SEQ_OFFSET);
/** Word index of the STATE|KIND|SOURCE|FLAGS word. */
export const STATE_WORD = wordIndex(STATE_OFFSET);
/** Word index of ID lo. */
export const ID_LO_WORD = wordIndex(ID_LO_OFFSET);
/** Word index of ID hi. */
export const ID_HI_WORD = wordIndex(ID_HI_OFFSET);
/** Word index of the fingerprint. */
export const FP_WORD = wordIndex(FP_OFFSET);
/** Word index of the generation tag. */
export const GEN_TAG_WORD = wordIndex(GEN_TAG_OFFSET);
/** Word index of the VENUE|SLEN|rsvd word. */
export const VENUE_WORD = wordIndex(VENUE_OFFSET);
/** Word index of the symbol's first word. */
export const SYMBOL_WORD = wordIndex(SYMBOL_OFFSET);
/** First word of cache line 1 (mutable attributes). */
export const LINE1_FIRST_WORD = wordIndex(CACHE_LINE);
/** Words per cache line. */
export const LINE_WORDS = CACHE_LINE / SIZE_OF_I32;

if (RECORD_END !== RECORD_SIZE) throw new Error(`layout: record is ${RECORD_END} bytes, expected ${RECORD_SIZE}`);
if (TICK_OFFSET !== CACHE_LINE) throw new Error('layout: cache line 1 must start with TICK');

/** Bit shift of the STATE byte inside the STATE word (little-endian). */
export const STATE_SHIFT = (STATE_OFFSET % SIZE_OF_I32) * 8;
/** Bit shift of the KIND byte inside the STATE word. */
export const KIND_SHIFT = (KIND_OFFSET % SIZE_OF_I32) * 8;
/** Bit shift of the VENUE u16 inside the VENUE word. */
export const VENUE_SHIFT = (VENUE_OFFSET % SIZE_OF_I32) * 8;
