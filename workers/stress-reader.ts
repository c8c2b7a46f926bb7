/**
 * Worker entry for the concurrency stress tests: attach to a registry, then read random
 * instruments until told to stop, checking every read with {@link checkView}.
 *
 * workerData: `{ handle, ids, minReads, stop, progress, slot, mode }`: `ids[i]` is instrument i's id;
 * `stop` and `progress` are harness SharedArrayBuffers (not registry memory): the worker reports
 * `progress[slot]` = reads / 1024 and exits once `stop[0]` is 1 and it has done `minReads`.
 * Posts `{ reads, torn, misses, firstError, retries, lookups }`.
 *
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import { RegistryReader } from '../src/reader/reader.js';
import { InstrumentView } from '../src/reader/view.js';
import { checkView } from '../src/testkit/self-check.js';

const { handle, ids, minReads, stop, progress, slot, mode } = workerData as {
  handle: Parameters<typeof RegistryReader.attach>[0];
  ids: BigUint64Array;
  minReads: number;
  stop: Int32Array;
  progress: Int32Array;
  slot: number;
  mode: 'id' | 'symbol';
};
const reader = RegistryReader.attach(handle);
const view = new InstrumentView(reader);
const n = ids.length;
const lo = new Uint32Array(n);
const hi = new Uint32Array(n);
for (let i = 0; i < n; i++) {
  lo[i] = Number(ids[i]! & 0xffffffffn);
  hi[i] = Number(ids[i]! >> 32n);
}
let reads = 0;
let torn = 0;
let misses = 0;
let firstError: string | null = null;
let x = 0x12345678;
while (reads < minReads || Atomics.load(stop, 0) === 0) {
  for (let k = 0; k < 1024; k++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const i = (x >>> 0) % n;
    const v = mode === 'symbol' ? reader.getBySymbol('STRESS', `S${i}`, view) : reader.getByIdHalves(lo[i]!, hi[i]!, view);
    reads++;
    if (!v) {
      misses++;
      firstError ??= `miss on instrument ${i}`;
      continue;
    }
    const err = checkView(v, i);
    if (err) {
      torn++;
      firstError ??= err;
    }
  }
  Atomics.store(progress, slot, Math.floor(reads / 1024));
}
parentPort!.postMessage({ reads, torn, misses, firstError, retries: reader.retries, lookups: reader.lookups });
