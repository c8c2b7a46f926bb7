/**
 * The change-event feed: a single-writer broadcast ring in a SharedArrayBuffer.
 *
 * The protocol is the one of Agrona's `BroadcastTransmitter` / `BroadcastReceiver`
 * (real-logic/agrona, `org.agrona.concurrent.broadcast`): the transmitter advances a
 * *tail-intent* counter, writes the record, then advances the *tail* counter; a receiver
 * copies a record out, then re-reads the tail intent to check that the writer had not yet
 * started overwriting the slot while it copied. Unlike Agrona's receiver, which silently
 * skips ahead when lapped, an {@link EventConsumer} that fell a full ring behind throws a
 * {@link LappedError} (sticky until {@link EventConsumer.resync}), so lost events are never
 * silent.
 *
 * Consumers make **zero writes to shared memory**: their cursor, scratch copy and fence cell
 * are private. Waiting (`Atomics.waitAsync` on the ring's NOTIFY word) is not a write.
 *
 * Memory ordering (see `layout/SPEC-events.md`): the writer stores the intent, the payload
 * and the tail with `Atomics.store` (sequentially consistent); the consumer loads the tail
 * with `Atomics.load`, copies the record (default: every word with `Atomics.load`, which is
 * correct per the ECMAScript memory model; optionally plain loads followed by a private
 * read-don't-modify-write fence, Boehm's scheme), then loads the tail intent with `Atomics.load`.
 *
 * Byte layout: `layout/events.ts`.
 *
 * @module
 */
import {
  EVENT_FLAGS,
  EVENT_NO_VENUE_INDEX,
  EVENT_RECORD_SIZE,
  EVENT_RECORD_WORDS,
  EVENT_TYPES,
  EVENT_VENUE_MAX,
  EVENTS_HEADER_SIZE,
  EVENTS_MAGIC,
  EVENTS_MAX_CAPACITY,
  EVENTS_MIN_CAPACITY,
  EVENTS_VERSION,
  EVH,
  EVR,
  EV_ISIN_OFFSET,
  EV_VENUE_OFFSET,
  ISIN_BYTES,
  eventRingSize,
} from '../../layout/events.js';
import { KIND_CODES, SOURCE_CODES, STATUS_CODES } from '../../layout/codes.js';
import { LayoutMismatchError, RegistryError, ValidationError } from '../errors.js';
import type { InstrumentKind, InstrumentSource, InstrumentStatus } from '../model/types.js';
import type { ChangeEvent, ChangeEventInput, EventType } from './types.js';

if (new Uint8Array(new Uint32Array([1]).buffer)[0] !== 1) throw new Error('instreg events: little-endian host required');

const TWO_32 = 4294967296;

/**
 * A consumer fell a full ring behind: events it had not read were overwritten.
 * The consumer stays lapped (every read throws this again) until {@link EventConsumer.resync};
 * after resyncing, the caller re-reads the instrument table to rebuild its state.
 */
export class LappedError extends RegistryError {
  /**
   * @param position the consumer's position (sequence of the next event it wanted)
   * @param missed events overwritten before the consumer read them, as of detection (≥ 1)
   * @param oldestAvailable sequence of the oldest event still intact at detection
   */
  constructor(
    readonly position: bigint,
    readonly missed: bigint,
    readonly oldestAvailable: bigint,
  ) {
    super(
      'Lapped',
      `event consumer at seq ${position} was lapped: ${missed} event(s) were overwritten before being read ` +
        `(oldest available ${oldestAvailable}); call resync() and re-read the table`,
    );
    this.name = 'LappedError';
  }
}

function isPow2(n: number): boolean {
  return Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;
}

/**
 * Create a zeroed event ring with its header initialised.
 *
 * @param capacityPow2 capacity in records (events kept before the oldest is overwritten);
 *   a power of two in 2..2^24. Bytes used: 128 + 64 × capacity.
 * @returns the ring's SharedArrayBuffer, to hand to one {@link EventWriter} and any number of
 *   {@link EventConsumer}s (in any worker).
 * @throws {ValidationError} `InvalidField` if the capacity is not a power of two in range.
 */
