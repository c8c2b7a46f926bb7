/**
 * {@link InstrumentRegistry}: the single writer. It validates instruments, derives their ids,
 * detects collisions and duplicate symbols, and lays records out in shared memory where any
 * number of {@link RegistryReader}s (in any worker) look them up without locks.
 *
 * Exactly one thread may own an InstrumentRegistry for a given set of regions. Other threads
 * that want to register send it messages (see `src/wire/`).
 *
 * @module
 */
import {
  CREATED_AT_OFFSET,
  CTL,
  DETAIL_REF_OFFSET,
  KIND_CODES,
  KIND_OFFSET,
  codeName,
  FP_WORD,
  ID_HI_WORD,
  ID_LO_WORD,
  NAME_REF_OFFSET,
  RECORD_SIZE,
  RECORD_WORDS,
  SLOT_STATE,
  UPDATED_AT_OFFSET,
  VENUE_OFFSET,
  wordIndex,
} from '../../layout/index.js';
import {
  DuplicateSymbolError,
  HashCollisionError,
  InstrumentReferencedError,
  RegistryError,
  UnknownInstrumentError,
  ValidationError,
  type RegistryErrorCode,
} from '../errors.js';
import { IdDeriver, joinId, splitId, type DerivedId } from '../id/derive.js';
import { MUTABLE_FIELDS, symbolIsUnique, type Instrument, type InstrumentInput, type InstrumentPatch } from '../model/types.js';
import { checkPatchKeys } from '../model/patch.js';
import { validateInstrument } from '../model/validate.js';
import { VENUE_STATUSES } from '../venues/types.js';
import { decodeInstrument } from '../shm/decode.js';
import { encodeDetail } from '../shm/detail.js';
import { allocateHandle, checkHandle, type RegistryHandle } from '../shm/handle.js';
import { HEAP_COMPACT_MIN_GARBAGE, HeapWriter, copyHeapEntry, readHeapString } from '../shm/heap.js';
import { indexKeys, sameKeys, type IndexKey } from '../shm/index-keys.js';
import { hashVenueSymbol } from '../shm/keyhash.js';
import { getMs, symbolEquals, writeRecordImage } from '../shm/record-image.js';
import { VenueTableWriter } from '../shm/venues.js';
import { RegistryReader } from '../reader/reader.js';
import { ReferenceCounts, forEachReference, refersTo } from './refs.js';
import { TableWriter } from './table.js';
import { EventWriter } from '../events/ring.js';
import { sameListing } from './listing.js';
import { DiscoveryCounters, type DiscoveryMetrics, type DiscoveryReport, type OutcomeCounts } from './metrics.js';

export type { DiscoveryMetrics, DiscoveryReport, OutcomeCounts } from './metrics.js';

/** What happened to a registration. */
export type RegisterOutcome = 'added' | 'unchanged' | 'updated';

/**
 * An instrument validated (and normalised) once, with its id derived once: what
 * {@link InstrumentRegistry.prepare} returns and {@link InstrumentRegistry.registerPrepared}
 * takes, so that a caller that needs the id before registering (discovery resolves references
 * between the instruments of one record) pays for validation and BLAKE3 once.
 */
export interface PreparedInstrument {
  /** The validated, normalised input. */
  readonly input: InstrumentInput;
  /** The 64-bit id. */
  readonly id: bigint;
  /** @internal id halves and fingerprint, as derived by this registry's id width */
  readonly derived: DerivedId;
  /** @internal the registry that derived it (ids depend on its id width) */
  readonly owner: object;
}

/** Options of {@link InstrumentRegistry.registerInstrument} and {@link InstrumentRegistry.registerPrepared}. */
export interface RegisterOptions {
  /**
   * The instrument is a stand-in that defers to what the registry already holds (discovery's
   * `placeholder` templates): when its id is live, nothing is written; when another live
   * instrument holds its venue + symbol and is the same listing (same kind, no field in
   * conflict, see `src/writer/listing.ts`), nothing is written and that instrument's id is
   * returned. Both count as outcome `unchanged`. A different instrument on that venue + symbol
   * is still a `DuplicateSymbolError`.
   */
  placeholder?: boolean;
}

/** Result of {@link InstrumentRegistry.registerInstrument}. */
export interface RegisterResult {
  id: bigint;
  outcome: RegisterOutcome;
}

/** One detected id collision (kept in the audit list). */
export interface CollisionRecord {
  id: bigint;
  existing: { venue: string; symbol: string; kind: string };
  incoming: { venue: string; symbol: string; kind: string };
  /** ms since the Unix epoch. */
  at: number;
}

