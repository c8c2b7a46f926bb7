/**
 * JetStream replication against a real nats-server (started here on an ephemeral loopback
 * port with JetStream and a temp store dir, stopped afterwards; missing binary = failure).
 * A JetStream replica converges record for record after the writer restarts and after
 * nats-server restarts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectWriter } from '../src/client/writer-client.js';
import type { InstrumentInput } from '../src/model/types.js';
import { openReplica, type Replica } from '../src/replica/index.js';
import { WriterService } from '../src/service/writer-service.js';
import { canonical, freePort, NatsServer } from './helpers/service-procs.js';

const cur = (symbol: string, name: string): InstrumentInput =>
  ({ kind: 'currency', symbol, venue: 'ASSET', source: 'cex', status: 'active', name }) as InstrumentInput;
let nats: NatsServer;
const dir = mkdtempSync(join(tmpdir(), 'instreg-js-'));

beforeAll(async () => {
  nats = new NatsServer(await freePort());
  await nats.start();
}, 30_000);
afterAll(async () => {
  await nats?.stop();
  rmSync(nats?.storeDir ?? '/nonexistent', { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
});

const dump = (r: { all(): Array<{ toObject(): unknown }> }) => canonical(r.all().map((v) => v.toObject() as never));

/**
 * `replica.waitFor(seq)`, failing with what both sides of the stream were doing (the writer's
 * publisher and the replica's consumer loop), so that a stall says where it stalled.
 */
async function caughtUp(replica: Replica, svc: WriterService, ms: number): Promise<void> {
  const seq = svc.log.durableSeq;
  try {
    await replica.waitFor(seq, ms);
  } catch (e) {
    const pub = (svc as unknown as { publisher?: { acked: bigint; stats: object } }).publisher;
    const feed = (replica as unknown as { feed: { restarts: number; abandonedLoops: number } }).feed;
    throw new Error(
      `${(e as Error).message}; writer durable ${seq}, publisher acked ${pub?.acked} ${JSON.stringify(pub?.stats)}; ` +
        `replica applied ${replica.state.appliedSeq}, lag ${replica.lag().entries}, consumer restarts ${feed.restarts}, abandoned loops ${feed.abandonedLoops}`,
      { cause: e },
    );
  }
}

describe('JetStream replica', () => {
  it('converges after the writer restarts and after nats-server restarts', async () => {
    const start = () => WriterService.start({ dir, snapshotEveryMs: 0, jetstream: { servers: nats.url }, onWarning: () => undefined });
    let svc = await start();
    let replica: Replica | undefined;
    try {
      let w = await connectWriter({ socket: svc.socketPath });
      await w.registerBatch(Array.from({ length: 500 }, (_, i) => cur(`J${i}`, 'a')));
      await svc.snapshot(); // goes to the object store too
      const acks = await w.registerBatch(Array.from({ length: 200 }, (_, i) => cur(`L${i}`, 'b')));
      replica = await openReplica({ url: nats.url }, 30_000);
      await caughtUp(replica, svc, 20_000);
      expect(dump(replica.reader())).toEqual(dump(svc.core.target.registry.reader()));
      expect(replica.state.stats.snapshots).toBe(0); // the stream still holds every entry from seq 1

      // writer restart: the publisher continues after the stream's last frame (duplicates dropped by msg id)
      await w.close();
      await svc.close();
      svc = await start();
      w = await connectWriter({ socket: svc.socketPath });
      await w.updateBatch(acks.slice(0, 100).map((a) => ({ id: (a as { id: bigint }).id, patch: { name: 'after-writer-restart' } })));
      await caughtUp(replica, svc, 20_000);
      expect(dump(replica.reader())).toEqual(dump(svc.core.target.registry.reader()));

      // nats-server restart (same port and store): both sides reconnect and resume
      await nats.stop();
      const during = w.registerBatch(Array.from({ length: 100 }, (_, i) => cur(`N${i}`, 'c'))); // durable on the writer meanwhile
      await new Promise((r) => setTimeout(r, 500));
      await nats.start();
      await during;
      await w.removeBatch(acks.slice(150, 160).map((a) => (a as { id: bigint }).id));
      await caughtUp(replica, svc, 30_000);
      expect(dump(replica.reader())).toEqual(dump(svc.core.target.registry.reader()));
      expect(replica.state.failures).toEqual([]);
      expect(replica.lag().entries).toBe(0n);

      // nats-server frozen (SIGSTOP) for 4 s while changes arrive: connections stay open, requests
      // and consumers stall; both sides must recover once it resumes
      nats.child!.kill('SIGSTOP');
      const frozen = w.registerBatch(Array.from({ length: 50 }, (_, i) => cur(`Z${i}`, 'z'))); // durable on the writer
      await new Promise((r) => setTimeout(r, 4000));
      nats.child!.kill('SIGCONT');
      await frozen;
      await caughtUp(replica, svc, 30_000);
      expect(dump(replica.reader())).toEqual(dump(svc.core.target.registry.reader()));

      // a stream whose limits dropped old entries: a new replica starts from the newest snapshot object
      await svc.snapshot();
      await w.registerBatch(Array.from({ length: 50 }, (_, i) => cur(`P${i}`, 'd')));
      const { connect } = await import('@nats-io/transport-node');
      const { jetstreamManager } = await import('@nats-io/jetstream');
      const nc = await connect({ servers: nats.url });
      await (await jetstreamManager(nc)).streams.purge('INSTREG_LOG', { keep: 100 });
      await nc.close();
      const late = await openReplica({ url: nats.url }, 30_000);
      try {
        await caughtUp(late, svc, 20_000);
        expect(late.state.stats.snapshots).toBe(1);
        expect(dump(late.reader())).toEqual(dump(svc.core.target.registry.reader()));
      } finally {
        await late.close();
      }
      await w.close();
    } finally {
      await replica?.close();
      await svc.close();
    }
  }, 120_000);
});
