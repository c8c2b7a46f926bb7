/**
 * A replica fed by the writer service over its Unix socket (or loopback TCP): sends
 * `subscribe(appliedSeq)`, receives a snapshot (as `snapshotChunk`s, written to a private temp
 * file and restored) when it is new or too far behind, then log frames. On disconnect it
 * reconnects and resubscribes from its own applied sequence number; on a gap or an
 * out-of-range sequence number it resubscribes, and after two such resyncs in a row it asks for
 * a snapshot (`subscribe(0)`).
 *
 * @module
 */
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSocket, type WriterAddress } from '../client/writer-client.js';
import { RegistryError } from '../errors.js';
import { nowNs } from '../service/apply.js';
import { ServiceError } from '../service/errors.js';
import { encodeMessage } from '../wire/codec.js';
import { MessageFramer } from '../wire/framer.js';
import type { SnapshotChunkMessage, WireMessage } from '../wire/types.js';
import { ReplicaState } from './replica-state.js';

/** Options of a socket replica. */
export interface SocketReplicaOptions extends WriterAddress {
  /** Delay before reconnecting, ms (default 100). */
  reconnectMs?: number;
  /** Table sizing of an empty replica. */
  initialCapacity?: number;
}

/** Feeds a {@link ReplicaState} from the writer's socket. */
export class SocketReplicaFeed {
  private socket: Socket | undefined;
  private framer = new MessageFramer();
  private snap: { fd: number; file: string; next: number; logSeq: bigint } | undefined;
  private readonly tmp = mkdtempSync(join(tmpdir(), 'instreg-replica-'));
  private closed = false;
  private resyncStreak = 0;
  private queue: Promise<void> = Promise.resolve();
  /** Connections made. */
  connects = 0;

  constructor(
    readonly state: ReplicaState,
    private readonly opts: SocketReplicaOptions,
  ) {}

  /** Connect and subscribe; resolves when the first heartbeat's sequence number is applied. */
  async start(timeoutMs = 60_000): Promise<void> {
    await this.connect(this.state.appliedSeq);
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new ServiceError('Timeout', 'replica did not catch up')), timeoutMs);
      const check = () => {
        const l = this.state.lag();
        if (this.heardOnce) {
          if (l.entries === 0n) {
            clearTimeout(t);
            this.state.off('applied', check);
            this.state.off('heard', check);
            this.state.off('resync', check);
            resolve();
          }
        }
      };
      this.state.on('applied', check);
      this.state.on('heard', check);
      this.state.on('resync', check);
    });
  }

  private heardOnce = false;

  private async connect(fromSeq: bigint): Promise<void> {
    const s = await openSocket(this.opts);
    this.connects++;
    this.socket = s;
    this.framer = new MessageFramer({ onError: () => s.destroy() });
    s.on('data', (chunk: Buffer) => {
      const msgs = this.framer.push(chunk);
      // Snapshot restores are async; keep strict order by chaining.
      this.queue = this.queue.then(() => this.handleAll(s, msgs)).catch(() => void s.destroy());
    });
    s.on('error', () => s.destroy());
    s.on('close', () => {
      if (this.socket === s) this.socket = undefined;
      this.dropSnapshot();
      if (!this.closed) setTimeout(() => this.reconnect(), this.opts.reconnectMs ?? 100).unref();
    });
    s.write(encodeMessage({ type: 'subscribe', seq: 0n, timestampNs: nowNs(), flags: 0, fromSeq }));
  }

  private reconnect(): void {
    if (this.closed || this.socket) return;
    const from = this.resyncStreak >= 2 ? 0n : this.state.appliedSeq;
    const ready = from === 0n && this.state.appliedSeq > 0n ? this.state.reset() : Promise.resolve();
    ready
      .then(() => this.connect(from))
      .catch(() => {
        if (!this.closed) setTimeout(() => this.reconnect(), this.opts.reconnectMs ?? 100).unref();
      });
  }

  private async handleAll(s: Socket, msgs: WireMessage[]): Promise<void> {
    for (const m of msgs) {
      if (s.destroyed) return;
      if (m.type === 'snapshotChunk') {
        await this.chunk(m);
      } else if (m.type === 'healthResponse') {
        this.heardOnce = true;
        this.state.heard(m.logSeq);
        this.state.emit('heard');
      } else if (m.type === 'errorResponse') {
        // SequenceOutOfRange: this replica is ahead of the writer's history; rebuild from scratch.
        if (m.code === 'SequenceOutOfRange') this.resyncStreak = 2;
        s.destroy();
        return;
      } else if (this.state.apply(m) === 'resync') {
        this.resyncStreak++;
        s.destroy();
        return;
      } else {
        this.resyncStreak = 0;
      }
    }
  }

  private dropSnapshot(): void {
    if (!this.snap) return;
    closeSync(this.snap.fd);
    rmSync(this.snap.file, { force: true });
    this.snap = undefined;
  }

  private async chunk(m: SnapshotChunkMessage): Promise<void> {
    if (m.offset === 0) {
      this.dropSnapshot();
      const file = join(this.tmp, `snapshot-${m.logSeq}.snap`);
      this.snap = { fd: openSync(file, 'w'), file, next: 0, logSeq: m.logSeq };
    }
    const s = this.snap;
    if (!s || m.offset !== s.next || m.logSeq !== s.logSeq)
      throw new ServiceError('CorruptSnapshot', `snapshot chunk at ${m.offset}, expected ${s?.next ?? 0}`);
    let off = 0;
    while (off < m.data.length) off += writeSync(s.fd, m.data, off, m.data.length - off, s.next + off);
    s.next += m.data.length;
    if (s.next < m.total) return;
    closeSync(s.fd);
    this.snap = undefined;
    try {
      await this.state.restore(s.file);
      this.resyncStreak = 0;
    } catch (e) {
      if (!(e instanceof RegistryError)) throw e;
      this.resyncStreak = 2; // a damaged transfer: ask for the snapshot again
      this.socket?.destroy();
    } finally {
      rmSync(s.file, { force: true });
    }
  }

  /** Disconnect the current socket (tests: a replica that loses its connection resumes). */
  disconnect(): void {
    this.socket?.destroy();
  }

  /** Stop for good. */
  async close(): Promise<void> {
    this.closed = true;
    this.socket?.destroy();
    await this.queue.catch(() => undefined);
    this.dropSnapshot();
    rmSync(this.tmp, { recursive: true, force: true });
  }
}
