/**
 * The discovery engine on made-up formats: new mappings with no code change, detection,
 * malformed payloads and records, pollution attempts, all-or-nothing records.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectFormat, discover, loadMappings, loadPayload, prepareMapping, type Mapping } from '../src/discovery/engine.js';
import { RegistryError } from '../src/errors.js';
import { formatFixed } from '../src/model/fixed.js';
import { FakeTarget } from './helpers/fake-target.js';

/** A made-up venue "ACME" publishing `{ "acme": 1, "markets": [...] }`. */
const acmeMapping = {
  name: 'acme-markets',
  source: 'ACME Exchange GET /v1/markets (made up for tests)',
  format: 'json',
  detect: {
    json: [
      { path: 'acme', equals: 1 },
      { path: 'markets', type: 'array' },
    ],
  },
  records: 'markets',
  key: 'ticker',
  tables: { state: { open: 'active', paused: 'halted', gone: 'delisted' }, coins: { XBT: 'BTC' } },
  skip: [{ when: "state = 'test'", code: 'TestMarket' }],
  instruments: [
    {
      as: 'base',
      kind: 'currency',
      shared: true,
      fields: {
        symbol: { expr: 'b', convert: ['upper', { alias: 'coins' }] },
        venue: { const: 'ASSET' },
        source: { const: 'cex' },
        status: { const: 'active' },
      },
    },
    {
      as: 'quote',
      kind: 'currency',
      shared: true,
      fields: {
        symbol: { expr: 'q', convert: ['upper', { alias: 'coins' }] },
        venue: { const: 'ASSET' },
        source: { const: 'cex' },
        status: { const: 'active' },
      },
    },
    {
      as: 'pair',
      kind: 'cexPair',
      fields: {
        symbol: 'ticker',
        venue: { const: 'ACME' },
        source: { const: 'cex' },
        status: { expr: 'state', convert: { map: 'state' } },
        baseId: { ref: 'base' },
        quoteId: { ref: 'quote' },
        tickSize: { expr: 'px_step', convert: 'decimal' },
        priceDecimals: { expr: 'px_step', convert: 'decimalsOf' },
        makerFeeBps: { expr: 'fees.maker', convert: 'fractionToBps' },
        createdAt: { expr: 'listed', convert: 'ms' },
      },
    },
  ],
} satisfies Record<string, unknown>;

const market = (ticker: string, b: string, q: string, extra: Record<string, unknown> = {}) => ({
  ticker,
  b,
  q,
  px_step: '0.5',
  state: 'open',
  fees: { maker: '0.0002' },
  listed: '2024-01-02',
  ...extra,
});
const acme = (markets: unknown[]) => JSON.stringify({ acme: 1, markets });

/** A made-up `|`-separated CSV with a preamble line and a BOM. */
const csvMapping = {
  name: 'made-up-listing-csv',
  source: 'Example Exchange daily listing file (made up for tests)',
  format: 'csv',
  csv: { delimiter: '|', skipLines: 1 },
  detect: { csvHeader: ['Sym', 'Isin', 'Tick'], firstLine: '^# listing' },
  missing: ['', 'n/a'],
  key: 'Sym',
  instruments: [
    {
      as: 'share',
      kind: 'stock',
      fields: {
        symbol: 'Sym',
        venue: { const: 'XNYS' },
        source: { const: 'tradfi' },
        status: { const: 'active' },
        isin: { expr: 'Isin', convert: 'upper' },
        tickSize: { expr: 'Tick', convert: 'decimal' },
        currency: { expr: 'Ccy', convert: 'upper' },
      },
    },
  ],
};
const CSV =
  '\ufeff# listing 2024-05-01\nSym|Isin|Tick|Ccy\nAAPL|us0378331005|0.01|usd\nMSFT|US5949181045|0.01|n/a\nBAD|US0378331006|0.01|USD\nSHORT|US5949181045\n\n';

function dir(files: Record<string, string>): string {
  const d = mkdtempSync(join(tmpdir(), 'instreg-disc-'));
  for (const [f, c] of Object.entries(files)) writeFileSync(join(d, f), c);
  return d;
}

