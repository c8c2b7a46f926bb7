/**
 * Import cost of the reader entry points in a fresh worker thread: `instreg/reader`
 * (`dist/src/reader/index.js`) against the full `instreg` entry (`dist/src/index.js`) and a floor
 * (a worker that imports one tiny module), in one process run. Each worker imports, attaches a
 * {@link RegistryReader} to a small registry handle, and reports the import wall time (ms, from the
 * first line of the worker) and the process RSS growth over the import (MB; the main thread is idle
 * meanwhile, so the growth is the worker's). Median of `INSTREG_BENCH_RUNS` (default 7) workers per row,
 * rows interleaved.
 *
 * Run: `npm run bench:reader-import` (writes nothing; `> bench/results/reader-import.txt` to record).
 *
 * @module
 */
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { InstrumentRegistry } from '../src/writer/registry.js';

const RUNS = Number(process.env.INSTREG_BENCH_RUNS ?? 7);
const dist = fileURLToPath(new URL('..', import.meta.url));
const targets: Array<[string, string]> = [
  ['floor: a tiny module (layout/sizes.js)', `${dist}layout/sizes.js`],
  ['instreg/reader (dist/src/reader/index.js)', `${dist}src/reader/index.js`],
  ['instreg (dist/src/index.js, the full entry)', `${dist}src/index.js`],
];

const code = `
const { parentPort, workerData } = require('node:worker_threads');
const { pathToFileURL } = require('node:url');
const rss0 = process.memoryUsage().rss;
const t0 = performance.now();
import(pathToFileURL(workerData.file).href).then((m) => {
  const ms = performance.now() - t0;
  const rss = process.memoryUsage().rss - rss0;
  let attached = false;
  if (m.RegistryReader) attached = m.RegistryReader.attach(workerData.handle).getBySymbol('ASSET', 'BTC') !== undefined;
  parentPort.postMessage({ ms, rss, attached });
});`;

function once(file: string, handle: unknown): Promise<{ ms: number; rss: number; attached: boolean }> {
  return new Promise((resolve, reject) => {
    const w = new Worker(code, { eval: true, workerData: { file, handle } });
    w.once('message', (m) => {
      void w.terminate();
      resolve(m as { ms: number; rss: number; attached: boolean });
    });
    w.once('error', reject);
  });
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const registry = await InstrumentRegistry.create({ initialCapacity: 1024 });
registry.registerInstrument({ kind: 'currency', symbol: 'BTC', venue: 'ASSET', source: 'cex', status: 'active' });
const res = targets.map(() => ({ ms: [] as number[], rss: [] as number[], attached: false }));
for (let i = 0; i < RUNS; i++) {
  for (const [j, [, file]] of targets.entries()) {
    const r = await once(file, registry.handle);
    res[j]!.ms.push(r.ms);
    res[j]!.rss.push(r.rss / 1048576);
    res[j]!.attached ||= r.attached;
  }
}
const floor = median(res[0]!.ms);
console.log(
  `reader import bench — ${os.cpus()[0]?.model}, ${os.cpus().length} cores, Node ${process.version}, load avg ${os.loadavg()[0]!.toFixed(2)}; median of ${RUNS} fresh workers per row`,
);
console.table(
  targets.map(([name], j) => ({
    import: name,
    'ms (p50)': Number(median(res[j]!.ms).toFixed(1)),
    '× floor': Number((median(res[j]!.ms) / floor).toFixed(2)),
    'RSS MB (p50)': Number(median(res[j]!.rss).toFixed(1)),
    'reader attached': res[j]!.attached,
  })),
);
