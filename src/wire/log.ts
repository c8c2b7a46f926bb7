/**
 * The registration log: {@link LogWriter} turns writer operations into wire frames numbered
 * 1, 2, 3, …; {@link LogApplier} applies a stream of decoded messages to a {@link LogTarget}
 * (normally `InstrumentRegistry`) exactly once per sequence number.
 *
 * Log entries are the registration messages, `instrumentUpdate`, `instrumentRemoval`,
 * `venueRegistration` and `snapshotMarker`; they share one sequence space. `healthCheck` and
 * `errorResponse` are control messages: the applier ignores them and they do not consume a
 * sequence number.
 *
 * @module
 */
import type { InstrumentInput, InstrumentPatch } from '../model/types.js';
import { argFunction, argObject, argOptions } from '../args.js';
import { RegistryError, ValidationError } from '../errors.js';
import { MESSAGE_TYPES, WIRE_FLAGS_KNOWN } from '../../layout/wire.js';
import { checkU64 } from './bytes.js';
import { encodeMessage } from './codec.js';
import { SequenceGapError, SequenceOutOfRangeError } from './errors.js';
import type { MessageType, WireMessage, WireVenue } from './types.js';

/** What a {@link LogApplier} applies messages to. `InstrumentRegistry` implements it. */
export interface LogTarget {
  /** Register (or re-register) an instrument; returns its id and whether anything changed. */
  registerInstrument(input: InstrumentInput): { id: bigint; outcome: 'added' | 'unchanged' | 'updated' };
  /** Change mutable fields of a live instrument; throws (typed) if there is none. */
  updateInstrument(id: bigint, patch: InstrumentPatch): void;
  /** Remove an instrument; `false` if it was not live. */
  removeInstrument(id: bigint): boolean;
  /** Register a venue. Optional: without it venue entries are consumed with effect `'none'`. */
  registerVenue?(venue: WireVenue): void;
}

/** What applying one message did to the target. */
export type ApplyEffect = 'added' | 'unchanged' | 'updated' | 'removed' | 'notFound' | 'venue' | 'none';

/**
 * Result of {@link LogApplier.apply}:
 * - `applied`: the entry was applied (`effect` says how); `gap` is set if entries were missing
 *   before it and the policy is `'apply'`; `late` is set when the entry filled such a gap afterwards.
 * - `duplicate`: `seq` was consumed before; nothing changed.
 * - `outOfRange`: `seq` is more than `maxGap` past the last applied seq (a corrupt or hostile
 *   sequence number such as 2^64−1); nothing changed, `lastSeq` did not move (`error` is a
 *   {@link SequenceOutOfRangeError}). A replica resyncs instead of trusting it.
 * - `gap`: entries are missing before `seq` and the policy is `'hold'`; nothing changed and
 *   `lastSeq` did not move, so the missing entries can still be fed in order.
 * - `failed`: the target threw a {@link RegistryError} (`error`); the entry counts as consumed
 *   (`lastSeq` = `seq`), so a replay will not retry it.
 * - `ignored`: a control or service message (`healthCheck`, `errorResponse`, `ack`, `query`, …); no sequencing.
 */
export interface ApplyResult {
  status: 'applied' | 'duplicate' | 'gap' | 'failed' | 'ignored' | 'outOfRange';
  seq: bigint;
  type: MessageType;
  effect?: ApplyEffect;
  /** Instrument id registered, updated or removed. */
  id?: bigint;
  /** Set when entries `gap.expected .. gap.got-1` are missing. */
  gap?: SequenceGapError;
  /** Set when `status` is `failed` or `outOfRange`. */
  error?: RegistryError;
  /** True when the entry arrived after later entries (it filled a gap left under policy `'apply'`). */
  late?: boolean;
}

/**
 * What {@link LogApplier} does on a gap: `'hold'` (default) rejects the entry; `'apply'` applies it
 * and moves on, remembering the missing sequence numbers so that they are still applied when
 * they arrive late (at most {@link LOG_APPLIER_MAX_HOLES} open holes; past that a gap is held).
 */
export type GapPolicy = 'hold' | 'apply';

