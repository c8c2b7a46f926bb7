/**
 * Worker entry for `readSnapshot`: reads its share of a snapshot's hashed parts straight into the
 * restored SharedArrayBuffers and XXH64-hashes each part, while the calling thread does the other
 * share (`layout/snapshot.ts`, SNAPSHOT_CHECKSUM_XXH64_PARTS).
 *
 * workerData: `{ path, parts: Array<Array<{ buffer, offset, length, fileOffset }>> }`.
 * Posts `{ digests: bigint[] }` (one per part, in order) or `{ error }`.
 *
 * @module
 */
import { closeSync, openSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { digestOf, loadSnapshotChecksum } from '../src/snapshot/checksum.js';
import { readFull } from '../src/snapshot/io.js';

const { path, parts } = workerData as {
  path: string;
  parts: Array<Array<{ buffer: SharedArrayBuffer; offset: number; length: number; fileOffset: number }>>;
};

const fd = openSync(path, 'r');
try {
  await loadSnapshotChecksum();
  const digests: bigint[] = [];
  let error: string | undefined;
  for (const part of parts) {
    const views = part.map((sl) => new Uint8Array(sl.buffer, sl.offset, sl.length));
    part.forEach((sl, i) => {
      const n = readFull(fd, views[i]!, sl.fileOffset);
      if (n !== sl.length) error ??= `truncated while reading (file shrank to ${sl.fileOffset + n} bytes)`;
    });
    if (error) break;
    digests.push(digestOf(views));
  }
  parentPort!.postMessage(error ? { error } : { digests });
} finally {
  closeSync(fd);
}
