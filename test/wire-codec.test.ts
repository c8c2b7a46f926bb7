import { describe, expect, it } from 'vitest';
import { RegistryError, ValidationError } from '../src/errors.js';
import { checkIsin } from '../src/identifiers/index.js';
import type { InstrumentInput } from '../src/model/types.js';
import { decodeMessage, encodeMessage, readHeader } from '../src/wire/codec.js';
import { WireFormatError } from '../src/wire/errors.js';
import type { WireMessage } from '../src/wire/types.js';
import * as L from '../layout/wire.js';
import { buildFrame, hex, recrc, referenceCrc, str8, u64le } from './helpers/wire-frames.js';

const hdr = { seq: 7n, timestampNs: 1_700_000_000_123_456_789n, flags: 0 };

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(RegistryError);
    return (e as RegistryError).code;
  }
  throw new Error('expected a RegistryError, nothing was thrown');
}

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return (e as RegistryError).field;
  }
  return 'nothing thrown';
}

/** Registration payload prefix built from literal codes (layout/codes.ts): kind, source, status, rsvd, masks. */
function regPayload(kind: number, source: number, status: number, commonMask: number, kindMask: number, rest: number[], reserved = 0): number[] {
  return [
    kind,
    source,
    status,
    reserved,
    commonMask & 0xff,
    commonMask >> 8,
    kindMask & 0xff,
    (kindMask >> 8) & 0xff,
    (kindMask >> 16) & 0xff,
    kindMask >>> 24,
    ...rest,
  ];
}

const EXAMPLES: Record<string, InstrumentInput> = {
  stock: {
    kind: 'stock',
    symbol: 'AAPL',
    venue: 'XNAS',
    source: 'tradfi',
    status: 'active',
    name: 'Apple Inc.',
    isin: 'US0378331005',
    cusip: '037833100',
    currency: 'USD',
    tickSize: { raw: 1n, scale: 2 },
    lotSize: { raw: 1n, scale: 0 },
    priceDecimals: 2,
    createdAt: 1_700_000_000_000,
  },
  etf: { kind: 'etf', symbol: 'SPY', venue: 'ARCX', source: 'tradfi', status: 'halted', isin: 'US78462F1030', sedol: '2840215' },
  token: {
    kind: 'token',
    symbol: 'USDC',
    venue: 'ETHEREUM',
    source: 'defi',
    status: 'active',
    chainId: 1,
    address: '0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48',
    sizeDecimals: 6,
  },
  solToken: {
    kind: 'token',
    symbol: 'USDC',
    venue: 'SOLANA',
    source: 'defi',
    status: 'active',
    chainId: 501000101,
    address: 'EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v',
  },
  future: {
    kind: 'future',
    symbol: 'ESZ4',
    venue: 'XCME',
    source: 'tradfi',
    status: 'active',
    expiry: 1_734_652_800_000,
    contractType: 'future',
    contractSize: { raw: 50n, scale: 0 },
    currency: 'USD',
    underlyingId: 0xfedcba9876543210n,
  },
  option: {
    kind: 'option',
    symbol: 'AAPL240119C00190000',
    venue: 'OPRA',
    source: 'tradfi',
    status: 'delisted',
    underlyingId: 0x8000000000000001n,
    expiry: 1_705_622_400_000,
    strike: { raw: 190n, scale: 0 },
    right: 'call',
    style: 'american',
    occSymbol: 'AAPL  240119C00190000',
  },
  currency: { kind: 'currency', symbol: 'BTC', venue: 'ASSET', source: 'cex', status: 'active' },
  cexPair: {
    kind: 'cexPair',
    symbol: 'BTCUSDT',
    venue: 'BINANCE',
    source: 'cex',
    status: 'active',
    baseId: 1n,
    quoteId: 2n,
    minNotional: { raw: 5n, scale: 0 },
    makerFeeBps: -0.5,
    takerFeeBps: 4.5,
    minQty: { raw: 1n, scale: 3 },
    maxQty: { raw: 18446744073709551615n, scale: 30 },
    tickSize: { raw: 1n, scale: 1 },
  },
  dexPool: {
    kind: 'dexPool',
    symbol: 'USDC/WETH',
    venue: 'UNISWAP_V3',
    source: 'defi',
    status: 'active',
    chainId: 1,
    address: '0x88e6a0c2ddd26feeb64f039a2c41296fcb3f5640',
    token0Id: 11n,
    token1Id: 12n,
    feeTier: 500,
    poolType: 'concentratedLiquidity',
  },
  synthetic: {
    kind: 'synthetic',
    symbol: 'ETH-BTC spread ₿',
    venue: 'SYNTH',
    source: 'synthetic',
    status: 'active',
    name: 'Ünïcödé 名前 🚀',
    legs: [
      { id: 1n, weight: { raw: 1n, scale: 0 } },
      { id: 0xffffffffffffffffn, weight: { raw: 5n, scale: 1 }, negative: true },
      { id: 0x100000000n, weight: { raw: 0n, scale: 0 }, negative: false },
    ],
    createdAt: -1,
    updatedAt: 2 ** 53 - 1,
  },
};

