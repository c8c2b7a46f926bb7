/**
 * The durable registration log: an append-only sequence of wire frames (log entries, seq 1, 2,
 * 3, …) in segment files `log-<firstSeq>.irl` of a service directory.
 *
 * - **Append, then commit.** {@link DurableLog.append} writes the frame to the segment (page
 *   cache); a commit makes it durable with `fdatasync`. Policy `'always'`: one frame per commit
 *   (fsync per message). Policy `{ groupMs }`: every frame appended within `groupMs` of the first
 *   pending one (0: within the same event-loop turn) goes into one commit (group commit); frames
 *   appended while a commit's fdatasync runs go into the next one. `onDurable(seq)` fires after each commit; only
 *   then may a change be acknowledged or replicated.
 * - **Open = scan + truncate.** Every segment is scanned frame by frame (header, CRC, full decode,
 *   seq = previous + 1). The first bad frame ends the log: the file is truncated there, and a
 *   {@link LogTruncatedError} warning is reported. Later segments are deleted with it.
 * - **Segments.** A segment holds at most `segmentMaxBytes` (default {@link LOG_SEGMENT_MAX_BYTES},
 *   1 GiB; a single frame larger than that still gets a segment of its own): the frame that would
 *   cross it starts a new segment, after the frames before it are made durable in the old one.
 *   So no segment outgrows what one read can hold, however rarely snapshots run.
 * - **Trim.** After a snapshot, {@link DurableLog.roll} starts a new segment and
 *   {@link DurableLog.trimBefore} deletes segments wholly covered by the oldest kept snapshot.
 * - **Replay for replicas.** {@link DurableLog.readRange} returns the stored bytes of consecutive
 *   durable frames (one `pread`), so replicas receive exactly the bytes on disk.
 *
 * @module
 */
