/**
 * The load summary and the registry's metrics agree: every counter of `LoadSummary.totals` equals
 * the `getMetrics()` counter of the same name after loading the shipped data folder (through the
 * project's one data-directory setting, `dataDir()`). The Alpaca case is checked against counts made
 * here from the raw payloads with plain `JSON.parse` and csv-parse: an Alpaca asset whose
 * listing iShares holdings already registered (with its ISIN) is `unchanged`, never a
 * registration failure; a different instrument on that venue + symbol is a `DuplicateSymbol`
 * refusal in both.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTotals, summarize, type LoadSummary } from '../src/cli/load-command.js';
import { openSession, type Session } from '../src/cli/session.js';
import { dataDir } from '../src/config.js';
import { loadPayload, prepareMapping } from '../src/discovery/engine.js';
import { InstrumentRegistry, type RegistryMetrics } from '../src/writer/registry.js';

const DATA = dataDir();
const ALPACA = 'alpaca_v2_assets_2019-07-09.json';
const ISHARES = 'ishares_IWV_holdings_2021-01.csv';

/** Independent counts from the raw payloads (MIC tables copied from the two mappings' descriptions). */
function rawOverlap(): { alpacaEquities: number; overlap: Set<string>; alpacaKeys: Set<string>; duplicatesWithinAlpaca: number } {
  const alpaca = JSON.parse(readFileSync(join(DATA, ALPACA), 'utf8')) as Array<{ class: string; exchange: string; symbol: string }>;
  const aMic: Record<string, string> = { NASDAQ: 'XNAS', NYSE: 'XNYS', ARCA: 'ARCX', NYSEARCA: 'ARCX', AMEX: 'XASE', BATS: 'BATS' };
  const rows = parseCsv(readFileSync(join(DATA, ISHARES), 'utf8'), { columns: true, bom: true, relax_column_count: true }) as Array<Record<string, string>>;
  const iMic: Record<string, string> = {
    NASDAQ: 'XNAS',
    'New York Stock Exchange Inc.': 'XNYS',
    'Nyse Mkt Llc': 'XASE',
    'NYSE Arca': 'ARCX',
    'Cboe BZX formerly known as BATS': 'BATS',
  };
  const ishares = new Set<string>();
  for (const r of rows)
    if (r['Asset Class'] === 'Equity' && iMic[r.Exchange!] && (r.Ticker ?? '').trim() !== '') ishares.add(`${iMic[r.Exchange!]}:${r.Ticker!.trim()}`);
  const alpacaKeys = new Set<string>();
  let equities = 0;
  let dup = 0;
  const overlap = new Set<string>();
  for (const a of alpaca) {
    if (a.class !== 'us_equity') continue;
    equities++;
    const k = `${aMic[a.exchange]}:${a.symbol.trim()}`;
    if (alpacaKeys.has(k)) dup++;
    alpacaKeys.add(k);
    if (ishares.has(k)) overlap.add(k);
  }
  return { alpacaEquities: equities, overlap, alpacaKeys, duplicatesWithinAlpaca: dup };
}

const sum = (o: Record<string, number | undefined>): number => Object.values(o).reduce<number>((a, b) => a + (b ?? 0), 0);

