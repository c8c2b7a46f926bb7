/**
 * Publishes the writer's durable log to a NATS JetStream stream, for replicas on other machines
 * (`src/replica/jetstream-replica.ts`). Uses the maintained NATS clients
 * (`@nats-io/transport-node`, `@nats-io/jetstream`, `@nats-io/obj`).
 *
 * - Each durable log frame is published, byte for byte, as one message on `subject` with
 *   message id = its log sequence number (`Nats-Msg-Id`), so a frame re-published after a
 *   writer restart or a lost PubAck is dropped by the stream's duplicate window.
 * - On start the publisher reads the stream's last message and continues after its sequence
 *   number; while nats-server is unreachable it retries (the log on disk is the buffer, memory
 *   stays bounded by `maxInFlight` messages).
 * - Every snapshot the writer takes is put into the object store bucket as object `latest`
 *   (description = the snapshot's log seq), so a replica can start or resync without the writer.
 *
 * @module
 */
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { Objm } from '@nats-io/obj';
import { WIRE_HEADER_SIZE, WIRE_LENGTH_OFFSET } from '../../layout/wire.js';
import { decodeMessage } from '../wire/codec.js';
import type { DurableLog } from './log-file.js';
import { listSnapshots } from './snapshots.js';

/** Where the log goes on NATS. */
export interface JetStreamPublisherOptions {
  /** NATS server URL(s), e.g. `nats://127.0.0.1:4222`. */
  servers: string | string[];
  /** Stream name (default `INSTREG_LOG`). */
  stream?: string;
  /** Subject (default `instreg.log`). */
  subject?: string;
  /** Object store bucket for snapshots (default `instreg-snapshots`). */
  bucket?: string;
  /** Publishes awaiting their PubAck at once (default 1024). */
  maxInFlight?: number;
}

/** Defaults shared by the publisher and the JetStream replica. */
export const JETSTREAM_DEFAULTS = { stream: 'INSTREG_LOG', subject: 'instreg.log', bucket: 'instreg-snapshots', object: 'latest' } as const;

/** Split concatenated stored frames. */
export function splitFrames(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let p = 0;
  while (p < bytes.length) {
    const end = p + WIRE_HEADER_SIZE + view.getUint32(p + WIRE_LENGTH_OFFSET, true);
    out.push(bytes.subarray(p, end));
    p = end;
  }
  return out;
}

