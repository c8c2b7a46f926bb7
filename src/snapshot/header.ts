/**
 * Encode and validate the snapshot header (`layout/snapshot.ts`). Validation is structural:
 * every length is checked against the header's own fields and the file's real size before
 * anything is allocated; the checksum is verified by the reader after the sections are read.
 *
 * @module
 */
import {
  CONTROL_SIZE,
  HEAP_ALIGN,
  HEAP_HEADER_SIZE,
  HEAP_MAX_BYTES,
  LAYOUT_MAGIC,
  LAYOUT_VERSION,
  MAX_CAPACITY,
  MIN_CAPACITY,
  VENUE_ENTRY_SIZE,
  VENUE_MAX_BYTES,
  regionSize,
} from '../../layout/index.js';
import {
  SECTION_ENTRY_LENGTH_OFFSET,
  SECTION_ENTRY_OFFSET_OFFSET,
  SNAPSHOT_CHECKSUM_XXH64,
  SNAPSHOT_CHECKSUM_XXH64_PARTS,
  SNAPSHOT_FILE_MAGIC,
  SNAPSHOT_FORMAT_VERSION,
  SNAPSHOT_HEADER_SIZE,
  SNAPSHOT_SECTION,
  SNAPSHOT_SECTION_COUNT,
  SNAP_CAPACITY_OFFSET,
  SNAP_CHECKSUM_ALGO_OFFSET,
  SNAP_CHECKSUM_OFFSET,
  SNAP_COUNT_OFFSET,
  SNAP_FILE_MAGIC_OFFSET,
  SNAP_FILE_SIZE_OFFSET,
  SNAP_FORMAT_VERSION_OFFSET,
  SNAP_GENERATION_OFFSET,
  SNAP_HEADER_SIZE_OFFSET,
  SNAP_LAYOUT_MAGIC_OFFSET,
  SNAP_LAYOUT_VERSION_OFFSET,
  SNAP_LOG_SEQ_OFFSET,
  SNAP_SECTION_COUNT_OFFSET,
  sectionEntryOffset,
  sectionOffsets,
} from '../../layout/snapshot.js';
import { LayoutMismatchError } from '../errors.js';
import { SnapshotError } from './errors.js';

/** Byte lengths of the four sections, in table order (CONTROL, REGION, HEAP, VENUES). */
export type SectionLengths = readonly [control: number, region: number, heap: number, venues: number];

/** The fields of a snapshot header. */
export interface SnapshotHeader {
  /** Last applied registration-log sequence number. */
  logSeq: bigint;
  /** Published table generation. */
  generation: number;
  /** Slot capacity of that generation. */
  capacity: number;
  /** Live instruments. */
  instruments: number;
  /** Section lengths in bytes. */
  lengths: SectionLengths;
  /** File offsets of the sections in bytes (derived). */
  offsets: SectionLengths;
  /** Total file size in bytes. */
  fileSize: number;
  /** XXH64 stored in the header (0n while the header is being written). */
  checksum: bigint;
  /** How `checksum` was computed (`SNAPSHOT_CHECKSUM_XXH64` or `…_XXH64_PARTS`). */
  checksumAlgo: number;
}

function setU64(dv: DataView, off: number, v: bigint | number): void {
  const b = BigInt(v);
  dv.setUint32(off, Number(b & 0xffffffffn), true);
  dv.setUint32(off + 4, Number(b >> 32n), true);
}

function getU64(dv: DataView, off: number): bigint {
  return BigInt(dv.getUint32(off, true)) | (BigInt(dv.getUint32(off + 4, true)) << 32n);
}

