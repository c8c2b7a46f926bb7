/**
 * Replicas: a process that holds its own shared-memory copy of the registry, built from the
 * writer's snapshot and kept current by its log, for its hot-path workers
 * (`RegistryReader.attach(replica.handle)` in each). A replica never writes back: registrations
 * go to the writer (`connectWriter`).
 *
 * @module
 */
import type { RegistryHandle } from '../shm/handle.js';
import type { RegistryReader } from '../reader/reader.js';
import { ReplicaState, type ReplicaLag } from './replica-state.js';
import { SocketReplicaFeed, type SocketReplicaOptions } from './socket-replica.js';
import type { JetStreamReplicaOptions } from './jetstream-replica.js';

export { ReplicaState, type ReplicaLag } from './replica-state.js';
export type { SocketReplicaOptions } from './socket-replica.js';
export type { JetStreamReplicaOptions } from './jetstream-replica.js';

/** Options of {@link openReplica}: a writer socket, or a NATS URL (`url`) for JetStream. */
export type OpenReplicaOptions = SocketReplicaOptions | JetStreamReplicaOptions;

interface Feed {
  start(timeoutMs?: number): Promise<void>;
  disconnect(): void;
  close(): Promise<void>;
}

/** A running replica. */
export class Replica {
  /** @internal use {@link openReplica} */
  constructor(
    readonly state: ReplicaState,
    private readonly feed: Feed,
  ) {}

  /** Shared regions for `RegistryReader.attach` (changes after a snapshot resync: listen to `onResync`). */
  get handle(): RegistryHandle {
    return this.state.handle;
  }

  /** Called with the new handle after every snapshot restore. */
  onResync(fn: (handle: RegistryHandle) => void): void {
    this.state.on('resync', fn);
  }

  /** A reader on this thread. */
  reader(): RegistryReader {
    return this.state.reader();
  }

  /** Last applied log sequence number. */
  get appliedSeq(): bigint {
    return this.state.appliedSeq;
  }

  /** Lag in entries and time. */
  lag(): ReplicaLag {
    return this.state.lag();
  }

  /** Resolves once the replica has applied `seq`. @throws {RegistryError} `Timeout` */
  waitFor(seq: bigint, timeoutMs?: number): Promise<void> {
    return this.state.waitFor(seq, timeoutMs);
  }

  /** Drop the current connection (it reconnects and resumes). For tests and operators. */
  disconnect(): void {
    this.feed.disconnect();
  }

  /** Stop replicating (the registry memory stays valid for readers still attached). */
  close(): Promise<void> {
    return this.feed.close();
  }
}

/**
 * Open a replica: `{ socket }` (or `{ host, port }`) follows the writer service directly;
 * `{ url }` follows the writer's JetStream stream. Resolves once caught up with the writer's
 * position at connect time.
 * @throws {ServiceError} `Timeout` when it cannot catch up within `timeoutMs`
 * @throws {Error} connection errors (`ENOENT`, `ECONNREFUSED`, NATS errors)
 * @example
 * const replica = await openReplica({ socket: '/var/lib/instreg/instreg.sock' });
 * const pool = new Worker(url, { workerData: replica.handle }); // RegistryReader.attach(workerData)
 */
export async function openReplica(opts: OpenReplicaOptions, timeoutMs = 60_000): Promise<Replica> {
  const state = await ReplicaState.create({ initialCapacity: opts.initialCapacity });
  let feed: Feed;
  if ('url' in opts && opts.url) {
    const { JetStreamReplicaFeed } = await import('./jetstream-replica.js');
    feed = new JetStreamReplicaFeed(state, opts);
  } else {
    feed = new SocketReplicaFeed(state, opts as SocketReplicaOptions);
  }
  try {
    await feed.start(timeoutMs);
  } catch (e) {
    await feed.close();
    throw e;
  }
  return new Replica(state, feed);
}
