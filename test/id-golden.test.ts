/**
 * Issue 10 item 1: known-answer ids for every instrument kind (test/id.test.ts has token,
 * stock by ISIN, currency and CEX pair). The identity bytes are written out by hand from the
 * encoding v1 in the module doc of `src/id/identity.ts`, independently of the encoder; the
 * expected ids are the first 64 bits (little-endian) of @noble/hashes BLAKE3 over those bytes,
 * recorded here as literals. Each vector checks the encoder's bytes, the noble digest and the
 * production (WASM) deriver.
 */
import { blake3 } from '@noble/hashes/blake3.js';
import { describe, expect, it } from 'vitest';
import { IdDeriver, formatId, joinId } from '../src/id/derive.js';
import { identityBytes } from '../src/id/identity.js';
import type { InstrumentInput } from '../src/model/types.js';
import { validateInstrument } from '../src/model/validate.js';

const enc = new TextEncoder();
const str = (s: string): number[] => {
  const b = enc.encode(s);
  return [b.length & 0xff, b.length >> 8, ...b];
};
const u32 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
const u64 = (v: bigint | number): number[] => {
  const o: number[] = [];
  let x = BigInt.asUintN(64, BigInt(v));
  for (let i = 0; i < 8; i++) {
    o.push(Number(x & 0xffn));
    x >>= 8n;
  }
  return o;
};
function nobleHex(bytes: number[]): string {
  const d = blake3(Uint8Array.from(bytes), { dkLen: 12 });
  return formatId(new DataView(d.buffer).getBigUint64(0, true));
}

const AAPL = 0x39942ce86f00ae36n; // the AAPL-on-XNAS id of test/id.test.ts
const JAN19_2024 = 1705622400000; // 2024-01-19T00:00:00Z

// [name, instrument, identity bytes v1 by hand, id]
const GOLDEN: Array<[string, InstrumentInput, number[], string]> = [
  [
    'etf IWV on ARCX by ISIN',
    { kind: 'etf', symbol: 'IWV', venue: 'ARCX', source: 'tradfi', status: 'active', isin: 'US4642876142' },
    [1, 3, 1, ...str('US4642876142'), ...str('ARCX')],
    '0x5a026d809a4da248',
  ],
  [
    'stock BRK.B on XNYS without ISIN (venue + symbol)',
    { kind: 'stock', symbol: 'BRK.B', venue: 'XNYS', source: 'tradfi', status: 'active' },
    [1, 2, 0, ...str('XNYS'), ...str('BRK.B')],
    '0xd401bcfae9620f70',
  ],
  [
    'future ESH1 on XCME',
    { kind: 'future', symbol: 'ESH1', venue: 'XCME', source: 'tradfi', status: 'active', expiry: Date.UTC(2021, 2, 19) },
    [1, 4, ...str('XCME'), ...str('ESH1')],
    '0xd6a3323ab040260c',
  ],
  [
    'option AAPL 2024-01-19 190 call',
    {
      kind: 'option',
      symbol: 'AAPL  240119C00190000',
      venue: 'XCBO',
      source: 'tradfi',
      status: 'active',
      underlyingId: AAPL,
      expiry: JAN19_2024,
      strike: { raw: 190n, scale: 0 },
      right: 'call',
      style: 'american',
    },
    [1, 5, ...u64(AAPL), ...u64(JAN19_2024), 0, ...u64(190), 1],
    '0xa907ed671c544217',
  ],
  [
    'option AAPL 2024-01-19 187.50 put (strike given as 187.50, normalised to scale 1)',
    {
      kind: 'option',
      symbol: 'AAPL  240119P00187500',
      venue: 'XCBO',
      source: 'tradfi',
      status: 'active',
      underlyingId: AAPL,
      expiry: JAN19_2024,
      strike: { raw: 18750n, scale: 2 },
      right: 'put',
      style: 'american',
    },
    [1, 5, ...u64(AAPL), ...u64(JAN19_2024), 1, ...u64(1875), 2],
    '0x7910c79a156bfe4f',
  ],
  [
    'dexPool Uniswap V3 pool on chain 1 (address lower-cased)',
    {
      kind: 'dexPool',
      symbol: 'UNI-WETH-3000',
      venue: 'UNISWAP_V3',
      source: 'defi',
      status: 'active',
      chainId: 1,
      address: '0x1d42064Fc4Beb5F8aAF85F4617AE8b3b5B8Bd801',
      token0Id: 0x11n,
      token1Id: 0x22n,
      feeTier: 3000,
      poolType: 'concentratedLiquidity',
    },
    [1, 8, ...u32(1), ...str('0x1d42064fc4beb5f8aaf85f4617ae8b3b5b8bd801')],
    '0xabc0397ef7f13204',
  ],
  [
    'synthetic BTC-BASIS',
    { kind: 'synthetic', symbol: 'BTC-BASIS', venue: 'SYNTH', source: 'synthetic', status: 'active', legs: [{ id: 1n, weight: { raw: 1n, scale: 0 } }] },
    [1, 9, ...str('SYNTH'), ...str('BTC-BASIS')],
    '0x9de840bd89140b7b',
  ],
  [
    'cexPair Bybit BTCUSDT perpetual',
    {
      kind: 'cexPair',
      symbol: 'BTCUSDT',
      venue: 'BYBIT',
      source: 'cex',
      status: 'active',
      baseId: 1n,
      quoteId: 2n,
      contractType: 'perpetual',
      settlement: 'linear',
    },
    [1, 7, ...str('BYBIT'), ...str('BTCUSDT')],
    '0x80355106b5d0803d',
  ],
  [
    'currency with a non-ASCII symbol (UTF-8 length prefix)',
    { kind: 'currency', symbol: '€URO', venue: 'ASSET', source: 'cex', status: 'active' },
    [1, 6, ...str('€URO')],
    '0xc33c2c81294af9fb',
  ],
];

describe('golden ids for every kind (identity encoding v1)', () => {
  it('covers every kind together with test/id.test.ts', () => {
    const kinds = new Set([...GOLDEN.map((g) => g[1].kind), 'token', 'stock', 'currency', 'cexPair']);
    expect([...kinds].sort()).toStrictEqual(['cexPair', 'currency', 'dexPool', 'etf', 'future', 'option', 'stock', 'synthetic', 'token']);
  });

  it.each(GOLDEN)('%s', async (_name, inst, bytes, hex) => {
    const v = validateInstrument(inst);
    expect(Array.from(identityBytes(v))).toStrictEqual(bytes);
    expect(nobleHex(bytes)).toBe(hex);
    const d = (await IdDeriver.create()).derive(v);
    expect(formatId(joinId(d.idLo, d.idHi))).toBe(hex);
  });
});
