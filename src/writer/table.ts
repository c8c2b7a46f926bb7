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
  DEAD_SLOT,
  ENTRY_KEY_A_WORD,
  KEYED_KEY_B_WORD,
  KEYED_KEY_C_WORD,
  GEN_TAG_WORD,
  ID_HI_WORD,
  ID_LO_WORD,
  INDEXES,
  type IndexName,
  MAX_CAPACITY,
  MAX_INDEX_LOAD_FACTOR,
  MAX_LOAD_FACTOR,
  MIN_CAPACITY,
  RECORD_WORDS,
  SEQ_WORD,
  SIZE_OF_I32,
  SLOT_STATE,
  STATE_SHIFT,
  STATE_WORD,
  indexOffset,
  indexesOffset,
  regionSize,
} from '../../layout/index.js';
import { RegistryError } from '../errors.js';
import { entryStart, hashId } from '../shm/keyhash.js';
import type { RegistryHandle } from '../shm/handle.js';
import type { IndexKey } from '../shm/index-keys.js';

/** Location and format of one secondary index inside the current region, in Int32 words. */
interface IndexArea {
  base: number;
  mask: number;
  entryWords: number;
  slotWord: number;
  keyed: boolean;
  /** Entries in use (live or dead) in this generation. */
  used: number;
  /** Writer-private: where the run of each key with many entries ends, by KEY_A (this generation). */
  tails: Map<number, RunTail[]>;
}

/** The last entry of one long-running key (a, b, c); `end` = -1 until its first insert past LONG_RUN. */
interface RunTail {
  b: number;
  c: number;
  end: number;
}

/** The run-end record of key (a, b, c) in `area`, created on first use. */
function runTail(area: IndexArea, a: number, b: number, c: number): RunTail {
  let list = area.tails.get(a);
  if (!list) area.tails.set(a, (list = []));
  for (const t of list) if (t.b === b && t.c === c) return t;
  const t: RunTail = { b, c, end: -1 };
  list.push(t);
  return t;
}

/**
 * Load factor a rebuild aims for (live / capacity); growth doubles until it holds. 0.5 means a
 * table that reaches MAX_LOAD_FACTOR (0.75) doubles once, to 0.375; measured against 0.375 (which
 * quadrupled it, to 0.19) in `bench/lookup.bench.ts` at 1 M instruments: the same random-lookup
 * cost (596 vs 587 ns, DRAM- and TLB-bound either way) for half the memory (layout/SPEC.md).
 */
export const TARGET_LOAD_FACTOR = 0.5;
/** Same-key entries an insert passes before the writer remembers where that key's run ends. */
const LONG_RUN = 8;
/** Most index entries one registration adds (SYMBOL, ISIN, CUSIP or ADDRESS, PAIR, 2 × ASSET). */
const MAX_ENTRIES_PER_REGISTRATION = 6;

/** Marks a region whose earlier contents are unknown (zeroed entirely before reuse). */
const UNKNOWN_PAST = -1;

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

