/**
 * The shapes {@link InstrumentRegistry} takes and returns: registration options and results,
 * prepared instruments, registry options, change records and metrics.
 *
 * @module
 */
import type { RegistryErrorCode } from '../errors.js';
import type { DerivedId } from '../id/derive.js';
import type { InstrumentInput } from '../model/types.js';
import type { RegistryHandle } from '../shm/handle.js';
import type { DiscoveryMetrics, OutcomeCounts } from './metrics.js';

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
