/**
 * The CLI's automatic cache snapshot (src/cli/cache.ts), the data-folder setting, the MIC list found
 * by content, file-system errors on the load path and the command-line edges of issue 12 item 7.
 * Runs the real program (dist/) on a small data folder made from two shipped payloads.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findMicList } from '../src/venues/mic.js';
import { BIN, DATA, ROOT, type Run } from './helpers/cli.js';

const COINBASE = 'coinbase_exchange_products_2021-04-17.json';
const MIC = 'iso10383_mic_2025-05.csv';
const raw = JSON.parse(readFileSync(join(DATA, COINBASE), 'utf8')) as Array<{ id: string; display_name: string }>;

let work: string;
let data: string;
let cache: string;

function run(args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const e: Record<string, string | undefined> = { ...process.env, INSTREG_DATA_DIR: data, INSTREG_CACHE_DIR: cache, ...env };
    for (const k of Object.keys(e)) if (e[k] === undefined) delete e[k];
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT, env: e as NodeJS.ProcessEnv, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0, stdout, stderr });
    });
  });
}

/** The JSON answer of `get` without the load timestamps (they differ between loads). */
function answer(r: Run): unknown {
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as Array<Record<string, unknown>>).map(({ createdAt: _c, updatedAt: _u, ...rest }) => rest);
}

const cacheFiles = (): string[] => (existsSync(cache) ? readdirSync(cache).sort() : []);

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'instreg-cache-test-'));
  data = join(work, 'data');
  cache = join(work, 'cache');
  mkdirSync(data);
  copyFileSync(join(DATA, COINBASE), join(data, COINBASE));
  // a name the code has never seen: the MIC list is found by its header
  copyFileSync(join(DATA, MIC), join(data, 'markets-list.csv'));
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('cache snapshot of get/venues', () => {
  const first = raw[0]!;

  it('a cold get writes the cache; a warm get answers the same as --no-cache, from the cache', async () => {
    const cold = await run(['--json', 'get', `COINBASE:${first.id}`]);
    expect(answer(cold)).toEqual([expect.objectContaining({ symbol: first.id, name: first.display_name, venue: 'COINBASE' })]);
    const files = cacheFiles();
    expect(files.filter((f) => f.endsWith('.snap'))).toHaveLength(1);
    const warm = await run(['--json', 'get', `COINBASE:${first.id}`]);
    const fresh = await run(['--no-cache', '--json', 'get', `COINBASE:${first.id}`]);
    expect(answer(warm)).toEqual(answer(fresh));
    // the warm answer came from the cache: its load timestamps are the cold run's
    expect(JSON.parse(warm.stdout)[0].createdAt).toBe(JSON.parse(cold.stdout)[0].createdAt);
    expect(JSON.parse(fresh.stdout)[0].createdAt).not.toBe(JSON.parse(cold.stdout)[0].createdAt);
    expect(cacheFiles()).toEqual(files);
  });

  it('venue attributes come through the cache (MIC list and crypto venues)', async () => {
    const warm = await run(['--json', 'venues', first.id.split('-')[0]!]);
    const fresh = await run(['--no-cache', '--json', 'venues', first.id.split('-')[0]!]);
    expect(warm.code, warm.stderr).toBe(0);
    expect(JSON.parse(warm.stdout)).toEqual(JSON.parse(fresh.stdout));
    expect(JSON.parse(warm.stdout).venues[0]).toMatchObject({ venue: 'COINBASE', known: true });
  });

  it('a changed payload changes the key: the cache is rebuilt and the old files removed', async () => {
    const before = cacheFiles();
    const edited = raw.filter((p) => p.id !== first.id);
    writeFileSync(join(data, COINBASE), JSON.stringify(edited));
    try {
      const r = await run(['--json', 'get', `COINBASE:${first.id}`]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`no instrument found for COINBASE:${first.id}`);
      const after = cacheFiles();
      expect(after.filter((f) => f.endsWith('.snap'))).toHaveLength(1);
      expect(after.filter((f) => f.endsWith('.snap'))).not.toEqual(before.filter((f) => f.endsWith('.snap')));
      // the same content written again: the file's identity (mtime, ctime) is part of the key too
      writeFileSync(join(data, COINBASE), JSON.stringify(edited));
      expect(answer(await run(['--json', 'get', `COINBASE:${raw[1]!.id}`]))).toHaveLength(1);
      expect(cacheFiles().filter((f) => f.endsWith('.snap'))).toHaveLength(1);
      expect(cacheFiles()).not.toEqual(after);
    } finally {
      copyFileSync(join(DATA, COINBASE), join(data, COINBASE));
    }
  });

  it('--no-cache neither reads nor writes the cache', async () => {
    const other = join(work, 'cache-unused');
    const r = await run(['--no-cache', '--json', 'get', `COINBASE:${first.id}`], { INSTREG_CACHE_DIR: other });
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(other)).toBe(false);
  });

  it('an unwritable cache location is a warning, not a failure', async () => {
    const file = join(work, 'not-a-dir');
    writeFileSync(file, 'x');
    const r = await run(['--json', 'get', `COINBASE:${first.id}`], { INSTREG_CACHE_DIR: join(file, 'cache') });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^instreg: warning: cache .*not written/m);
  });
});

