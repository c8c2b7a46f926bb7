/**
 * The change-event ring: a single-writer broadcast ring in one SharedArrayBuffer,
 * following the Agrona `BroadcastTransmitter` / `BroadcastReceiver` pattern (tail-intent
 * counter, payload, tail counter; receivers copy, then validate against the tail intent and
 * detect being lapped). Readers never write any byte of it. Human-readable tables and the
 * memory-ordering argument: `layout/SPEC-events.md`.
 *
 * ```
 *  ring byte 0                                    128            128+64          128+64·(C−1)       128+64·C
 *  +---------------------------------------------+--------------+--------------+-- … --+--------------+
 *  | HEADER (two cache lines)                    | record 0     | record 1     |       | record C−1   |
 *  +---------------------------------------------+--------------+--------------+-- … --+--------------+
 *  event with sequence s lives in record (s & (C−1)); C = capacity in records, a power of two.
 *
 *  header line 0 (written once, at creation):
 *  byte 0        4          8            12            16                                   64
 *  +-----------+----------+------------+-------------+------------------------------------+
 *  | MAGIC u32 | VERSION  | CAPACITY   | RECORD_SIZE | reserved (0)                       |
 *  +-----------+----------+------------+-------------+------------------------------------+
 *
 *  header line 1 (written by the writer on every publish, read by every consumer):
 *  byte 64                 76                  88                   100        104          128
 *  +----------------------+-------------------+--------------------+----------+------------+
 *  | TAIL_INTENT          | TAIL              | LATEST             | NOTIFY   | reserved   |
 *  | lo u32 hi u32 hi2 u32| lo   hi   hi2     | lo   hi   hi2      | u32      | (0)        |
 *  +----------------------+-------------------+--------------------+----------+------------+
 *  Each counter is a u64 as two u32 halves plus a guard copy of the high half (HI2), so a
 *  reader can read it consistently without writing: writer stores HI2, LO, HI in that order;
 *  reader loads HI, LO, HI2 and retries if HI ≠ HI2.
 *
 *  record (64 B = one cache line):
 *  byte 0        4        8      9      10       11       12          14     15      16
 *  +-----------+--------+------+------+--------+--------+-----------+------+-------+
 *  | SEQ lo    | SEQ hi | TYPE | KIND | SOURCE | STATUS | VENUE_IDX | VLEN | FLAGS |
 *  | u32       | u32    | u8   | u8   | u8     | u8     | u16       | u8   | u8    |
 *  +-----------+--------+------+------+--------+--------+-----------+------+-------+
 *  byte 16       20       24         28       32       36                    52                  64
 *  +-----------+--------+----------+--------+--------+---------------------+-------------------+
 *  | ID lo     | ID hi  | CHAIN_ID | TS lo  | TS hi  | VENUE (16 B ASCII,  | ISIN (12 B ASCII, |
 *  | u32       | u32    | u32      | u32    | u32    |  NUL padded)        |  or all zero)     |
 *  +-----------+--------+----------+--------+--------+---------------------+-------------------+
 * ```
 * All multi-byte values little-endian; 64-bit values are two u32 halves, low half first.
 *
 * @module
 */
import { CACHE_LINE, SIZE_OF_I32, SIZE_OF_I64, SIZE_OF_U16, SIZE_OF_U8, wordIndex } from './sizes.js';
import { VENUE_CODE_MAX } from './venue.js';

/** `"IREV"` as a little-endian u32: identifies an event ring buffer. */
export const EVENTS_MAGIC = 0x56455249;
/** Bumped whenever any byte of the event ring changes meaning. */
export const EVENTS_VERSION = 1;

/** Event type codes (record byte {@link EV_TYPE_OFFSET}). `0` is never valid. */
export const EVENT_TYPES = {
  instrumentAdded: 1,
  instrumentUpdated: 2,
  instrumentRemoved: 3,
  collisionDetected: 4,
  venueStatusChange: 5,
} as const;

/** Bits of the record FLAGS byte: which optional fields are present. */
export const EVENT_FLAGS = {
  /** CHAIN_ID is meaningful. */
  chainId: 1 << 0,
  /** ISIN holds 12 ASCII bytes. */
  isin: 1 << 1,
  /** VENUE_IDX is a venue-table index (otherwise it holds {@link EVENT_NO_VENUE_INDEX}). */
  venueIndex: 1 << 2,
} as const;

/** VENUE_IDX value meaning "no venue-table index". */
export const EVENT_NO_VENUE_INDEX = 0xffff;
/** Bytes of an ISIN. */
export const ISIN_BYTES = 12;
/** Longest venue code in an event record (same as the venue table). */
export const EVENT_VENUE_MAX = VENUE_CODE_MAX;