/** Options of {@link LogApplier}. */
export interface LogApplierOptions {
  /** Sequence number of the last entry already reflected in the target (u64, default 0: nothing applied). */
  lastSeq?: bigint;
  /** Gap policy, default `'hold'`. */
  onGapPolicy?: GapPolicy;
  /** Called for every gap, before the policy is applied. */
  onGap?: (gap: SequenceGapError) => void;
  /**
   * Largest accepted jump past the last applied seq (default {@link LOG_APPLIER_DEFAULT_MAX_GAP}).
   * An entry further ahead is `outOfRange` under either policy and never moves `lastSeq`.
   */
  maxGap?: bigint;
}

/** Default `maxGap`: 2^20 entries (a replica further behind resyncs from a snapshot anyway). */
export const LOG_APPLIER_DEFAULT_MAX_GAP = 1n << 20n;
/** Most missing ranges remembered under policy `'apply'`; a gap that would open one more is held. */
export const LOG_APPLIER_MAX_HOLES = 1024;

/** Counters of a {@link LogApplier}. */
export interface LogApplierStats {
  applied: number;
  duplicates: number;
  gaps: number;
  failed: number;
  ignored: number;
  /** Entries refused as `outOfRange`. */
  outOfRange: number;
  /** Entries applied late into a hole. */
  late: number;
}

const CONTROL_TYPES: ReadonlySet<MessageType> = new Set([
  'healthCheck',
  'errorResponse',
  'ack',
  'query',
  'queryResponse',
  'healthResponse',
  'subscribe',
  'snapshotChunk',
]);

/**
 * Applies log entries idempotently by sequence number: each seq is applied at most once;
 * replaying a log (or any prefix of it) again changes nothing.
 */
export class LogApplier {
  private last: bigint;
  private readonly policy: GapPolicy;
  private readonly onGap: ((gap: SequenceGapError) => void) | undefined;
  private readonly maxGap: bigint;
  /** Missing ranges `[from, to]` (inclusive, sorted, disjoint, all < last) left by gaps under policy `'apply'`. */
  private readonly holes: Array<[bigint, bigint]> = [];
  /** Counters. */
  readonly stats: LogApplierStats = { applied: 0, duplicates: 0, gaps: 0, failed: 0, ignored: 0, outOfRange: 0, late: 0 };

  /**
   * @param target what entries are applied to
   * @throws {ValidationError} `InvalidField` if `opts.lastSeq` or `opts.maxGap` is not a u64
   *   (`maxGap` ≥ 1), `InvalidEnum` for an unknown `onGapPolicy`
   * @throws {RegistryError} `InvalidArgument` if `target` lacks the {@link LogTarget} methods, or
   *   `opts` is not an object or `onGap` not a function
   */
  constructor(
    private readonly target: LogTarget,
    opts: LogApplierOptions = {},
  ) {
    argObject(target, 'target');
    for (const m of ['registerInstrument', 'updateInstrument', 'removeInstrument'] as const) argFunction(target[m], `target.${m}`);
    argOptions(opts);
    this.last = checkU64(opts.lastSeq ?? 0n, 'lastSeq');
    const policy = opts.onGapPolicy ?? 'hold';
    if (policy !== 'hold' && policy !== 'apply') throw new ValidationError('InvalidEnum', 'onGapPolicy', "must be 'hold' or 'apply'");
    this.policy = policy;
    this.onGap = argFunction(opts.onGap, 'onGap', true);
    this.maxGap = checkU64(opts.maxGap ?? LOG_APPLIER_DEFAULT_MAX_GAP, 'maxGap');
    if (this.maxGap < 1n) throw new ValidationError('InvalidField', 'maxGap', 'must be ≥ 1');
  }

  /** Sequence numbers skipped by gaps under policy `'apply'` and not yet received, as inclusive ranges. */
  get missing(): ReadonlyArray<readonly [bigint, bigint]> {
    return this.holes.map(([a, b]) => [a, b] as const);
  }

  /** Index of the hole holding `seq`, or -1. */
  private holeOf(seq: bigint): number {
    for (let i = 0; i < this.holes.length; i++) {
      const h = this.holes[i]!;
      if (seq >= h[0] && seq <= h[1]) return i;
    }
    return -1;
  }

  /** Remove `seq` from hole `i` (splitting it when `seq` is inside). */
  private fill(i: number, seq: bigint): void {
    const [a, b] = this.holes[i]!;
    const parts: Array<[bigint, bigint]> = [];
    if (a < seq) parts.push([a, seq - 1n]);
    if (seq < b) parts.push([seq + 1n, b]);
    this.holes.splice(i, 1, ...parts);
  }

