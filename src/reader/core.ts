/**
 * The reader's protocol core: generation sync, the one-atomic seqlock read of a record, and the
 * probes of the id table and the secondary indexes. The query API (`reader.ts`) is built on it.
 * Nothing here writes shared memory.
 *
 * Protocol (argued in `layout/SPEC.md`, "Memory ordering"), x86-64 path:
 * - A record read loads `s1 = SEQ` with a **plain** load; every further load of that record is
 *   at an address that depends on `s1` (`d = b + (s1 & 1)`, and s1 is even when they run), so
 *   neither TurboFan nor the CPU can perform them before s1. The read closes with **one**
 *   `Atomics.load(SEQ)`: equal to s1 (and even) → the copy is one version of the record.
 * - Index entries: KEY_A plain, the entry's other words at addresses that depend on KEY_A, the
 *   record at an address that depends on SLOT.
 * - A hit needs no generation check: the writer retires a replaced generation (odd SEQ in every
 *   occupied slot) before it changes anything in its successor. A miss (empty slot, end of an
 *   index run) closes with `Atomics.load(GENERATION)`, and retries in a newer generation.
 * Elsewhere (ARM64, …) `s1` is an `Atomics.load` and a private `Atomics.add` precedes every
 * closing load (Boehm's read-don't-modify-write fence).
 *
 * @module
 */
import {
  CTL,
  DEAD_SLOT as L_DEAD_SLOT,
  ENTRY_KEY_A_WORD as L_ENTRY_KEY_A_WORD,
  GEN_TAG_WORD as L_GEN_TAG_WORD,
  ID_HI_WORD as L_ID_HI_WORD,
  ID_LO_WORD as L_ID_LO_WORD,
  INDEXES,
  type IndexName,
  KEYED_KEY_B_WORD as L_KEYED_KEY_B_WORD,
  KEYED_KEY_C_WORD as L_KEYED_KEY_C_WORD,
  RECORD_WORDS as L_RECORD_WORDS,
  SEQ_WORD as L_SEQ_WORD,
  SIZE_OF_I32,
  SLOT_STATE,
  STATE_SHIFT as L_STATE_SHIFT,
  STATE_WORD as L_STATE_WORD,
  SYMBOL_WORD as L_SYMBOL_WORD,
  VENUE_WORD as L_VENUE_WORD,
  indexOffset,
  regionSize,
} from '../../layout/index.js';
import { checkHandle, type RegistryHandle } from '../shm/handle.js';
import { entryStart as entryStartFn, hashId as hashIdFn } from '../shm/keyhash.js';
import type { FieldSet } from './fields.js';
import type { SymbolKey } from './symbol-key.js';

// Module-local aliases of the layout constants and hash functions the hot paths use. TurboFan
// (V8 11) folds a module-local const into the code, but loads an imported (or exported) binding
// from its Cell with a hole check on every use: measured 153 vs 92 instructions for two field
// loads (bench/results/readById-opt-code.md). The values still come from layout/ only.
const DEAD_SLOT = L_DEAD_SLOT;
const ENTRY_KEY_A_WORD = L_ENTRY_KEY_A_WORD;
const GEN_TAG_WORD = L_GEN_TAG_WORD;
const ID_HI_WORD = L_ID_HI_WORD;
const ID_LO_WORD = L_ID_LO_WORD;
const KEYED_KEY_B_WORD = L_KEYED_KEY_B_WORD;
const KEYED_KEY_C_WORD = L_KEYED_KEY_C_WORD;
const RECORD_WORDS = L_RECORD_WORDS;
const SEQ_WORD = L_SEQ_WORD;
const STATE_SHIFT = L_STATE_SHIFT;
const STATE_WORD = L_STATE_WORD;
const SYMBOL_WORD = L_SYMBOL_WORD;
const VENUE_WORD = L_VENUE_WORD;
const hashId = hashIdFn;
const entryStart = entryStartFn;

/**
 * Whether this CPU needs explicit ordering for plain loads. x86-64 (TSO) never reorders a load
 * with an older load, so address dependencies only have to stop the compiler; ARM64 and others
 * get acquire loads of SEQ and a private RMW before each closing load.
 */
const LOAD_FENCE = process.arch !== 'x64' && process.arch !== 'ia32';
/** Whether readers on this CPU take the fenced path (see {@link ReaderCore}). */
export const READER_LOAD_FENCE = LOAD_FENCE;

const FULL = SLOT_STATE.FULL;

/** One secondary index of the current generation, in Int32 words. */
export interface IndexArea {
  base: number;
  mask: number;
  entryWords: number;
  slotWord: number;
}

/** Outcome of a seqlock read of one slot: a live hit, a validated non-match, or "retry". */
const HIT = 1;
const NO = 0;
const RETRY = -1;

