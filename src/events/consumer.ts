/**
 * {@link EventConsumer}: a reader of a change-event ring (Agrona `BroadcastReceiver`), usable
 * from any thread, with zero writes to shared memory: it copies the record at its cursor into a
 * private scratch, then re-reads the tail intent to check that the writer had not started
 * overwriting the slot meanwhile. A consumer that fell a full ring behind throws
 * {@link LappedError} until it resyncs. Memory ordering: `layout/SPEC-events.md`.
 *
 * @module
 */
import { EVENT_RECORD_WORDS, EVENTS_HEADER_SIZE, EVH, EVR } from '../../layout/events.js';
import { RegistryError, ValidationError } from '../errors.js';
import { attachRing, LappedError, readCounter, TWO_32 } from './protocol.js';
import type { ChangeEvent } from './types.js';
import { EventView } from './view.js';

/** Validate an explicit start sequence against the ring's tail; returns it as a number. */
function checkFrom(from: unknown, tail: number): number {
  if (typeof from !== 'bigint') {
    throw new ValidationError(
      'InvalidEnum',
      'from',
      `must be 'tail', 'oldest' or a bigint sequence, got ${typeof from === 'string' ? JSON.stringify(from) : typeof from}`,
    );
  }
  if (from < 0n || from > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new ValidationError('InvalidField', 'from', `sequence ${from} is outside 0..2^53-1 (positions are exact integers below 2^53)`);
  }
  if (from > BigInt(tail)) {
    throw new ValidationError(
      'InvalidField',
      'from',
      `sequence ${from} is ahead of the ring's tail ${tail} (events not yet published); start at 'tail' instead`,
    );
  }
  return Number(from);
}

/**
 * A count or a timeout: a non-negative number, `Infinity` allowed.
 * @throws {RegistryError} `InvalidArgument` otherwise.
 */
export function checkCount(v: unknown, name: string): void {
  if (typeof v !== 'number' || !(v >= 0))
    throw new RegistryError('InvalidArgument', `${name} must be a non-negative number (Infinity allowed), got ${typeof v === 'number' ? v : typeof v}`);
}

/** Options of {@link EventConsumer}. */
export interface EventConsumerOptions {
  /**
   * Where to start: `'tail'` (default; only events published after attaching, like Agrona's
   * receiver), `'oldest'` (the oldest event still in the ring), or an explicit sequence in
   * 0..tail (throws {@link LappedError} on first read if it is already overwritten). A sequence
   * beyond the ring's tail (events not yet published) or outside 0..2^53 − 1 is rejected with a
   * {@link ValidationError} `InvalidField` (field `from`); anything else with `InvalidEnum`.
   */
  from?: 'tail' | 'oldest' | bigint;
  /**
   * How a record is copied out of shared memory. `'atomic'` (default): every word with
   * `Atomics.load`; correct per the ECMAScript memory model. `'fenced'`: plain loads, then
   * `Atomics.add(privateCell, 0, 0)` on a consumer-private buffer (a read-don't-modify-write,
   * Boehm HPL-2012-68), then the closing `Atomics.load`; correct on x86-64 and ARM64 by the
   * hardware argument in `layout/SPEC-events.md`, not by the ECMAScript spec.
   */
  copy?: 'atomic' | 'fenced';
}

type WaitAsync = (
  ta: Int32Array,
  index: number,
  value: number,
  timeout?: number,
) => { async: false; value: 'not-equal' | 'timed-out' } | { async: true; value: Promise<'ok' | 'timed-out'> };
const noop = (): void => {};
/** Longest delay Node's timers accept. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const waitAsync = (Atomics as unknown as { waitAsync?: WaitAsync }).waitAsync;

/** Counters a consumer keeps about its own waiting (private memory; diagnostics and tests). */
export interface EventConsumerStats {
  /** Times a wait re-checked the ring for new events. */
  checks: number;
  /** Times a wait suspended in `Atomics.waitAsync`. */
  waits: number;
}

/**
 * A reader of an event ring (Agrona `BroadcastReceiver`), usable from any thread. It never
 * writes shared memory. Not thread-safe itself: one consumer per thread (create as many as
 * needed; each has its own position).
 *
 * Reading never skips silently: if the writer overwrote an event this consumer had not read,
 * every read method throws {@link LappedError} until {@link resync} is called.
 */
export class EventConsumer {
  /** Capacity of the ring in records. */
  readonly capacity: number;
  /** Private wait counters (see {@link EventConsumerStats}). */
  readonly stats: EventConsumerStats = { checks: 0, waits: 0 };
  private readonly i32: Int32Array;
  private readonly scratch = new Int32Array(EVENT_RECORD_WORDS);
  private readonly view: EventView;
  private readonly fenced: boolean;
  /** Consumer-private buffer for the read-don't-modify-write fence; never shared. */
  private readonly fenceCell = new Int32Array(new SharedArrayBuffer(4));
  private cursor: number;
  private lapped: LappedError | undefined;

