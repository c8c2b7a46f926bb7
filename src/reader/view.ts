/**
 * {@link InstrumentView}: what a lookup returns. It owns a private copy of the record, made
 * lazily per cache line under the seqlock, and decodes a field only when asked, so a caller that
 * needs one field pays for one line copy and one field decode. It never exposes shared memory.
 *
 * The copy lives in two 16-word Int32Arrays (one per cache line): V8 allocates typed arrays of
 * ≤ 64 bytes on the JS heap, which is far cheaper than one 128-byte array with an off-heap store.
 *
 * Consistency: all fields a view returns come from one version of the record. The first line
 * copy fixes the version (its sequence number); a later copy of the other line that finds a newer
 * version re-copies both lines, so the view moves to the newer version as a whole.
 *
 * @module
 */
import {
  CACHE_LINE,
  CREATED_AT_OFFSET,
  DETAIL_REF_OFFSET,
  FEE_UNITS_PER_BP,
  KIND_OFFSET,
  LINE_WORDS,
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
  SOURCE_OFFSET,
  STATUS_OFFSET,
  SYMBOL_LEN_OFFSET,
  SYMBOL_OFFSET,
  TAKER_FEE_OFFSET,
  TICK_OFFSET,
  TICK_SCALE_OFFSET,
  UPDATED_AT_OFFSET,
  VENUE_OFFSET,
  KIND_CODES,
  SOURCE_CODES,
  STATUS_CODES,
  codeName,
} from '../../layout/index.js';
import { RegistryError } from '../errors.js';
import { joinId } from '../id/halves.js';
import type { Fixed, Instrument, InstrumentKind, InstrumentSource, InstrumentStatus } from '../model/types.js';
import { decodeInstrument, detailOf } from '../shm/decode.js';
import { i32At, msAt, u16At, u32At, u64At, u8At } from '../shm/words.js';

/** Line selectors for {@link ViewHost.copyLines}. */
export const LINE0 = 1;
/** Second cache line. */
export const LINE1 = 2;
/** Both lines. */
export const ALL_LINES = LINE0 | LINE1;

/** What a view needs from its reader (implemented by RegistryReader). */
export interface ViewHost {
  /** Copy the requested lines of the view's record under the seqlock (see RegistryReader). */
  copyLines(view: InstrumentView, lines: number): void;
  /**
   * A private copy of heap entry `ref` of the view's record, or null if the heap of the view's
   * generation is being reused: the host then relocated the view (nothing copied) and the caller
   * reads the reference again.
   */
  heapEntry(view: InstrumentView, ref: number): Uint8Array | null;
  /** Venue index → code. */
  venueCode(index: number): string;
}

const utf8d = new TextDecoder();
const NO_ENTRY = new Uint8Array(0);

/** Byte offset within cache line 1 of a record offset in that line. */
const l1 = (recordOffset: number) => recordOffset - CACHE_LINE;

/** A lazily decoded, privately copied instrument record. Reusable: pass it back to a lookup as `into`. */
export class InstrumentView {
  /** @internal private copy of cache line 0 (word 0 = SEQ is not copied) */
  readonly line0 = new Int32Array(LINE_WORDS);
  /** @internal private copy of cache line 1 */
  readonly line1 = new Int32Array(LINE_WORDS);
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

  /**
   * A view to reuse as the `into` of lookups (`new InstrumentView(reader)`).
   * @param host the reader whose lookups fill it
   * @throws {RegistryError} `InvalidArgument` if `host` is not a reader.
   */
  constructor(private readonly host: ViewHost) {
    if (typeof host !== 'object' || host === null || typeof host.heapEntry !== 'function' || typeof host.copyLines !== 'function') {
      throw new RegistryError('InvalidArgument', 'InstrumentView needs the RegistryReader it reads from');
    }
  }

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

  /** @internal line 0 words, copied on first use */
  w0(): Int32Array {
    if (!(this.copied & LINE0)) this.host.copyLines(this, LINE0);
    return this.line0;
  }

