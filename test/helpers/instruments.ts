import type { InstrumentInput } from '../../src/model/types.js';

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

/** One valid instrument of every kind (ISIN/CUSIP/SEDOL are real Apple / BAE identifiers). */
export function oneOfEachKind(): InstrumentInput[] {
  return [
    { kind: 'currency', symbol: 'BTC', venue: 'ASSET', source: 'cex', status: 'active' },
    { kind: 'currency', symbol: 'USDT', venue: 'ASSET', source: 'cex', status: 'active' },
    {
      kind: 'token',
      symbol: 'USDC',
      venue: 'ETHEREUM',
      source: 'defi',
      status: 'active',
      chainId: 1,
      address: '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48',
      sizeDecimals: 6,
      name: 'USD Coin',
    },
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
      contractSize: { raw: 50n, scale: 0 },
      currency: 'USD',
    },
    {
      kind: 'option',
      symbol: 'AAPL  240119C00190000',
      venue: 'XCBO',
      source: 'tradfi',
      status: 'active',
      underlyingId: 0x39942ce86f00ae36n,
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
      baseId: 0x0807c4a84779dbdfn,
      quoteId: 0x1234n,
      contractType: 'spot',
      settlement: 'none',
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
      kind: 'cexPair',
      symbol: 'BTCUSD_PERP',
      venue: 'BINANCE_COINM',
      source: 'cex',
      status: 'active',
      baseId: 0x0807c4a84779dbdfn,
      quoteId: 0x99n,
      settleId: 0x0807c4a84779dbdfn,
      contractType: 'perpetual',
      settlement: 'inverse',
      contractSize: { raw: 100n, scale: 0 },
      makerFeeBps: -0.25,
    },
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
    {
      kind: 'synthetic',
      symbol: 'BTC-BASIS',
      venue: 'SYNTH',
      source: 'synthetic',
      status: 'active',
      legs: [
        { id: 0x1n, weight: { raw: 1n, scale: 0 } },
        { id: 0x2n, weight: { raw: 5n, scale: 1 }, negative: true },
      ],
    },
  ];
}