/** Lock-free protocol core of a reader. One per thread; see the module doc. */
export class ReaderCore {
  /** @internal */
  protected readonly ctl: Int32Array;
  private readonly regionBuffers: readonly SharedArrayBuffer[];
  /** Fixed-length views of each region, sized for the generation last seen in it. */
  protected readonly regions: Int32Array[];
  /** Private fence cell (ARM64 path): never shared with any other thread. */
  private readonly fence = new Int32Array(new SharedArrayBuffer(SIZE_OF_I32));
  /** @internal current generation, its region view and slot mask */
  gen = 0;
  /** @internal */
  region: Int32Array = new Int32Array(0);
  /** @internal */
  mask = 0;
  /** @internal index areas of the current generation */
  readonly indexes = {} as Record<IndexName, IndexArea>;
  /** Seqlock retries this reader has seen (a write overlapped a read, or a generation moved). */
  retries = 0;

  protected constructor(handle: RegistryHandle) {
    checkHandle(handle);
    this.ctl = new Int32Array(handle.control);
    this.regionBuffers = handle.regions;
    this.regions = handle.regions.map((r) => new Int32Array(r, 0, 0));
    this.sync();
  }

  /** Pick up a newly published generation, if any. */
  protected sync(): void {
    const g = Atomics.load(this.ctl, CTL.GENERATION);
    if (g === this.gen) return;
    for (;;) {
      const g1 = Atomics.load(this.ctl, CTL.GENERATION);
      const cap = Atomics.load(this.ctl, CTL.CAPACITY);
      if (Atomics.load(this.ctl, CTL.GENERATION) !== g1) continue;
      // Fixed-length view (length-tracking views on growable buffers are ~4x slower in V8 11).
      // The region was grown before GENERATION was published, so its length is visible here.
      const region = new Int32Array(this.regionBuffers[g1 & 1]!, 0, regionSize(cap) / SIZE_OF_I32);
      this.regions[g1 & 1] = region;
      this.region = region;
      this.mask = cap - 1;
      for (const [name, def] of Object.entries(INDEXES) as [IndexName, (typeof INDEXES)[IndexName]][]) {
        this.indexes[name] = {
          base: indexOffset(cap, name) / SIZE_OF_I32,
          mask: cap * def.capacityFactor - 1,
          entryWords: def.entryWords,
          slotWord: def.slotWord,
        };
      }
      this.gen = g1;
      return;
    }
  }

  /**
   * Close a miss in generation `gen`: true if it stands, false if a newer generation was
   * published (synced; the caller retries there).
   */
  protected missStands(gen: number): boolean {
    if (LOAD_FENCE) Atomics.add(this.fence, 0, 0);
    if (Atomics.load(this.ctl, CTL.GENERATION) === gen) return true;
    this.sync();
    return false;
  }

  /** A closing SEQ check failed or SEQ was odd: count it and pick up a new generation, if any. */
  protected retry(): void {
    this.retries++;
    this.sync();
  }

  /**
   * Look up a live instrument by id halves and copy the words of `f`'s fields, under one seqlock
   * check. Allocation-free.
   * @returns true if found (fields readable from `f`, `f.slot` / `f.gen` set); false if absent.
   * @example
   * const f = new FieldSet(['kind', 'tickSize']);
   * if (reader.readById(lo, hi, f)) use(f.kindCode, f.tickRaw, f.tickScale);
   */
  readById(idLo: number, idHi: number, f: FieldSet): boolean {
    const lo = idLo | 0;
    const hi = idHi | 0;
    const idx = f.idx;
    const n = f.n;
    const w = f.w;
    for (;;) {
      const r = this.region;
      const mask = this.mask;
      const gen = this.gen;
      let i = hashId(lo, hi) & mask;
      let probes = 0;
      let again = false;
      for (;;) {
        const b = i * RECORD_WORDS;
        const s1 = LOAD_FENCE ? Atomics.load(r, b + SEQ_WORD) : r[b + SEQ_WORD]!;
        if (s1 & 1) {
          // Writer mid-write or a retired generation (retry), or a slot a retired, older
          // generation left behind in a reused region (tag ≠ gen: empty, ends the probe).
          if (r[b + GEN_TAG_WORD] === gen) again = true;
          break;
        }
        const d = b + (s1 & 1); // = b, but the loads below now depend on s1
        if (r[d + GEN_TAG_WORD] !== gen) break; // empty slot: miss
        if (r[d + ID_LO_WORD] === lo && r[d + ID_HI_WORD] === hi) {
          const st = r[d + STATE_WORD]!;
          for (let k = 0; k < n; k++) {
            const x = idx[k]!;
            w[x] = r[d + x]!;
          }
          if (LOAD_FENCE) Atomics.add(this.fence, 0, 0);
          if (Atomics.load(r, b + SEQ_WORD) !== s1) {
            again = true;
            break;
          }
          if (((st >>> STATE_SHIFT) & 0xff) !== FULL) return false; // tombstone
          f.slot = i;
          f.gen = gen;
          return true;
        }
        i = (i + 1) & mask;
        if (++probes > mask) break;
      }
      if (again) this.retry();
      else if (this.missStands(gen)) return false;
    }
  }

