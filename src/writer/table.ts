/**
 * The writer's side of the open-addressed instrument table and its secondary indexes.
 * Only the registry's single writer thread may hold a {@link TableWriter}.
 *
 * Store discipline (see `layout/SPEC.md`, "Memory ordering"): a record is rewritten as
 * `Atomics.exchange(SEQ, odd)` (a full barrier on x86-64, acquire-release on ARM64, so no later
 * store can pass it), plain stores of words 1..31, `Atomics.store(SEQ, even)` (release: no earlier
 * store can pass it). An index entry is written as plain SLOT and key words, then
 * `Atomics.store(KEY_A)`. When a generation is replaced, every occupied slot of the old one is
 * retired (its SEQ made odd for good), so a reader still in the old generation retries.
 * A rebuild or a generation copy announces the generation it builds (`Atomics.exchange(BUILDING,
 * g+1)`) before its first store into region and heap `(g+1) & 1`, and moves each record's heap
 * entries into the new generation's heap through {@link RebuildHooks}.
 *
 * @module
 */
import {
  CTL,
  ENTRY_KEY_A_WORD,
  GEN_TAG_WORD,
  ID_HI_WORD,
  ID_LO_WORD,
  type IndexName,
  MAX_CAPACITY,
  MAX_LOAD_FACTOR,
  MIN_CAPACITY,
  RECORD_WORDS,
  SEQ_WORD,
  SIZE_OF_I32,
  SLOT_STATE,
  STATE_SHIFT,
  STATE_WORD,
  regionSize,
} from '../../layout/index.js';
import { RegistryError } from '../errors.js';
import { hashId } from '../shm/keyhash.js';
import type { RegistryHandle } from '../shm/handle.js';
import type { IndexKey } from '../shm/index-keys.js';
import { RegionPair } from './regions.js';
import { addEntry, forEachLiveEntry, haveRoom, indexAreas, killEntry, probeEntries, type IndexArea } from './index-areas.js';

/**
 * Load factor a rebuild aims for (live / capacity); growth doubles until it holds. 0.5 means a
 * table that reaches MAX_LOAD_FACTOR (0.75) doubles once, to 0.375; measured against 0.375 (which
 * quadrupled it, to 0.19) in `bench/lookup.bench.ts` at 1 M instruments: the same random-lookup
 * cost (596 vs 587 ns, DRAM- and TLB-bound either way) for half the memory (layout/SPEC.md).
 */
export const TARGET_LOAD_FACTOR = 0.5;

/** Round up to a power of two ≥ MIN_CAPACITY. */
export function capacityFor(n: number): number {
  let c = MIN_CAPACITY;
  while (c < n) c *= 2;
  return c;
}

/** SEQ value that opens a write: odd and different from `seq` (a retired slot's SEQ is already odd). */
function oddAfter(seq: number): number {
  return (seq & 1 ? seq + 2 : seq + 1) | 0;
}

/**
 * Write words 1..31 of `image` into the record at word `b` of `r` under its seqlock:
 * `Atomics.exchange(SEQ, odd)`, plain stores, `Atomics.store(SEQ, even)`.
 */
function writeRecord(r: Int32Array, b: number, image: Int32Array): void {
  const odd = oddAfter(r[b + SEQ_WORD]!); // only this thread writes SEQ
  Atomics.exchange(r, b + SEQ_WORD, odd);
  for (let w = SEQ_WORD + 1; w < RECORD_WORDS; w++) r[b + w] = image[w]!;
  Atomics.store(r, b + SEQ_WORD, (odd + 1) | 0);
}

/** What a rebuild asks of the registry, which owns the string heap. */
export interface RebuildHooks {
  /**
   * Generation `gen` is being built (BUILDING = gen is already stored): start its heap.
   * `sameSlots`: a {@link TableWriter.copyGeneration} (tombstones carried over), not a rebuild.
   */
  begin(gen: number, sameSlots: boolean): void;
  /**
   * Move a record's heap entries into the new heap: rewrite the references in `image`. `live` is
   * false for a tombstone (carried over by {@link TableWriter.copyGeneration} only).
   */
  move(image: Int32Array, live: boolean): void;
  /** The new generation is complete (called just before it is published). */
  end(): void;
}

