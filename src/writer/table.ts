/**
 * The writer's side of the open-addressed instrument table and its secondary indexes.
 * Only the registry's single writer thread may hold a {@link TableWriter}.
 *
 * Store discipline (see `layout/SPEC.md`, "Memory ordering"): every store into a region
 * is an `Atomics.store`, so stores become visible in program order on x86-64 (XCHG) and
 * ARM64 (STLR). A record is rewritten as: SEQ ← odd, words 1..31, SEQ ← even.
 *
 * @module
 */
import {
  CTL,
  ENTRY_HASH_WORD,
  ENTRY_SLOT_WORD,
  ENTRY_WORDS,
  GEN_TAG_WORD,
  ID_HI_WORD,
  ID_LO_WORD,
  INDEXES,
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
  indexOffset,
  indexesOffset,
  regionSize,
} from '../../layout/index.js';
import { RegistryError } from '../errors.js';
import { hashId } from '../shm/keyhash.js';
import type { RegistryHandle } from '../shm/handle.js';

/** Location of one secondary index inside the current region, in Int32 words. */
interface IndexArea {
  base: number;
  mask: number;
}

/** Marks a region whose earlier contents are unknown (zeroed entirely before reuse). */
const UNKNOWN_PAST = -1;

/** Round up to a power of two ≥ MIN_CAPACITY. */
export function capacityFor(n: number): number {
  let c = MIN_CAPACITY;
  while (c < n) c *= 2;
  return c;
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
  /** Capacity of the generation last built in each region (0 = never used). */
  private readonly regionCaps = [0, 0];
  private indexUsed = {} as Record<IndexName, number>;

  /**
   * @param rebuildKeys called during a rebuild for every live slot of the new generation, to
   *   re-add its index entries (the registry knows how to derive keys from a record).
   */
  constructor(
    private readonly handle: RegistryHandle,
    initialCapacity: number,
    private readonly rebuildKeys: (slot: number) => void,
  ) {
    this.ctl = new Int32Array(handle.control);
    const published = Atomics.load(this.ctl, CTL.GENERATION);
    if (published === 0) {
      this.build(capacityFor(Math.ceil(initialCapacity / MAX_LOAD_FACTOR)), []);
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
   * Make room for one more slot: grows (doubling) or rebuilds in place when tombstones are
   * the reason the load factor is exceeded.
   * @throws {RegistryError} `CapacityExceeded` past MAX_CAPACITY.
   */
  reserve(): void {
    if (this.used + 1 <= this.capacity * MAX_LOAD_FACTOR) return;
    let cap = this.capacity;
    while ((this.count + 1) > cap * MAX_LOAD_FACTOR * 0.5) cap *= 2;
    if (cap > MAX_CAPACITY) throw new RegistryError('CapacityExceeded', `table capacity would exceed ${MAX_CAPACITY} slots`);
    this.rebuild(cap);
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

  /** Rewrite an occupied slot's record under its seqlock (GEN_TAG kept). */
  store(slot: number, image: Int32Array): void {
    const r = this.region;
    const b = slot * RECORD_WORDS;
    image[GEN_TAG_WORD] = this.gen;
    const seq = r[b + SEQ_WORD]!; // always even at rest: only this thread writes it
    Atomics.store(r, b + SEQ_WORD, (seq + 1) | 0);
    for (let w = SEQ_WORD + 1; w < RECORD_WORDS; w++) Atomics.store(r, b + w, image[w]!);
    Atomics.store(r, b + SEQ_WORD, (seq + 2) | 0);
  }

  /** Change only the STATE byte of a slot, under its seqlock. */
  setState(slot: number, state: number): void {
    const r = this.region;
    const b = slot * RECORD_WORDS;
    const seq = r[b + SEQ_WORD]!;
    const word = r[b + STATE_WORD]!;
    const next = (word & ~(0xff << STATE_SHIFT)) | (state << STATE_SHIFT);
    Atomics.store(r, b + SEQ_WORD, (seq + 1) | 0);
    Atomics.store(r, b + STATE_WORD, next);
    Atomics.store(r, b + SEQ_WORD, (seq + 2) | 0);
  }

  /** Add an entry to a secondary index. Entries are never removed within a generation. */
  addIndexEntry(name: IndexName, hash: number, slot: number): void {
    const area = this.indexes[name];
    const r = this.region;
    for (let i = hash & area.mask, n = 0; n <= area.mask; i = (i + 1) & area.mask, n++) {
      const e = area.base + i * ENTRY_WORDS;
      if (r[e + ENTRY_HASH_WORD] === 0) {
        Atomics.store(r, e + ENTRY_SLOT_WORD, slot);
        Atomics.store(r, e + ENTRY_HASH_WORD, hash);
        this.indexUsed[name]++;
        return;
      }
      if (r[e + ENTRY_HASH_WORD] === (hash | 0) && r[e + ENTRY_SLOT_WORD] === slot) return; // already there
    }
    throw new RegistryError('CapacityExceeded', `index ${name} full`);
  }

  /** Call `fn(slot)` for every entry of `name` with this hash until it returns true. */
  probeIndex(name: IndexName, hash: number, fn: (slot: number) => boolean): boolean {
    const area = this.indexes[name];
    const r = this.region;
    for (let i = hash & area.mask, n = 0; n <= area.mask; i = (i + 1) & area.mask, n++) {
      const e = area.base + i * ENTRY_WORDS;
      const h = r[e + ENTRY_HASH_WORD]!;
      if (h === 0) return false;
      if (h === (hash | 0) && fn(r[e + ENTRY_SLOT_WORD]!)) return true;
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
  }

  private build(capacity: number, liveSlots: number[], old?: Int32Array): void {
    const gen = this.gen + 1;
    const sab = this.handle.regions[gen & 1]!;
    Atomics.store(this.ctl, CTL.BUILDING, gen); // readers still in gen-1 of this region will retry
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
      prevCap === UNKNOWN_PAST ? 0 : prevCap === 0 || prevCap === capacity ? indexesOffset(capacity) : Math.min(indexesOffset(prevCap), indexesOffset(capacity));
    const to = size / SIZE_OF_I32;
    for (let w = staleFrom / SIZE_OF_I32; w < to; w++) if (region[w] !== 0) Atomics.store(region, w, 0);
    this.regionCaps[gen & 1] = capacity;
    const oldRegion = old;
    this.gen = gen;
    this.capacity = capacity;
    this.mask = capacity - 1;
    this.region = region;
    this.regionU8 = new Uint8Array(sab, 0, size);
    this.used = 0;
    this.tombstones = 0;
    for (const [name, def] of Object.entries(INDEXES) as [IndexName, (typeof INDEXES)[IndexName]][]) {
      this.indexes[name] = { base: indexOffset(capacity, name) / SIZE_OF_I32, mask: capacity * def.capacityFactor - 1 };
      this.indexUsed[name] = 0;
    }
    const image = new Int32Array(RECORD_WORDS);
    const newSlots: number[] = [];
    if (oldRegion) {
      for (const s of liveSlots) {
        const b = s * RECORD_WORDS;
        for (let w = 0; w < RECORD_WORDS; w++) image[w] = oldRegion[b + w]!;
        newSlots.push(this.insert(image[ID_LO_WORD]!, image[ID_HI_WORD]!, image));
      }
    }
    this.count = newSlots.length;
    for (const s of newSlots) this.rebuildKeys(s);
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
    for (const [name, def] of Object.entries(INDEXES) as [IndexName, (typeof INDEXES)[IndexName]][]) {
      this.indexes[name] = { base: indexOffset(capacity, name) / SIZE_OF_I32, mask: capacity * def.capacityFactor - 1 };
      let used = 0;
      const area = this.indexes[name];
      for (let i = 0; i <= area.mask; i++) if (this.region[area.base + i * ENTRY_WORDS + ENTRY_HASH_WORD] !== 0) used++;
      this.indexUsed[name] = used;
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
