/**
 * One segment file of the durable registration log (`log-file.ts`): its name, and the scan that
 * opens it: every frame checked (header, CRC, full decode, seq = previous + 1) up to the first
 * bad one, which ends the log (`layout/SPEC-wire.md` "Registration log files").
 *
 * @module
 */
import { kMaxLength } from 'node:buffer';
import { fstatSync, readSync } from 'node:fs';
import { WIRE_HEADER_SIZE } from '../../layout/wire.js';
import { RegistryError } from '../errors.js';
import { decodeMessage, readHeader } from '../wire/codec.js';
import type { WireMessage } from '../wire/types.js';
import { ServiceError } from './errors.js';

/** One open segment. @internal */
export interface Segment {
  file: string;
  fd: number;
  firstSeq: bigint;
  /** Byte offset of frame `firstSeq + i`. */
  offsets: number[];
  /** Bytes written (durable or not). */
  size: number;
}

/** File name of a segment: `log-<firstSeq, 20 digits>.irl`; group 1 is the first seq. @internal */
export const SEGMENT_RE = /^log-(\d{20})\.irl$/;

/** The file name of the segment whose first entry is `firstSeq`. @internal */
export const segName = (firstSeq: bigint): string => `log-${firstSeq.toString().padStart(20, '0')}.irl`;

/**
 * Largest segment file a scan reads (one `Buffer`: `buffer.constants.MAX_LENGTH`, 4 GiB on
 * Node 20). A larger file, which the log never writes, is refused, not truncated.
 */
const SEGMENT_READ_MAX = Math.min(kMaxLength, 2 ** 32);

/** Read a whole file through its fd. @throws {ServiceError} `LimitExceeded` over {@link SEGMENT_READ_MAX} */
function readAll(fd: number, file: string): Buffer {
  const size = fstatSync(fd).size;
  if (size > SEGMENT_READ_MAX) {
    throw new ServiceError(
      'LimitExceeded',
      `${file} is ${size} bytes, over the ${SEGMENT_READ_MAX} a segment may hold; not written by this log (nothing truncated)`,
    );
  }
  const buf = Buffer.allocUnsafe(size);
  let off = 0;
  while (off < size) {
    const n = readSync(fd, buf, off, size - off, off);
    if (n === 0) break;
    off += n;
  }
  return buf.subarray(0, off);
}

/** What a scan found. @internal */
export interface SegmentScan {
  /** The segment up to its last good frame (`size` = where a bad tail starts). */
  seg: Segment;
  /** The seq after the last good frame. */
  next: bigint;
  /** Why the scan stopped before the end of the file (the wire error code, or a torn or out-of-sequence frame). */
  reason?: string;
  /** Bytes in the file. */
  fileBytes: number;
}

/**
 * Scan segment `file` (open as `fd`) whose first entry is `firstSeq`, calling `onEntry` for
 * each good entry after `afterSeq`. Nothing is truncated here: the caller cuts a bad tail.
 * @throws {ServiceError} `LimitExceeded` for a file over 4 GiB
 * @internal
 */
export function scanSegment(
  file: string,
  fd: number,
  firstSeq: bigint,
  afterSeq: bigint,
  onEntry: ((msg: WireMessage, frame: Uint8Array) => void) | undefined,
): SegmentScan {
  const seg: Segment = { file, fd, firstSeq, offsets: [], size: 0 };
  const bytes = readAll(fd, file);
  let p = 0;
  let seq = firstSeq;
  let reason: string | undefined;
  while (p < bytes.length) {
    if (bytes.length - p < WIRE_HEADER_SIZE) {
      reason = 'BufferTooSmall (torn header)';
      break;
    }
    let msg: WireMessage;
    let end: number;
    try {
      end = p + WIRE_HEADER_SIZE + readHeader(bytes, p).length;
      if (end > bytes.length) {
        reason = 'BufferTooSmall (torn frame)';
        break;
      }
      msg = decodeMessage(bytes.subarray(p, end));
    } catch (e) {
      if (!(e instanceof RegistryError)) throw e;
      reason = e.code;
      break;
    }
    if (msg.seq !== seq) {
      reason = `SequenceGap (seq ${msg.seq}, expected ${seq})`;
      break;
    }
    seg.offsets.push(p);
    if (seq > afterSeq) onEntry?.(msg, bytes.subarray(p, end));
    seq++;
    p = end;
  }
  seg.size = p;
  return { seg, next: seq, reason, fileBytes: bytes.length };
}
