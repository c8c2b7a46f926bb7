/**
 * The snapshot file: a point-in-time copy of one registry's shared regions, restorable
 * straight into fresh SharedArrayBuffers (no instrument is re-parsed). Human-readable
 * tables: `layout/SPEC-snapshot.md`. Implemented in `src/snapshot/`.
 *
 * All multi-byte values are little-endian; a u64 is two u32 halves, low half first.
 *
 * ```
 *  file byte 0      4          8            12           16          20          24               32           36         40          44            48
 *  +--------------+----------+------------+------------+-----------+-----------+----------------+------------+----------+-----------+-------------+
 *  | FILE_MAGIC   | FORMAT_  | LAYOUT_    | LAYOUT_    | HEADER_   | SECTION_  | LOG_SEQ        | GENERATION | CAPACITY | COUNT     | CHECKSUM_   |
 *  | "IRSN" u32   | VERSION  | MAGIC u32  | VERSION    | SIZE u32  | COUNT u32 | u64 (lo, hi)   | u32        | u32      | u32       | ALGO u32    |
 *  +--------------+----------+------------+------------+-----------+-----------+----------------+------------+----------+-----------+-------------+
 *
 *  48                                                        112            120            128
 *  +---------------------------------------------------------+--------------+--------------+
 *  | SECTION TABLE: 4 entries × (OFFSET u64, LENGTH u64)     | FILE_SIZE    | CHECKSUM     |
 *  | CONTROL, REGION, HEAP, VENUES (in this order)           | u64          | u64 (xxh64)  |
 *  +---------------------------------------------------------+--------------+--------------+
 *
 *  128 (HEADER_SIZE)
 *  +-----------------+---------------------------------------+-----------------+------------------+
 *  | CONTROL section | REGION section                        | HEAP section    | VENUES section   |  end = FILE_SIZE
 *  | CONTROL_SIZE B  | regionSize(CAPACITY) B of region      | heap bytes      | VENUE_COUNT × 32 |
 *  |                 | `GENERATION & 1`                      | [0, HEAP_USED)  | bytes            |
 *  +-----------------+---------------------------------------+-----------------+------------------+
 * ```
 * Sections are contiguous, in table order, starting at HEADER_SIZE (no padding), so every
 * byte of the file except the CHECKSUM field is covered by the checksum:
 * `CHECKSUM = xxh64(seed 0, file[0, CHECKSUM_OFFSET) ‖ file[HEADER_SIZE, FILE_SIZE))`.
 *
 * @module
 */
import { SIZE_OF_I32, SIZE_OF_I64 } from './sizes.js';

/** `"IRSN"` (instreg snapshot) as a little-endian u32: bytes `49 52 53 4E`. */
export const SNAPSHOT_FILE_MAGIC = 0x4e535249;
/** Snapshot file format version. Bumped whenever a byte of the file changes meaning. */
export const SNAPSHOT_FORMAT_VERSION = 1;
/** CHECKSUM_ALGO value: XXH64, seed 0 (xxhash-wasm `create64()`), over the whole file in order. */
export const SNAPSHOT_CHECKSUM_XXH64 = 1;
/**
 * CHECKSUM_ALGO value written since: XXH64 over the concatenated little-endian u64 XXH64 digests of
 * the *parts* of the file: part 0 = bytes `[0, CHECKSUM)` of the header; then the bytes from
 * `SNAPSHOT_HEADER_SIZE` to the end in consecutive runs of {@link SNAPSHOT_HASH_PART_BYTES} (the
 * last may be shorter; there is no empty part). Parts can be hashed by different threads.
 */
export const SNAPSHOT_CHECKSUM_XXH64_PARTS = 2;
/** Bytes per hashed part for {@link SNAPSHOT_CHECKSUM_XXH64_PARTS} (4 MiB). */
export const SNAPSHOT_HASH_PART_BYTES = 4 * 1024 * 1024;