describe('discovery engine: new formats need only a mapping file', () => {
  it('loads a made-up JSON venue from a mapping file, with conversions and aliases', async () => {
    const mdir = dir({ 'acme.json': JSON.stringify(acmeMapping) });
    const mappings = await loadMappings(mdir);
    const pdir = dir({
      'acme-markets.json': acme([
        market('XBT-USD', 'xbt', 'usd'),
        market('ETH-USD', 'eth', 'usd', { state: 'paused' }),
        market('T-T', 't', 't', { state: 'test' }),
      ]),
    });
    const t = await FakeTarget.create();
    const s = await loadPayload(join(pdir, 'acme-markets.json'), t, mappings);
    expect(s).toMatchObject({
      mapping: 'acme-markets',
      recordsSeen: 3,
      instruments: 5,
      registered: 5,
      unchanged: 0,
      skipped: { TestMarket: 1 },
      rejected: {},
    });
    const p = t.find('ACME', 'XBT-USD')!;
    if (p.kind !== 'cexPair') throw new Error('kind');
    expect(formatFixed(p.tickSize!)).toBe('0.5');
    expect(p.priceDecimals).toBe(1);
    expect(p.makerFeeBps).toBe(2);
    expect(p.createdAt).toBe(Date.UTC(2024, 0, 2));
    expect(p.baseId).toBe(t.idOf({ kind: 'currency', symbol: 'BTC', venue: 'ASSET', source: 'cex', status: 'active' }));
    expect(t.find('ACME', 'ETH-USD')!.status).toBe('halted');
    // loading the same file again changes nothing
    const again = await loadPayload(join(pdir, 'acme-markets.json'), t, mappings);
    expect(again).toMatchObject({ registered: 0, unchanged: 5 });
  });

  it('loads a made-up CSV (BOM, preamble, custom delimiter, missing markers)', async () => {
    const m = prepareMapping(csvMapping);
    expect(detectFormat(CSV, 'listing.csv', [m])).toBe(m);
    expect(detectFormat(CSV, 'listing.json', [m])).toBeUndefined();
    const t = await FakeTarget.create();
    const r = await discover(CSV, m, t);
    expect(r.recordsSeen).toBe(4);
    expect(r.registrations.map((i) => i.symbol)).toEqual(['AAPL', 'MSFT']);
    expect(r.registrations[0]).toMatchObject({ kind: 'stock', isin: 'US0378331005', currency: 'USD' });
    expect('currency' in r.registrations[1]).toBe(false);
    const codes = Object.fromEntries(r.rejected.map((x) => [x.key ?? String(x.record), x.code]));
    expect(codes).toEqual({ BAD: 'InvalidIdentifier', '3': 'MalformedRecord' });
    expect(r.rejected.find((x) => x.code === 'MalformedRecord')!.line).toBe(6);
  });
});