export function createEventRing(capacityPow2: number): SharedArrayBuffer {
  if (!isPow2(capacityPow2) || capacityPow2 < EVENTS_MIN_CAPACITY || capacityPow2 > EVENTS_MAX_CAPACITY) {
    throw new ValidationError(
      'InvalidField',
      'capacity',
      `must be a power of two in ${EVENTS_MIN_CAPACITY}..${EVENTS_MAX_CAPACITY}, got ${capacityPow2}`,
    );
  }
  const sab = new SharedArrayBuffer(eventRingSize(capacityPow2));
  const i32 = new Int32Array(sab);
  Atomics.store(i32, EVH.CAPACITY, capacityPow2);
  Atomics.store(i32, EVH.RECORD_SIZE, EVENT_RECORD_SIZE);
  Atomics.store(i32, EVH.VERSION, EVENTS_VERSION);
  Atomics.store(i32, EVH.MAGIC, EVENTS_MAGIC);
  return sab;
}

/** Validate the header and return the capacity. */
function attach(sab: SharedArrayBuffer): number {
  if (!(sab instanceof SharedArrayBuffer) || sab.byteLength < EVENTS_HEADER_SIZE) {
    throw new LayoutMismatchError('event ring: not a SharedArrayBuffer holding an event ring');
  }
  const i32 = new Int32Array(sab);
  const magic = Atomics.load(i32, EVH.MAGIC) >>> 0;
  if (magic !== EVENTS_MAGIC) throw new LayoutMismatchError(`event ring: bad magic 0x${magic.toString(16)}`);
  const version = Atomics.load(i32, EVH.VERSION);
  if (version !== EVENTS_VERSION) {
    throw new LayoutMismatchError(`event ring: layout version ${version}, this build reads ${EVENTS_VERSION}`);
  }
  const recordSize = Atomics.load(i32, EVH.RECORD_SIZE);
  const capacity = Atomics.load(i32, EVH.CAPACITY);
  if (recordSize !== EVENT_RECORD_SIZE || !isPow2(capacity) || sab.byteLength < eventRingSize(capacity)) {
    throw new LayoutMismatchError(`event ring: record size ${recordSize} / capacity ${capacity} do not match the buffer`);
  }
  return capacity;
}

/**
 * Read a counter (u64 as LO, HI plus guard HI2) without writing: load HI, LO, HI2 and retry
 * while HI ≠ HI2. The writer stores HI2, LO, HI in that order, so equal halves bracket a
 * consistent LO. Values are < 2^53 (safe integers).
 */
function readCounter(i32: Int32Array, lo: number, hi: number, hi2: number): number {
  for (;;) {
    const h = Atomics.load(i32, hi);
    const l = Atomics.load(i32, lo);
    if (Atomics.load(i32, hi2) === h) return (h >>> 0) * TWO_32 + (l >>> 0);
  }
}

const KIND_BY_CODE: (InstrumentKind | undefined)[] = [];
for (const [k, v] of Object.entries(KIND_CODES)) KIND_BY_CODE[v] = k as InstrumentKind;
const SOURCE_BY_CODE: (InstrumentSource | undefined)[] = [];
for (const [k, v] of Object.entries(SOURCE_CODES)) SOURCE_BY_CODE[v] = k as InstrumentSource;
const STATUS_BY_CODE: (InstrumentStatus | undefined)[] = [];
for (const [k, v] of Object.entries(STATUS_CODES)) STATUS_BY_CODE[v] = k as InstrumentStatus;
const TYPE_BY_CODE: (EventType | undefined)[] = [];
for (const [k, v] of Object.entries(EVENT_TYPES)) TYPE_BY_CODE[v] = k as EventType;

const U64_MAX = (1n << 64n) - 1n;

/** Options of {@link EventWriter}. */
export interface EventWriterOptions {
  /**
   * Call `Atomics.notify` on the NOTIFY word after every publish, waking consumers blocked in
   * {@link EventConsumer.waitNext}. Default `true`. With `false`, call {@link EventWriter.notify}
   * after a batch.
   */
  notify?: boolean;
  /**
   * How the payload words are stored. `'atomic'` (default): every word with `Atomics.store`;
   * with `'atomic'` consumer copies the whole protocol is sequentially consistent per the
   * ECMAScript memory model. `'fenced'`: the intent store is followed by
   * `Atomics.add(privateCell, 0, 0)` (a full fence on x86-64, an acquire-release RMW on ARM64,
   * which keeps the later plain stores after the intent), then plain payload stores, then the
   * sequence and tail with `Atomics.store`. Correct on x86-64 and ARM64 by the hardware argument
   * in `layout/SPEC-events.md`, not by the ECMAScript spec; faster.
   */
  stores?: 'atomic' | 'fenced';
}

