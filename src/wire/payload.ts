/**
 * Payload encoders and decoders, one pair per message type (format: `layout/wire.ts`).
 * Encoders validate before writing; decoders validate after reading, so a decoded message
 * always satisfies the same rules as an encoded one.
 *
 * @module
 */
import { KIND_CODES, SOURCE_CODES, STATUS_CODES } from '../../layout/codes.js';
import {
  WIRE_COMMON_FIELDS,
  WIRE_ERROR_CODE_MAX,
  WIRE_ERROR_MESSAGE_MAX,
  WIRE_KIND_FIELDS,
  WIRE_PATCH_FIELDS,
  WIRE_REG_COMMON_PRESENT_OFFSET,
  WIRE_REG_FIELDS_OFFSET,
  WIRE_REG_KIND_OFFSET,
  WIRE_REG_KIND_PRESENT_OFFSET,
  WIRE_REG_RESERVED_OFFSET,
  WIRE_REG_SOURCE_OFFSET,
  WIRE_REG_STATUS_OFFSET,
  WIRE_UPDATE_FIELDS_OFFSET,
  WIRE_UPDATE_ID_OFFSET,
  WIRE_UPDATE_PRESENT_OFFSET,
  WIRE_VENUE_FIELDS,
  WIRE_VENUE_FIELDS_OFFSET,
  WIRE_VENUE_PRESENT_OFFSET,
  WIRE_VENUE_STATUS_OFFSET,
  WIRE_ERROR_FIELDS_OFFSET,
  WIRE_ERROR_REF_SEQ_OFFSET,
} from '../../layout/wire.js';
import { MUTABLE_FIELDS, type InstrumentInput, type InstrumentPatch } from '../model/types.js';
import { checkPatchKeys } from '../model/patch.js';
import { validateInstrument } from '../model/validate.js';
import { ByteReader, ByteWriter, checkU64 } from './bytes.js';
import { invalidField } from './errors.js';
import { enumCode, enumName, readFields, writeFields } from './fields.js';
import type { WireVenue } from './types.js';
import { validateVenue } from './venue.js';

// The patch field list in layout/wire.ts must be exactly the model's MUTABLE_FIELDS, in order.
if (WIRE_PATCH_FIELDS.length !== MUTABLE_FIELDS.length || WIRE_PATCH_FIELDS.some((f, i) => f.name !== MUTABLE_FIELDS[i])) {
  throw new Error('wire: WIRE_PATCH_FIELDS does not match MUTABLE_FIELDS');
}

// ---- registrations ----

/**
 * Encode an instrument. It is validated (and normalised) with `validateInstrument` first.
 * @returns the normalised instrument that was encoded
 * @throws {ValidationError} from `validateInstrument` or a field encoder
 */
export function writeInstrument(w: ByteWriter, input: InstrumentInput): InstrumentInput {
  const v = validateInstrument(input);
  const start = w.reserve(WIRE_REG_FIELDS_OFFSET, 'registration prefix');
  w.patchU8(start + WIRE_REG_KIND_OFFSET, KIND_CODES[v.kind]);
  w.patchU8(start + WIRE_REG_SOURCE_OFFSET, SOURCE_CODES[v.source]);
  w.patchU8(start + WIRE_REG_STATUS_OFFSET, STATUS_CODES[v.status]);
  w.patchU8(start + WIRE_REG_RESERVED_OFFSET, 0);
  const rec = v as unknown as Record<string, unknown>;
  w.patchU16(start + WIRE_REG_COMMON_PRESENT_OFFSET, writeFields(w, WIRE_COMMON_FIELDS, rec));
  w.patchU32(start + WIRE_REG_KIND_PRESENT_OFFSET, writeFields(w, WIRE_KIND_FIELDS[v.kind], rec) >>> 0);
  return v;
}

/**
 * Decode an instrument and validate it with `validateInstrument`.
 * @throws {ValidationError} `InvalidEnum` (kind/source/status or a kind enum), `InvalidField`,
 *   `FieldTooLong`, `InvalidIdentifier`
 * @throws {WireFormatError} `LengthOutOfBounds` if a field runs past the payload
 */
export function readInstrument(r: ByteReader): InstrumentInput {
  const start = r.block(WIRE_REG_FIELDS_OFFSET, 'registration prefix');
  const kind = enumName(KIND_CODES, r.u8At(start + WIRE_REG_KIND_OFFSET), 'kind') as InstrumentInput['kind'];
  const source = enumName(SOURCE_CODES, r.u8At(start + WIRE_REG_SOURCE_OFFSET), 'source');
  const status = enumName(STATUS_CODES, r.u8At(start + WIRE_REG_STATUS_OFFSET), 'status');
  if (r.u8At(start + WIRE_REG_RESERVED_OFFSET) !== 0) throw invalidField('reserved', 'must be 0');
  const commonPresent = r.u16At(start + WIRE_REG_COMMON_PRESENT_OFFSET);
  const kindPresent = r.u32At(start + WIRE_REG_KIND_PRESENT_OFFSET);
  const out: Record<string, unknown> = { kind, source, status };
  readFields(r, WIRE_COMMON_FIELDS, commonPresent, out, 'commonPresent');
  readFields(r, WIRE_KIND_FIELDS[kind], kindPresent, out, 'kindPresent');
  return validateInstrument(out as unknown as InstrumentInput);
}

