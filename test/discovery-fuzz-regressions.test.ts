/**
 * Regression cases of the discovery fuzz suite (`test/discovery-fuzz.test.ts`): each payload is
 * one that a fuzz run reported, cut down, and goes through the same check (real registry,
 * independent reference); where the defect was outside discovery the unit is checked directly.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { dataDir } from '../src/config.js';
import { discover, loadMappings, type LoadedMapping } from '../src/discovery/engine.js';
import { InstrumentRegistry } from '../src/writer/registry.js';
import { FuzzChecker } from '../workers/discovery-fuzz/check.js';

let mappings: LoadedMapping[];
const mapping = (name: string): LoadedMapping => mappings.find((m) => m.name === name)!;
const data = (file: string): Record<string, unknown> => JSON.parse(readFileSync(join(dataDir(), file), 'utf8')) as Record<string, unknown>;

beforeAll(async () => {
  mappings = await loadMappings();
});

describe('discovery fuzz regressions', () => {
  it('a raw -0 (deliveryTime: -0) registers as the validated copy says: expiry 0, not -0', async () => {
    const j = data('bybit_v5_instruments-info_linear_2026-08-09.json') as { result: { list: Array<Record<string, unknown>> } };
    const rec = j.result.list.find((r) => r.contractType === 'LinearFutures')!;
    const text = JSON.stringify({ ...j, result: { ...j.result, list: [{ ...rec, deliveryTime: '@@' }] } }).replace('"@@"', '-0');
    const checker = new FuzzChecker();
    await checker.check(mapping('bybit-v5-linear'), text);
    expect(checker.statsOf('bybit-v5-linear').accepted).toBe(1);

    const reg = await InstrumentRegistry.create();
    const p = reg.prepare({ kind: 'future', symbol: 'F', venue: 'XCME', source: 'cex', status: 'active', expiry: -0 });
    expect(Object.is((p.input as { expiry: number }).expiry, 0)).toBe(true);
    reg.registerPrepared(p);
    expect(Object.is((reg.getById(p.id) as unknown as { expiry: number }).expiry, 0)).toBe(true);
  });

  it('a fee off the 0.01 bp grid by float noise is normalised to the grid value the record stores', async () => {
    const j = data('kraken_public_AssetPairs_2021-04-17.json') as { result: Record<string, Record<string, unknown>> };
    const [key, pair] = Object.entries(j.result)[0]!;
    const text = JSON.stringify({ ...j, result: { [key]: { ...pair, fees_maker: [[0, '@@']] } } }).replace('"@@"', '0.30000000000000004');
    const checker = new FuzzChecker();
    await checker.check(mapping('kraken-assetpairs'), text);
    expect(checker.statsOf('kraken-assetpairs').accepted).toBe(1);

    const reg = await InstrumentRegistry.create();
    const base = { kind: 'currency', symbol: 'AAA', venue: 'ASSET', source: 'cex', status: 'active' } as const;
    const p = reg.prepare({ ...base, makerFeeBps: 30.000000000000004, takerFeeBps: -1e-12 });
    expect(p.input.makerFeeBps).toBe(30);
    expect(Object.is(p.input.takerFeeBps, 0)).toBe(true);
    reg.registerPrepared(p);
    expect(reg.getById(p.id)!.makerFeeBps).toBe(30);
  });

  it('a number that parses to Infinity (decimals: 1e400) is rejected with a reason that says Infinity, not null', async () => {
    const j = data('uniswap_default_tokenlist_v22.21.0.json') as { tokens: Array<Record<string, unknown>> };
    const text = JSON.stringify({ ...j, tokens: [{ ...j.tokens[0], decimals: '@@' }] }).replace('"@@"', '1e400');
    const checker = new FuzzChecker();
    await checker.check(mapping('tokenlist'), text);
    expect(checker.statsOf('tokenlist').rejected).toEqual({ InvalidField: 1 });
    const res = await discover(text, mapping('tokenlist'), await InstrumentRegistry.create());
    expect(res.rejected[0]!.reason).toContain('number Infinity');
  });
});
