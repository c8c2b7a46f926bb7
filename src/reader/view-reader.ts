/**
 * {@link ViewReader}: what {@link InstrumentView}s need from a reader (`ViewHost`): copying a
 * view's record lines under the seqlock, relocating a view whose generation was replaced,
 * copying heap entries (names, detail blobs) between two BUILDING checks, venue codes, and
 * binding views to the slots of a walk or a table scan. `RegistryReader` adds the lookups.
 *
 * @module
 */
import { CTL, LINE1_FIRST_WORD, LINE_WORDS, SEQ_WORD, SLOT_STATE, STATE_SHIFT, STATE_WORD } from '../../layout/index.js';
import { RegistryError, UnknownInstrumentError } from '../errors.js';
import type { RegistryHandle } from '../shm/handle.js';
import { VenueTableReader } from '../shm/venues.js';
import { ReaderCore } from './core.js';
import { FieldSet } from './fields.js';
import { HeapReader } from './heap-reader.js';
import { ALL_LINES, InstrumentView, LINE0, LINE1, type ViewHost } from './view.js';

/** Slots a convenience walk collects before it grows its buffer. */
const WALK_INITIAL = 64;

/** The view side of a reader; see `RegistryReader`. */
export abstract class ViewReader extends ReaderCore implements ViewHost {
  private readonly heap: HeapReader;
  protected readonly venues: VenueTableReader;
  /** Field set of presence checks (no fields copied). */
  protected readonly presence = new FieldSet([]);
  private readonly meta = new Int32Array(3);
  /** Slots of the last walk (grown as needed). */
  protected walkBuf = new Int32Array(WALK_INITIAL);

  protected constructor(handle: RegistryHandle) {
    super(handle);
    this.heap = new HeapReader(this.ctl, handle.heaps);
    this.venues = new VenueTableReader(handle.venues, this.ctl);
  }

  /**
   * @internal A private copy of heap entry `ref` of the view's record (see `heap-reader.ts`), or
   * null if the writer has started reusing the heap of the view's generation: the view is then
   * relocated (its record looked up again in the current generation, nothing copied yet) and the
   * caller reads the reference again from the new copy.
   * @throws {UnknownInstrumentError} relocation found the instrument removed and dropped.
   */
  heapEntry(view: InstrumentView, ref: number): Uint8Array | null {
    const bytes = this.heap.copy(view.gen, ref);
    if (bytes) return bytes;
    this.relocate(view);
    return null;
  }

  /** Heap-entry copies this reader discarded because their heap was being reused (a retry count). */
  get heapRetries(): number {
    return this.heap.discarded;
  }

  /**
   * Venue index → venue code (`#n` if unknown).
   * @throws {RegistryError} `InvalidArgument` if `index` is not an integer.
   */
  venueCode(index: number): string {
    if (!Number.isInteger(index))
      throw new RegistryError('InvalidArgument', `venue index must be an integer, got ${typeof index === 'number' ? index : typeof index}`);
    return this.venues.code(index);
  }

  /**
   * @internal Copy lines of a view's record under the seqlock. If the record changed since the
   * view's first copy, both lines are re-copied; if the view's generation was replaced, the id is
   * looked up again in the current one.
   * @throws {UnknownInstrumentError} the instrument was removed before its first line was copied
   *   and a rebuild dropped it.
   */
  copyLines(view: InstrumentView, lines: number): void {
    const meta = this.meta;
    for (;;) {
      let ok = true;
      let seq = -1;
      if (lines & LINE0) {
        ok = this.copyRecord(view.gen, view.slot, 0, LINE_WORDS, view.line0, 0, meta) && this.isView(view, meta);
        seq = meta[0]!;
      }
      if (ok && lines & LINE1) {
        ok = this.copyRecord(view.gen, view.slot, LINE1_FIRST_WORD, LINE_WORDS, view.line1, 0, meta) && this.isView(view, meta);
        if (ok && seq !== -1 && meta[0] !== seq) continue; // changed between the two lines
        seq = meta[0]!;
      }
      if (!ok) {
        this.relocate(view);
        lines = ALL_LINES;
        continue;
      }
      if (view.seq !== -1 && view.seq !== seq && lines !== ALL_LINES) {
        lines = ALL_LINES; // newer version than the line copied earlier: take both from this one
        continue;
      }
      view.line0[SEQ_WORD] = 0;
      view.seq = seq;
      view.copied |= lines;
      return;
    }
  }

  /** Does a copy's id (in `meta`) belong to the view? */
  private isView(view: InstrumentView, meta: Int32Array): boolean {
    return meta[1] === view.idLo && meta[2] === view.idHi;
  }

  /**
   * Find a view's id again in the current generation (its generation was replaced).
   * @throws {UnknownInstrumentError} the instrument was removed and a rebuild dropped it.
   */
  protected relocate(view: InstrumentView): void {
    const f = this.presence;
    if (!this.readById(view.idLo, view.idHi, f)) throw new UnknownInstrumentError(view.id);
    view.gen = f.gen;
    view.slot = f.slot;
    view.seq = -1;
    view.copied = 0;
  }

  /**
   * Run a slot walk (growing the buffer until every result fits) and bind one view per slot.
   * Views are bound to the walk's generation; a view whose generation is replaced relocates.
   */
  protected viewsOf(walk: () => number): InstrumentView[] {
    let n = walk();
    while (n > this.walkBuf.length) {
      this.walkBuf = new Int32Array(Math.max(n, this.walkBuf.length * 2));
      n = walk();
    }
    const gen = this.gen;
    const out: InstrumentView[] = [];
    for (let i = 0; i < n; i++) {
      const slot = this.walkBuf[i]!;
      const vw = new InstrumentView(this).bind(gen, slot, 0, 0);
      if (!this.bindIds(vw)) continue; // removed meanwhile
      out.push(vw);
    }
    return out;
  }

  /** Fill a freshly bound view's id and first line from its slot; false if the slot is no longer live. */
  private bindIds(vw: InstrumentView): boolean {
    const meta = this.meta;
    if (!this.copyRecord(vw.gen, vw.slot, 0, LINE_WORDS, vw.line0, 0, meta)) return false;
    if (((vw.line0[STATE_WORD]! >>> STATE_SHIFT) & 0xff) !== SLOT_STATE.FULL) return false;
    vw.idLo = meta[1]!;
    vw.idHi = meta[2]!;
    vw.line0[SEQ_WORD] = 0;
    vw.seq = meta[0]!;
    vw.copied = LINE0;
    return true;
  }

  protected scan(accept: (v: InstrumentView) => boolean): InstrumentView[] {
    for (;;) {
      this.sync();
      const gen = this.gen;
      const out: InstrumentView[] = [];
      const live = new FieldSet([]);
      for (let s = 0; s <= this.mask; s++) {
        if (!this.readSlotOf(gen, s, live)) continue;
        const vw = new InstrumentView(this).bind(gen, s, 0, 0);
        if (!this.bindIds(vw)) continue;
        if (accept(vw)) out.push(vw);
      }
      if (Atomics.load(this.ctl, CTL.GENERATION) !== gen) continue; // replaced mid-scan: rescan
      return out;
    }
  }
}