/** A change the registry made, for the event feed. */
export interface RegistryChange {
  type: 'instrumentAdded' | 'instrumentUpdated' | 'instrumentRemoved' | 'collisionDetected';
  id: bigint;
  instrument: InstrumentInput;
}

/** Options of {@link InstrumentRegistry.create}. */
export interface RegistryOptions {
  /** Instruments to size the first generation for (default 1024). The table grows past it. */
  initialCapacity?: number;
  /** Id width in bits (default 64). Narrower ids exist only to force collisions in tests. */
  idBits?: number;
  /** Clock, ms since the Unix epoch (default `Date.now`). */
  now?: () => number;
  /** Called after every committed change (event feed hook). */
  onChange?: (change: RegistryChange) => void;
  /**
   * Largest table capacity in slots (a power of two, default and maximum `MAX_CAPACITY` = 2^24,
   * which holds 0.75 × 2^24 ≈ 12.6 M instruments). Lower it to reach the capacity limit in tests.
   */
  maxCapacity?: number;
  /**
   * Heap garbage (bytes of names and detail blobs that updates replaced) that triggers a
   * compaction: when garbage ≥ max(this, live heap bytes), the next registration first copies the
   * table slot for slot into a fresh generation whose heap holds only the entries its records
   * reference (default `HEAP_COMPACT_MIN_GARBAGE`, 1 MiB; `layout/SPEC.md` "String heap"). Growth
   * and tombstone rebuilds compact too.
   */
  heapCompactionMinGarbage?: number;
  /** Attach the writer to existing regions (e.g. a restored snapshot) instead of allocating. */
  handle?: RegistryHandle;
  /**
   * Refuse a registration whose references (a pair's legs, a derivative's underlying, a
   * synthetic's components: every `id` field of its kind) name no live instrument, with
   * `UnknownInstrumentError` (default `true`). `false` accepts dangling references (for
   * loading a subset of a larger universe).
   */
  requireReferences?: boolean;
  /**
   * A change-event ring (`createEventRing` in `src/events/`). The registry publishes every
   * committed change into it (instrumentAdded / Updated / Removed, collisionDetected, and
   * venueStatusChange via {@link InstrumentRegistry.publishVenueStatus}); the ring is added to
   * the handle so readers in other threads can subscribe.
   */
  eventRing?: SharedArrayBuffer;
}

/** Counters of {@link InstrumentRegistry.getMetrics}. */
export interface RegistryMetrics {
  instruments: number;
  tombstones: number;
  capacity: number;
  generation: number;
  loadFactor: number;
  venues: number;
  /** Bytes in use in the current generation's heap (HEAP_USED). */
  heapBytes: number;
  /** Of those, bytes of entries live records reference; the rest (less the 8-byte header) is garbage. */
  heapLiveBytes: number;
  /** Compactions run to reclaim heap garbage (generation copies at the threshold, rebuilds by {@link InstrumentRegistry.compact}). */
  heapCompactions: number;
  tableBytes: number;
  /** Successful registrations (any outcome) plus successful updates. */
  registrations: number;
  /** Successful registrations by outcome (`registerInstrument`, `registerPrepared`, `registerMany`). */
  outcomes: OutcomeCounts;
  /** Successful `updateInstrument` calls. */
  updates: number;
  collisions: number;
  /** Refused registrations and updates (each threw a typed error), total and by code. */
  registrationFailures: number;
  failuresByCode: Partial<Record<RegistryErrorCode, number>>;
  /** What discovery loads into this registry reported (files, records seen, skipped, rejected, ignored fields). */
  discovery: DiscoveryMetrics;
}

/** The single writer of a registry. Create with {@link InstrumentRegistry.create}. */
export class InstrumentRegistry {
  /** Shared regions; pass to `RegistryReader.attach` in any thread. */
  readonly handle: RegistryHandle;
  private readonly table: TableWriter;
  private readonly heap: HeapWriter;
  private readonly venues: VenueTableWriter;
  private readonly heapCompactionMinGarbage: number;
  private heapCompactions = 0;
  /** Heap bytes of tombstones' entries (garbage a slot-for-slot generation copy carries over). */
  private tombstoneHeapBytes = 0;
  private readonly image = new Int32Array(RECORD_WORDS);
  private readonly imageDv = new DataView(this.image.buffer);
  private readonly current = new Int32Array(RECORD_WORDS);
  private readonly currentDv = new DataView(this.current.buffer);
  private readonly currentU8 = new Uint8Array(this.current.buffer);
  private readonly now: () => number;
  private readonly onChange: ((c: RegistryChange) => void) | undefined;
  private registrations = 0;
  private updates = 0;
  private readonly outcomes: OutcomeCounts = { added: 0, updated: 0, unchanged: 0 };
  private readonly discovery = new DiscoveryCounters();
  private failures = 0;
  private readonly failuresByCode: Partial<Record<RegistryErrorCode, number>> = {};
  /** Audit list of every collision detected. */
  readonly collisions: CollisionRecord[] = [];
  private localReader: RegistryReader | undefined;
  private readonly events: EventWriter | undefined;
  private readonly requireReferences: boolean;
  /** Live-reference counts, from the first removal on (see `refs.ts`). */
  private refs: ReferenceCounts | undefined;

