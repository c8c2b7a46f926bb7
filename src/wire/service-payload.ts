/**
 * Payload encoders and decoders of the service messages (`ack`, `query`, `queryResponse`,
 * `healthResponse`, `subscribe`, `snapshotChunk`): the request/response and replication
 * traffic between the writer service, its clients and its replicas. Layout: `layout/wire.ts`,
 * tables: `layout/SPEC-wire.md`. These messages are never log entries.
 *
 * @module
 */
import {
  ACK_OUTCOMES,
  QUERY_KINDS,
  QUERY_RESPONSE_FLAGS,
  SERVICE_ROLES,
  WIRE_ACK_ID_OFFSET,
  WIRE_ACK_LOG_SEQ_OFFSET,
  WIRE_ACK_OUTCOME_OFFSET,
  WIRE_ACK_REF_SEQ_OFFSET,
  WIRE_ACK_SIZE,
  WIRE_CHUNK_DATA_OFFSET,
  WIRE_CHUNK_LOG_SEQ_OFFSET,
  WIRE_CHUNK_MAX_DATA,
  WIRE_CHUNK_OFFSET_OFFSET,
  WIRE_CHUNK_TOTAL_OFFSET,
  WIRE_HRESP_INSTRUMENTS_OFFSET,
  WIRE_HRESP_LOG_SEQ_OFFSET,
  WIRE_HRESP_NONCE_OFFSET,
  WIRE_HRESP_ROLE_OFFSET,
  WIRE_HRESP_SIZE,
  WIRE_QRESP_COUNT_OFFSET,
  WIRE_QRESP_FLAGS_OFFSET,
  WIRE_QRESP_ITEMS_OFFSET,
  WIRE_QRESP_LOG_SEQ_OFFSET,
  WIRE_QRESP_REF_SEQ_OFFSET,
  WIRE_SUB_FROM_SEQ_OFFSET,
  WIRE_SUB_SIZE,
  WIRE_ADDRESS_MAX,
} from '../../layout/wire.js';
import { SYMBOL_MAX_BYTES } from '../../layout/record.js';
import { VENUE_CODE_MAX } from '../../layout/venue.js';
import type { InstrumentInput } from '../model/types.js';
import { checkU64, type ByteReader, type ByteWriter } from './bytes.js';
import { invalidField } from './errors.js';
import { enumCode, enumName } from './fields.js';
import { readInstrument, writeInstrument } from './payload.js';
import type { AckMessage, HealthResponseMessage, QueryResponseMessage, RegistryQuery, SnapshotChunkMessage, WireInstrument } from './types.js';

type Body<M> = Omit<M, 'type' | 'seq' | 'timestampNs' | 'flags'>;

function checkSize(n: unknown, field: string): number {
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) throw invalidField(field, 'must be a non-negative safe integer');
  return n;
}

/** Encode an ack payload. @throws {ValidationError} `InvalidField` / `InvalidEnum` */
export function writeAck(w: ByteWriter, m: Body<AckMessage>): void {
  const outcome = enumCode(ACK_OUTCOMES, m.outcome, 'outcome');
  const refSeq = checkU64(m.refSeq, 'refSeq');
  const logSeq = checkU64(m.logSeq, 'logSeq');
  const id = checkU64(m.id, 'id');
  const at = w.reserve(WIRE_ACK_SIZE, 'ack');
  w.patchU64(at + WIRE_ACK_REF_SEQ_OFFSET, refSeq);
  w.patchU64(at + WIRE_ACK_LOG_SEQ_OFFSET, logSeq);
  w.patchU64(at + WIRE_ACK_ID_OFFSET, id);
  w.patchU8(at + WIRE_ACK_OUTCOME_OFFSET, outcome);
}

/** Decode an ack payload. @throws {WireFormatError} / {ValidationError} */
export function readAck(r: ByteReader): Body<AckMessage> {
  const at = r.block(WIRE_ACK_SIZE, 'ack');
  return {
    refSeq: r.u64At(at + WIRE_ACK_REF_SEQ_OFFSET),
    logSeq: r.u64At(at + WIRE_ACK_LOG_SEQ_OFFSET),
    id: r.u64At(at + WIRE_ACK_ID_OFFSET),
    outcome: enumName(ACK_OUTCOMES, r.u8At(at + WIRE_ACK_OUTCOME_OFFSET), 'outcome') as AckMessage['outcome'],
  };
}

