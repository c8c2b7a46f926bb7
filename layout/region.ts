/**
 * A table region: one generation of the instrument table followed by its secondary
 * indexes. Two regions exist (double buffering); generation g lives in region `g & 1`.
 * Growth (or a rebuild that drops tombstones) builds generation g+1 in the other region
 * while readers keep using g, then publishes it through the control region and retires g
 * (every occupied slot of g gets an odd SEQ for good, see `layout/SPEC.md`). The other region
 * still holds generation g-1. Its record area is not zeroed: every record carries the tag of
 * the generation that wrote it (record GEN_TAG), and a record with another tag reads as empty.
 *
 * ```
 *  region byte 0                         C×128       +C×8        +C×16       +C×16        +C×8          +C×8         +2C×16     +C×16     +C×8     +C×16
 *  +------------------------------------+-----------+-----------+-----------+------------+-------------+-------------+----------+--------+------------+
 *  | C instrument records (128 B each)  | SYMBOL    | ISIN      | CUSIP     | ADDRESS    | PAIR        | ASSET       | SEDOL    | OCC    | UNDERLYING |
 *  +------------------------------------+-----------+-----------+-----------+------------+-------------+-------------+----------+--------+------------+
 *  256 bytes per slot: a region of MAX_CAPACITY (2^24) slots is exactly V8's 4 GiB growable SharedArrayBuffer limit.
 *  C = capacity (power of two). Each index is an open-addressed array (linear probing) of entries
 *  in one of two formats:
 *
 *  hashed entry (8 B):  +--------------+--------------+     SYMBOL, ADDRESS, PAIR, OCC: the key is
 *                       | KEY_A = hash | SLOT         |     verified against the record (SYMBOL:
 *                       +--------------+--------------+     its first line) or its heap detail.
 *
 *  keyed entry (16 B):  +--------------+--------------+--------------+--------------+
 *                       | KEY_A        | KEY_B        | SLOT         | KEY_C        |
 *                       +--------------+--------------+--------------+--------------+
 *      ISIN, CUSIP, SEDOL: KEY_A, KEY_B = the code itself packed base 40 (src/shm/pack.ts), 6
 *      characters per word, KEY_C = 0; ASSET, UNDERLYING: KEY_A = hash of the referenced id
 *      (a pair's leg; a future's or option's underlying, a token's asset), KEY_B, KEY_C = its lo, hi halves.
 *      A match is verified in the index: no record or heap access.
 *
 *  KEY_A = 0 marks an empty entry (hashes and packed codes are never 0). SLOT = DEAD_SLOT marks an
 *  entry the writer invalidated because the record's key changed. The writer stores SLOT and
 *  KEY_B with plain stores, then KEY_A with Atomics.store; readers load KEY_A, then the other
 *  words at addresses that depend on KEY_A (layout/SPEC.md, "Memory ordering").
 * ```
 *
 * @module
 */
import { RECORD_SIZE } from './record.js';
import { SIZE_OF_I32, wordIndex } from './sizes.js';
import { RegistryError } from '../src/errors.js';

/** Number of table regions (double buffering). */
export const REGION_COUNT = 2;

/** First key word of an entry (hash, packed code low word, or id low half); 0 = empty entry. */
export const ENTRY_KEY_A_OFFSET = 0;
/** Slot of a hashed entry. */
export const HASHED_SLOT_OFFSET = ENTRY_KEY_A_OFFSET + SIZE_OF_I32;
/** Bytes per hashed entry. */
export const HASHED_ENTRY_SIZE = HASHED_SLOT_OFFSET + SIZE_OF_I32;
/** Second key word of a keyed entry. */
export const KEYED_KEY_B_OFFSET = ENTRY_KEY_A_OFFSET + SIZE_OF_I32;
/** Slot of a keyed entry. */
export const KEYED_SLOT_OFFSET = KEYED_KEY_B_OFFSET + SIZE_OF_I32;
/** Third key word of a keyed entry (entries stay 16-byte aligned: four per cache line). */
export const KEYED_KEY_C_OFFSET = KEYED_SLOT_OFFSET + SIZE_OF_I32;
/** Bytes per keyed entry. */
export const KEYED_ENTRY_SIZE = KEYED_KEY_C_OFFSET + SIZE_OF_I32;