  private constructor(
    private readonly ids: IdDeriver,
    opts: RegistryOptions,
  ) {
    if (opts.handle) checkHandle(opts.handle);
    const handle = opts.handle ?? allocateHandle();
    const ring = opts.eventRing ?? handle.events;
    this.events = ring ? new EventWriter(ring) : undefined;
    this.handle = ring ? { ...handle, events: ring } : handle;
    this.now = opts.now ?? Date.now;
    this.onChange = opts.onChange;
    this.requireReferences = opts.requireReferences ?? true;
    const ctl = new Int32Array(this.handle.control);
    const minGarbage = opts.heapCompactionMinGarbage ?? HEAP_COMPACT_MIN_GARBAGE;
    if (!(Number.isSafeInteger(minGarbage) && minGarbage >= 0)) {
      throw new RegistryError('InvalidArgument', `heapCompactionMinGarbage must be a non-negative integer, got ${minGarbage}`);
    }
    this.heapCompactionMinGarbage = minGarbage;
    const adopting = Atomics.load(ctl, CTL.GENERATION) !== 0;
    this.heap = new HeapWriter(this.handle.heaps, ctl, Atomics.load(ctl, CTL.GENERATION));
    this.venues = new VenueTableWriter(this.handle.venues, ctl);
    const heap = this.heap;
    this.table = new TableWriter(
      this.handle,
      opts.initialCapacity ?? 1024,
      {
        begin: (gen, sameSlots) => {
          heap.begin(gen);
          if (!sameSlots) this.tombstoneHeapBytes = 0; // a rebuild drops tombstones
        },
        move: (image, live) => {
          image[NAME_REF_WORD] = heap.move(image[NAME_REF_WORD]! >>> 0, live);
          image[DETAIL_REF_WORD] = heap.move(image[DETAIL_REF_WORD]! >>> 0, live);
        },
        reindex: (slot) => this.reindex(slot),
        end: () => undefined,
      },
      opts.maxCapacity,
    );
    if (adopting) this.countLiveHeap();
  }

  /**
   * Create a registry (allocates shared memory, initialises the WASM BLAKE3).
   * @throws {RegistryError} `InvalidArgument` if `idBits` is not an integer in 1..64.
   * @throws {LayoutMismatchError} if `opts.handle` carries another layout.
   * @throws {RegistryError} `InvalidArgument` for options that are not an object, a malformed
   *   `initialCapacity` / `maxCapacity`, or a `now` / `onChange` that is not a function;
   *   `CapacityExceeded` if `initialCapacity` does not fit the largest table.
   */
  static async create(opts: RegistryOptions = {}): Promise<InstrumentRegistry> {
    if (typeof opts !== 'object' || opts === null) throw new RegistryError('InvalidArgument', 'registry options must be an object');
    for (const k of ['now', 'onChange'] as const) {
      if (opts[k] !== undefined && typeof opts[k] !== 'function') throw new RegistryError('InvalidArgument', `option ${k} must be a function`);
    }
    return new InstrumentRegistry(await IdDeriver.create(opts.idBits ?? 64), opts);
  }

  /** A reader on this thread over this registry's memory (same protocol as any worker's). */
  reader(): RegistryReader {
    this.localReader ??= RegistryReader.attach(this.handle);
    return this.localReader;
  }

  /**
   * Validate an instrument and derive its id without registering anything.
   * @throws {ValidationError} on invalid input.
   */
  idOf(input: InstrumentInput): bigint {
    return this.prepare(input).id;
  }

  /**
   * Validate (and normalise) an instrument and derive its id, once; register the result with
   * {@link registerPrepared}. Nothing is written.
   * @throws {ValidationError} on invalid input.
   * @example
   * const p = registry.prepare(input);       // p.id is known before registering
   * registry.registerPrepared(p);
   */
  prepare(input: InstrumentInput): PreparedInstrument {
    const norm = validateInstrument(input);
    const derived = this.ids.deriveValidated(norm);
    return { input: norm, id: joinId(derived.idLo, derived.idHi), derived, owner: this };
  }

