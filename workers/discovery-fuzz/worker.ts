/**
 * Worker thread entry of the discovery fuzz suite: runs one batch (`run.ts`) with the
 * `BatchOptions` in `workerData`, posts `{ type: 'progress', cases }` every `progressEvery`
 * cases and finally `{ type: 'done', result }`.
 *
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runBatch, type BatchOptions } from './run.js';

// No stack traces in the workers: capturing one costs ~10 µs per error (every rejected record
// raises one), and no check reads them. A failure is replayed in the test process, with stacks.
Error.stackTraceLimit = 0;
const opts = workerData as Omit<BatchOptions, 'onProgress'>;
const result = await runBatch({ ...opts, onProgress: (cases) => parentPort!.postMessage({ type: 'progress', cases }) });
parentPort!.postMessage({ type: 'done', result });
