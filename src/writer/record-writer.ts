/**
 * {@link RecordWriter}: where a registration, update or removal becomes records in shared
 * memory. It owns the writer side of the table, the string heap and the venue table, and
 * keeps what placing a record needs: collision and duplicate-symbol checks, reference checks,
 * heap garbage accounting with its compaction decision, and index entries kept in step with
 * the record (`layout/SPEC.md` "Memory ordering"). {@link InstrumentRegistry} is its public
 * face: validation, id derivation, counters and errors.
 *
 * @module
 */
import { CTL, RECORD_SIZE, RECORD_WORDS, SLOT_STATE } from '../../layout/index.js';
import { DuplicateSymbolError, HashCollisionError, InstrumentReferencedError, RegistryError, UnknownInstrumentError } from '../errors.js';
import { splitId } from '../id/derive.js';
import { symbolIsUnique, type Instrument, type InstrumentInput } from '../model/types.js';
import { utf8Length } from '../model/utf8.js';
import { encodeDetail } from '../shm/detail.js';
import type { RegistryHandle } from '../shm/handle.js';
import { HEAP_COMPACT_MIN_GARBAGE, HeapWriter } from '../shm/heap.js';
import { indexKeys, sameKeys, type IndexKey } from '../shm/index-keys.js';
import { writeRecordImage } from '../shm/record-image.js';
import { VenueTableWriter } from '../shm/venues.js';
import type { ChangePublisher } from './changes.js';
import { CurrentRecord, moveHeapRefs } from './current-record.js';
import { findLiveBySymbol, sameListing } from './listing.js';
import { ReferenceCounts, forEachReference, refersTo } from './refs.js';
import type { CollisionRecord, PreparedInstrument, RegisterResult, RegistryMetrics, RegistryOptions } from './registry-types.js';
import { TableWriter } from './table.js';

/** The table-side metrics of {@link RegistryMetrics}. @internal */
export type TableMetrics = Omit<RegistryMetrics, 'registrations' | 'outcomes' | 'updates' | 'registrationFailures' | 'failuresByCode' | 'discovery'>;

/** Places records for one registry. One per writer thread. @internal */
export class RecordWriter {
  readonly table: TableWriter;
  readonly heap: HeapWriter;
  readonly venues: VenueTableWriter;
  /** Audit list of every collision detected. */
  readonly collisions: CollisionRecord[] = [];
  private readonly heapCompactionMinGarbage: number;
  private heapCompactions = 0;
  /** Heap bytes of tombstones' entries (garbage a slot-for-slot generation copy carries over). */
  private tombstoneHeapBytes = 0;
  /** The record being built. */
  private readonly image = new Int32Array(RECORD_WORDS);
  private readonly imageDv = new DataView(this.image.buffer);
  /** The record in the slot being changed, copied out. */
  private readonly cur: CurrentRecord;
  private readonly now: () => number;
  private readonly requireReferences: boolean;
  /** Live-reference counts, from the first removal on (see `refs.ts`). */
  private refs: ReferenceCounts | undefined;

  /**
   * @throws {RegistryError} `InvalidArgument` for a bad `heapCompactionMinGarbage`, `initialCapacity`
   *   or `maxCapacity`; `CapacityExceeded` if `initialCapacity` does not fit the largest table.
   */
  constructor(
    readonly handle: RegistryHandle,
    opts: RegistryOptions,
    private readonly changes: ChangePublisher,
  ) {
    this.now = opts.now ?? Date.now;
    this.requireReferences = opts.requireReferences ?? true;
    const ctl = new Int32Array(handle.control);
    const minGarbage = opts.heapCompactionMinGarbage ?? HEAP_COMPACT_MIN_GARBAGE;
    if (!(Number.isSafeInteger(minGarbage) && minGarbage >= 0)) {
      throw new RegistryError('InvalidArgument', `heapCompactionMinGarbage must be a non-negative integer, got ${minGarbage}`);
    }
    this.heapCompactionMinGarbage = minGarbage;
    const adopting = Atomics.load(ctl, CTL.GENERATION) !== 0;
    const heap = (this.heap = new HeapWriter(handle.heaps, ctl, Atomics.load(ctl, CTL.GENERATION)));
    this.venues = new VenueTableWriter(handle.venues, ctl);
    this.cur = new CurrentRecord(heap, this.venues);
    this.table = new TableWriter(
      handle,
      opts.initialCapacity ?? 1024,
      {
        begin: (gen, sameSlots) => {
          heap.begin(gen);
          if (!sameSlots) this.tombstoneHeapBytes = 0; // a rebuild drops tombstones
        },
        move: (image, live) => moveHeapRefs(heap, image, live),
        end: () => undefined,
      },
      opts.maxCapacity,
    );
    if (adopting) this.countLiveHeap();
  }

