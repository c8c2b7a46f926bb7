/**
 * Encode and decode single wire frames (format: `layout/wire.ts`, tables:
 * `layout/SPEC-wire.md`). A frame is a 32-byte header plus a payload of `LENGTH` bytes; the
 * CRC32 (`crc-32` package, IEEE polynomial) covers every frame byte except the CRC field.
 *
 * Decoding is strict: every failure is a {@link RegistryError} — a {@link WireFormatError}
 * for frame-level problems (checked in this order: `BufferTooSmall`, `BadMagic`,
 * `UnsupportedVersion`, `UnknownType`, `LengthOutOfBounds`, `ChecksumMismatch`) or a
 * `ValidationError` for the payload (`InvalidField`, `FieldTooLong`, `InvalidEnum`,
 * `InvalidIdentifier`). A decoded registration has passed `validateInstrument`.
 *
 * @module
 */
import CRC32 from 'crc-32';
import {
  MESSAGE_TYPES,
  WIRE_CRC_OFFSET,
  WIRE_FLAGS_KNOWN,
  WIRE_FLAGS_OFFSET,
  WIRE_HEADER_SIZE,
  WIRE_HEALTH_NONCE_OFFSET,
  WIRE_HEALTH_SIZE,
  WIRE_LENGTH_OFFSET,
  WIRE_MAGIC,
  WIRE_MAGIC_OFFSET,
  WIRE_MAX_FRAME,
  WIRE_MAX_PAYLOAD,
  WIRE_REMOVAL_ID_OFFSET,
  WIRE_REMOVAL_SIZE,
  WIRE_SEQ_OFFSET,
  WIRE_SNAPSHOT_COUNT_OFFSET,
  WIRE_SNAPSHOT_LOG_SEQ_OFFSET,
  WIRE_SNAPSHOT_SIZE,
  WIRE_TIMESTAMP_OFFSET,
  WIRE_TYPE_OFFSET,
  WIRE_VERSION,
  WIRE_VERSION_OFFSET,
} from '../../layout/wire.js';
import type { CexPairFields, CommonFields, DexPoolFields } from '../model/types.js';
import { ByteReader, ByteWriter, checkU64 } from './bytes.js';
import { WireFormatError, invalidField } from './errors.js';
import { readErrorResponse, readInstrument, readUpdate, readVenue, writeErrorResponse, writeInstrument, writeUpdate, writeVenue } from './payload.js';
import {
  readAck,
  readHealthResponse,
  readQuery,
  readQueryResponse,
  readSnapshotChunk,
  readSubscribe,
  writeAck,
  writeHealthResponse,
  writeQuery,
  writeQueryResponse,
  writeSnapshotChunk,
  writeSubscribe,
} from './service-payload.js';
import type { MessageType, WireMessage } from './types.js';

/** A decoded, structurally checked header (the payload is not yet checked). */
export interface WireHeader {
  type: MessageType;
  flags: number;
  /** Payload length in bytes (≤ `WIRE_MAX_PAYLOAD`). */
  length: number;
  seq: bigint;
  /** ns since the Unix epoch. */
  timestampNs: bigint;
  /** CRC32 stored in the header (u32). */
  crc: number;
}

const REQUIRED_KIND: Partial<Record<MessageType, string>> = {
  poolRegistration: 'dexPool',
  cexPairRegistration: 'cexPair',
};

const TYPE_NAMES = new Map<number, MessageType>((Object.entries(MESSAGE_TYPES) as [MessageType, number][]).map(([name, code]) => [code, name]));

/** u64 stored as two little-endian u32 halves, low first (byte-identical to a little-endian u64). */
function getU64(view: DataView, at: number): bigint {
  return view.getBigUint64(at, true);
}

// One scratch buffer: encoding is synchronous and never re-enters.
const scratch = new ByteWriter(WIRE_MAX_FRAME);

/** CRC32 of `frame[0, WIRE_CRC_OFFSET)` followed by `frame[WIRE_HEADER_SIZE, end)`, as a u32. */
function frameCrc(frame: Uint8Array, end: number): number {
  const head = CRC32.buf(frame.subarray(0, WIRE_CRC_OFFSET));
  return CRC32.buf(frame.subarray(WIRE_HEADER_SIZE, end), head) >>> 0;
}

