/**
 * A replica on another machine, fed from the writer's JetStream stream
 * (`src/service/jetstream-publisher.ts`) with the maintained NATS clients.
 *
 * - Start: restore the snapshot object `latest` from the object store bucket (if any), find
 *   the first stream message whose log frame comes after the restored sequence number (binary
 *   search on the stream; log sequence numbers increase with stream sequence numbers), and
 *   consume from there with an ordered consumer.
 * - Every message is one stored log frame; it is decoded (CRC checked) and applied
 *   idempotently (`ReplicaState`, policy `'hold'`).
 * - A gap or out-of-range sequence number, a consumer that ends (nats-server restart,
 *   reconnect), or any consumer error restarts this procedure from the replica's own applied
 *   sequence number, restoring the snapshot again only when the stream no longer holds the
 *   next entry.
 * - Lag: the stream's last frame is polled every `pollMs` (default 250 ms) for `writerSeq`; when
 *   it is ahead and nothing was applied for 2 s, the consumer is stopped (watchdog); when that does
 *   not bring progress within another 2 s (an await of the consumer loop that never returns, e.g.
 *   across a nats-server restart), the loop is abandoned and a new one started from the applied
 *   sequence number. An abandoned loop applies nothing more: each loop has an epoch and applies
 *   only while it is the current one.
 *
 * @module
 */
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { DeliverPolicy, jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { Objm } from '@nats-io/obj';
import { RegistryError } from '../errors.js';
import { JETSTREAM_DEFAULTS } from '../service/jetstream-publisher.js';
import { decodeMessage } from '../wire/codec.js';
import type { ReplicaState } from './replica-state.js';

/** Options of a JetStream replica. */
export interface JetStreamReplicaOptions {
  /** NATS server URL(s). */
  url: string | string[];
  stream?: string;
  subject?: string;
  bucket?: string;
  /** Stream polling interval for the writer's sequence number, ms (default 250). */
  pollMs?: number;
  initialCapacity?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Feeds a {@link ReplicaState} from JetStream. */
export class JetStreamReplicaFeed {
  private nc: NatsConnection | undefined;
  private jsm: JetStreamManager | undefined;
  private closed = false;
  private stopCurrent: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private poller: NodeJS.Timeout | undefined;
  private readonly tmp = mkdtempSync(join(tmpdir(), 'instreg-jsreplica-'));
  private readonly stream: string;
  private readonly subject: string;
  private readonly bucket: string;
  /** Consumer (re)starts. */
  restarts = 0;
  /** Consumer loops abandoned by the watchdog (stalled inside an await). */
  abandonedLoops = 0;
  /** The current consumer loop; an older loop stops applying and exits when it wakes. */
  private epoch = 0;

  constructor(
    readonly state: ReplicaState,
    private readonly opts: JetStreamReplicaOptions,
  ) {
    this.stream = opts.stream ?? JETSTREAM_DEFAULTS.stream;
    this.subject = opts.subject ?? JETSTREAM_DEFAULTS.subject;
    this.bucket = opts.bucket ?? JETSTREAM_DEFAULTS.bucket;
  }

  /** Connect and catch up with the stream's last frame at start. */
  async start(timeoutMs = 60_000): Promise<void> {
    this.nc = await connect({ servers: this.opts.url, maxReconnectAttempts: -1, reconnectTimeWait: 250, name: 'instreg-replica' });
    this.jsm = await jetstreamManager(this.nc);
    const target = await this.streamLastSeq();
    this.state.heard(target);
    this.loop = this.run(this.epoch);
    let progressAt = performance.now();
    let progressSeq = this.state.appliedSeq;
    let kicked = false;
    this.poller = setInterval(() => {
      this.streamLastSeq().then(
        (s) => this.state.heard(s),
        () => undefined,
      );
      // Watchdog: the stream has newer frames but nothing was applied for 2 s (a consumer left
      // hanging by a server restart): restart the consumer from the applied sequence number.
      const applied = this.state.appliedSeq;
      if (applied !== progressSeq) {
        progressSeq = applied;
        progressAt = performance.now();
        kicked = false;
      } else if (this.state.lag().entries > 0n && performance.now() - progressAt > 2000) {
        progressAt = performance.now();
        if (!kicked) {
          kicked = true;
          this.stopCurrent?.();
        } else {
          // stopping the consumer did not help: the loop is stuck in an await; start a new one
          kicked = false;
          this.abandonedLoops++;
          this.stopCurrent?.();
          this.loop = this.run(++this.epoch);
        }
      }
    }, this.opts.pollMs ?? 250);
    this.poller.unref();
    await this.state.waitFor(target, timeoutMs);
  }

  private async streamLastSeq(): Promise<bigint> {
    const m = await this.jsm!.streams.getMessage(this.stream, { last_by_subj: this.subject }).catch(() => null);
    return m ? decodeMessage(m.data).seq : 0n;
  }

  private async frameSeqAt(streamSeq: number): Promise<bigint | undefined> {
    const m = await this.jsm!.streams.getMessage(this.stream, { seq: streamSeq }).catch(() => null);
    return m ? decodeMessage(m.data).seq : undefined;
  }

  /** Smallest stream seq whose frame seq is > `after` (binary search), or last + 1. */
  private async startSeq(after: bigint): Promise<{ at: number; firstFrame: bigint | undefined }> {
    const info = await this.jsm!.streams.info(this.stream);
    let lo = info.state.first_seq;
    let hi = info.state.last_seq + 1;
    const firstFrame = info.state.messages > 0 ? await this.frameSeqAt(lo) : undefined;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      const f = await this.frameSeqAt(mid);
      if (f === undefined || f > after) hi = mid;
      else lo = mid + 1;
    }
    return { at: lo, firstFrame };
  }

  /** Restore object `latest` if it is ahead of the applied sequence number; `current` is asked again before the restore replaces the state. */
  private async restoreSnapshot(epoch: number, current: () => boolean): Promise<boolean> {
    const os = await new Objm(this.nc!).open(this.bucket).catch(() => null);
    if (!os) return false;
    const info = await os.info(JETSTREAM_DEFAULTS.object).catch(() => null);
    if (!info || BigInt(info.description ?? '0') <= this.state.appliedSeq) return false;
    const r = await os.get(JETSTREAM_DEFAULTS.object);
    if (!r) return false;
    const file = join(this.tmp, `snapshot-${epoch}.snap`);
    await r.data.pipeTo(Writable.toWeb(createWriteStream(file)) as unknown as WritableStream<Uint8Array>);
    if ((await r.error) || !current()) {
      rmSync(file, { force: true });
      return false;
    }
    await this.state.restore(file);
    rmSync(file, { force: true });
    return true;
  }

  private async run(epoch: number): Promise<void> {
    const js = jetstream(this.nc!);
    const current = () => !this.closed && epoch === this.epoch;
    while (current()) {
      try {
        this.restarts++;
        const start = await this.startSeq(this.state.appliedSeq);
        const firstFrame = start.firstFrame;
        let at = start.at;
        if (firstFrame === undefined || firstFrame > this.state.appliedSeq + 1n) {
          // The stream does not hold the next entry: start from the snapshot.
          if (await this.restoreSnapshot(epoch, current)) ({ at } = await this.startSeq(this.state.appliedSeq));
        }
        const consumer = await js.consumers.get(this.stream, { filter_subjects: this.subject, deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: at });
        const messages = await consumer.consume({ max_messages: 1024 });
        if (!current()) {
          void messages.stop();
          break;
        }
        this.stopCurrent = () => void messages.stop();
        for await (const m of messages) {
          if (!current()) break;
          let verdict: 'ok' | 'resync';
          try {
            verdict = this.state.apply(decodeMessage(m.data));
          } catch (e) {
            if (!(e instanceof RegistryError)) throw e;
            verdict = 'resync';
          }
          if (verdict === 'resync') break;
        }
        // bounded: a close that never settles must not hold the loop
        await Promise.race([messages.close().catch(() => undefined), sleep(1000)]);
      } catch {
        /* nats-server gone or consumer failed: retry below */
      }
      if (current()) await sleep(200);
    }
  }

  /** Restart the consumer (it resumes from the applied sequence number). */
  disconnect(): void {
    this.stopCurrent?.();
  }

  /** Stop. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.poller) clearInterval(this.poller);
    this.stopCurrent?.();
    await this.nc?.close().catch(() => undefined);
    await this.loop?.catch(() => undefined);
    rmSync(this.tmp, { recursive: true, force: true });
  }
}