/**
 * The single writer of an event ring (Agrona `BroadcastTransmitter`). Exactly one
 * `EventWriter` may exist per ring at a time, on one thread; this is not checked.
 * It resumes at the ring's current tail, so a ring outlives a writer.
 */
export class EventWriter {
  /** Capacity of the ring in records. */
  readonly capacity: number;
  private readonly i32: Int32Array;
  private readonly scratch = new Int32Array(EVENT_RECORD_WORDS);
  private readonly scratchU8 = new Uint8Array(this.scratch.buffer);
  private readonly u64 = new BigUint64Array(1);
  private readonly u64Words = new Int32Array(this.u64.buffer);
  private readonly autoNotify: boolean;
  private readonly fenced: boolean;
  /** Writer-private buffer for the fence RMW; never shared. */
  private readonly fenceCell = new Int32Array(new SharedArrayBuffer(4));
  private tail: number;
  private tailHi: number;

  /**
   * @param sab a buffer made by {@link createEventRing}
   * @throws {LayoutMismatchError} if `sab` is not an event ring of this layout version.
   */
  constructor(sab: SharedArrayBuffer, options: EventWriterOptions = {}) {
    this.capacity = attach(sab);
    this.i32 = new Int32Array(sab);
    this.autoNotify = options.notify ?? true;
    this.fenced = options.stores === 'fenced';
    this.tail = readCounter(this.i32, EVH.TAIL_LO, EVH.TAIL_HI, EVH.TAIL_HI2);
    this.tailHi = Math.floor(this.tail / TWO_32);
  }

  /** Sequence the next published event will get. */
  get nextSeq(): bigint {
    return BigInt(this.tail);
  }

  /**
   * Publish one event to every consumer.
   *
   * Order of shared stores (`Atomics.store` unless noted): TAIL_INTENT = seq + 1; record words
   * except the sequence (plain stores after a private fence RMW with `stores: 'fenced'`);
   * record sequence; LATEST = seq; TAIL = seq + 1; NOTIFY = low 32 bits
   * of TAIL; then `Atomics.notify(NOTIFY)` unless disabled.
   *
   * @returns the event's sequence.
   * @throws {ValidationError} `InvalidEnum` for an unknown type/kind/source/status, `InvalidField`
   *   for a bad venue (> 16 printable ASCII chars), ISIN (not 12 of `[A-Z0-9]`), chain id (not
   *   a u32), venue index (not 0..0xfffe), id (not a u64) or timestamp (not a u64). Nothing is
   *   written when it throws.
   */
  publish(event: ChangeEventInput): bigint {
    this.encode(event);
    const seq = this.tail;
    this.commit();
    if (this.autoNotify) Atomics.notify(this.i32, EVH.NOTIFY);
    return BigInt(seq);
  }

  /** Wake every consumer waiting in {@link EventConsumer.waitNext}. Returns how many were woken. */
  notify(): number {
    return Atomics.notify(this.i32, EVH.NOTIFY);
  }