describe('discovery engine: bad input', () => {
  it('malformed JSON is a ParseError with line and column', async () => {
    const m = prepareMapping(acmeMapping);
    const t = await FakeTarget.create();
    const bad = '{\n  "acme": 1,\n  "markets": [\n    {"ticker": }\n  ]\n}';
    await expect(discover(bad, m, t, { file: 'x.json' })).rejects.toThrow(/ParseError: x\.json: invalid JSON at line 4, column 16 \(offset 45\)/);
    const err = await discover(bad, m, t).catch((e) => e);
    expect(err).toBeInstanceOf(RegistryError);
    expect(err.code).toBe('ParseError');
    await expect(discover('{"acme": 1, "markets": [', m, t)).rejects.toThrow(/line 1, column 25/);
    const pdir = dir({ 'broken.json': bad });
    await expect(loadPayload(join(pdir, 'broken.json'), t, [m])).rejects.toMatchObject({ code: 'UnknownFormat' });
  });

  it('unreadable CSV is a ParseError with the line', async () => {
    const m = prepareMapping(csvMapping);
    const t = await FakeTarget.create();
    await expect(discover('# listing\nSym|Isin|Tick\n"AAPL|US0378331005|0.01\n', m, t)).rejects.toThrow(/ParseError: .*line \d/);
  });

  it('rejects bad records with a reason, counts them, loads the rest, registers nothing of a bad record', async () => {
    const m = prepareMapping(acmeMapping);
    const t = await FakeTarget.create();
    const rows = [
      market('GOOD-USD', 'good', 'usd'),
      market('NEG-USD', 'negbase', 'usd', { px_step: '-0.5' }),
      market('X'.repeat(300), 'longbase', 'usd'),
      { b: 'nosym', q: 'usd', px_step: '0.1', state: 'open' },
      market('GOOD-USD', 'good', 'usd'),
      JSON.parse('{"ticker":"PROTO-USD","b":"protobase","q":"usd","px_step":"1","state":"open","__proto__":{"polluted":true}}'),
      JSON.parse('{"ticker":"CTOR-USD","b":"ctorbase","q":"usd","px_step":"1","state":"open","x":{"constructor":{"prototype":{"polluted":true}}}}'),
      42,
      market('ENUM-USD', 'enumbase', 'usd', { state: 'weird' }),
      market('ZERO-USD', 'zerobase', 'usd', { px_step: '0' }),
      market('OK2-EUR', 'ok2', 'eur'),
    ];
    const pdir = dir({ 'p.json': acme(rows) });
    const s = await loadPayload(join(pdir, 'p.json'), t, [m]);
    expect(s.recordsSeen).toBe(rows.length);
    expect(s.rejected).toEqual({ InvalidField: 3, FieldTooLong: 1, DuplicateRecord: 1, ForbiddenKey: 2, MalformedRecord: 1, InvalidEnum: 1 });
    const why = Object.fromEntries(s.rejects.map((r) => [r.record, r.reason]));
    expect(why[1]).toMatch(/tickSize/);
    expect(why[2]).toMatch(/symbol: 300 UTF-8 bytes/);
    expect(why[3]).toMatch(/symbol/);
    expect(why[4]).toMatch(/duplicates record 0/);
    expect(why[5]).toMatch(/__proto__/);
    expect(why[9]).toMatch(/tickSize: must be positive/);
    expect(t.find('ACME', 'GOOD-USD')).toBeDefined();
    expect(t.find('ACME', 'OK2-EUR')).toBeDefined();
    // nothing of a rejected record is registered, not even its (valid) base currency
    for (const b of ['NEGBASE', 'LONGBASE', 'NOSYM', 'PROTOBASE', 'CTORBASE', 'ENUMBASE', 'ZEROBASE']) expect(t.find('ASSET', b), b).toBeUndefined();
    expect(s.registered).toBe(6); // GOOD, USD, GOOD-USD, OK2, EUR, OK2-EUR
  });

  it('keys named __proto__ / constructor pollute nothing', async () => {
    const m = prepareMapping({ ...acmeMapping, records: 'markets', entries: false });
    const t = await FakeTarget.create();
    const payload =
      '{"acme":1,"__proto__":{"polluted":1},"markets":[{"ticker":"A-B","b":"a","q":"b","px_step":"1","state":"open","__proto__":{"polluted":2}},{"ticker":"C-D","b":"c","q":"d","px_step":"1","state":"__proto__"}]}';
    const r = await discover(payload, m, t);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted')).toBe(false);
    expect(r.rejected.map((x) => x.code)).toEqual(['ForbiddenKey', 'InvalidEnum']);
    // entries mode: a record keyed __proto__ is rejected too
    const e = prepareMapping({
      ...acmeMapping,
      name: 'acme-entries',
      records: 'markets',
      entries: true,
      key: 'key',
      instruments: [{ as: 'c', kind: 'currency', fields: { symbol: 'key', venue: { const: 'ASSET' }, source: { const: 'cex' }, status: { const: 'active' } } }],
    });
    const r2 = await discover('{"acme":1,"markets":{"__proto__":{"x":1},"ABC":{}}}', e, t);
    expect(r2.registrations.map((i) => i.symbol)).toEqual(['ABC']);
    expect(r2.rejected[0].code).toBe('ForbiddenKey');
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('an expression failing on one record rejects only that record', async () => {
    const m = prepareMapping({ ...acmeMapping, name: 'acme-expr', let: { n: '$number(lots)' } });
    const t = await FakeTarget.create();
    const r = await discover(acme([market('A-B', 'a', 'b', { lots: '5' }), market('C-D', 'c', 'd', { lots: 'abc' })]), m, t);
    expect(r.registrations.map((i) => i.symbol)).toEqual(['A', 'B', 'A-B']);
    expect(r.rejected).toMatchObject([{ record: 1, code: 'ExpressionError' }]);
  });

  it('a record refused by the target is counted; later records needing it are rejected too', async () => {
    const m = prepareMapping(acmeMapping);
    const t = await FakeTarget.create();
    // pre-register a different instrument holding the venue + symbol ACME:DUP-USD
    t.registerInstrument({ kind: 'future', symbol: 'DUP-USD', venue: 'ACME', source: 'cex', status: 'active', expiry: 0 });
    // and one holding ASSET:TAKEN, the symbol a shared base currency needs
    t.registerInstrument({ kind: 'future', symbol: 'TAKEN', venue: 'ASSET', source: 'cex', status: 'active', expiry: 0 });
    const rows = [market('DUP-USD', 'dup', 'usd'), market('TAKEN-USD', 'taken', 'usd'), market('TAKEN-EUR', 'taken', 'eur'), market('FINE-USD', 'fine', 'usd')];
    const pdir = dir({ 'p.json': acme(rows) });
    const s = await loadPayload(join(pdir, 'p.json'), t, [m]);
    expect(s.rejected).toEqual({ DuplicateSymbol: 2, DependencyRejected: 1 });
    expect(s.rejects.map((r) => [r.record, r.code])).toEqual([
      [0, 'DuplicateSymbol'],
      [1, 'DuplicateSymbol'],
      [2, 'DependencyRejected'],
    ]);
    expect(t.find('ACME', 'TAKEN-USD')).toBeUndefined();
    expect(t.find('ACME', 'TAKEN-EUR')).toBeUndefined();
    expect(t.find('ACME', 'FINE-USD')).toBeDefined();
  });
});

describe('mapping validation', () => {
  const bad = (patch: Record<string, unknown>) => () => prepareMapping({ ...acmeMapping, ...patch });
  it('names the offending property', () => {
    expect(bad({ format: 'xml' })).toThrow(/"format"/);
    expect(bad({ records: 'markets[' })).toThrow(/acme-markets\.records: invalid JSONata/);
    expect(
      bad({
        instruments: [
          acmeMapping.instruments[0],
          acmeMapping.instruments[1],
          { ...acmeMapping.instruments[2], fields: { ...acmeMapping.instruments[2].fields, tickSize: { expr: 'px', convert: 'decimall' } } },
        ],
      }),
    ).toThrow(/instruments\[2\]\.fields\.tickSize\.convert\[0\]: unknown conversion "decimall"/);
    expect(bad({ instruments: [acmeMapping.instruments[2]] })).toThrow(/fields\.baseId: "ref" must name an EARLIER template/);
    expect(bad({ instruments: [{ ...acmeMapping.instruments[0], fields: { colour: 'x' } }] })).toThrow(/fields\.colour: not an instrument field/);
    expect(bad({ events: ['function transfer(address,uint256)'] })).toThrow(/events\[0\]/);
    expect(
      bad({
        instruments: [{ ...acmeMapping.instruments[0], fields: { ...acmeMapping.instruments[0].fields, symbol: { expr: 'b', convert: { map: 'nope' } } } }],
      }),
    ).toThrow(/unknown table "nope"/);
  });
  it('loadMappings reports the file', async () => {
    const d = dir({ 'broken.json': '{"name": "x",' });
    await expect(loadMappings(d)).rejects.toThrow(/broken\.json: invalid JSON at line 1/);
    const d2 = dir({ 'child.json': JSON.stringify({ name: 'child', extends: 'missing' }) });
    await expect(loadMappings(d2)).rejects.toThrow(/extends unknown mapping "missing"/);
  });
  it('the complete example in docs/mappings.md is a valid mapping', () => {
    const md = readFileSync(new URL('../docs/mappings.md', import.meta.url), 'utf8');
    const block = /## A complete example[\s\S]*?```json\n([\s\S]*?)```/.exec(md)![1];
    expect(prepareMapping(JSON.parse(block)).name).toBe('binance-spot-exchangeinfo');
  });
  it('the shipped mappings all load', async () => {
    const ms: Mapping[] = await loadMappings();
    expect(ms.length).toBeGreaterThanOrEqual(13);
  });
});
