/**
 * Replicas: a process that holds its own shared-memory copy of the registry, built from the
 * writer's snapshot and kept current by its log, for its hot-path workers
 * (`RegistryReader.attach(replica.handle)` in each). A replica never writes back: registrations
 * go to the writer (`connectWriter`).
 *
 * @module
 */
import { argFunction, argMs, argObject, argString, ioError } from '../args.js';
import { RegistryError } from '../errors.js';
import { checkWriterAddress } from '../client/writer-client.js';
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

  /**
   * Called with the new handle after every snapshot restore.
   * @throws {RegistryError} `InvalidArgument` if `fn` is not a function.
   */
  onResync(fn: (handle: RegistryHandle) => void): void {
    this.state.on('resync', argFunction(fn, 'listener'));
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

  /**
   * Resolves once the replica has applied `seq`.
   * @throws {RegistryError} `Timeout`; `InvalidArgument` for a `seq` that is not a u64 or a
   *   `timeoutMs` that is not a finite number ≥ 0
   */
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
 * @throws {IoError} `IoError` when the writer socket cannot be reached (`errno` `ENOENT`, `ECONNREFUSED` …);
 *   NATS connection errors pass through as the NATS client raises them
 * @throws {RegistryError} `InvalidArgument` for options that are not an object, a malformed
 *   address or `url`, or a `timeoutMs` that is not a finite number ≥ 0
 * @example
 * const replica = await openReplica({ socket: '/var/lib/instreg/instreg.sock' });
 * const pool = new Worker(url, { workerData: replica.handle }); // RegistryReader.attach(workerData)
 */
export async function openReplica(opts: OpenReplicaOptions, timeoutMs = 60_000): Promise<Replica> {
  argObject(opts, 'options');
  argMs(timeoutMs, 'timeoutMs');
  if ('url' in opts && opts.url !== undefined) {
    const urls = Array.isArray(opts.url) ? opts.url : [opts.url];
    if (urls.length === 0) throw new RegistryError('InvalidArgument', 'url must name at least one NATS server');
    for (const u of urls) argString(u, 'url', true);
  } else {
    checkWriterAddress(opts as SocketReplicaOptions);
  }
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
    throw ioError(e, 'open replica');
  }
  return new Replica(state, feed);
}
