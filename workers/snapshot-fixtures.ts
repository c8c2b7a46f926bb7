/**
 * Deterministic instruments for the snapshot tests, crash child and benchmark: instrument `i`
 * cycles through every kind, with synthetic but valid identifiers (unique per `i`).
 *
 * @module
 */
import type { InstrumentInput } from '../src/model/types.js';

const APPLE_ISIN = 'US0378331005';
const hex40 = (i: number, salt: number) => (i.toString(16).padStart(8, '0') + salt.toString(16).padStart(8, '0')).padStart(40, 'a');

/** Instrument number `i` of a mixed set (kinds rotate with `i % 9`). */
export function mixedInstrument(i: number): InstrumentInput {
  const common = { source: 'cex', status: i % 17 === 0 ? 'halted' : 'active' } as const;
  switch (i % 9) {
    case 0:
      return { ...common, kind: 'currency', symbol: `C${i}`, venue: 'ASSET' };
    case 1:
      return {
        ...common,
        kind: 'token',
        source: 'defi',
        symbol: `T${i}`,
        venue: 'ETHEREUM',
        chainId: 1 + (i % 3),
        address: `0x${hex40(i, 1)}`,
        sizeDecimals: 18,
        name: `Token number ${i}`,
      };
    case 2:
      return {
        ...common,
        kind: 'cexPair',
        symbol: `P${i}USDT`,
        venue: i % 2 ? 'BINANCE' : 'COINBASE',
        baseId: BigInt(i),
        quoteId: 0x1234n,
        tickSize: { raw: 1n, scale: 2 },
        lotSize: { raw: BigInt(1 + (i % 7)), scale: 5 },
        makerFeeBps: 1.5,
        takerFeeBps: -0.25,
        priceDecimals: 2,
        sizeDecimals: 5,
      };
    case 3:
      return {
        ...common,
        kind: 'dexPool',
        source: 'defi',
        symbol: `POOL-${i}`,
        venue: 'UNISWAP_V3',
        chainId: 1,
        address: `0x${hex40(i, 2)}`,
        token0Id: BigInt(i),
        token1Id: BigInt(i + 1),
        feeTier: 3000,
        poolType: 'concentratedLiquidity',
      };
    case 4:
      return {
        ...common,
        kind: 'stock',
        source: 'tradfi',
        symbol: `S${i}`,
        venue: `X${(i % 5) + 1}EX`,
        isin: i % 4 === 0 && i < 180 ? APPLE_ISIN : undefined,
        currency: 'USD',
        name: `Stock ${i} Inc.`,
      };
    case 5:
      return {
        ...common,
        kind: 'future',
        source: 'tradfi',
        symbol: `F${i}`,
        venue: 'XCME',
        expiry: Date.UTC(2030, i % 12, 1),
        contractSize: { raw: 50n, scale: 0 },
        currency: 'USD',
      };
    case 6:
      return {
        ...common,
        kind: 'option',
        source: 'tradfi',
        symbol: `O${i}`,
        venue: 'XCBO',
        underlyingId: BigInt(i) * 7919n,
        expiry: Date.UTC(2031, 0, 1 + (i % 28)),
        strike: { raw: BigInt(100 + i), scale: 1 },
        right: i % 2 ? 'call' : 'put',
        style: 'american',
      };
    case 7:
      return {
        ...common,
        kind: 'synthetic',
        source: 'synthetic',
        symbol: `SYN${i}`,
        venue: 'SYNTH',
        legs: [
          { id: BigInt(i), weight: { raw: 1n, scale: 0 } },
          { id: BigInt(i + 1), weight: { raw: 5n, scale: 1 }, negative: true },
        ],
      };
    default:
      return { ...common, kind: 'etf', source: 'tradfi', symbol: `E${i}`, venue: 'ARCX', currency: 'USD' };
  }
}

/**
 * Instrument `i` of a simple set for large benchmarks: alternating currencies and CEX spot pairs.
 * Every pair has its own base and quote ids: a quote id shared by all pairs would put every pair
 * in one ASSET-index probe cluster and make each registration O(n) (see the snapshot report).
 */
export function simpleInstrument(i: number): InstrumentInput {
  return i % 2 === 0
    ? { kind: 'currency', symbol: `A${i}`, venue: 'ASSET', source: 'cex', status: 'active' }
    : {
        kind: 'cexPair',
        symbol: `B${i}USDT`,
        venue: 'BENCHX',
        source: 'cex',
        status: 'active',
        baseId: BigInt(i),
        quoteId: (1n << 40n) + BigInt(i),
      };
}
