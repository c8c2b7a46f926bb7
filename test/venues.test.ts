import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterEach, describe, expect, it } from 'vitest';
import { dataDir, repoRoot } from '../src/config.js';
import { RegistryError, ValidationError } from '../src/errors.js';
import {
  CRYPTO_VENUES_FILE,
  ExecutionCriteria,
  MIC_CSV_FILE,
  VENUE_CODE_RE,
  VenueRegistry,
  defaultVenueRegistry,
  loadCryptoVenues,
  loadMicList,
  type VenueInfo,
  type VenueListing,
  type VenueStatus,
} from '../src/venues/index.js';

const DATA = dataDir();
const MIC_TEXT = readFileSync(join(DATA, MIC_CSV_FILE), 'utf8');
const CRYPTO_TEXT = readFileSync(join(repoRoot(), CRYPTO_VENUES_FILE), 'utf8');

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('config', () => {
  const saved = process.env['INSTREG_DATA_DIR'];
  afterEach(() => {
    if (saved === undefined) delete process.env['INSTREG_DATA_DIR'];
    else process.env['INSTREG_DATA_DIR'] = saved;
  });

  it('finds the repo root from src/ and from a dist/src/ location', () => {
    const root = repoRoot();
    expect(readFileSync(join(root, 'package.json'), 'utf8')).toContain('"name": "instreg"');
    expect(repoRoot(join(root, 'dist', 'src', 'venues'))).toBe(root);
    expect(repoRoot(join(root, 'src', 'venues'))).toBe(root);
  });

  it('dataDir honours INSTREG_DATA_DIR, else <repo>/../shared/data', () => {
    delete process.env['INSTREG_DATA_DIR'];
    expect(dataDir()).toBe(join(repoRoot(), '..', 'shared', 'data'));
    process.env['INSTREG_DATA_DIR'] = '/tmp/some-data';
    expect(dataDir()).toBe('/tmp/some-data');
  });
});

describe('loadMicList on the ISO 10383 CSV (2025-05)', () => {
  const { venues, rejected } = loadMicList(MIC_TEXT);
  const byCode = new Map(venues.map((v) => [v.code, v]));

  it('loads every MIC row (count computed from the raw lines)', () => {
    const rowCount = MIC_TEXT.split('\n').filter((l) => /^"[A-Z0-9]{4}",/.test(l)).length;
    expect(rowCount).toBe(2767); // SOURCES.md: 2767 MICs
    expect(rejected).toEqual([]);
    expect(venues.length).toBe(rowCount);
    expect(new Set(venues.map((v) => v.code)).size).toBe(rowCount);
  });

  it('maps STATUS: ACTIVE→active, EXPIRED→expired, UPDATED→updated (counts as in the file)', () => {
    const rows = parse(MIC_TEXT, { columns: true, bom: true }) as Array<Record<string, string>>;
    const raw = new Map<string, string>(rows.map((r) => [r['MIC']!, r['STATUS']!]));
    const expected: Record<string, VenueStatus> = { ACTIVE: 'active', EXPIRED: 'expired', UPDATED: 'updated' };
    for (const v of venues) expect(v.status, v.code).toBe(expected[raw.get(v.code)!]);
    const count = (s: VenueStatus): number => venues.filter((v) => v.status === s).length;
    expect([count('active'), count('expired'), count('updated')]).toEqual([2243, 511, 13]); // SOURCES.md
    expect(byCode.get('LEVL')?.status).toBe('updated');
    expect(byCode.get('XOCH')?.status).toBe('expired');
  });

  it('XNAS and XETR have the right country, city and fields', () => {
    expect(byCode.get('XNAS')).toMatchObject({
      code: 'XNAS',
      mic: 'XNAS',
      operatingMic: 'XNAS',
      segment: 'OPRT',
      name: 'NASDAQ - ALL MARKETS',
      country: 'US',
      city: 'NEW YORK',
      status: 'active',
      type: 'exchange',
      acronym: 'NASDAQ',
      marketCategory: 'NSPD',
    });
    expect(byCode.get('XETR')).toMatchObject({
      mic: 'XETR',
      operatingMic: 'XETR',
      segment: 'OPRT',
      name: 'XETRA',
      country: 'DE',
      city: 'FRANKFURT',
      status: 'active',
      type: 'exchange',
      lei: '529900G3SW56SHYNPR95',
    });
    expect(byCode.get('XNAS')?.lei).toBeUndefined(); // empty cell → absent
  });

  it('keeps segment MICs with their operating MIC, and maps market categories to venue types', () => {
    expect(byCode.get('PURE')).toMatchObject({ operatingMic: 'XCNQ', segment: 'SGMT', country: 'CA', city: 'TORONTO' });
    expect(byCode.get('CRYP')?.type).toBe('cex'); // CASP
    expect(byCode.get('DRSP')?.type).toBe('other'); // APPA (publication arrangement)
    expect(byCode.get('XNYS')?.type).toBe('exchange');
    const segs = venues.filter((v) => v.segment === 'SGMT');
    expect(segs.length).toBe(1225);
    expect(segs.every((v) => v.operatingMic !== undefined && v.operatingMic !== v.mic)).toBe(true);
  });

  it('quoted commas inside fields do not shift columns', () => {
    // XFTX has unquoted empty cells (",,") and its neighbours have commas inside quoted names.
    expect(byCode.get('XFTX')).toMatchObject({ name: 'FTX', country: 'AG', city: 'ST JOHN', status: 'active' });
    expect(venues.every((v) => v.country === undefined || /^[A-Z]{2}$/.test(v.country))).toBe(true);
  });
});