  /** Encode `event` into the private scratch record (all fields but the sequence). */
  private encode(e: ChangeEventInput): void {
    const s = this.scratch;
    const b = this.scratchU8;
    const type = EVENT_TYPES[e.type];
    if (type === undefined) throw new ValidationError('InvalidEnum', 'type', `unknown event type ${String(e.type)}`);
    const kind = e.kind === undefined ? 0 : KIND_CODES[e.kind];
    if (kind === undefined) throw new ValidationError('InvalidEnum', 'kind', `unknown kind ${String(e.kind)}`);
    const source = e.source === undefined ? 0 : SOURCE_CODES[e.source];
    if (source === undefined) throw new ValidationError('InvalidEnum', 'source', `unknown source ${String(e.source)}`);
    const status = e.status === undefined ? 0 : STATUS_CODES[e.status];
    if (status === undefined) throw new ValidationError('InvalidEnum', 'status', `unknown status ${String(e.status)}`);
    const venue = e.venue ?? '';
    const venueLen = venue.length;
    if (venueLen > EVENT_VENUE_MAX) throw new ValidationError('InvalidField', 'venue', 'must be 0..16 printable ASCII characters');
    for (let i = 0; i < EVENT_VENUE_MAX; i++) {
      const ch = i < venueLen ? venue.charCodeAt(i) : 0;
      if (i < venueLen && (ch < 0x20 || ch > 0x7e)) {
        throw new ValidationError('InvalidField', 'venue', 'must be 0..16 printable ASCII characters');
      }
      b[EV_VENUE_OFFSET + i] = ch;
    }
    let flags = 0;
    let venueIndex = EVENT_NO_VENUE_INDEX;
    if (e.venueIndex !== undefined) {
      if (!Number.isInteger(e.venueIndex) || e.venueIndex < 0 || e.venueIndex >= EVENT_NO_VENUE_INDEX) {
        throw new ValidationError('InvalidField', 'venueIndex', 'must be an integer in 0..0xfffe');
      }
      venueIndex = e.venueIndex;
      flags |= EVENT_FLAGS.venueIndex;
    }
    let chainId = 0;
    if (e.chainId !== undefined) {
      if (!Number.isInteger(e.chainId) || e.chainId < 0 || e.chainId >= TWO_32) {
        throw new ValidationError('InvalidField', 'chainId', 'must be a u32');
      }
      chainId = e.chainId;
      flags |= EVENT_FLAGS.chainId;
    }
    const isin = e.isin;
    if (isin === undefined) {
      for (let i = 0; i < ISIN_BYTES; i++) b[EV_ISIN_OFFSET + i] = 0;
    } else {
      if (isin.length !== ISIN_BYTES) throw new ValidationError('InvalidField', 'isin', 'must be 12 characters of [A-Z0-9]');
      for (let i = 0; i < ISIN_BYTES; i++) {
        const ch = isin.charCodeAt(i);
        if (!((ch >= 0x41 && ch <= 0x5a) || (ch >= 0x30 && ch <= 0x39))) {
          throw new ValidationError('InvalidField', 'isin', 'must be 12 characters of [A-Z0-9]');
        }
        b[EV_ISIN_OFFSET + i] = ch;
      }
      flags |= EVENT_FLAGS.isin;
    }
    const id = e.id;
    if (typeof id !== 'bigint' || id < 0n || id > U64_MAX) throw new ValidationError('InvalidField', 'id', 'must be a u64 bigint');
    let tsLo: number;
    let tsHi: number;
    if (e.timestampNs === undefined) {
      const ns = (performance.timeOrigin + performance.now()) * 1e6;
      tsHi = Math.floor(ns / TWO_32);
      tsLo = ns - tsHi * TWO_32;
    } else {
      const t = e.timestampNs;
      if (typeof t !== 'bigint' || t < 0n || t > U64_MAX) {
        throw new ValidationError('InvalidField', 'timestampNs', 'must be a u64 bigint');
      }
      this.u64[0] = t; // private scratch: splits the bigint into two u32 halves without allocating
      tsLo = this.u64Words[0];
      tsHi = this.u64Words[1];
    }

    s[EVR.CODES] = type | (kind << 8) | (source << 16) | (status << 24);
    s[EVR.VENUE_META] = venueIndex | (venueLen << 16) | (flags << 24);
    this.u64[0] = id;
    s[EVR.ID_LO] = this.u64Words[0];
    s[EVR.ID_HI] = this.u64Words[1];
    s[EVR.CHAIN_ID] = chainId;
    s[EVR.TS_LO] = tsLo;
    s[EVR.TS_HI] = tsHi;
  }

  /** Store a counter: HI2 (if it changed), LO, HI (if it changed). */
  private storeCounter(lo: number, hi: number, hi2: number, value: number, valueHi: number, oldHi: number): void {
    const i32 = this.i32;
    if (valueHi !== oldHi) Atomics.store(i32, hi2, valueHi);
    Atomics.store(i32, lo, value % TWO_32);
    if (valueHi !== oldHi) Atomics.store(i32, hi, valueHi);
  }