/** File magic. */
export const SNAP_FILE_MAGIC_OFFSET = 0;
/** Snapshot format version. */
export const SNAP_FORMAT_VERSION_OFFSET = SNAP_FILE_MAGIC_OFFSET + SIZE_OF_I32;
/** Registry `LAYOUT_MAGIC` of the regions inside. */
export const SNAP_LAYOUT_MAGIC_OFFSET = SNAP_FORMAT_VERSION_OFFSET + SIZE_OF_I32;
/** Registry `LAYOUT_VERSION` of the regions inside. */
export const SNAP_LAYOUT_VERSION_OFFSET = SNAP_LAYOUT_MAGIC_OFFSET + SIZE_OF_I32;
/** Header bytes (always {@link SNAPSHOT_HEADER_SIZE} in format 1). */
export const SNAP_HEADER_SIZE_OFFSET = SNAP_LAYOUT_VERSION_OFFSET + SIZE_OF_I32;
/** Entries in the section table (always {@link SNAPSHOT_SECTION_COUNT} in format 1). */
export const SNAP_SECTION_COUNT_OFFSET = SNAP_HEADER_SIZE_OFFSET + SIZE_OF_I32;
/** Last applied registration-log sequence number (u64, unsigned). */
export const SNAP_LOG_SEQ_OFFSET = SNAP_SECTION_COUNT_OFFSET + SIZE_OF_I32;
/** Published table generation (u32, ≥ 1). */
export const SNAP_GENERATION_OFFSET = SNAP_LOG_SEQ_OFFSET + SIZE_OF_I64;
/** Slot capacity of that generation (u32, power of two). */
export const SNAP_CAPACITY_OFFSET = SNAP_GENERATION_OFFSET + SIZE_OF_I32;
/** Live instruments (u32, informational; equals control COUNT). */
export const SNAP_COUNT_OFFSET = SNAP_CAPACITY_OFFSET + SIZE_OF_I32;
/** Checksum algorithm (u32, {@link SNAPSHOT_CHECKSUM_XXH64}). */
export const SNAP_CHECKSUM_ALGO_OFFSET = SNAP_COUNT_OFFSET + SIZE_OF_I32;
/** First section table entry. */
export const SNAP_SECTIONS_OFFSET = SNAP_CHECKSUM_ALGO_OFFSET + SIZE_OF_I32;

/** Offset of a section's file offset (u64) inside its table entry. */
export const SECTION_ENTRY_OFFSET_OFFSET = 0;
/** Offset of a section's length in bytes (u64) inside its table entry. */
export const SECTION_ENTRY_LENGTH_OFFSET = SECTION_ENTRY_OFFSET_OFFSET + SIZE_OF_I64;
/** Bytes per section table entry. */
export const SECTION_ENTRY_SIZE = SECTION_ENTRY_LENGTH_OFFSET + SIZE_OF_I64;

/** Sections, in table and file order. */
export const SNAPSHOT_SECTION = {
  CONTROL: 0,
  REGION: 1,
  HEAP: 2,
  VENUES: 3,
} as const;
/** Name of a snapshot section. */
export type SnapshotSectionName = keyof typeof SNAPSHOT_SECTION;
/** Entries in the section table. */
export const SNAPSHOT_SECTION_COUNT = Object.keys(SNAPSHOT_SECTION).length;

/** Total file size in bytes (u64); must equal the end of the last section and the file's length. */
export const SNAP_FILE_SIZE_OFFSET = SNAP_SECTIONS_OFFSET + SNAPSHOT_SECTION_COUNT * SECTION_ENTRY_SIZE;
/** XXH64 of everything but this field (see module doc), u64. Last field of the header. */
export const SNAP_CHECKSUM_OFFSET = SNAP_FILE_SIZE_OFFSET + SIZE_OF_I64;
/** Bytes of the header; the first section starts here. */
export const SNAPSHOT_HEADER_SIZE = SNAP_CHECKSUM_OFFSET + SIZE_OF_I64;

/** Byte offset of section `index`'s table entry in the header. */
export function sectionEntryOffset(index: number): number {
  return SNAP_SECTIONS_OFFSET + index * SECTION_ENTRY_SIZE;
}

/**
 * File offsets of the sections given their lengths (in table order): contiguous from
 * {@link SNAPSHOT_HEADER_SIZE}. Returns `lengths.length + 1` offsets; the last is the file size.
 */
export function sectionOffsets(lengths: readonly number[]): number[] {
  const out = [SNAPSHOT_HEADER_SIZE];
  for (const len of lengths) out.push(out[out.length - 1]! + len);
  return out;
}

if (SNAPSHOT_HEADER_SIZE !== 128) throw new Error('layout: snapshot header must stay 128 bytes in format 1');
