/**
 * Decode a whole instrument from a private copy of its record plus its heap entries.
 * Used by readers to materialise an {@link Instrument} and by the writer to re-read its own records.
 *
 * @module
 */
import {
  CREATED_AT_OFFSET,
  DETAIL_REF_OFFSET,
  FEE_UNITS_PER_BP,
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
  PRESENT_BITS,
  PRESENT_OFFSET,
  PRICE_DECIMALS_OFFSET,
  SIZE_DECIMALS_OFFSET,
  SOURCE_CODES,
  SOURCE_OFFSET,
  STATUS_CODES,
  STATUS_OFFSET,
  TAKER_FEE_OFFSET,
  TICK_OFFSET,
  TICK_SCALE_OFFSET,
  UPDATED_AT_OFFSET,
  VENUE_OFFSET,
  codeName,
} from '../../layout/index.js';
import { RegistryError } from '../errors.js';
import type { Instrument, InstrumentKind, InstrumentSource, InstrumentStatus } from '../model/types.js';
import { decodeDetail } from './detail.js';
import { getFixed, getMs, getSymbol } from './record-image.js';

/** Kind of a record copy. @throws {RegistryError} `InvalidEnum` on an unknown code. */
export function kindOf(dv: DataView): InstrumentKind {
  const k = codeName(KIND_CODES, dv.getUint8(KIND_OFFSET));
  if (!k) throw new RegistryError('InvalidEnum', `kind code ${dv.getUint8(KIND_OFFSET)}`);
  return k;
}

/** Status of a record copy. */
export function statusOf(dv: DataView): InstrumentStatus {
  const s = codeName(STATUS_CODES, dv.getUint8(STATUS_OFFSET));
  if (!s) throw new RegistryError('InvalidEnum', `status code ${dv.getUint8(STATUS_OFFSET)}`);
  return s;
}

/** Source of a record copy. */
export function sourceOf(dv: DataView): InstrumentSource {
  const s = codeName(SOURCE_CODES, dv.getUint8(SOURCE_OFFSET));
  if (!s) throw new RegistryError('InvalidEnum', `source code ${dv.getUint8(SOURCE_OFFSET)}`);
  return s;
}

/**
 * A private copy of heap entry `ref`'s payload (never a view into shared memory). The writer
 * copies from its own heap; a reader passes copies it has already validated.
 */
export type HeapEntryCopy = (ref: number) => Uint8Array;

const utf8d = new TextDecoder();

/** Per-kind detail fields of a record copy (decoded from a private copy of its heap blob). */
export function detailOf(dv: DataView, entry: HeapEntryCopy): Record<string, unknown> {
  const ref = dv.getUint32(DETAIL_REF_OFFSET, true);
  return ref === 0 ? {} : decodeDetail(kindOf(dv), entry(ref));
}

/**
 * Decode every field of a record copy into a frozen plain {@link Instrument}.
 * @param dv DataView over a PRIVATE 128-byte copy of the record (never shared memory)
 * @param entry private copies of the record's heap entries (name, detail blob)
 * @param venueCode venue index → code
 */
export function decodeInstrument(dv: DataView, u8: Uint8Array, entry: HeapEntryCopy, venueCode: (i: number) => string): Instrument {
  const out: Record<string, unknown> = {
    id: (BigInt(dv.getUint32(ID_HI_OFFSET, true)) << 32n) | BigInt(dv.getUint32(ID_LO_OFFSET, true)),
    kind: kindOf(dv),
    symbol: getSymbol(u8),
    venue: venueCode(dv.getUint16(VENUE_OFFSET, true)),
    source: sourceOf(dv),
    status: statusOf(dv),
  };
  const nameRef = dv.getUint32(NAME_REF_OFFSET, true);
  if (nameRef) out.name = utf8d.decode(entry(nameRef));
  const present = dv.getUint8(PRESENT_OFFSET);
  if (present & PRESENT_BITS.priceDecimals) out.priceDecimals = dv.getUint8(PRICE_DECIMALS_OFFSET);
  if (present & PRESENT_BITS.sizeDecimals) out.sizeDecimals = dv.getUint8(SIZE_DECIMALS_OFFSET);
  const tick = getFixed(dv, TICK_OFFSET, TICK_SCALE_OFFSET, PRESENT_BITS.tickSize);
  if (tick) out.tickSize = tick;
  const lot = getFixed(dv, LOT_OFFSET, LOT_SCALE_OFFSET, PRESENT_BITS.lotSize);
  if (lot) out.lotSize = lot;
  const minQty = getFixed(dv, MIN_QTY_OFFSET, MIN_QTY_SCALE_OFFSET, PRESENT_BITS.minQty);
  if (minQty) out.minQty = minQty;
  const maxQty = getFixed(dv, MAX_QTY_OFFSET, MAX_QTY_SCALE_OFFSET, PRESENT_BITS.maxQty);
  if (maxQty) out.maxQty = maxQty;
  if (present & PRESENT_BITS.makerFeeBps) out.makerFeeBps = dv.getInt32(MAKER_FEE_OFFSET, true) / FEE_UNITS_PER_BP;
  if (present & PRESENT_BITS.takerFeeBps) out.takerFeeBps = dv.getInt32(TAKER_FEE_OFFSET, true) / FEE_UNITS_PER_BP;
  out.createdAt = getMs(dv, CREATED_AT_OFFSET);
  out.updatedAt = getMs(dv, UPDATED_AT_OFFSET);
  Object.assign(out, detailOf(dv, entry));
  return Object.freeze(out) as unknown as Instrument;
}