describe('loadMicList on synthetic input', () => {
  const header =
    '"MIC","OPERATING MIC","OPRT/SGMT","MARKET NAME-INSTITUTION DESCRIPTION","LEGAL ENTITY NAME","LEI","MARKET CATEGORY CODE","ACRONYM","ISO COUNTRY CODE (ISO 3166)","CITY","WEBSITE","STATUS","CREATION DATE","LAST UPDATE DATE","LAST VALIDATION DATE","EXPIRY DATE","COMMENTS"';
  const row = (mic: string, status = 'ACTIVE', level = 'OPRT', name = 'A, B AND C'): string =>
    `"${mic}","${mic}","${level}","${name}","","","RMKT","","FR","PARIS","","${status}","20200101","20200101","","",""`;

  it('rejects bad rows with line numbers and reasons, keeps good ones', () => {
    const text =
      '\uFEFF' +
      [
        header,
        row('AAAA'),
        row('bad1'),
        row('AAAA'),
        row('BBBB', 'DELETED'),
        row('CCCC', 'ACTIVE', 'XXXX'),
        '"DDDD","DDDD","OPRT"',
        row('EEEE', 'EXPIRED', 'SGMT'),
        row('FFFF', 'ACTIVE', 'OPRT', ''),
      ].join('\n') +
      '\n';
    const { venues, rejected } = loadMicList(text);
    expect(venues.map((v) => [v.code, v.status, v.segment, v.name])).toEqual([
      ['AAAA', 'active', 'OPRT', 'A, B AND C'],
      ['EEEE', 'expired', 'SGMT', 'A, B AND C'],
    ]);
    expect(rejected.map((r) => r.line)).toEqual([3, 4, 5, 6, 7, 9]);
    expect(rejected[0]!.reason).toMatch(/not 4 chars/);
    expect(rejected[1]!.reason).toMatch(/duplicate MIC AAAA \(first on line 2\)/);
    expect(rejected[2]!.reason).toMatch(/unknown STATUS "DELETED"/);
    expect(rejected[3]!.reason).toMatch(/OPRT\/SGMT/);
    expect(rejected[4]!.reason).toMatch(/malformed CSV record/);
    expect(rejected[5]!.reason).toMatch(/empty MARKET NAME/);
  });

  it('throws ParseError when the header lacks a column', () => {
    const e = thrown(() => loadMicList(header.replace('"STATUS",', '') + '\n'));
    expect(e).toBeInstanceOf(RegistryError);
    expect((e as RegistryError).code).toBe('ParseError');
    expect((e as RegistryError).message).toMatch(/STATUS/);
    expect((thrown(() => loadMicList('')) as RegistryError).code).toBe('ParseError');
  });
});