  /**
   * Place one validated instrument: collision and duplicate-symbol checks, references, room
   * (growth, tombstone rebuild, heap compaction), then the record and its index entries under
   * the seqlock protocol. Everything that can refuse happens before the first store.
   * @param p the instrument as `InstrumentRegistry.prepare` validated it, with its id derived once
   * @param publish publish the table counts now (a batch publishes once at its end)
   * @param touch an update: a changed `updatedAt` alone is a change
   * @param placeholder defer to a live instrument with this id or this listing (`RegisterOptions`)
   */
  register(p: PreparedInstrument, publish: boolean, touch = false, placeholder = false): RegisterResult {
    const { input: inst, id } = p;
    const { idLo, idHi, fp } = p.derived;
    const t = this.table;
    let slot = t.find(idLo, idHi);
    if (slot >= 0) {
      this.cur.read(t, slot);
      if (this.cur.fp !== fp) this.collision(id, this.cur.decode(), inst);
    }
    let live = slot >= 0 && t.state(slot) === SLOT_STATE.FULL;
    if (placeholder && live) return { id, outcome: 'unchanged' }; // defers to what is held under its id
    const venueIdx = this.venues.get(inst.venue);
    if (venueIdx === undefined && !this.venues.hasRoomFor(inst.venue)) {
      throw new RegistryError('CapacityExceeded', `venue table full (${this.venues.size} venues): ${inst.venue} would be a new one`);
    }
    // Duplicate venue + symbol held by another live instrument?
    const sameSlotListing = live && venueIdx !== undefined && this.cur.venue === venueIdx && this.cur.symbolIs(inst.symbol);
    if (venueIdx !== undefined && !sameSlotListing && symbolIsUnique(inst.kind)) {
      const other = findLiveBySymbol(t, venueIdx, inst.symbol, idLo, idHi);
      if (other !== undefined) {
        if (placeholder && sameListing(this.getById(other)!, inst)) return { id: other, outcome: 'unchanged' };
        throw new DuplicateSymbolError(inst.venue, inst.symbol, other);
      }
    }
    if (this.requireReferences) forEachReference(inst, (field, ref) => this.requireLive(ref, field));
    // Room for the record and its index entries, before anything is written.
    const gen = t.gen;
    if (!t.reserve() && this.heap.needsCompaction(this.heapCompactionMinGarbage, this.tombstoneHeapBytes)) {
      // Garbage past the threshold and no rebuild needed for room: copy the generation slot for
      // slot into a fresh heap (cheap), or rebuild if tombstones hold most of the garbage (a copy
      // would carry it over).
      if (2 * this.tombstoneHeapBytes > this.heap.garbage) t.rebuild(t.capacity);
      else t.copyGeneration();
      this.heapCompactions++;
    }
    if (t.gen !== gen && slot >= 0) {
      slot = t.find(idLo, idHi); // a rebuild moved it (and dropped it if it was a tombstone)
      live = slot >= 0 && t.state(slot) === SLOT_STATE.FULL; // a copy keeps tombstones, a rebuild drops them
      if (slot >= 0) this.cur.read(t, slot);
    }

    const now = this.now();
    const createdAt = slot >= 0 ? this.cur.createdAt : (inst.createdAt ?? now);
    const detail = encodeDetail(inst);
    const sameDetail = slot >= 0 && this.cur.sameDetail(detail);
    const sameName = inst.name === undefined || (slot >= 0 && this.cur.name() === inst.name);
    if (!this.heap.fits(sameDetail ? 0 : detail.length, sameName ? 0 : utf8Length(inst.name!))) {
      throw new RegistryError('CapacityExceeded', `string heap full: ${this.heap.used} bytes used, no room for this instrument's name and detail`);
    }
    const detailRef = sameDetail ? this.cur.detailRef : this.heap.append(detail);
    const nameRef = inst.name === undefined ? 0 : sameName ? this.cur.nameRef : this.heap.appendString(inst.name);
    const venue = this.venues.intern(inst.venue);
    // The keys the slot's index entries were made for, if they may differ from the new ones.
    const oldKeys = slot >= 0 && !(sameDetail && this.cur.sameListingKey(venue, inst)) ? this.cur.keys() : undefined;
    writeRecordImage(this.imageDv, inst, {
      state: SLOT_STATE.FULL,
      idLo,
      idHi,
      fp,
      genTag: t.gen,
      venue,
      createdAt,
      // A live record that changes (or a new one) gets `now` unless the caller set updatedAt; a
      // revived tombstone keeps its last update time. (An unchanged record is not rewritten:
      // sameImage ignores UPDATED_AT.)
      updatedAt: inst.updatedAt ?? (slot >= 0 && !live ? this.cur.updatedAt : now),
      nameRef,
      detailRef,
    });
    if (live && this.cur.sameImage(this.image, touch)) return { id, outcome: 'unchanged' };
    if (this.refs && !(live && sameDetail)) {
      if (live) this.refs.remove(this.cur.decode());
      this.refs.add(inst);
    }
    // Heap accounting: the old record's entries become garbage unless kept, the new ones are live.
    if (live) this.cur.releaseEntries();
    else if (slot >= 0) this.tombstoneHeapBytes -= this.cur.entryBytes(); // a revived tombstone
    this.heap.retain(nameRef);
    this.heap.retain(detailRef);
    if (slot >= 0) {
      // An existing slot keeps its entries (a tombstone's too); only changed keys are touched.
      // Entries for keys the record loses die before the record changes, entries for keys it
      // gains are added after (SPEC "Memory ordering").
      const keys = oldKeys ? indexKeys(inst, venue) : undefined;
      const changed = keys !== undefined && !sameKeys(oldKeys!, keys);
      if (changed) for (const k of oldKeys!) if (!hasKey(keys, k)) t.killIndexEntry(k, slot);
      t.store(slot, this.image);
      if (changed) for (const k of keys) if (!hasKey(oldKeys!, k)) t.addIndexEntry(k, slot);
      if (!live) {
        t.count++;
        t.tombstones--;
      }
    } else {
      const target = t.insert(idLo, idHi, this.image);
      t.count++;
      for (const k of indexKeys(inst, venue)) t.addIndexEntry(k, target);
    }
    if (publish) t.publishCounts();
    this.changes.instrument(slot >= 0 && live ? 'instrumentUpdated' : 'instrumentAdded', id, inst, venue);
    return { id, outcome: slot >= 0 && live ? 'updated' : 'added' };
  }

