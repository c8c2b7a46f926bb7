/**
 * Known-answer ids for every instrument kind (test/id.test.ts has token, stock by ISIN, currency
 * and CEX pair). The identity bytes are written out by hand from the encoding v2 in the module
 * doc of `src/id/identity.ts` (ADR 0001), independently of the encoder; the expected ids are the
 * first 64 bits (little-endian) of @noble/hashes BLAKE3 over those bytes, recorded here as
 * literals. Each vector checks the encoder's bytes, the noble digest and the production (WASM)
 * deriver.
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
function nobleHex(bytes: number[]): string {
  const d = blake3(Uint8Array.from(bytes), { dkLen: 12 });
  return formatId(new DataView(d.buffer).getBigUint64(0, true));
}

const AAPL = 0x202570c5d887605en; // the AAPL-on-XNAS id of test/id.test.ts
const JAN19_2024 = 1705622400000; // 2024-01-19T00:00:00Z

// [name, instrument, identity bytes v1 by hand, id]
const GOLDEN: Array<[string, InstrumentInput, number[], string]> = [
  [
    'etf IWV on ARCX by ISIN',
    { kind: 'etf', symbol: 'IWV', venue: 'ARCX', source: 'tradfi', status: 'active', isin: 'US4642876142' },
    [2, 3, 0, ...str('US4642876142'), ...str('ARCX')],
    '0x6c38a2dd43af2e50',
  ],
  [
    'stock BRK.B on XNYS without ISIN (venue + symbol)',
    { kind: 'stock', symbol: 'BRK.B', venue: 'XNYS', source: 'tradfi', status: 'active' },
    [2, 2, 1, ...str('XNYS'), ...str('BRK.B')],
    '0x651de8708f46d406',
  ],
  [
    'future ESH1 on XCME',
    { kind: 'future', symbol: 'ESH1', venue: 'XCME', source: 'tradfi', status: 'active', expiry: Date.UTC(2021, 2, 19) },
    [2, 4, 0, ...str('XCME'), ...str('ESH1')],
    '0x77bfdeb0869798fc',
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
    [2, 5, 0, ...str('XCBO'), ...str('AAPL  240119C00190000')],
    '0xfb5862b9b114f739',
  ],
  [
    'option AAPL 2024-01-19 187.50 put (venue + symbol; strike 187.50 is stored, not hashed)',
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
    [2, 5, 0, ...str('XCBO'), ...str('AAPL  240119P00187500')],
    '0xf874bd6134c57dd5',
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
    [2, 8, 0, ...u32(1), ...str('0x1d42064fc4beb5f8aaf85f4617ae8b3b5b8bd801')],
    '0xd929629c2ea81aac',
  ],
  [
    'synthetic BTC-BASIS',
    { kind: 'synthetic', symbol: 'BTC-BASIS', venue: 'SYNTH', source: 'synthetic', status: 'active', legs: [{ id: 1n, weight: { raw: 1n, scale: 0 } }] },
    [2, 9, 0, ...str('SYNTH'), ...str('BTC-BASIS')],
    '0xcecb75b5f186402c',
  ],
  [
    'cexPair Bybit BTCUSDT spot',
    {
      kind: 'cexPair',
      symbol: 'BTCUSDT',
      venue: 'BYBIT',
      source: 'cex',
      status: 'active',
      baseId: 1n,
      quoteId: 2n,
    },
    [2, 7, 0, ...str('BYBIT'), ...str('BTCUSDT')],
    '0x4064c11b23024fd1',
  ],
  [
    'index: the Deribit BTC/USD settlement index (venue + symbol)',
    { kind: 'index', symbol: 'btc_usd', venue: 'DERIBIT', source: 'cex', status: 'active', currency: 'USD' },
    [2, 10, 0, ...str('DERIBIT'), ...str('btc_usd')],
    '0x0b41218a93b62345',
  ],
  [
    'currency with a non-ASCII symbol (UTF-8 length prefix)',
    { kind: 'currency', symbol: '€URO', venue: 'ASSET', source: 'cex', status: 'active' },
    [2, 6, 0, ...str('€URO')],
    '0x88aa9ce5e17b10c9',
  ],
];

describe('golden ids for every kind (identity encoding v2)', () => {
  it('covers every kind together with test/id.test.ts', () => {
    const kinds = new Set([...GOLDEN.map((g) => g[1].kind), 'token', 'stock', 'currency', 'cexPair']);
    expect([...kinds].sort()).toStrictEqual(['cexPair', 'currency', 'dexPool', 'etf', 'future', 'index', 'option', 'stock', 'synthetic', 'token']);
  });

  it.each(GOLDEN)('%s', async (_name, inst, bytes, hex) => {
    const v = validateInstrument(inst);
    expect(Array.from(identityBytes(v))).toStrictEqual(bytes);
    expect(nobleHex(bytes)).toBe(hex);
    const d = (await IdDeriver.create()).derive(v);
    expect(formatId(joinId(d.idLo, d.idHi))).toBe(hex);
  });
});
