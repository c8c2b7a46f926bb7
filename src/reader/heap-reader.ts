/**
 * Validated copies of string-heap entries, for readers. The records of table generation g
 * reference entries of `heaps[g & 1]`; that buffer stays as it is until the writer starts building
 * generation g+2 in it, which it announces first (control `BUILDING` ← g+2 by `Atomics.exchange`).
 * A copy is therefore taken between two loads of BUILDING, like a seqlock read whose "odd" value
 * never turns even again: BUILDING − g < 2 after the copy ⇒ the copy is the entry the record
 * referenced. Otherwise the copy is discarded and the caller looks the record up again in the
 * current generation. Argued in `layout/SPEC.md`, "Memory ordering"; nothing here writes shared
 * memory. Not on the lookup path: only names and detail blobs pay for it (two `Atomics.load`).
 *
 * @module
 */
import { CTL, SIZE_OF_I32 } from '../../layout/index.js';
import { copyHeapEntry } from '../shm/heap.js';
import { READER_LOAD_FENCE } from './core.js';

const LOAD_FENCE = READER_LOAD_FENCE;

/** A reader's access to the two heaps. One per reader (it caches fixed-length views). */
export class HeapReader {
  private readonly views: Uint8Array[];
  /** Private fence cell (ARM64 path): never shared with any other thread. */
  private readonly fence = new Int32Array(new SharedArrayBuffer(SIZE_OF_I32));
  /** Copies refused or discarded because the writer had started reusing their heap. */
  discarded = 0;

  constructor(
    private readonly ctl: Int32Array,
    private readonly heaps: readonly SharedArrayBuffer[],
  ) {
    this.views = heaps.map((h) => new Uint8Array(h, 0, 0));
  }

  /** Is the heap of generation `gen` still the one its records reference (gen+2 not started)? */
  intact(gen: number): boolean {
    return (Atomics.load(this.ctl, CTL.BUILDING) - gen) >>> 0 < 2;
  }

  /**
   * Copy the payload of entry `ref` of generation `gen`'s heap; `ref` must come from a record of
   * `gen` copied under its seqlock.
   * @returns a private copy, or null if the writer has started reusing that heap for a newer
   *   generation (look the record up again).
   */
  copy(gen: number, ref: number): Uint8Array | null {
    if (!this.intact(gen)) {
      this.discarded++;
      return null;
    }
    const i = gen & 1;
    const sab = this.heaps[i]!;
    let u8 = this.views[i]!;
    // byteLength of a growable SharedArrayBuffer is read seq-cst; the writer grew the heap before
    // it stored the entry, so the view covers every entry a validated record of gen references.
    if (u8.byteLength !== sab.byteLength) this.views[i] = u8 = new Uint8Array(sab, 0, sab.byteLength);
    const out = copyHeapEntry(u8, ref);
    if (LOAD_FENCE) Atomics.add(this.fence, 0, 0);
    if (!this.intact(gen)) {
      this.discarded++;
      return null;
    }
    return out;
  }
}