/** Publishes durable frames and snapshots. Create with {@link JetStreamPublisher.start}. */
export class JetStreamPublisher {
  private cursor: bigint;
  /** Highest seq whose PubAck arrived with all before it. */
  acked: bigint;
  private readonly inflight: Array<{ seq: bigint; done: boolean }> = [];
  private failing = false;
  private closed = false;
  private uploads: Promise<void> = Promise.resolve();
  private readonly watchdog: NodeJS.Timeout;
  private progress = { acked: 0n, at: 0 };
  private readonly max: number;
  readonly stream: string;
  readonly subject: string;
  /** Counters. */
  readonly stats = { published: 0, errors: 0, snapshotsUploaded: 0 };

  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly log: DurableLog,
    private readonly bucket: string,
    opts: JetStreamPublisherOptions,
    last: bigint,
  ) {
    this.stream = opts.stream ?? JETSTREAM_DEFAULTS.stream;
    this.subject = opts.subject ?? JETSTREAM_DEFAULTS.subject;
    this.max = opts.maxInFlight ?? 1024;
    this.acked = last;
    this.cursor = last + 1n;
    // Watchdog: PubAcks outstanding and none for 2 s (e.g. across a nats-server restart):
    // re-publish from the last contiguous PubAck.
    this.progress = { acked: last, at: performance.now() };
    this.watchdog = setInterval(() => {
      if (this.acked !== this.progress.acked || this.acked >= this.log.durableSeq) {
        this.progress = { acked: this.acked, at: performance.now() };
      } else if (!this.failing && performance.now() - this.progress.at > 2000) {
        this.progress.at = performance.now();
        this.fail();
      }
    }, 250);
    this.watchdog.unref();
  }

  /**
   * Connect, create the stream if missing, find where publishing stopped, upload the newest
   * snapshot, and publish the log from there.
   * @throws {Error} NATS connection / JetStream API errors (no server, JetStream disabled)
   */
  static async start(log: DurableLog, dir: string, opts: JetStreamPublisherOptions): Promise<JetStreamPublisher> {
    const nc = await connect({ servers: opts.servers, maxReconnectAttempts: -1, reconnectTimeWait: 250, name: 'instreg-writer' });
    const jsm = await jetstreamManager(nc);
    const stream = opts.stream ?? JETSTREAM_DEFAULTS.stream;
    const subject = opts.subject ?? JETSTREAM_DEFAULTS.subject;
    await ensureStream(jsm, stream, subject);
    const lastMsg = await jsm.streams.getMessage(stream, { last_by_subj: subject }).catch(() => null);
    const last = lastMsg ? decodeMessage(lastMsg.data).seq : 0n;
    const p = new JetStreamPublisher(nc, jetstream(nc), log, opts.bucket ?? JETSTREAM_DEFAULTS.bucket, opts, last);
    if (p.cursor < log.firstSeq) p.cursor = log.firstSeq; // older entries were trimmed: replicas resync from the snapshot
    const snap = listSnapshots(dir)[0];
    if (snap) await p.snapshotTaken(snap.file, snap.logSeq);
    p.pump();
    return p;
  }

  /** Publish what is durable and not yet published (called after each commit). */
  pump(): void {
    if (this.closed || this.failing) return;
    while (this.inflight.length < this.max && this.cursor <= this.log.durableSeq) {
      const { bytes } = this.log.readRange(this.cursor, 64 * 1024);
      for (const frame of splitFrames(bytes)) {
        const seq = this.cursor++;
        const entry = { seq, done: false };
        this.inflight.push(entry);
        this.js.publish(this.subject, frame, { msgID: seq.toString(), timeout: 5000 }).then(
          () => {
            entry.done = true;
            this.stats.published++;
            while (this.inflight.length && this.inflight[0]!.done) this.acked = this.inflight.shift()!.seq;
            this.pump();
          },
          () => this.fail(),
        );
      }
    }
  }

  private fail(): void {
    this.stats.errors++;
    if (this.failing) return;
    this.failing = true;
    // Re-publish everything after the last contiguous PubAck (duplicates are dropped by msg id).
    setTimeout(() => {
      this.inflight.length = 0;
      this.cursor = this.acked + 1n;
      if (this.cursor < this.log.firstSeq) this.cursor = this.log.firstSeq;
      this.failing = false;
      this.pump();
    }, 500).unref();
  }

  /** Upload a snapshot file as object `latest` (serialized; failures are retried at the next snapshot). */
  snapshotTaken(file: string, logSeq: bigint): Promise<void> {
    return (this.uploads = this.uploads.then(async () => {
      try {
        const os = await new Objm(this.nc).create(this.bucket);
        const rs = Readable.toWeb(createReadStream(file)) as unknown as ReadableStream<Uint8Array>;
        await os.put({ name: JETSTREAM_DEFAULTS.object, description: logSeq.toString() }, rs);
        this.stats.snapshotsUploaded++;
      } catch {
        this.stats.errors++;
      }
    }));
  }

  /** Wait for pending PubAcks and uploads (bounded), then close the connection. */
  async close(): Promise<void> {
    const until = Date.now() + 2000;
    while (this.acked < this.log.durableSeq && Date.now() < until && !this.nc.isClosed()) await new Promise((r) => setTimeout(r, 10));
    await this.uploads;
    this.closed = true;
    clearInterval(this.watchdog);
    await this.nc.close();
  }
}

/** Create the stream if it does not exist (file storage, 2-minute duplicate window). */
export async function ensureStream(jsm: JetStreamManager, stream: string, subject: string): Promise<void> {
  try {
    await jsm.streams.info(stream);
  } catch {
    await jsm.streams.add({ name: stream, subjects: [subject], duplicate_window: 120_000_000_000 } as never);
  }
}
