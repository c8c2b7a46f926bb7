/**
 * String-heap access: the writer appends immutable entries to the heap of the current table
 * generation and, when it builds a new generation, copies the live entries into the other heap
 * buffer (dropping garbage); readers copy entries out (`src/reader/heap-reader.ts` validates the
 * copy). An entry becomes reachable only through a record published under its seqlock (a release
 * store after the entry's bytes), so a reader that validated the record sees the entry whole.
 *
 * @module
 */
import {
  CTL,
  HEAP_ALIGN,
  HEAP_ENTRY_DATA_OFFSET,
  HEAP_ENTRY_LEN_OFFSET,
  HEAP_HEADER_SIZE,
  HEAP_MAX_BYTES,
  HEAP_USED_MAX,
  alignUp,
} from '../../layout/index.js';
import { RegistryError } from '../errors.js';
import { utf8Bytes } from '../model/utf8.js';

const utf8d = new TextDecoder();

/**
 * Default garbage threshold of {@link HeapWriter.needsCompaction}: the writer compacts when the
 * garbage in the current heap is at least this many bytes and at least the live bytes, so the heap
 * of a long-running writer stays below about 2 × live + this, and each compaction (a same-size
 * rebuild, O(capacity + live bytes)) is paid for by at least as many appended bytes.
 */
export const HEAP_COMPACT_MIN_GARBAGE = 1024 * 1024;
/**
 * Past this many used bytes, compaction no longer waits for garbage ≥ live: once garbage reaches
 * {@link HEAP_COMPACT_LATE_GARBAGE}, so that a heap whose live part is over 1.5 GiB does not run into
 * its 4 GiB end before garbage catches up with it.
 */
const HEAP_COMPACT_LATE_USED = HEAP_USED_MAX - HEAP_MAX_BYTES / 4;
const HEAP_COMPACT_LATE_GARBAGE = HEAP_MAX_BYTES / 16;

/** Payload length of the entry at `ref` (read from its LEN word). */
function entryLen(heap: Uint8Array, ref: number): number {
  const p = ref + HEAP_ENTRY_LEN_OFFSET;
  return (heap[p]! | (heap[p + 1]! << 8) | (heap[p + 2]! << 16) | (heap[p + 3]! << 24)) >>> 0;
}

/** Bytes an entry of `len` payload bytes occupies (LEN word, payload, padding). */
export function heapEntrySize(len: number): number {
  return alignUp(HEAP_ENTRY_DATA_OFFSET + len, HEAP_ALIGN);
}

/**
 * Writer side of the heaps. The current heap is the one of the generation being built or
 * published (`heaps[gen & 1]`); only this thread stores into either buffer.
 */
export class HeapWriter {
  private sab: SharedArrayBuffer;
  private u8: Uint8Array;
  private dv: DataView;
  /** Heap of the previous generation while a rebuild copies from it (see {@link begin}). */
  private from: Uint8Array | undefined;
  /** Bytes in use in the current heap (next entry offset). */
  used: number;
  /**
   * Bytes of the entries live records reference (kept by the registry through {@link retain} and
   * {@link release}; exact after every rebuild). `used − HEAP_HEADER_SIZE − live` is garbage.
   */
  live = 0;

  /**
   * @param heaps the registry's two heap buffers
   * @param ctl the control region (HEAP_USED is stored there)
   * @param gen the published generation (0 if none yet): its heap is the current one, with
   *   HEAP_USED bytes in use
   */
  constructor(
    private readonly heaps: readonly SharedArrayBuffer[],
    private readonly ctl: Int32Array,
    gen: number,
  ) {
    this.sab = heaps[gen & 1]!;
    this.u8 = new Uint8Array(this.sab, 0, this.sab.byteLength);
    this.dv = new DataView(this.sab, 0, this.sab.byteLength);
    this.used = gen === 0 ? HEAP_HEADER_SIZE : heapUsed(ctl);
  }

  /** Bytes of the current heap (the writer reads its own stores). */
  view(): Uint8Array {
    return this.u8;
  }

  /** Garbage bytes in the current heap (entries no live record references). */
  get garbage(): number {
    return this.used - HEAP_HEADER_SIZE - this.live;
  }

  /**
   * Should the next registration compact the heap (copy the table into a fresh generation)?
   * True when reclaimable garbage (garbage less `carried`, the bytes a compaction would keep:
   * tombstones' entries) ≥ max(`minGarbage`, live bytes), or, once the heap is within 1 GiB of
   * its end, ≥ 256 MiB.
   */
  needsCompaction(minGarbage: number, carried = 0): boolean {
    const g = this.garbage - carried;
    if (g < minGarbage) return false;
    return g >= this.live || (this.used >= HEAP_COMPACT_LATE_USED && g >= HEAP_COMPACT_LATE_GARBAGE);
  }

