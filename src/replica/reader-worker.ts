/**
 * Reader worker of `instreg replica`: attaches to the replica's shared memory
 * (`workerData` = a `RegistryHandle`) and answers `{ query }` messages with the matching
 * instruments; `{ handle }` re-attaches after a snapshot resync. Never writes shared memory.
 *
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import { RegistryReader } from '../reader/reader.js';
import type { RegistryHandle } from '../shm/handle.js';
import type { RegistryQuery } from '../wire/types.js';

let reader = RegistryReader.attach(workerData as RegistryHandle);
parentPort!.on('message', (m: { query?: RegistryQuery; handle?: RegistryHandle }) => {
  if (m.handle) {
    reader = RegistryReader.attach(m.handle);
    return;
  }
  const q = m.query!;
  const views = q.kind === 'byId' ? [reader.getById(q.id)] : q.kind === 'venueSymbol' ? [reader.getBySymbol(q.venue, q.symbol)] : reader.getByIsin(q.isin);
  parentPort!.postMessage(views.filter((v) => v !== undefined).map((v) => v.toObject()));
});