  /** Publish the scratch record as event `this.tail` (Agrona transmit order). */
  private commit(): void {
    const i32 = this.i32;
    const s = this.scratch;
    const seq = this.tail;
    const next = seq + 1;
    const seqHi = Math.floor(seq / TWO_32);
    const nextHi = Math.floor(next / TWO_32);
    // 1. intent: the slot's old event is about to be destroyed.
    this.storeCounter(EVH.TAIL_INTENT_LO, EVH.TAIL_INTENT_HI, EVH.TAIL_INTENT_HI2, next, nextHi, this.tailHi);
    // 2. payload, sequence word last.
    const base = (EVENTS_HEADER_SIZE >> 2) + (seq % this.capacity) * EVENT_RECORD_WORDS;
    if (this.fenced) {
      Atomics.add(this.fenceCell, 0, 0);
      for (let w = EVR.CODES; w < EVENT_RECORD_WORDS; w++) i32[base + w] = s[w];
    } else {
      for (let w = EVR.CODES; w < EVENT_RECORD_WORDS; w++) Atomics.store(i32, base + w, s[w]);
    }
    Atomics.store(i32, base + EVR.SEQ_HI, seqHi);
    Atomics.store(i32, base + EVR.SEQ_LO, seq % TWO_32);
    // 3. latest, tail, notify word.
    this.storeCounter(EVH.LATEST_LO, EVH.LATEST_HI, EVH.LATEST_HI2, seq, seqHi, seq === 0 ? -1 : this.latestHi(seq));
    this.storeCounter(EVH.TAIL_LO, EVH.TAIL_HI, EVH.TAIL_HI2, next, nextHi, this.tailHi);
    Atomics.store(i32, EVH.NOTIFY, next % TWO_32);
    this.tail = next;
    this.tailHi = nextHi;
  }

  /** High half LATEST held before publishing `seq` (it held seq − 1). */
  private latestHi(seq: number): number {
    return Math.floor((seq - 1) / TWO_32);
  }
}

