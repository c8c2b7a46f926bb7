/**
 * The `instreg` program run as a real child process (`node bin/instreg.js …`, compiled code in
 * dist/; `npm test` builds first) on the shipped data. Expected values are computed here from the
 * raw payload files, never copied from the program's output.
 *
 * Each run that looks something up loads all the data (a few seconds), so the runs are few and
 * started together in `beforeAll`.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseGetQuery, parseVenuesQuery } from '../src/cli/query.js';
import { DATA, LONG, ROOT, instreg, type Run } from './helpers/cli.js';

/** Run tasks with at most `n` at a time. */
async function pool<T>(n: number, tasks: Array<() => Promise<T>>): Promise<T[]> {
  const out: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const i = next++;
      out[i] = await tasks[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, tasks.length) }, worker));
  return out;
}

// ------------------------------------------------------------------ raw payloads

function raw<T = any>(file: string): T {
  return JSON.parse(readFileSync(join(DATA, file), 'utf8')) as T;
}

/** Split one line of a double-quoted CSV (quotes around every field, commas inside quotes). */
function splitQuoted(line: string, sep = ','): string[] {
  const out: string[] = [];
  let cur = '';
  let q = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (q) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') q = false;
      else cur += c;
    } else if (c === '"') q = true;
    else if (c === sep) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

/** Rows of a CSV as objects, header found as the first line containing `headerMark`. */
function csvRows(file: string, sep: string, headerMark: string): Array<Record<string, string>> {
  const lines = readFileSync(join(DATA, file), 'utf8')
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/);
  const h = lines.findIndex((l) => l.includes(headerMark));
  const header = splitQuoted(lines[h]!, sep);
  return lines
    .slice(h + 1)
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const cells = splitQuoted(l, sep);
      return Object.fromEntries(header.map((k, i) => [k, cells[i] ?? '']));
    });
}

/** Normalise a decimal string the way a venue would print it without padding (`0.01000000` → `0.01`). */
function decimal(s: string): string {
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

const BINANCE_2021 = 'binance_spot_exchangeInfo_2021-10-12.json';
const BINANCE_2024 = 'binance_spot_exchangeInfo_2024-09-08.json';
const APPLE_ISIN = 'US0378331005';
const ID_RE = /^0x[0-9a-f]{16}$/;

type Json = Record<string, any>;

let load: Run;
let getBtcUsdt: Run;
let getIsin: Run;
let venuesIsin: Run;
let venuesBtc: Run;
let unknown: Run;
let getAddress: Run;

/** The first Ethereum-mainnet token of the Uniswap default list (raw). */
const uniswapToken = (): Json => (raw('uniswap_default_tokenlist_v22.21.0.json').tokens as Json[]).find((t) => t.chainId === 1)!;

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist', 'src', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm run build` (npm test does it in pretest)');
  [load, getBtcUsdt, getIsin, venuesIsin, venuesBtc, unknown, getAddress] = await pool(3, [
    () => instreg('load', '--json', '--top', '0'),
    () => instreg('get', 'BINANCE:BTCUSDT', '--json'),
    () => instreg('--json', 'get', APPLE_ISIN),
    () => instreg('venues', APPLE_ISIN, '--json'),
    () => instreg('venues', 'BTC', '--json'),
    () => instreg('get', 'BINANCE:ZZZNOTAPAIR'),
    () => instreg('get', `1:${uniswapToken().address.toLowerCase()}`, '--json'),
  ]);
}, LONG);

