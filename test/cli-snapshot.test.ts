/**
 * `instreg load --snapshot FILE` then `instreg get --snapshot FILE QUERY`, run as real child
 * processes (`node bin/instreg.js …`, compiled code in dist/; `npm test` builds first) on the
 * shipped data. Two full data loads: `load --snapshot` and the plain `get` the restored answer is
 * compared with (started together); the snapshot runs load no payloads.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LONG, ROOT, instreg, type Run } from './helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'instreg-cli-snapshot-'));
const SNAP = join(dir, 'registry.snap');

let load: Run;
let plainGet: Run;

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist', 'src', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm run build` (npm test does it in pretest)');
  [load, plainGet] = await Promise.all([instreg('load', '--snapshot', SNAP, '--json'), instreg('get', 'BINANCE:BTCUSDT', '--json')]);
}, LONG);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('instreg load --snapshot', () => {
  it('writes the snapshot and reports its path, size and write time', () => {
    expect(load.stderr).toBe('');
    expect(load.code).toBe(0);
    const s = JSON.parse(load.stdout) as { instruments: number; snapshot: { file: string; bytes: number; instruments: number; writeMs: number } };
    expect(s.snapshot.file).toBe(SNAP);
    expect(s.snapshot.bytes).toBe(statSync(SNAP).size);
    expect(s.snapshot.instruments).toBe(s.instruments);
    expect(s.snapshot.writeMs).toBeGreaterThan(0);
  });
});

describe('instreg get --snapshot', () => {
  it('answers as the plain get that loads the payloads', async () => {
    expect(plainGet.code).toBe(0);
    const fromSnap = await instreg('get', '--snapshot', SNAP, 'BINANCE:BTCUSDT', '--json');
    expect(fromSnap.stderr).toBe('');
    expect(fromSnap.code).toBe(0);
    // Same instrument, field for field, except `createdAt`/`updatedAt`: wall-clock registration
    // times of each process's own load (the snapshot keeps those of the `load --snapshot` run).
    const snap = JSON.parse(fromSnap.stdout) as Array<Record<string, unknown>>;
    const plain = JSON.parse(plainGet.stdout) as Array<Record<string, unknown>>;
    expect(snap).toHaveLength(1);
    expect(typeof snap[0]!.createdAt).toBe('number');
    expect(typeof snap[0]!.updatedAt).toBe('number');
    const noStamp = (xs: Array<Record<string, unknown>>): unknown => xs.map(({ createdAt: _c, updatedAt: _u, ...rest }) => rest);
    expect(noStamp(snap)).toEqual(noStamp(plain));
    expect(snap[0]).toMatchObject({ kind: 'cexPair', venue: 'BINANCE', symbol: 'BTCUSDT' });
  });

  it('a truncated snapshot ends with exit 3 and a one-line reason', async () => {
    const bytes = readFileSync(SNAP);
    const cut = join(dir, 'truncated.snap');
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const r = await instreg('get', '--snapshot', cut, 'BINANCE:BTCUSDT', '--json');
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^instreg: .*truncated\.snap.*\n$/);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('a missing snapshot ends with exit 3 (venues too)', async () => {
    const r = await instreg('venues', '--snapshot', join(dir, 'nope.snap'), 'BTC');
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^instreg: .*nope\.snap: no such file\n$/);
  });
});
