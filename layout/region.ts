/**
 * A table region: one generation of the instrument table followed by its secondary
 * indexes. Two regions exist (double buffering); generation g lives in region `g & 1`.
 * Growth (or a rebuild that drops tombstones) builds generation g+1 in the other region
 * while readers keep using g, then publishes it through the control region. The other region
 * still holds generation g-1. Its record area is not zeroed: every record carries the tag of the
 * generation that wrote it (record GEN_TAG), and a record with another tag reads as empty.
 *
 * ```
 *  region byte 0                         C×128        +C×8           +C×8          +C×8            +C×8           +C×8          +2C×8
 *  +------------------------------------+-------------+-------------+-------------+---------------+--------------+-------------+
 *  | C instrument records (128 B each)  | SYMBOL idx  | ISIN idx    | CUSIP idx   | ADDRESS idx   | PAIR idx     | ASSET idx   |
 *  +------------------------------------+-------------+-------------+-------------+---------------+--------------+-------------+
 *  C = capacity (power of two). Each index is an open-addressed array of 8-byte entries:
 *
 *  entry: +-----------------+-----------------+
 *         | KEY_HASH u32    | SLOT u32        |   KEY_HASH 0 = empty; hashes are forced non-zero.
 *         +-----------------+-----------------+
 *  The SLOT word is stored first, KEY_HASH last (both with Atomics.store); readers load KEY_HASH
 *  with Atomics.load, then SLOT, and always verify the record the entry points to. Index areas
 *  are zeroed (with Atomics.store, after BUILDING is raised) when a generation is built.
 * ```
 *
 * @module
 */
import { RECORD_SIZE } from './record.js';
import { SIZE_OF_I32, wordIndex } from './sizes.js';

/** Number of table regions (double buffering). */
export const REGION_COUNT = 2;

/** Key hash of an index entry (0 = empty). */
export const ENTRY_HASH_OFFSET = 0;
/** Slot index of the record the entry points to. */
export const ENTRY_SLOT_OFFSET = ENTRY_HASH_OFFSET + SIZE_OF_I32;
/** Bytes per index entry. */
export const ENTRY_SIZE = ENTRY_SLOT_OFFSET + SIZE_OF_I32;
/** Words per index entry. */
export const ENTRY_WORDS = wordIndex(ENTRY_SIZE);

/**
 * The secondary indexes, in region order, with their capacity as a multiple of the
 * table capacity. ASSET holds two entries per pair or pool (one per leg).
 */
export const INDEXES = {
  SYMBOL: { order: 0, capacityFactor: 1 },
  ISIN: { order: 1, capacityFactor: 1 },
  CUSIP: { order: 2, capacityFactor: 1 },
  ADDRESS: { order: 3, capacityFactor: 1 },
  PAIR: { order: 4, capacityFactor: 1 },
  ASSET: { order: 5, capacityFactor: 2 },
} as const;

/** Name of a secondary index. */
export type IndexName = keyof typeof INDEXES;

/** Smallest table capacity (slots). */
export const MIN_CAPACITY = 1 << 6;
/** Largest table capacity: a region must stay within one 4 GiB growable SharedArrayBuffer. */
export const MAX_CAPACITY = 1 << 24;
/** Maximum load factor: (live + tombstoned slots) / capacity. */
export const MAX_LOAD_FACTOR = 0.75;

/** Byte offset of the first index within a region of `capacity` slots. */
export function indexesOffset(capacity: number): number {
  return capacity * RECORD_SIZE;
}

/** Byte offset of index `name` within a region of `capacity` slots. */
export function indexOffset(capacity: number, name: IndexName): number {
  let off = indexesOffset(capacity);
  for (const [k, v] of Object.entries(INDEXES)) {
    if (k === name) return off;
    off += capacity * v.capacityFactor * ENTRY_SIZE;
  }
  throw new Error(`layout: unknown index ${name}`);
}

/** Total bytes of a region holding `capacity` slots and all its indexes. */
export function regionSize(capacity: number): number {
  let size = indexesOffset(capacity);
  for (const v of Object.values(INDEXES)) size += capacity * v.capacityFactor * ENTRY_SIZE;
  return size;
}

/** Upper bound a region's growable SharedArrayBuffer is created with. */
export const REGION_MAX_BYTES = regionSize(MAX_CAPACITY);

/** Word index of KEY_HASH within an entry. */
export const ENTRY_HASH_WORD = wordIndex(ENTRY_HASH_OFFSET);
/** Word index of SLOT within an entry. */
export const ENTRY_SLOT_WORD = wordIndex(ENTRY_SLOT_OFFSET);