/** The index areas of a region of `capacity` slots, all empty. */
function indexAreas(capacity: number): Record<IndexName, IndexArea> {
  const out = {} as Record<IndexName, IndexArea>;
  for (const [name, def] of Object.entries(INDEXES) as [IndexName, (typeof INDEXES)[IndexName]][]) {
    out[name] = {
      base: indexOffset(capacity, name) / SIZE_OF_I32,
      mask: capacity * def.capacityFactor - 1,
      entryWords: def.entryWords,
      slotWord: def.slotWord,
      keyed: def.keyed,
      used: 0,
      tails: new Map(),
    };
  }
  return out;
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
  /** Capacity of the generation last built in each region (0 = never used). */
  private readonly regionCaps = [0, 0];
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
    if (!compact && this.used + 1 <= this.capacity * MAX_LOAD_FACTOR && this.indexesHaveRoom()) return false;
    let cap = this.capacity;
    while (this.count + 1 > cap * TARGET_LOAD_FACTOR && cap < this.maxCapacity) cap *= 2;
    if (this.count + 1 > cap * MAX_LOAD_FACTOR) {
      throw new RegistryError('CapacityExceeded', `table full: ${this.count} live instruments in ${cap} slots (load factor ≤ ${MAX_LOAD_FACTOR})`);
    }
    this.rebuild(cap);
    return true;
  }

  /** Does every index have room for one more registration's entries (≤ MAX_INDEX_LOAD_FACTOR)? */
  private indexesHaveRoom(): boolean {
    for (const a of this.indexList) if (a.used + MAX_ENTRIES_PER_REGISTRATION > (a.mask + 1) * MAX_INDEX_LOAD_FACTOR) return false;
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
   * a rebuild). Entries are only invalidated ({@link killIndexEntry}), never removed, within a
   * generation, and {@link reserve} guarantees room, so this never fails after a record was
   * written. The k-th entry of one key costs O(1) expected probes, not O(k): for a key with a
   * long run (many listings of one asset or ISIN) the writer remembers where its run ends.
   */
  addIndexEntry(key: IndexKey, slot: number): void {
    const area = this.indexes[key.index];
    const r = this.region;
    const { a, b, c } = key;
    let tail: RunTail | undefined;
    let same = 0;
    for (let i = entryStart(area.keyed, a, b) & area.mask, n = 0; n <= area.mask; i = (i + 1) & area.mask, n++) {
      this.indexInsertProbes++;
      const e = area.base + i * area.entryWords;
      const ka = r[e + ENTRY_KEY_A_WORD]!;
      if (ka === 0) {
        r[e + area.slotWord] = slot;
        if (area.keyed) {
          r[e + KEYED_KEY_B_WORD] = b;
          r[e + KEYED_KEY_C_WORD] = c;
        }
        Atomics.store(r, e + ENTRY_KEY_A_WORD, a); // publishes the entry
        area.used++;
        // Every entry from the key's probe start to here is occupied, and entries never empty
        // within a generation: the next entry of this key can start probing after this one.
        if (tail) tail.end = i;
        return;
      }
      if (ka === a && ++same === LONG_RUN) {
        // A long run: jump to where this exact key's run ended last time.
        tail = runTail(area, a, b, c);
        if (tail.end >= 0) i = tail.end;
      }
    }
    throw new RegistryError('CapacityExceeded', `index ${key.index} full (reserve() was not called)`);
  }

  /** Invalidate this slot's entry for `key` (its record no longer has that key). */
  killIndexEntry(key: IndexKey, slot: number): void {
    const area = this.indexes[key.index];
    const r = this.region;
    const { a, b, c } = key;
    for (let i = entryStart(area.keyed, a, b) & area.mask, n = 0; n <= area.mask; i = (i + 1) & area.mask, n++) {
      const e = area.base + i * area.entryWords;
      const ka = r[e + ENTRY_KEY_A_WORD]!;
      if (ka === 0) return;
      if (ka === a && r[e + area.slotWord] === slot && (!area.keyed || (r[e + KEYED_KEY_B_WORD] === b && r[e + KEYED_KEY_C_WORD] === c))) {
        Atomics.store(r, e + area.slotWord, DEAD_SLOT);
        return;
      }
    }
  }

  /** Call `fn(slot)` for every live entry of hashed index `name` with hash `a` until it returns true. */
  probeIndex(name: IndexName, a: number, fn: (slot: number) => boolean): boolean {
    const area = this.indexes[name];
    const r = this.region;
    for (let i = entryStart(area.keyed, a, 0) & area.mask, n = 0; n <= area.mask; i = (i + 1) & area.mask, n++) {
      const e = area.base + i * area.entryWords;
      const ka = r[e + ENTRY_KEY_A_WORD]!;
      if (ka === 0) return false;
      const slot = r[e + area.slotWord]!;
      if (ka === (a | 0) && slot !== DEAD_SLOT && fn(slot)) return true;
    }
    return false;
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
    const region = this.prepareRegion(gen, capacity);
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
   * Announce generation `gen` and make region `gen & 1` ready for a table of `capacity` slots:
   * grown, and zero wherever the generation will look for index entries or records that older
   * generations left arbitrary words.
   */
  private prepareRegion(gen: number, capacity: number): Int32Array {
    const sab = this.handle.regions[gen & 1]!;
    // Announce gen before any store into region and heap gen & 1 (they hold gen-2). An exchange,
    // not a store: on ARM64 a plain store after an STLR may become visible before it; the
    // acquire-release SWPAL keeps every later store after it (x86-64: XCHG either way). Readers
    // still in gen-2 of this region retry on its odd SEQs; readers copying a gen-2 heap entry
    // re-check BUILDING and discard the copy (SPEC "String heap").
    Atomics.exchange(this.ctl, CTL.BUILDING, gen);
    const size = regionSize(capacity);
    if (sab.byteLength < size) sab.grow(size);
    // Fixed-length view: length-tracking views on growable buffers are ~4x slower in V8 11.
    const region = new Int32Array(sab, 0, size / SIZE_OF_I32);
    // Records of an older generation need no zeroing: their GEN_TAG marks them stale. Everything
    // else this generation uses must read as zero: its index areas, and the part of its record
    // area that an older, smaller generation used for indexes (arbitrary words there could pass
    // for a GEN_TAG or an odd SEQ).
    const prevCap = this.regionCaps[gen & 1]!;
    const staleFrom =
      prevCap === UNKNOWN_PAST
        ? 0
        : prevCap === 0 || prevCap === capacity
          ? indexesOffset(capacity)
          : Math.min(indexesOffset(prevCap), indexesOffset(capacity));
    const to = size / SIZE_OF_I32;
    for (let w = staleFrom / SIZE_OF_I32; w < to; w++) if (region[w] !== 0) Atomics.store(region, w, 0);
    this.regionCaps[gen & 1] = capacity;
    return region;
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
    const region = this.prepareRegion(gen, capacity);
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
      const key: IndexKey = { index: 'SYMBOL', a: 0, b: 0, c: 0 };
      for (const [name, area] of Object.entries(oldAreas) as [IndexName, IndexArea][]) {
        key.index = name;
        for (let i = 0; i <= area.mask; i++) {
          const e = area.base + i * area.entryWords;
          const a = old[e + ENTRY_KEY_A_WORD]!;
          if (a === 0) continue;
          const slot = old[e + area.slotWord]!;
          if (slot === DEAD_SLOT) continue;
          const to = moved[slot]!;
          if (to < 0) continue;
          key.a = a;
          key.b = area.keyed ? old[e + KEYED_KEY_B_WORD]! : 0;
          key.c = area.keyed ? old[e + KEYED_KEY_C_WORD]! : 0;
          this.addIndexEntry(key, to);
        }
      }
    }
    this.hooks.end();
    Atomics.store(this.ctl, CTL.CAPACITY, capacity);
    this.publishCounts();
    Atomics.store(this.ctl, CTL.GENERATION, gen); // publish
  }

  private adopt(gen: number, capacity: number): void {
    this.regionCaps[gen & 1] = capacity;
    // The other region's history is unknown (e.g. after a restore): zero all of it on first reuse.
    this.regionCaps[(gen + 1) & 1] = this.handle.regions[(gen + 1) & 1]!.byteLength > 0 ? UNKNOWN_PAST : 0;
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
