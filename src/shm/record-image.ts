/**
 * Encode an instrument into the 128-byte record image (writer) and decode fields from a
 * private copy of one (reader). Offsets come from `layout/record.ts` only.
 *
 * @module
 */
import {
  CREATED_AT_OFFSET,
  FEE_UNITS_PER_BP,
  FLAGS_OFFSET,
  FP_OFFSET,
  GEN_TAG_OFFSET,
  ID_HI_OFFSET,
  ID_LO_OFFSET,
  KIND_CODES,
  KIND_OFFSET,
  LOT_OFFSET,
  LOT_SCALE_OFFSET,
  MAKER_FEE_OFFSET,
  MAX_QTY_OFFSET,
  MAX_QTY_SCALE_OFFSET,
  MIN_QTY_OFFSET,
  MIN_QTY_SCALE_OFFSET,
  NAME_REF_OFFSET,
  DETAIL_REF_OFFSET,
  PRESENT_BITS,
  PRESENT_OFFSET,
  PRICE_DECIMALS_OFFSET,
  RECORD_SIZE,
  SIZE_DECIMALS_OFFSET,
  SIZE_OF_I32,
  SOURCE_CODES,
  SOURCE_OFFSET,
  STATE_OFFSET,
  STATUS_CODES,
  STATUS_OFFSET,
  SYMBOL_LEN_OFFSET,
  SYMBOL_OFFSET,
  TAKER_FEE_OFFSET,
  TICK_OFFSET,
  TICK_SCALE_OFFSET,
  UPDATED_AT_OFFSET,
  VENUE_OFFSET,
} from '../../layout/index.js';
import type { Fixed, InstrumentInput } from '../model/types.js';
import { writeUtf8 } from '../model/utf8.js';

const utf8 = new TextEncoder();
const utf8d = new TextDecoder();

/** Everything the writer puts in a record besides the instrument's own fields. */
export interface RecordMeta {
  state: number;
  idLo: number;
  idHi: number;
  fp: number;
  genTag: number;
  venue: number;
  createdAt: number;
  updatedAt: number;
  nameRef: number;
  detailRef: number;
}

const TWO_32 = 2 ** 32;

/** Store a u64 as two halves. Values below 2^53 (all real tick and lot sizes) skip BigInt arithmetic. */
function setU64(dv: DataView, off: number, v: bigint): void {
  if (v <= 0x1fffffffffffffn) {
    const n = Number(v);
    const lo = n % TWO_32;
    dv.setUint32(off, lo, true);
    dv.setUint32(off + SIZE_OF_I32, (n - lo) / TWO_32, true);
    return;
  }
  dv.setUint32(off, Number(v & 0xffffffffn), true);
  dv.setUint32(off + SIZE_OF_I32, Number(v >> 32n), true);
}

/** Store an integer ms timestamp (|ms| < 2^53) as a two's-complement i64 in two halves, without BigInt. */
function setMs(dv: DataView, off: number, ms: number): void {
  const hi = Math.floor(ms / TWO_32);
  dv.setUint32(off, ms - hi * TWO_32, true);
  dv.setInt32(off + SIZE_OF_I32, hi, true);
}

function setFixed(dv: DataView, rawOff: number, scaleOff: number, v: Fixed | undefined): void {
  if (!v) return;
  setU64(dv, rawOff, v.raw);
  dv.setUint8(scaleOff, v.scale);
}