  /**
   * @param sab the ring's buffer (from {@link createEventRing}, possibly received via postMessage)
   * @throws {LayoutMismatchError} if `sab` is not an event ring of this layout version.
   * @throws {ValidationError} `InvalidField` / `InvalidEnum` for a bad `from` (see {@link EventConsumerOptions.from}),
   *   `InvalidEnum` for a bad `copy`.
   * @throws {RegistryError} `InvalidArgument` if `options` is not an object.
   */
  constructor(sab: SharedArrayBuffer, options: EventConsumerOptions = {}) {
    this.capacity = attachRing(sab);
    if (typeof options !== 'object' || options === null) throw new RegistryError('InvalidArgument', 'EventConsumer options must be an object');
    if (options.copy !== undefined && options.copy !== 'atomic' && options.copy !== 'fenced') {
      throw new ValidationError(
        'InvalidEnum',
        'copy',
        `must be 'atomic' or 'fenced', got ${typeof options.copy === 'string' ? JSON.stringify(options.copy) : typeof options.copy}`,
      );
    }
    this.i32 = new Int32Array(sab);
    this.view = new EventView(this.scratch, new Uint8Array(this.scratch.buffer));
    this.fenced = options.copy === 'fenced';
    const from = options.from ?? 'tail';
    const tail = this.loadTail();
    if (from === 'tail') this.cursor = tail;
    else if (from === 'oldest') this.cursor = Math.max(0, this.loadIntent() - this.capacity);
    else this.cursor = checkFrom(from, tail);
  }

  /** Sequence of the next event this consumer will read. */
  get position(): bigint {
    return BigInt(this.cursor);
  }

  /** Events published but not yet read by this consumer (may exceed capacity when lapped). */
  get lag(): number {
    return Math.max(0, this.loadTail() - this.cursor);
  }

  /** Whether this consumer is lapped (reads throw until {@link resync}). */
  get isLapped(): boolean {
    return this.lapped !== undefined;
  }

  /**
   * Move to the newest position (the ring's current tail) and clear the lapped state.
   * Events between the old position and the tail are skipped; the caller should re-read the
   * instrument table to catch up.
   *
   * @returns how many events were skipped (including the ones reported as missed).
   */
  resync(): bigint {
    const tail = this.loadTail();
    const skipped = Math.max(0, tail - this.cursor);
    this.cursor = Math.max(this.cursor, tail);
    this.lapped = undefined;
    return BigInt(skipped);
  }

  /**
   * Read the next event, or `undefined` if there is none yet.
   * @throws {LappedError} if this consumer was lapped.
   */
  next(): ChangeEvent | undefined {
    return this.readOne() ? this.view.toEvent() : undefined;
  }

  /**
   * Read up to `max` available events.
   * @throws {LappedError} if this consumer was lapped (events read before detection are lost to
   *   the caller in that case; use {@link pollInto} to keep them).
   * @throws {RegistryError} `InvalidArgument` if `max` is not a non-negative number (`Infinity` allowed).
   */
  poll(max = Infinity): ChangeEvent[] {
    checkCount(max, 'max');
    const out: ChangeEvent[] = [];
    while (out.length < max && this.readOne()) out.push(this.view.toEvent());
    return out;
  }

  /**
   * Read up to `max` available events without allocating: `cb` receives an {@link EventView}
   * over this consumer's private copy of each record, in sequence order.
   * @returns the number of events delivered.
   * @throws {LappedError} if this consumer was lapped (events delivered before are not lost).
   * @throws {RegistryError} `InvalidArgument` if `cb` is not a function or `max` not a non-negative number.
   */
  pollInto(cb: (view: EventView) => void, max = Infinity): number {
    if (typeof cb !== 'function') throw new RegistryError('InvalidArgument', 'pollInto needs a callback function');
    checkCount(max, 'max');
    let n = 0;
    while (n < max && this.readOne()) {
      cb(this.view);
      n++;
    }
    return n;
  }

  /**
   * Wait (without spinning and without blocking the thread: `Atomics.waitAsync` on the ring's
   * NOTIFY word) until an event is available, then read it.
   *
   * @param timeoutMs give up after this many ms (default: wait forever)
   * @param signal abort the wait early (resolves `undefined`)
   * @returns the next event, or `undefined` on timeout or abort.
   * @throws {LappedError} if this consumer was lapped.
   * @throws {RegistryError} `InvalidArgument` for a `timeoutMs` that is not a non-negative number
   *   (`Infinity` allowed) or a `signal` that is not an AbortSignal.
   */
  async waitNext(timeoutMs = Infinity, signal?: AbortSignal): Promise<ChangeEvent | undefined> {
    return (await this.waitAvailable(timeoutMs, signal)) ? this.next() : undefined;
  }

