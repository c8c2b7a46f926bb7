/**
 * The bench's reference rows (DESIGN §5, issue 8 item 6), written directly against `layout/`
 * with no API layer and no allocation:
 *
 * - **floor** ({@link FloorTable.kind}): a minimal *correct* seqlock lookup by id halves. Inline
 *   linear probe from `hashId(lo, hi) & (cap - 1)` over the current generation's region; per
 *   probed slot `s1 = SEQ` (a plain load on x86-64); odd → slow path (tag of this generation:
 *   the writer is mid-write or retired the generation, so take up the published generation and
 *   probe again; other tag: a slot an older generation left, an empty slot here, miss);
 *   every further load of the slot is address-dependent on `s1` (`d = b + (s1 & 1)`, so
 *   TurboFan and the CPU cannot issue them before `s1`): GEN_TAG (≠ generation → miss), ID_LO,
 *   ID_HI (mismatch → next slot), then the STATE word (the one field read: the kind byte), then
 *   ONE closing `Atomics.load(SEQ) === s1` (else re-read the slot). A miss loads
 *   `Atomics.load(ctl, GENERATION)` and retries in the new generation if it moved.
 *   Off x86-64 (`process.arch !== 'x64'`) `s1` is an `Atomics.load` and a private
 *   `Atomics.add(cell, 0, 0)` (Boehm's read-don't-modify-write) precedes the closing load.
 *   This is the reader protocol of `layout/SPEC.md` ("Memory ordering") reduced to one field.
 * - **raw** ({@link FloorTable.rawKind}): the same probe with plain loads only and no seqlock.
 *   Not safe under concurrent writes (a torn record is not detected); context only: what the
 *   memory accesses alone cost.
 *
 * Both return the kind code (`KIND_CODES`) of a live record, or -1 (absent or tombstoned).
 * The probe ends at the first slot whose tag is not the current generation: the load factor
 * (≤ `MAX_LOAD_FACTOR` < 1) guarantees one.
 *
 * @module
 */
import {
  CTL,
  GEN_TAG_WORD,
  ID_HI_WORD,
  ID_LO_WORD,
  KIND_SHIFT,
  RECORD_WORDS,
  SEQ_WORD,
  SIZE_OF_I32,
  SLOT_STATE,
  STATE_SHIFT,
  STATE_WORD,
  regionSize,
} from '../../layout/index.js';
import type { RegistryHandle } from '../shm/handle.js';
import { hashId } from '../shm/keyhash.js';

/** True where plain loads may be reordered with later loads (everything but x86-64): use the fenced floor. */
export const FLOOR_FENCED = process.arch !== 'x64';

// Module-local copies of the layout constants: an imported binding is a live ESM binding, which
// TurboFan (Node 20) reloads from its Cell with a hole check at every use; a local const is folded.
const FULL = SLOT_STATE.FULL;
const RW = RECORD_WORDS;
const SEQ = SEQ_WORD;
const TAG = GEN_TAG_WORD;
const LO = ID_LO_WORD;
const HI = ID_HI_WORD;
const STATE = STATE_WORD;
const S_SHIFT = STATE_SHIFT;
const K_SHIFT = KIND_SHIFT;

/** The floor and raw lookups over one registry's shared memory (one per reader thread; never writes shared memory). */
export class FloorTable {
  private readonly ctl: Int32Array;
  private readonly buffers: readonly SharedArrayBuffer[];
  /** Private cell of the fenced variant's read-don't-modify-write; never shared. */
  private readonly cell = new Int32Array(new SharedArrayBuffer(SIZE_OF_I32));
  private r = new Int32Array(new SharedArrayBuffer(SIZE_OF_I32), 0, 0);
  private gen = 0;
  private mask = 0;
  /** Slot re-reads: SEQ odd or changed during a read. */
  retries = 0;

  constructor(handle: RegistryHandle) {
    this.ctl = new Int32Array(handle.control);
    this.buffers = handle.regions;
    this.sync();
  }