function checkFlags(flags: unknown): number {
  if (typeof flags !== 'number' || !Number.isInteger(flags) || flags < 0 || flags > 0xffff || (flags & ~WIRE_FLAGS_KNOWN) !== 0) {
    throw invalidField('flags', `unknown flag bits in ${String(flags)}`);
  }
  return flags;
}

function writePayload(w: ByteWriter, msg: WireMessage): void {
  switch (msg.type) {
    case 'instrumentRegistration':
    case 'poolRegistration':
    case 'cexPairRegistration': {
      const need = REQUIRED_KIND[msg.type];
      if (need !== undefined && msg.instrument?.kind !== need) throw invalidField('kind', `${msg.type} requires kind ${need}`);
      writeInstrument(w, msg.instrument);
      return;
    }
    case 'instrumentUpdate':
      writeUpdate(w, msg.id, msg.patch);
      return;
    case 'instrumentRemoval': {
      const at = w.reserve(WIRE_REMOVAL_SIZE, 'id');
      w.patchU64(at + WIRE_REMOVAL_ID_OFFSET, checkU64(msg.id, 'id'));
      return;
    }
    case 'venueRegistration':
      writeVenue(w, msg.venue);
      return;
    case 'snapshotMarker': {
      const logSeq = checkU64(msg.logSeq, 'logSeq');
      const count = msg.instrumentCount;
      if (!Number.isInteger(count) || count < 0 || count > 0xffffffff) throw invalidField('instrumentCount', 'must be a u32');
      const at = w.reserve(WIRE_SNAPSHOT_SIZE, 'snapshotMarker');
      w.patchU64(at + WIRE_SNAPSHOT_LOG_SEQ_OFFSET, logSeq);
      w.patchU32(at + WIRE_SNAPSHOT_COUNT_OFFSET, count);
      return;
    }
    case 'healthCheck': {
      const at = w.reserve(WIRE_HEALTH_SIZE, 'nonce');
      w.patchU64(at + WIRE_HEALTH_NONCE_OFFSET, checkU64(msg.nonce, 'nonce'));
      return;
    }
    case 'errorResponse':
      writeErrorResponse(w, msg.refSeq, msg.code, msg.message);
      return;
    case 'ack':
      writeAck(w, msg);
      return;
    case 'query':
      writeQuery(w, msg.query);
      return;
    case 'queryResponse':
      writeQueryResponse(w, msg);
      return;
    case 'healthResponse':
      writeHealthResponse(w, msg);
      return;
    case 'subscribe':
      writeSubscribe(w, msg.fromSeq);
      return;
    case 'snapshotChunk':
      writeSnapshotChunk(w, msg);
      return;
    default:
      throw new WireFormatError('UnknownType', `unknown message type ${JSON.stringify((msg as { type: unknown }).type)}`, WIRE_TYPE_OFFSET);
  }
}

/**
 * Encode one message as a frame (header + payload). Registrations are validated and
 * normalised with `validateInstrument` first (EVM addresses lower-cased, identifiers
 * upper-cased); patches and venues are validated too.
 *
 * @returns a new `Uint8Array` holding exactly one frame
 * @throws {WireFormatError} `UnknownType` for an unknown `type`; `LengthOutOfBounds` if the
 *   payload would exceed `WIRE_MAX_PAYLOAD`
 * @throws {ValidationError} `InvalidField` (seq/timestamp not u64, unknown flag bits, …),
 *   `FieldTooLong`, `InvalidEnum`, `InvalidIdentifier` from payload validation
 */
