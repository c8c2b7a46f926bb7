/**
 * The shipped mappings against the real payloads in the shared data folder. Every expected
 * count is computed here from the raw payload, independently of the engine.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { dataDir } from '../src/config.js';
import { detectFormat, discover, loadDirectory, loadMappings, type LoadedMapping } from '../src/discovery/engine.js';
import { formatFixed, parseFixed } from '../src/model/fixed.js';
import type { InstrumentInput } from '../src/model/types.js';
import { FakeTarget } from './helpers/fake-target.js';

/** The one data-directory setting (INSTREG_DATA_DIR, else ../shared/data in a checkout): a missing folder fails the tests. */
const DATA = dataDir();
const text = (f: string): string => readFileSync(join(DATA, f), 'utf8');
const json = (f: string): any => JSON.parse(text(f));

let mappings: LoadedMapping[];
const byName = (n: string): LoadedMapping => mappings.find((m) => m.name === n)!;

async function run(file: string, target?: FakeTarget) {
  const t = target ?? (await FakeTarget.create());
  const m = detectFormat(text(file), file, mappings);
  expect(m, `a mapping for ${file}`).toBeDefined();
  return { t, m: m!, r: await discover(text(file), m!, t) };
}
const ofKind = (r: { registrations: InstrumentInput[] }, k: string) => r.registrations.filter((i) => i.kind === k);
const currency = (t: FakeTarget, s: string) => t.idOf({ kind: 'currency', symbol: s, venue: 'ASSET', source: 'cex', status: 'active' });

