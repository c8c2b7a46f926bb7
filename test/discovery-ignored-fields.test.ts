/**
 * A field the instrument's kind does not store is never dropped quietly: discovery rejects the
 * record (`UnstoredField`), or, when the mapping lists the field in `ignoreFields`, drops the
 * value and counts it per mapping and field: in the per-file stats, in the registry's metrics and
 * in the CLI's load summary (tables and `--json`). Expected counts come from the fixture data.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPayload, prepareMapping, validateMapping } from '../src/discovery/engine.js';
import { INSTRUMENT_FIELDS } from '../src/discovery/mapping.js';
import { RegistryError } from '../src/errors.js';
import { storedFields } from '../src/model/stored-fields.js';
import { InstrumentRegistry } from '../src/writer/registry.js';
import { instreg } from './helpers/cli.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function dir(files: Record<string, string>): string {
  const d = mkdtempSync(join(tmpdir(), 'instreg-ignored-'));
  dirs.push(d);
  for (const [f, text] of Object.entries(files)) writeFileSync(join(d, f), text);
  return d;
}

/** A made-up token list whose entries carry a quote currency, which a token does not store. */
function tokenMapping(ignoreFields?: string[]) {
  return {
    name: 'test-priced-tokens',
    source: 'made-up token list with prices (tests)',
    format: 'json',
    detect: { json: [{ path: 'pricedTokens', type: 'array' }] },
    records: 'pricedTokens',
    key: 'symbol',
    ...(ignoreFields ? { ignoreFields } : {}),
    instruments: [
      {
        as: 'token',
        kind: 'token',
        fields: {
          symbol: 'symbol',
          venue: { const: 'ETHEREUM' },
          source: { const: 'defi' },
          status: { const: 'active' },
          chainId: { const: 1 },
          address: 'address',
          sizeDecimals: 'decimals',
          currency: 'quote',
        },
      },
    ],
  };
}

const tokens = Array.from({ length: 7 }, (_, i) => ({
  symbol: `TK${i}`,
  address: `0x${(i + 1).toString(16).padStart(40, '0')}`,
  decimals: 18,
  ...(i % 3 === 0 ? {} : { quote: 'USD' }), // records 0, 3, 6 carry no currency
}));
const PAYLOAD = JSON.stringify({ pricedTokens: tokens });
const WITH_CURRENCY = tokens.filter((t) => 'quote' in t).length;

describe('storedFields', () => {
  const common = ['kind', 'source', 'status', 'symbol', 'venue', 'name', 'priceDecimals', 'sizeDecimals', 'tickSize', 'lotSize', 'minQty', 'maxQty'];
  const common2 = ['makerFeeBps', 'takerFeeBps', 'createdAt', 'updatedAt'];
  it('lists the header, common and kind fields (from the model documentation)', () => {
    expect([...storedFields('currency')].sort()).toEqual([...common, ...common2].sort());
    expect([...storedFields('token')].sort()).toEqual([...common, ...common2, 'chainId', 'address', 'assetId'].sort());
    const limits = ['minNotional', 'maxNotional', 'minPrice', 'maxPrice', 'positionLimit'];
    expect([...storedFields('stock')].sort()).toEqual([...common, ...common2, 'isin', 'cusip', 'sedol', 'currency', ...limits].sort());
    expect(storedFields('token').has('currency')).toBe(false);
    expect(() => storedFields('toString' as never)).toThrow(RegistryError);
  });
  it('every field a mapping may set is stored by some kind', () => {
    const kinds = ['token', 'stock', 'etf', 'future', 'option', 'currency', 'cexPair', 'dexPool', 'synthetic', 'index'] as const;
    for (const f of INSTRUMENT_FIELDS)
      expect(
        kinds.some((k) => storedFields(k).has(f)),
        f,
      ).toBe(true);
  });
});

describe('a mapping that produces a field the kind does not store', () => {
  it('without ignoreFields: each record carrying it is rejected UnstoredField; the others load', async () => {
    const reg = await InstrumentRegistry.create();
    const d = dir({ 'tokens.json': PAYLOAD });
    const st = await loadPayload(join(d, 'tokens.json'), reg, [prepareMapping(tokenMapping())]);
    expect(st.rejected).toEqual({ UnstoredField: WITH_CURRENCY });
    expect(st.added).toBe(tokens.length - WITH_CURRENCY);
    expect(st.ignoredFields).toEqual({});
    expect(st.rejects[0]!.reason).toMatch(/token\.currency: kind token does not store currency/);
    expect(reg.getMetrics().discovery).toMatchObject({ rejected: { UnstoredField: WITH_CURRENCY }, ignoredFields: {} });
    expect(reg.getMetrics().failuresByCode).toEqual({}); // discovery refused them; the registry never saw them
  });

  it('with ignoreFields: every record loads, each dropped value is counted per mapping and field', async () => {
    const reg = await InstrumentRegistry.create();
    const d = dir({ 'tokens.json': PAYLOAD });
    const st = await loadPayload(join(d, 'tokens.json'), reg, [prepareMapping(tokenMapping(['currency']))]);
    expect(st.rejected).toEqual({});
    expect(st.added).toBe(tokens.length);
    expect(st.ignoredFields).toEqual({ currency: WITH_CURRENCY });
    expect(reg.getMetrics().discovery.ignoredFields).toEqual({ 'test-priced-tokens': { currency: WITH_CURRENCY } });
    const tk1 = reg.reader().getBySymbol('ETHEREUM', 'TK1')!.toObject() as unknown as Record<string, unknown>;
    expect(tk1.currency).toBeUndefined();
    expect(tk1.sizeDecimals).toBe(18);
  });

  it('ignoreFields must name instrument fields', () => {
    expect(() => validateMapping(tokenMapping(['currency', 'colour']))).toThrow(RegistryError);
    expect(() => validateMapping(tokenMapping(['currency', 'colour']))).toThrow(/ignoreFields\[1\]: "colour" is not an instrument field/);
    expect(() => validateMapping({ ...tokenMapping(), ignoreFields: 'currency' })).toThrow(/ignoreFields: must be an array/);
  });

  it('the CLI load summary shows them (tables and --json)', async () => {
    const maps = dir({ 'priced-tokens.json': JSON.stringify(tokenMapping(['currency'])) });
    const data = dir({ 'tokens.json': PAYLOAD });
    const text = await instreg('load', '--mappings', maps, data);
    expect(text.stderr).toBe('');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/Ignored fields/);
    expect(text.stdout).toMatch(new RegExp(`test-priced-tokens\\s*│\\s*currency\\s*│\\s*${WITH_CURRENCY}\\s`));
    const json = await instreg('load', '--json', '--mappings', maps, data);
    const s = JSON.parse(json.stdout) as {
      totals: { ignoredFields: unknown };
      files: Array<{ ignoredFields: unknown }>;
      registry: { discovery: { ignoredFields: unknown } };
    };
    expect(s.totals.ignoredFields).toEqual({ 'test-priced-tokens': { currency: WITH_CURRENCY } });
    expect(s.registry.discovery.ignoredFields).toEqual(s.totals.ignoredFields);
    expect(s.files[0]!.ignoredFields).toEqual({ currency: WITH_CURRENCY });
  });
});