export function encodeMessage(msg: WireMessage): Uint8Array {
  if (typeof msg !== 'object' || msg === null) throw invalidField('message', 'must be an object');
  const code = Object.prototype.hasOwnProperty.call(MESSAGE_TYPES, msg.type) ? MESSAGE_TYPES[msg.type] : undefined;
  if (code === undefined) throw new WireFormatError('UnknownType', `unknown message type ${JSON.stringify(msg.type)}`, WIRE_TYPE_OFFSET);
  const flags = checkFlags(msg.flags);
  const seq = checkU64(msg.seq, 'seq');
  const timestampNs = checkU64(msg.timestampNs, 'timestampNs');
  const w = scratch;
  w.pos = WIRE_HEADER_SIZE;
  writePayload(w, msg);
  const end = w.pos;
  const length = end - WIRE_HEADER_SIZE;
  // Unreachable while the scratch buffer is WIRE_MAX_FRAME bytes; kept as the documented guarantee.
  if (length > WIRE_MAX_PAYLOAD) throw new WireFormatError('LengthOutOfBounds', `payload ${length} > ${WIRE_MAX_PAYLOAD}`, WIRE_LENGTH_OFFSET);
  w.patchU32(WIRE_MAGIC_OFFSET, WIRE_MAGIC);
  w.patchU8(WIRE_TYPE_OFFSET, code);
  w.patchU8(WIRE_VERSION_OFFSET, WIRE_VERSION);
  w.patchU16(WIRE_FLAGS_OFFSET, flags);
  w.patchU32(WIRE_LENGTH_OFFSET, length);
  w.patchU64(WIRE_SEQ_OFFSET, seq);
  w.patchU64(WIRE_TIMESTAMP_OFFSET, timestampNs);
  w.patchU32(WIRE_CRC_OFFSET, frameCrc(w.bytes, end));
  return w.bytes.slice(0, end);
}

/**
 * Decode and check the header at `bytes[offset…]` without looking at the payload or CRC.
 * Used by the framer to learn a frame's length before it has all of it.
 *
 * @throws {WireFormatError} `BufferTooSmall` (< 32 bytes available), `BadMagic`,
 *   `UnsupportedVersion`, `UnknownType`, `LengthOutOfBounds` (LENGTH > `WIRE_MAX_PAYLOAD`)
 */
export function readHeader(bytes: Uint8Array, offset = 0): WireHeader {
  if (!(bytes instanceof Uint8Array)) throw invalidField('bytes', 'must be a Uint8Array');
  if (!Number.isInteger(offset) || offset < 0) throw invalidField('offset', 'must be an integer ≥ 0');
  if (bytes.length - offset < WIRE_HEADER_SIZE) {
    throw new WireFormatError('BufferTooSmall', `${bytes.length - offset} bytes < header size ${WIRE_HEADER_SIZE}`, 0);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, WIRE_HEADER_SIZE);
  const magic = view.getUint32(WIRE_MAGIC_OFFSET, true);
  if (magic !== WIRE_MAGIC) throw new WireFormatError('BadMagic', `magic 0x${magic.toString(16)} ≠ 0x${WIRE_MAGIC.toString(16)}`, WIRE_MAGIC_OFFSET);
  const version = view.getUint8(WIRE_VERSION_OFFSET);
  if (version !== WIRE_VERSION) throw new WireFormatError('UnsupportedVersion', `version ${version} ≠ ${WIRE_VERSION}`, WIRE_VERSION_OFFSET);
  const typeCode = view.getUint8(WIRE_TYPE_OFFSET);
  const type = TYPE_NAMES.get(typeCode);
  if (type === undefined) throw new WireFormatError('UnknownType', `unknown message type code ${typeCode}`, WIRE_TYPE_OFFSET);
  const length = view.getUint32(WIRE_LENGTH_OFFSET, true);
  if (length > WIRE_MAX_PAYLOAD) throw new WireFormatError('LengthOutOfBounds', `payload length ${length} > ${WIRE_MAX_PAYLOAD}`, WIRE_LENGTH_OFFSET);
  const flags = view.getUint16(WIRE_FLAGS_OFFSET, true);
  const seq = getU64(view, WIRE_SEQ_OFFSET);
  const timestampNs = getU64(view, WIRE_TIMESTAMP_OFFSET);
  const crc = view.getUint32(WIRE_CRC_OFFSET, true);
  return { type, flags, length, seq, timestampNs, crc };
}

/** A fixed-size payload is consumed whole: checks its size, then advances the reader past it. */
function fixedPayload(r: ByteReader, size: number, type: MessageType): void {
  if (r.remaining !== size) throw new WireFormatError('LengthOutOfBounds', `${type} payload is ${r.remaining} bytes, expected ${size}`, WIRE_LENGTH_OFFSET);
  r.pos += size;
}

/**
 * Decode exactly one frame: `bytes` must hold one whole frame and nothing else.
 *
 * @returns the message; registrations are validated (`validateInstrument`) and normalised
 * @throws {WireFormatError} `BufferTooSmall` (shorter than the header or than header + LENGTH),
 *   `BadMagic`, `UnsupportedVersion`, `UnknownType`, `LengthOutOfBounds` (LENGTH > max, trailing
 *   bytes after the frame, a payload field running past LENGTH or bytes left over after the last
 *   field), `ChecksumMismatch`
 * @throws {ValidationError} `InvalidField` (unknown flag bits, reserved bytes, bad values, a
 *   registration type whose kind does not match), `FieldTooLong`, `InvalidEnum`, `InvalidIdentifier`
 */