describe('load summary = getMetrics() on the shipped data', () => {
  let session: Session;
  let s: LoadSummary;
  let m: RegistryMetrics;
  beforeAll(async () => {
    session = await openSession({ dataDir: DATA });
    s = summarize(session, 0);
    m = session.registry.getMetrics();
  }, 120_000);

  it('every summary counter equals the metric of the same name', () => {
    const t = s.totals;
    expect(t.files).toBe(16);
    expect({ added: t.added, updated: t.updated, unchanged: t.unchanged }).toEqual(m.outcomes);
    expect(t.refused).toEqual(m.failuresByCode);
    expect(sum(t.refused)).toBe(m.registrationFailures);
    expect({ files: t.files, recordsSeen: t.recordsSeen, skipped: t.skipped, rejected: t.rejected, ignoredFields: t.ignoredFields }).toEqual(m.discovery);
    // the JSON summary carries the same metrics
    expect(s.registry).toMatchObject({
      outcomes: m.outcomes,
      failuresByCode: m.failuresByCode,
      discovery: m.discovery,
      registrationFailures: m.registrationFailures,
    });
    // the totals are the per-file lines added up; live instruments = added (nothing removed)
    expect(t.added).toBe(s.files.reduce((a, f) => a + f.added, 0));
    expect(t.unchanged).toBe(s.files.reduce((a, f) => a + f.unchanged, 0));
    expect(sum(t.rejected)).toBe(s.files.reduce((a, f) => a + f.rejected, 0));
    expect(m.instruments).toBe(t.added);
    expect(s.instruments).toBe(t.added);
    expect(loadTotals(session.report.files)).toEqual(t);
  });

  it('an Alpaca asset whose listing iShares registered is unchanged, not a DuplicateSymbol failure (counts from the raw payloads)', () => {
    const raw = rawOverlap();
    expect(raw.duplicatesWithinAlpaca).toBe(0); // no Alpaca row repeats a venue + symbol
    expect(raw.overlap.size).toBeGreaterThan(2000);
    const alp = s.files.find((f) => f.file === ALPACA)!;
    const ish = s.files.find((f) => f.file === ISHARES)!;
    // an iShares row refused for a bad identifier registers nothing, so the raw overlap is right
    // only if no Alpaca asset has its listing (it would be added, not unchanged)
    const badIds = session.report.files.find((f) => f.file === ISHARES)!.rejects.filter((r) => r.code === 'InvalidIdentifier');
    expect(badIds.length).toBe(1);
    for (const r of badIds) for (const mic of ['XNAS', 'XNYS', 'ARCX', 'XASE', 'BATS']) expect(raw.overlap.has(`${mic}:${r.key}`), r.key).toBe(false);
    expect(alp.seen).toBe(raw.alpacaEquities);
    expect(alp.unchanged).toBe(raw.overlap.size);
    expect(alp.registered).toBe(raw.alpacaEquities - raw.overlap.size);
    expect(alp.rejectedBy).toEqual({});
    expect(alp.refusedBy).toEqual({});
    expect(m.failuresByCode.DuplicateSymbol).toBeUndefined();
    // the only DuplicateSymbol is the iShares file repeating XNAS:INDT within itself (found by discovery, not refused by the registry)
    expect(ish.rejectedBy.DuplicateSymbol).toBe(1);
    expect(ish.refusedBy).toEqual({});
    // each overlapping listing is one instrument: the iShares one, with its ISIN
    const r = session.reader;
    for (const k of [...raw.overlap].slice(0, 200)) {
      const [venue, symbol] = k.split(':') as [string, string];
      const all = r.getAllBySymbol(venue, symbol);
      expect(all.length, k).toBe(1);
      expect((all[0]!.toObject() as { isin?: string }).isin, k).toMatch(/^[A-Z]{2}[A-Z0-9]{9}[0-9]$/);
    }
  });
});

describe('placeholder classification against a real registry', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('the same listing is unchanged; a different instrument on the venue + symbol is a DuplicateSymbol refusal, counted in summary and metrics alike', async () => {
    const reg = await InstrumentRegistry.create();
    const held = reg.registerInstrument({
      kind: 'stock',
      symbol: 'AAA',
      venue: 'XNAS',
      source: 'tradfi',
      status: 'active',
      isin: 'US0378331005',
      currency: 'USD',
    });
    reg.registerInstrument({ kind: 'stock', symbol: 'BBB', venue: 'XNAS', source: 'tradfi', status: 'active', isin: 'US5949181045', currency: 'EUR' });
    reg.registerInstrument({ kind: 'etf', symbol: 'CCC', venue: 'XNAS', source: 'tradfi', status: 'active', isin: 'US4642876555' });
    const mapping = prepareMapping({
      name: 'test-listings',
      source: 'made up for tests',
      format: 'json',
      detect: { json: [{ path: '0.sym', type: 'string' }] },
      key: 'sym',
      instruments: [
        {
          as: 'stock',
          kind: 'stock',
          placeholder: true,
          fields: { symbol: 'sym', venue: { const: 'XNAS' }, source: { const: 'tradfi' }, status: { const: 'halted' }, currency: 'ccy' },
        },
      ],
    });
    const dir = mkdtempSync(join(tmpdir(), 'instreg-placeholder-'));
    dirs.push(dir);
    const file = join(dir, 'listings.json');
    writeFileSync(
      file,
      JSON.stringify([
        { sym: 'AAA', ccy: 'USD' }, // the held listing, known with more fields: unchanged
        { sym: 'BBB', ccy: 'USD' }, // held trading in EUR: another instrument → DuplicateSymbol
        { sym: 'CCC', ccy: 'USD' }, // held as an ETF: another kind → DuplicateSymbol
        { sym: 'DDD', ccy: 'USD' }, // new
      ]),
    );
    const before = reg.getMetrics();
    const st = await loadPayload(file, reg, [mapping]);
    const after = reg.getMetrics();
    expect(st).toMatchObject({ added: 1, updated: 0, unchanged: 1, rejected: { DuplicateSymbol: 2 }, refused: { DuplicateSymbol: 2 } });
    expect(after.outcomes.unchanged - before.outcomes.unchanged).toBe(1);
    expect(after.outcomes.added - before.outcomes.added).toBe(1);
    expect(after.failuresByCode).toEqual({ DuplicateSymbol: 2 });
    expect(after.discovery).toEqual({ files: 1, recordsSeen: 4, skipped: {}, rejected: { DuplicateSymbol: 2 }, ignoredFields: {} });
    // the deferral wrote nothing: the held listing keeps its status and identifiers
    expect(reg.getById(held.id)).toMatchObject({ status: 'active', isin: 'US0378331005' });
  });
});
