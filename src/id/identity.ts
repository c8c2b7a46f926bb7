/**
 * Canonical, versioned encoding of an instrument's identity fields. The instrument id is
 * BLAKE3 over exactly these bytes, so the encoding is frozen: any change needs a new
 * {@link IDENTITY_VERSION}.
 *
 * Encoding v1 (all integers little-endian):
 * ```
 *  u8 IDENTITY_VERSION | u8 kind code | fields of the kind:
 *    token     u32 chainId, str address (EVM: lower-case hex)
 *    stock/etf u8 1, str ISIN, str venue        when an ISIN is known
 *              u8 0, str venue, str symbol      otherwise
 *    future    str venue, str symbol
 *    option    u64 underlyingId, i64 expiry ms, fixed strike, u8 right
 *    currency  str symbol
 *    cexPair   str venue, str symbol
 *    dexPool   u32 chainId, str address
 *    synthetic str venue, str symbol
 *  str   = u16 byte length + UTF-8 bytes
 *  fixed = u8 scale + u64 raw, normalised (no trailing zeros in raw)
 * ```
 * The input must already be validated and normalised (`validateInstrument`).
 *
 * @module
 */
import { KIND_CODES, RIGHT_CODES } from '../../layout/codes.js';
import { fixed } from '../model/fixed.js';
import type { Fixed, InstrumentInput } from '../model/types.js';
import { utf8Length, writeUtf8 } from '../model/utf8.js';

/** Version byte that starts every identity encoding. */
export const IDENTITY_VERSION = 1;

class ByteWriter {
  buf = new Uint8Array(128);
  view = new DataView(this.buf.buffer);
  len = 0;
  private need(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  u8(v: number): void {
    this.need(1);
    this.view.setUint8(this.len, v);
    this.len += 1;
  }
  u16(v: number): void {
    this.need(2);
    this.view.setUint16(this.len, v, true);
    this.len += 2;
  }
  u32(v: number): void {
    this.need(4);
    this.view.setUint32(this.len, v >>> 0, true);
    this.len += 4;
  }
  u64(v: bigint): void {
    this.need(8);
    this.view.setBigUint64(this.len, BigInt.asUintN(64, v), true);
    this.len += 8;
  }
  i64(v: number): void {
    this.need(8);
    this.view.setBigInt64(this.len, BigInt(v), true);
    this.len += 8;
  }
  str(s: string): void {
    const n = utf8Length(s);
    this.u16(n);
    this.need(n);
    this.len += writeUtf8(s, this.buf, this.len);
  }
  fixed(v: Fixed): void {
    const n = fixed(v.raw, v.scale);
    this.u8(n.scale);
    this.u64(n.raw);
  }
  reset(): this {
    this.len = 0;
    return this;
  }
  bytes(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
  scratch(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}

/** One reusable encoder: the writer is single-threaded and consumes the bytes at once. */
const shared = new ByteWriter();

/**
 * Canonical identity bytes of a validated instrument (see the module doc for the format).
 * @returns a fresh byte array; the same instrument always gives the same bytes.
 */
export function identityBytes(inst: InstrumentInput): Uint8Array {
  return encodeIdentity(inst, new ByteWriter()).bytes();
}

/**
 * Like {@link identityBytes} but into a shared scratch buffer: the returned view is valid only
 * until the next call (for the id deriver's hot path).
 */
export function identityBytesScratch(inst: InstrumentInput): Uint8Array {
  return encodeIdentity(inst, shared.reset()).scratch();
}

function encodeIdentity(inst: InstrumentInput, w: ByteWriter): ByteWriter {
  w.u8(IDENTITY_VERSION);
  w.u8(KIND_CODES[inst.kind]);
  switch (inst.kind) {
    case 'token':
      w.u32(inst.chainId);
      w.str(inst.address);
      break;
    case 'stock':
    case 'etf':
      if (inst.isin) {
        w.u8(1);
        w.str(inst.isin);
        w.str(inst.venue);
      } else {
        w.u8(0);
        w.str(inst.venue);
        w.str(inst.symbol);
      }
      break;
    case 'option':
      w.u64(inst.underlyingId);
      w.i64(inst.expiry);
      w.fixed(inst.strike);
      w.u8(RIGHT_CODES[inst.right]);
      break;
    case 'currency':
      w.str(inst.symbol);
      break;
    case 'dexPool':
      w.u32(inst.chainId);
      w.str(inst.address);
      break;
    case 'future':
    case 'cexPair':
    case 'synthetic':
      w.str(inst.venue);
      w.str(inst.symbol);
      break;
  }
  return w;
}
