/**
 * The control region: a small, fixed SharedArrayBuffer every reader attaches to first.
 * It never moves; it tells readers which table generation is current.
 *
 * ```
 *  byte 0        4          8            12          16         20       24          28          32           36           40           44         52        56        64
 *  +-----------+----------+------------+-----------+----------+--------+-----------+-----------+------------+------------+------------+----------+---------+---------+
 *  | MAGIC     | VERSION  | GENERATION | BUILDING  | CAPACITY | COUNT  | TOMBSTONES| HEAP_USED | VENUE_COUNT| COLLISIONS | REG_FAILED | LOG_SEQ  | EVENTS  | rsvd    |
 *  | u32       | u32      | u32        | u32       | u32      | u32    | u32       | u32       | u32        | u32        | u32        | u64      | u32     |         |
 *  +-----------+----------+------------+-----------+----------+--------+-----------+-----------+------------+------------+------------+----------+---------+---------+
 * ```
 * GENERATION is the published table generation; its table lives in region `GENERATION & 1`.
 * BUILDING is the generation the writer is building (or last built); a reader that started in
 * generation g must discard its result if BUILDING ≥ g + 2 (its region is being reused).
 *
 * @module
 */
import { SIZE_OF_I32, SIZE_OF_I64, wordIndex } from './sizes.js';

/** `"IREG"` as a little-endian u32. */
export const LAYOUT_MAGIC = 0x47455249;
/** Bumped whenever any byte in `layout/` changes meaning. */
export const LAYOUT_VERSION = 1;

/** Layout magic. */
export const MAGIC_OFFSET = 0;
/** Layout version. */
export const VERSION_OFFSET = MAGIC_OFFSET + SIZE_OF_I32;
/** Published table generation. */
export const GENERATION_OFFSET = VERSION_OFFSET + SIZE_OF_I32;
/** Generation being (or last) built by the writer. */
export const BUILDING_OFFSET = GENERATION_OFFSET + SIZE_OF_I32;
/** Slot capacity of the published generation (a power of two). */
export const CAPACITY_OFFSET = BUILDING_OFFSET + SIZE_OF_I32;
/** Live instruments. */
export const COUNT_OFFSET = CAPACITY_OFFSET + SIZE_OF_I32;
/** Tombstoned slots in the published generation. */
export const TOMBSTONES_OFFSET = COUNT_OFFSET + SIZE_OF_I32;
/** Bytes used in the string heap. */
export const HEAP_USED_OFFSET = TOMBSTONES_OFFSET + SIZE_OF_I32;
/** Venues published in the venue table. */
export const VENUE_COUNT_OFFSET = HEAP_USED_OFFSET + SIZE_OF_I32;
/** Id collisions detected. */
export const COLLISIONS_OFFSET = VENUE_COUNT_OFFSET + SIZE_OF_I32;
/** Registrations rejected. */
export const REG_FAILED_OFFSET = COLLISIONS_OFFSET + SIZE_OF_I32;
/** Sequence number of the last applied registration-log entry (u64 as two halves). */
export const LOG_SEQ_OFFSET = REG_FAILED_OFFSET + SIZE_OF_I32;
/** Reserved for the change-event ring (0 when absent). */
export const EVENTS_OFFSET = LOG_SEQ_OFFSET + SIZE_OF_I64;
/** Bytes of the control region. */
export const CONTROL_SIZE = 64;

/** Word indexes of the control fields. */
export const CTL = {
  MAGIC: wordIndex(MAGIC_OFFSET),
  VERSION: wordIndex(VERSION_OFFSET),
  GENERATION: wordIndex(GENERATION_OFFSET),
  BUILDING: wordIndex(BUILDING_OFFSET),
  CAPACITY: wordIndex(CAPACITY_OFFSET),
  COUNT: wordIndex(COUNT_OFFSET),
  TOMBSTONES: wordIndex(TOMBSTONES_OFFSET),
  HEAP_USED: wordIndex(HEAP_USED_OFFSET),
  VENUE_COUNT: wordIndex(VENUE_COUNT_OFFSET),
  COLLISIONS: wordIndex(COLLISIONS_OFFSET),
  REG_FAILED: wordIndex(REG_FAILED_OFFSET),
  LOG_SEQ_LO: wordIndex(LOG_SEQ_OFFSET),
  LOG_SEQ_HI: wordIndex(LOG_SEQ_OFFSET) + 1,
  EVENTS: wordIndex(EVENTS_OFFSET),
} as const;

if (EVENTS_OFFSET + SIZE_OF_I32 > CONTROL_SIZE) throw new Error('layout: control region overflow');
