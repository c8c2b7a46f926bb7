/**
 * Worker entry: the "registry thread" of the postMessage baseline. It attaches a reader and
 * answers one lookup per message on every `MessagePort` it is given (`{ port }` on its parent
 * port): request `[idLo, idHi]`, reply the instrument's kind (null if absent). This is the
 * RPC design the shared-memory registry replaces.
 *
 * workerData: `{ handle }`.
 *
 * @module
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { RegistryReader } from '../src/reader/reader.js';
import { InstrumentView } from '../src/reader/view.js';

const reader = RegistryReader.attach((workerData as { handle: Parameters<typeof RegistryReader.attach>[0] }).handle);
const view = new InstrumentView(reader);

parentPort!.on('message', (m: { port?: MessagePort; stop?: true }) => {
  if (m.stop) {
    parentPort!.close();
    process.exit(0);
  }
  const port = m.port!;
  port.on('message', (q: [number, number]) => {
    const v = reader.getByIdHalves(q[0], q[1], view);
    port.postMessage(v ? v.kind : null);
  });
});
parentPort!.postMessage('ready');