describe('instreg load', () => {
  it('prints one JSON summary whose counts match the raw payloads', () => {
    expect(load.stderr).toBe('');
    expect(load.code).toBe(0);
    const s = JSON.parse(load.stdout) as Json;
    const venue = (code: string): number | undefined => (s.byVenue as Json[]).find((v) => v.venue === code)?.instruments;

    // Kraken: every pair except the dark-pool books (keys ending in .d)
    const kraken = raw('kraken_public_AssetPairs_2021-04-17.json').result as Record<string, unknown>;
    const krakenKeys = Object.keys(kraken);
    const lit = krakenKeys.filter((k) => !k.endsWith('.d'));
    expect(venue('KRAKEN')).toBe(lit.length);
    const kf = (s.files as Json[]).find((f) => f.file.startsWith('kraken_'))!;
    expect(kf.seen).toBe(krakenKeys.length);
    expect(kf.skippedBy.DarkPool).toBe(krakenKeys.length - lit.length);

    // Bybit: every listed instrument, spot and linear
    expect(venue('BYBIT')).toBe(raw('bybit_v5_instruments-info_spot_2026-08-09.json').result.list.length);
    expect(venue('BYBIT_LINEAR')).toBe(raw('bybit_v5_instruments-info_linear_2026-08-09.json').result.list.length);
    // Binance USD-M: symbols with a contract type (pending listings have none)
    const usdm = raw('binance_usdm_fapi_exchangeInfo_2025-03-06.json').symbols as Json[];
    expect(venue('BINANCE_USDM')).toBe(usdm.filter((x) => x.contractType !== '').length);
    // Binance spot: the union of both snapshots' symbols
    const spot = new Set([...raw(BINANCE_2021).symbols, ...raw(BINANCE_2024).symbols].map((x: Json) => x.symbol));
    expect(venue('BINANCE')).toBe(spot.size);

    // DEX pools: genuine PoolCreated (V3) and PairCreated (V2) logs in the receipts files
    // erigon rpc-tests vectors: [{ request, response: { result: { receipts: [{ logs }] } } }]
    const logs = (file: string): Json[] => (raw<Json[]>(file)[0]!.response.result.receipts as Json[]).flatMap((r) => r.logs as Json[]);
    const POOL_CREATED = '0x783cca1c0412dd0d695e784568c96da2e9c22ff989357a2e8b1d9b2b4e6b7118';
    const PAIR_CREATED = '0x0d3648bd0f6ba80134a33ba9275ac585d9d315f0ad8355cddefde31afa28d0e9';
    const pools =
      logs('eth_mainnet_ots_univ3_factory_first_txs_PoolCreated.json').filter((l) => l.topics[0] === POOL_CREATED).length +
      logs('eth_mainnet_ots_univ2_router_receipts_PairCreated.json').filter((l) => l.topics[0] === PAIR_CREATED).length;
    expect(s.byKind.dexPool).toBe(pools);

    // Totals are consistent, and every payload of the folder was loaded (the MIC list is the venue registry's)
    const kinds = Object.values(s.byKind as Record<string, number>).reduce((a, b) => a + b, 0);
    expect(kinds).toBe(s.instruments);
    expect((s.byVenue as Json[]).reduce((a, v) => a + v.instruments, 0)).toBe(s.instruments);
    const payloads = readdirSync(DATA).filter((f) => /\.(json|csv)$/.test(f) && !f.startsWith('iso10383_mic'));
    expect((s.files as Json[]).map((f) => f.file).sort()).toEqual(payloads.sort());
    expect(s.failed).toEqual([]);
    for (const f of s.files as Json[]) expect(f.registered + f.unchanged).toBeLessThanOrEqual(f.instruments);
    expect(s.venueRegistry.venues).toBeGreaterThan(2000); // the ISO 10383 list is loaded too
  });
});

