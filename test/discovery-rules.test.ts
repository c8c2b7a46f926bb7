/**
 * Issue 10 item 7 (discovery engine rules): the most specific mapping wins and the ambiguity is
 * reported; skip rules run before `let` bindings they do not use; a reference to a template
 * whose `when` is false leaves the field out; user mapping folders (`INSTREG_MAPPINGS_DIR`).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultMappingsDir, detectPayload, discover, loadMappings, loadPayload, prepareMapping } from '../src/discovery/engine.js';
import { RegistryError } from '../src/errors.js';
import { FakeTarget } from './helpers/fake-target.js';

const currency = (extra: Record<string, unknown> = {}) => ({
  name: 'rules-test',
  source: 'made up for tests',
  format: 'json',
  detect: { json: [{ path: 'rules', equals: 1 }] },
  records: 'rows',
  key: 's',
  instruments: [{ as: 'c', kind: 'currency', fields: { symbol: 's', venue: { const: 'ASSET' }, source: { const: 'cex' }, status: { const: 'active' } } }],
  ...extra,
});

describe('discovery engine rules', () => {
  const envBefore = process.env.INSTREG_MAPPINGS_DIR;
  afterEach(() => {
    if (envBefore === undefined) delete process.env.INSTREG_MAPPINGS_DIR;
    else process.env.INSTREG_MAPPINGS_DIR = envBefore;
  });

  it('several mappings fit: the most specific (most detection conditions) wins, the others are reported', async () => {
    const older = prepareMapping(currency({ name: 'acme-v1' }));
    const newer = prepareMapping(
      currency({
        name: 'acme-v2',
        detect: {
          json: [
            { path: 'rules', equals: 1 },
            { path: 'version', equals: 2 },
          ],
        },
        instruments: [{ as: 'c', kind: 'currency', fields: { symbol: 's', venue: { const: 'ASSET' }, source: { const: 'cex' }, status: { const: 'halted' } } }],
      }),
    );
    const text = JSON.stringify({ rules: 1, version: 2, rows: [{ s: 'AAA' }] });
    // the older mapping comes first in the list, yet the newer, more specific one wins
    const d = detectPayload(text, 'x.json', [older, newer]);
    expect(d.mapping?.name).toBe('acme-v2');
    expect(d.ambiguous).toStrictEqual(['acme-v1']);
    const dir = mkdtempSync(join(tmpdir(), 'instreg-rules-'));
    writeFileSync(join(dir, 'x.json'), text);
    const t = await FakeTarget.create();
    const st = await loadPayload(join(dir, 'x.json'), t, [older, newer]);
    expect([st.mapping, st.ambiguous]).toStrictEqual(['acme-v2', ['acme-v1']]);
    expect(t.find('ASSET', 'AAA')?.status).toBe('halted');
    // a payload only the older one fits is not ambiguous
    const only = detectPayload(JSON.stringify({ rules: 1, rows: [] }), 'y.json', [older, newer]);
    expect([only.mapping?.name, only.ambiguous]).toStrictEqual(['acme-v1', []]);
  });

  it('skip rules run before let bindings they do not use: a binding that fails on a skipped record does not reject it', async () => {
    const m = prepareMapping(
      currency({
        let: { first: '$substring(code, 0, 1)' },
        skip: [
          { when: "kind = 'test'", code: 'TestRow' },
          { when: "$first = 'Z'", code: 'ZRow' },
        ],
      }),
    );
    const t = await FakeTarget.create();
    const r = await discover(
      JSON.stringify({
        rules: 1,
        rows: [
          { s: 'T1', kind: 'test', code: 7 },
          { s: 'OK', code: 'A' },
          { s: 'ZZ', code: 'Z' },
          { s: 'BAD', code: 7 },
        ],
      }),
      m,
      t,
    );
    expect(r.skipped).toStrictEqual({ TestRow: 1, ZRow: 1 });
    // the binding fails (a number is not a string) only on a record no rule drops
    expect(r.rejected.map((x) => [x.record, x.code])).toStrictEqual([[3, 'ExpressionError']]);
    expect(r.registrations.map((x) => x.symbol)).toStrictEqual(['OK']);
  });

  it('a reference to a template whose when is false leaves the field out (the record is not rejected)', async () => {
    const m = prepareMapping({
      ...currency(),
      instruments: [
        {
          as: 'base',
          kind: 'currency',
          shared: true,
          fields: { symbol: 'b', venue: { const: 'ASSET' }, source: { const: 'cex' }, status: { const: 'active' } },
        },
        {
          as: 'quote',
          kind: 'currency',
          shared: true,
          fields: { symbol: 'q', venue: { const: 'ASSET' }, source: { const: 'cex' }, status: { const: 'active' } },
        },
        {
          as: 'settle',
          kind: 'currency',
          shared: true,
          when: '$exists(settle)',
          fields: { symbol: 'settle', venue: { const: 'ASSET' }, source: { const: 'cex' }, status: { const: 'active' } },
        },
        {
          as: 'pair',
          kind: 'future',
          fields: {
            symbol: 's',
            venue: { const: 'ACME' },
            source: { const: 'cex' },
            status: { const: 'active' },
            baseId: { ref: 'base' },
            quoteId: { ref: 'quote' },
            settleId: { ref: 'settle' },
            contractType: { const: 'perpetual' },
            settlement: { const: 'linear' },
          },
        },
      ],
    });
    const t = await FakeTarget.create();
    const r = await discover(
      JSON.stringify({
        rules: 1,
        rows: [
          { s: 'BTC-PERP', b: 'BTC', q: 'USD', settle: 'USDC' },
          { s: 'ETH-PERP', b: 'ETH', q: 'USD' },
        ],
      }),
      m,
      t,
    );
    expect(r.rejected).toStrictEqual([]);
    const pairs = r.registrations.filter((x) => x.kind === 'future') as Array<{ symbol: string; settleId?: bigint }>;
    expect(pairs.map((p) => [p.symbol, p.settleId !== undefined])).toStrictEqual([
      ['BTC-PERP', true],
      ['ETH-PERP', false],
    ]);
  });

  it('INSTREG_MAPPINGS_DIR adds user mapping folders to the shipped ones; a user mapping with a shipped name replaces it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'instreg-user-mappings-'));
    writeFileSync(join(dir, 'acme.json'), JSON.stringify(currency({ name: 'acme-user' })));
    process.env.INSTREG_MAPPINGS_DIR = dir;
    const ms = await loadMappings();
    expect(ms.some((m) => m.name === 'acme-user')).toBe(true);
    expect(ms.some((m) => m.name === 'binance-spot-exchangeinfo')).toBe(true);
    const t = await FakeTarget.create();
    const r = await discover(
      JSON.stringify({ rules: 1, rows: [{ s: 'USR' }] }),
      ms.find((m) => m.name === 'acme-user')!,
      t,
    );
    expect(r.registrations.map((x) => x.symbol)).toStrictEqual(['USR']);
    // explicit folders, without the environment
    delete process.env.INSTREG_MAPPINGS_DIR;
    expect((await loadMappings(defaultMappingsDir(), [dir])).some((m) => m.name === 'acme-user')).toBe(true);
    expect((await loadMappings()).some((m) => m.name === 'acme-user')).toBe(false);
    // a user mapping with a shipped mapping's name replaces it, and says which file it replaced
    writeFileSync(join(dir, 'clash.json'), JSON.stringify(currency({ name: 'tokenlist' })));
    const replaced = await loadMappings(defaultMappingsDir(), [dir]);
    const tl = replaced.filter((m) => m.name === 'tokenlist');
    expect(tl.length).toBe(1);
    expect(tl[0]).toMatchObject({ user: true, file: join(dir, 'clash.json'), replaces: join(defaultMappingsDir(), 'tokenlist.json') });
    expect(tl[0]!.detect).toEqual(currency({}).detect);
    expect(replaced.filter((m) => m.replaces !== undefined).map((m) => m.name)).toEqual(['tokenlist']);
    // the same folder given twice is read once; two user folders defining one name are an error naming both
    expect((await loadMappings(defaultMappingsDir(), [dir, dir])).length).toBe(replaced.length);
    const dir2 = mkdtempSync(join(tmpdir(), 'instreg-user-mappings-'));
    writeFileSync(join(dir2, 'other.json'), JSON.stringify(currency({ name: 'tokenlist' })));
    await expect(loadMappings(defaultMappingsDir(), [dir, dir2])).rejects.toThrow(/duplicate mapping name tokenlist \(also .*clash\.json\)/);
    await expect(loadMappings(defaultMappingsDir(), [join(dir, 'missing')])).rejects.toBeInstanceOf(RegistryError);
    for (const d of [dir, dir2]) rmSync(d, { recursive: true, force: true });
  });

  it("detection looks past the first array element with a '?' segment", () => {
    const m = prepareMapping(
      currency({
        name: 'any-element',
        detect: {
          json: [
            { path: 'rows.?.kind', equals: 'future' },
            { path: 'rows.?.gone', absent: true },
          ],
        },
      }),
    );
    const fits = (rows: unknown[]): boolean => detectPayload(JSON.stringify({ rows }), 'x.json', [m]).mapping !== undefined;
    expect(fits([{ kind: 'spot' }, { kind: 'spot' }, { kind: 'future' }])).toBe(true);
    expect(fits([{ kind: 'spot' }])).toBe(false);
    expect(fits([{ kind: 'future' }, { kind: 'spot', gone: 1 }])).toBe(false);
  });

  it('CSV rows after the header that are not data (skipAfterHeader) are dropped, line numbers stay true', async () => {
    const m = prepareMapping({
      name: 'units-row-csv',
      source: 'made up for tests',
      format: 'csv',
      csv: { delimiter: ';', skipLines: 1, skipAfterHeader: 2 },
      detect: { csvHeader: ['Sym', 'Tick'] },
      key: 'Sym',
      instruments: [{ as: 'c', kind: 'currency', fields: { symbol: 'Sym', venue: { const: 'ASSET' }, source: { const: 'cex' }, status: { const: 'active' } } }],
    });
    const t = await FakeTarget.create();
    const r = await discover('# preamble\nSym;Tick\nsymbol;price units\n---;---\nAAA;0.01\nBBB\n', m, t);
    expect(r.registrations.map((x) => x.symbol)).toStrictEqual(['AAA']);
    expect(r.rejected.map((x) => [x.line, x.code])).toStrictEqual([[6, 'MalformedRecord']]);
    expect(() => prepareMapping({ ...m, csv: { skipAfterHeader: -1 } })).toThrow(/skipAfterHeader/);
  });

  it('exact decimal arithmetic in conversions: multiply and divide without floating point', async () => {
    const m = prepareMapping({
      ...currency({ name: 'decimal-arith' }),
      instruments: [
        {
          as: 'b',
          kind: 'currency',
          shared: true,
          fields: { symbol: { const: 'B' }, venue: { const: 'ASSET' }, source: { const: 'cex' }, status: { const: 'active' } },
        },
        {
          as: 'p',
          kind: 'cexPair',
          fields: {
            symbol: 's',
            venue: { const: 'ACME' },
            source: { const: 'cex' },
            status: { const: 'active' },
            baseId: { ref: 'b' },
            quoteId: { ref: 'b' },
            // 0.1 + 0.2-style float traps: 0.1 × 3 is exactly 0.3, 7 / 8 is exactly 0.875
            tickSize: { expr: 'tick', convert: [{ multiply: '3' }, 'decimal'] },
            lotSize: { expr: 'lot', convert: [{ divide: '8' }, 'decimal'] },
            makerFeeBps: { expr: 'feePct', convert: [{ multiply: '100' }, 'number'] },
          },
        },
      ],
    });
    const t = await FakeTarget.create();
    const r = await discover(
      JSON.stringify({
        rules: 1,
        rows: [
          { s: 'X', tick: '0.1', lot: 7, feePct: '0.075' },
          { s: 'Y', tick: '0.1', lot: '1', feePct: '0.1', bad: 1 },
        ],
      }),
      m,
      t,
    );
    const x = r.registrations.find((i) => i.symbol === 'X') as unknown as { tickSize: unknown; lotSize: unknown; makerFeeBps: number };
    expect(x.tickSize).toStrictEqual({ raw: 3n, scale: 1 });
    expect(x.lotSize).toStrictEqual({ raw: 875n, scale: 3 });
    expect(x.makerFeeBps).toBe(7.5);
    expect(() =>
      prepareMapping({ ...m, instruments: [{ ...m.instruments[0], fields: { ...m.instruments[0]!.fields, name: { expr: 's', convert: { divide: '0' } } } }] }),
    ).toThrow(/other than zero/);
    const bad = prepareMapping({
      ...currency({ name: 'thirds' }),
      instruments: [
        {
          as: 'c',
          kind: 'currency',
          fields: {
            symbol: 's',
            venue: { const: 'ASSET' },
            source: { const: 'cex' },
            status: { const: 'active' },
            name: { expr: 'n', convert: { divide: '3' } },
          },
        },
      ],
    });
    const r2 = await discover(JSON.stringify({ rules: 1, rows: [{ s: 'T', n: '1' }] }), bad, t);
    expect(r2.rejected.map((x) => x.code)).toStrictEqual(['InvalidField']);
  });
});