  /**
   * Append one entry and return its reference (byte offset, never 0). The caller counts it
   * live ({@link retain}) once a record references it.
   * @throws {RegistryError} `CapacityExceeded` if the heap would pass its 4 GiB bound (nothing written).
   */
  append(bytes: Uint8Array): number {
    const ref = this.used;
    const end = alignUp(ref + HEAP_ENTRY_DATA_OFFSET + bytes.length, HEAP_ALIGN);
    if (end > HEAP_USED_MAX) throw new RegistryError('CapacityExceeded', `string heap full: ${end} bytes would pass its ${HEAP_USED_MAX}-byte limit`);
    if (end > this.sab.byteLength) {
      const want = Math.max(end, Math.min(this.sab.maxByteLength, Math.max(4096, this.sab.byteLength * 2)));
      if (want > this.sab.maxByteLength) throw new RegistryError('CapacityExceeded', 'string heap full');
      this.sab.grow(want);
    }
    if (this.u8.byteLength !== this.sab.byteLength) {
      // Fixed-length views: length-tracking views on growable buffers are much slower in V8 11.
      this.u8 = new Uint8Array(this.sab, 0, this.sab.byteLength);
      this.dv = new DataView(this.sab, 0, this.sab.byteLength);
    }
    this.dv.setUint32(ref + HEAP_ENTRY_LEN_OFFSET, bytes.length, true);
    this.u8.set(bytes, ref + HEAP_ENTRY_DATA_OFFSET);
    this.used = end;
    Atomics.store(this.ctl, CTL.HEAP_USED, end);
    return ref;
  }

  /**
   * Would entries of these payload lengths (bytes; 0 = no entry) fit, appended in order? A
   * registration asks before its first append, so a full heap refuses it with nothing appended.
   */
  fits(a: number, b: number): boolean {
    let end = this.used;
    if (a > 0) end = alignUp(end + HEAP_ENTRY_DATA_OFFSET + a, HEAP_ALIGN);
    if (b > 0) end = alignUp(end + HEAP_ENTRY_DATA_OFFSET + b, HEAP_ALIGN);
    return end <= HEAP_USED_MAX && end <= this.sab.maxByteLength;
  }

  /** Append a UTF-8 string. */
  appendString(s: string): number {
    return this.append(utf8Bytes(s));
  }

  /** Bytes entry `ref` of the current heap occupies (0 for reference 0). */
  entrySize(ref: number): number {
    return ref === 0 ? 0 : heapEntrySize(entryLen(this.u8, ref));
  }

  /** Count entry `ref` (0 = none) as referenced by a live record. */
  retain(ref: number): void {
    this.live += this.entrySize(ref);
  }

  /** Entry `ref` (0 = none) is no longer referenced by a live record (it becomes garbage). */
  release(ref: number): void {
    this.live -= this.entrySize(ref);
  }

  /**
   * Start the heap of generation `gen` (called by the table rebuild, after control BUILDING was
   * set to `gen` with `Atomics.exchange` and before any store into `heaps[gen & 1]`): the current
   * heap becomes the source of {@link move} and the other buffer is reused from its start.
   */
  begin(gen: number): void {
    const sab = this.heaps[gen & 1]!;
    this.from = this.u8;
    this.sab = sab;
    this.u8 = new Uint8Array(sab, 0, sab.byteLength);
    this.dv = new DataView(sab, 0, sab.byteLength);
    this.used = HEAP_HEADER_SIZE;
    this.live = 0;
    Atomics.store(this.ctl, CTL.HEAP_USED, this.used);
  }

  /**
   * Copy entry `ref` (0 = none) of the previous generation's heap into the current one (counted
   * live if `live`: a tombstone's entries are carried as garbage); returns its new reference.
   */
  move(ref: number, live = true): number {
    if (ref === 0) return 0;
    const from = this.from!;
    const start = ref + HEAP_ENTRY_DATA_OFFSET;
    const out = this.append(from.subarray(start, start + entryLen(from, ref)));
    if (live) this.retain(out);
    return out;
  }

  /** End a rebuild: the previous generation's heap is no longer read by the writer. */
  end(): void {
    this.from = undefined;
  }
}

/** Bytes in use in a heap, from its control region (HEAP_USED is a u32: read it unsigned). */
export function heapUsed(ctl: Int32Array): number {
  return Math.max(HEAP_HEADER_SIZE, Atomics.load(ctl, CTL.HEAP_USED) >>> 0);
}

/**
 * A fixed-length byte view of a growable heap that covers at least its current length.
 * Pass the previous view to reuse it when the heap has not grown.
 */
export function heapView(sab: SharedArrayBuffer, prev?: Uint8Array): Uint8Array {
  const len = sab.byteLength;
  return prev && prev.byteLength === len && prev.buffer === sab ? prev : new Uint8Array(sab, 0, len);
}

/**
 * Copy an entry's payload out of a heap (never decode in place). Writer side, or a reader that
 * validates the copy afterwards (`src/reader/heap-reader.ts`): the length word is clamped to the
 * buffer, so a copy taken from a heap being reused is bounded (and then discarded).
 */
export function copyHeapEntry(heap: Uint8Array, ref: number): Uint8Array {
  if (ref + HEAP_ENTRY_DATA_OFFSET > heap.length) return new Uint8Array(0);
  const start = ref + HEAP_ENTRY_DATA_OFFSET;
  return heap.slice(start, start + entryLen(heap, ref));
}

/** Copy an entry out of the heap and decode it as UTF-8. */
export function readHeapString(heap: Uint8Array, ref: number): string {
  return utf8d.decode(copyHeapEntry(heap, ref));
}