  /** Sequence number of the last consumed log entry (0 = none). */
  get lastSeq(): bigint {
    return this.last;
  }

  /**
   * Apply one decoded message (see {@link ApplyResult} for the outcomes).
   * @throws only what the target throws that is not a {@link RegistryError} (a bug); `lastSeq` is then unchanged
   * @throws {ValidationError} if `msg` is not a decoded message (not an object, an unknown `type`,
   *   a `seq` that is not a u64); nothing is applied or consumed
   */
  apply(msg: WireMessage): ApplyResult {
    if (typeof msg !== 'object' || msg === null) throw new ValidationError('InvalidField', 'message', 'must be a decoded wire message');
    const type: unknown = msg.type;
    if (typeof type !== 'string' || !Object.prototype.hasOwnProperty.call(MESSAGE_TYPES, type)) {
      throw new ValidationError('InvalidEnum', 'type', `unknown message type ${typeof type === 'string' ? JSON.stringify(type.slice(0, 40)) : typeof type}`);
    }
    const seq = checkU64(msg.seq, 'seq');
    if (CONTROL_TYPES.has(msg.type)) {
      this.stats.ignored++;
      return { status: 'ignored', seq, type: msg.type };
    }
    if (seq <= this.last) {
      const hole = this.holes.length ? this.holeOf(seq) : -1;
      if (hole < 0) {
        this.stats.duplicates++;
        return { status: 'duplicate', seq, type: msg.type };
      }
      // A late entry filling a gap left under policy 'apply': apply it, never drop it.
      const r = this.consume(msg, undefined, false);
      this.fill(hole, seq);
      this.stats.late++;
      r.late = true;
      return r;
    }
    if (seq - this.last > this.maxGap) {
      this.stats.outOfRange++;
      const error = new SequenceOutOfRangeError(this.last, seq, this.maxGap);
      return { status: 'outOfRange', seq, type: msg.type, error };
    }
    let gap: SequenceGapError | undefined;
    if (seq !== this.last + 1n) {
      gap = new SequenceGapError(this.last + 1n, seq);
      this.stats.gaps++;
      this.onGap?.(gap);
      if (this.policy === 'hold' || this.holes.length >= LOG_APPLIER_MAX_HOLES) return { status: 'gap', seq, type: msg.type, gap };
    }
    const from = this.last + 1n;
    const r = this.consume(msg, gap, true);
    if (gap) this.holes.push([from, seq - 1n]);
    return r;
  }

  /** Apply one entry; `advance` moves `lastSeq` to its seq (false for a late entry). */
  private consume(msg: WireMessage, gap: SequenceGapError | undefined, advance: boolean): ApplyResult {
    const seq = msg.seq;
    let result: ApplyResult;
    try {
      result = this.applyEntry(msg);
    } catch (e) {
      if (!(e instanceof RegistryError)) throw e;
      if (advance) this.last = seq;
      this.stats.failed++;
      return { status: 'failed', seq, type: msg.type, error: e, ...(gap ? { gap } : {}) };
    }
    if (advance) this.last = seq;
    this.stats.applied++;
    if (gap) result.gap = gap;
    return result;
  }

  /**
   * Apply messages in order; returns one result per message.
   * @throws {RegistryError} `InvalidArgument` if `msgs` is not iterable; a malformed message
   *   throws as {@link apply} (the ones before it are applied)
   */
  applyAll(msgs: Iterable<WireMessage>): ApplyResult[] {
    if (typeof (msgs as { [Symbol.iterator]?: unknown } | null)?.[Symbol.iterator] !== 'function')
      throw new RegistryError('InvalidArgument', 'msgs must be iterable');
    const out: ApplyResult[] = [];
    for (const m of msgs) out.push(this.apply(m));
    return out;
  }

  private applyEntry(msg: WireMessage): ApplyResult {
    const base = { status: 'applied' as const, seq: msg.seq, type: msg.type };
    switch (msg.type) {
      case 'instrumentRegistration':
      case 'poolRegistration':
      case 'cexPairRegistration': {
        const r = this.target.registerInstrument(msg.instrument);
        return { ...base, effect: r.outcome, id: r.id };
      }
      case 'instrumentUpdate':
        this.target.updateInstrument(msg.id, msg.patch);
        return { ...base, effect: 'updated', id: msg.id };
      case 'instrumentRemoval':
        return { ...base, effect: this.target.removeInstrument(msg.id) ? 'removed' : 'notFound', id: msg.id };
      case 'venueRegistration':
        if (!this.target.registerVenue) return { ...base, effect: 'none' };
        this.target.registerVenue(msg.venue);
        return { ...base, effect: 'venue' };
      default:
        // snapshotMarker: a boundary in the log, consumes its seq, changes nothing.
        return { ...base, effect: 'none' };
    }
  }
}