  /** Take up the published generation (region view, capacity). Returns true if it changed. */
  sync(): boolean {
    if (Atomics.load(this.ctl, CTL.GENERATION) === this.gen) return false;
    for (;;) {
      const g = Atomics.load(this.ctl, CTL.GENERATION);
      const cap = Atomics.load(this.ctl, CTL.CAPACITY);
      if (Atomics.load(this.ctl, CTL.GENERATION) !== g) continue;
      this.r = new Int32Array(this.buffers[g & 1]!, 0, regionSize(cap) / SIZE_OF_I32);
      this.gen = g;
      this.mask = cap - 1;
      return true;
    }
  }

  /** Slow path of an odd SEQ in a slot of this generation: count it, take up a newer generation if one was published. */
  private oddSeq(): void {
    this.retries++;
    this.sync();
  }

  /** Floor lookup, x86-64 path (see module doc). Kind code of the live record with id (lo, hi), or -1. */
  kind(lo: number, hi: number): number {
    lookup: for (;;) {
      const r = this.r;
      const mask = this.mask;
      const g = this.gen;
      let i = hashId(lo, hi) & mask;
      for (;;) {
        const b = i * RW;
        const s1 = r[b + SEQ]!;
        if ((s1 & 1) !== 0) {
          if (r[b + TAG] !== g) break; // left by an older generation: empty here
          this.oddSeq();
          continue lookup;
        }
        const d = b + (s1 & 1); // address dependency on s1 (d === b)
        if (r[d + TAG] !== g) break;
        if (r[d + LO] !== lo || r[d + HI] !== hi) {
          i = (i + 1) & mask;
          continue;
        }
        const st = r[d + STATE]!;
        if (Atomics.load(r, b + SEQ) !== s1) {
          this.oddSeq();
          continue lookup;
        }
        return ((st >>> S_SHIFT) & 0xff) === FULL ? (st >>> K_SHIFT) & 0xff : -1;
      }
      if (!this.sync()) return -1;
    }
  }

  /** Floor lookup, path for other architectures: `Atomics.load` of s1 and a private RMW before the closing load. */
  kindFenced(lo: number, hi: number): number {
    const cell = this.cell;
    lookup: for (;;) {
      const r = this.r;
      const mask = this.mask;
      const g = this.gen;
      let i = hashId(lo, hi) & mask;
      for (;;) {
        const b = i * RW;
        const s1 = Atomics.load(r, b + SEQ);
        if ((s1 & 1) !== 0) {
          if (r[b + TAG] !== g) break;
          this.oddSeq();
          continue lookup;
        }
        const d = b + (s1 & 1);
        if (r[d + TAG] !== g) break;
        if (r[d + LO] !== lo || r[d + HI] !== hi) {
          i = (i + 1) & mask;
          continue;
        }
        const st = r[d + STATE]!;
        Atomics.add(cell, 0, 0);
        if (Atomics.load(r, b + SEQ) !== s1) {
          this.oddSeq();
          continue lookup;
        }
        return ((st >>> S_SHIFT) & 0xff) === FULL ? (st >>> K_SHIFT) & 0xff : -1;
      }
      Atomics.add(cell, 0, 0); // the miss closes on GENERATION: order the probe's plain loads before it
      if (!this.sync()) return -1;
    }
  }

  /** Raw lookup: plain loads, no seqlock (unsafe under writes; context only). Kind code or -1. */
  rawKind(lo: number, hi: number): number {
    for (;;) {
      const r = this.r;
      const mask = this.mask;
      const g = this.gen;
      for (let i = hashId(lo, hi) & mask; ; i = (i + 1) & mask) {
        const b = i * RW;
        if (r[b + TAG] !== g) break;
        if (r[b + LO] === lo && r[b + HI] === hi) {
          const st = r[b + STATE]!;
          return ((st >>> S_SHIFT) & 0xff) === FULL ? (st >>> K_SHIFT) & 0xff : -1;
        }
      }
      if (!this.sync()) return -1;
    }
  }
}
