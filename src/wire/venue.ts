/**
 * Validation of {@link WireVenue} records (the payload of `venueRegistration` messages).
 *
 * @module
 */
import { STATUS_CODES } from '../../layout/codes.js';
import { NAME_MAX_BYTES } from '../../layout/heap.js';
import { FEE_UNITS_PER_BP } from '../../layout/record.js';
import { VENUE_CODE_MAX } from '../../layout/venue.js';
import { ValidationError } from '../errors.js';
import { invalidField } from './errors.js';
import { enumCode } from './fields.js';
import type { WireVenue } from './types.js';

const utf8 = new TextEncoder();
const CODE_RE = /^[A-Z0-9_.-]+$/;
const MIC_RE = /^[A-Z0-9]{4}$/;
const COUNTRY_RE = /^[A-Z]{2}$/;
const FEE_LIMIT_UNITS = 2 ** 31 - 1;

function fee(v: unknown, field: string): void {
  if (v === undefined) return;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw invalidField(field, 'must be a finite number of bps');
  const units = v * FEE_UNITS_PER_BP;
  if (Math.abs(units) > FEE_LIMIT_UNITS) throw invalidField(field, 'outside the i32 range of 0.01 bp units');
  if (Math.abs(units - Math.round(units)) > 1e-6) throw invalidField(field, 'resolution is 0.01 bp');
}

/**
 * Check a venue record: `code` 1..16 chars of `[A-Z0-9_.-]`, `mic` 4 chars `[A-Z0-9]`,
 * `name` 1..256 UTF-8 bytes without NUL, `country` two upper-case letters, `status` a status
 * name, fees finite with 0.01 bp resolution.
 *
 * @returns a shallow copy containing only the defined venue fields
 * @throws {ValidationError} `InvalidField`, `FieldTooLong` or `InvalidEnum` naming the field
 */
export function validateVenue(v: WireVenue): WireVenue {
  if (typeof v !== 'object' || v === null) throw invalidField('venue', 'must be an object');
  if (typeof v.code !== 'string' || v.code.length === 0) throw invalidField('code', 'must be a non-empty string');
  if (v.code.length > VENUE_CODE_MAX) throw new ValidationError('FieldTooLong', 'code', `${v.code.length} chars > ${VENUE_CODE_MAX}`);
  if (!CODE_RE.test(v.code)) throw invalidField('code', `must match ${CODE_RE}`);
  if (v.mic !== undefined && (typeof v.mic !== 'string' || !MIC_RE.test(v.mic))) throw invalidField('mic', `must match ${MIC_RE}`);
  if (typeof v.name !== 'string' || v.name.length === 0) throw invalidField('name', 'must be a non-empty string');
  if (v.name.includes('\0')) throw invalidField('name', 'must not contain NUL');
  const n = utf8.encode(v.name).length;
  if (n > NAME_MAX_BYTES) throw new ValidationError('FieldTooLong', 'name', `${n} UTF-8 bytes > ${NAME_MAX_BYTES}`);
  if (v.country !== undefined && (typeof v.country !== 'string' || !COUNTRY_RE.test(v.country))) {
    throw invalidField('country', `must match ${COUNTRY_RE}`);
  }
  enumCode(STATUS_CODES, v.status, 'status');
  fee(v.makerFeeBps, 'makerFeeBps');
  fee(v.takerFeeBps, 'takerFeeBps');
  const out: WireVenue = { code: v.code, name: v.name, status: v.status };
  if (v.mic !== undefined) out.mic = v.mic;
  if (v.country !== undefined) out.country = v.country;
  if (v.makerFeeBps !== undefined) out.makerFeeBps = v.makerFeeBps;
  if (v.takerFeeBps !== undefined) out.takerFeeBps = v.takerFeeBps;
  return out;
}