/** Options of {@link LogWriter}. */
export interface LogWriterOptions {
  /** Sequence number of the last entry already written (u64, default 0: the first entry is 1). */
  lastSeq?: bigint;
  /** Clock in ns since the Unix epoch. Default: `performance.timeOrigin + performance.now()` (µs resolution). */
  clockNs?: () => bigint;
  /** Header flags for every frame (`WIRE_FLAGS`), default 0. */
  flags?: number;
}

function defaultClockNs(): bigint {
  return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000)) * 1000n;
}

/**
 * Turns writer operations into log frames with consecutive sequence numbers. A failed
 * encode (invalid input) throws and consumes no sequence number.
 */
export class LogWriter {
  private last: bigint;
  private readonly clock: () => bigint;
  private readonly flags: number;

  /**
   * @throws {ValidationError} `InvalidField` if `opts.lastSeq` is not a u64 or `opts.flags` has unknown bits
   * @throws {RegistryError} `InvalidArgument` if `opts` is not an object or `clockNs` not a function
   */
  constructor(opts: LogWriterOptions = {}) {
    argOptions(opts);
    this.last = checkU64(opts.lastSeq ?? 0n, 'lastSeq');
    this.clock = argFunction(opts.clockNs, 'clockNs', true) ?? defaultClockNs;
    const flags = opts.flags ?? 0;
    if (typeof flags !== 'number' || !Number.isInteger(flags) || flags < 0 || (flags & ~WIRE_FLAGS_KNOWN) !== 0) {
      throw new ValidationError('InvalidField', 'flags', `unknown flag bits in ${typeof flags === 'number' ? flags : typeof flags}`);
    }
    this.flags = flags;
  }

  /** Sequence number of the last frame produced (0 = none). */
  get lastSeq(): bigint {
    return this.last;
  }

  private emit(msg: WireMessage): Uint8Array {
    const frame = encodeMessage(msg);
    this.last = msg.seq;
    return frame;
  }

  private header(): { seq: bigint; timestampNs: bigint; flags: number } {
    return { seq: this.last + 1n, timestampNs: this.clock(), flags: this.flags };
  }

  /**
   * Frame a registration: `poolRegistration` for a `dexPool`, `cexPairRegistration` for a
   * `cexPair`, `instrumentRegistration` otherwise.
   * @throws {RegistryError} validation errors from the codec
   */
  register(input: InstrumentInput): Uint8Array {
    if (typeof input !== 'object' || input === null) throw new ValidationError('InvalidField', 'instrument', 'must be an object');
    const h = this.header();
    if (input.kind === 'dexPool') return this.emit({ type: 'poolRegistration', ...h, instrument: input });
    if (input.kind === 'cexPair') return this.emit({ type: 'cexPairRegistration', ...h, instrument: input });
    return this.emit({ type: 'instrumentRegistration', ...h, instrument: input });
  }

  /** Frame an update of instrument `id`. @throws {RegistryError} validation errors */
  update(id: bigint, patch: InstrumentPatch): Uint8Array {
    return this.emit({ type: 'instrumentUpdate', ...this.header(), id, patch });
  }

  /** Frame a removal of instrument `id`. @throws {RegistryError} validation errors */
  remove(id: bigint): Uint8Array {
    return this.emit({ type: 'instrumentRemoval', ...this.header(), id });
  }

  /** Frame a venue registration. @throws {RegistryError} validation errors */
  venue(venue: WireVenue): Uint8Array {
    return this.emit({ type: 'venueRegistration', ...this.header(), venue });
  }

  /**
   * Frame a snapshot marker stating that a snapshot holds every entry up to the previous one
   * (`logSeq` = the last seq before this marker) and `instrumentCount` instruments.
   * @throws {RegistryError} validation errors
   */
  snapshotMarker(instrumentCount: number): Uint8Array {
    return this.emit({ type: 'snapshotMarker', ...this.header(), logSeq: this.last, instrumentCount });
  }
}