import { closeSync, fdatasync, fdatasyncSync, ftruncateSync, openSync, readdirSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { WIRE_HEADER_SIZE } from '../../layout/wire.js';
import { argCount, argFunction, argInt, argOptions, argPath, argU64, ioError } from '../args.js';
import { RegistryError } from '../errors.js';
import { fsyncDir } from '../snapshot/io.js';
import { readHeader } from '../wire/codec.js';
import type { WireMessage } from '../wire/types.js';
import { LogTruncatedError, ServiceError } from './errors.js';
import { SEGMENT_RE, scanSegment, segName, type Segment } from './log-segment.js';

/** Fsync policy: `'always'` (one fdatasync per message) or group commit every `groupMs` ms. */
export type FsyncPolicy = 'always' | { groupMs: number };

/**
 * Default fsync policy: group commit with a 0 ms window, i.e. commit at the end of the current
 * event-loop turn, and while an fdatasync is in flight collect everything that arrives for the
 * next one. On this machine's disk (fdatasync ~1-4 ms) a longer window only adds latency; see
 * `bench/results/service.txt`.
 */
export const DEFAULT_FSYNC_POLICY: FsyncPolicy = { groupMs: 0 };

/** Default size bound of one log segment file: 1 GiB. */
export const LOG_SEGMENT_MAX_BYTES = 2 ** 30;

/** The range `segmentMaxBytes` may be set to: 4 KiB .. 2 GiB. */
export const LOG_SEGMENT_BYTES_RANGE = { min: 4096, max: 2 ** 31 } as const;

/** Options of {@link DurableLog.open}. */
export interface DurableLogOptions {
  fsync?: FsyncPolicy;
  /**
   * Bytes after which the log starts a new segment file: 4 KiB .. 2 GiB, default
   * {@link LOG_SEGMENT_MAX_BYTES} (1 GiB).
   */
  segmentMaxBytes?: number;
  /** Called for every entry found on open, in order (seq > `afterSeq` only). */
  onEntry?: (msg: WireMessage, frame: Uint8Array) => void;
  /** Entries with seq ≤ this are skipped by `onEntry` (they are in the snapshot). Default 0. */
  afterSeq?: bigint;
  /** Called after each commit with the last durable seq and the commit's fsync time (ms). */
  onDurable?: (seq: bigint, fsyncMs: number, frames: number, bytes: number) => void;
}

/** The durable registration log of one service directory. One writer process only. */
export class DurableLog {
  private readonly segments: Segment[] = [];
  private readonly policy: FsyncPolicy;
  private readonly segmentMaxBytes: number;
  private onDurable: DurableLogOptions['onDurable'];
  private last: bigint;
  private durable: bigint;
  /** Frames appended but not yet written / committed. */
  private pendingChunks: Uint8Array[] = [];
  private pendingFrames = 0;
  private pendingBytes = 0;
  private committing = false;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private flushWaiters: Array<{ seq: bigint; resolve: () => void; reject: (e: Error) => void }> = [];
  private failed: Error | undefined;
  private closed = false;
  /** Warnings from open (torn / corrupt tails). */
  readonly warnings: LogTruncatedError[] = [];
  /** Totals. */
  readonly stats = { commits: 0, bytes: 0, frames: 0 };

  private constructor(
    readonly dir: string,
    opts: DurableLogOptions,
  ) {
    this.policy = opts.fsync ?? DEFAULT_FSYNC_POLICY;
    if (this.policy !== 'always' && !(Number.isFinite(this.policy.groupMs) && this.policy.groupMs >= 0)) {
      throw new ServiceError('InvalidField', 'fsync.groupMs must be a non-negative number');
    }
    this.segmentMaxBytes = opts.segmentMaxBytes ?? LOG_SEGMENT_MAX_BYTES;
    this.onDurable = opts.onDurable;
    this.last = 0n;
    this.durable = 0n;
  }

  /**
   * Open (or create) the log in `dir`: scan every segment, truncate a torn or corrupt tail
   * (warning in {@link warnings}), call `onEntry` for the entries after `afterSeq`.
   *
   * @param expectFirstSeq the seq the log must reach back to (snapshot seq + 1); when the oldest
   *   segment starts later, entries are missing
   * @throws {ServiceError} `SequenceGap` if the log does not reach back to `expectFirstSeq`;
   *   `InvalidField` for a bad fsync policy; `LimitExceeded` for a segment file over 4 GiB (left as it is)
   * @throws {IoError} `IoError` for file-system errors (`errno` `ENOENT` for a missing `dir`, …)
   * @throws {RegistryError} `InvalidArgument` for a `dir` that is not a non-empty string, options
   *   that are not an object, callbacks that are not functions, or an `afterSeq` / `expectFirstSeq`
   *   that is not a u64 (`expectFirstSeq` ≥ 1), a `segmentMaxBytes` outside 4 KiB .. 2 GiB
   */
  static open(dir: string, opts: DurableLogOptions = {}, expectFirstSeq = 1n): DurableLog {
    argPath(dir, 'dir');
    argOptions(opts);
    argFunction(opts.onEntry, 'onEntry', true);
    argFunction(opts.onDurable, 'onDurable', true);
    if (opts.afterSeq !== undefined) argU64(opts.afterSeq, 'afterSeq');
    if (opts.segmentMaxBytes !== undefined) argInt(opts.segmentMaxBytes, 'segmentMaxBytes', LOG_SEGMENT_BYTES_RANGE.min, LOG_SEGMENT_BYTES_RANGE.max);
    if (argU64(expectFirstSeq, 'expectFirstSeq') < 1n || expectFirstSeq === 0xffffffffffffffffn) {
      throw new RegistryError('InvalidArgument', 'expectFirstSeq must be in 1..2^64-2');
    }
    if (opts.fsync !== undefined && opts.fsync !== 'always' && (typeof opts.fsync !== 'object' || opts.fsync === null)) {
      throw new ServiceError('InvalidField', "fsync must be 'always' or { groupMs }");
    }
    try {
      return DurableLog.openChecked(dir, opts, expectFirstSeq);
    } catch (e) {
      throw ioError(e, `open log ${dir}`);
    }
  }

  private static openChecked(dir: string, opts: DurableLogOptions, expectFirstSeq: bigint): DurableLog {
    const log = new DurableLog(dir, opts);
    const names = readdirSync(dir)
      .filter((n) => SEGMENT_RE.test(n))
      .sort();
    const afterSeq = opts.afterSeq ?? 0n;
    let expected: bigint | undefined;
    let broken = false;
    for (const name of names) {
      const file = join(dir, name);
      const firstSeq = BigInt(SEGMENT_RE.exec(name)![1]!);
      if (broken || (expected !== undefined && firstSeq !== expected)) {
        // Everything after a truncated tail (or a missing segment) is unreachable.
        if (!broken) log.warnings.push(new LogTruncatedError(file, 0, 0, `segment starts at seq ${firstSeq}, expected ${expected}`));
        unlinkSync(file);
        broken = true;
        continue;
      }
      const fd = openSync(file, 'r+');
      const { seg, next, reason, fileBytes } = scanSegment(file, fd, firstSeq, afterSeq, opts.onEntry);
      if (reason !== undefined) {
        ftruncateSync(fd, seg.size);
        fdatasyncSync(fd);
        log.warnings.push(new LogTruncatedError(file, seg.size, fileBytes - seg.size, reason));
        broken = true;
      }
      log.segments.push(seg);
      expected = next;
    }
    const first = log.segments[0]?.firstSeq;
    if (first !== undefined && first > expectFirstSeq) {
      log.closeFds();
      throw new ServiceError('SequenceGap', `log starts at seq ${first} but entries from ${expectFirstSeq} are needed (snapshot missing or deleted?)`);
    }
    const lastSeq = expected !== undefined ? expected - 1n : 0n;
    if (lastSeq < expectFirstSeq - 1n) {
      // Every stored entry is already in the snapshot: start afresh after it.
      for (const s of log.segments) {
        closeSync(s.fd);
        unlinkSync(s.file);
      }
      log.segments.length = 0;
      log.last = log.durable = expectFirstSeq - 1n;
      log.startSegment(expectFirstSeq);
      return log;
    }
    log.last = log.durable = lastSeq;
    if (log.segments.length === 0) log.startSegment(lastSeq + 1n);
    return log;
  }

  /**
   * Replace the commit callback (see `DurableLogOptions.onDurable`; `undefined` removes it).
   * @throws {RegistryError} `InvalidArgument` if `fn` is neither a function nor `undefined`
   */
  setOnDurable(fn: DurableLogOptions['onDurable']): void {
    this.onDurable = argFunction(fn, 'onDurable', true);
  }

  /** Seq of the last appended frame. */
  get lastSeq(): bigint {
    return this.last;
  }

  /** Seq of the last durable (committed) frame. */
  get durableSeq(): bigint {
    return this.durable;
  }

  /** Oldest seq still stored. */
  get firstSeq(): bigint {
    return this.segments[0]!.firstSeq;
  }

  /** Bytes in all segments. */
  get sizeBytes(): number {
    let n = 0;
    for (const s of this.segments) n += s.size;
    return n;
  }

  private startSegment(firstSeq: bigint): void {
    const file = join(this.dir, segName(firstSeq));
    const fd = openSync(file, 'w+');
    fsyncDir(this.dir);
    this.segments.push({ file, fd, firstSeq, offsets: [], size: 0 });
  }

  private get tail(): Segment {
    return this.segments[this.segments.length - 1]!;
  }

  /**
   * Append one frame whose header seq is `lastSeq + 1` (the caller encodes it). It becomes
   * durable at the next commit (see the policy).
   * @throws {ServiceError} `InvalidField` on a seq out of order or a frame whose header does not
   *   carry `seq` and its own length; `ConnectionClosed` once closed; the log's {@link IoError} if a commit failed
   * @throws {WireFormatError} if `frame` does not start with a wire header (nothing is appended)
   * @throws {RegistryError} `InvalidArgument` if `frame` is not a Uint8Array or `seq` not a u64
   */
  append(frame: Uint8Array, seq: bigint): void {
    if (this.failed) throw this.failed;
    if (this.closed) throw new ServiceError('ConnectionClosed', 'log is closed');
    if (!(frame instanceof Uint8Array)) throw new RegistryError('InvalidArgument', 'frame must be a Uint8Array');
    argU64(seq, 'seq');
    if (seq !== this.last + 1n) throw new ServiceError('InvalidField', `append seq ${seq}, expected ${this.last + 1n}`);
    const h = readHeader(frame);
    if (h.seq !== seq || WIRE_HEADER_SIZE + h.length !== frame.length) {
      throw new ServiceError(
        'InvalidField',
        `frame header says seq ${h.seq}, ${WIRE_HEADER_SIZE + h.length} bytes; appending seq ${seq}, ${frame.length} bytes`,
      );
    }
    this.reserve(frame.length);
    const seg = this.tail;
    // Buffered until the commit: one write per commit instead of one per frame.
    this.pendingChunks.push(frame);
    seg.offsets.push(seg.size);
    seg.size += frame.length;
    this.last = seq;
    this.pendingFrames++;
    this.pendingBytes += frame.length;
    this.schedule();
  }

  private schedule(): void {
    if (this.committing || this.timer || this.immediate) return;
    if (this.policy === 'always') {
      this.commit();
    } else if (this.policy.groupMs === 0) {
      // Commit at the end of this event-loop turn: every frame appended by the requests of the
      // same socket read (and, while an fsync is in flight, everything that arrives) goes together.
      this.immediate = setImmediate(() => {
        this.immediate = undefined;
        this.commit();
      });
    } else {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.commit();
      }, this.policy.groupMs);
    }
  }

  private commit(): void {
    if (this.committing || this.durable === this.last) return;
    this.committing = true;
    const target = this.last;
    const frames = this.pendingFrames;
    const bytes = this.pendingBytes;
    this.pendingFrames = this.pendingBytes = 0;
    const fd = this.tail.fd;
    this.writePending();
    const t0 = performance.now();
    fdatasync(fd, (err) => {
      this.committing = false;
      if (err) {
        this.failed = ioError(err, `fsync log segment ${this.tail?.file ?? this.dir}`) as Error;
        for (const w of this.flushWaiters.splice(0)) w.reject(this.failed);
        return;
      }
      const ms = performance.now() - t0;
      this.durable = target;
      this.stats.commits++;
      this.stats.frames += frames;
      this.stats.bytes += bytes;
      this.onDurable?.(target, ms, frames, bytes);
      this.flushWaiters = this.flushWaiters.filter((w) => {
        if (w.seq > target) return true;
        w.resolve();
        return false;
      });
      if (this.last > this.durable) {
        if (this.policy === 'always') this.commit();
        else this.schedule();
      }
    });
  }

  private clearTimers(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = this.immediate = undefined;
  }

  /** Write the buffered frames to the tail segment (page cache). */
  private writePending(): void {
    if (this.pendingChunks.length === 0) return;
    const seg = this.tail;
    const buf = this.pendingChunks.length === 1 ? this.pendingChunks[0]! : Buffer.concat(this.pendingChunks);
    this.pendingChunks = [];
    const at = seg.size - buf.length;
    let off = 0;
    while (off < buf.length) off += writeSync(seg.fd, buf, off, buf.length - off, at + off);
  }

  /**
   * Make sure a frame of `bytes` bytes can be appended next, before the caller changes anything
   * the frame records: throws the failure of an earlier commit or roll, or `ConnectionClosed`;
   * starts the next segment now if the frame would take the tail past `segmentMaxBytes`. After
   * it returns, {@link append} of such a frame cannot fail on I/O. The writer calls it before it
   * applies a change, so no change is applied whose frame cannot be logged.
   * @throws {IoError} the log failed (an fsync or a segment roll; the log stays failed)
   * @throws {ServiceError} `ConnectionClosed` once closed
   * @throws {RegistryError} `InvalidArgument` if `bytes` is not a count
   */
  reserve(bytes: number): void {
    if (this.failed) throw this.failed;
    if (this.closed) throw new ServiceError('ConnectionClosed', 'log is closed');
    argCount(bytes, 'bytes');
    if (this.tail.offsets.length > 0 && this.tail.size + bytes > this.segmentMaxBytes) this.rollFull();
  }

  /**
   * The tail segment is full: write its pending frames and make them durable there (one
   * synchronous fdatasync, once per segment), then start the next segment at `lastSeq + 1`. The
   * next commit syncs the new segment; a commit in flight on the old fd only repeats the sync.
   */
  private rollFull(): void {
    const old = this.tail;
    this.writePending();
    try {
      fdatasyncSync(old.fd);
      this.startSegment(this.last + 1n);
    } catch (e) {
      this.failed = ioError(e, `roll log segment ${old.file}`) as Error;
      throw this.failed;
    }
  }

  /** Resolves once everything appended so far is durable (commits now instead of waiting for the timer). */
  flush(): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    if (this.durable === this.last) return Promise.resolve();
    const seq = this.last;
    const p = new Promise<void>((resolve, reject) => this.flushWaiters.push({ seq, resolve, reject }));
    this.clearTimers();
    this.commit();
    return p;
  }

  /**
   * Start a new segment at `lastSeq + 1` (call after a snapshot, with everything durable).
   * @throws {ServiceError} `InvalidField` with frames not yet durable; `ConnectionClosed` once closed
   */
  roll(): void {
    this.checkOpen();
    if (this.durable !== this.last) throw new ServiceError('InvalidField', 'roll with frames not yet durable');
    if (this.tail.offsets.length === 0) return;
    this.startSegment(this.last + 1n);
  }

  /**
   * Delete segments whose every entry is ≤ `seq` (contained in a kept snapshot).
   * @throws {ServiceError} `ConnectionClosed` once closed
   * @throws {RegistryError} `InvalidArgument` if `seq` is not a u64
   */
  trimBefore(seq: bigint): number {
    this.checkOpen();
    argU64(seq, 'seq');
    let removed = 0;
    while (this.segments.length > 1) {
      const s = this.segments[0]!;
      const lastOfSeg = s.firstSeq + BigInt(s.offsets.length) - 1n;
      if (lastOfSeg > seq) break;
      closeSync(s.fd);
      unlinkSync(s.file);
      this.segments.shift();
      removed++;
    }
    if (removed) fsyncDir(this.dir);
    return removed;
  }

  /**
   * Stored bytes of durable frames `fromSeq, fromSeq + 1, …` within one segment, at most
   * `maxBytes` (but always at least one whole frame). Empty when `fromSeq` is past the durable end.
   * @throws {ServiceError} `SequenceGap` if `fromSeq` is older than the oldest stored entry; `ConnectionClosed` once closed
   * @throws {RegistryError} `InvalidArgument` if `fromSeq` is not a u64 or `maxBytes` not a number ≥ 0
   */
  readRange(fromSeq: bigint, maxBytes: number): { bytes: Buffer; frames: number } {
    this.checkOpen();
    argU64(fromSeq, 'fromSeq');
    argCount(maxBytes, 'maxBytes');
    if (fromSeq > this.durable) return { bytes: Buffer.alloc(0), frames: 0 };
    if (fromSeq < this.firstSeq) throw new ServiceError('SequenceGap', `seq ${fromSeq} was trimmed (oldest stored ${this.firstSeq})`);
    let seg = this.segments[0]!;
    for (const s of this.segments) if (s.firstSeq <= fromSeq) seg = s;
    const i = Number(fromSeq - seg.firstSeq);
    const lastDurable = Math.min(seg.offsets.length - 1, Number(this.durable - seg.firstSeq));
    const start = seg.offsets[i]!;
    let j = i;
    const endOf = (k: number) => (k + 1 < seg.offsets.length ? seg.offsets[k + 1]! : seg.size);
    while (j < lastDurable && endOf(j + 1) - start <= maxBytes) j++;
    const end = endOf(j);
    const buf = Buffer.allocUnsafe(end - start);
    let off = 0;
    while (off < buf.length) {
      const n = readSync(seg.fd, buf, off, buf.length - off, start + off);
      if (n === 0) throw new ServiceError('LengthOutOfBounds', `${seg.file} shorter than its index`);
      off += n;
    }
    return { bytes: buf, frames: j - i + 1 };
  }

  private checkOpen(): void {
    if (this.closed) throw new ServiceError('ConnectionClosed', 'log is closed');
  }

  private closeFds(): void {
    for (const s of this.segments) closeSync(s.fd);
    this.segments.length = 0;
  }

  /** Commit what is pending, then close the files. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (!this.failed) await this.flush();
    this.closed = true;
    this.clearTimers();
    this.closeFds();
  }
}
