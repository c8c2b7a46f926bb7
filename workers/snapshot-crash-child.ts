/**
 * Child process of the snapshot crash test (`test/snapshot.test.ts`), run as
 * `node dist/workers/snapshot-crash-child.js` with env `SNAP_FILE` and `SNAP_MARKER`.
 *
 * 1. Builds a registry and writes snapshot A (log sequence 111) to SNAP_FILE.
 * 2. Registers more instruments and starts writing snapshot B (log sequence 222) to the same
 *    path in small chunks; halfway through the temp file it writes SNAP_MARKER (JSON: temp path,
 *    bytes written, total) and blocks forever, so the parent can SIGKILL it before the rename.
 *
 * @module
 */
import { writeFileSync } from 'node:fs';
import { writeSnapshot } from '../src/snapshot/index.js';
import { InstrumentRegistry } from '../src/writer/registry.js';
import { mixedInstrument } from './snapshot-fixtures.js';

const file = process.env.SNAP_FILE;
const marker = process.env.SNAP_MARKER;
if (!file || !marker) throw new Error('SNAP_FILE and SNAP_MARKER must be set');

const reg = await InstrumentRegistry.create({ initialCapacity: 2048, requireReferences: false });
for (let i = 0; i < 1500; i++) reg.registerInstrument(mixedInstrument(i));
reg.logSeq = 111n;
await writeSnapshot(reg, file);

for (let i = 1500; i < 3000; i++) reg.registerInstrument(mixedInstrument(i));
reg.logSeq = 222n;
let signalled = false;
await writeSnapshot(reg, file, {
  testHooks: {
    chunkBytes: 16 * 1024,
    afterChunk(written, total, tmp) {
      if (signalled || written < total / 2) return;
      signalled = true;
      writeFileSync(marker, JSON.stringify({ tmp, written, total, pid: process.pid }));
      const cell = new Int32Array(new SharedArrayBuffer(4));
      for (;;) Atomics.wait(cell, 0, 0); // wait to be killed, temp file half written
    },
  },
});
throw new Error('unreachable: the parent kills this process before the rename');