/** Word index of KEY_A within an entry. */
export const ENTRY_KEY_A_WORD = wordIndex(ENTRY_KEY_A_OFFSET);
/** Word index of KEY_B within a keyed entry. */
export const KEYED_KEY_B_WORD = wordIndex(KEYED_KEY_B_OFFSET);
/** Word index of KEY_C within a keyed entry. */
export const KEYED_KEY_C_WORD = wordIndex(KEYED_KEY_C_OFFSET);
/** Word index of SLOT within a hashed entry. */
export const HASHED_SLOT_WORD = wordIndex(HASHED_SLOT_OFFSET);
/** Word index of SLOT within a keyed entry. */
export const KEYED_SLOT_WORD = wordIndex(KEYED_SLOT_OFFSET);
/** SLOT value of an invalidated entry (as a signed Int32 element: -1). */
export const DEAD_SLOT = -1;

const HASHED = { entrySize: HASHED_ENTRY_SIZE, entryWords: wordIndex(HASHED_ENTRY_SIZE), slotWord: HASHED_SLOT_WORD, keyed: false } as const;
const KEYED = { entrySize: KEYED_ENTRY_SIZE, entryWords: wordIndex(KEYED_ENTRY_SIZE), slotWord: KEYED_SLOT_WORD, keyed: true } as const;

/**
 * The secondary indexes, in region order, with their capacity as a multiple of the table
 * capacity and their entry format. ASSET holds two entries per pair or pool (one per leg).
 * Which fields feed which index is declared by the kind descriptors (`layout/kinds.ts`).
 */
export const INDEXES = {
  SYMBOL: { order: 0, capacityFactor: 1, ...HASHED },
  ISIN: { order: 1, capacityFactor: 1, ...KEYED },
  CUSIP: { order: 2, capacityFactor: 1, ...KEYED },
  ADDRESS: { order: 3, capacityFactor: 1, ...HASHED },
  PAIR: { order: 4, capacityFactor: 1, ...HASHED },
  ASSET: { order: 5, capacityFactor: 2, ...KEYED },
  SEDOL: { order: 6, capacityFactor: 1, ...KEYED },
  OCC: { order: 7, capacityFactor: 1, ...HASHED },
  UNDERLYING: { order: 8, capacityFactor: 1, ...KEYED },
} as const;

/** Name of a secondary index. */
export type IndexName = keyof typeof INDEXES;

/** Smallest table capacity (slots). */
export const MIN_CAPACITY = 1 << 6;
/** Largest table capacity: a region must stay within one 4 GiB growable SharedArrayBuffer. */
export const MAX_CAPACITY = 1 << 24;
/** Maximum load factor: (live + tombstoned slots) / capacity. */
export const MAX_LOAD_FACTOR = 0.75;
/**
 * Maximum load factor of a secondary index: (live + dead entries) / entries. Each record has at
 * most one entry per index (two in ASSET, which has 2C entries), so only dead entries (keys an
 * update took away) can push an index past the table's own bound; past this one the writer
 * rebuilds before it writes.
 */
export const MAX_INDEX_LOAD_FACTOR = 0.875;

/** Byte offset of the first index within a region of `capacity` slots. */
export function indexesOffset(capacity: number): number {
  return capacity * RECORD_SIZE;
}

/**
 * Byte offset of index `name` within a region of `capacity` slots.
 * @throws {RegistryError} `InvalidArgument` for a name that is no index of {@link INDEXES}.
 */
export function indexOffset(capacity: number, name: IndexName): number {
  let off = indexesOffset(capacity);
  for (const [k, v] of Object.entries(INDEXES)) {
    if (k === name) return off;
    off += capacity * v.capacityFactor * v.entrySize;
  }
  throw new RegistryError('InvalidArgument', `layout: unknown index ${String(name)} (one of ${Object.keys(INDEXES).join(', ')})`);
}

/** Total bytes of a region holding `capacity` slots and all its indexes. */
export function regionSize(capacity: number): number {
  let size = indexesOffset(capacity);
  for (const v of Object.values(INDEXES)) size += capacity * v.capacityFactor * v.entrySize;
  return size;
}

/** Upper bound a region's growable SharedArrayBuffer is created with. */
export const REGION_MAX_BYTES = regionSize(MAX_CAPACITY);
/** V8's largest growable SharedArrayBuffer (`maxByteLength`): 4 GiB. */
const SAB_MAX_BYTES = 2 ** 32;
if (REGION_MAX_BYTES > SAB_MAX_BYTES) throw new Error(`layout: a region of MAX_CAPACITY slots is ${REGION_MAX_BYTES} bytes > 4 GiB`);
