/**
 * Splits a byte stream (TCP, pipe, file) into wire frames and decodes them.
 *
 * Chunks may have any size, including one byte or many frames at once. Memory is bounded:
 * the framer owns one fixed buffer of `bufferBytes` (default 64 KiB, at least
 * `WIRE_MAX_FRAME + 1`) and never allocates more, however large a chunk is; after each step
 * it holds less than one maximal frame (`WIRE_MAX_FRAME` bytes) of undecided input.
 *
 * ## Resync policy
 * - Header invalid (`BadMagic`, `UnsupportedVersion`, `UnknownType`, `LengthOutOfBounds`) or
 *   CRC mismatch (`ChecksumMismatch`): the frame's boundaries cannot be trusted, so the framer
 *   reports the error, drops **one** byte and scans forward for the next `WIRE_MAGIC`. A valid
 *   frame that followed a corrupt one is therefore still found, even when the corruption hit
 *   the corrupt frame's LENGTH field.
 * - CRC correct but payload invalid (`InvalidEnum`, `InvalidField`, `FieldTooLong`, …, e.g. a
 *   sender with a bug): the boundaries are trustworthy; the framer reports the error and skips
 *   the whole frame.
 * - One error per corrupt region: bytes skipped while resyncing (after any of the errors above)
 *   are not reported again; `BadMagic` is reported only for garbage met while in sync.
 * - Which messages and errors (codes and stream offsets) come out does not depend on how the
 *   stream is cut into chunks.
 * - {@link MessageFramer.end} reports a trailing partial frame as `BufferTooSmall`, then
 *   rescans its bytes (after the first) for frames hidden behind a corrupted LENGTH.
 *
 * Like any magic-scanning resync, a frame embedded verbatim inside another frame's payload
 * (e.g. inside a name string) can be picked up while resyncing after a corruption.
 *
 * @module
 */
import { WIRE_HEADER_SIZE, WIRE_MAGIC, WIRE_MAX_FRAME } from '../../layout/wire.js';
import { argFunction, argOptions } from '../args.js';
import { RegistryError } from '../errors.js';
import { decodeMessage, readHeader } from './codec.js';
import { WireFormatError, invalidField } from './errors.js';
import type { WireMessage } from './types.js';

const MAGIC_BYTES = new Uint8Array(new Uint32Array([WIRE_MAGIC]).buffer);
const LE = MAGIC_BYTES[0] === (WIRE_MAGIC & 0xff);
if (!LE) {
  // The magic is defined little-endian; derive its byte order explicitly on big-endian hosts.
  MAGIC_BYTES.set([WIRE_MAGIC & 0xff, (WIRE_MAGIC >>> 8) & 0xff, (WIRE_MAGIC >>> 16) & 0xff, WIRE_MAGIC >>> 24]);
}
const MAGIC_LEN = MAGIC_BYTES.length;

/** Default size of the framer's fixed buffer. */
export const FRAMER_DEFAULT_BUFFER_BYTES = 64 * 1024;

/** Called for every corrupt frame or run of garbage. */
export type FrameErrorHandler = (error: RegistryError, streamOffset: number) => void;

/** Options of {@link MessageFramer}. */
export interface MessageFramerOptions {
  /** Receives each error and the stream byte offset where the bad frame (or garbage) began. */
  onError?: FrameErrorHandler;
  /** Size of the fixed internal buffer in bytes (≥ `WIRE_MAX_FRAME + 1`). Default 64 KiB. */
  bufferBytes?: number;
}

/** Counters of a {@link MessageFramer}. */
export interface FramerStats {
  /** Bytes pushed. */
  bytesIn: number;
  /** Messages decoded. */
  messages: number;
  /** Errors reported. */
  errors: number;
  /** Bytes dropped while resyncing or skipping invalid frames. */
  bytesSkipped: number;
}

/**
 * Incremental frame decoder with a bounded buffer and a documented resync policy (see the
 * module doc). Not thread-safe; one framer per stream.
 *
 * @example
 * const framer = new MessageFramer({ onError: (e, at) => log.warn(e.code, at) });
 * socket.on('data', (chunk) => { for (const m of framer.push(chunk)) handle(m); });
 * socket.on('end', () => { for (const m of framer.end()) handle(m); });
 */
export class MessageFramer {
  private readonly buf: Uint8Array;
  private start = 0;
  private end_ = 0;
  /** Stream offset of `buf[0]`. */
  private base = 0;
  /** True while skipping garbage after a `BadMagic` (suppresses repeated reports). */
  private scanning = false;
  private readonly onError: FrameErrorHandler | undefined;
  /** Counters. */
  readonly stats: FramerStats = { bytesIn: 0, messages: 0, errors: 0, bytesSkipped: 0 };
  /** The most recent error (also passed to `onError`). */
  lastError: RegistryError | undefined;

  /**
   * @throws {ValidationError} `InvalidField` if `bufferBytes` is too small to hold one maximal frame.
   * @throws {RegistryError} `InvalidArgument` if `opts` is not an object or `onError` not a function.
   */
  constructor(opts: MessageFramerOptions = {}) {
    argOptions(opts);
    argFunction(opts.onError, 'onError', true);
    const size = opts.bufferBytes ?? FRAMER_DEFAULT_BUFFER_BYTES;
    if (!Number.isInteger(size) || size <= WIRE_MAX_FRAME) throw invalidField('bufferBytes', `must be an integer > ${WIRE_MAX_FRAME}`);
    this.buf = new Uint8Array(size);
    this.onError = opts.onError;
  }