  /**
   * Register an instrument. Idempotent: registering the same instrument again returns the same
   * id with outcome `unchanged`; changed attributes are updated in place (`updated`).
   * A removed instrument registered again is revived in its slot.
   *
   * A registration that throws leaves shared memory as it was: every check, and every growth or
   * rebuild the registration needs, happens before the first store into the record or its index
   * entries (a rebuild is content-preserving).
   *
   * @throws {ValidationError} invalid field (nothing written).
   * @throws {DuplicateSymbolError} another live instrument has this venue + symbol (nothing written;
   *   only for kinds whose symbol is the venue's trading key, see `symbolIsUnique`).
   * @throws {HashCollisionError} a different instrument already has this id (nothing written; audited).
   * @throws {RegistryError} `CapacityExceeded` when the table, heap or venue table is full.
   */
  registerInstrument(input: InstrumentInput, opts?: RegisterOptions): RegisterResult {
    let p: PreparedInstrument;
    try {
      p = this.prepare(input);
    } catch (e) {
      this.fail(e);
      throw e;
    }
    return this.registerPrepared(p, opts);
  }

  /**
   * Register an instrument returned by {@link prepare} (no second validation or id derivation).
   * Same outcomes and errors as {@link registerInstrument}.
   * @throws {RegistryError} `InvalidArgument` if `p` was prepared by another registry (or is no prepared instrument).
   */
  registerPrepared(p: PreparedInstrument, opts?: RegisterOptions): RegisterResult {
    try {
      if (typeof p !== 'object' || p === null || p.owner !== this) throw new RegistryError('InvalidArgument', 'instrument was prepared by another registry');
      const r = this.register(p.input, p.derived, true, false, opts?.placeholder === true);
      this.registrations++;
      this.outcomes[r.outcome]++;
      return r;
    } catch (e) {
      this.fail(e);
      throw e;
    }
  }

  /**
   * Register many instruments; counters are published once at the end. Each instrument succeeds
   * or fails on its own (a failure is returned, counted and does not stop the batch).
   * @returns one entry per input, in order: a {@link RegisterResult} or the typed error.
   * @throws {RegistryError} `InvalidArgument` if `inputs` is not an array (nothing registered).
   * @example
   * const results = registry.registerMany(instruments);
   * const failed = results.filter((r) => r instanceof Error);
   */
  registerMany(inputs: readonly InstrumentInput[]): Array<RegisterResult | RegistryError> {
    if (!Array.isArray(inputs)) throw new RegistryError('InvalidArgument', 'registerMany needs an array of instruments');
    const out: Array<RegisterResult | RegistryError> = new Array(inputs.length);
    for (let i = 0; i < inputs.length; i++) {
      try {
        const p = this.prepare(inputs[i]!);
        const r = this.register(p.input, p.derived, false);
        out[i] = r;
        this.registrations++;
        this.outcomes[r.outcome]++;
      } catch (e) {
        this.fail(e);
        out[i] = e instanceof RegistryError ? e : new RegistryError('InvalidField', String(e));
      }
    }
    this.table.publishCounts();
    return out;
  }