describe('instreg get', () => {
  it(
    'VENUE:SYMBOL gives the pair with the attributes of the last-loaded Binance snapshot',
    async () => {
      expect(getBtcUsdt.code).toBe(0);
      const out = JSON.parse(getBtcUsdt.stdout) as Json[];
      expect(out).toHaveLength(1);
      const p = out[0]!;
      expect(p).toMatchObject({ kind: 'cexPair', venue: 'BINANCE', symbol: 'BTCUSDT' });
      expect(p.id).toMatch(ID_RE);
      // Both snapshots share a mapping, so they load by name: 2021, then 2024 (which updates in place).
      const rawPair = (raw(BINANCE_2024).symbols as Json[]).find((x) => x.symbol === 'BTCUSDT')!;
      const filter = (t: string): Json => (rawPair.filters as Json[]).find((f) => f.filterType === t)!;
      expect(p.tickSize).toBe(decimal(filter('PRICE_FILTER').tickSize));
      expect(p.lotSize).toBe(decimal(filter('LOT_SIZE').stepSize));
      expect(p.baseId).toMatch(ID_RE);
      expect(p.quoteId).toMatch(ID_RE);

      // round trip: the printed base id names the base asset of the raw pair
      const base = await instreg('get', p.baseId, '--json');
      expect(base.code).toBe(0);
      const b = JSON.parse(base.stdout) as Json[];
      expect(b).toHaveLength(1);
      expect(b[0]).toMatchObject({ id: p.baseId, kind: 'currency', venue: 'ASSET', symbol: rawPair.baseAsset });
    },
    LONG,
  );

  it('an ISIN gives its listings on XNAS and XETR, with the identifiers of the raw files', () => {
    expect(getIsin.code).toBe(0);
    const out = JSON.parse(getIsin.stdout) as Json[];
    for (const l of out) {
      expect(l.isin).toBe(APPLE_ISIN);
      expect(l.id).toMatch(ID_RE);
    }
    expect(new Set(out.map((l) => l.id)).size).toBe(out.length);
    const xetra = csvRows('xetra_t7-xetr-allTradableInstruments_2019-11-08.csv', ';', 'Mnemonic').find((r) => r.ISIN === APPLE_ISIN)!;
    const ishares = csvRows('ishares_IWV_holdings_2021-01.csv', ',', 'Ticker').find((r) => r.ISIN === APPLE_ISIN)!;
    expect(ishares.Exchange).toBe('NASDAQ');
    const xetr = out.find((l) => l.venue === 'XETR');
    const xnas = out.find((l) => l.venue === 'XNAS');
    expect(xetr).toMatchObject({ symbol: xetra.Mnemonic, currency: xetra['Settlement Currency'] });
    expect(xnas).toMatchObject({ symbol: ishares.Ticker, cusip: ishares.CUSIP, sedol: ishares.SEDOL });
  });

  it('CHAIN:ADDRESS (chain id, any case) gives the token of the raw token list', () => {
    expect(getAddress.code).toBe(0);
    const t = uniswapToken();
    const out = JSON.parse(getAddress.stdout) as Json[];
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ kind: 'token', chainId: 1, address: t.address.toLowerCase(), sizeDecimals: t.decimals, symbol: t.symbol });
  });

  it('an unknown instrument exits 1 with a one-line reason', () => {
    const symbols = [...raw(BINANCE_2021).symbols, ...raw(BINANCE_2024).symbols].map((x: Json) => x.symbol);
    expect(symbols).not.toContain('ZZZNOTAPAIR');
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
    expect(unknown.stderr).toContain('BINANCE:ZZZNOTAPAIR');
  });

  it(
    'a malformed query exits 2 with a one-line reason, before loading anything',
    async () => {
      for (const q of ['US0378331006' /* wrong ISIN check digit */, 'not a query', '0xnothex', '0x' + 'ab'.repeat(20) /* address without chain */]) {
        const r = await instreg('get', q);
        expect(r.code, q).toBe(2);
        expect(r.stdout, q).toBe('');
        expect(r.stderr.trim().split('\n'), q).toHaveLength(1);
        expect(r.stderr, q).toMatch(/malformed query/);
      }
    },
    LONG,
  );
});

describe('instreg venues', () => {
  it('an ISIN: XETR with the Xetra mnemonic and the venue attributes of the MIC list', () => {
    expect(venuesIsin.code).toBe(0);
    const out = JSON.parse(venuesIsin.stdout) as Json;
    const xetra = csvRows('xetra_t7-xetr-allTradableInstruments_2019-11-08.csv', ';', 'Mnemonic').find((r) => r.ISIN === APPLE_ISIN)!;
    const mic = csvRows('iso10383_mic_2025-05.csv', ',', 'OPERATING MIC').find((r) => r.MIC === 'XETR')!;
    const v = (out.venues as Json[]).find((x) => x.venue === 'XETR');
    expect(v).toBeDefined();
    expect(v!.listings.map((l: Json) => l.symbol)).toContain(xetra.Mnemonic);
    expect(v).toMatchObject({ mic: 'XETR', country: mic['ISO COUNTRY CODE (ISO 3166)'], name: mic['MARKET NAME-INSTITUTION DESCRIPTION'], status: 'active' });
    expect((out.venues as Json[]).map((x) => x.venue)).toContain('XNAS');
  });

  it('a base asset: every CEX with a BTC pair, with as many Kraken listings as raw pairs with a BTC leg', () => {
    expect(venuesBtc.code).toBe(0);
    const out = JSON.parse(venuesBtc.stdout) as Json;
    const venues = (out.venues as Json[]).map((x) => x.venue);
    expect(venues).toEqual(expect.arrayContaining(['BINANCE', 'COINBASE', 'KRAKEN', 'BYBIT']));
    // the same, from the raw files: each venue's payload has a BTC pair
    expect((raw(BINANCE_2024).symbols as Json[]).some((x) => x.baseAsset === 'BTC')).toBe(true);
    expect((raw('coinbase_exchange_products_2021-04-17.json') as Json[]).some((x) => x.base_currency === 'BTC')).toBe(true);
    expect((raw('bybit_v5_instruments-info_spot_2026-08-09.json').result.list as Json[]).some((x) => x.baseCoin === 'BTC')).toBe(true);
    const kraken = raw('kraken_public_AssetPairs_2021-04-17.json').result as Record<string, Json>;
    const XBT = ['XXBT', 'XBT'];
    const krakenBtc = Object.entries(kraken).filter(([k, p]) => !k.endsWith('.d') && (XBT.includes(p.base) || XBT.includes(p.quote)));
    const kr = (out.venues as Json[]).find((x) => x.venue === 'KRAKEN')!;
    expect(kr.listings).toHaveLength(krakenBtc.length);
    // Binance spot: pairs with a BTC leg over both snapshots
    const spot = new Map([...raw(BINANCE_2021).symbols, ...raw(BINANCE_2024).symbols].map((x: Json) => [x.symbol, x]));
    const bn = (out.venues as Json[]).find((x) => x.venue === 'BINANCE')!;
    const expected = [...spot.values()]
      .filter((x) => x.baseAsset === 'BTC' || x.quoteAsset === 'BTC')
      .map((x) => x.symbol)
      .sort();
    expect(bn.listings.map((l: Json) => l.symbol).sort()).toEqual(expected);
    const btcusdt = bn.listings.find((l: Json) => l.symbol === 'BTCUSDT');
    expect(btcusdt).toMatchObject({ role: 'base', kind: 'cexPair' });
    expect(bn).toMatchObject({ type: 'cex', known: true });
  });
});

