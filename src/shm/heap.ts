/**
 * String-heap access: the writer appends immutable entries, readers copy them out.
 * Entries become reachable only through a record published under its seqlock (a release
 * store after the entry's bytes), so a reader that validated the record sees the entry whole.
 *
 * @module
 */
import { CTL, HEAP_ALIGN, HEAP_ENTRY_DATA_OFFSET, HEAP_ENTRY_LEN_OFFSET, HEAP_HEADER_SIZE, HEAP_USED_MAX, alignUp } from '../../layout/index.js';
import { RegistryError } from '../errors.js';
import { utf8Bytes } from '../model/utf8.js';

const utf8d = new TextDecoder();

/** Writer side of the heap. */
export class HeapWriter {
  private u8: Uint8Array;
  private dv: DataView;
  /** Bytes in use (next entry offset). */
  used: number;
  constructor(
    private readonly sab: SharedArrayBuffer,
    private readonly ctl: Int32Array,
  ) {
    this.u8 = new Uint8Array(sab, 0, sab.byteLength);
    this.dv = new DataView(sab, 0, sab.byteLength);
    this.used = heapUsed(ctl);
  }

  /**
   * Append one entry and return its reference (byte offset, never 0).
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
      // Fixed-length views: length-tracking views on growable buffers are much slower in V8 11.
      this.u8 = new Uint8Array(this.sab, 0, want);
      this.dv = new DataView(this.sab, 0, want);
    }
    this.dv.setUint32(ref + HEAP_ENTRY_LEN_OFFSET, bytes.length, true);
    this.u8.set(bytes, ref + HEAP_ENTRY_DATA_OFFSET);
    this.used = end;
    Atomics.store(this.ctl, CTL.HEAP_USED, end);
    return ref;
  }

  /** Append a UTF-8 string. */
  appendString(s: string): number {
    return this.append(utf8Bytes(s));
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
  return prev && prev.byteLength === len ? prev : new Uint8Array(sab, 0, len);
}

/** Copy an entry's payload out of the heap (readers never decode in place). */
export function copyHeapEntry(heap: Uint8Array, ref: number): Uint8Array {
  const len =
    heap[ref + HEAP_ENTRY_LEN_OFFSET]! |
    (heap[ref + HEAP_ENTRY_LEN_OFFSET + 1]! << 8) |
    (heap[ref + HEAP_ENTRY_LEN_OFFSET + 2]! << 16) |
    (heap[ref + HEAP_ENTRY_LEN_OFFSET + 3]! << 24);
  const start = ref + HEAP_ENTRY_DATA_OFFSET;
  return heap.slice(start, start + (len >>> 0));
}

/** Copy an entry out of the heap and decode it as UTF-8. */
export function readHeapString(heap: Uint8Array, ref: number): string {
  return utf8d.decode(copyHeapEntry(heap, ref));
}
