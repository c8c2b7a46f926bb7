/**
 * {@link EventView}: a zero-allocation accessor over a consumer's private copy of one ring
 * record (`layout/events.ts`), and its decoding into a plain {@link ChangeEvent}.
 *
 * @module
 */
import { EVENT_FLAGS, EVENT_TYPES, EVR, EV_ISIN_OFFSET, EV_VENUE_OFFSET, ISIN_BYTES } from '../../layout/events.js';
import { KIND_CODES, SOURCE_CODES, STATUS_CODES } from '../../layout/codes.js';
import type { InstrumentKind, InstrumentSource, InstrumentStatus } from '../model/types.js';
import { TWO_32 } from './protocol.js';
import type { ChangeEvent, EventType } from './types.js';

const KIND_BY_CODE: (InstrumentKind | undefined)[] = [];
for (const [k, v] of Object.entries(KIND_CODES)) KIND_BY_CODE[v] = k as InstrumentKind;
const SOURCE_BY_CODE: (InstrumentSource | undefined)[] = [];
for (const [k, v] of Object.entries(SOURCE_CODES)) SOURCE_BY_CODE[v] = k as InstrumentSource;
const STATUS_BY_CODE: (InstrumentStatus | undefined)[] = [];
for (const [k, v] of Object.entries(STATUS_CODES)) STATUS_BY_CODE[v] = k as InstrumentStatus;
const TYPE_BY_CODE: (EventType | undefined)[] = [];
for (const [k, v] of Object.entries(EVENT_TYPES)) TYPE_BY_CODE[v] = k as EventType;

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
  /** Whether the event's venue code equals `code` (no allocation; `false` for a non-string). */
  venueEquals(code: string): boolean {
    if (typeof code !== 'string') return false;
    const n = this.venueLength;
    if (n !== code.length) return false;
    for (let i = 0; i < n; i++) if (this.b[EV_VENUE_OFFSET + i] !== code.charCodeAt(i)) return false;
    return true;
  }
  /** Whether the event carries an ISIN starting with `prefix` (no allocation; `false` for a non-string). */
  isinStartsWith(prefix: string): boolean {
    if (typeof prefix !== 'string' || !(this.flags & EVENT_FLAGS.isin) || prefix.length > ISIN_BYTES) return false;
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
