/**
 * An independent reference for the wire header: builds and patches frames with literal byte
 * offsets from `layout/SPEC-wire.md` and Node's own CRC32 (`zlib.crc32`), not with the codec's
 * layout constants or the `crc-32` package.
 */
import { crc32 } from 'node:zlib';

/** Header fields; defaults produce a valid v1 header. */
export interface FrameSpec {
  type: number;
  payload: Uint8Array | number[];
  seq?: bigint;
  timestampNs?: bigint;
  flags?: number;
  version?: number;
  magic?: number;
  /** Override the stored payload length. */
  length?: number;
}

/** CRC the spec defines: header bytes 0..27 then the payload (bytes 32..). */
export function referenceCrc(frame: Uint8Array): number {
  return crc32(frame.subarray(32), crc32(frame.subarray(0, 28))) >>> 0;
}

/** Recompute and store the CRC of an edited frame (bytes 28..31), in place; returns it. */
export function recrc(frame: Uint8Array): Uint8Array {
  new DataView(frame.buffer, frame.byteOffset).setUint32(28, referenceCrc(frame), true);
  return frame;
}

/** Build a frame from literal offsets: magic@0 type@4 version@5 flags@6 length@8 seq@12 ts@20 crc@28. */
export function buildFrame(s: FrameSpec): Uint8Array {
  const payload = Uint8Array.from(s.payload);
  const f = new Uint8Array(32 + payload.length);
  const v = new DataView(f.buffer);
  v.setUint32(0, s.magic ?? 0x50575249, true);
  v.setUint8(4, s.type);
  v.setUint8(5, s.version ?? 1);
  v.setUint16(6, s.flags ?? 0, true);
  v.setUint32(8, s.length ?? payload.length, true);
  v.setBigUint64(12, s.seq ?? 1n, true);
  v.setBigUint64(20, s.timestampNs ?? 0n, true);
  f.set(payload, 32);
  return recrc(f);
}

/** Little-endian bytes of a u64. */
export function u64le(v: bigint): number[] {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, v, true);
  return [...b];
}

/** str8: length byte + UTF-8. */
export function str8(s: string): number[] {
  const b = new TextEncoder().encode(s);
  return [b.length, ...b];
}

/** Hex of bytes, for readable golden comparisons. */
export function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}
