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
import { CTL } from '../../layout/index.js';
import { RegistryError, UnknownInstrumentError, ValidationError } from '../errors.js';
import { IdDeriver, joinId, splitId } from '../id/derive.js';
import { MUTABLE_FIELDS, type Instrument, type InstrumentInput, type InstrumentPatch } from '../model/types.js';
import { checkPatchKeys } from '../model/patch.js';
import { validateInstrument } from '../model/validate.js';
import { allocateHandle, checkHandle, type RegistryHandle } from '../shm/handle.js';
import { RegistryReader } from '../reader/reader.js';
import { ChangePublisher } from './changes.js';
import { WriterCounters, type DiscoveryReport } from './metrics.js';
import { RecordWriter } from './record-writer.js';
import type { CollisionRecord, PreparedInstrument, RegisterOptions, RegisterResult, RegistryMetrics, RegistryOptions } from './registry-types.js';

export type { DiscoveryMetrics, DiscoveryReport, OutcomeCounts } from './metrics.js';

export type {
  CollisionRecord,
  PreparedInstrument,
  RegisterOptions,
  RegisterOutcome,
  RegisterResult,
  RegistryChange,
  RegistryMetrics,
  RegistryOptions,
} from './registry-types.js';

/** The single writer of a registry. Create with {@link InstrumentRegistry.create}. */
export class InstrumentRegistry {
  /** Shared regions; pass to `RegistryReader.attach` in any thread. */
  readonly handle: RegistryHandle;
  /** Places the records (`record-writer.ts`). */
  private readonly w: RecordWriter;
  private readonly counts = new WriterCounters();
  private readonly changes: ChangePublisher;
  private localReader: RegistryReader | undefined;
  private readonly now: () => number;

  private constructor(
    private readonly ids: IdDeriver,
    opts: RegistryOptions,
  ) {
    if (opts.handle) checkHandle(opts.handle);
    const handle = opts.handle ?? allocateHandle();
    const ring = opts.eventRing ?? handle.events;
    this.changes = new ChangePublisher(ring, opts.onChange);
    this.handle = ring ? { ...handle, events: ring } : handle;
    this.now = opts.now ?? Date.now;
    this.w = new RecordWriter(this.handle, opts, this.changes);
  }

  /** Audit list of every collision detected. */
  get collisions(): readonly CollisionRecord[] {
    return this.w.collisions;
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
      const r = this.w.register(p, true, false, opts?.placeholder === true);
      this.counts.registered(r.outcome);
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
        const r = this.w.register(p, false);
        out[i] = r;
        this.counts.registered(r.outcome);
      } catch (e) {
        this.fail(e);
        out[i] = e instanceof RegistryError ? e : new RegistryError('InvalidField', String(e));
      }
    }
    this.w.table.publishCounts();
    return out;
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
      this.w.register(p, true, true);
      this.counts.updated();
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
    return this.w.compact();
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
      return this.w.remove(id, opts.cascade === true);
    } catch (e) {
      this.fail(e);
      throw e;
    }
  }

  /**
   * The live instrument with this id (writer-side read), or undefined.
   * @throws {RegistryError} `InvalidArgument` if `id` is not a bigint in 0..2^64-1.
   */
  getById(id: bigint): Instrument | undefined {
    return this.w.getById(id);
  }

  /** Every live instrument (writer-side decode of each full slot; not a hot-path call). */
  liveInstruments(): IterableIterator<Instrument> {
    return this.w.liveInstruments();
  }

  /** Counters. Per-reader lookup counts live in each reader (`RegistryReader.lookups`). */
  getMetrics(): RegistryMetrics {
    return { ...this.w.metrics(), ...this.counts.snapshot() };
  }

  /**
   * Add one loaded file's discovery counts to {@link getMetrics}`().discovery` (`loadPayload`
   * calls this for every file it loads into this registry). Writes no shared memory.
   * @throws {RegistryError} `InvalidArgument` if `report` is not a report (a `recordsSeen` count
   *   and `skipped`, `rejected`, `ignoredFields` count objects).
   */
  recordDiscovery(report: DiscoveryReport): void {
    this.counts.recordDiscovery(report);
  }

  /** Last applied registration-log sequence number (stored in the control region). */
  get logSeq(): bigint {
    return joinId(Atomics.load(this.w.table.ctl, CTL.LOG_SEQ_LO), Atomics.load(this.w.table.ctl, CTL.LOG_SEQ_HI));
  }

  set logSeq(seq: bigint) {
    const [lo, hi] = splitId(seq);
    Atomics.store(this.w.table.ctl, CTL.LOG_SEQ_HI, hi);
    Atomics.store(this.w.table.ctl, CTL.LOG_SEQ_LO, lo);
  }

  /**
   * Publish a venue status change on the event feed (hook for `VenueRegistry`'s
   * `onStatusChange`). Venue statuses map to instrument statuses: suspended → halted,
   * expired → delisted, active and updated → active.
   * @throws {ValidationError} `InvalidField` if `venue` is not a non-empty string, `InvalidEnum` if
   *   `status` is not a venue status (`VENUE_STATUSES`).
   */
  publishVenueStatus(venue: string, status: string): void {
    this.changes.venueStatus(venue, status, (v: string) => this.w.venues.get(v));
  }

  // ------------------------------------------------------------------ internals

  private fail(e: unknown): void {
    this.counts.failed(e);
    Atomics.add(this.w.table.ctl, CTL.REG_FAILED, 1);
  }
}
