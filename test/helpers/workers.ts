import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/** Path of a compiled worker entry (the test script runs `tsc` first). */
export function distWorker(name: string): string {
  const p = fileURLToPath(new URL(`../../dist/workers/${name}.js`, import.meta.url));
  if (!existsSync(p)) throw new Error(`${p} missing: run \`npm run build\` (npm test does it)`);
  return p;
}

/** Start a worker and resolve with its first message. */
export function runWorker<T>(name: string, workerData: unknown): { worker: Worker; result: Promise<T> } {
  const worker = new Worker(distWorker(name), { workerData });
  const result = new Promise<T>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`worker ${name} exited with ${code}`));
    });
  });
  return { worker, result };
}