  /**
   * Remove a live instrument (its slot becomes a tombstone); with `cascade`, its referrers
   * first, recursively.
   * @returns false if no live instrument had that id.
   * @throws {InstrumentReferencedError} live instruments refer to it and `cascade` is not set (nothing removed).
   */
  remove(id: bigint, cascade: boolean): boolean {
    // The slot stays where it is: a removal never rebuilds, and removing referrers only tombstones theirs.
    const slot = this.liveSlot(id);
    if (slot < 0) return false;
    this.cur.read(this.table, slot);
    const inst = this.cur.decode();
    const refs = (this.refs ??= new ReferenceCounts(this.liveInstruments()));
    const n = refs.count(id);
    if (n > 0) {
      const referrers = this.referrersOf(id);
      if (!cascade) throw new InstrumentReferencedError(id, referrers.slice(0, 8), n);
      for (const r of referrers) this.remove(r, cascade);
    }
    this.cur.read(this.table, slot); // counting references and cascading reused `cur`
    this.table.setState(slot, SLOT_STATE.TOMBSTONE);
    this.cur.releaseEntries(); // a tombstone's entries are garbage (a revival re-counts what it keeps)
    this.tombstoneHeapBytes += this.cur.entryBytes();
    this.table.count--;
    this.table.tombstones++;
    this.table.publishCounts();
    refs.remove(inst);
    this.changes.instrument('instrumentRemoved', id, inst, this.venues.get(inst.venue)!);
    return true;
  }

