/**
 * The state every replica keeps, whatever the transport: its own shared-memory registry (a
 * {@link ClockedRegistry}, written only by the replica's apply loop), an idempotent
 * {@link EntryApplier} (policy `'hold'`: a gap or an out-of-range sequence number is never
 * applied and asks the transport to resync), and lag figures.
 *
 * A restore from a snapshot builds a **new** registry: `handle` changes and `'resync'` is
 * emitted with it, so hot-path workers re-attach (`RegistryReader.attach(handle)`).
 *
 * @module
 */
import { EventEmitter } from 'node:events';
import { argMs, argOptions, argU64 } from '../args.js';
import { RegistryError, ValidationError } from '../errors.js';
import type { RegistryHandle } from '../shm/handle.js';
import { readSnapshot } from '../snapshot/index.js';
import type { RegistryReader } from '../reader/reader.js';
import { createClockedRegistry, EntryApplier, nowNs, nsToMs, type ClockedRegistry } from '../service/apply.js';
import type { WireMessage } from '../wire/types.js';

/** Replica lag. */
export interface ReplicaLag {
  /** Last applied log sequence number. */
  appliedSeq: bigint;
  /** Newest log sequence number the writer is known to have (heartbeats, stream info). */
  writerSeq: bigint;
  /** `writerSeq − appliedSeq` (≥ 0). */
  entries: bigint;
  /** For the last applied entry: wall time of apply minus the entry's writer timestamp, ms. */
  lastEntryDelayMs: number;
  /** Time since the last message from the writer side (heartbeat or entry), ms. */
  silenceMs: number;
}

/** What applying a message asks the transport to do. */
export type ApplyVerdict = 'ok' | 'resync';

/** Registry + applier + lag of one replica. */
export class ReplicaState extends EventEmitter {
  private target!: ClockedRegistry;
  private applier!: EntryApplier;
  private writerSeq = 0n;
  private lastDelayMs = 0;
  private lastHeard = performance.now();
  /** Counters. */
  readonly stats = { applied: 0, duplicates: 0, resyncs: 0, snapshots: 0, failed: 0 };
  /** Errors from entries the registry refused (a divergence; should stay empty). */
  readonly failures: RegistryError[] = [];

  private constructor(private readonly opts: { initialCapacity?: number; idBits?: number }) {
    super();
  }

  /**
   * An empty replica.
   * @throws {RegistryError} `InvalidArgument` if `opts` is not an object; the registry's errors for its fields
   */
  static async create(opts: { initialCapacity?: number; idBits?: number } = {}): Promise<ReplicaState> {
    const s = new ReplicaState(argOptions(opts));
    await s.install(undefined);
    return s;
  }

  private async install(handle: RegistryHandle | undefined): Promise<void> {
    this.target = await createClockedRegistry(handle, this.opts);
    this.applier = new EntryApplier(this.target, 'hold');
  }

  /** Shared regions of the current registry: pass to `RegistryReader.attach` in any worker. Changes on `'resync'`. */
  get handle(): RegistryHandle {
    return this.target.registry.handle;
  }

  /** A reader on this thread over the current registry. */
  reader(): RegistryReader {
    return this.target.registry.reader();
  }

  /** Last applied log sequence number. */
  get appliedSeq(): bigint {
    return this.applier.lastSeq;
  }

  /** Live instruments. */
  get instruments(): number {
    return this.target.registry.getMetrics().instruments;
  }

  /** Lag figures. */
  lag(): ReplicaLag {
    const applied = this.applier.lastSeq;
    const writer = this.writerSeq > applied ? this.writerSeq : applied;
    return {
      appliedSeq: applied,
      writerSeq: writer,
      entries: writer - applied,
      lastEntryDelayMs: this.lastDelayMs,
      silenceMs: performance.now() - this.lastHeard,
    };
  }

  /**
   * Note the writer's newest sequence number (heartbeat).
   * @throws {RegistryError} `InvalidArgument` if `writerSeq` is given and not a u64
   */
  heard(writerSeq?: bigint): void {
    if (writerSeq !== undefined) argU64(writerSeq, 'writerSeq');
    this.lastHeard = performance.now();
    if (writerSeq !== undefined && writerSeq > this.writerSeq) this.writerSeq = writerSeq;
  }

  /**
   * Replace the registry with a snapshot file's content (checksum verified) and emit
   * `'resync'` with the new handle.
   * @throws {SnapshotError} / {LayoutMismatchError} a damaged or foreign snapshot; {@link IoError} an unreadable file
   * @throws {RegistryError} `InvalidArgument` if `file` is not a non-empty string
   */
  async restore(file: string): Promise<void> {
    const handle = await readSnapshot(file);
    await this.install(handle);
    this.stats.snapshots++;
    this.emit('resync', this.handle);
  }

  /** Start over from an empty registry (the writer has no snapshot and its log starts at 1). */
  async reset(): Promise<void> {
    await this.install(undefined);
    this.emit('resync', this.handle);
  }

  /**
   * Apply one log entry; `'resync'` when it cannot be applied in order.
   * @throws {ValidationError} if `msg` is not a decoded message (see `LogApplier.apply`); nothing changes
   */
  apply(msg: WireMessage): ApplyVerdict {
    if (typeof msg !== 'object' || msg === null) throw new ValidationError('InvalidField', 'message', 'must be a decoded wire message');
    if (typeof msg.seq !== 'bigint') throw new ValidationError('InvalidField', 'seq', 'must be a u64 bigint');
    this.heard(msg.seq);
    const r = this.applier.apply(msg);
    switch (r.status) {
      case 'applied':
        this.stats.applied++;
        this.lastDelayMs = (Number(nowNs() / 1000n) - Number(msg.timestampNs / 1000n)) / 1000;
        this.emit('applied', msg.seq);
        return 'ok';
      case 'failed':
        this.stats.failed++;
        this.failures.push(r.error!);
        this.emit('applied', msg.seq);
        return 'ok';
      case 'duplicate':
      case 'ignored':
        this.stats.duplicates++;
        return 'ok';
      default:
        this.stats.resyncs++;
        return 'resync';
    }
  }

  /**
   * Resolves once `appliedSeq ≥ seq` (rejects with `Timeout` after `timeoutMs`).
   * @throws {RegistryError} `InvalidArgument` (rejects) for a `seq` that is not a u64 or a `timeoutMs` that is not a finite number ≥ 0
   */
  waitFor(seq: bigint, timeoutMs = 30_000): Promise<void> {
    try {
      argU64(seq, 'seq');
      argMs(timeoutMs, 'timeoutMs');
    } catch (e) {
      return Promise.reject(e);
    }
    if (this.appliedSeq >= seq) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('applied', on);
        reject(new RegistryError('Timeout', `replica at ${this.appliedSeq}, waited ${timeoutMs} ms for ${seq}`));
      }, timeoutMs);
      const on = () => {
        if (this.appliedSeq < seq) return;
        clearTimeout(timer);
        this.off('applied', on);
        resolve();
      };
      this.on('applied', on);
      this.on('resync', on);
    });
  }

  /**
   * ms since the Unix epoch of a header timestamp (re-exported for transports).
   * @throws {RegistryError} `InvalidArgument` if `ns` is not a u64
   */
  static ms(ns: bigint): number {
    argU64(ns, 'ns');
    return nsToMs(ns);
  }
}
