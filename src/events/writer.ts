/**
 * {@link EventWriter}: the single writer of a change-event ring (Agrona `BroadcastTransmitter`):
 * validates and encodes an event into a private scratch record, then publishes it in transmit
 * order (tail intent, payload, record sequence, latest, tail, notify word). Memory ordering:
 * `layout/SPEC-events.md`.
 *
 * @module
 */
import {
  EVENT_FLAGS,
  EVENT_NO_VENUE_INDEX,
  EVENT_RECORD_WORDS,
  EVENT_TYPES,
  EVENT_VENUE_MAX,
  EVENTS_HEADER_SIZE,
  EVH,
  EVR,
  EV_ISIN_OFFSET,
  EV_VENUE_OFFSET,
  ISIN_BYTES,
} from '../../layout/events.js';
import { KIND_CODES, SOURCE_CODES, STATUS_CODES } from '../../layout/codes.js';
import { RegistryError, ValidationError } from '../errors.js';
import { attachRing, readCounter, TWO_32, U64_MAX } from './protocol.js';
import type { ChangeEventInput } from './types.js';

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

/** `table[key]` for an own string key (`'__proto__'`, `'toString'` … are no codes), else undefined. */
function own(table: Record<string, number>, key: unknown): number | undefined {
  return typeof key === 'string' && Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;
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
   * @throws {ValidationError} `InvalidField` / `InvalidEnum` for a bad `notify` / `stores`;
   *   {@link RegistryError} `InvalidArgument` if `options` is not an object.
   */
  constructor(sab: SharedArrayBuffer, options: EventWriterOptions = {}) {
    this.capacity = attachRing(sab);
    if (typeof options !== 'object' || options === null) throw new RegistryError('InvalidArgument', 'EventWriter options must be an object');
    if (options.notify !== undefined && typeof options.notify !== 'boolean') throw new ValidationError('InvalidField', 'notify', 'must be a boolean');
    if (options.stores !== undefined && options.stores !== 'atomic' && options.stores !== 'fenced') {
      throw new ValidationError(
        'InvalidEnum',
        'stores',
        `must be 'atomic' or 'fenced', got ${typeof options.stores === 'string' ? JSON.stringify(options.stores) : typeof options.stores}`,
      );
    }
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
    if (typeof e !== 'object' || e === null) throw new ValidationError('InvalidField', 'event', 'must be an object');
    const type = own(EVENT_TYPES, e.type);
    if (type === undefined) throw new ValidationError('InvalidEnum', 'type', `unknown event type ${String(e.type)}`);
    const kind = e.kind === undefined ? 0 : own(KIND_CODES, e.kind);
    if (kind === undefined) throw new ValidationError('InvalidEnum', 'kind', `unknown kind ${String(e.kind)}`);
    const source = e.source === undefined ? 0 : own(SOURCE_CODES, e.source);
    if (source === undefined) throw new ValidationError('InvalidEnum', 'source', `unknown source ${String(e.source)}`);
    const status = e.status === undefined ? 0 : own(STATUS_CODES, e.status);
    if (status === undefined) throw new ValidationError('InvalidEnum', 'status', `unknown status ${String(e.status)}`);
    const venue = e.venue ?? '';
    if (typeof venue !== 'string') throw new ValidationError('InvalidField', 'venue', 'must be 0..16 printable ASCII characters');
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
      if (typeof isin !== 'string' || isin.length !== ISIN_BYTES) throw new ValidationError('InvalidField', 'isin', 'must be 12 characters of [A-Z0-9]');
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
