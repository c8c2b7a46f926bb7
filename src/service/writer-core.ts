/**
 * The writer's change path: validate and encode a change as a log frame (numbered
 * `lastSeq + 1`), apply it to the registry with the frame's timestamp as the clock, and append
 * the frame to the {@link DurableLog}. A refused change (typed error) or one that changes nothing
 * (`unchanged`) consumes no sequence number and writes nothing; a change is never applied without
 * its frame being appended in the same synchronous step: the log is asked first whether it can take
 * the frame ({@link DurableLog.reserve}), so a failed log (an fsync error, a segment it cannot
 * create) refuses the change before the registry sees it.
 *
 * @module
 */
import { UnknownInstrumentError, ValidationError } from '../errors.js';
import type { InstrumentId, InstrumentInput, InstrumentPatch } from '../model/types.js';
import { encodeMessage } from '../wire/codec.js';
import type { AckOutcome, WireMessage } from '../wire/types.js';
import { nowNs, nsToMs, type ClockedRegistry } from './apply.js';
import type { DurableLog } from './log-file.js';

/** What one accepted change did. */
export interface ChangeResult {
  /** Log sequence number of the change's frame; for `unchanged`, the last appended seq it was checked against. */
  logSeq: bigint;
  id: InstrumentId;
  outcome: AckOutcome;
  /** The appended frame (absent for `unchanged`). */
  frame?: Uint8Array;
}

/** Per-kind and per-operation counters (for metrics). */
export interface WriterCounters {
  registrations: Record<'added' | 'updated' | 'unchanged', number>;
  updates: number;
  removals: number;
  failuresByCode: Record<string, number>;
}

/** Applies and logs changes. One per writer process. */
export class WriterCore {
  /** Counters. */
  readonly counters: WriterCounters = { registrations: { added: 0, updated: 0, unchanged: 0 }, updates: 0, removals: 0, failuresByCode: {} };

  /** @param target the writer's registry @param log its durable log */
  constructor(
    readonly target: ClockedRegistry,
    readonly log: DurableLog,
    private readonly clockNs: () => bigint = nowNs,
  ) {}

  private header(): { seq: bigint; timestampNs: bigint; flags: number } {
    const timestampNs = this.clockNs();
    this.target.clock.ms = nsToMs(timestampNs);
    return { seq: this.log.lastSeq + 1n, timestampNs, flags: 0 };
  }

  private commit(msg: WireMessage, frame: Uint8Array): void {
    this.log.append(frame, msg.seq);
    this.target.registry.logSeq = msg.seq;
  }

  private fail(e: unknown): never {
    const code = (e as { code?: string }).code ?? 'Internal';
    this.counters.failuresByCode[code] = (this.counters.failuresByCode[code] ?? 0) + 1;
    throw e;
  }

  /**
   * Register (or re-register) an instrument.
   * @throws {ValidationError} / {DuplicateSymbolError} / {HashCollisionError} / {RegistryError}
   *   `CapacityExceeded`: nothing applied, nothing logged
   */
  register(input: InstrumentInput): ChangeResult {
    try {
      const h = this.header();
      const type = input?.kind === 'dexPool' ? 'poolRegistration' : input?.kind === 'cexPair' ? 'cexPairRegistration' : 'instrumentRegistration';
      const msg = { type, ...h, instrument: input } as WireMessage;
      const frame = encodeMessage(msg);
      this.log.reserve(frame.length);
      const r = this.target.registry.registerInstrument(input);
      this.counters.registrations[r.outcome]++;
      if (r.outcome === 'unchanged') return { logSeq: this.log.lastSeq, id: r.id, outcome: 'unchanged' };
      this.commit(msg, frame);
      return { logSeq: msg.seq, id: r.id, outcome: r.outcome, frame };
    } catch (e) {
      return this.fail(e);
    }
  }

  /**
   * Change mutable fields of a live instrument. The frame carries the effective `updatedAt` (the
   * caller's, else the frame's timestamp in ms), so a replay sets exactly the value the writer set.
   * @throws {UnknownInstrumentError} no live instrument `id`; {ValidationError} invalid patch (e.g.
   *   an `updatedAt` before `createdAt`)
   */
  update(id: InstrumentId, patch: InstrumentPatch): ChangeResult {
    try {
      if (typeof patch !== 'object' || patch === null) throw new ValidationError('InvalidField', 'patch', 'must be an object');
      const h = this.header();
      const effective: InstrumentPatch = { ...patch, updatedAt: patch.updatedAt ?? this.target.clock.ms };
      const msg: WireMessage = { type: 'instrumentUpdate', ...h, id, patch: effective };
      const frame = encodeMessage(msg);
      this.log.reserve(frame.length);
      this.target.registry.updateInstrument(id, effective);
      this.counters.updates++;
      this.commit(msg, frame);
      return { logSeq: msg.seq, id, outcome: 'updated', frame };
    } catch (e) {
      return this.fail(e);
    }
  }

  /**
   * Remove a live instrument (its slot becomes a tombstone).
   * @throws {UnknownInstrumentError} no live instrument `id`
   */
  remove(id: InstrumentId): ChangeResult {
    try {
      const h = this.header();
      const msg: WireMessage = { type: 'instrumentRemoval', ...h, id };
      const frame = encodeMessage(msg);
      this.log.reserve(frame.length);
      if (!this.target.registry.removeInstrument(id)) throw new UnknownInstrumentError(id);
      this.counters.removals++;
      this.commit(msg, frame);
      return { logSeq: msg.seq, id, outcome: 'removed', frame };
    } catch (e) {
      return this.fail(e);
    }
  }
}
