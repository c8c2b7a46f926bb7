/**
 * The control region: a small, fixed SharedArrayBuffer every reader attaches to first.
 * It never moves; it tells readers which table generation is current.
 *
 * Two cache lines, so that the words readers load (GENERATION, CAPACITY) never share a line with
 * the counters the writer stores on every registration (no false sharing with the readers):
 *
 * ```
 *  line 0 (read-mostly: stored only when a generation is published)
 *  byte 0        4          8            12          16          20                                    64
 *  +-----------+----------+------------+-----------+-----------+-------------------------------------+
 *  | MAGIC u32 | VERSION  | GENERATION | CAPACITY  | BUILDING  | reserved, 0                         |
 *  +-----------+----------+------------+-----------+-----------+-------------------------------------+
 *  line 1 (writer counters, stored on every change)
 *  byte 64       68         72           76          80           84           88          96     100   128
 *  +-----------+----------+------------+-----------+------------+------------+-----------+--------+-----+
 *  | COUNT     |TOMBSTONES| HEAP_USED  |VENUE_COUNT| COLLISIONS | REG_FAILED | LOG_SEQ   | EVENTS | rsvd|
 *  | u32       | u32      | u32        | u32       | u32        | u32        | u64 2×u32 | u32    |     |
 *  +-----------+----------+------------+-----------+------------+------------+-----------+--------+-----+
 * ```
 * GENERATION is the published table generation; its table lives in region `GENERATION & 1`.
 * BUILDING is the generation the writer is building (or last built), stored (`Atomics.exchange`)
 * before anything of region or heap `BUILDING & 1` is rewritten. Snapshots check it; lookups never
 * load it; a reader copying a heap entry of generation g loads it before and after the copy
 * (g's heap is intact while BUILDING − g < 2; see `layout/SPEC.md`, "String heap").
 *
 * @module
 */
import { CACHE_LINE, SIZE_OF_I32, SIZE_OF_I64, wordIndex } from './sizes.js';

/** `"IREG"` as a little-endian u32. */
export const LAYOUT_MAGIC = 0x47455249;
/** Bumped whenever any byte in `layout/` changes meaning. */
export const LAYOUT_VERSION = 2;

/** Layout magic. */
export const MAGIC_OFFSET = 0;
/** Layout version. */
export const VERSION_OFFSET = MAGIC_OFFSET + SIZE_OF_I32;
/** Published table generation. */
export const GENERATION_OFFSET = VERSION_OFFSET + SIZE_OF_I32;
/** Slot capacity of the published generation (a power of two). */
export const CAPACITY_OFFSET = GENERATION_OFFSET + SIZE_OF_I32;
/** Generation being (or last) built by the writer (readers check it around heap-entry copies, never on lookups). */
export const BUILDING_OFFSET = CAPACITY_OFFSET + SIZE_OF_I32;
/** Live instruments: first word of line 1, the writer's counters. */
export const COUNT_OFFSET = CACHE_LINE;
/** Tombstoned slots in the published generation. */
export const TOMBSTONES_OFFSET = COUNT_OFFSET + SIZE_OF_I32;
/** Bytes used in string heap `BUILDING & 1` (u32: a heap is at most 4 GiB). */
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
/** Bytes of the control region: two cache lines. */
export const CONTROL_SIZE = 2 * CACHE_LINE;

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

if (BUILDING_OFFSET + SIZE_OF_I32 > CACHE_LINE) throw new Error('layout: control line 0 overflow');
if (EVENTS_OFFSET + SIZE_OF_I32 > CONTROL_SIZE) throw new Error('layout: control region overflow');