  /** @internal line 1 words, copied on first use */
  w1(): Int32Array {
    if (!(this.copied & LINE1)) this.host.copyLines(this, LINE1);
    return this.line1;
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
  /** Kind code (`KIND_CODES`), no string lookup. */
  get kindCode(): number {
    return u8At(this.w0(), KIND_OFFSET);
  }
  get kind(): InstrumentKind {
    return decodeCode(KIND_CODES, this.kindCode, 'kind');
  }
  get source(): InstrumentSource {
    return decodeCode(SOURCE_CODES, u8At(this.w0(), SOURCE_OFFSET), 'source');
  }
  /** Venue index in the registry's venue table. */
  get venueIndex(): number {
    return u16At(this.w0(), VENUE_OFFSET);
  }
  /** Venue code (MIC or crypto venue code). */
  get venue(): string {
    return this.host.venueCode(this.venueIndex);
  }
  get symbol(): string {
    const w = this.w0();
    const n = u8At(w, SYMBOL_LEN_OFFSET);
    let s = '';
    for (let i = 0; i < n; i++) {
      const c = u8At(w, SYMBOL_OFFSET + i);
      if (c >= 0x80) return utf8d.decode(Uint8Array.from({ length: n }, (_, k) => u8At(w, SYMBOL_OFFSET + k)));
      s += String.fromCharCode(c);
    }
    return s;
  }
  /** ms since the Unix epoch. */
  get createdAt(): number {
    return msAt(this.w0(), CREATED_AT_OFFSET);
  }
  get status(): InstrumentStatus {
    return decodeCode(STATUS_CODES, u8At(this.w1(), l1(STATUS_OFFSET)), 'status');
  }
  get tickSize(): Fixed | undefined {
    return this.fixedAt(TICK_OFFSET, TICK_SCALE_OFFSET, PRESENT_BITS.tickSize);
  }
  get lotSize(): Fixed | undefined {
    return this.fixedAt(LOT_OFFSET, LOT_SCALE_OFFSET, PRESENT_BITS.lotSize);
  }
  get minQty(): Fixed | undefined {
    return this.fixedAt(MIN_QTY_OFFSET, MIN_QTY_SCALE_OFFSET, PRESENT_BITS.minQty);
  }
  get maxQty(): Fixed | undefined {
    return this.fixedAt(MAX_QTY_OFFSET, MAX_QTY_SCALE_OFFSET, PRESENT_BITS.maxQty);
  }
  get priceDecimals(): number | undefined {
    return this.present(PRESENT_BITS.priceDecimals) ? u8At(this.line1, l1(PRICE_DECIMALS_OFFSET)) : undefined;
  }
  get sizeDecimals(): number | undefined {
    return this.present(PRESENT_BITS.sizeDecimals) ? u8At(this.line1, l1(SIZE_DECIMALS_OFFSET)) : undefined;
  }
  /** Maker fee in bps (0.01 bp resolution). */
  get makerFeeBps(): number | undefined {
    return this.present(PRESENT_BITS.makerFeeBps) ? i32At(this.line1, l1(MAKER_FEE_OFFSET)) / FEE_UNITS_PER_BP : undefined;
  }
  /** Taker fee in bps (0.01 bp resolution). */
  get takerFeeBps(): number | undefined {
    return this.present(PRESENT_BITS.takerFeeBps) ? i32At(this.line1, l1(TAKER_FEE_OFFSET)) / FEE_UNITS_PER_BP : undefined;
  }
  /** ms since the Unix epoch. */
  get updatedAt(): number {
    return msAt(this.w1(), l1(UPDATED_AT_OFFSET));
  }
  /**
   * Name (copied from the heap of the view's generation). If the writer has reused that heap
   * since (two compactions or rebuilds later), the view first moves to the record's current
   * version, as a whole.
   * @throws {UnknownInstrumentError} the view had to move and the instrument was removed since.
   */
  get name(): string | undefined {
    for (;;) {
      const ref = u32At(this.w1(), l1(NAME_REF_OFFSET));
      if (!ref) return undefined;
      const bytes = this.host.heapEntry(this, ref);
      if (bytes) return utf8d.decode(bytes);
    }
  }
  /** @internal heap reference of the detail blob (0 = none) */
  get detailRef(): number {
    return u32At(this.w1(), l1(DETAIL_REF_OFFSET));
  }
  /**
   * Per-kind fields (ISIN, address, base/quote ids, strike, …) decoded from a private copy of the
   * detail blob. Same relocation rule as {@link name}.
   * @throws {UnknownInstrumentError} the view had to move and the instrument was removed since.
   */
  get detail(): Readonly<Record<string, unknown>> {
    for (;;) {
      const dv = this.dataView();
      const ref = dv.getUint32(DETAIL_REF_OFFSET, true);
      if (!ref) return {};
      const bytes = this.host.heapEntry(this, ref);
      if (bytes) return detailOf(dv, () => bytes);
    }
  }

  /**
   * Materialise a frozen plain {@link Instrument} (copies both lines, decodes everything): every
   * field, name and detail included, comes from one version of the record.
   * @throws {UnknownInstrumentError} the view had to move (see {@link name}) and the instrument was
   *   removed since.
   */
  toObject(): Instrument {
    for (;;) {
      const dv = this.dataView();
      const nameRef = dv.getUint32(NAME_REF_OFFSET, true);
      const detailRef = dv.getUint32(DETAIL_REF_OFFSET, true);
      const name = nameRef ? this.host.heapEntry(this, nameRef) : NO_ENTRY;
      if (!name) continue; // relocated: copy the record again
      const detail = detailRef ? this.host.heapEntry(this, detailRef) : NO_ENTRY;
      if (!detail) continue;
      return decodeInstrument(
        dv,
        new Uint8Array(dv.buffer),
        (ref) => (ref === nameRef ? name : detail),
        (i) => this.host.venueCode(i),
      );
    }
  }

  /** A fresh private copy of the whole 128-byte record (SEQ word zeroed), one consistent version. */
  recordBytes(): Uint8Array {
    const missing = ALL_LINES & ~this.copied;
    if (missing) this.host.copyLines(this, missing);
    const all = new Int32Array(RECORD_WORDS);
    all.set(this.line0, 0);
    all.set(this.line1, LINE_WORDS);
    all[0] = 0;
    return new Uint8Array(all.buffer);
  }

  /** Both lines as one private 128-byte buffer (for whole-record decoding). */
  private dataView(): DataView {
    return new DataView(this.recordBytes().buffer);
  }

  private present(bit: number): boolean {
    return (u8At(this.w1(), l1(PRESENT_OFFSET)) & bit) !== 0;
  }

  private fixedAt(rawOff: number, scaleOff: number, bit: number): Fixed | undefined {
    if (!this.present(bit)) return undefined;
    return Object.freeze({ raw: u64At(this.line1, l1(rawOff)), scale: u8At(this.line1, l1(scaleOff)) });
  }
}

function decodeCode<T extends Record<string, number>>(table: T, code: number, what: string): keyof T & string {
  const n = codeName(table, code);
  if (n === undefined) throw new RegistryError('InvalidEnum', `${what} code ${code}`);
  return n as keyof T & string;
}
