import { blake3 } from '@noble/hashes/blake3.js';
import type { InstrumentInput } from '../../src/model/types.js';

const enc = new TextEncoder();
/** `u16 length + UTF-8` as in the identity encoding v2 (src/id/identity.ts module doc). */
function idStr(s: string): number[] {
  const b = enc.encode(s);
  return [b.length & 0xff, b.length >> 8, ...b];
}
/** Id of identity bytes: first 64 bits (little-endian) of @noble/hashes BLAKE3, independent of the code under test. */
export function nobleId(bytes: number[]): bigint {
  const d = blake3(Uint8Array.from(bytes), { dkLen: 8 });
  return new DataView(d.buffer, d.byteOffset).getBigUint64(0, true);
}
/** Id of the currency (asset) `symbol`: identity v2 = [2, kind 6, alternative 0, symbol]. */
export function currencyId(symbol: string): bigint {
  return nobleId([2, 6, 0, ...idStr(symbol)]);
}
/** Id of a stock listing with an ISIN: identity v2 = [2, kind 2, alternative 0, ISIN, venue]. */
export function stockIdByIsin(isin: string, venue: string): bigint {
  return nobleId([2, 2, 0, ...idStr(isin), ...idStr(venue)]);
}
/** Id of an EVM token: identity v2 = [2, kind 1, alternative 0, u32 chain id, lower-case address]. */
export function tokenId(chainId: number, address: string): bigint {
  return nobleId([2, 1, 0, chainId & 0xff, (chainId >>> 8) & 0xff, (chainId >>> 16) & 0xff, chainId >>> 24, ...idStr(address.toLowerCase())]);
}

const WETH = '0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2';
const USDC = '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48';

/** Small seeded PRNG (xorshift32) so random sequences are reproducible. */
export function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

/**
 * One valid instrument of every kind (ISIN/CUSIP/SEDOL are real Apple / BAE identifiers), in an
 * order where every reference (legs, underlyings, settlement assets) names an earlier entry.
 */
export function oneOfEachKind(): InstrumentInput[] {
  return [
    { kind: 'currency', symbol: 'BTC', venue: 'ASSET', source: 'cex', status: 'active' },
    { kind: 'currency', symbol: 'USDT', venue: 'ASSET', source: 'cex', status: 'active' },
    { kind: 'currency', symbol: 'USD', venue: 'ASSET', source: 'cex', status: 'active' },
    { kind: 'currency', symbol: 'USDC', venue: 'ASSET', source: 'cex', status: 'active' },
    {
      kind: 'token',
      symbol: 'USDC',
      venue: 'ETHEREUM',
      source: 'defi',
      status: 'active',
      chainId: 1,
      address: USDC,
      sizeDecimals: 6,
      name: 'USD Coin',
      assetId: currencyId('USDC'),
    },
    { kind: 'token', symbol: 'WETH', venue: 'ETHEREUM', source: 'defi', status: 'active', chainId: 1, address: WETH, sizeDecimals: 18 },
    {
      kind: 'stock',
      symbol: 'AAPL',
      venue: 'XNAS',
      source: 'tradfi',
      status: 'active',
      isin: 'US0378331005',
      cusip: '037833100',
      currency: 'USD',
      tickSize: { raw: 1n, scale: 2 },
    },
    { kind: 'stock', symbol: 'APC', venue: 'XETR', source: 'tradfi', status: 'active', isin: 'US0378331005', currency: 'EUR' },
    { kind: 'etf', symbol: 'IWV', venue: 'ARCX', source: 'tradfi', status: 'active', isin: 'US4642876142', currency: 'USD' },
    { kind: 'stock', symbol: 'BA.', venue: 'XLON', source: 'tradfi', status: 'halted', isin: 'GB0002634946', sedol: '0263494', currency: 'GBP' },
    {
      kind: 'future',
      symbol: 'ESH1',
      venue: 'XCME',
      source: 'tradfi',
      status: 'active',
      expiry: Date.UTC(2021, 2, 19),
      contractType: 'future',
      contractSize: { raw: 50n, scale: 0 },
      currency: 'USD',
    },
    {
      kind: 'option',
      symbol: 'AAPL  240119C00190000',
      venue: 'XCBO',
      source: 'tradfi',
      status: 'active',
      underlyingId: stockIdByIsin('US0378331005', 'XNAS'),
      expiry: Date.UTC(2024, 0, 19),
      strike: { raw: 190n, scale: 0 },
      right: 'call',
      style: 'american',
      occSymbol: 'AAPL  240119C00190000',
      contractSize: { raw: 100n, scale: 0 },
    },
    {
      kind: 'cexPair',
      symbol: 'BTCUSDT',
      venue: 'BINANCE',
      source: 'cex',
      status: 'active',
      baseId: currencyId('BTC'),
      quoteId: currencyId('USDT'),
      tickSize: { raw: 1n, scale: 2 },
      lotSize: { raw: 1n, scale: 5 },
      minQty: { raw: 1n, scale: 5 },
      maxQty: { raw: 9000n, scale: 0 },
      makerFeeBps: 10,
      takerFeeBps: 7.5,
      priceDecimals: 2,
      sizeDecimals: 5,
    },
    {
      kind: 'future',
      symbol: 'BTCUSD_PERP',
      venue: 'BINANCE_COINM',
      source: 'cex',
      status: 'active',
      contractType: 'perpetual',
      underlyingId: currencyId('BTC'),
      baseId: currencyId('BTC'),
      quoteId: currencyId('USD'),
      settleId: currencyId('BTC'),
      settlement: 'inverse',
      contractSize: { raw: 100n, scale: 0 },
      contractCurrencyId: currencyId('USD'),
      makerFeeBps: -0.25,
      minNotional: { raw: 1n, scale: 0 },
    },
    {
      kind: 'dexPool',
      symbol: 'UNI-WETH-3000',
      venue: 'UNISWAP_V3',
      source: 'defi',
      status: 'active',
      chainId: 1,
      address: '0x1d42064Fc4Beb5F8aAF85F4617AE8b3b5B8Bd801',
      token0Id: tokenId(1, USDC),
      token1Id: tokenId(1, WETH),
      feeTier: 3000,
      poolType: 'concentratedLiquidity',
    },
    {
      kind: 'synthetic',
      symbol: 'BTC-BASIS',
      venue: 'SYNTH',
      source: 'synthetic',
      status: 'active',
      legs: [
        { id: currencyId('BTC'), weight: { raw: 1n, scale: 0 } },
        { id: currencyId('USDT'), weight: { raw: 5n, scale: 1 }, negative: true },
      ],
    },
  ];
}