/** Writer side of the table: probing, record writes under the seqlock, index entries, rebuilds. */
export class TableWriter {
  readonly ctl: Int32Array;
  /** Published generation (its region is `regions[gen & 1]`). */
  gen = 0;
  capacity = 0;
  mask = 0;
  /** Int32 view of the current region. */
  region!: Int32Array;
  /** Byte view of the current region (same memory as `region`). */
  regionU8!: Uint8Array;
  /** Slots in use in this generation (live + tombstoned). */
  used = 0;
  /** Live instruments. */
  count = 0;
  tombstones = 0;
  private indexes = {} as Record<IndexName, IndexArea>;
  /** The same areas as a list (iterated on every registration). */
  private indexList: IndexArea[] = [];
  /** The two regions and what each last held. */
  private readonly regionPair: RegionPair;
  /** Entries examined by {@link addIndexEntry} so far (a cost counter for tests and benches). */
  indexInsertProbes = 0;
  /** Largest capacity this table may grow to (MAX_CAPACITY unless lowered for tests). */
  readonly maxCapacity: number;

  /**
   * @param hooks called during every rebuild (the first build included): heap switch and entry
   *   moves.
   */
  constructor(
    private readonly handle: RegistryHandle,
    initialCapacity: number,
    private readonly hooks: RebuildHooks,
    maxCapacity = MAX_CAPACITY,
  ) {
    this.ctl = new Int32Array(handle.control);
    this.regionPair = new RegionPair(handle, this.ctl);
    this.maxCapacity = maxCapacity;
    if (!(maxCapacity >= MIN_CAPACITY && maxCapacity <= MAX_CAPACITY && (maxCapacity & (maxCapacity - 1)) === 0)) {
      throw new RegistryError('InvalidArgument', `maxCapacity must be a power of two in ${MIN_CAPACITY}..${MAX_CAPACITY}, got ${maxCapacity}`);
    }
    const published = Atomics.load(this.ctl, CTL.GENERATION);
    if (published === 0) {
      if (!(Number.isInteger(initialCapacity) && initialCapacity >= 0)) {
        throw new RegistryError('InvalidArgument', `initialCapacity must be a non-negative integer, got ${initialCapacity}`);
      }
      const cap = capacityFor(Math.ceil(initialCapacity / MAX_LOAD_FACTOR));
      if (cap > maxCapacity) {
        throw new RegistryError(
          'CapacityExceeded',
          `initialCapacity ${initialCapacity} needs ${cap} slots; at most ${Math.floor(maxCapacity * MAX_LOAD_FACTOR)} instruments fit the largest table (${maxCapacity} slots)`,
        );
      }
      this.build(cap, []);
    } else {
      // Attaching a writer to existing regions (e.g. restored from a snapshot).
      this.adopt(published, Atomics.load(this.ctl, CTL.CAPACITY));
    }
  }

  /** Word index of a slot's first word. */
  slotBase(slot: number): number {
    return slot * RECORD_WORDS;
  }

  /** True if the slot holds a record of the current generation (live or tombstone). */
  occupied(slot: number): boolean {
    return this.region[slot * RECORD_WORDS + GEN_TAG_WORD] === this.gen;
  }

  /** Slot state (`SLOT_STATE`) in the current generation. */
  state(slot: number): number {
    if (!this.occupied(slot)) return SLOT_STATE.EMPTY;
    return (this.region[slot * RECORD_WORDS + STATE_WORD]! >>> STATE_SHIFT) & 0xff;
  }

  /** Slot holding this id (live or tombstoned), or -1. */
  find(idLo: number, idHi: number): number {
    const r = this.region;
    const mask = this.mask;
    const gen = this.gen;
    for (let i = hashId(idLo, idHi) & mask, n = 0; n <= mask; i = (i + 1) & mask, n++) {
      const b = i * RECORD_WORDS;
      if (r[b + GEN_TAG_WORD] !== gen) return -1;
      if (r[b + ID_LO_WORD] === (idLo | 0) && r[b + ID_HI_WORD] === (idHi | 0)) return i;
    }
    return -1;
  }

  /** Copy of a slot's 32 words (the writer reads its own stores; no seqlock needed). */
  readImage(slot: number, out: Int32Array): Int32Array {
    const b = slot * RECORD_WORDS;
    for (let w = 0; w < RECORD_WORDS; w++) out[w] = this.region[b + w]!;
    return out;
  }

  /**
   * Make room for one more record and its index entries, before anything is written: grows
   * (doubling until live / capacity ≤ TARGET_LOAD_FACTOR) or rebuilds at the same size when
   * tombstones or dead index entries, not live records, fill the table. At the largest capacity a
   * same-size rebuild runs whenever it frees room.
   * @param compact rebuild even if there is room (the registry's heap compaction).
   * @returns true if it rebuilt.
   * @throws {RegistryError} `CapacityExceeded` when live records alone fill the largest table.
   */
  reserve(compact = false): boolean {
    if (!compact && this.used + 1 <= this.capacity * MAX_LOAD_FACTOR && haveRoom(this.indexList)) return false;
    let cap = this.capacity;
    while (this.count + 1 > cap * TARGET_LOAD_FACTOR && cap < this.maxCapacity) cap *= 2;
    if (this.count + 1 > cap * MAX_LOAD_FACTOR) {
      throw new RegistryError('CapacityExceeded', `table full: ${this.count} live instruments in ${cap} slots (load factor ≤ ${MAX_LOAD_FACTOR})`);
    }
    this.rebuild(cap);
    return true;
  }