/** Encode a header (checksum field as given). */
export function encodeHeader(h: Omit<SnapshotHeader, 'offsets' | 'fileSize' | 'checksumAlgo'>): { bytes: Uint8Array; offsets: number[] } {
  const bytes = new Uint8Array(SNAPSHOT_HEADER_SIZE);
  const dv = new DataView(bytes.buffer);
  const offsets = sectionOffsets(h.lengths);
  dv.setUint32(SNAP_FILE_MAGIC_OFFSET, SNAPSHOT_FILE_MAGIC, true);
  dv.setUint32(SNAP_FORMAT_VERSION_OFFSET, SNAPSHOT_FORMAT_VERSION, true);
  dv.setUint32(SNAP_LAYOUT_MAGIC_OFFSET, LAYOUT_MAGIC, true);
  dv.setUint32(SNAP_LAYOUT_VERSION_OFFSET, LAYOUT_VERSION, true);
  dv.setUint32(SNAP_HEADER_SIZE_OFFSET, SNAPSHOT_HEADER_SIZE, true);
  dv.setUint32(SNAP_SECTION_COUNT_OFFSET, SNAPSHOT_SECTION_COUNT, true);
  setU64(dv, SNAP_LOG_SEQ_OFFSET, h.logSeq);
  dv.setUint32(SNAP_GENERATION_OFFSET, h.generation, true);
  dv.setUint32(SNAP_CAPACITY_OFFSET, h.capacity, true);
  dv.setUint32(SNAP_COUNT_OFFSET, h.instruments, true);
  dv.setUint32(SNAP_CHECKSUM_ALGO_OFFSET, SNAPSHOT_CHECKSUM_XXH64_PARTS, true);
  for (let i = 0; i < SNAPSHOT_SECTION_COUNT; i++) {
    setU64(dv, sectionEntryOffset(i) + SECTION_ENTRY_OFFSET_OFFSET, offsets[i]!);
    setU64(dv, sectionEntryOffset(i) + SECTION_ENTRY_LENGTH_OFFSET, h.lengths[i]!);
  }
  setU64(dv, SNAP_FILE_SIZE_OFFSET, offsets[SNAPSHOT_SECTION_COUNT]!);
  setU64(dv, SNAP_CHECKSUM_OFFSET, h.checksum);
  return { bytes, offsets };
}

/** Encode a checksum into its 8 header bytes. */
export function encodeChecksum(checksum: bigint): Uint8Array {
  const bytes = new Uint8Array(8);
  setU64(new DataView(bytes.buffer), 0, checksum);
  return bytes;
}

/**
 * Decode and structurally validate a header read from a file of `actualSize` bytes.
 * `bytes` may be shorter than the header (a truncated file).
 * @throws {SnapshotError} `CorruptSnapshot` (truncated, bad file magic, inconsistent sizes), `UnsupportedVersion`.
 * @throws {LayoutMismatchError} registry layout magic or version differ from this build's.
 */
