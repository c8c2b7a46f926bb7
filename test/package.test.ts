/**
 * The package as a user gets it: `npm pack` (of the dist/ that `pretest` just built), the tarball's
 * contents, then `npm install` of the tarball into a fresh temporary project (`--prefer-offline`:
 * dependency tarballs come from the npm cache the checkout was installed from), and from there:
 * `npx instreg --version`, a `get` on a small data folder, the one-line error without a data
 * folder, `import('instreg')`, a reader in a worker through `instreg/reader`, a reader pool, and a
 * type check of both entry points.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATA, ROOT } from './helpers/cli.js';

const exec = promisify(execFile);
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const NPX = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const COINBASE = 'coinbase_exchange_products_2021-04-17.json';

let work: string;
let proj: string;
let files: string[];

async function run(cmd: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const e: NodeJS.ProcessEnv = { ...process.env, ...env };
    delete e['INSTREG_DATA_DIR']; // as on a user's machine: only --data-dir says where the data is
    const { stdout, stderr } = await exec(cmd, args, { cwd: proj, env: e, maxBuffer: 64 << 20, timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof x.code === 'number' ? x.code : -1, stdout: x.stdout ?? '', stderr: x.stderr ?? '' };
  }
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'instreg-package-test-'));
  proj = join(work, 'proj');
  mkdirSync(proj);
  const packed = await exec(NPM, ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: ROOT, maxBuffer: 64 << 20 });
  const info = JSON.parse(packed.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  files = info[0]!.files.map((f) => f.path);
  writeFileSync(join(proj, 'package.json'), JSON.stringify({ name: 'instreg-consumer', version: '1.0.0', private: true, type: 'module' }));
  const inst = await run(NPM, ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', join(work, info[0]!.filename)]);
  expect(inst.code, inst.stderr).toBe(0);
  mkdirSync(join(work, 'data'));
  copyFileSync(join(DATA, COINBASE), join(work, 'data', COINBASE));
  copyFileSync(join(DATA, 'iso10383_mic_2025-05.csv'), join(work, 'data', 'mic.csv'));
}, 240_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('npm pack', () => {
  it('holds dist, bin, mappings, layout docs, docs, README, LICENSE, CHANGELOG and nothing of the tests, benches or sources', () => {
    for (const f of [
      'package.json',
      'README.md',
      'LICENSE',
      'CHANGELOG.md',
      'bin/instreg.js',
      'dist/src/index.js',
      'dist/src/index.d.ts',
      'dist/src/reader/index.js',
      'dist/src/cli/main.js',
      'dist/layout/index.js',
      'dist/workers/reader-worker.js',
      'dist/workers/snapshot-hasher.js',
      'layout/SPEC.md',
      'docs/mappings.md',
      'mappings/venues/crypto-venues.json',
      'mappings/binance-spot-exchangeinfo.json',
    ]) {
      expect(files, f).toContain(f);
    }
    const bad = files.filter(
      (f) =>
        /^(test|bench|\.ci|src|workers|node_modules)\//.test(f) ||
        /^dist\/(bench|test)\//.test(f) ||
        f.endsWith('.map') ||
        (/\.ts$/.test(f) && !f.endsWith('.d.ts')) ||
        /(stress-reader|snapshot-crash-child)/.test(f),
    );
    expect(bad).toEqual([]);
  });
});

describe('installed from the tarball', () => {
  it('npx instreg --version prints the package version', async () => {
    const r = await run(NPX, ['--offline', 'instreg', '--version']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('0.1.0');
  });

  it('get needs a data folder outside a checkout: one line, exit 2', async () => {
    const r = await run(NPX, ['--offline', 'instreg', 'get', 'COINBASE:BTC-USD']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      'instreg: no data folder: pass --data-dir DIR or set INSTREG_DATA_DIR (the default ../shared/data applies only in a source checkout)',
    ]);
  });

  it('get on a small data folder (cold, then warm from the cache)', async () => {
    const args = ['--offline', 'instreg', '--data-dir', join(work, 'data'), '--json', 'get', 'COINBASE:SKL-EUR'];
    const env = { INSTREG_CACHE_DIR: join(work, 'cache') };
    for (let i = 0; i < 2; i++) {
      const r = await run(NPX, args, env);
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual([expect.objectContaining({ symbol: 'SKL-EUR', venue: 'COINBASE', name: 'SKL/EUR', tickSize: '0.0001' })]);
    }
  });

  it('import("instreg"), a reader in a worker via instreg/reader, and a reader pool', async () => {
    writeFileSync(
      join(proj, 'reader-worker.mjs'),
      `import { parentPort, workerData } from 'node:worker_threads';
import { RegistryReader, stringifyJson } from 'instreg/reader';
const v = RegistryReader.attach(workerData.handle).getBySymbol('ASSET', 'BTC');
parentPort.postMessage(v ? stringifyJson(v.toObject()) : 'missing');
`,
    );
    writeFileSync(
      join(proj, 'main.mjs'),
      `import { Worker } from 'node:worker_threads';
import { InstrumentRegistry, createReaderPool } from 'instreg';
const reg = await InstrumentRegistry.create({ initialCapacity: 64 });
const { id } = reg.registerInstrument({ kind: 'currency', symbol: 'BTC', venue: 'ASSET', source: 'cex', status: 'active' });
const w = new Worker(new URL('./reader-worker.mjs', import.meta.url), { workerData: { handle: reg.handle } });
const fromWorker = await new Promise((resolve, reject) => { w.once('message', resolve); w.once('error', reject); });
await w.terminate();
const pool = createReaderPool(reg.handle, { threads: 1 });
const [viaPool] = await pool.lookupIds(BigUint64Array.of(id));
await pool.close();
console.log(JSON.stringify({ id: '0x' + id.toString(16).padStart(16, '0'), fromWorker: JSON.parse(fromWorker), poolSymbol: viaPool?.symbol }));
`,
    );
    const r = await run(process.execPath, ['main.mjs']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { id: string; fromWorker: { id: string; symbol: string; venue: string }; poolSymbol: string };
    expect(out.fromWorker).toMatchObject({ id: out.id, symbol: 'BTC', venue: 'ASSET' });
    expect(out.poolSymbol).toBe('BTC');
  });

  it('both entry points type-check from the consumer project', async () => {
    writeFileSync(
      join(proj, 'use.ts'),
      `import { InstrumentRegistry, stringifyJson, type Instrument } from 'instreg';
import { RegistryReader, type InstrumentView, layout } from 'instreg/reader';
export async function lookup(): Promise<string | undefined> {
  const reg = await InstrumentRegistry.create();
  const reader: RegistryReader = RegistryReader.attach(reg.handle);
  const v: InstrumentView | undefined = reader.getBySymbol('ASSET', 'BTC');
  const o: Instrument | undefined = v?.toObject();
  return o ? stringifyJson(o) + String(layout.LAYOUT_VERSION) : undefined;
}
`,
    );
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const r = await run(process.execPath, [
      tsc,
      '--noEmit',
      '--strict',
      '--skipLibCheck',
      '--module',
      'nodenext',
      '--moduleResolution',
      'nodenext',
      '--target',
      'es2022',
      'use.ts',
    ]);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});