// ---- header line 0: static ----
/** Ring magic ({@link EVENTS_MAGIC}). */
export const EVH_MAGIC_OFFSET = 0;
/** Ring layout version ({@link EVENTS_VERSION}). */
export const EVH_VERSION_OFFSET = EVH_MAGIC_OFFSET + SIZE_OF_I32;
/** Capacity in records (a power of two). */
export const EVH_CAPACITY_OFFSET = EVH_VERSION_OFFSET + SIZE_OF_I32;
/** Bytes per record ({@link EVENT_RECORD_SIZE}), stored so a mismatched build is detected. */
export const EVH_RECORD_SIZE_OFFSET = EVH_CAPACITY_OFFSET + SIZE_OF_I32;

/** Bytes of one counter: u64 as two halves plus the guard copy of the high half. */
export const EV_COUNTER_SIZE = SIZE_OF_I64 + SIZE_OF_I32;
/** Counter: offset of the low half. */
export const EV_COUNTER_LO = 0;
/** Counter: offset of the high half. */
export const EV_COUNTER_HI = EV_COUNTER_LO + SIZE_OF_I32;
/** Counter: offset of the guard copy of the high half (stored before LO, compared after). */
export const EV_COUNTER_HI2 = EV_COUNTER_HI + SIZE_OF_I32;

// ---- header line 1: counters ----
/** Tail intent: sequence + 1 of the newest record the writer has *started* to write. */
export const EVH_TAIL_INTENT_OFFSET = CACHE_LINE;
/** Tail: number of events published (= sequence of the next event). */
export const EVH_TAIL_OFFSET = EVH_TAIL_INTENT_OFFSET + EV_COUNTER_SIZE;
/** Latest: sequence of the newest published event (valid once TAIL > 0). */
export const EVH_LATEST_OFFSET = EVH_TAIL_OFFSET + EV_COUNTER_SIZE;
/** Notify word: low 32 bits of TAIL, stored after TAIL; consumers `Atomics.waitAsync` on it. */
export const EVH_NOTIFY_OFFSET = EVH_LATEST_OFFSET + EV_COUNTER_SIZE;
/** Bytes of the header; records start here. */
export const EVENTS_HEADER_SIZE = 2 * CACHE_LINE;

// ---- record ----
/** Event sequence, low half. Stored last by the writer. */
export const EV_SEQ_LO_OFFSET = 0;
/** Event sequence, high half. */
export const EV_SEQ_HI_OFFSET = EV_SEQ_LO_OFFSET + SIZE_OF_I32;
/** Event type code ({@link EVENT_TYPES}). */
export const EV_TYPE_OFFSET = EV_SEQ_HI_OFFSET + SIZE_OF_I32;
/** Instrument kind code (`KIND_CODES`), 0 = none. */
export const EV_KIND_OFFSET = EV_TYPE_OFFSET + SIZE_OF_U8;
/** Source code (`SOURCE_CODES`), 0 = none. */
export const EV_SOURCE_OFFSET = EV_KIND_OFFSET + SIZE_OF_U8;
/** Status code (`STATUS_CODES`), 0 = none. */
export const EV_STATUS_OFFSET = EV_SOURCE_OFFSET + SIZE_OF_U8;
/** Venue-table index (u16), {@link EVENT_NO_VENUE_INDEX} = none. */
export const EV_VENUE_INDEX_OFFSET = EV_STATUS_OFFSET + SIZE_OF_U8;
/** Venue code length in bytes (u8, 0..16). */
export const EV_VENUE_LEN_OFFSET = EV_VENUE_INDEX_OFFSET + SIZE_OF_U16;
/** Optional-field bits ({@link EVENT_FLAGS}). */
export const EV_FLAGS_OFFSET = EV_VENUE_LEN_OFFSET + SIZE_OF_U8;
/** Instrument id, low half. */
export const EV_ID_LO_OFFSET = EV_FLAGS_OFFSET + SIZE_OF_U8;
/** Instrument id, high half. */
export const EV_ID_HI_OFFSET = EV_ID_LO_OFFSET + SIZE_OF_I32;
/** Chain id (u32), meaningful when FLAGS has `chainId`. */
export const EV_CHAIN_ID_OFFSET = EV_ID_HI_OFFSET + SIZE_OF_I32;
/** Timestamp in ns, low half. */
export const EV_TS_LO_OFFSET = EV_CHAIN_ID_OFFSET + SIZE_OF_I32;
/** Timestamp in ns, high half. */
export const EV_TS_HI_OFFSET = EV_TS_LO_OFFSET + SIZE_OF_I32;
/** Venue code bytes (ASCII, NUL padded). */
export const EV_VENUE_OFFSET = EV_TS_HI_OFFSET + SIZE_OF_I32;
/** ISIN bytes (ASCII) or all zero. */
export const EV_ISIN_OFFSET = EV_VENUE_OFFSET + EVENT_VENUE_MAX;
/** End of the record. */
export const EV_RECORD_END = EV_ISIN_OFFSET + ISIN_BYTES;
/** Bytes per event record: one cache line. */
export const EVENT_RECORD_SIZE = CACHE_LINE;
/** Int32 words per event record. */
export const EVENT_RECORD_WORDS = wordIndex(EVENT_RECORD_SIZE);

