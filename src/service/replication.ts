/**
 * Writer side of socket replication: one {@link LogSubscriber} per replica connection streams
 * the newest snapshot (as `snapshotChunk` frames) when the replica is too far behind, then the
 * durable log frames after its position, byte for byte as stored, then live frames as they
 * become durable.
 *
 * **Bounded memory.** A subscriber holds only a cursor (next seq to send). It writes to its
 * socket while the socket's buffered bytes stay under `highWaterBytes` and waits for `'drain'`
 * otherwise, so a slow or stalled replica costs the writer at most `highWaterBytes` plus one
 * read (≤ 256 KiB). A replica that does not drain for `stallTimeoutMs` is disconnected; it
 * resumes from its own position when it reconnects (from a snapshot if the log was trimmed).
 *
 * @module
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { Socket } from 'node:net';
import { WIRE_CHUNK_MAX_DATA } from '../../layout/wire.js';
import { encodeMessage } from '../wire/codec.js';
import type { DurableLog } from './log-file.js';
import { listSnapshots } from './snapshots.js';
import { nowNs } from './apply.js';

/** Options of {@link LogSubscriber}. */
export interface SubscriberOptions {
  /** Most bytes buffered in the socket before the subscriber waits for `'drain'` (default 1 MiB). */
  highWaterBytes?: number;
  /** Disconnect a replica that has not drained for this long (ms, default 30 000). */
  stallTimeoutMs?: number;
  /** Heartbeat (a `healthResponse` with the durable seq) every this many ms (default 1000). */
  heartbeatMs?: number;
  /** Live instruments, for heartbeats. */
  instruments: () => number;
}

const READ_BYTES = 256 * 1024;
let nextId = 1;

/** Streams snapshot + log to one replica socket. */
export class LogSubscriber {
  /** Id for metrics labels. */
  readonly id = nextId++;
  /** Next log seq to send. */
  cursor: bigint;
  private snap: { fd: number; size: number; offset: number; logSeq: bigint } | undefined;
  private waiting = false;
  private stalledSince = 0;
  private closed = false;
  private readonly highWater: number;
  private readonly stallMs: number;
  private heartbeat: NodeJS.Timeout | undefined;
  /** Counters. */
  readonly stats = { framesSent: 0, bytesSent: 0, snapshotsSent: 0 };

  /**
   * @param socket replica connection
   * @param log the writer's log
   * @param dir service directory (snapshots)
   * @param fromSeq last seq the replica holds
   */
  constructor(
    private readonly socket: Socket,
    private readonly log: DurableLog,
    private readonly dir: string,
    fromSeq: bigint,
    private readonly opts: SubscriberOptions,
  ) {
    this.highWater = opts.highWaterBytes ?? 1024 * 1024;
    this.stallMs = opts.stallTimeoutMs ?? 30_000;
    this.cursor = fromSeq + 1n;
    if (fromSeq > log.durableSeq) {
      // The replica is ahead of this writer (another history): tell it to rebuild (subscribe(0)).
      this.closed = true;
      socket.end(
        encodeMessage({
          type: 'errorResponse',
          seq: 0n,
          timestampNs: nowNs(),
          flags: 0,
          refSeq: 0n,
          code: 'SequenceOutOfRange',
          message: `replica at seq ${fromSeq}, writer at ${log.durableSeq}: rebuild from seq 0`,
        }),
      );
      return;
    }
    this.socket.on('drain', () => {
      this.waiting = false;
      this.stalledSince = 0;
      this.pump();
    });
    this.heartbeat = setInterval(() => this.beat(), opts.heartbeatMs ?? 1000);
    this.heartbeat.unref();
    // The first heartbeat tells the replica how far it must get to be caught up.
    this.beat();
    this.pump();
  }

  /** Bytes queued in the socket (bounded by the high-water mark plus one read). */
  get bufferedBytes(): number {
    return this.socket.writableLength;
  }

  /** Entries durable on the writer but not yet written to this replica. */
  get lagEntries(): bigint {
    const d = this.log.durableSeq - this.cursor + 1n;
    return d > 0n ? d : 0n;
  }

  private beat(): void {
    if (this.closed) return;
    if (this.waiting && this.stalledSince && performance.now() - this.stalledSince > this.stallMs) {
      this.socket.destroy();
      return;
    }
    if (this.waiting) return;
    const f = encodeMessage({
      type: 'healthResponse',
      seq: 0n,
      timestampNs: nowNs(),
      flags: 0,
      nonce: 0n,
      logSeq: this.log.durableSeq,
      instruments: this.opts.instruments(),
      role: 'writer',
    });
    this.socket.write(f);
  }

  private startSnapshot(): boolean {
    const s = listSnapshots(this.dir)[0];
    if (!s) return false;
    const fd = openSync(s.file, 'r');
    this.snap = { fd, size: fstatSync(fd).size, offset: 0, logSeq: s.logSeq };
    this.stats.snapshotsSent++;
    return true;
  }

  private write(bytes: Uint8Array): boolean {
    this.stats.bytesSent += bytes.length;
    return this.socket.write(bytes);
  }

  /** Send what can be sent now (called on every durable commit and on drain). */
  pump(): void {
    if (this.closed || this.waiting) return;
    while (this.socket.writableLength < this.highWater) {
      if (this.snap) {
        const s = this.snap;
        const n = Math.min(WIRE_CHUNK_MAX_DATA, s.size - s.offset);
        const data = Buffer.allocUnsafe(n);
        const got = n > 0 ? readSync(s.fd, data, 0, n, s.offset) : 0;
        this.write(
          encodeMessage({
            type: 'snapshotChunk',
            seq: 0n,
            timestampNs: nowNs(),
            flags: 0,
            logSeq: s.logSeq,
            total: s.size,
            offset: s.offset,
            data: data.subarray(0, got),
          }),
        );
        s.offset += got;
        if (s.offset >= s.size || got === 0) {
          closeSync(s.fd);
          this.snap = undefined;
          this.cursor = s.logSeq + 1n;
        }
        continue;
      }
      if (this.cursor === 0n || this.cursor < this.log.firstSeq) {
        if (this.startSnapshot()) continue;
        if (this.cursor === 0n && this.log.firstSeq === 1n) {
          this.cursor = 1n;
          continue;
        }
        this.socket.destroy(); // nothing to resync from
        return;
      }
      const r = this.log.readRange(this.cursor, READ_BYTES);
      if (r.frames === 0) return;
      this.write(r.bytes);
      this.cursor += BigInt(r.frames);
      this.stats.framesSent += r.frames;
    }
    this.waiting = true;
    this.stalledSince = performance.now();
  }

  /** Stop (the socket is closed by its owner). */
  close(): void {
    this.closed = true;
    clearInterval(this.heartbeat);
    if (this.snap) closeSync(this.snap.fd);
    this.snap = undefined;
  }
}