/** Encode a query payload. @throws {ValidationError} `InvalidEnum`, `InvalidField`, `FieldTooLong` */
export function writeQuery(w: ByteWriter, q: RegistryQuery): void {
  // Layout: QUERY_KIND u8 at WIRE_QUERY_KIND_OFFSET (0), the key from WIRE_QUERY_KEY_OFFSET (1).
  if (typeof q !== 'object' || q === null) throw invalidField('query', 'must be an object');
  w.u8(enumCode(QUERY_KINDS, q.kind, 'query.kind'), 'query.kind');
  switch (q.kind) {
    case 'byId':
      w.u64(checkU64(q.id, 'query.id'), 'query.id');
      return;
    case 'venueSymbol':
      w.str(q.venue, 1, VENUE_CODE_MAX, 'query.venue');
      w.str(q.symbol, 1, SYMBOL_MAX_BYTES, 'query.symbol');
      return;
    case 'isin':
      w.str(q.isin, 1, WIRE_ADDRESS_MAX, 'query.isin');
      return;
  }
}

/** Decode a query payload. @throws {WireFormatError} / {ValidationError} */
export function readQuery(r: ByteReader): RegistryQuery {
  const kind = enumName(QUERY_KINDS, r.u8('query.kind'), 'query.kind') as RegistryQuery['kind'];
  switch (kind) {
    case 'byId':
      return { kind, id: r.u64('query.id') };
    case 'venueSymbol': {
      const venue = r.str(1, VENUE_CODE_MAX, 'query.venue');
      const symbol = r.str(1, SYMBOL_MAX_BYTES, 'query.symbol');
      return { kind, venue, symbol };
    }
    case 'isin':
      return { kind, isin: r.str(1, WIRE_ADDRESS_MAX, 'query.isin') };
  }
}

/**
 * Encode a query response: as many instruments as fit (in order); the `truncated` flag is set
 * when some did not (or when `m.truncated` is already true).
 * @throws {ValidationError} an instrument that does not validate
 */
export function writeQueryResponse(w: ByteWriter, m: Body<QueryResponseMessage>): void {
  const refSeq = checkU64(m.refSeq, 'refSeq');
  const logSeq = checkU64(m.logSeq, 'logSeq');
  const at = w.reserve(WIRE_QRESP_ITEMS_OFFSET, 'queryResponse prefix');
  let count = 0;
  let truncated = m.truncated === true;
  for (const inst of m.instruments) {
    if (count === 0xffff) {
      truncated = true;
      break;
    }
    const mark = w.pos;
    try {
      w.u64(checkU64(inst.id, 'id'), 'id');
      const { id: _id, ...input } = inst;
      writeInstrument(w, input as InstrumentInput);
    } catch (e) {
      if ((e as { code?: string }).code !== 'LengthOutOfBounds') throw e;
      w.pos = mark;
      truncated = true;
      break;
    }
    count++;
  }
  w.patchU64(at + WIRE_QRESP_REF_SEQ_OFFSET, refSeq);
  w.patchU64(at + WIRE_QRESP_LOG_SEQ_OFFSET, logSeq);
  w.patchU8(at + WIRE_QRESP_FLAGS_OFFSET, truncated ? QUERY_RESPONSE_FLAGS.truncated : 0);
  w.patchU16(at + WIRE_QRESP_COUNT_OFFSET, count);
}

/** Decode a query response. @throws {WireFormatError} / {ValidationError} */
export function readQueryResponse(r: ByteReader): Body<QueryResponseMessage> {
  const at = r.block(WIRE_QRESP_ITEMS_OFFSET, 'queryResponse prefix');
  const flags = r.u8At(at + WIRE_QRESP_FLAGS_OFFSET);
  if ((flags & ~QUERY_RESPONSE_FLAGS.truncated) !== 0) throw invalidField('queryResponse.flags', `unknown bits in ${flags}`);
  const count = r.u16At(at + WIRE_QRESP_COUNT_OFFSET);
  const instruments: WireInstrument[] = [];
  for (let i = 0; i < count; i++) {
    const id = r.u64('id');
    instruments.push({ ...readInstrument(r), id });
  }
  return {
    refSeq: r.u64At(at + WIRE_QRESP_REF_SEQ_OFFSET),
    logSeq: r.u64At(at + WIRE_QRESP_LOG_SEQ_OFFSET),
    truncated: (flags & QUERY_RESPONSE_FLAGS.truncated) !== 0,
    instruments,
  };
}