export function decodeMessage(bytes: Uint8Array): WireMessage {
  if (!(bytes instanceof Uint8Array)) throw invalidField('bytes', 'must be a Uint8Array');
  const h = readHeader(bytes, 0);
  const end = WIRE_HEADER_SIZE + h.length;
  if (bytes.length < end) throw new WireFormatError('BufferTooSmall', `frame needs ${end} bytes, have ${bytes.length}`, WIRE_LENGTH_OFFSET);
  if (bytes.length > end) throw new WireFormatError('LengthOutOfBounds', `${bytes.length - end} bytes after the frame`, end);
  const crc = frameCrc(bytes, end);
  if (crc !== h.crc) throw new WireFormatError('ChecksumMismatch', `crc 0x${crc.toString(16)} ≠ header 0x${h.crc.toString(16)}`, WIRE_CRC_OFFSET);
  const flags = checkFlags(h.flags);
  const base = { seq: h.seq, timestampNs: h.timestampNs, flags };
  const r = new ByteReader(bytes, WIRE_HEADER_SIZE, end);
  const payload = new DataView(bytes.buffer, bytes.byteOffset + WIRE_HEADER_SIZE, h.length);
  let msg: WireMessage;
  switch (h.type) {
    case 'instrumentRegistration':
    case 'poolRegistration':
    case 'cexPairRegistration': {
      const instrument = readInstrument(r);
      const need = REQUIRED_KIND[h.type];
      if (need !== undefined && instrument.kind !== need) throw invalidField('kind', `${h.type} requires kind ${need}, got ${instrument.kind}`);
      msg =
        h.type === 'poolRegistration'
          ? { type: h.type, ...base, instrument: instrument as CommonFields & DexPoolFields }
          : h.type === 'cexPairRegistration'
            ? { type: h.type, ...base, instrument: instrument as CommonFields & CexPairFields }
            : { type: h.type, ...base, instrument };
      break;
    }
    case 'instrumentUpdate': {
      const { id, patch } = readUpdate(r);
      msg = { type: h.type, ...base, id, patch };
      break;
    }
    case 'instrumentRemoval':
      fixedPayload(r, WIRE_REMOVAL_SIZE, h.type);
      msg = { type: h.type, ...base, id: getU64(payload, WIRE_REMOVAL_ID_OFFSET) };
      break;
    case 'venueRegistration':
      msg = { type: h.type, ...base, venue: readVenue(r) };
      break;
    case 'snapshotMarker':
      fixedPayload(r, WIRE_SNAPSHOT_SIZE, h.type);
      msg = {
        type: h.type,
        ...base,
        logSeq: getU64(payload, WIRE_SNAPSHOT_LOG_SEQ_OFFSET),
        instrumentCount: payload.getUint32(WIRE_SNAPSHOT_COUNT_OFFSET, true),
      };
      break;
    case 'healthCheck':
      fixedPayload(r, WIRE_HEALTH_SIZE, h.type);
      msg = { type: h.type, ...base, nonce: getU64(payload, WIRE_HEALTH_NONCE_OFFSET) };
      break;
    case 'errorResponse':
      msg = { type: h.type, ...base, ...readErrorResponse(r) };
      break;
    case 'ack':
      msg = { type: h.type, ...base, ...readAck(r) };
      break;
    case 'query':
      msg = { type: h.type, ...base, query: readQuery(r) };
      break;
    case 'queryResponse':
      msg = { type: h.type, ...base, ...readQueryResponse(r) };
      break;
    case 'healthResponse':
      msg = { type: h.type, ...base, ...readHealthResponse(r) };
      break;
    case 'subscribe':
      msg = { type: h.type, ...base, fromSeq: readSubscribe(r) };
      break;
    case 'snapshotChunk':
      msg = { type: h.type, ...base, ...readSnapshotChunk(r) };
      break;
  }
  if (r.remaining !== 0) throw new WireFormatError('LengthOutOfBounds', `${r.remaining} bytes left after the last field`, r.pos);
  return msg;
}