describe('shipped mappings on the data folder', () => {
  it('the data folder exists', () => {
    expect(existsSync(join(DATA, 'SOURCES.md')), `${DATA}/SOURCES.md`).toBe(true);
  });

  beforeAll(async () => {
    mappings = await loadMappings();
  });

  it('detects the right mapping for every shipped payload, none for garbage', () => {
    const expected: Record<string, string | undefined> = {
      'alpaca_v2_assets_2019-07-09.json': 'alpaca-v2-assets',
      'binance_spot_exchangeInfo_2021-10-12.json': 'binance-spot-exchangeinfo',
      'binance_spot_exchangeInfo_2024-09-08.json': 'binance-spot-exchangeinfo',
      'binance_usdm_fapi_exchangeInfo_2025-03-06.json': 'binance-usdm-exchangeinfo',
      'bybit_v5_instruments-info_linear_2026-08-09.json': 'bybit-v5-linear',
      'bybit_v5_instruments-info_spot_2026-08-09.json': 'bybit-v5-spot',
      'coinbase_advanced_market_products_2026-08-09.json': 'coinbase-advanced-products',
      'coinbase_exchange_products_2021-04-17.json': 'coinbase-exchange-products',
      'eth_mainnet_eth_getLogs_blocks_13000000-13000001.json': 'evm-getlogs-uniswap',
      'eth_mainnet_ots_univ2_router_receipts_PairCreated.json': 'evm-receipts-uniswap',
      'eth_mainnet_ots_univ3_factory_first_txs_PoolCreated.json': 'evm-receipts-uniswap',
      'ishares_IWV_holdings_2021-01.csv': 'ishares-holdings',
      'iso10383_mic_2025-05.csv': 'iso10383-mic',
      'kraken_public_AssetPairs_2021-04-17.json': 'kraken-assetpairs',
      'quickswap_default_tokenlist_v1.2.59.json': 'tokenlist',
      'uniswap_default_tokenlist_v22.21.0.json': 'tokenlist',
      'xetra_t7-xetr-allTradableInstruments_2019-11-08.csv': 'xetra-all-tradable-instruments',
    };
    for (const [f, name] of Object.entries(expected)) {
      expect(detectFormat(text(f), f, mappings)?.name, f).toBe(name);
      // detection does not depend on the file name
      expect(detectFormat(text(f), undefined, mappings)?.name, `${f} without name`).toBe(name);
    }
    for (const g of ['', 'hello', '{}', '[]', '{"symbols":[]}', '[1,2,3]', 'a,b,c\n1,2,3\n', '{"result":{"x":1},"error":[]}', '\u0000\u0001binary']) {
      expect(detectFormat(g, undefined, mappings), JSON.stringify(g)).toBeUndefined();
    }
    expect(byName('iso10383-mic').ignore).toMatch(/venue/);
  });

  it('Binance spot 2021: every symbol, BREAK → halted, currencies de-duplicated', async () => {
    const f = 'binance_spot_exchangeInfo_2021-10-12.json';
    const raw = json(f);
    const { r } = await run(f);
    const pairs = ofKind(r, 'cexPair');
    expect(r.recordsSeen).toBe(raw.symbols.length);
    expect(pairs.length).toBe(raw.symbols.length);
    expect(r.rejected).toEqual([]);
    const trading = raw.symbols.filter((s: any) => s.status === 'TRADING').length;
    const brk = raw.symbols.filter((s: any) => s.status === 'BREAK').length;
    expect(trading + brk).toBe(raw.symbols.length);
    expect(pairs.filter((p) => p.status === 'active').length).toBe(trading);
    expect(pairs.filter((p) => p.status === 'halted').length).toBe(brk);
    const assets = new Set(raw.symbols.flatMap((s: any) => [s.baseAsset, s.quoteAsset]));
    expect(ofKind(r, 'currency').length).toBe(assets.size);
    // dependency order: each pair's currencies come before it
    const pos = new Map<string, number>();
    r.registrations.forEach((i, n) => pos.set(`${i.venue}:${i.symbol}`, n));
    for (const s of raw.symbols.slice(0, 50)) expect(pos.get(`ASSET:${s.baseAsset}`)!).toBeLessThan(pos.get(`BINANCE:${s.symbol}`)!);
  });

  it('Binance spot 2024: BTCUSDT tick size, lot size and references from the payload', async () => {
    const f = 'binance_spot_exchangeInfo_2024-09-08.json';
    const raw = json(f);
    const { r, t } = await run(f);
    expect(ofKind(r, 'cexPair').length).toBe(raw.symbols.length);
    const src = raw.symbols.find((s: any) => s.symbol === 'BTCUSDT');
    const pf = src.filters.find((x: any) => x.filterType === 'PRICE_FILTER');
    const lot = src.filters.find((x: any) => x.filterType === 'LOT_SIZE');
    const btc = r.registrations.find((i) => i.venue === 'BINANCE' && i.symbol === 'BTCUSDT')!;
    if (btc.kind !== 'cexPair') throw new Error('kind');
    expect(btc.tickSize).toEqual(parseFixed(pf.tickSize));
    expect(formatFixed(btc.tickSize!)).toBe('0.01');
    expect(btc.priceDecimals).toBe(2);
    expect(btc.lotSize).toEqual(parseFixed(lot.stepSize));
    expect(btc.minQty).toEqual(parseFixed(lot.minQty));
    expect(btc.maxQty).toEqual(parseFixed(lot.maxQty));
    expect(btc.baseId).toBe(currency(t, 'BTC'));
    expect(btc.quoteId).toBe(currency(t, 'USDT'));
    const notional = src.filters.find((x: any) => x.filterType === 'NOTIONAL');
    expect(btc.minPrice).toEqual(parseFixed(pf.minPrice));
    expect(btc.maxPrice).toEqual(parseFixed(pf.maxPrice));
    expect(btc.minNotional).toEqual(parseFixed(notional.minNotional));
    expect(btc.maxNotional).toEqual(parseFixed(notional.maxNotional));
    expect(Object.keys(btc)).not.toContain('contractType'); // spot pairs carry no derivative fields
  });

  it('Binance USD-M: perpetuals, quarterlies with expiry = deliveryDate, pending listings skipped', async () => {
    const f = 'binance_usdm_fapi_exchangeInfo_2025-03-06.json';
    const raw = json(f);
    const { r, t } = await run(f);
    const pairs = ofKind(r, 'future') as Array<Extract<InstrumentInput, { kind: 'future' }>>;
    expect(ofKind(r, 'cexPair')).toEqual([]);
    const perp = raw.symbols.filter((s: any) => s.contractType === 'PERPETUAL');
    const quarter = raw.symbols.filter((s: any) => /QUARTER/.test(s.contractType));
    const empty = raw.symbols.filter((s: any) => s.contractType === '');
    expect(pairs.filter((p) => p.contractType === 'perpetual').length).toBe(perp.length);
    expect(pairs.filter((p) => p.contractType === 'future').length).toBe(quarter.length);
    expect(r.skipped.NoContractType).toBe(empty.length);
    expect(r.rejected).toEqual([]);
    for (const q of quarter) {
      const p = pairs.find((x) => x.symbol === q.symbol)!;
      expect(p.expiry).toBe(q.deliveryDate);
      expect(p.settlement).toBe('linear');
      expect(p.settleId).toBe(currency(t, q.marginAsset));
    }
    const btcPerp = pairs.find((x) => x.symbol === 'BTCUSDT')!;
    expect(btcPerp.expiry).toBeUndefined();
    expect(btcPerp.underlyingId).toBe(currency(t, 'BTC'));
    const src = raw.symbols.find((s: any) => s.symbol === 'BTCUSDT');
    expect(btcPerp.minNotional).toEqual(parseFixed(src.filters.find((x: any) => x.filterType === 'MIN_NOTIONAL').notional));
    expect(btcPerp.minPrice).toEqual(parseFixed(src.filters.find((x: any) => x.filterType === 'PRICE_FILTER').minPrice));
    expect(pairs.every((p) => p.venue === 'BINANCE_USDM')).toBe(true);
  });

  it('Coinbase Exchange 2021 and Advanced: products, increments', async () => {
    const a = json('coinbase_exchange_products_2021-04-17.json');
    const { r: ra } = await run('coinbase_exchange_products_2021-04-17.json');
    expect(ofKind(ra, 'cexPair').length).toBe(a.length);
    const btcgbp = ra.registrations.find((i) => i.symbol === 'BTC-GBP')!;
    const srcA = a.find((p: any) => p.id === 'BTC-GBP');
    expect(btcgbp.tickSize).toEqual(parseFixed(srcA.quote_increment));
    expect(btcgbp.lotSize).toEqual(parseFixed(srcA.base_increment));
    expect(btcgbp.minQty).toEqual(parseFixed(srcA.base_min_size));

    const b = json('coinbase_advanced_market_products_2026-08-09.json');
    const { r: rb } = await run('coinbase_advanced_market_products_2026-08-09.json');
    const spot = b.products.filter((p: any) => p.product_type === 'SPOT');
    const pairs = ofKind(rb, 'cexPair');
    expect(pairs.length).toBe(spot.length);
    expect(rb.rejected).toEqual([]);
    expect(pairs.filter((p) => p.status === 'delisted').length).toBe(spot.filter((p: any) => p.status === 'delisted').length);
    expect(pairs.every((p) => p.venue === 'COINBASE_ADV')).toBe(true);
    const xrp = pairs.find((p) => p.symbol === 'XRP-USD')!;
    const srcX = b.products.find((p: any) => p.product_id === 'XRP-USD');
    // 16-decimal maximum truncated toward zero to what a Fixed holds
    expect(srcX.base_max_size.startsWith(formatFixed(xrp.maxQty!))).toBe(true);
    expect(xrp.tickSize).toEqual(parseFixed(srcX.price_increment));
  });

  it('Kraken: XXBTZUSD decimals and fees, asset aliases, dark pools skipped', async () => {
    const f = 'kraken_public_AssetPairs_2021-04-17.json';
    const raw = json(f);
    const keys = Object.keys(raw.result);
    const dark = keys.filter((k) => k.endsWith('.d'));
    const { r, t } = await run(f);
    expect(r.recordsSeen).toBe(keys.length);
    expect(r.skipped.DarkPool).toBe(dark.length);
    expect(ofKind(r, 'cexPair').length).toBe(keys.length - dark.length);
    const p = r.registrations.find((i) => i.venue === 'KRAKEN' && i.symbol === 'XXBTZUSD')!;
    if (p.kind !== 'cexPair') throw new Error('kind');
    const src = raw.result.XXBTZUSD;
    expect(p.priceDecimals).toBe(src.pair_decimals);
    expect(p.tickSize).toEqual({ raw: 1n, scale: src.pair_decimals });
    expect(p.sizeDecimals).toBe(src.lot_decimals);
    expect(p.minQty).toEqual(parseFixed(src.ordermin));
    expect(p.makerFeeBps).toBeCloseTo(src.fees_maker[0][1] * 100, 9);
    expect(p.takerFeeBps).toBeCloseTo(src.fees[0][1] * 100, 9);
    expect(p.baseId).toBe(currency(t, 'BTC'));
    expect(p.quoteId).toBe(currency(t, 'USD'));
    expect(p.name).toBe('XBT/USD');
    expect(r.registrations.some((i) => i.symbol === 'XXBT' || i.symbol === 'ZUSD')).toBe(false);
  });

  it('Bybit spot and linear', async () => {
    const s = json('bybit_v5_instruments-info_spot_2026-08-09.json');
    const { r: rs } = await run('bybit_v5_instruments-info_spot_2026-08-09.json');
    expect(ofKind(rs, 'cexPair').length).toBe(s.result.list.length);
    const l = json('bybit_v5_instruments-info_linear_2026-08-09.json');
    const { r: rl } = await run('bybit_v5_instruments-info_linear_2026-08-09.json');
    const pairs = ofKind(rl, 'future') as Array<Extract<InstrumentInput, { kind: 'future' }>>;
    expect(pairs.length).toBe(l.result.list.length);
    const fut = l.result.list.filter((x: any) => x.contractType === 'LinearFutures');
    expect(pairs.filter((p) => p.contractType === 'future').length).toBe(fut.length);
    const one = pairs.find((p) => p.symbol === fut[0].symbol)!;
    expect(one.expiry).toBe(Number(fut[0].deliveryTime));
    expect(one.tickSize).toEqual(parseFixed(fut[0].priceFilter.tickSize));
    expect(one.lotSize).toEqual(parseFixed(fut[0].lotSizeFilter.qtyStep));
    expect(one.priceDecimals).toBe(Number(fut[0].priceScale));
    expect(one.minNotional).toEqual(parseFixed(fut[0].lotSizeFilter.minNotionalValue));
  });

  it('Alpaca: every asset on its MIC, status mapped', async () => {
    const raw = json('alpaca_v2_assets_2019-07-09.json');
    const { r } = await run('alpaca_v2_assets_2019-07-09.json');
    expect(r.registrations.length).toBe(raw.length);
    const mic: Record<string, string> = { NASDAQ: 'XNAS', NYSE: 'XNYS', ARCA: 'ARCX', NYSEARCA: 'ARCX', AMEX: 'XASE', BATS: 'BATS' };
    for (const a of raw.slice(0, 200)) {
      const i = r.registrations.find((x) => x.symbol === a.symbol && x.venue === mic[a.exchange]);
      expect(i, a.symbol).toBeDefined();
      expect(i!.status).toBe(a.status === 'active' ? (a.tradable ? 'active' : 'halted') : 'delisted');
    }
  });

  it('Xetra: ISIN + mnemonic on XETR (US0378331005 → APC)', async () => {
    const f = 'xetra_t7-xetr-allTradableInstruments_2019-11-08.csv';
    const rows = parseCsv(text(f), { delimiter: ';', from_line: 3, columns: true, relax_column_count: true }) as any[];
    const { r } = await run(f);
    expect(r.recordsSeen).toBe(rows.length);
    const kept = rows.filter((x) => ['CS', 'ETF', 'ETC', 'ETN'].includes(x['Instrument Type']));
    expect(r.registrations.length).toBe(kept.length);
    expect(r.skipped.UnsupportedInstrumentType).toBe(rows.length - kept.length);
    const apple = r.registrations.find((i) => i.kind === 'stock' && i.isin === 'US0378331005')!;
    expect(apple.symbol).toBe('APC');
    expect(apple.venue).toBe('XETR');
    expect(apple.tickSize).toEqual(parseFixed(rows.find((x) => x.ISIN === 'US0378331005')['Tick Size 1']));
    expect(ofKind(r, 'etf').length).toBe(rows.filter((x) => ['ETF', 'ETC', 'ETN'].includes(x['Instrument Type'])).length);
  });

  it('iShares IWV: equities with ISIN/CUSIP/SEDOL, futures with expiry, cash skipped', async () => {
    const f = 'ishares_IWV_holdings_2021-01.csv';
    const rows = (parseCsv(text(f), { bom: true, columns: true, relax_column_count: true }) as any[]).filter((x) => x.Name !== undefined);
    const { r } = await run(f);
    expect(r.recordsSeen).toBe(rows.length);
    const cashLike = rows.filter((x) => !['Equity', 'Futures'].includes(x['Asset Class'])).length;
    expect(r.skipped.NotAListedInstrument).toBe(cashLike);
    const aapl = r.registrations.find((i) => i.symbol === 'AAPL')!;
    expect(aapl).toMatchObject({ kind: 'stock', venue: 'XNAS', isin: 'US0378331005', cusip: '037833100', sedol: '2046251', currency: 'USD' });
    const es = r.registrations.find((i) => i.symbol === 'ESH1')!;
    expect(es).toMatchObject({ kind: 'future', venue: 'XCME', expiry: Date.UTC(2021, 2, 19) });
    const accounted = r.records.length + r.rejected.length + Object.values(r.skipped).reduce((a, b) => a + b, 0);
    expect(accounted).toBe(rows.length);
    expect(r.rejected.find((x) => x.key === 'GTXI')?.code).toBe('InvalidIdentifier');
  });

  it('token lists: every token on its chain venue', async () => {
    const q = json('quickswap_default_tokenlist_v1.2.59.json');
    const { r: rq } = await run('quickswap_default_tokenlist_v1.2.59.json');
    expect(rq.registrations.length).toBe(q.tokens.length);
    const u = json('uniswap_default_tokenlist_v22.21.0.json');
    const { r: ru } = await run('uniswap_default_tokenlist_v22.21.0.json');
    // two different addresses with one symbol on one chain are two tokens (identity = address)
    const seen = new Map<string, string>();
    let dup = 0;
    for (const tk of u.tokens) {
      const k = `${tk.chainId}:${tk.symbol}`;
      if (seen.has(k) && seen.get(k) !== tk.address) dup++;
      else seen.set(k, tk.address);
    }
    expect(dup).toBeGreaterThan(0); // the list really has such pairs
    expect(ru.registrations.length).toBe(u.tokens.length);
    expect(ru.rejected).toEqual([]);
    const uni = ru.registrations.find((i) => i.kind === 'token' && i.chainId === 1 && i.symbol === 'UNI')!;
    expect(uni).toMatchObject({ venue: 'ETHEREUM', address: '0x1f9840a85d5af5bf1d1762f925bdaddc4201f984', sizeDecimals: 18 });
    expect(ru.registrations.find((i) => i.kind === 'token' && i.chainId === 501000101)?.venue).toBe('SOLANA');
  });

  it('Uniswap V3 PoolCreated: first pool decoded by hand matches', async () => {
    const f = 'eth_mainnet_ots_univ3_factory_first_txs_PoolCreated.json';
    const logs = json(f)[0].response.result.receipts.flatMap((x: any) => x.logs);
    const topic = '0x783cca1c0412dd0d695e784568c96da2e9c22ff989357a2e8b1d9b2b4e6b7118';
    const created = logs.filter((l: any) => l.topics[0] === topic);
    const { r, t } = await run(f);
    expect(r.recordsSeen).toBe(logs.length);
    const pools = ofKind(r, 'dexPool') as Array<Extract<InstrumentInput, { kind: 'dexPool' }>>;
    expect(pools.length).toBe(created.length);
    expect(r.skipped.OtherEvent).toBe(logs.length - created.length);
    const first = created[0];
    const token0 = `0x${first.topics[1].slice(26)}`;
    const token1 = `0x${first.topics[2].slice(26)}`;
    const fee = parseInt(first.topics[3], 16);
    const pool = `0x${first.data.slice(2 + 64 + 24, 2 + 128)}`;
    const p = pools.find((x) => x.address === pool)!;
    expect(p).toBeDefined();
    expect(p.feeTier).toBe(fee);
    expect(p.poolType).toBe('concentratedLiquidity');
    expect(p.venue).toBe('UNISWAP_V3');
    expect(p.chainId).toBe(1);
    const tokenId = (a: string) => t.idOf({ kind: 'token', chainId: 1, address: a, symbol: 'x', venue: 'ETHEREUM', source: 'defi', status: 'active' });
    expect(p.token0Id).toBe(tokenId(token0));
    expect(p.token1Id).toBe(tokenId(token1));
    expect(p.symbol).toBe(`${token0.slice(2, 10)}-${token1.slice(2, 10)}-${fee}`);
    const tok0 = r.registrations.find((i) => i.kind === 'token' && i.address === token0)!;
    expect(tok0.symbol).toBe(token0.slice(0, 10));
  });

  it('Uniswap V2 PairCreated and eth_getLogs without pool events', async () => {
    const f2 = 'eth_mainnet_ots_univ2_router_receipts_PairCreated.json';
    const logs = json(f2)[0].response.result.receipts.flatMap((x: any) => x.logs);
    const created = logs.filter((l: any) => l.topics[0] === '0x0d3648bd0f6ba80134a33ba9275ac585d9d315f0ad8355cddefde31afa28d0e9');
    const { r } = await run(f2);
    const pools = ofKind(r, 'dexPool') as Array<Extract<InstrumentInput, { kind: 'dexPool' }>>;
    expect(pools.length).toBe(created.length);
    expect(pools[0]).toMatchObject({ venue: 'UNISWAP_V2', feeTier: 3000, poolType: 'constantProduct', address: `0x${created[0].data.slice(26, 66)}` });

    const g = 'eth_mainnet_eth_getLogs_blocks_13000000-13000001.json';
    const { r: rg } = await run(g);
    expect(rg.recordsSeen).toBe(json(g)[0].response.result.length);
    expect(rg.registrations).toEqual([]);
    expect(rg.rejected).toEqual([]);
  });

  it('loadDirectory: loads everything, ignores SOURCES.md and the MIC list, pool tokens defer to listed tokens', async () => {
    const t = await FakeTarget.create();
    const progress: number[] = [];
    const res = await loadDirectory(DATA, t, { mappings, onProgress: (d, n) => progress.push(d / n) });
    expect(res.failed).toEqual([]);
    expect(res.ignored.map((x) => x.file).sort()).toEqual(['SOURCES.md', 'iso10383_mic_2025-05.csv']);
    expect(res.files.length).toBe(16);
    expect(progress.at(-1)).toBe(1);
    // token lists load first; UNI in the first V3 pool is the listed token, not a placeholder
    const names = res.files.map((f) => f.file);
    expect(names.indexOf('uniswap_default_tokenlist_v22.21.0.json')).toBeLessThan(names.indexOf('eth_mainnet_ots_univ3_factory_first_txs_PoolCreated.json'));
    const uni = t.find('ETHEREUM', 'UNI');
    expect(uni).toBeDefined();
    expect(t.find('ETHEREUM', '0x1f9840a8')).toBeUndefined();
    // Alpaca AAPL defers to the iShares listing with ISIN
    expect(t.find('XNAS', 'AAPL')).toMatchObject({ isin: 'US0378331005' });
    const alp = res.files.find((f) => f.mapping === 'alpaca-v2-assets')!;
    expect(alp.registered + alp.unchanged).toBe(json('alpaca_v2_assets_2019-07-09.json').length);
    for (const f of res.files) {
      const rej = Object.values(f.rejected).reduce((a, b) => a + b, 0);
      expect(rej, f.file).toBeLessThanOrEqual(f.recordsSeen);
    }
  });
});