/** Encode a health response. @throws {ValidationError} */
export function writeHealthResponse(w: ByteWriter, m: Body<HealthResponseMessage>): void {
  const role = enumCode(SERVICE_ROLES, m.role, 'role');
  const nonce = checkU64(m.nonce, 'nonce');
  const logSeq = checkU64(m.logSeq, 'logSeq');
  if (!Number.isInteger(m.instruments) || m.instruments < 0 || m.instruments > 0xffffffff) throw invalidField('instruments', 'must be a u32');
  const at = w.reserve(WIRE_HRESP_SIZE, 'healthResponse');
  w.patchU64(at + WIRE_HRESP_NONCE_OFFSET, nonce);
  w.patchU64(at + WIRE_HRESP_LOG_SEQ_OFFSET, logSeq);
  w.patchU32(at + WIRE_HRESP_INSTRUMENTS_OFFSET, m.instruments);
  w.patchU8(at + WIRE_HRESP_ROLE_OFFSET, role);
}

/** Decode a health response. @throws {WireFormatError} / {ValidationError} */
export function readHealthResponse(r: ByteReader): Body<HealthResponseMessage> {
  const at = r.block(WIRE_HRESP_SIZE, 'healthResponse');
  const view = new DataView(r.bytes.buffer, r.bytes.byteOffset, r.bytes.byteLength);
  return {
    nonce: r.u64At(at + WIRE_HRESP_NONCE_OFFSET),
    logSeq: r.u64At(at + WIRE_HRESP_LOG_SEQ_OFFSET),
    instruments: view.getUint32(at + WIRE_HRESP_INSTRUMENTS_OFFSET, true),
    role: enumName(SERVICE_ROLES, r.u8At(at + WIRE_HRESP_ROLE_OFFSET), 'role') as HealthResponseMessage['role'],
  };
}

/** Encode a subscribe payload. @throws {ValidationError} */
export function writeSubscribe(w: ByteWriter, fromSeq: bigint): void {
  const v = checkU64(fromSeq, 'fromSeq');
  const at = w.reserve(WIRE_SUB_SIZE, 'subscribe');
  w.patchU64(at + WIRE_SUB_FROM_SEQ_OFFSET, v);
}

/** Decode a subscribe payload. @throws {WireFormatError} */
export function readSubscribe(r: ByteReader): bigint {
  const at = r.block(WIRE_SUB_SIZE, 'subscribe');
  return r.u64At(at + WIRE_SUB_FROM_SEQ_OFFSET);
}

/** Encode a snapshot chunk. @throws {ValidationError} sizes out of range or more than `WIRE_CHUNK_MAX_DATA` bytes */
export function writeSnapshotChunk(w: ByteWriter, m: Body<SnapshotChunkMessage>): void {
  const logSeq = checkU64(m.logSeq, 'logSeq');
  const total = checkSize(m.total, 'total');
  const offset = checkSize(m.offset, 'offset');
  if (!(m.data instanceof Uint8Array) || m.data.length > WIRE_CHUNK_MAX_DATA)
    throw invalidField('data', `must be a Uint8Array of at most ${WIRE_CHUNK_MAX_DATA} bytes`);
  if (offset + m.data.length > total) throw invalidField('offset', 'chunk runs past the file size');
  const at = w.reserve(WIRE_CHUNK_DATA_OFFSET + m.data.length, 'snapshotChunk');
  w.patchU64(at + WIRE_CHUNK_LOG_SEQ_OFFSET, logSeq);
  w.patchU64(at + WIRE_CHUNK_TOTAL_OFFSET, BigInt(total));
  w.patchU64(at + WIRE_CHUNK_OFFSET_OFFSET, BigInt(offset));
  w.bytes.set(m.data, at + WIRE_CHUNK_DATA_OFFSET);
}

/** Decode a snapshot chunk (`data` is a copy). @throws {WireFormatError} / {ValidationError} */
export function readSnapshotChunk(r: ByteReader): Body<SnapshotChunkMessage> {
  const at = r.block(WIRE_CHUNK_DATA_OFFSET, 'snapshotChunk');
  const total = r.u64At(at + WIRE_CHUNK_TOTAL_OFFSET);
  const offset = r.u64At(at + WIRE_CHUNK_OFFSET_OFFSET);
  const n = r.remaining;
  const data = r.bytes.slice(r.pos, r.pos + n);
  r.pos += n;
  if (total > BigInt(Number.MAX_SAFE_INTEGER) || offset + BigInt(n) > total) throw invalidField('offset', 'chunk runs past the file size');
  return { logSeq: r.u64At(at + WIRE_CHUNK_LOG_SEQ_OFFSET), total: Number(total), offset: Number(offset), data };
}