describe('crypto venue file', () => {
  const { venues, chains } = loadCryptoVenues(CRYPTO_TEXT);
  const byCode = new Map(venues.map((v) => [v.code, v]));

  it('describes the named CEX, DEX and chain venues with valid codes', () => {
    for (const c of ['BINANCE', 'BINANCE_USDM', 'COINBASE', 'COINBASE_ADV', 'KRAKEN', 'BYBIT', 'BYBIT_LINEAR']) expect(byCode.get(c)?.type, c).toBe('cex');
    for (const c of ['UNISWAP_V2', 'UNISWAP_V3', 'QUICKSWAP']) expect(byCode.get(c)?.type, c).toBe('dex');
    for (const c of [
      'ETHEREUM',
      'POLYGON',
      'ARBITRUM',
      'OPTIMISM',
      'BASE',
      'BSC',
      'UNICHAIN',
      'SOLANA',
      'AVALANCHE',
      'CELO',
      'ZKSYNC',
      'BLAST',
      'ZORA',
      'WORLDCHAIN',
    ]) {
      expect(byCode.get(c)?.type, c).toBe('chain');
    }
    for (const v of venues) expect(VENUE_CODE_RE.test(v.code), v.code).toBe(true);
    expect(new Set(venues.map((v) => v.code)).size).toBe(venues.length);
  });

  it('maps every chain id of the Uniswap and QuickSwap token lists to a chain venue', () => {
    const ids = new Set<number>();
    for (const f of ['uniswap_default_tokenlist_v22.21.0.json', 'quickswap_default_tokenlist_v1.2.59.json']) {
      const list = JSON.parse(readFileSync(join(DATA, f), 'utf8')) as {
        tokens: Array<{ chainId: number; extensions?: { bridgeInfo?: Record<string, unknown> } }>;
      };
      for (const t of list.tokens) {
        ids.add(t.chainId);
        for (const k of Object.keys(t.extensions?.bridgeInfo ?? {})) ids.add(Number(k));
      }
    }
    expect(ids.size).toBeGreaterThan(20);
    for (const id of ids) {
      const code = chains.get(id);
      expect(code, `chain ${id}`).toBeDefined();
      expect(byCode.get(code!)).toMatchObject({ type: 'chain', chainId: id });
    }
    expect([chains.get(1), chains.get(137), chains.get(42161), chains.get(8453), chains.get(501000101)]).toEqual([
      'ETHEREUM',
      'POLYGON',
      'ARBITRUM',
      'BASE',
      'SOLANA',
    ]);
  });

  it('carries public standard-tier fees with their source, and says the other metrics are estimates', () => {
    expect(byCode.get('BINANCE')).toMatchObject({ makerFeeBps: 10, takerFeeBps: 10 });
    expect(byCode.get('KRAKEN')).toMatchObject({ makerFeeBps: 16, takerFeeBps: 26 });
    expect(byCode.get('COINBASE')).toMatchObject({ makerFeeBps: 50, takerFeeBps: 50 });
    expect(byCode.get('UNISWAP_V2')?.takerFeeBps).toBe(30);
    expect(byCode.get('UNISWAP_V3')?.takerFeeBps).toBeUndefined(); // per pool
    for (const v of venues) {
      if (v.makerFeeBps !== undefined || v.takerFeeBps !== undefined || v.type === 'dex') expect(v.feesSource, v.code).toBeTruthy();
    }
    const doc = JSON.parse(CRYPTO_TEXT) as { $comment: string[]; estimatesAreMeasurements: boolean };
    expect(doc.$comment.join(' ')).toMatch(/latencyMs, liquidityScore and reliability are CONFIGURABLE ESTIMATES/);
    expect(doc.estimatesAreMeasurements).toBe(false);
  });

  it('rejects invalid venue files', () => {
    const base = { code: 'X', name: 'x', type: 'cex', status: 'active' };
    const cases: Array<[unknown, string]> = [
      [{ venues: [{ ...base, code: 'lower' }] }, 'venues[0].code'],
      [{ venues: [{ ...base, code: 'A_VERY_LONG_CODE_X' }] }, 'venues[0].code'],
      [{ venues: [{ ...base, liquidityScore: 1.5 }] }, 'venues[0].liquidityScore'],
      [{ venues: [{ ...base, reliability: -0.1 }] }, 'venues[0].reliability'],
      [{ venues: [{ ...base, latencyMs: -1 }] }, 'venues[0].latencyMs'],
      [{ venues: [{ ...base, takerFeeBps: 'ten' }] }, 'venues[0].takerFeeBps'],
      [{ venues: [{ ...base, takerFee: 10 }] }, 'venues[0].takerFee'],
      [{ venues: [{ ...base, status: 'open' }] }, 'venues[0].status'],
      [{ venues: [{ ...base, tradingHours: { open: '9:30', close: '16:00' } }] }, 'venues[0].tradingHours'],
      [{ venues: [base, base] }, 'venues[1].code'],
      [{ venues: [base], chains: { '1': 'X' } }, 'chains.1'],
      [{ venues: [{ ...base, type: 'chain', chainId: 2 }], chains: { '1': 'X' } }, 'chains.1'],
      [{ venues: [{ ...base, type: 'chain' }], chains: { abc: 'X' } }, 'chains.abc'],
    ];
    for (const [doc, field] of cases) {
      const e = thrown(() => loadCryptoVenues(doc));
      expect(e, field).toBeInstanceOf(ValidationError);
      expect((e as ValidationError).field).toBe(field);
    }
    expect(loadCryptoVenues(JSON.stringify({ venues: [{ ...base, type: 'chain', chainId: 1 }], chains: { '1': 'X' } })).chains.get(1)).toBe('X');
  });
});