  /**
   * Copy `f`'s fields of `slot` in generation `gen` (a slot a walk of this reader returned).
   * @returns true if the slot still holds a live record of `gen`; false otherwise (the record
   *   was removed, or `gen` was replaced: look the instrument up again).
   */
  readSlotOf(gen: number, slot: number, f: FieldSet): boolean {
    const r = this.regions[gen & 1]!;
    const b = slot * RECORD_WORDS;
    if (slot < 0 || b >= r.length) return false;
    for (;;) {
      const s1 = LOAD_FENCE ? Atomics.load(r, b + SEQ_WORD) : r[b + SEQ_WORD]!;
      if (s1 & 1) {
        // Not a record of gen, or gen was retired: nothing to copy. Else the writer is mid-write.
        if (r[b + GEN_TAG_WORD] !== gen || Atomics.load(this.ctl, CTL.GENERATION) !== gen) return false;
        this.retries++;
        continue;
      }
      const d = b + (s1 & 1);
      const tag = r[d + GEN_TAG_WORD];
      const st = r[d + STATE_WORD]!;
      for (let k = 0; k < f.n; k++) {
        const x = f.idx[k]!;
        f.w[x] = r[d + x]!;
      }
      if (LOAD_FENCE) Atomics.add(this.fence, 0, 0);
      if (Atomics.load(r, b + SEQ_WORD) !== s1) {
        this.retries++;
        continue;
      }
      if (tag !== gen || ((st >>> STATE_SHIFT) & 0xff) !== FULL) return false;
      f.slot = slot;
      f.gen = gen;
      return true;
    }
  }

  /**
   * Validate that `slot` of the current generation holds a live record, optionally matching a
   * prepared symbol key, and copy `f`'s fields (if given). `r` is the current region view.
   */
  private checkSlot(r: Int32Array, gen: number, slot: number, key: SymbolKey | null, f: FieldSet | null): number {
    const b = slot * RECORD_WORDS;
    const s1 = LOAD_FENCE ? Atomics.load(r, b + SEQ_WORD) : r[b + SEQ_WORD]!;
    if (s1 & 1) return r[b + GEN_TAG_WORD] === gen ? RETRY : NO;
    const d = b + (s1 & 1);
    let ok = r[d + GEN_TAG_WORD] === gen && ((r[d + STATE_WORD]! >>> STATE_SHIFT) & 0xff) === FULL;
    if (ok && key !== null) {
      ok = r[d + VENUE_WORD] === key.venueWord;
      const kw = key.words;
      for (let k = 0; ok && k < key.nWords; k++) ok = r[d + SYMBOL_WORD + k] === kw[k];
    }
    if (ok && f !== null) {
      const idx = f.idx;
      const w = f.w;
      for (let k = 0; k < f.n; k++) {
        const x = idx[k]!;
        w[x] = r[d + x]!;
      }
    }
    if (LOAD_FENCE) Atomics.add(this.fence, 0, 0);
    if (Atomics.load(r, b + SEQ_WORD) !== s1) return RETRY;
    return ok ? HIT : NO;
  }

  /**
   * Look up the live instrument listed under a prepared venue + symbol key and copy `f`'s fields.
   * Tries the key's cached slot first (one seqlock read), then the SYMBOL index. Allocation-free.
   * @returns true if found.
   */
  readBySymbolKey(key: SymbolKey, f: FieldSet): boolean {
    if (key.hash === 0) return false;
    for (;;) {
      const r = this.region;
      const gen = this.gen;
      if (key.gen === gen && key.slot >= 0) {
        const c = this.checkSlot(r, gen, key.slot, key, f);
        if (c === HIT) {
          f.slot = key.slot;
          f.gen = gen;
          return true;
        }
        if (c === RETRY) {
          this.retry();
          continue;
        }
      }
      const area = this.indexes.SYMBOL;
      const h = key.hash;
      let again = false;
      for (let i = h & area.mask, n = 0; n <= area.mask; i = (i + 1) & area.mask, n++) {
        const e = area.base + i * area.entryWords;
        const ka = r[e + ENTRY_KEY_A_WORD]!;
        if (ka === 0) break;
        if (ka !== h) continue;
        const slot = r[e + (ka ^ h) + area.slotWord]!; // depends on KEY_A
        if (slot === DEAD_SLOT || slot >>> 0 > this.mask) continue;
        const c = this.checkSlot(r, gen, slot, key, f);
        if (c === HIT) {
          key.slot = slot;
          key.gen = gen;
          f.slot = slot;
          f.gen = gen;
          return true;
        }
        if (c === RETRY) {
          again = true;
          break;
        }
      }
      if (again) this.retry();
      else if (this.missStands(gen)) return false;
    }
  }