/** Options of {@link EventConsumer}. */
export interface EventConsumerOptions {
  /**
   * Where to start: `'tail'` (default; only events published after attaching, like Agrona's
   * receiver), `'oldest'` (the oldest event still in the ring), or an explicit sequence
   * (throws {@link LappedError} on first read if it is already overwritten).
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

/**
 * A zero-allocation accessor over a consumer's **private** copy of the current record, passed
 * to {@link EventConsumer.pollInto} callbacks. Valid only during the callback; numbers only.
 */
export class EventView {
  /** @internal */
  constructor(
    private readonly s: Int32Array,
    private readonly b: Uint8Array,
  ) {}
  /** Event sequence as a number (exact below 2^53). */
  get seq(): number {
    return (this.s[EVR.SEQ_HI] >>> 0) * TWO_32 + (this.s[EVR.SEQ_LO] >>> 0);
  }
  /** Event type code ({@link EVENT_TYPES}). */
  get typeCode(): number {
    return this.s[EVR.CODES] & 0xff;
  }
  /** Event type name. */
  get type(): EventType {
    return TYPE_BY_CODE[this.typeCode] as EventType;
  }
  /** Kind code (`KIND_CODES`), 0 = none. */
  get kindCode(): number {
    return (this.s[EVR.CODES] >>> 8) & 0xff;
  }
  /** Source code (`SOURCE_CODES`), 0 = none. */
  get sourceCode(): number {
    return (this.s[EVR.CODES] >>> 16) & 0xff;
  }
  /** Status code (`STATUS_CODES`), 0 = none. */
  get statusCode(): number {
    return this.s[EVR.CODES] >>> 24;
  }
  /** Instrument id, low 32 bits (unsigned). */
  get idLo(): number {
    return this.s[EVR.ID_LO] >>> 0;
  }
  /** Instrument id, high 32 bits (unsigned). */
  get idHi(): number {
    return this.s[EVR.ID_HI] >>> 0;
  }
  /** Venue-table index, 0xffff when absent. */
  get venueIndex(): number {
    return this.s[EVR.VENUE_META] & 0xffff;
  }
  /** Length of the venue code in bytes. */
  get venueLength(): number {
    return (this.s[EVR.VENUE_META] >>> 16) & 0xff;
  }
  /** Optional-field bits ({@link EVENT_FLAGS}). */
  get flags(): number {
    return this.s[EVR.VENUE_META] >>> 24;
  }
  /** Chain id, or -1 when absent. */
  get chainId(): number {
    return this.flags & EVENT_FLAGS.chainId ? this.s[EVR.CHAIN_ID] >>> 0 : -1;
  }
  /** Timestamp in ns, low 32 bits (unsigned). */
  get timestampLo(): number {
    return this.s[EVR.TS_LO] >>> 0;
  }
  /** Timestamp in ns, high 32 bits (unsigned). */
  get timestampHi(): number {
    return this.s[EVR.TS_HI] >>> 0;
  }
  /** Whether the event's venue code equals `code` (no allocation). */
  venueEquals(code: string): boolean {
    const n = this.venueLength;
    if (n !== code.length) return false;
    for (let i = 0; i < n; i++) if (this.b[EV_VENUE_OFFSET + i] !== code.charCodeAt(i)) return false;
    return true;
  }
  /** Whether the event carries an ISIN starting with `prefix` (no allocation). */
  isinStartsWith(prefix: string): boolean {
    if (!(this.flags & EVENT_FLAGS.isin) || prefix.length > ISIN_BYTES) return false;
    for (let i = 0; i < prefix.length; i++) if (this.b[EV_ISIN_OFFSET + i] !== prefix.charCodeAt(i)) return false;
    return true;
  }
  /** Decode into a plain {@link ChangeEvent} (allocates). */
  toEvent(): ChangeEvent {
    const s = this.s;
    const b = this.b;
    const flags = this.flags;
    const ev: ChangeEvent = {
      seq: (BigInt(s[EVR.SEQ_HI] >>> 0) << 32n) | BigInt(s[EVR.SEQ_LO] >>> 0),
      type: this.type,
      id: (BigInt(s[EVR.ID_HI] >>> 0) << 32n) | BigInt(s[EVR.ID_LO] >>> 0),
      venue: String.fromCharCode.apply(null, b.subarray(EV_VENUE_OFFSET, EV_VENUE_OFFSET + this.venueLength) as unknown as number[]),
      timestampNs: (BigInt(s[EVR.TS_HI] >>> 0) << 32n) | BigInt(s[EVR.TS_LO] >>> 0),
    };
    const kind = KIND_BY_CODE[this.kindCode];
    if (kind !== undefined) ev.kind = kind;
    const source = SOURCE_BY_CODE[this.sourceCode];
    if (source !== undefined) ev.source = source;
    const status = STATUS_BY_CODE[this.statusCode];
    if (status !== undefined) ev.status = status;
    if (flags & EVENT_FLAGS.venueIndex) ev.venueIndex = this.venueIndex;
    if (flags & EVENT_FLAGS.chainId) ev.chainId = s[EVR.CHAIN_ID] >>> 0;
    if (flags & EVENT_FLAGS.isin) {
      ev.isin = String.fromCharCode.apply(null, b.subarray(EV_ISIN_OFFSET, EV_ISIN_OFFSET + ISIN_BYTES) as unknown as number[]);
    }
    return ev;
  }
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
   */
  constructor(sab: SharedArrayBuffer, options: EventConsumerOptions = {}) {
    this.capacity = attach(sab);
    this.i32 = new Int32Array(sab);
    this.view = new EventView(this.scratch, new Uint8Array(this.scratch.buffer));
    this.fenced = options.copy === 'fenced';
    const from = options.from ?? 'tail';
    const tail = this.loadTail();
    if (from === 'tail') this.cursor = tail;
    else if (from === 'oldest') this.cursor = Math.max(0, this.loadIntent() - this.capacity);
    else this.cursor = Number(from);
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
   */
  poll(max = Infinity): ChangeEvent[] {
    const out: ChangeEvent[] = [];
    while (out.length < max && this.readOne()) out.push(this.view.toEvent());
    return out;
  }

  /**
   * Read up to `max` available events without allocating: `cb` receives an {@link EventView}
   * over this consumer's private copy of each record, in sequence order.
   * @returns the number of events delivered.
   * @throws {LappedError} if this consumer was lapped (events delivered before are not lost).
   */
  pollInto(cb: (view: EventView) => void, max = Infinity): number {
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
   */
  async waitNext(timeoutMs = Infinity, signal?: AbortSignal): Promise<ChangeEvent | undefined> {
    return (await this.waitAvailable(timeoutMs, signal)) ? this.next() : undefined;
  }

  /**
   * Wait until at least one event (or a lap) is pending for this consumer.
   * @returns `true` when a read will return an event or throw {@link LappedError}; `false` on
   *   timeout or abort.
   */
  async waitAvailable(timeoutMs = Infinity, signal?: AbortSignal): Promise<boolean> {
    if (!waitAsync) throw new Error('instreg events: Atomics.waitAsync is unavailable (Node ≥ 16 required)');
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
    if ((s[EVR.SEQ_LO] >>> 0) !== c % TWO_32 || (s[EVR.SEQ_HI] >>> 0) !== Math.floor(c / TWO_32)) {
      throw new RegistryError(
        'SequenceGap',
        `event ring: record for seq ${c} holds seq ${this.view.seq} (a second writer, or a corrupted ring)`,
      );
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
