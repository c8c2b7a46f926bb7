/**
 * `instreg bench` in a very short mode: the JSON has the documented shape (every key present,
 * every number finite and ≥ 0) and no torn reads. No timing assertions.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'bin', 'instreg.js');
const STATS_KEYS = ['p50Ns', 'p90Ns', 'p99Ns', 'p999Ns', 'maxNs', 'opsPerSecPerReader'];

function expectStats(s: unknown, where: string): void {
  expect(s, where).toBeTypeOf('object');
  for (const k of STATS_KEYS) {
    const v = (s as Record<string, unknown>)[k];
    expect(typeof v === 'number' && Number.isFinite(v) && v >= 0, `${where}.${k} = ${String(v)}`).toBe(true);
  }
}

function expectCount(v: unknown, where: string): void {
  expect(typeof v === 'number' && Number.isFinite(v) && v >= 0, `${where} = ${String(v)}`).toBe(true);
}

async function runShortBench(file: string, svg: string): Promise<Record<string, any>> {
  if (existsSync(bin) && existsSync(join(root, 'dist', 'src', 'cli', 'main.js'))) {
    await promisify(execFile)(process.execPath, [bin, 'bench', '--duration', '1', '--instruments', '2000', '--readers', '2', '--json', file, '--plot', svg], {
      cwd: root,
      timeout: 170_000,
      maxBuffer: 16 << 20,
    });
    return JSON.parse(readFileSync(file, 'utf8'));
  }
  const { runBench } = await import('../src/harness/run.js');
  const { renderPlot } = await import('../src/harness/plot.js');
  const r = await runBench({ durationSec: 1, instruments: 2000, readers: 2 });
  const { writeFileSync } = await import('node:fs');
  writeFileSync(svg, renderPlot(r));
  return JSON.parse(JSON.stringify(r));
}

describe('instreg bench (short run)', () => {
  it('writes JSON of the documented shape with 0 torn reads', { timeout: 180_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'instreg-bench-test-'));
    try {
      const r = await runShortBench(join(dir, 'r.json'), join(dir, 'r.svg'));
      expect(r.schema).toBe(1);
      expect(r.machine.cpu).toBeTypeOf('string');
      expectCount(r.machine.cores, 'machine.cores');
      expect(r.machine.node).toMatch(/^v\d+\./);
      expectCount(r.dataset.instruments, 'dataset.instruments');
      expect(r.dataset.generated).toBe(2000);
      expect(r.dataset.instruments).toBeGreaterThanOrEqual(2000);
      expect(r.readers).toBe(2);
      expectCount(r.writeRatePerSec, 'writeRatePerSec');
      expectCount(r.durationSec, 'durationSec');
      for (const key of ['byId', 'bySymbol', 'byIsin']) {
        expectStats(r.results[key].hot, `results.${key}.hot`);
        expectStats(r.results[key].random, `results.${key}.random`);
      }
      for (const b of ['map', 'lmdb', 'postMessage', 'piscinaTask']) expectStats(r.baselines[b], `baselines.${b}`);
      // Floor, raw and the Map baselines ran (hot and random) over the same population.
      expect(r.mode).toBe('throughput');
      expect(typeof r.hotApi).toBe('boolean');
      for (const b of ['floor', 'raw', 'mapNumber', 'mapBigint', 'mapString', 'mapStringIsin']) {
        for (const p of ['hot', 'random']) {
          expectStats(r.baselines[b][p], `baselines.${b}.${p}`);
          expect(r.baselines[b][p].opsPerSecPerReader, `baselines.${b}.${p} ran`).toBeGreaterThan(0);
        }
      }
      for (const key of ['bySymbolKey', 'byIdView', 'bySymbolView', 'byIsinView']) {
        expectStats(r.results[key].hot, `results.${key}.hot`);
        expectStats(r.results[key].random, `results.${key}.random`);
      }
      expect(r.results.bySymbolKey.hot.available).toBe(r.hotApi);
      expect(r.checks.lookupMisses).toBe(0);
      expectCount(r.registration.perSec, 'registration.perSec');
      expect(r.registration.perSec).toBeGreaterThan(0);
      expect(r.tornReads).toBe(0);
      expect(r.checks.misses).toBe(0);
      expect(r.checks.verifiedReads).toBeGreaterThan(0);
      // Every instreg scenario actually ran.
      for (const key of ['byId', 'bySymbol', 'byIsin']) expect(r.results[key].hot.opsPerSecPerReader).toBeGreaterThan(0);
      const svg = readFileSync(join(dir, 'r.svg'), 'utf8');
      expect(svg.startsWith('<?xml')).toBe(true);
      expect(svg).toContain('</svg>');
      expect(svg).toContain('<polyline');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs in latency mode (--mode latency) and rejects an unknown mode', { timeout: 180_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'instreg-bench-test-'));
    try {
      // Generated instruments only (an empty data directory): the shipped data is covered above.
      const empty = join(dir, 'no-data');
      mkdirSync(empty);
      const file = join(dir, 'r.json');
      await promisify(execFile)(
        process.execPath,
        [bin, '--data-dir', empty, 'bench', '--duration', '1', '--instruments', '2000', '--readers', '1', '--mode', 'latency', '--no-lmdb', '--json', file],
        {
          cwd: root,
          timeout: 170_000,
          maxBuffer: 16 << 20,
        },
      );
      const r = JSON.parse(readFileSync(file, 'utf8'));
      expect(r.dataset.shipped).toBe(0);
      expect(r.mode).toBe('latency');
      expect(r.tornReads).toBe(0);
      expect(r.checks.lookupMisses).toBe(0);
      expect(r.baselines.floor.hot.opsPerSecPerReader).toBeGreaterThan(0);
      expect(r.results.byId.random.opsPerSecPerReader).toBeGreaterThan(0);
      const bad = await promisify(execFile)(process.execPath, [bin, 'bench', '--mode', 'fast'], { cwd: root }).then(
        () => ({ code: 0, stderr: '' }),
        (e: { code: number; stderr: string }) => e,
      );
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('--mode must be throughput or latency');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