  /**
   * Collect the live slots of the current generation under a keyed index entry (a, b, c) into
   * `out` (as many as fit); each slot is validated live under its seqlock.
   * @returns the number of live listings (may exceed `out.length`); slots are of {@link gen}.
   */
  protected walkKeyed(name: IndexName, a: number, b: number, c: number, out: Int32Array): number {
    for (;;) {
      const r = this.region;
      const gen = this.gen;
      const area = this.indexes[name];
      let count = 0;
      let again = false;
      for (let i = entryStart(true, a, b) & area.mask, n = 0; n <= area.mask; i = (i + 1) & area.mask, n++) {
        const e = area.base + i * area.entryWords;
        const ka = r[e + ENTRY_KEY_A_WORD]!;
        if (ka === 0) break;
        if (ka !== a) continue;
        const e2 = e + (ka ^ a); // = e, but the loads below now depend on KEY_A
        if (r[e2 + KEYED_KEY_B_WORD] !== b || r[e2 + KEYED_KEY_C_WORD] !== c) continue;
        const slot = r[e2 + area.slotWord]!;
        if (slot === DEAD_SLOT || slot >>> 0 > this.mask) continue;
        const v = this.checkSlot(r, gen, slot, null, null);
        if (v === RETRY) {
          again = true;
          break;
        }
        if (v === HIT) {
          if (count < out.length) out[count] = slot;
          count++;
        }
      }
      if (again) this.retry();
      else if (this.missStands(gen)) return count;
    }
  }

  /**
   * Collect the live slots of the current generation under a hashed index entry (a) into `out`,
   * optionally verified against a prepared symbol key. Same contract as {@link walkKeyed}.
   */
  protected walkHashed(name: IndexName, a: number, key: SymbolKey | null, out: Int32Array): number {
    for (;;) {
      const r = this.region;
      const gen = this.gen;
      const area = this.indexes[name];
      let count = 0;
      let again = false;
      for (let i = (a >>> 0) & area.mask, n = 0; n <= area.mask; i = (i + 1) & area.mask, n++) {
        const e = area.base + i * area.entryWords;
        const ka = r[e + ENTRY_KEY_A_WORD]!;
        if (ka === 0) break;
        if (ka !== a) continue;
        const slot = r[e + (ka ^ a) + area.slotWord]!;
        if (slot === DEAD_SLOT || slot >>> 0 > this.mask) continue;
        const v = this.checkSlot(r, gen, slot, key, null);
        if (v === RETRY) {
          again = true;
          break;
        }
        if (v === HIT) {
          if (count < out.length) out[count] = slot;
          count++;
        }
      }
      if (again) this.retry();
      else if (this.missStands(gen)) return count;
    }
  }

  /**
   * @internal Copy words `first .. first+count-1` of slot `slot` in generation `gen` into
   * `out[outOff..]` as one version of the record, and its SEQ and id halves into `meta`
   * ([seq, idLo, idHi]).
   * @returns false if the slot holds no record of `gen` (the generation was retired or its region
   *   reused); the copy is then meaningless.
   */
  copyRecord(gen: number, slot: number, first: number, count: number, out: Int32Array, outOff: number, meta: Int32Array): boolean {
    const r = this.regions[gen & 1]!;
    const b = slot * RECORD_WORDS;
    if (slot < 0 || b + RECORD_WORDS > r.length) return false;
    for (;;) {
      const s1 = LOAD_FENCE ? Atomics.load(r, b + SEQ_WORD) : r[b + SEQ_WORD]!;
      if (s1 & 1) {
        // Not a record of gen, or gen was retired: nothing to copy. Else the writer is mid-write.
        if (r[b + GEN_TAG_WORD] !== gen || Atomics.load(this.ctl, CTL.GENERATION) !== gen) return false;
        this.retries++;
        continue;
      }
      const d = b + (s1 & 1);
      const tag = r[d + GEN_TAG_WORD];
      const lo = r[d + ID_LO_WORD]!;
      const hi = r[d + ID_HI_WORD]!;
      for (let k = 0; k < count; k++) out[outOff + k] = r[d + first + k]!;
      if (LOAD_FENCE) Atomics.add(this.fence, 0, 0);
      if (Atomics.load(r, b + SEQ_WORD) !== s1) {
        this.retries++;
        continue;
      }
      meta[0] = s1;
      meta[1] = lo;
      meta[2] = hi;
      return tag === gen;
    }
  }
}