/** Fill `dv` (a private 128-byte buffer, zeroed here) with the record image. SEQ is left 0. */
export function writeRecordImage(dv: DataView, inst: InstrumentInput, meta: RecordMeta): void {
  new Uint8Array(dv.buffer, dv.byteOffset, RECORD_SIZE).fill(0);
  dv.setUint8(STATE_OFFSET, meta.state);
  dv.setUint8(KIND_OFFSET, KIND_CODES[inst.kind]);
  dv.setUint8(SOURCE_OFFSET, SOURCE_CODES[inst.source]);
  dv.setUint8(FLAGS_OFFSET, 0);
  dv.setUint32(ID_LO_OFFSET, meta.idLo, true);
  dv.setUint32(ID_HI_OFFSET, meta.idHi, true);
  dv.setUint32(FP_OFFSET, meta.fp, true);
  dv.setUint32(GEN_TAG_OFFSET, meta.genTag, true);
  dv.setUint16(VENUE_OFFSET, meta.venue, true);
  const symLen = writeUtf8(inst.symbol, new Uint8Array(dv.buffer, dv.byteOffset, RECORD_SIZE), SYMBOL_OFFSET);
  dv.setUint8(SYMBOL_LEN_OFFSET, symLen);
  setMs(dv, CREATED_AT_OFFSET, meta.createdAt);

  let present = 0;
  if (inst.tickSize) present |= PRESENT_BITS.tickSize;
  if (inst.lotSize) present |= PRESENT_BITS.lotSize;
  if (inst.minQty) present |= PRESENT_BITS.minQty;
  if (inst.maxQty) present |= PRESENT_BITS.maxQty;
  if (inst.priceDecimals !== undefined) present |= PRESENT_BITS.priceDecimals;
  if (inst.sizeDecimals !== undefined) present |= PRESENT_BITS.sizeDecimals;
  if (inst.makerFeeBps !== undefined) present |= PRESENT_BITS.makerFeeBps;
  if (inst.takerFeeBps !== undefined) present |= PRESENT_BITS.takerFeeBps;
  setFixed(dv, TICK_OFFSET, TICK_SCALE_OFFSET, inst.tickSize);
  setFixed(dv, LOT_OFFSET, LOT_SCALE_OFFSET, inst.lotSize);
  setFixed(dv, MIN_QTY_OFFSET, MIN_QTY_SCALE_OFFSET, inst.minQty);
  setFixed(dv, MAX_QTY_OFFSET, MAX_QTY_SCALE_OFFSET, inst.maxQty);
  dv.setUint8(PRICE_DECIMALS_OFFSET, inst.priceDecimals ?? 0);
  dv.setUint8(SIZE_DECIMALS_OFFSET, inst.sizeDecimals ?? 0);
  dv.setUint8(STATUS_OFFSET, STATUS_CODES[inst.status]);
  dv.setUint8(PRESENT_OFFSET, present);
  dv.setInt32(MAKER_FEE_OFFSET, Math.round((inst.makerFeeBps ?? 0) * FEE_UNITS_PER_BP), true);
  dv.setInt32(TAKER_FEE_OFFSET, Math.round((inst.takerFeeBps ?? 0) * FEE_UNITS_PER_BP), true);
  setMs(dv, UPDATED_AT_OFFSET, meta.updatedAt);
  dv.setUint32(NAME_REF_OFFSET, meta.nameRef, true);
  dv.setUint32(DETAIL_REF_OFFSET, meta.detailRef, true);
}

// ---------------------------------------------------------------- reader-side decoding (from a private copy)

/** Read a u64 stored as two halves as a bigint. */
export function getU64(dv: DataView, off: number): bigint {
  return (BigInt(dv.getUint32(off + SIZE_OF_I32, true)) << 32n) | BigInt(dv.getUint32(off, true));
}

/** Read a ms timestamp stored as two halves. */
export function getMs(dv: DataView, off: number): number {
  return dv.getInt32(off + SIZE_OF_I32, true) * TWO_32 + dv.getUint32(off, true);
}

/** Read a fixed-point field, `undefined` if its PRESENT bit is clear. */
export function getFixed(dv: DataView, rawOff: number, scaleOff: number, bit: number): Fixed | undefined {
  if (!(dv.getUint8(PRESENT_OFFSET) & bit)) return undefined;
  return Object.freeze({ raw: getU64(dv, rawOff), scale: dv.getUint8(scaleOff) });
}

/** Decode the symbol from a private copy (ASCII fast path, UTF-8 otherwise). */
export function getSymbol(u8: Uint8Array): string {
  const n = u8[SYMBOL_LEN_OFFSET]!;
  let s = '';
  for (let i = 0; i < n; i++) {
    const c = u8[SYMBOL_OFFSET + i]!;
    if (c >= 0x80) return utf8d.decode(u8.subarray(SYMBOL_OFFSET, SYMBOL_OFFSET + n));
    s += String.fromCharCode(c);
  }
  return s;
}

/**
 * Compare the symbol in a record copy with a query string without allocating.
 * Non-ASCII queries fall back to encoding.
 */
export function symbolEquals(u8: Uint8Array, base: number, query: string): boolean {
  const n = u8[base + SYMBOL_LEN_OFFSET]!;
  if (query.length === n) {
    let ascii = true;
    for (let i = 0; i < n; i++) {
      const q = query.charCodeAt(i);
      if (q >= 0x80) {
        ascii = false;
        break;
      }
      if (u8[base + SYMBOL_OFFSET + i] !== q) return false;
    }
    if (ascii) return true;
  } else {
    // An ASCII query of a different length cannot match; a non-ASCII one might.
    let ascii = true;
    for (let i = 0; i < query.length; i++) if (query.charCodeAt(i) >= 0x80) ascii = false;
    if (ascii) return false;
  }
  const b = utf8.encode(query);
  if (b.length !== n) return false;
  for (let i = 0; i < n; i++) if (u8[base + SYMBOL_OFFSET + i] !== b[i]) return false;
  return true;
}