describe('query parsing (in process)', () => {
  it('recognises each accepted form', () => {
    const ishares = csvRows('ishares_IWV_holdings_2021-01.csv', ',', 'Ticker').find((r) => r.ISIN === APPLE_ISIN)!;
    const addr = uniswapToken().address as string;
    expect(parseGetQuery(ishares.ISIN)).toEqual({ type: 'isin', isin: ishares.ISIN });
    expect(parseGetQuery(ishares.ISIN.toLowerCase())).toEqual({ type: 'isin', isin: ishares.ISIN });
    expect(parseGetQuery(ishares.CUSIP)).toEqual({ type: 'cusip', cusip: ishares.CUSIP });
    expect(parseGetQuery('XNAS:AAPL')).toEqual({ type: 'symbol', venue: 'XNAS', symbol: 'AAPL' });
    expect(parseGetQuery(`ETHEREUM:${addr}`)).toEqual({ type: 'address', chain: 'ETHEREUM', address: addr });
    expect(parseGetQuery(`137:${addr}`)).toEqual({ type: 'address', chain: 137, address: addr });
    expect(parseGetQuery('0x1f')).toEqual({ type: 'id', id: 0x1fn });
    expect(parseGetQuery('00000000000000ff')).toEqual({ type: 'id', id: 0xffn });
    expect(parseVenuesQuery('btc')).toEqual({ type: 'asset', code: 'BTC' });
    expect(parseVenuesQuery(ishares.ISIN)).toEqual({ type: 'isin', isin: ishares.ISIN });
  });

  it('rejects malformed queries with exit code 2', () => {
    for (const q of [
      '',
      'AAPL',
      '0x12345678901234567',
      '1:notanaddress',
      ':X',
      'XNAS:',
      `XNAS:${'S-'.repeat(17)}` /* symbol over 32 bytes */,
      '037833101' /* CUSIP check digit */,
    ]) {
      expect(() => parseGetQuery(q), q).toThrow(expect.objectContaining({ exitCode: 2 }));
    }
    expect(() => parseVenuesQuery('XNAS:AAPL')).toThrow(expect.objectContaining({ exitCode: 2 }));
    expect(() => parseVenuesQuery('a b')).toThrow(expect.objectContaining({ exitCode: 2 }));
  });
});

describe('instreg load with a bad file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'instreg-cli-'));
  // the bad token `oops` is on line 4, column 5 (1-based) of this text
  const text = '{\n  "symbols": [\n    1,\n    oops\n  ]\n}\n';

  it(
    'a file given by name: non-zero exit, one line naming the file and the position',
    async () => {
      const file = join(dir, 'broken.json');
      writeFileSync(file, text);
      const r = await instreg('load', file);
      expect(r.code).not.toBe(0);
      expect(r.stdout).toBe('');
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(file);
      expect(lines[0]).toMatch(/line 4, column 5/);
    },
    LONG,
  );

  it(
    'a folder holding it: the summary, then non-zero exit naming the file and the position',
    async () => {
      const sub = join(dir, 'folder');
      mkdirSync(sub);
      writeFileSync(join(sub, 'broken.json'), text);
      const r = await instreg('load', sub, '--json');
      expect(r.code).not.toBe(0);
      const s = JSON.parse(r.stdout) as Json;
      expect(s.failed).toHaveLength(1);
      expect(r.stderr).toContain(join(sub, 'broken.json'));
      expect(r.stderr).toMatch(/line 4, column 5/);
    },
    LONG,
  );
});