  /** Bytes currently buffered (always < `WIRE_MAX_FRAME` between calls). */
  get buffered(): number {
    return this.end_ - this.start;
  }

  /**
   * Feed a chunk of any length; returns the messages completed by it, in stream order.
   * Errors go to `onError` (never thrown), so one bad frame never loses the good ones.
   * @throws {RegistryError} `InvalidArgument` if `chunk` is not a Uint8Array (nothing is consumed).
   */
  push(chunk: Uint8Array): WireMessage[] {
    if (!(chunk instanceof Uint8Array)) throw new RegistryError('InvalidArgument', 'chunk must be a Uint8Array');
    const out: WireMessage[] = [];
    this.stats.bytesIn += chunk.length;
    let off = 0;
    while (off < chunk.length) {
      this.compact();
      const n = Math.min(chunk.length - off, this.buf.length - this.end_);
      this.buf.set(chunk.subarray(off, off + n), this.end_);
      this.end_ += n;
      off += n;
      this.drain(out, false);
    }
    return out;
  }

  /**
   * Signal end of stream: decodes what can still be decoded from the buffered bytes, reports
   * a trailing partial frame as `BufferTooSmall`, and empties the buffer. The framer can be
   * reused afterwards as if new (counters are kept).
   */
  end(): WireMessage[] {
    const out: WireMessage[] = [];
    this.drain(out, true);
    this.scanning = false;
    return out;
  }

  /** Forget buffered bytes (e.g. after reconnecting). Counters are kept. */
  reset(): void {
    this.base += this.end_;
    this.start = this.end_ = 0;
    this.scanning = false;
  }

  private compact(): void {
    if (this.start === 0) return;
    this.buf.copyWithin(0, this.start, this.end_);
    this.base += this.start;
    this.end_ -= this.start;
    this.start = 0;
  }

  private report(error: unknown, at: number): void {
    // Everything codec.ts throws is a RegistryError; anything else is a bug and propagates.
    if (!(error instanceof RegistryError)) throw error;
    this.stats.errors++;
    this.lastError = error;
    this.onError?.(error, this.base + at);
  }

  /** Drop `buf[from, to)` while resyncing; garbage met until the next good frame belongs to the same error. */
  private skip(from: number, to: number): void {
    this.stats.bytesSkipped += to - from;
    this.scanning = true;
  }

  /** True if `buf[p, min(p+4, end))` matches the magic (a prefix of it when fewer than 4 bytes remain). */
  private magicAt(p: number, end: number): boolean {
    const n = Math.min(MAGIC_LEN, end - p);
    for (let i = 0; i < n; i++) if (this.buf[p + i] !== MAGIC_BYTES[i]) return false;
    return true;
  }

  /** First position ≥ from where a (possibly partial, unless final) magic starts; `end` if none. */
  private scan(from: number, end: number, final: boolean): number {
    const b = this.buf;
    const m0 = MAGIC_BYTES[0];
    for (let p = from; p < end; p++) {
      if (b[p] !== m0) continue;
      if (end - p < MAGIC_LEN) {
        if (!final && this.magicAt(p, end)) return p;
        continue;
      }
      if (this.magicAt(p, end)) return p;
    }
    return end;
  }

  private drain(out: WireMessage[], final: boolean): void {
    let p = this.start;
    const end = this.end_;
    while (p < end) {
      const avail = end - p;
      if (!this.magicAt(p, end)) {
        if (!this.scanning) {
          this.report(new WireFormatError('BadMagic', 'no magic at frame start', 0), p);
          this.scanning = true;
        }
        const q = this.scan(p + 1, end, final);
        this.skip(p, q);
        p = q;
        continue;
      }
      if (avail < WIRE_HEADER_SIZE) {
        if (!final) break;
        this.report(new WireFormatError('BufferTooSmall', `stream ends ${avail} bytes into a header`, 0), p);
        const q = this.scan(p + 1, end, true);
        this.skip(p, q);
        p = q;
        continue;
      }
      let length: number;
      try {
        length = readHeader(this.buf.subarray(p, end)).length;
      } catch (e) {
        this.report(e, p);
        const q = this.scan(p + 1, end, final);
        this.skip(p, q);
        p = q;
        continue;
      }
      const frameEnd = p + WIRE_HEADER_SIZE + length;
      if (frameEnd > end) {
        if (!final) break;
        this.report(new WireFormatError('BufferTooSmall', `stream ends ${avail} bytes into a ${WIRE_HEADER_SIZE + length}-byte frame`, 0), p);
        const q = this.scan(p + 1, end, true);
        this.skip(p, q);
        p = q;
        continue;
      }
      try {
        out.push(decodeMessage(this.buf.subarray(p, frameEnd)));
        this.stats.messages++;
        this.scanning = false;
        p = frameEnd;
      } catch (e) {
        this.report(e, p);
        if (e instanceof RegistryError && e.code === 'ChecksumMismatch') {
          const q = this.scan(p + 1, end, final);
          this.skip(p, q);
          p = q;
        } else {
          this.stats.bytesSkipped += frameEnd - p;
          p = frameEnd;
        }
      }
    }
    if (p === end) {
      // Everything consumed: rewind for free instead of compacting later.
      this.base += end;
      this.start = this.end_ = 0;
    } else {
      this.start = p;
    }
  }
}
