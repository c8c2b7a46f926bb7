/**
 * Canonical, versioned encoding of an instrument's identity fields. The instrument id is
 * BLAKE3 over exactly these bytes, so the encoding is frozen: any change needs a new
 * {@link IDENTITY_VERSION}. The rule (which fields identify a listing) is
 * `docs/adr/0001-listing-identity.md`; the fields are each kind's `identity` in `layout/kinds.ts`.
 *
 * Encoding v2 (all integers little-endian):
 * ```
 *  u8 IDENTITY_VERSION (2) | u8 kind code | u8 alternative | the alternative's fields, in order
 *
 *  alternative = index of the first identity alternative of the kind whose fields are all present:
 *    token, dexPool                     0: chainId, address (EVM: lower-case hex)
 *    stock, etf                         0: isin, venue      1: venue, symbol (no ISIN known)
 *    future, option, cexPair,
 *    synthetic                          0: venue, symbol
 *    currency                           0: symbol
 *  field encodings by descriptor type:
 *    str   = u16 byte length + UTF-8 bytes     u32 = 4 bytes     id = u64     ms = i64
 *    enum  = u8 code                           fixed = u8 scale + u64 raw, normalised (no trailing zeros in raw)
 * ```
 * v1 (before this version) had no alternative byte, put stock/etf's ISIN alternative under tag 1,
 * and identified an option by underlying + expiry + strike + right without its venue, so two
 * venues' options with the same terms collapsed into one instrument.
 * The input must already be validated and normalised (`validateInstrument`).
 *
 * @module
 */
import { KIND_CODES, KINDS, type KindField } from '../../layout/index.js';
import { fixed } from '../model/fixed.js';
import type { Fixed, InstrumentInput, InstrumentKind } from '../model/types.js';
import { utf8Length, writeUtf8 } from '../model/utf8.js';

/** Version byte that starts every identity encoding. */
export const IDENTITY_VERSION = 2;

/** Identity alternatives per kind, each a list of fields with their types (venue and symbol are strings). */
const IDENTITY: Record<InstrumentKind, ReadonlyArray<readonly KindField[]>> = Object.fromEntries(
  Object.entries(KINDS).map(([kind, d]) => {
    const byName = new Map((d.fields as readonly KindField[]).map((f) => [f.name, f]));
    const alts = (d.identity as ReadonlyArray<readonly string[]>).map((alt) =>
      alt.map((name): KindField => byName.get(name) ?? { name, type: 'str', doc: 'common field' }),
    );
    return [kind, alts];
  }),
) as unknown as Record<InstrumentKind, ReadonlyArray<readonly KindField[]>>;

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
  const rec = inst as unknown as Record<string, unknown>;
  const alts = IDENTITY[inst.kind];
  const alt = alts.findIndex((fields) => fields.every((f) => rec[f.name] !== undefined));
  // validateInstrument guarantees the last alternative's fields (required or common) are present.
  w.u8(IDENTITY_VERSION);
  w.u8(KIND_CODES[inst.kind]);
  w.u8(alt);
  for (const f of alts[alt]!) {
    const v = rec[f.name];
    switch (f.type) {
      case 'str':
        w.str(v as string);
        break;
      case 'u32':
        w.u32(v as number);
        break;
      case 'u8':
        w.u8(v as number);
        break;
      case 'id':
        w.u64(v as bigint);
        break;
      case 'ms':
        w.i64(v as number);
        break;
      case 'fixed':
        w.fixed(v as Fixed);
        break;
      case 'enum':
        w.u8(f.codes![v as string]!);
        break;
      case 'legs':
        throw new Error(`identity: legs cannot be an identity field (${inst.kind})`);
    }
  }
  return w;
}
