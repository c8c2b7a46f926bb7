/**
 * {@link InstrumentView}: what a lookup returns. It owns a private copy of the record, made
 * lazily per cache line under the seqlock, and decodes a field only when asked, so a caller
 * that needs one field pays for one line copy and one field decode. It never exposes shared memory.
 *
 * Consistency: all fields a view returns come from one version of the record. The first line
 * copy fixes the version (its sequence number); a later copy of the other line that finds a newer
 * version re-copies both lines, so the view moves to the newer version as a whole.
 *
 * @module
 */
import {
  CREATED_AT_OFFSET,
  FEE_UNITS_PER_BP,
  LINE1_FIRST_WORD,
  LOT_OFFSET,
  LOT_SCALE_OFFSET,
  MAKER_FEE_OFFSET,
  MAX_QTY_OFFSET,
  MAX_QTY_SCALE_OFFSET,
  MIN_QTY_OFFSET,
  MIN_QTY_SCALE_OFFSET,
  NAME_REF_OFFSET,
  PRESENT_BITS,
  PRESENT_OFFSET,
  PRICE_DECIMALS_OFFSET,
  RECORD_WORDS,
  SIZE_DECIMALS_OFFSET,
  TAKER_FEE_OFFSET,
  TICK_OFFSET,
  TICK_SCALE_OFFSET,
  UPDATED_AT_OFFSET,
  VENUE_OFFSET,
} from '../../layout/index.js';
import { joinId } from '../id/derive.js';
import type { Fixed, Instrument, InstrumentKind, InstrumentSource, InstrumentStatus } from '../model/types.js';
import { decodeInstrument, detailOf, kindOf, sourceOf, statusOf } from '../shm/decode.js';
import { readHeapString } from '../shm/heap.js';
import { getFixed, getMs, getSymbol } from '../shm/record-image.js';

/** Line selectors for {@link ViewHost.copyLines}. */
export const LINE0 = 1;
/** Second cache line. */
export const LINE1 = 2;

/** What a view needs from its reader (implemented by RegistryReader). */
export interface ViewHost {
  /** Copy the requested lines of the view's record under the seqlock (see RegistryReader). */
  copyLines(view: InstrumentView, lines: number): void;
  /** Heap bytes (entries are copied before decoding). */
  heapBytes(): Uint8Array;
  /** Venue index → code. */
  venueCode(index: number): string;
}

/** A lazily decoded, privately copied instrument record. Reusable: pass it back to a lookup as `into`. */
export class InstrumentView {
  /** Private copy of the record words. */
  readonly words = new Int32Array(RECORD_WORDS);
  /** @internal */
  readonly dv = new DataView(this.words.buffer);
  /** @internal */
  readonly u8 = new Uint8Array(this.words.buffer);
  /** @internal generation the slot belongs to */
  gen = 0;
  /** @internal slot index */
  slot = -1;
  /** @internal sequence number of the copied version, -1 before the first copy */
  seq = -1;
  /** @internal bitmask of copied lines */
  copied = 0;
  /** @internal id halves */
  idLo = 0;
  /** @internal */
  idHi = 0;

  constructor(private readonly host: ViewHost) {}

  /** @internal reset for a new lookup result */
  bind(gen: number, slot: number, idLo: number, idHi: number): this {
    this.gen = gen;
    this.slot = slot;
    this.idLo = idLo;
    this.idHi = idHi;
    this.seq = -1;
    this.copied = 0;
    return this;
  }

  private line0(): DataView {
    if (!(this.copied & LINE0)) this.host.copyLines(this, LINE0);
    return this.dv;
  }

  private line1(): DataView {
    if (!(this.copied & LINE1)) this.host.copyLines(this, LINE1);
    return this.dv;
  }

