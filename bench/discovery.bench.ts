/**
 * Discovery throughput: the full shipped load (every payload in the data folder, about 20 k
 * instruments, into a fresh `InstrumentRegistry`) against its floor, measured in one process run:
 *
 * - **floor**: read every loaded payload file and parse it, nothing else (`JSON.parse`, or
 *   csv-parse with the mapping's delimiter and preamble);
 * - **load**: `loadMappings()` + `InstrumentRegistry.create` + `loadDirectory(dataDir)`, as the
 *   CLI does (issue 11 item 4: at most 4× the floor);
 * - **per mapping**: each file loaded on its own (`readPayload` + `loadPayload`, files in load
 *   order into one registry), records/s and the ratio to that file's own read + parse floor;
 * - **baseline** (optional, `--baseline DIR`): the same full load with another build's
 *   `dist/` (e.g. the commit before the speed work), run in the same process.
 *
 * Passes alternate floor and load; the median of `--passes` (default 5) is reported, as wall time
 * and as process CPU time (less sensitive to other processes on a shared machine).
 * Run: `npm run bench:discovery [-- --passes 7 --baseline /path/to/old/checkout]`
 */
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { dataDir } from '../src/config.js';
import { loadDirectory, loadMappings, loadPayload, type LoadedMapping } from '../src/discovery/index.js';
import { readPayload } from '../src/discovery/load.js';
import { InstrumentRegistry } from '../src/writer/registry.js';

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const PASSES = Number(opt('--passes') ?? 5);
const baselineDir = opt('--baseline');
const dir = dataDir();

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const mappings = await loadMappings();
// The files the load reads, with their mapping (as loadDirectory plans them).
const plan: Array<{ file: string; path: string; mapping: LoadedMapping }> = [];
{
  const reg = await InstrumentRegistry.create({ initialCapacity: 32768 });
  const res = await loadDirectory(dir, reg, { mappings });
  for (const f of res.files) plan.push({ file: f.file, path: join(dir, f.file), mapping: mappings.find((m) => m.name === f.mapping)! });
}

async function floorOne(p: (typeof plan)[number]): Promise<number> {
  const text = await readFile(p.path, 'utf8');
  if (p.mapping.format === 'json') {
    const v = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text) as unknown;
    return v === null ? 0 : 1;
  }
  const rows = parseCsv(text, {
    delimiter: p.mapping.csv?.delimiter ?? ',',
    quote: p.mapping.csv?.quote ?? '"',
    from_line: (p.mapping.csv?.skipLines ?? 0) + 1,
    relax_column_count: true,
    skip_empty_lines: true,
    bom: true,
  }) as unknown[];
  return rows.length;
}

/** CPU time of this process (all threads, so GC helper threads count too), ms. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

async function floor(): Promise<{ ms: number; cpu: number }> {
  const t0 = performance.now();
  const c0 = cpuMs();
  for (const p of plan) await floorOne(p);
  return { ms: performance.now() - t0, cpu: cpuMs() - c0 };
}

async function fullLoad(): Promise<{ ms: number; cpu: number; instruments: number }> {
  const t0 = performance.now();
  const c0 = cpuMs();
  const ms0 = await loadMappings();
  const reg = await InstrumentRegistry.create({ initialCapacity: 32768 });
  await loadDirectory(dir, reg, { mappings: ms0 });
  return { ms: performance.now() - t0, cpu: cpuMs() - c0, instruments: reg.reader().all().length };
}

type Loader = () => Promise<{ ms: number; cpu: number; instruments: number }>;
let baseline: Loader | undefined;
if (baselineDir) {
  const root = resolve(baselineDir);
  const disc = (await import(join(root, 'dist/src/discovery/index.js'))) as typeof import('../src/discovery/index.js');
  const wr = (await import(join(root, 'dist/src/writer/registry.js'))) as typeof import('../src/writer/registry.js');
  baseline = async () => {
    const t0 = performance.now();
    const c0 = cpuMs();
    const ms0 = await disc.loadMappings();
    const reg = await wr.InstrumentRegistry.create({ initialCapacity: 32768 });
    await disc.loadDirectory(dir, reg, { mappings: ms0 });
    return { ms: performance.now() - t0, cpu: cpuMs() - c0, instruments: reg.reader().all().length };
  };
}

const cpu = os.cpus()[0]?.model ?? 'cpu';
console.log(
  `discovery.bench — ${cpu}, ${os.cpus().length} cores, Node ${process.version} ${process.platform}/${process.arch}, load avg ${os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
console.log(`data: ${dir} (${plan.length} payload files loaded); ${PASSES} passes, median reported`);

const floors: Array<{ ms: number; cpu: number }> = [];
const loads: Array<{ ms: number; cpu: number }> = [];
const bases: Array<{ ms: number; cpu: number }> = [];
let instruments = 0;
for (let pass = 0; pass < PASSES; pass++) {
  floors.push(await floor());
  const l = await fullLoad();
  loads.push(l);
  instruments = l.instruments;
  if (baseline) bases.push(await baseline());
}
const fl = median(floors.map((x) => x.ms));
const flc = median(floors.map((x) => x.cpu));
const row = (name: string, xs: Array<{ ms: number; cpu: number }>): string => {
  const ms = median(xs.map((x) => x.ms));
  const cpu = median(xs.map((x) => x.cpu));
  return `| ${name} | ${ms.toFixed(0)} | ${(ms / fl).toFixed(2)} | ${cpu.toFixed(0)} | ${(cpu / flc).toFixed(2)} |`;
};
console.log('');
console.log('| row | wall ms (median) | wall × floor | CPU ms (median) | CPU × floor |');
console.log('|---|---:|---:|---:|---:|');
console.log(row('floor: read + parse every loaded file', floors));
console.log(row(`full load (loadMappings + registry + loadDirectory), ${instruments} instruments`, loads));
if (baseline) console.log(row(`baseline full load (${baselineDir})`, bases));
console.log(
  `per pass (wall ms) floor: ${floors.map((x) => x.ms.toFixed(0)).join(' ')}; load: ${loads.map((x) => x.ms.toFixed(0)).join(' ')}${baseline ? `; baseline: ${bases.map((x) => x.ms.toFixed(0)).join(' ')}` : ''}`,
);

// Per mapping: each file timed on its own (files in load order into one registry, so placeholders behave as in a full load).
const perFile = new Map<string, { records: number; ms: number[]; floor: number[]; mapping: string }>();
for (let pass = 0; pass < PASSES; pass++) {
  const reg = await InstrumentRegistry.create({ initialCapacity: 32768 });
  const session = new Set<bigint>();
  for (const p of plan) {
    const f0 = performance.now();
    await floorOne(p);
    const f1 = performance.now();
    const source = await readPayload(p.path, mappings);
    const st = await loadPayload(p.path, reg, mappings, { session, source });
    const t = performance.now() - f1;
    const e = perFile.get(p.file) ?? { records: st.recordsSeen, ms: [], floor: [], mapping: st.mapping };
    e.ms.push(t);
    e.floor.push(f1 - f0);
    perFile.set(p.file, e);
  }
}
console.log('');
console.log('| mapping | file | records | load ms | records/s | read+parse ms | × floor |');
console.log('|---|---|---:|---:|---:|---:|---:|');
for (const [file, e] of perFile) {
  const ms = median(e.ms);
  const f = median(e.floor);
  console.log(
    `| ${e.mapping} | ${file} | ${e.records} | ${ms.toFixed(1)} | ${Math.round((e.records / ms) * 1000)} | ${f.toFixed(1)} | ${(ms / f).toFixed(2)} |`,
  );
}