  /**
   * Wait until at least one event (or a lap) is pending for this consumer.
   * @returns `true` when a read will return an event or throw {@link LappedError}; `false` on
   *   timeout or abort.
   * @throws {RegistryError} `InvalidArgument` as {@link waitNext}; `NotSupported` without `Atomics.waitAsync`.
   */
  async waitAvailable(timeoutMs = Infinity, signal?: AbortSignal): Promise<boolean> {
    checkCount(timeoutMs, 'timeoutMs');
    if (signal !== undefined && !(signal instanceof AbortSignal)) throw new RegistryError('InvalidArgument', 'signal must be an AbortSignal');
    if (!waitAsync) throw new RegistryError('NotSupported', 'instreg events: Atomics.waitAsync is unavailable (Node ≥ 16 required)');
    const deadline = performance.now() + timeoutMs;
    let abort: Promise<'aborted'> | undefined;
    let onAbort: (() => void) | undefined;
    try {
      for (;;) {
        const seen = Atomics.load(this.i32, EVH.NOTIFY);
        this.stats.checks++;
        if (this.lapped || this.loadTail() > this.cursor) return true;
        if (signal?.aborted) return false;
        const remaining = deadline - performance.now();
        if (remaining <= 0) return false;
        const r = waitAsync(this.i32, EVH.NOTIFY, seen, remaining === Infinity ? undefined : remaining);
        if (!r.async) continue; // 'not-equal': the writer published meanwhile
        this.stats.waits++;
        // A pending Atomics.waitAsync does not keep Node's event loop alive (a worker whose
        // only pending work is the wait would exit); a ref'd timer does. It never fires before
        // the wait's own timeout, so it adds no wake-ups.
        const keepAlive = setTimeout(noop, Math.min(remaining, MAX_TIMER_MS));
        try {
          let outcome: string;
          if (signal) {
            abort ??= new Promise<'aborted'>((resolve) => {
              onAbort = () => resolve('aborted');
              signal.addEventListener('abort', onAbort, { once: true });
            });
            outcome = await Promise.race([r.value, abort]);
            if (outcome === 'aborted') return false;
          } else {
            outcome = await r.value;
          }
          if (outcome === 'timed-out') {
            // The wait's own timeout is the deadline: one last look, no re-wait. (Re-waiting on
            // the rounding gap between the wait timer and performance.now() spun under load.)
            this.stats.checks++;
            return this.lapped !== undefined || this.loadTail() > this.cursor;
          }
        } finally {
          clearTimeout(keepAlive);
        }
      }
    } finally {
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Copy the record at the cursor into the private scratch and validate it. */
  private readOne(): boolean {
    if (this.lapped) throw this.lapped;
    const c = this.cursor;
    const cap = this.capacity;
    const tail = this.loadTail();
    if (c >= tail) return false;
    if (tail - c > cap) this.lap(c);
    const i32 = this.i32;
    const s = this.scratch;
    const base = (EVENTS_HEADER_SIZE >> 2) + (c % cap) * EVENT_RECORD_WORDS;
    if (this.fenced) {
      for (let w = 0; w < EVENT_RECORD_WORDS; w++) s[w] = i32[base + w];
      Atomics.add(this.fenceCell, 0, 0);
    } else {
      for (let w = 0; w < EVENT_RECORD_WORDS; w++) s[w] = Atomics.load(i32, base + w);
    }
    // Validate: had the writer started overwriting this slot while we copied?
    if (this.loadIntent() - c > cap) this.lap(c);
    if (s[EVR.SEQ_LO] >>> 0 !== c % TWO_32 || s[EVR.SEQ_HI] >>> 0 !== Math.floor(c / TWO_32)) {
      throw new RegistryError('SequenceGap', `event ring: record for seq ${c} holds seq ${this.view.seq} (a second writer, or a corrupted ring)`);
    }
    this.cursor = c + 1;
    return true;
  }

  private lap(c: number): never {
    const oldest = this.loadIntent() - this.capacity;
    this.lapped = new LappedError(BigInt(c), BigInt(oldest - c), BigInt(oldest));
    throw this.lapped;
  }

  private loadTail(): number {
    return readCounter(this.i32, EVH.TAIL_LO, EVH.TAIL_HI, EVH.TAIL_HI2);
  }

  private loadIntent(): number {
    return readCounter(this.i32, EVH.TAIL_INTENT_LO, EVH.TAIL_INTENT_HI, EVH.TAIL_INTENT_HI2);
  }
}