  /** 64-bit instrument id. */
  get id(): bigint {
    return joinId(this.idLo, this.idHi);
  }
  /** Low 32 bits of the id (no BigInt allocation). */
  get idLow(): number {
    return this.idLo >>> 0;
  }
  /** High 32 bits of the id. */
  get idHigh(): number {
    return this.idHi >>> 0;
  }
  get kind(): InstrumentKind {
    return kindOf(this.line0());
  }
  get source(): InstrumentSource {
    return sourceOf(this.line0());
  }
  get symbol(): string {
    this.line0();
    return getSymbol(this.u8);
  }
  /** Venue code (MIC or crypto venue code). */
  get venue(): string {
    return this.host.venueCode(this.line0().getUint16(VENUE_OFFSET, true));
  }
  /** ms since the Unix epoch. */
  get createdAt(): number {
    return getMs(this.line0(), CREATED_AT_OFFSET);
  }
  get status(): InstrumentStatus {
    return statusOf(this.line1());
  }
  get tickSize(): Fixed | undefined {
    return getFixed(this.line1(), TICK_OFFSET, TICK_SCALE_OFFSET, PRESENT_BITS.tickSize);
  }
  get lotSize(): Fixed | undefined {
    return getFixed(this.line1(), LOT_OFFSET, LOT_SCALE_OFFSET, PRESENT_BITS.lotSize);
  }
  get minQty(): Fixed | undefined {
    return getFixed(this.line1(), MIN_QTY_OFFSET, MIN_QTY_SCALE_OFFSET, PRESENT_BITS.minQty);
  }
  get maxQty(): Fixed | undefined {
    return getFixed(this.line1(), MAX_QTY_OFFSET, MAX_QTY_SCALE_OFFSET, PRESENT_BITS.maxQty);
  }
  get priceDecimals(): number | undefined {
    const dv = this.line1();
    return dv.getUint8(PRESENT_OFFSET) & PRESENT_BITS.priceDecimals ? dv.getUint8(PRICE_DECIMALS_OFFSET) : undefined;
  }
  get sizeDecimals(): number | undefined {
    const dv = this.line1();
    return dv.getUint8(PRESENT_OFFSET) & PRESENT_BITS.sizeDecimals ? dv.getUint8(SIZE_DECIMALS_OFFSET) : undefined;
  }
  /** Maker fee in bps (0.01 bp resolution). */
  get makerFeeBps(): number | undefined {
    const dv = this.line1();
    return dv.getUint8(PRESENT_OFFSET) & PRESENT_BITS.makerFeeBps ? dv.getInt32(MAKER_FEE_OFFSET, true) / FEE_UNITS_PER_BP : undefined;
  }
  /** Taker fee in bps (0.01 bp resolution). */
  get takerFeeBps(): number | undefined {
    const dv = this.line1();
    return dv.getUint8(PRESENT_OFFSET) & PRESENT_BITS.takerFeeBps ? dv.getInt32(TAKER_FEE_OFFSET, true) / FEE_UNITS_PER_BP : undefined;
  }
  /** ms since the Unix epoch. */
  get updatedAt(): number {
    return getMs(this.line1(), UPDATED_AT_OFFSET);
  }
  get name(): string | undefined {
    const ref = this.line1().getUint32(NAME_REF_OFFSET, true);
    return ref ? readHeapString(this.host.heapBytes(), ref) : undefined;
  }
  /** Per-kind fields (ISIN, address, base/quote ids, strike, …) decoded from the detail blob. */
  get detail(): Readonly<Record<string, unknown>> {
    const missing = (LINE0 | LINE1) & ~this.copied;
    if (missing) this.host.copyLines(this, missing);
    return detailOf(this.dv, this.host.heapBytes());
  }

  /** Materialise a frozen plain {@link Instrument} (copies both lines, decodes everything). */
  toObject(): Instrument {
    const missing = (LINE0 | LINE1) & ~this.copied;
    if (missing) this.host.copyLines(this, missing);
    return decodeInstrument(this.dv, this.u8, this.host.heapBytes(), (i) => this.host.venueCode(i));
  }
}

/** First word of line 1 (re-exported for the reader's copy loop). */
export const LINE1_WORD = LINE1_FIRST_WORD;
