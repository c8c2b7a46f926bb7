/**
 * Worker entry for `readSnapshot`: hashes the snapshot's parts (views into SharedArrayBuffers)
 * in file order as the restoring thread reports them read, and posts the XXH64 digest.
 *
 * workerData: `{ parts: { buffer, offset, length }[], progress }` where `progress[0]` = parts
 * ready (written by the restoring thread) and `progress[1]` = abort flag.
 *
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadSnapshotChecksum, newChecksum } from '../src/snapshot/checksum.js';

const { parts, progress } = workerData as {
  parts: Array<{ buffer: SharedArrayBuffer; offset: number; length: number }>;
  progress: Int32Array;
};

await loadSnapshotChecksum();
const hash = newChecksum();
for (let k = 0; k < parts.length; k++) {
  for (;;) {
    if (Atomics.load(progress, 1) !== 0) process.exit(0);
    const ready = Atomics.load(progress, 0);
    if (ready > k) break;
    Atomics.wait(progress, 0, ready, 1000);
  }
  const p = parts[k]!;
  hash.update(new Uint8Array(p.buffer, p.offset, p.length));
}
parentPort!.postMessage(hash.digest());