describe('VenueRegistry', () => {
  const v = (code: string, extra: Partial<VenueInfo> = {}): VenueInfo => ({ code, name: code, status: 'active', type: 'cex', ...extra });

  it('adds, gets, lists sorted, and refuses duplicates unless replace', () => {
    const r = new VenueRegistry();
    r.addVenue(v('ZZZ'));
    r.addVenue(v('AAA', { takerFeeBps: 5 }));
    expect(r.all().map((x) => x.code)).toEqual(['AAA', 'ZZZ']);
    expect(r.get('AAA')?.takerFeeBps).toBe(5);
    expect(r.get('nope')).toBeUndefined();
    const e = thrown(() => r.addVenue(v('AAA')));
    expect(e).toBeInstanceOf(ValidationError);
    expect((e as ValidationError).field).toBe('code');
    r.addVenue(v('AAA', { takerFeeBps: 7 }), { replace: true });
    expect(r.get('AAA')?.takerFeeBps).toBe(7);
    expect(Object.isFrozen(r.get('AAA'))).toBe(true);
    expect(thrown(() => r.addVenue(v('bad code')))).toBeInstanceOf(ValidationError);
  });

  it('isKnownMic answers from MIC entries only', () => {
    const r = new VenueRegistry();
    r.addVenue(v('XNAS', { mic: 'XNAS', type: 'exchange' }));
    r.addVenue(v('XOCH', { mic: 'XOCH', type: 'exchange', status: 'expired' }));
    r.addVenue(v('BINANCE'));
    expect(r.isKnownMic('XNAS')).toBe(true);
    expect(r.isKnownMic('XOCH')).toBe(true);
    expect(r.isKnownMic('XOCH', { activeOnly: true })).toBe(false);
    expect(r.isKnownMic('BINANCE')).toBe(false);
    expect(r.isKnownMic('XXXX')).toBe(false);
  });

  it('setStatus returns the previous status and notifies the listener on change only', () => {
    const events: Array<[string, VenueStatus, VenueStatus]> = [];
    const r = new VenueRegistry({ onStatusChange: (code, from, to) => events.push([code, from, to]) });
    r.addVenue(v('KRAKEN'));
    expect(r.setStatus('KRAKEN', 'suspended')).toBe('active');
    expect(r.get('KRAKEN')?.status).toBe('suspended');
    expect(r.setStatus('KRAKEN', 'suspended')).toBe('suspended');
    expect(r.setStatus('KRAKEN', 'active')).toBe('suspended');
    expect(events).toEqual([
      ['KRAKEN', 'active', 'suspended'],
      ['KRAKEN', 'suspended', 'active'],
    ]);
    expect((thrown(() => r.setStatus('NOPE', 'active')) as ValidationError).field).toBe('venue');
    expect((thrown(() => r.setStatus('KRAKEN', 'open' as VenueStatus)) as ValidationError).code).toBe('InvalidEnum');
  });

  describe('findBestVenue', () => {
    const make = (): VenueRegistry => {
      const r = new VenueRegistry();
      r.addVenue(v('CHEAP', { makerFeeBps: 0, takerFeeBps: 5, liquidityScore: 0.2, latencyMs: 80 }));
      r.addVenue(v('DEEP', { makerFeeBps: 10, takerFeeBps: 10, liquidityScore: 0.9, latencyMs: 40 }));
      r.addVenue(v('FAST', { makerFeeBps: 20, takerFeeBps: 20, liquidityScore: 0.5, latencyMs: 5 }));
      r.addVenue(v('BARE')); // no metrics
      r.addVenue(v('OLDX', { status: 'expired', takerFeeBps: 0, liquidityScore: 1, latencyMs: 0 }));
      r.addVenue(v('UPDX', { status: 'updated', takerFeeBps: 10, makerFeeBps: 5 }));
      return r;
    };
    const L = (venue: string, id: bigint, symbol = 'BTC-USD'): VenueListing => ({ venue, symbol, id });
    const listings = [L('BARE', 1n), L('FAST', 2n), L('DEEP', 3n), L('CHEAP', 4n), L('OLDX', 5n), L('NOWHERE', 6n)];

    it('LowestFees picks the lowest taker fee', () => {
      const best = make().findBestVenue(listings, ExecutionCriteria.LowestFees);
      expect(best?.venue.code).toBe('CHEAP');
      expect(best?.listing.id).toBe(4n);
    });

    it('HighestLiquidity picks the highest liquidity score', () => {
      expect(make().findBestVenue(listings, 'HighestLiquidity')?.venue.code).toBe('DEEP');
    });

    it('FastestExecution picks the lowest latency', () => {
      expect(make().findBestVenue(listings, ExecutionCriteria.FastestExecution)?.listing).toEqual(L('FAST', 2n));
    });

    it('ignores listings on venues that are not active (expired, suspended) or unknown; updated counts as active', () => {
      const r = make();
      // OLDX (expired) would win every criterion if it were considered.
      for (const c of Object.values(ExecutionCriteria)) expect(r.findBestVenue(listings, c)?.venue.code).not.toBe('OLDX');
      r.setStatus('CHEAP', 'suspended');
      expect(r.findBestVenue(listings, 'LowestFees')?.venue.code).toBe('DEEP');
      // UPDX ties DEEP on taker fee (10) and wins on maker fee (5 < 10).
      expect(r.findBestVenue([...listings, L('UPDX', 7n)], 'LowestFees')?.venue.code).toBe('UPDX');
      expect(r.findBestVenue([L('OLDX', 5n), L('NOWHERE', 6n)], 'LowestFees')).toBeUndefined();
      expect(r.findBestVenue([], 'LowestFees')).toBeUndefined();
    });

    it('ranks venues lacking the metric last', () => {
      const r = make();
      expect(r.findBestVenue([L('BARE', 1n), L('FAST', 2n)], 'LowestFees')?.venue.code).toBe('FAST');
      expect(r.findBestVenue([L('BARE', 1n)], 'HighestLiquidity')?.venue.code).toBe('BARE');
    });

    it('breaks ties by venue code, then symbol, then id, independent of input order', () => {
      const r = new VenueRegistry();
      r.addVenue(v('BBB', { takerFeeBps: 10 }));
      r.addVenue(v('AAA', { takerFeeBps: 10 }));
      r.addVenue(v('CCC', { takerFeeBps: 10 }));
      const ls = [L('CCC', 1n), L('BBB', 2n), L('AAA', 9n, 'Y'), L('AAA', 8n, 'X'), L('AAA', 3n, 'X')];
      for (const order of [ls, [...ls].reverse(), [ls[2]!, ls[0]!, ls[4]!, ls[1]!, ls[3]!]]) {
        expect(r.findBestVenue(order, 'LowestFees')?.listing).toEqual(L('AAA', 3n, 'X'));
        expect(r.findBestVenue(order, 'FastestExecution')?.listing).toEqual(L('AAA', 3n, 'X'));
      }
    });

    it('rejects an unknown criterion', () => {
      const e = thrown(() => make().findBestVenue(listings, 'Cheapest' as ExecutionCriteria));
      expect((e as ValidationError).code).toBe('InvalidEnum');
    });
  });
});