  /** Rebuild the table at its size into a fresh generation (reclaims heap garbage). @returns heap bytes before and after */
  compact(): { before: number; after: number } {
    const before = this.heap.used;
    this.table.rebuild(this.table.capacity);
    this.heapCompactions++;
    return { before, after: this.heap.used };
  }

  /** The live instrument with this id (writer-side read), or undefined. */
  getById(id: bigint): Instrument | undefined {
    const slot = this.liveSlot(id);
    if (slot < 0) return undefined;
    this.cur.read(this.table, slot);
    return this.cur.decode();
  }

  /** Slot of the live instrument with this id, or -1 (none, or a tombstone). */
  private liveSlot(id: bigint): number {
    const [lo, hi] = splitId(id);
    const slot = this.table.find(lo, hi);
    return slot >= 0 && this.table.state(slot) === SLOT_STATE.FULL ? slot : -1;
  }

  /** Every live instrument (writer-side decode of each full slot; not a hot-path call). */
  *liveInstruments(): IterableIterator<Instrument> {
    const t = this.table;
    for (let slot = 0; slot < t.capacity; slot++) {
      if (t.state(slot) !== SLOT_STATE.FULL) continue;
      this.cur.read(t, slot);
      yield this.cur.decode();
    }
  }

  /** Ids of the live instruments that refer to `id` (scans the table). */
  private referrersOf(id: bigint): bigint[] {
    const out: bigint[] = [];
    for (const inst of this.liveInstruments()) if (refersTo(inst, id)) out.push(inst.id);
    return out;
  }

  private requireLive(id: bigint, field: string): void {
    if (this.liveSlot(id) < 0) throw new UnknownInstrumentError(id, field);
  }

  /** Table, heap and venue counters. */
  metrics(): TableMetrics {
    const t = this.table;
    return {
      instruments: t.count,
      tombstones: t.tombstones,
      capacity: t.capacity,
      generation: t.gen,
      loadFactor: t.used / t.capacity,
      venues: this.venues.size,
      heapBytes: this.heap.used,
      heapLiveBytes: this.heap.live,
      heapCompactions: this.heapCompactions,
      tableBytes: t.capacity * RECORD_SIZE,
      collisions: this.collisions.length,
    };
  }

  private collision(id: bigint, existing: Instrument, incoming: InstrumentInput): never {
    this.collisions.push({
      id,
      existing: { venue: existing.venue, symbol: existing.symbol, kind: existing.kind },
      incoming: { venue: incoming.venue, symbol: incoming.symbol, kind: incoming.kind },
      at: this.now(),
    });
    Atomics.add(this.table.ctl, CTL.COLLISIONS, 1);
    this.changes.instrument('collisionDetected', id, incoming, this.venues.get(incoming.venue));
    throw new HashCollisionError(id, `${existing.venue}:${existing.symbol}`, `${incoming.venue}:${incoming.symbol}`);
  }

  /** Live heap bytes of a registry this writer attached to (a restored snapshot): one table scan. */
  private countLiveHeap(): void {
    const t = this.table;
    for (let s = 0; s < t.capacity; s++) {
      const st = t.state(s);
      if (st === SLOT_STATE.EMPTY) continue;
      this.cur.read(t, s);
      if (st === SLOT_STATE.FULL) this.cur.retainEntries();
      else this.tombstoneHeapBytes += this.cur.entryBytes();
    }
  }
}

/** Is `k` one of `keys`? */
function hasKey(keys: readonly IndexKey[], k: IndexKey): boolean {
  for (const x of keys) if (x.index === k.index && x.a === k.a && x.b === k.b && x.c === k.c) return true;
  return false;
}