  /**
   * Write a new record for an id that is not in the table; `image` words 1..31 are stored,
   * with GEN_TAG forced to the current generation. Call {@link reserve} first.
   * @returns the slot.
   */
  insert(idLo: number, idHi: number, image: Int32Array): number {
    const mask = this.mask;
    for (let i = hashId(idLo, idHi) & mask, n = 0; n <= mask; i = (i + 1) & mask, n++) {
      if (!this.occupied(i)) {
        image[GEN_TAG_WORD] = this.gen;
        this.store(i, image);
        this.used++;
        return i;
      }
    }
    throw new RegistryError('CapacityExceeded', 'no empty slot (load factor invariant broken)');
  }

  /** Rewrite a slot's record under its seqlock (GEN_TAG forced to the current generation). */
  store(slot: number, image: Int32Array): void {
    image[GEN_TAG_WORD] = this.gen;
    writeRecord(this.region, slot * RECORD_WORDS, image);
  }

  /** Change only the STATE byte of a slot, under its seqlock. */
  setState(slot: number, state: number): void {
    const r = this.region;
    const b = slot * RECORD_WORDS;
    const word = r[b + STATE_WORD]!;
    const next = (word & ~(0xff << STATE_SHIFT)) | (state << STATE_SHIFT);
    const odd = oddAfter(r[b + SEQ_WORD]!);
    Atomics.exchange(r, b + SEQ_WORD, odd);
    r[b + STATE_WORD] = next;
    Atomics.store(r, b + SEQ_WORD, (odd + 1) | 0);
  }

  /**
   * Add an entry for a slot that has none for this key (a new record, a key an update added, or
   * a rebuild); see {@link addEntry}. {@link reserve} guarantees room, so this never fails after
   * a record was written.
   */
  addIndexEntry(key: IndexKey, slot: number): void {
    this.indexInsertProbes += addEntry(this.region, this.indexes[key.index], key, slot);
  }

  /** Invalidate this slot's entry for `key` (its record no longer has that key). */
  killIndexEntry(key: IndexKey, slot: number): void {
    killEntry(this.region, this.indexes[key.index], key, slot);
  }

  /** Call `fn(slot)` for every live entry of hashed index `name` with hash `a` until it returns true. */
  probeIndex(name: IndexName, a: number, fn: (slot: number) => boolean): boolean {
    return probeEntries(this.region, this.indexes[name], a, fn);
  }

  /** Publish counters readers may look at. */
  publishCounts(): void {
    Atomics.store(this.ctl, CTL.COUNT, this.count);
    Atomics.store(this.ctl, CTL.TOMBSTONES, this.tombstones);
  }

  /** Rebuild into a new generation of `capacity` slots, dropping tombstones. */
  rebuild(capacity: number): void {
    const old = this.region;
    const oldGen = this.gen;
    const oldCap = this.capacity;
    const live: number[] = [];
    if (old) {
      for (let s = 0; s < oldCap; s++) {
        const b = s * RECORD_WORDS;
        if (old[b + GEN_TAG_WORD] === oldGen && ((old[b + STATE_WORD]! >>> STATE_SHIFT) & 0xff) === SLOT_STATE.FULL) live.push(s);
      }
    }
    this.build(capacity, live, old);
    if (old) this.retire(old, oldGen, oldCap);
  }

  /**
   * Retire generation `gen` after its successor was published: every occupied slot's SEQ becomes
   * odd for good, so a reader still probing `gen` fails its closing check and moves on.
   */
  private retire(region: Int32Array, gen: number, capacity: number): void {
    for (let s = 0; s < capacity; s++) {
      const b = s * RECORD_WORDS;
      if (region[b + GEN_TAG_WORD] !== gen) continue;
      const seq = region[b + SEQ_WORD]!;
      if ((seq & 1) === 0) Atomics.store(region, b + SEQ_WORD, (seq + 1) | 0);
    }
  }