describe('defaultVenueRegistry', () => {
  const events: string[] = [];
  const reg = defaultVenueRegistry(DATA, { onStatusChange: (c, f, t) => events.push(`${c}:${f}->${t}`) });
  const crypto = loadCryptoVenues(CRYPTO_TEXT);

  it('holds every MIC and every crypto venue (BASE shadows the MIC of the same code)', () => {
    const mics = MIC_TEXT.split('\n')
      .filter((l) => /^"[A-Z0-9]{4}",/.test(l))
      .map((l) => l.slice(1, 5));
    const collisions = crypto.venues.filter((c) => mics.includes(c.code)).map((c) => c.code);
    expect(collisions).toEqual(['BASE']);
    expect(reg.size).toBe(mics.length + crypto.venues.length - collisions.length);
    expect(reg.get('BASE')).toMatchObject({ type: 'chain', chainId: 8453 });
    expect(reg.isKnownMic('BASE')).toBe(true);
    expect(reg.shadowedMics().map((m) => [m.code, m.country])).toEqual([['BASE', 'HK']]);
    expect(reg.get('XNAS')).toMatchObject({ country: 'US', city: 'NEW YORK' });
    expect(reg.isKnownMic('XETR')).toBe(true);
    expect(reg.isKnownMic('BINANCE')).toBe(false);
    expect(reg.venueForChain(137)).toBe('POLYGON');
    expect(reg.venueForChain(501000101)).toBe('SOLANA');
    expect(reg.venueForChain(999999)).toBeUndefined();
  });

  it('routes a real cross-venue set and feeds status changes to the listener', () => {
    const perp = [
      { venue: 'BYBIT_LINEAR', symbol: 'BTCUSDT', id: 11n },
      { venue: 'BINANCE_USDM', symbol: 'BTCUSDT', id: 12n },
    ];
    // Both 2 bp maker; Binance USD-M 5 bp taker vs Bybit 5.5 bp.
    expect(reg.findBestVenue(perp, 'LowestFees')?.venue.code).toBe('BINANCE_USDM');
    const spot = [
      { venue: 'COINBASE', symbol: 'BTC-USD', id: 1n },
      { venue: 'KRAKEN', symbol: 'XBT/USD', id: 2n },
      { venue: 'UNISWAP_V2', symbol: 'WBTC/USDC', id: 3n },
    ];
    expect(reg.findBestVenue(spot, 'LowestFees')?.venue.code).toBe('KRAKEN'); // 26 < 30 < 50 taker
    expect(reg.setStatus('KRAKEN', 'suspended')).toBe('active');
    expect(reg.findBestVenue(spot, 'LowestFees')?.venue.code).toBe('UNISWAP_V2');
    expect(events).toEqual(['KRAKEN:active->suspended']);
    // Listed equity: AAPL on XNAS and APC on XETR; no fee data for either → tie broken by code.
    const aapl = [
      { venue: 'XNAS', symbol: 'AAPL', id: 100n },
      { venue: 'XETR', symbol: 'APC', id: 101n },
      { venue: 'XOCH', symbol: 'AAPL', id: 102n }, // expired MIC
    ];
    expect(reg.findBestVenue(aapl, 'LowestFees')?.venue.code).toBe('XETR');
    expect(reg.findBestVenue(aapl.slice(0, 1).concat(aapl.slice(2)), 'LowestFees')?.venue.code).toBe('XNAS');
  });
});