describe('export --parquet', () => {
  it('writes one file per venue and kind and lists them', async () => {
    const out = join(work, 'parquet');
    const r = await run(['--json', 'export', '--parquet', out]);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as { rows: number; partitions: Array<{ venue: string; kind: string; rows: number; file: string }> };
    expect(s.partitions.map((p) => `${p.venue}/${p.kind}`)).toEqual(['ASSET/currency', 'COINBASE/cexPair']);
    expect(s.partitions.find((p) => p.venue === 'COINBASE')!.rows).toBe(raw.length);
    for (const p of s.partitions) expect(readFileSync(p.file).subarray(0, 4).toString()).toBe('PAR1');
    const empty = await run(['export', '--parquet', '']);
    expect(empty.code).toBe(2);
  });
});

describe('data folder and MIC list', () => {
  it('findMicList finds the list by content, whatever its name, and passes over other CSVs', () => {
    writeFileSync(join(work, 'decoy.csv'), 'MIC,NAME\nXNAS,Nasdaq\n');
    expect(findMicList(data)).toBe(join(data, 'markets-list.csv'));
    expect(() => findMicList(work)).toThrow(/no ISO 10383 MIC list/);
  });

  it('--data-dir "" and INSTREG_DATA_DIR="" are usage errors', async () => {
    const a = await run(['--data-dir', '', 'get', 'COINBASE:BTC-USD']);
    expect(a.code).toBe(2);
    expect(a.stderr.trim()).toBe('instreg: --data-dir is empty: give the data folder (MIC list and payloads)');
    const b = await run(['get', 'COINBASE:BTC-USD'], { INSTREG_DATA_DIR: '' });
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/^instreg: INSTREG_DATA_DIR is empty/);
  });
});

describe('command-line edges', () => {
  it('load --snapshot "" is a usage error and writes nothing', async () => {
    const r = await run(['load', '--snapshot', '', data]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('instreg: --snapshot is empty: give the snapshot file');
    expect(r.stdout).toBe('');
  });

  it('a malformed query is echoed cut short: one bounded line', async () => {
    const q = `${'x'.repeat(100_000)}`;
    const r = await run(['get', q]);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(r.stderr.length).toBeLessThan(400);
    expect(r.stderr).toContain('(100000 characters)');
  });

  it('VENUE:<40 letters> says the symbol is too long, not that the venue is no chain', async () => {
    const r = await run(['get', `BINANCE:${'A'.repeat(40)}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/BINANCE is a venue, not a chain, and a symbol is at most 32 bytes \(this one is 40\)/);
    expect(r.stderr).not.toMatch(/not a known chain/);
  });
});

describe('file-system errors while loading a folder', () => {
  // Run as root here, so permission bits do not stop reads (EACCES cannot be produced by chmod);
  // ELOOP and ENOTDIR are real kernel errors for any user.
  it('ELOOP and ENOTDIR entries: exit 3, one line each, the other files still load', async () => {
    const dir = join(work, 'broken');
    mkdirSync(dir);
    copyFileSync(join(DATA, COINBASE), join(dir, COINBASE));
    symlinkSync('loop.json', join(dir, 'loop.json')); // a link to itself: ELOOP
    symlinkSync(join(dir, COINBASE, 'child.json'), join(dir, 'under-a-file.json')); // ENOTDIR
    const r = await run(['--json', 'load', dir]);
    expect(r.code).toBe(3);
    const summary = JSON.parse(r.stdout) as { files: Array<{ file: string; registered: number }>; failed: Array<{ file: string; error: string }> };
    expect(summary.files.map((f) => f.file)).toEqual([COINBASE]);
    expect(summary.files[0]!.registered).toBeGreaterThan(raw.length);
    expect(summary.failed.map((f) => f.error).sort()).toEqual([
      `${join(dir, 'loop.json')}: cannot read: ELOOP: too many levels of symbolic links`,
      `${join(dir, 'under-a-file.json')}: cannot read: ENOTDIR: a path component is not a directory`,
    ]);
    const lines = r.stderr.split('\n').filter(Boolean);
    expect(lines).toHaveLength(2);
    for (const l of lines) expect(l).toMatch(/^instreg: \S+: cannot read: E(LOOP|NOTDIR): /);
  });

  it('the same folder through get: warnings, and the answer from the good file', async () => {
    const dir = join(work, 'broken');
    const r = await run(['--json', 'get', `COINBASE:${raw[0]!.id}`], { INSTREG_DATA_DIR: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: not loaded: .*ELOOP/);
  });
});