describe('layout/wire header (values from SPEC-wire.md)', () => {
  it('puts the header fields at the documented offsets', () => {
    expect([
      L.WIRE_MAGIC_OFFSET,
      L.WIRE_TYPE_OFFSET,
      L.WIRE_VERSION_OFFSET,
      L.WIRE_FLAGS_OFFSET,
      L.WIRE_LENGTH_OFFSET,
      L.WIRE_SEQ_OFFSET,
      L.WIRE_TIMESTAMP_OFFSET,
      L.WIRE_CRC_OFFSET,
      L.WIRE_HEADER_SIZE,
    ]).toEqual([0, 4, 5, 6, 8, 12, 20, 28, 32]);
    expect(Buffer.from(new Uint8Array(new Uint32Array([L.WIRE_MAGIC]).buffer)).toString('latin1')).toBe('IRWP');
    expect(Object.values(L.MESSAGE_TYPES)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
  });
});

describe('payload sizes listed in SPEC-wire.md', () => {
  const F = { raw: 1n, scale: 1 };
  const full = {
    symbol: 'S'.repeat(28),
    venue: 'V'.repeat(16),
    source: 'synthetic',
    status: 'active',
    name: 'n'.repeat(256),
    priceDecimals: 1,
    sizeDecimals: 1,
    tickSize: F,
    lotSize: F,
    minQty: F,
    maxQty: F,
    makerFeeBps: 1,
    takerFeeBps: 1,
    createdAt: 1,
    updatedAt: 1,
  } as const;
  const size = (m: WireMessage) => encodeMessage(m).length - 32;
  it('smallest and largest valid payloads', () => {
    const legs = Array.from({ length: 64 }, (_, i) => ({ id: BigInt(i), weight: F, negative: true }));
    expect(size({ type: 'instrumentRegistration', ...hdr, instrument: { ...full, kind: 'synthetic', legs } })).toBe(1529);
    expect(size({ type: 'instrumentRegistration', ...hdr, instrument: { kind: 'currency', symbol: 'B', venue: 'A', source: 'cex', status: 'active' } })).toBe(
      14,
    );
    expect(
      size({
        type: 'poolRegistration',
        ...hdr,
        instrument: { ...full, kind: 'dexPool', chainId: 501000101, address: 'a'.repeat(64), token0Id: 1n, token1Id: 2n, feeTier: 1, poolType: 'weighted' },
      }),
    ).toBe(466);
    expect(
      size({
        type: 'cexPairRegistration',
        ...hdr,
        instrument: {
          ...full,
          kind: 'cexPair',
          baseId: 1n,
          quoteId: 2n,
          minNotional: F,
          maxNotional: F,
          minPrice: F,
          maxPrice: F,
          positionLimit: F,
        },
      }),
    ).toBe(437);
    const { symbol: _s, venue: _v, source: _so, createdAt: _c, ...mutable } = full;
    expect(size({ type: 'instrumentUpdate', ...hdr, id: 1n, patch: { ...mutable, status: 'halted' } })).toBe(323);
    expect(size({ type: 'instrumentUpdate', ...hdr, id: 1n, patch: {} })).toBe(10);
    expect(
      size({
        type: 'venueRegistration',
        ...hdr,
        venue: { code: 'C'.repeat(16), mic: 'XNAS', name: 'n'.repeat(256), country: 'US', status: 'active', makerFeeBps: 1, takerFeeBps: 1 },
      }),
    ).toBe(293);
    expect(size({ type: 'errorResponse', ...hdr, code: 'c'.repeat(64), message: 'm'.repeat(1024), refSeq: 1n })).toBe(1099);
    expect(size({ type: 'instrumentRemoval', ...hdr, id: 1n })).toBe(8);
    expect(size({ type: 'snapshotMarker', ...hdr, logSeq: 1n, instrumentCount: 1 })).toBe(12);
    expect(size({ type: 'healthCheck', ...hdr, nonce: 1n })).toBe(8);
  });
});

describe('encodeMessage / decodeMessage: reference frames', () => {
  it('encodes a health check byte-for-byte like the reference builder (literal offsets, zlib CRC32)', () => {
    const msg: WireMessage = { type: 'healthCheck', seq: 0x0102030405060708n, timestampNs: 0x1122334455667788n, flags: 1, nonce: 0xdeadbeefcafebaben };
    const ref = buildFrame({ type: 8, flags: 1, seq: msg.seq, timestampNs: msg.timestampNs, payload: u64le(0xdeadbeefcafebaben) });
    const bytes = encodeMessage(msg);
    expect(hex(bytes)).toBe(hex(ref));
    expect(hex(bytes.subarray(0, 12))).toBe('495257500801010008000000');
    expect(decodeMessage(ref)).toEqual(msg);
  });

  it('decodes a hand-built currency registration and encodes it back to the same bytes', () => {
    const payload = regPayload(6, 2, 1, 0b11, 0, [...str8('BTC'), ...str8('ASSET')]);
    const frame = buildFrame({ type: 1, seq: 3n, payload });
    const expected = {
      type: 'instrumentRegistration',
      seq: 3n,
      timestampNs: 0n,
      flags: 0,
      instrument: { kind: 'currency', source: 'cex', status: 'active', symbol: 'BTC', venue: 'ASSET' },
    };
    expect(decodeMessage(frame)).toStrictEqual(expected);
    expect(hex(encodeMessage(expected as WireMessage))).toBe(hex(frame));
  });

  it('decodes hand-built removal, snapshot marker and error response payloads', () => {
    expect(decodeMessage(buildFrame({ type: 3, payload: u64le(0x1234567890abcdefn) }))).toEqual({
      type: 'instrumentRemoval',
      seq: 1n,
      timestampNs: 0n,
      flags: 0,
      id: 0x1234567890abcdefn,
    });
    expect(decodeMessage(buildFrame({ type: 7, payload: [...u64le(99n), 0x10, 0x27, 0, 0] }))).toEqual({
      type: 'snapshotMarker',
      seq: 1n,
      timestampNs: 0n,
      flags: 0,
      logSeq: 99n,
      instrumentCount: 10000,
    });
    const msg = new TextEncoder().encode('nope');
    expect(decodeMessage(buildFrame({ type: 9, payload: [...u64le(5n), ...str8('UnknownInstrument'), msg.length, 0, ...msg] }))).toEqual({
      type: 'errorResponse',
      seq: 1n,
      timestampNs: 0n,
      flags: 0,
      refSeq: 5n,
      code: 'UnknownInstrument',
      message: 'nope',
    });
  });

  it('the CRC covers the header as well as the payload', () => {
    const f = encodeMessage({ type: 'instrumentRemoval', ...hdr, id: 1n });
    expect(new DataView(f.buffer).getUint32(28, true)).toBe(referenceCrc(f));
  });
});

describe('round trip of every kind (lossless)', () => {
  for (const [name, instrument] of Object.entries(EXAMPLES)) {
    it(name, () => {
      const type = instrument.kind === 'dexPool' ? 'poolRegistration' : instrument.kind === 'cexPair' ? 'cexPairRegistration' : 'instrumentRegistration';
      const msg = { type, ...hdr, instrument } as WireMessage;
      const back = decodeMessage(encodeMessage(msg)) as Extract<WireMessage, { instrument: unknown }>;
      expect(back).toStrictEqual(msg);
      // absent optional fields stay absent (not undefined-valued keys)
      for (const k of ['name', 'tickSize', 'makerFeeBps', 'updatedAt']) {
        expect(k in back.instrument).toBe(k in instrument);
      }
    });
  }

  it('a real ISIN example validates (sanity of the fixture)', () => {
    expect(checkIsin('US78462F1030')).toBe('US78462F1030');
  });

  it('normalises on encode: EVM address lower-cased', () => {
    const mixed = { ...EXAMPLES.token, address: '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48' } as InstrumentInput;
    const back = decodeMessage(encodeMessage({ type: 'instrumentRegistration', ...hdr, instrument: mixed })) as { instrument: { address: string } };
    expect(back.instrument.address).toBe('0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48');
  });

  it('round-trips the other message types, including u64 extremes', () => {
    const max = (1n << 64n) - 1n;
    const msgs: WireMessage[] = [
      {
        type: 'instrumentUpdate',
        seq: max,
        timestampNs: 0n,
        flags: 0,
        id: 0xffffffff00000000n,
        patch: { status: 'halted', tickSize: { raw: 5n, scale: 3 }, makerFeeBps: -2.25, updatedAt: -5 },
      },
      { type: 'instrumentUpdate', ...hdr, id: 1n, patch: {} },
      { type: 'venueRegistration', ...hdr, venue: { code: 'XNAS', mic: 'XNAS', name: 'Nasdaq', country: 'US', status: 'active', takerFeeBps: 0.3 } },
      { type: 'venueRegistration', ...hdr, venue: { code: 'BINANCE', name: 'Binance', status: 'halted' } },
      { type: 'snapshotMarker', ...hdr, logSeq: max, instrumentCount: 0xffffffff },
      { type: 'errorResponse', ...hdr, code: 'X', message: '', refSeq: 0n },
    ];
    for (const m of msgs) expect(decodeMessage(encodeMessage(m))).toStrictEqual(m);
  });
});

describe('decode errors are typed', () => {
  const good = () => encodeMessage({ type: 'instrumentRegistration', ...hdr, instrument: EXAMPLES.stock });

  it('BufferTooSmall: shorter than the header, or than header + LENGTH', () => {
    expect(codeOf(() => decodeMessage(new Uint8Array(0)))).toBe('BufferTooSmall');
    expect(codeOf(() => decodeMessage(good().subarray(0, 31)))).toBe('BufferTooSmall');
    const g = good();
    expect(codeOf(() => decodeMessage(g.subarray(0, g.length - 1)))).toBe('BufferTooSmall');
    expect(() => decodeMessage(new Uint8Array(3))).toThrow(WireFormatError);
  });

  it('BadMagic', () => {
    expect(codeOf(() => decodeMessage(buildFrame({ type: 8, magic: 0x50575248, payload: u64le(1n) })))).toBe('BadMagic');
  });

  it('UnsupportedVersion (checked before the type)', () => {
    expect(codeOf(() => decodeMessage(buildFrame({ type: 8, version: 2, payload: u64le(1n) })))).toBe('UnsupportedVersion');
    expect(codeOf(() => decodeMessage(buildFrame({ type: 8, version: 0, payload: u64le(1n) })))).toBe('UnsupportedVersion');
    expect(codeOf(() => decodeMessage(buildFrame({ type: 99, version: 2, payload: u64le(1n) })))).toBe('UnsupportedVersion');
  });

  it('UnknownType', () => {
    for (const t of [0, 16, 255]) expect(codeOf(() => decodeMessage(buildFrame({ type: t, payload: u64le(1n) })))).toBe('UnknownType');
  });

  it('LengthOutOfBounds: LENGTH above the maximum, trailing bytes, fields past the payload, leftovers', () => {
    expect(codeOf(() => decodeMessage(buildFrame({ type: 8, length: 8193, payload: u64le(1n) })))).toBe('LengthOutOfBounds');
    const g = good();
    const longer = new Uint8Array(g.length + 1);
    longer.set(g);
    expect(codeOf(() => decodeMessage(longer))).toBe('LengthOutOfBounds');
    // symbol says 10 bytes, payload ends after 3
    expect(codeOf(() => decodeMessage(buildFrame({ type: 1, payload: regPayload(6, 2, 1, 0b1, 0, [10, 65, 66, 67]) })))).toBe('LengthOutOfBounds');
    // registration prefix cut short
    expect(codeOf(() => decodeMessage(buildFrame({ type: 1, payload: [6, 2, 1] })))).toBe('LengthOutOfBounds');
    // one byte left over after the last field
    expect(codeOf(() => decodeMessage(buildFrame({ type: 1, payload: regPayload(6, 2, 1, 0b11, 0, [...str8('BTC'), ...str8('ASSET'), 0]) })))).toBe(
      'LengthOutOfBounds',
    );
    // fixed-size payloads must be exactly their size
    expect(codeOf(() => decodeMessage(buildFrame({ type: 3, payload: [...u64le(1n), 0] })))).toBe('LengthOutOfBounds');
    expect(codeOf(() => decodeMessage(buildFrame({ type: 8, payload: [1, 2, 3] })))).toBe('LengthOutOfBounds');
    expect(codeOf(() => decodeMessage(buildFrame({ type: 7, payload: u64le(1n) })))).toBe('LengthOutOfBounds');
  });

  it('ChecksumMismatch: payload bit, header seq bit, stored CRC bit', () => {
    for (const [byte, bit] of [
      [40, 0],
      [12, 7],
      [20, 3],
      [6, 1],
      [29, 5],
    ] as const) {
      const f = good();
      f[byte] ^= 1 << bit;
      expect(codeOf(() => decodeMessage(f))).toBe('ChecksumMismatch');
    }
  });

  it('FieldTooLong: a string longer than its limit', () => {
    const sym = 'A'.repeat(29);
    const f1 = buildFrame({ type: 1, payload: regPayload(6, 2, 1, 0b11, 0, [...str8(sym), ...str8('ASSET')]) });
    expect(codeOf(() => decodeMessage(f1))).toBe('FieldTooLong');
    expect(fieldOf(() => decodeMessage(f1))).toBe('symbol');
    const f2 = buildFrame({ type: 1, payload: regPayload(6, 2, 1, 0b11, 0, [...str8('BTC'), ...str8('V'.repeat(17))]) });
    expect(fieldOf(() => decodeMessage(f2))).toBe('venue');
    expect(codeOf(() => decodeMessage(f2))).toBe('FieldTooLong');
    const name = new TextEncoder().encode('n'.repeat(257));
    const f3 = buildFrame({ type: 1, payload: regPayload(6, 2, 1, 0b111, 0, [...str8('BTC'), ...str8('ASSET'), 1, 1, ...name]) });
    expect(codeOf(() => decodeMessage(f3))).toBe('FieldTooLong');
    expect(fieldOf(() => decodeMessage(f3))).toBe('name');
  });

  it('InvalidEnum: unknown kind, source, status, right, contract type, venue status', () => {
    const base = [...str8('X'), ...str8('V')];
    for (const [k, s, st, field] of [
      [0, 2, 1, 'kind'],
      [11, 2, 1, 'kind'],
      [6, 9, 1, 'source'],
      [6, 2, 0, 'status'],
      [6, 2, 8, 'status'],
    ] as const) {
      const f = buildFrame({ type: 1, payload: regPayload(k, s, st, 0b11, 0, base) });
      expect(codeOf(() => decodeMessage(f))).toBe('InvalidEnum');
      expect(fieldOf(() => decodeMessage(f))).toBe(field);
    }
    // option: underlyingId, expiry, strike, right (=3: unknown), style
    const opt = regPayload(5, 3, 1, 0b11, 0b11111, [...base, ...u64le(1n), ...u64le(1000n), 0, ...u64le(5n), 3, 1]);
    expect(codeOf(() => decodeMessage(buildFrame({ type: 1, payload: opt })))).toBe('InvalidEnum');
    expect(fieldOf(() => decodeMessage(buildFrame({ type: 1, payload: opt })))).toBe('right');
    // same payload with right = 2 (put) decodes
    opt[opt.length - 2] = 2;
    expect((decodeMessage(buildFrame({ type: 1, payload: opt })) as { instrument: { right: string } }).instrument.right).toBe('put');
    // future: field 2 is contractType (=9: unknown)
    const fut = regPayload(4, 2, 1, 0b11, 0b100, [...base, 9]);
    expect(codeOf(() => decodeMessage(buildFrame({ type: 1, payload: fut })))).toBe('InvalidEnum');
    expect(fieldOf(() => decodeMessage(buildFrame({ type: 1, payload: fut })))).toBe('contractType');
    // venue registration with status 8
    expect(codeOf(() => decodeMessage(buildFrame({ type: 4, payload: [8, 0b101, ...str8('XNAS'), 4, 0, 78, 97, 115, 100] })))).toBe('InvalidEnum');
    expect(decodeMessage(buildFrame({ type: 4, payload: [1, 0b101, ...str8('XNAS'), 4, 0, 78, 97, 115, 100] }))).toMatchObject({
      venue: { code: 'XNAS', name: 'Nasd', status: 'active' },
    });
    // update with status 0
    expect(codeOf(() => decodeMessage(buildFrame({ type: 2, payload: [...u64le(1n), 1, 0, 0] })))).toBe('InvalidEnum');
  });

  it('InvalidField: reserved byte, unknown flag, mask bits, malformed UTF-8, out-of-range values, kind/type mismatch', () => {
    const ok = [...str8('BTC'), ...str8('ASSET')];
    const cases: [number[] | Uint8Array, number, string, number?][] = [
      [regPayload(6, 2, 1, 0b11, 0, ok, 1), 1, 'reserved'],
      [regPayload(6, 2, 1, 0b11 | (1 << 13), 0, ok), 1, 'commonPresent'],
      [regPayload(6, 2, 1, 0b11, 1, ok), 1, 'kindPresent'],
      [regPayload(6, 2, 1, 0b11, 0, [1, 0xff, ...str8('ASSET')]), 1, 'symbol'],
      [regPayload(6, 2, 1, 0b11, 0, [1, 0xc3, ...str8('ASSET')]), 1, 'symbol'],
      [regPayload(6, 2, 1, 0b11, 0, [0, ...str8('ASSET')]), 1, 'symbol'],
      [regPayload(6, 2, 1, 0b11, 0, [1, 0, ...str8('ASSET')]), 1, 'symbol'],
      [regPayload(6, 2, 1, 0b100011, 0, [...ok, 31, ...u64le(1n)]), 1, 'tickSize'],
      [regPayload(6, 2, 1, 0b100011, 0, [...ok, 2, ...u64le(0n)]), 1, 'tickSize'],
      [regPayload(6, 2, 1, 0b1000000000011, 0, [...ok, 0, 0, 0, 0, 0, 0, 0x20, 0]), 1, 'updatedAt'],
      [regPayload(6, 2, 1, 0b11, 0, ok), 5, 'kind'],
      [regPayload(6, 2, 1, 0b11, 0, ok), 6, 'kind'],
      [regPayload(9, 4, 1, 0b11, 1, [...ok, 1, ...u64le(1n), 0b01, 0, ...u64le(1n)]), 1, 'legs[0].flags'],
      [regPayload(9, 4, 1, 0b11, 1, [...ok, 0]), 1, 'legs'],
      [[...u64le(1n), ...str8(''), 0, 0], 9, 'code'],
      [[1, 0b1101, ...str8('XNAS'), 4, 0, 78, 97, 115, 100, ...str8('us')], 4, 'country'],
    ];
    for (const [payload, type, field] of cases) {
      const f = buildFrame({ type, payload });
      expect(
        codeOf(() => decodeMessage(f)),
        field,
      ).toBe('InvalidField');
      expect(fieldOf(() => decodeMessage(f))).toBe(field);
    }
    const flagged = buildFrame({ type: 8, flags: 0x8000, payload: u64le(1n) });
    expect(codeOf(() => decodeMessage(flagged))).toBe('InvalidField');
    expect(fieldOf(() => decodeMessage(flagged))).toBe('flags');
  });

  it('InvalidIdentifier: a registration whose ISIN check digit is wrong', () => {
    const payload = regPayload(2, 3, 1, 0b11, 0b1, [...str8('AAPL'), ...str8('XNAS'), ...str8('US0378331006')]);
    expect(codeOf(() => decodeMessage(buildFrame({ type: 1, payload })))).toBe('InvalidIdentifier');
  });

  it('never lets a non-RegistryError escape: every single-bit flip of these frames is rejected', () => {
    const frames = [
      encodeMessage({
        type: 'instrumentRegistration',
        ...hdr,
        instrument: {
          ...EXAMPLES.synthetic,
          legs: Array.from({ length: 64 }, (_, i) => ({
            id: (BigInt(i) * 0x9e3779b97f4a7c15n) % (1n << 64n),
            weight: { raw: BigInt(i + 1), scale: i % 31 },
            negative: i % 3 === 0,
          })),
        } as InstrumentInput,
      }),
      ...Object.values(EXAMPLES).map((instrument) => encodeMessage({ type: 'instrumentRegistration', ...hdr, instrument })),
      encodeMessage({ type: 'healthCheck', ...hdr, nonce: 5n }),
    ];
    let flips = 0;
    for (const f of frames) {
      for (let bit = 0; bit < f.length * 8; bit++) {
        f[bit >> 3] ^= 1 << (bit & 7);
        expect(() => decodeMessage(f)).toThrow(RegistryError);
        f[bit >> 3] ^= 1 << (bit & 7);
        flips++;
      }
      expect(decodeMessage(f)).toBeTruthy();
    }
    expect(flips).toBeGreaterThan(10_000);
  });

  it('a corrupted frame whose CRC is fixed up still decodes strictly (structure checks, not just the CRC)', () => {
    const f = encodeMessage({ type: 'instrumentRemoval', ...hdr, id: 1n });
    f[4] = 1; // removal payload reinterpreted as a registration
    expect(codeOf(() => decodeMessage(recrc(f)))).not.toBe('ChecksumMismatch');
  });
});

describe('encode errors are typed', () => {
  const stock = EXAMPLES.stock;
  it('validates the instrument (validateInstrument errors)', () => {
    expect(codeOf(() => encodeMessage({ type: 'instrumentRegistration', ...hdr, instrument: { ...stock, symbol: 'S'.repeat(29) } }))).toBe('FieldTooLong');
    expect(
      codeOf(() => encodeMessage({ type: 'instrumentRegistration', ...hdr, instrument: { ...stock, status: 'open' } as unknown as InstrumentInput })),
    ).toBe('InvalidEnum');
    expect(codeOf(() => encodeMessage({ type: 'instrumentRegistration', ...hdr, instrument: { ...stock, isin: 'US0378331006' } as InstrumentInput }))).toBe(
      'InvalidIdentifier',
    );
    expect(codeOf(() => encodeMessage({ type: 'instrumentRegistration', ...hdr, instrument: { ...stock, tickSize: { raw: 1n << 64n, scale: 0 } } }))).toBe(
      'InvalidField',
    );
  });
  it('checks header values', () => {
    expect(codeOf(() => encodeMessage({ type: 'healthCheck', ...hdr, seq: -1n, nonce: 1n }))).toBe('InvalidField');
    expect(codeOf(() => encodeMessage({ type: 'healthCheck', ...hdr, timestampNs: 1n << 64n, nonce: 1n }))).toBe('InvalidField');
    expect(codeOf(() => encodeMessage({ type: 'healthCheck', ...hdr, flags: 2, nonce: 1n }))).toBe('InvalidField');
    expect(codeOf(() => encodeMessage({ type: 'nope', ...hdr } as unknown as WireMessage))).toBe('UnknownType');
  });
  it('checks payload values', () => {
    expect(codeOf(() => encodeMessage({ type: 'poolRegistration', ...hdr, instrument: EXAMPLES.token as never }))).toBe('InvalidField');
    expect(codeOf(() => encodeMessage({ type: 'instrumentUpdate', ...hdr, id: 1n, patch: { name: 'x'.repeat(257) } }))).toBe('FieldTooLong');
    expect(codeOf(() => encodeMessage({ type: 'instrumentUpdate', ...hdr, id: 1n, patch: { makerFeeBps: 0.001 } }))).toBe('InvalidField');
    expect(codeOf(() => encodeMessage({ type: 'errorResponse', ...hdr, code: 'E', message: 'm'.repeat(1025), refSeq: 0n }))).toBe('FieldTooLong');
    expect(codeOf(() => encodeMessage({ type: 'errorResponse', ...hdr, code: 'E\uD800', message: '', refSeq: 0n }))).toBe('InvalidField');
    expect(codeOf(() => encodeMessage({ type: 'venueRegistration', ...hdr, venue: { code: 'xnas', name: 'x', status: 'active' } }))).toBe('InvalidField');
    expect(codeOf(() => encodeMessage({ type: 'snapshotMarker', ...hdr, logSeq: 1n, instrumentCount: -1 }))).toBe('InvalidField');
    expect(() => encodeMessage({ type: 'instrumentRemoval', ...hdr, id: 1n << 64n })).toThrow(ValidationError);
  });
  it('readHeader reports the header only', () => {
    const f = encodeMessage({ type: 'instrumentRemoval', ...hdr, id: 9n });
    expect(readHeader(f)).toEqual({ type: 'instrumentRemoval', flags: 0, length: 8, seq: 7n, timestampNs: hdr.timestampNs, crc: referenceCrc(f) });
  });
});
