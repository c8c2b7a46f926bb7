/**
 * User mapping folders through the real CLI (`bin/instreg.js` as a child process): a new venue
 * format in a temporary folder is loaded with `--mappings DIR` (or `INSTREG_MAPPINGS_DIR`) with no
 * change to the package; `get` finds its instruments, and the cache snapshot key includes the user
 * mappings' names and content, so neither dropping the flag nor editing the mapping serves a stale
 * cache; a user mapping named like a shipped one replaces it and is reported.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, DATA, ROOT, type Run } from './helpers/cli.js';

const root = mkdtempSync(join(tmpdir(), 'instreg-cli-mappings-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const MAPS = join(root, 'maps');
const DATADIR = join(root, 'data');
const CACHE = join(root, 'cache');
mkdirSync(MAPS);
mkdirSync(DATADIR);
// the venue registry's MIC list, linked (not copied) from the shared data folder
symlinkSync(join(DATA, 'iso10383_mic_2025-05.csv'), join(DATADIR, 'iso10383_mic_2025-05.csv'));

/** A made-up venue "ZETA" publishing `{ "zeta": 2, "markets": [...] }`. */
function zetaMapping(halt: string): string {
  return JSON.stringify({
    name: 'zeta-markets',
    source: 'Zeta Exchange GET /v2/markets (made up for tests)',
    format: 'json',
    detect: {
      json: [
        { path: 'zeta', equals: 2 },
        { path: 'markets', type: 'array' },
      ],
    },
    records: 'markets',
    key: 'id',
    tables: { state: { live: 'active', halt } },
    instruments: [
      {
        as: 'base',
        kind: 'currency',
        shared: true,
        fields: { symbol: 'base', venue: { const: 'ASSET' }, source: { const: 'cex' }, status: { const: 'active' } },
      },
      {
        as: 'quote',
        kind: 'currency',
        shared: true,
        fields: { symbol: 'quote', venue: { const: 'ASSET' }, source: { const: 'cex' }, status: { const: 'active' } },
      },
      {
        as: 'pair',
        kind: 'cexPair',
        fields: {
          symbol: 'id',
          venue: { const: 'ZETA' },
          source: { const: 'cex' },
          status: { expr: 'state', convert: { map: 'state' } },
          baseId: { ref: 'base' },
          quoteId: { ref: 'quote' },
          tickSize: { expr: 'tick', convert: 'decimal' },
        },
      },
    ],
  });
}
const MARKETS = [
  { id: 'ZBTC-USD', base: 'BTC', quote: 'USD', state: 'live', tick: '0.5' },
  { id: 'ZETH-USD', base: 'ETH', quote: 'USD', state: 'halt', tick: '0.05' },
];
writeFileSync(join(MAPS, 'zeta.json'), zetaMapping('halted'));
writeFileSync(join(DATADIR, 'zeta-markets-2026.json'), JSON.stringify({ zeta: 2, markets: MARKETS }));

/** Run the CLI with the temporary data and cache folders (and extra environment). */
function run(args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  const full: NodeJS.ProcessEnv = { ...process.env, INSTREG_DATA_DIR: DATADIR, INSTREG_CACHE_DIR: CACHE, ...env };
  if (env.INSTREG_MAPPINGS_DIR === undefined) delete full.INSTREG_MAPPINGS_DIR;
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT, maxBuffer: 64 << 20, env: full }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('--mappings DIR (user mapping folders) through the CLI', () => {
  it('load: a new venue format loads from a user folder, with no package change; without it the file fits no mapping', async () => {
    const r = await run(['load', '--json', '--mappings', MAPS, DATADIR]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout) as {
      files: Array<{ file: string; mapping: string; seen: number; added: number }>;
      mappings: { user: Array<{ name: string; file: string; replaces?: string }> };
      byVenue: Array<{ venue: string; instruments: number }>;
    };
    expect(s.files).toMatchObject([{ file: 'zeta-markets-2026.json', mapping: 'zeta-markets', seen: MARKETS.length, added: MARKETS.length + 3 }]);
    expect(s.mappings.user).toEqual([{ name: 'zeta-markets', file: join(MAPS, 'zeta.json') }]);
    expect(s.byVenue).toContainEqual({ venue: 'ZETA', instruments: MARKETS.length });

    const without = await run(['load', '--json', DATADIR]);
    expect(without.code).toBe(0);
    const w = JSON.parse(without.stdout) as { files: unknown[]; ignored: Array<{ file: string; reason: string }> };
    expect(w.files).toEqual([]);
    expect(w.ignored).toContainEqual({ file: 'zeta-markets-2026.json', reason: 'no mapping fits this payload' });
  });

  it('get: the cache key includes the user mappings, their names and content', async () => {
    const first = await run(['get', '--json', '--mappings', MAPS, 'ZETA:ZETH-USD']);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject([{ venue: 'ZETA', symbol: 'ZETH-USD', status: 'halted', tickSize: '0.05' }]);
    // warm: served from the cache written by the first lookup
    const warm = await run(['get', '--json', '--mappings', MAPS, 'ZETA:ZETH-USD']);
    expect(JSON.parse(warm.stdout)).toEqual(JSON.parse(first.stdout));
    // without the folder the key differs: a fresh load, which does not know the format
    const without = await run(['get', 'ZETA:ZETH-USD']);
    expect(without.code).toBe(1);
    expect(without.stderr).toMatch(/no instrument found for ZETA:ZETH-USD/);
    // an edited mapping (halt → delisted) is a new key: the lookup reflects the edit
    writeFileSync(join(MAPS, 'zeta.json'), zetaMapping('delisted'));
    const edited = await run(['get', '--json', '--mappings', MAPS, 'ZETA:ZETH-USD']);
    expect(edited.code).toBe(0);
    expect(JSON.parse(edited.stdout)).toMatchObject([{ status: 'delisted' }]);
    // the environment variable loads the folder too, and gives the same key as the flag
    const env = await run(['get', '--json', 'ZETA:ZETH-USD'], { INSTREG_MAPPINGS_DIR: MAPS });
    expect(JSON.parse(env.stdout)).toEqual(JSON.parse(edited.stdout));
  });

  it('a user mapping named like a shipped one replaces it and is reported; an empty --mappings is a usage error', async () => {
    const over = join(root, 'override');
    mkdirSync(over);
    writeFileSync(join(over, 'tokenlist.json'), zetaMapping('halted').replace('"zeta-markets"', '"tokenlist"'));
    const r = await run(['load', '--json', '--mappings', over, '--mappings', MAPS, DATADIR]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: mapping tokenlist: .*override\/tokenlist\.json replaces the shipped .*mappings\/tokenlist\.json/);
    const s = JSON.parse(r.stdout) as { mappings: { user: Array<{ name: string; replaces?: string }> } };
    expect(s.mappings.user).toContainEqual({ name: 'tokenlist', file: join(over, 'tokenlist.json'), replaces: join(ROOT, 'mappings', 'tokenlist.json') });

    const empty = await run(['load', '--mappings', '', DATADIR]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/--mappings is empty/);
    const missing = await run(['load', '--mappings', join(root, 'nope'), DATADIR]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/cannot read the mappings folder/);
  });
});