export function decodeHeader(file: string, bytes: Uint8Array, actualSize: number): SnapshotHeader {
  const corrupt = (m: string) => new SnapshotError('CorruptSnapshot', file, m);
  if (bytes.length < SNAPSHOT_HEADER_SIZE || actualSize < SNAPSHOT_HEADER_SIZE) {
    throw corrupt(`truncated: ${actualSize} bytes, the header alone is ${SNAPSHOT_HEADER_SIZE}`);
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, SNAPSHOT_HEADER_SIZE);
  const magic = dv.getUint32(SNAP_FILE_MAGIC_OFFSET, true);
  if (magic !== SNAPSHOT_FILE_MAGIC) throw corrupt(`not an instreg snapshot (file magic 0x${magic.toString(16)})`);
  const format = dv.getUint32(SNAP_FORMAT_VERSION_OFFSET, true);
  if (format !== SNAPSHOT_FORMAT_VERSION)
    throw new SnapshotError('UnsupportedVersion', file, `snapshot format ${format}, this build reads ${SNAPSHOT_FORMAT_VERSION}`);
  const lmagic = dv.getUint32(SNAP_LAYOUT_MAGIC_OFFSET, true);
  if (lmagic !== LAYOUT_MAGIC) throw new LayoutMismatchError(`${file}: layout magic 0x${lmagic.toString(16)} ≠ 0x${LAYOUT_MAGIC.toString(16)}`);
  const lversion = dv.getUint32(SNAP_LAYOUT_VERSION_OFFSET, true);
  if (lversion !== LAYOUT_VERSION) throw new LayoutMismatchError(`${file}: layout version ${lversion} ≠ ${LAYOUT_VERSION}`);
  if (dv.getUint32(SNAP_HEADER_SIZE_OFFSET, true) !== SNAPSHOT_HEADER_SIZE) throw corrupt('header size field');
  if (dv.getUint32(SNAP_SECTION_COUNT_OFFSET, true) !== SNAPSHOT_SECTION_COUNT) throw corrupt('section count field');
  const algo = dv.getUint32(SNAP_CHECKSUM_ALGO_OFFSET, true);
  if (algo !== SNAPSHOT_CHECKSUM_XXH64 && algo !== SNAPSHOT_CHECKSUM_XXH64_PARTS) throw corrupt(`unknown checksum algorithm ${algo}`);
  const generation = dv.getUint32(SNAP_GENERATION_OFFSET, true);
  const capacity = dv.getUint32(SNAP_CAPACITY_OFFSET, true);
  const instruments = dv.getUint32(SNAP_COUNT_OFFSET, true);
  if (generation < 1 || generation > 0x7fffffff) throw corrupt(`generation ${generation}`);
  if (capacity < MIN_CAPACITY || capacity > MAX_CAPACITY || (capacity & (capacity - 1)) !== 0)
    throw corrupt(`capacity ${capacity} is not a power of two in ${MIN_CAPACITY}..${MAX_CAPACITY}`);
  if (instruments > capacity) throw corrupt(`${instruments} instruments in ${capacity} slots`);

  const lengths: number[] = [];
  const offsets: number[] = [];
  for (let i = 0; i < SNAPSHOT_SECTION_COUNT; i++) {
    const off = getU64(dv, sectionEntryOffset(i) + SECTION_ENTRY_OFFSET_OFFSET);
    const len = getU64(dv, sectionEntryOffset(i) + SECTION_ENTRY_LENGTH_OFFSET);
    if (off > BigInt(actualSize) || len > BigInt(actualSize))
      throw corrupt(`section ${i} (offset ${off}, length ${len}) lies outside the ${actualSize}-byte file`);
    offsets.push(Number(off));
    lengths.push(Number(len));
  }
  const [control, region, heap, venues] = lengths as [number, number, number, number];
  if (control !== CONTROL_SIZE) throw corrupt(`control section is ${control} bytes, expected ${CONTROL_SIZE}`);
  if (region !== regionSize(capacity)) throw corrupt(`region section is ${region} bytes, capacity ${capacity} needs ${regionSize(capacity)}`);
  if (heap < HEAP_HEADER_SIZE || heap > HEAP_MAX_BYTES || heap % HEAP_ALIGN !== 0) throw corrupt(`heap section length ${heap}`);
  if (venues > VENUE_MAX_BYTES || venues % VENUE_ENTRY_SIZE !== 0) throw corrupt(`venue section length ${venues}`);
  const derived = sectionOffsets(lengths);
  for (let i = 0; i < SNAPSHOT_SECTION_COUNT; i++) {
    if (offsets[i] !== derived[i]) throw corrupt(`section ${i} at offset ${offsets[i]}, expected ${derived[i]}`);
  }
  const end = derived[SNAPSHOT_SECTION_COUNT]!;
  const fileSize = getU64(dv, SNAP_FILE_SIZE_OFFSET);
  if (fileSize !== BigInt(end)) throw corrupt(`file size field ${fileSize} ≠ end of sections ${end}`);
  if (actualSize < end) throw corrupt(`truncated: ${actualSize} of ${end} bytes`);
  if (actualSize > end) throw corrupt(`${actualSize - end} trailing bytes after the last section`);
  return {
    checksumAlgo: algo,
    logSeq: getU64(dv, SNAP_LOG_SEQ_OFFSET),
    generation,
    capacity,
    instruments,
    lengths: lengths as unknown as SectionLengths,
    offsets: offsets as unknown as SectionLengths,
    fileSize: end,
    checksum: getU64(dv, SNAP_CHECKSUM_OFFSET),
  };
}

/** Index of a section (re-exported for readability at call sites). */
export const SECTION = SNAPSHOT_SECTION;