  private register(inst: InstrumentInput, derived: DerivedId, publish: boolean, touch = false, placeholder = false): RegisterResult {
    const { idLo, idHi, fp } = derived;
    const id = joinId(idLo, idHi);
    const t = this.table;
    let slot = t.find(idLo, idHi);
    if (slot >= 0) {
      t.readImage(slot, this.current);
      if (this.current[FP_WORD]! >>> 0 !== fp) this.collision(id, this.decodeCurrent(), inst);
    }
    let live = slot >= 0 && t.state(slot) === SLOT_STATE.FULL;
    if (placeholder && live) return { id, outcome: 'unchanged' }; // defers to what is held under its id
    const venueIdx = this.venues.get(inst.venue);
    // Duplicate venue + symbol held by another live instrument?
    const sameSlotListing =
      live && venueIdx !== undefined && this.currentDv.getUint16(VENUE_OFFSET, true) === venueIdx && symbolEquals(this.currentU8, 0, inst.symbol);
    if (venueIdx !== undefined && !sameSlotListing && symbolIsUnique(inst.kind)) {
      const other = this.findLiveBySymbol(venueIdx, inst.symbol, idLo, idHi);
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
      if (slot >= 0) t.readImage(slot, this.current);
    }

    const now = this.now();
    const createdAt = slot >= 0 ? getMs(this.currentDv, CREATED_AT_OFFSET) : (inst.createdAt ?? now);
    const detail = encodeDetail(inst);
    const sameDetail = slot >= 0 && this.sameDetail(detail);
    const detailRef = sameDetail ? this.currentDetailRef() : this.heap.append(detail);
    const nameRef = inst.name === undefined ? 0 : slot >= 0 && this.currentName() === inst.name ? this.currentNameRef() : this.heap.appendString(inst.name);
    const venue = this.venues.intern(inst.venue);
    // The keys the slot's index entries were made for, if they may differ from the new ones.
    const oldKeys = slot >= 0 && !(sameDetail && this.sameListingKey(venue, inst)) ? this.currentKeys() : undefined;
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
      updatedAt: inst.updatedAt ?? (slot >= 0 && !live ? getMs(this.currentDv, UPDATED_AT_OFFSET) : now),
      nameRef,
      detailRef,
    });
    if (live && this.sameImage(touch)) return { id, outcome: 'unchanged' };
    if (this.refs && !(live && sameDetail)) {
      if (live) this.refs.remove(this.decodeCurrent());
      this.refs.add(inst);
    }
    // Heap accounting: the old record's entries become garbage unless kept, the new ones are live.
    if (live) this.releaseCurrent();
    else if (slot >= 0) this.tombstoneHeapBytes -= this.entriesOfCurrent(); // a revived tombstone
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
    this.emit(slot >= 0 && live ? 'instrumentUpdated' : 'instrumentAdded', id, inst, venue);
    return { id, outcome: slot >= 0 && live ? 'updated' : 'added' };
  }

  /**
   * Update mutable fields of a live instrument in place (under its seqlock). Every update sets
   * `updatedAt`: to `patch.updatedAt` when the caller gives one (an integer, ms since the Unix
   * epoch, not before the instrument's `createdAt`), else to the registry clock's now. A patch
   * that changes nothing else still moves `updatedAt` (a touch); one whose `updatedAt` equals the
   * stored value and changes nothing writes nothing.
   *
   * @returns the effective `updatedAt` (ms since the Unix epoch) now stored in the record; a
   *   writer that logs the update logs this value, so a replay yields the same record.
   * @throws {UnknownInstrumentError} no live instrument with that id.
   * @throws {ValidationError} the patched instrument is invalid, e.g. `InvalidField` for an
   *   `updatedAt` that is not an integer or is before `createdAt`, or the patch is not an object or
   *   names a field that is not mutable (nothing written).
   * @throws {RegistryError} `InvalidArgument` if `id` is not a bigint in 0..2^64-1.
   * @example
   * registry.updateInstrument(id, { status: 'halted' });             // updatedAt = now
   * registry.updateInstrument(id, { updatedAt: Date.parse('2026-01-02') }); // honoured
   */
  updateInstrument(id: bigint, patch: InstrumentPatch): number {
    try {
      checkPatchKeys(patch);
      const current = this.getById(id);
      if (!current) throw new UnknownInstrumentError(id);
      const merged: Record<string, unknown> = { ...current };
      for (const k of MUTABLE_FIELDS) if (Object.prototype.hasOwnProperty.call(patch, k)) merged[k] = patch[k];
      delete merged.id;
      const updatedAt = patch.updatedAt ?? this.now();
      if (!Number.isSafeInteger(updatedAt))
        throw new ValidationError('InvalidField', 'updatedAt', `must be an integer (ms since the Unix epoch), got ${String(updatedAt)}`);
      if (current.createdAt !== undefined && updatedAt < current.createdAt)
        throw new ValidationError('InvalidField', 'updatedAt', `${updatedAt} is before createdAt ${current.createdAt}`);
      merged.updatedAt = updatedAt;
      const p = this.prepare(merged as unknown as InstrumentInput);
      this.register(p.input, p.derived, true, true);
      this.registrations++;
      this.updates++;
      return updatedAt;
    } catch (e) {
      this.fail(e);
      throw e;
    }
  }

  /**
   * Reclaim heap garbage now: rebuild the table at its size into a fresh generation whose heap
   * holds only the entries live records reference (what the writer does by itself once garbage
   * passes `heapCompactionMinGarbage` and the live bytes). Readers are unaffected: lookups
   * continue in the old generation until they see the new one, and a view whose generation's
   * heap is reused later re-reads its record (`layout/SPEC.md`, "String heap").
   * @returns heap bytes in use before and after.
   * @example
   * const { before, after } = registry.compact();
   */
  compact(): { before: number; after: number } {
    const before = this.heap.used;
    this.table.rebuild(this.table.capacity);
    this.heapCompactions++;
    return { before, after: this.heap.used };
  }

  /**
   * Remove an instrument: its slot becomes a tombstone (slots never return to empty while readers probe).
   * An instrument that live instruments refer to (a pair's leg, a derivative's underlying, a
   * synthetic's component) is refused unless `cascade` is set, which removes the referrers first
   * (and theirs, recursively). The first removal of a registry's life counts references over the
   * live instruments once (`refs.ts`).
   * @returns false if no live instrument had that id.
   * @throws {InstrumentReferencedError} live instruments refer to it and `cascade` is not set (nothing removed).
   * @throws {RegistryError} `InvalidArgument` if `id` is not a bigint in 0..2^64-1.
   * @example
   * registry.removeInstrument(btcId, { cascade: true }); // BTC and every pair, future, option on it
   */
  removeInstrument(id: bigint, opts: { cascade?: boolean } = {}): boolean {
    try {
      if (typeof id !== 'bigint') throw new RegistryError('InvalidArgument', `id must be a bigint, got ${typeof id}`);
      const inst = this.getById(id);
      if (!inst) return false;
      const refs = (this.refs ??= new ReferenceCounts(this.liveInstruments()));
      const n = refs.count(id);
      if (n > 0) {
        const referrers = this.referrersOf(id);
        if (!opts.cascade) throw new InstrumentReferencedError(id, referrers.slice(0, 8), n);
        for (const r of referrers) this.removeInstrument(r, opts);
      }
      const [lo, hi] = splitId(id);
      const slot = this.table.find(lo, hi);
      this.table.readImage(slot, this.current);
      this.table.setState(slot, SLOT_STATE.TOMBSTONE);
      this.releaseCurrent(); // a tombstone's entries are garbage (a revival re-counts what it keeps)
      this.tombstoneHeapBytes += this.entriesOfCurrent();
      this.table.count--;
      this.table.tombstones++;
      this.table.publishCounts();
      refs.remove(inst);
      this.emit('instrumentRemoved', id, inst, this.venues.get(inst.venue)!);
      return true;
    } catch (e) {
      this.fail(e);
      throw e;
    }
  }

  /** Every live instrument (writer-side decode of each full slot; not a hot-path call). */
  *liveInstruments(): IterableIterator<Instrument> {
    const t = this.table;
    for (let slot = 0; slot < t.capacity; slot++) {
      if (t.state(slot) !== SLOT_STATE.FULL) continue;
      t.readImage(slot, this.current);
      yield this.decodeCurrent();
    }
  }

  /** Ids of the live instruments that refer to `id` (scans the table). */
  private referrersOf(id: bigint): bigint[] {
    const out: bigint[] = [];
    for (const inst of this.liveInstruments()) if (refersTo(inst, id)) out.push(inst.id);
    return out;
  }

  private requireLive(id: bigint, field: string): void {
    const [lo, hi] = splitId(id);
    const slot = this.table.find(lo, hi);
    if (slot < 0 || this.table.state(slot) !== SLOT_STATE.FULL) throw new UnknownInstrumentError(id, field);
  }

  /**
   * The live instrument with this id (writer-side read), or undefined.
   * @throws {RegistryError} `InvalidArgument` if `id` is not a bigint in 0..2^64-1.
   */
  getById(id: bigint): Instrument | undefined {
    const [lo, hi] = splitId(id);
    const slot = this.table.find(lo, hi);
    if (slot < 0 || this.table.state(slot) !== SLOT_STATE.FULL) return undefined;
    this.table.readImage(slot, this.current);
    return this.decodeCurrent();
  }

  /** Counters. Per-reader lookup counts live in each reader (`RegistryReader.lookups`). */
  getMetrics(): RegistryMetrics {
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
      registrations: this.registrations,
      outcomes: { ...this.outcomes },
      updates: this.updates,
      collisions: this.collisions.length,
      registrationFailures: this.failures,
      failuresByCode: { ...this.failuresByCode },
      discovery: this.discovery.snapshot(),
    };
  }

  /**
   * Add one loaded file's discovery counts to {@link getMetrics}`().discovery` (`loadPayload`
   * calls this for every file it loads into this registry). Writes no shared memory.
   * @throws {RegistryError} `InvalidArgument` if `report` is not a report (a `recordsSeen` count
   *   and `skipped`, `rejected`, `ignoredFields` count objects).
   */
  recordDiscovery(report: DiscoveryReport): void {
    const r = report as unknown as Record<string, unknown>;
    const counts = (v: unknown) => typeof v === 'object' && v !== null && Object.values(v).every((n) => Number.isSafeInteger(n) && (n as number) >= 0);
    if (
      typeof r !== 'object' ||
      r === null ||
      !Number.isSafeInteger(r.recordsSeen) ||
      (r.recordsSeen as number) < 0 ||
      !counts(r.skipped) ||
      !counts(r.rejected) ||
      !counts(r.ignoredFields)
    ) {
      throw new RegistryError('InvalidArgument', 'report must be { mapping, recordsSeen, skipped, rejected, ignoredFields } with non-negative integer counts');
    }
    this.discovery.record(report);
  }

  /** Last applied registration-log sequence number (stored in the control region). */
  get logSeq(): bigint {
    return joinId(Atomics.load(this.table.ctl, CTL.LOG_SEQ_LO), Atomics.load(this.table.ctl, CTL.LOG_SEQ_HI));
  }

  set logSeq(seq: bigint) {
    const [lo, hi] = splitId(seq);
    Atomics.store(this.table.ctl, CTL.LOG_SEQ_HI, hi);
    Atomics.store(this.table.ctl, CTL.LOG_SEQ_LO, lo);
  }

  /**
   * Publish a venue status change on the event feed (hook for `VenueRegistry`'s
   * `onStatusChange`). Venue statuses map to instrument statuses: suspended → halted,
   * expired → delisted, active and updated → active.
   * @throws {ValidationError} `InvalidField` if `venue` is not a non-empty string, `InvalidEnum` if
   *   `status` is not a venue status (`VENUE_STATUSES`).
   */
  publishVenueStatus(venue: string, status: string): void {
    if (typeof venue !== 'string' || venue === '') throw new ValidationError('InvalidField', 'venue', 'must be a non-empty string');
    if (!(VENUE_STATUSES as readonly unknown[]).includes(status)) {
      throw new ValidationError(
        'InvalidEnum',
        'status',
        `${typeof status === 'string' ? JSON.stringify(status.slice(0, 40)) : typeof status} is not one of ${VENUE_STATUSES.join(', ')}`,
      );
    }
    const mapped = status === 'suspended' ? 'halted' : status === 'expired' ? 'delisted' : 'active';
    this.events?.publish({ type: 'venueStatusChange', id: 0n, venue, status: mapped, venueIndex: this.venues.get(venue) });
  }

  // ------------------------------------------------------------------ internals

  private emit(type: RegistryChange['type'], id: bigint, inst: InstrumentInput, venueIndex: number | undefined): void {
    this.onChange?.({ type, id, instrument: inst });
    if (!this.events) return;
    this.events.publish({
      type,
      id,
      kind: inst.kind,
      source: inst.source,
      status: inst.status,
      venue: inst.venue,
      venueIndex,
      chainId: inst.kind === 'token' || inst.kind === 'dexPool' ? inst.chainId : undefined,
      isin: inst.kind === 'stock' || inst.kind === 'etf' ? inst.isin : undefined,
    });
  }

  private fail(e: unknown): void {
    this.failures++;
    Atomics.add(this.table.ctl, CTL.REG_FAILED, 1);
    const code: RegistryErrorCode = e instanceof RegistryError ? e.code : 'InvalidField';
    this.failuresByCode[code] = (this.failuresByCode[code] ?? 0) + 1;
  }

  private collision(id: bigint, existing: Instrument, incoming: InstrumentInput): never {
    this.collisions.push({
      id,
      existing: { venue: existing.venue, symbol: existing.symbol, kind: existing.kind },
      incoming: { venue: incoming.venue, symbol: incoming.symbol, kind: incoming.kind },
      at: this.now(),
    });
    Atomics.add(this.table.ctl, CTL.COLLISIONS, 1);
    this.emit('collisionDetected', id, incoming, this.venues.get(incoming.venue));
    throw new HashCollisionError(id, `${existing.venue}:${existing.symbol}`, `${incoming.venue}:${incoming.symbol}`);
  }

  private decodeCurrent(): Instrument {
    const heap = this.heap.view();
    return decodeInstrument(
      this.currentDv,
      this.currentU8,
      (ref) => copyHeapEntry(heap, ref),
      (i) => this.venues.code(i),
    );
  }

  private currentDetailRef(): number {
    return this.currentDv.getUint32(DETAIL_REF_OFFSET, true);
  }

  private currentNameRef(): number {
    return this.currentDv.getUint32(NAME_REF_OFFSET, true);
  }

  private currentName(): string | undefined {
    const ref = this.currentNameRef();
    return ref ? readHeapString(this.heap.view(), ref) : undefined;
  }

  private sameDetail(detail: Uint8Array): boolean {
    const ref = this.currentDetailRef();
    if (ref === 0) return false;
    const old = copyHeapEntry(this.heap.view(), ref);
    if (old.length !== detail.length) return false;
    for (let i = 0; i < old.length; i++) if (old[i] !== detail[i]) return false;
    return true;
  }

  /** Does the new image equal the current one, ignoring SEQ (and UPDATED_AT unless `withUpdatedAt`)? */
  private sameImage(withUpdatedAt = false): boolean {
    for (let w = 1; w < RECORD_WORDS; w++) {
      if (!withUpdatedAt && (w === UPDATED_LO || w === UPDATED_LO + 1)) continue;
      if (this.image[w] !== this.current[w]) return false;
    }
    return true;
  }

  /** Live instrument id (other than lo/hi) registered under venue + symbol, or undefined. */
  private findLiveBySymbol(venue: number, symbol: string, lo: number, hi: number): bigint | undefined {
    const t = this.table;
    const r = t.region;
    const u8 = t.regionU8;
    let found: bigint | undefined;
    t.probeIndex('SYMBOL', hashVenueSymbol(venue, symbol), (slot) => {
      if (t.state(slot) !== SLOT_STATE.FULL) return false;
      const b = slot * RECORD_WORDS;
      const byteBase = slot * RECORD_SIZE;
      if ((u8[byteBase + VENUE_OFFSET]! | (u8[byteBase + VENUE_OFFSET + 1]! << 8)) !== venue) return false;
      if (!symbolEquals(u8, byteBase, symbol)) return false;
      if (!symbolIsUnique(codeName(KIND_CODES, u8[byteBase + KIND_OFFSET]!)!)) return false;
      const sLo = r[b + ID_LO_WORD]! >>> 0;
      const sHi = r[b + ID_HI_WORD]! >>> 0;
      if (sLo === lo >>> 0 && sHi === hi >>> 0) return false;
      found = joinId(sLo, sHi);
      return true;
    });
    return found;
  }

  /** The entries of the record in `current` are no longer referenced by a live record. */
  private releaseCurrent(): void {
    this.heap.release(this.current[NAME_REF_WORD]! >>> 0);
    this.heap.release(this.current[DETAIL_REF_WORD]! >>> 0);
  }

  /** Heap bytes of the entries of the record in `current`. */
  private entriesOfCurrent(): number {
    return this.heap.entrySize(this.current[NAME_REF_WORD]! >>> 0) + this.heap.entrySize(this.current[DETAIL_REF_WORD]! >>> 0);
  }

  /** Live heap bytes of a registry this writer attached to (a restored snapshot): one table scan. */
  private countLiveHeap(): void {
    const t = this.table;
    for (let s = 0; s < t.capacity; s++) {
      const st = t.state(s);
      if (st === SLOT_STATE.EMPTY) continue;
      t.readImage(s, this.current);
      if (st === SLOT_STATE.FULL) {
        this.heap.retain(this.current[NAME_REF_WORD]! >>> 0);
        this.heap.retain(this.current[DETAIL_REF_WORD]! >>> 0);
      } else this.tombstoneHeapBytes += this.entriesOfCurrent();
    }
  }

  /** Re-add the index entries of a slot in a freshly built generation. */
  private reindex(slot: number): void {
    this.table.readImage(slot, this.current);
    for (const k of this.currentKeys()) this.table.addIndexEntry(k, slot);
  }

  /** Index keys of the record in `current`. */
  private currentKeys(): IndexKey[] {
    const inst = this.decodeCurrent();
    return indexKeys(inst, this.venues.get(inst.venue)!);
  }

  /** Do `current`'s venue, symbol and kind equal the new instrument's (the non-detail key parts)? */
  private sameListingKey(venue: number, inst: InstrumentInput): boolean {
    return (
      this.currentDv.getUint16(VENUE_OFFSET, true) === venue &&
      this.currentU8[KIND_OFFSET] === KIND_CODES[inst.kind] &&
      symbolEquals(this.currentU8, 0, inst.symbol)
    );
  }
}

/** Is `k` one of `keys`? */
function hasKey(keys: readonly IndexKey[], k: IndexKey): boolean {
  for (const x of keys) if (x.index === k.index && x.a === k.a && x.b === k.b && x.c === k.c) return true;
  return false;
}

/** First word of UPDATED_AT (ignored when comparing images). */
const UPDATED_LO = wordIndex(UPDATED_AT_OFFSET);
/** Record words holding the heap references. */
const NAME_REF_WORD = wordIndex(NAME_REF_OFFSET);
const DETAIL_REF_WORD = wordIndex(DETAIL_REF_OFFSET);