/** Smallest ring capacity (records). */
export const EVENTS_MIN_CAPACITY = 2;
/** Largest ring capacity (records): 2^24 records = 1 GiB. */
export const EVENTS_MAX_CAPACITY = 1 << 24;

/** Word indexes of the header fields. */
export const EVH = {
  MAGIC: wordIndex(EVH_MAGIC_OFFSET),
  VERSION: wordIndex(EVH_VERSION_OFFSET),
  CAPACITY: wordIndex(EVH_CAPACITY_OFFSET),
  RECORD_SIZE: wordIndex(EVH_RECORD_SIZE_OFFSET),
  TAIL_INTENT_LO: wordIndex(EVH_TAIL_INTENT_OFFSET + EV_COUNTER_LO),
  TAIL_INTENT_HI: wordIndex(EVH_TAIL_INTENT_OFFSET + EV_COUNTER_HI),
  TAIL_INTENT_HI2: wordIndex(EVH_TAIL_INTENT_OFFSET + EV_COUNTER_HI2),
  TAIL_LO: wordIndex(EVH_TAIL_OFFSET + EV_COUNTER_LO),
  TAIL_HI: wordIndex(EVH_TAIL_OFFSET + EV_COUNTER_HI),
  TAIL_HI2: wordIndex(EVH_TAIL_OFFSET + EV_COUNTER_HI2),
  LATEST_LO: wordIndex(EVH_LATEST_OFFSET + EV_COUNTER_LO),
  LATEST_HI: wordIndex(EVH_LATEST_OFFSET + EV_COUNTER_HI),
  LATEST_HI2: wordIndex(EVH_LATEST_OFFSET + EV_COUNTER_HI2),
  NOTIFY: wordIndex(EVH_NOTIFY_OFFSET),
} as const;

/** Word indexes of the record words, relative to the record's first word. */
export const EVR = {
  SEQ_LO: wordIndex(EV_SEQ_LO_OFFSET),
  SEQ_HI: wordIndex(EV_SEQ_HI_OFFSET),
  /** TYPE, KIND, SOURCE, STATUS bytes. */
  CODES: wordIndex(EV_TYPE_OFFSET),
  /** VENUE_IDX (u16), VLEN, FLAGS. */
  VENUE_META: wordIndex(EV_VENUE_INDEX_OFFSET),
  ID_LO: wordIndex(EV_ID_LO_OFFSET),
  ID_HI: wordIndex(EV_ID_HI_OFFSET),
  CHAIN_ID: wordIndex(EV_CHAIN_ID_OFFSET),
  TS_LO: wordIndex(EV_TS_LO_OFFSET),
  TS_HI: wordIndex(EV_TS_HI_OFFSET),
  VENUE: wordIndex(EV_VENUE_OFFSET),
  ISIN: wordIndex(EV_ISIN_OFFSET),
} as const;

/** Total bytes of a ring holding `capacity` records. */
export function eventRingSize(capacity: number): number {
  return EVENTS_HEADER_SIZE + capacity * EVENT_RECORD_SIZE;
}

/** Byte offset of the record holding event sequence `seq` (a non-negative safe integer). */
export function eventRecordOffset(capacity: number, seq: number): number {
  // capacity is a power of two ≤ 2^24; `seq % capacity` is exact for safe integers.
  return EVENTS_HEADER_SIZE + (seq % capacity) * EVENT_RECORD_SIZE;
}

if (EV_RECORD_END !== EVENT_RECORD_SIZE) throw new Error('layout: event record size mismatch');
if (EVH_NOTIFY_OFFSET + SIZE_OF_I32 > EVENTS_HEADER_SIZE) throw new Error('layout: event header overflow');
if (EVH_RECORD_SIZE_OFFSET + SIZE_OF_I32 > EVH_TAIL_INTENT_OFFSET) throw new Error('layout: event header line 0 overflow');
