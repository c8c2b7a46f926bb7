/**
 * The cross-venue questions (every listing of an ISIN, every venue an asset trades on, the pools
 * of a token pair) answered by a reader WORKER: the shipped data is loaded into a registry on
 * this thread, a one-thread reader pool attaches to it, and `module` tasks of
 * `workers/cross-venue-tasks.ts` run the lookups in the worker and return plain data. Expected
 * values come from the raw payload files.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataDir } from '../src/config.js';
import { loadDirectory } from '../src/discovery/index.js';
import { compiledModuleUrl, createReaderPool, type ReaderPool } from '../src/reader/pool.js';
import { InstrumentRegistry } from '../src/writer/registry.js';
import type { ListingRecord, PoolRecord } from '../workers/cross-venue-tasks.js';

const DATA = dataDir();
const APPLE_ISIN = 'US0378331005';
const POOL_CREATED = '0x783cca1c0412dd0d695e784568c96da2e9c22ff989357a2e8b1d9b2b4e6b7118';
const ID_RE = /^0x[0-9a-f]{16}$/;
const TASKS = compiledModuleUrl(new URL('../workers/cross-venue-tasks.ts', import.meta.url).href);

let registry: InstrumentRegistry;
let pool: ReaderPool;

function task<R>(fn: string, args: unknown): Promise<R> {
  return pool.run<R>({ op: 'module', module: TASKS, fn, args });
}

/** The first line of a data file that contains `mark` (BOM removed). */
function lineWith(file: string, mark: string): string {
  const line = readFileSync(join(DATA, file), 'utf8')
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .find((l) => l.includes(mark));
  if (!line) throw new Error(`${file}: no line with ${mark}`);
  return line;
}

/** Cells of a CSV line: `"…"`-quoted cells (separators inside quotes kept) or bare cells. */
function cells(line: string, sep: string): string[] {
  return line.startsWith('"') ? [...line.matchAll(/"((?:[^"]|"")*)"/g)].map((m) => m[1]!.replace(/""/g, '"')) : line.split(sep);
}

beforeAll(async () => {
  registry = await InstrumentRegistry.create({ initialCapacity: 32768 });
  await loadDirectory(DATA, registry);
  pool = createReaderPool(registry.handle, { threads: 1 });
  await pool.ready();
}, 120_000);

afterAll(async () => {
  await pool?.close();
});

describe('cross-venue questions answered by a reader worker', () => {
  it('every listing of ISIN US0378331005: XNAS:AAPL (iShares CSV) and XETR:APC (Xetra CSV)', async () => {
    // Xetra: `;`-separated, the Mnemonic column of the row with the ISIN
    const XETRA = 'xetra_t7-xetr-allTradableInstruments_2019-11-08.csv';
    const xh = cells(lineWith(XETRA, ';Mnemonic;'), ';');
    const xrow = cells(lineWith(XETRA, `;${APPLE_ISIN};`), ';');
    const xetraSymbol = xrow[xh.indexOf('Mnemonic')]!;
    expect(xrow[xh.indexOf('ISIN')]).toBe(APPLE_ISIN);
    expect(xrow[xh.indexOf('MIC Code')]).toBe('XETR');
    // iShares: bare header, quoted rows; the Ticker of the holding with the ISIN, on NASDAQ
    const ISHARES = 'ishares_IWV_holdings_2021-01.csv';
    const ih = cells(lineWith(ISHARES, 'Ticker,'), ',');
    const irow = cells(lineWith(ISHARES, `"${APPLE_ISIN}"`), ',');
    const ticker = irow[ih.indexOf('Ticker')]!;
    expect(irow[ih.indexOf('ISIN')]).toBe(APPLE_ISIN);
    expect(irow[ih.indexOf('Exchange')]).toBe('NASDAQ');
    expect([xetraSymbol, ticker]).toEqual(['APC', 'AAPL']);

    const listings = await task<ListingRecord[]>('listingsOfIsin', { isin: APPLE_ISIN });
    expect(listings.map((l) => `${l.venue}:${l.symbol}`)).toEqual(expect.arrayContaining([`XNAS:${ticker}`, `XETR:${xetraSymbol}`]));
    for (const l of listings) expect(l.id).toMatch(ID_RE);
    // the worker's answer equals a direct read on this thread
    const direct = registry
      .reader()
      .getByIsin(APPLE_ISIN)
      .map((v) => `${v.venue}:${v.symbol}`)
      .sort();
    expect(listings.map((l) => `${l.venue}:${l.symbol}`).sort()).toEqual(direct);
  });

  it('the venues where base asset BTC trades include BINANCE, COINBASE, KRAKEN and BYBIT', async () => {
    const r = await task<{ assetId: string; venues: string[]; listings: number } | null>('venuesOfAsset', { code: 'BTC' });
    expect(r).not.toBeNull();
    expect(r!.assetId).toMatch(ID_RE);
    expect(r!.assetId).toBe(`0x${registry.reader().getBySymbol('ASSET', 'BTC')!.id.toString(16).padStart(16, '0')}`);
    expect(r!.venues).toEqual(expect.arrayContaining(['BINANCE', 'COINBASE', 'KRAKEN', 'BYBIT']));
    expect(r!.listings).toBeGreaterThan(r!.venues.length);
  });

  it('the pools of the first Uniswap V3 PoolCreated hold both tokens of the log', async () => {
    type Log = { address: string; topics: string[]; data: string };
    const file = raw<Array<{ response: { result: { receipts: Array<{ logs: Log[] }> } } }>>('eth_mainnet_ots_univ3_factory_first_txs_PoolCreated.json');
    const log = file[0]!.response.result.receipts.flatMap((r) => r.logs).find((l) => l.topics[0] === POOL_CREATED)!;
    // PoolCreated(address indexed token0, address indexed token1, uint24 indexed fee, int24 tickSpacing, address pool)
    const token0 = `0x${log.topics[1]!.slice(-40)}`.toLowerCase();
    const token1 = `0x${log.topics[2]!.slice(-40)}`.toLowerCase();
    const poolAddress = `0x${log.data.slice(2 + 64 + 24, 2 + 128)}`.toLowerCase();

    const r = await task<{ token0Id: string | null; token1Id: string | null; pools: PoolRecord[] }>('poolsForTokenPair', { chainId: 1, token0, token1 });
    expect(r.token0Id).toMatch(ID_RE);
    expect(r.token1Id).toMatch(ID_RE);
    expect(r.pools.length).toBeGreaterThan(0);
    for (const p of r.pools) expect([...p.legs].sort()).toEqual([r.token0Id, r.token1Id].sort());
    expect(r.pools.map((p) => p.address)).toContain(poolAddress);
  });
});

function raw<T>(file: string): T {
  return JSON.parse(readFileSync(join(DATA, file), 'utf8')) as T;
}