// ---- update ----

/**
 * Check a patch with the rules `validateInstrument` applies to the same fields (it is
 * validated as part of a minimal carrier instrument, a spot pair, which has every mutable field,
 * so the rules cannot drift apart).
 * @throws {ValidationError} naming the offending patch field; `InvalidField` if the patch is not
 *   an object or names a field that is not mutable (`MUTABLE_FIELDS`).
 */
export function validatePatch(patch: InstrumentPatch): InstrumentPatch {
  checkPatchKeys(patch);
  const out: Record<string, unknown> = {};
  for (const k of MUTABLE_FIELDS) if (patch[k] !== undefined) out[k] = patch[k];
  validateInstrument({ kind: 'cexPair', symbol: 'PATCH', venue: 'PATCH', source: 'cex', status: 'active', baseId: 1n, quoteId: 2n, ...out } as InstrumentInput);
  return out as InstrumentPatch;
}

/** Encode an update payload. @throws {ValidationError} for an invalid id or patch */
export function writeUpdate(w: ByteWriter, id: bigint, patch: InstrumentPatch): void {
  const p = validatePatch(patch);
  const uid = checkU64(id, 'id');
  const start = w.reserve(WIRE_UPDATE_FIELDS_OFFSET, 'update prefix');
  w.patchU64(start + WIRE_UPDATE_ID_OFFSET, uid);
  w.patchU16(start + WIRE_UPDATE_PRESENT_OFFSET, writeFields(w, WIRE_PATCH_FIELDS, p as Record<string, unknown>));
}

/** Decode an update payload. @throws {ValidationError} / {WireFormatError} as {@link readInstrument} */
export function readUpdate(r: ByteReader): { id: bigint; patch: InstrumentPatch } {
  const start = r.block(WIRE_UPDATE_FIELDS_OFFSET, 'update prefix');
  const id = r.u64At(start + WIRE_UPDATE_ID_OFFSET);
  const present = r.u16At(start + WIRE_UPDATE_PRESENT_OFFSET);
  const patch: Record<string, unknown> = {};
  readFields(r, WIRE_PATCH_FIELDS, present, patch, 'present');
  validatePatch(patch as InstrumentPatch);
  return { id, patch: patch as InstrumentPatch };
}

// ---- venue ----

/** Encode a venue payload. @throws {ValidationError} from {@link validateVenue} */
export function writeVenue(w: ByteWriter, venue: WireVenue): void {
  const v = validateVenue(venue);
  const start = w.reserve(WIRE_VENUE_FIELDS_OFFSET, 'venue prefix');
  w.patchU8(start + WIRE_VENUE_STATUS_OFFSET, enumCode(STATUS_CODES, v.status, 'status'));
  w.patchU8(start + WIRE_VENUE_PRESENT_OFFSET, writeFields(w, WIRE_VENUE_FIELDS, v as unknown as Record<string, unknown>));
}

/** Decode a venue payload and validate it. @throws {ValidationError} / {WireFormatError} */
export function readVenue(r: ByteReader): WireVenue {
  const start = r.block(WIRE_VENUE_FIELDS_OFFSET, 'venue prefix');
  const status = enumName(STATUS_CODES, r.u8At(start + WIRE_VENUE_STATUS_OFFSET), 'status');
  const present = r.u8At(start + WIRE_VENUE_PRESENT_OFFSET);
  const out: Record<string, unknown> = { status };
  readFields(r, WIRE_VENUE_FIELDS, present, out, 'present');
  return validateVenue(out as unknown as WireVenue);
}

// ---- error response ----

/** Encode an error-response payload. @throws {ValidationError} `InvalidField` / `FieldTooLong` */
export function writeErrorResponse(w: ByteWriter, refSeq: bigint, code: string, message: string): void {
  const ref = checkU64(refSeq, 'refSeq');
  const start = w.reserve(WIRE_ERROR_FIELDS_OFFSET, 'error prefix');
  w.patchU64(start + WIRE_ERROR_REF_SEQ_OFFSET, ref);
  if (typeof code !== 'string' || code.length === 0) throw invalidField('code', 'must be a non-empty string');
  w.str(code, 1, WIRE_ERROR_CODE_MAX, 'code');
  w.str(message, 2, WIRE_ERROR_MESSAGE_MAX, 'message');
}

/** Decode an error-response payload. @throws {ValidationError} / {WireFormatError} */
export function readErrorResponse(r: ByteReader): { refSeq: bigint; code: string; message: string } {
  const start = r.block(WIRE_ERROR_FIELDS_OFFSET, 'error prefix');
  const refSeq = r.u64At(start + WIRE_ERROR_REF_SEQ_OFFSET);
  const code = r.str(1, WIRE_ERROR_CODE_MAX, 'code');
  if (code.length === 0) throw invalidField('code', 'must be a non-empty string');
  const message = r.str(2, WIRE_ERROR_MESSAGE_MAX, 'message');
  return { refSeq, code, message };
}