  /**
   * Copy the current generation into a new one of the same capacity, slot for slot and index
   * entry for index entry (tombstones and dead entries included), moving every occupied record's
   * heap entries into the new generation's heap; then publish it and retire the old one. No record
   * is re-inserted and no index key derived, so it costs a pass over the region and the live heap
   * bytes, not a rebuild: the heap compaction the registry runs when garbage passes its threshold.
   */
  copyGeneration(): void {
    const old = this.region;
    const oldGen = this.gen;
    const capacity = this.capacity;
    const gen = oldGen + 1;
    const region = this.regionPair.prepare(gen, capacity);
    this.hooks.begin(gen, true);
    const image = new Int32Array(RECORD_WORDS);
    for (let s = 0; s < capacity; s++) {
      const b = s * RECORD_WORDS;
      if (old[b + GEN_TAG_WORD] !== oldGen) continue;
      for (let w = 0; w < RECORD_WORDS; w++) image[w] = old[b + w]!;
      image[GEN_TAG_WORD] = gen;
      this.hooks.move(image, ((image[STATE_WORD]! >>> STATE_SHIFT) & 0xff) === SLOT_STATE.FULL);
      writeRecord(region, b, image);
    }
    // Index entries at the same positions (slots did not move): plain SLOT and key words, then
    // KEY_A (publishes the entry, as addIndexEntry does). The areas' counters and run-end caches
    // stay valid as they are.
    for (const area of this.indexList) {
      for (let i = 0; i <= area.mask; i++) {
        const e = area.base + i * area.entryWords;
        const ka = old[e + ENTRY_KEY_A_WORD]!;
        if (ka === 0) continue;
        for (let w = 0; w < area.entryWords; w++) if (w !== ENTRY_KEY_A_WORD) region[e + w] = old[e + w]!;
        Atomics.store(region, e + ENTRY_KEY_A_WORD, ka);
      }
    }
    this.hooks.end();
    this.gen = gen;
    this.region = region;
    this.regionU8 = new Uint8Array(region.buffer, 0, region.byteLength);
    this.publishCounts();
    Atomics.store(this.ctl, CTL.GENERATION, gen); // publish
    this.retire(old, oldGen, capacity);
  }

  /**
   * Build generation gen + 1 of `capacity` slots from the live slots of the current one: each
   * record re-inserted by id (heap entries moved through the hooks), then each of the old
   * generation's index entries that belongs to a live record re-added for the record's new slot,
   * with the key words the entry holds (hashed entries hold KEY_A only, whose other key words are
   * 0; keyed entries hold all three). Dead entries and a tombstone's entries are dropped. No key
   * is derived again, so no record is decoded.
   */
  private build(capacity: number, liveSlots: number[], old?: Int32Array): void {
    const gen = this.gen + 1;
    const region = this.regionPair.prepare(gen, capacity);
    const oldAreas = this.indexes;
    const oldCapacity = this.capacity;
    this.gen = gen;
    this.capacity = capacity;
    this.mask = capacity - 1;
    this.region = region;
    this.regionU8 = new Uint8Array(region.buffer, 0, region.byteLength);
    this.used = 0;
    this.tombstones = 0;
    this.indexes = indexAreas(capacity);
    this.indexList = Object.values(this.indexes);
    this.hooks.begin(gen, false);
    this.count = liveSlots.length;
    if (old) {
      const image = new Int32Array(RECORD_WORDS);
      // old slot → new slot; -1 for every slot whose entries are dropped
      const moved = new Int32Array(oldCapacity).fill(-1);
      for (const s of liveSlots) {
        const b = s * RECORD_WORDS;
        for (let w = 0; w < RECORD_WORDS; w++) image[w] = old[b + w]!;
        this.hooks.move(image, true);
        moved[s] = this.insert(image[ID_LO_WORD]!, image[ID_HI_WORD]!, image);
      }
      forEachLiveEntry(old, oldAreas, (key, slot) => {
        const to = moved[slot]!;
        if (to >= 0) this.addIndexEntry(key, to);
      });
    }
    this.hooks.end();
    Atomics.store(this.ctl, CTL.CAPACITY, capacity);
    this.publishCounts();
    Atomics.store(this.ctl, CTL.GENERATION, gen); // publish
  }

  private adopt(gen: number, capacity: number): void {
    this.regionPair.adopted(gen, capacity);
    this.gen = gen;
    this.capacity = capacity;
    this.mask = capacity - 1;
    this.region = new Int32Array(this.handle.regions[gen & 1]!, 0, regionSize(capacity) / SIZE_OF_I32);
    this.regionU8 = new Uint8Array(this.handle.regions[gen & 1]!, 0, regionSize(capacity));
    this.indexes = indexAreas(capacity);
    this.indexList = Object.values(this.indexes);
    for (const area of this.indexList) {
      for (let i = 0; i <= area.mask; i++) if (this.region[area.base + i * area.entryWords + ENTRY_KEY_A_WORD] !== 0) area.used++;
    }
    let used = 0;
    let count = 0;
    for (let s = 0; s < capacity; s++) {
      const st = this.state(s);
      if (st !== SLOT_STATE.EMPTY) used++;
      if (st === SLOT_STATE.FULL) count++;
    }
    this.used = used;
    this.count = count;
    this.tombstones = used - count;
  }
}
