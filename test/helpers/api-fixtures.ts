/**
 * Valid objects of every exported class, for `test/api-errors.test.ts`: its cases call their
 * methods with invalid arguments, and call closed ones. Everything lives in one temp dir; the
 * writer service listens on a socket in it.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as api from '../../src/index.js';
import type { ReaderPool } from '../../src/index.js';
import type { InstrumentInput } from '../../src/model/types.js';
import { oneOfEachKind } from './instruments.js';

/** The fixtures. */
export interface Fixtures {
  dir: string;
  btc: InstrumentInput;
  btcId: bigint;
  registry: api.InstrumentRegistry;
  reader: api.RegistryReader;
  view: api.InstrumentView;
  fields: api.FieldSet;
  symbolKey: api.SymbolKey;
  ring: SharedArrayBuffer;
  eventWriter: api.EventWriter;
  consumer: api.EventConsumer;
  subscription: api.Subscription;
  eventView: api.EventView;
  event: api.ChangeEvent;
  deriver: api.IdDeriver;
  framer: api.MessageFramer;
  logWriter: api.LogWriter;
  applier: api.LogApplier;
  frame: Uint8Array;
  durableLog: api.DurableLog;
  closedLog: api.DurableLog;
  venues: api.VenueRegistry;
  replicaState: api.ReplicaState;
  snapshotFile: string;
  /** What writeSnapshotSync / readSnapshotSync threw before the checksum was loaded. */
  beforeChecksum: { write: unknown; read: unknown };
  payloadFile: string;
  mapping: api.LoadedMapping;
  service: api.WriterService;
  closedService: api.WriterService;
  client: api.WriterClient;
  closedClient: api.WriterClient;
  replica: api.Replica;
  closedReplica: api.Replica;
  pool: ReaderPool;
  closedPool: ReaderPool;
  close(): Promise<void>;
}

/** A minimal mapping: `{ "assets": ["BTC", …] }` → one currency per entry. */
export const MAPPING = {
  name: 'api-errors-assets',
  source: 'made up for test/api-errors.test.ts',
  format: 'json',
  detect: { json: [{ path: 'assets', type: 'array' }] },
  records: 'assets',
  instruments: [
    {
      as: 'asset',
      kind: 'currency',
      fields: { symbol: { expr: '$' }, venue: { const: 'ASSET' }, source: { const: 'cex' }, status: { const: 'active' } },
    },
  ],
};

/** Build the fixtures (about a second: a writer service, a replica and two one-thread reader pools). */
export async function makeFixtures(): Promise<Fixtures> {
  const dir = mkdtempSync(join(tmpdir(), 'instreg-api-errors-'));
  const ring = api.createEventRing(64);
  const registry = await api.InstrumentRegistry.create({ eventRing: ring });
  const consumer = new api.EventConsumer(ring, { from: 'oldest' });
  const subscription = new api.Subscription(new api.EventConsumer(ring, { from: 'oldest' }), api.AllStocks());
  for (const input of oneOfEachKind()) registry.registerInstrument(input);
  const btc = oneOfEachKind()[0]!;
  const btcId = registry.idOf(btc);
  const reader = registry.reader();
  let eventView: api.EventView | undefined;
  new api.EventConsumer(ring, { from: 'oldest' }).pollInto((v) => (eventView ??= v), 1);
  const event = consumer.poll(1)[0]!;
  const logWriter = new api.LogWriter();
  const frame = logWriter.register(btc);
  mkdirSync(join(dir, 'log'));
  mkdirSync(join(dir, 'closed-log'));
  const durableLog = api.DurableLog.open(join(dir, 'log'));
  const closedLog = api.DurableLog.open(join(dir, 'closed-log'));
  await closedLog.close();
  const snapshotFile = join(dir, 'registry.snap');
  // The …Sync snapshot functions before loadSnapshotChecksum(): only observable before anything loads it.
  const beforeChecksum = { write: caught(() => api.writeSnapshotSync(registry, snapshotFile)), read: caught(() => api.readSnapshotSync(snapshotFile)) };
  await api.loadSnapshotChecksum();
  api.writeSnapshotSync(registry, snapshotFile);
  const payloadFile = join(dir, 'assets.json');
  writeFileSync(payloadFile, JSON.stringify({ assets: ['BTC', 'ETH'] }));
  const service = await api.WriterService.start({ dir: join(dir, 'svc'), snapshotEveryMs: 0, onWarning: () => undefined });
  const closedService = await api.WriterService.start({ dir: join(dir, 'svc-closed'), snapshotEveryMs: 0, onWarning: () => undefined });
  await closedService.close();
  const client = await api.connectWriter({ socket: service.socketPath, timeoutMs: 5_000 });
  const closedClient = await api.connectWriter({ socket: service.socketPath, timeoutMs: 5_000 });
  await closedClient.close();
  const replica = await api.openReplica({ socket: service.socketPath }, 10_000);
  const closedReplica = await api.openReplica({ socket: service.socketPath }, 10_000);
  await closedReplica.close();
  const pool = api.createReaderPool(registry.handle, { threads: 1 });
  const closedPool = api.createReaderPool(registry.handle, { threads: 1 });
  await Promise.all([pool.ready(), closedPool.ready()]);
  await closedPool.close();
  const fx: Fixtures = {
    dir,
    btc,
    btcId,
    registry,
    reader,
    view: reader.getById(btcId)!,
    fields: new api.FieldSet(['id', 'tickSize']),
    symbolKey: reader.prepareSymbolKey('BINANCE', 'BTCUSDT'),
    ring,
    eventWriter: new api.EventWriter(api.createEventRing(16)),
    consumer,
    subscription,
    eventView: eventView!,
    event,
    deriver: await api.IdDeriver.create(),
    framer: new api.MessageFramer(),
    logWriter,
    applier: new api.LogApplier(await api.InstrumentRegistry.create()),
    frame,
    durableLog,
    closedLog,
    venues: new api.VenueRegistry(),
    replicaState: await api.ReplicaState.create(),
    snapshotFile,
    beforeChecksum,
    payloadFile,
    mapping: api.prepareMapping(MAPPING),
    service,
    closedService,
    client,
    closedClient,
    replica,
    closedReplica,
    pool,
    closedPool,
    async close() {
      subscription.close();
      await Promise.allSettled([client.close(), replica.close(), pool.close()]);
      await service.close();
      await durableLog.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return fx;
}

/** What `fn` throws (a marker string if it does not). */
function caught(fn: () => unknown): unknown {
  try {
    fn();
    return 'did not throw';
  } catch (e) {
    return e;
  }
}
