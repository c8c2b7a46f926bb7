/**
 * Validation and normalisation of {@link InstrumentInput}s before they reach the table.
 * Everything a record or detail blob cannot hold exactly is rejected here with a typed
 * {@link ValidationError}, so the writer never starts a write it cannot finish.
 *
 * @module
 */
import {
  DETAIL_STR_MAX,
  FEE_UNITS_PER_BP,
  KIND_CODES,
  KINDS,
  LEGS_MAX,
  NAME_MAX_BYTES,
  SOURCE_CODES,
  STATUS_CODES,
  SYMBOL_MAX_BYTES,
  VENUE_CODE_MAX,
  type KindField,
} from '../../layout/index.js';
import { ValidationError } from '../errors.js';
import { checkCusip, checkIsin, checkSedol, formatOccSymbol, parseOccSymbol } from '../identifiers/index.js';
import { FIXED_RAW_MAX, FIXED_SCALE_MAX } from './fixed.js';
import { isAscii, utf8Length } from './utf8.js';
import { storedFields } from './stored-fields.js';
import type { Fixed, InstrumentInput } from './types.js';

const VENUE_RE = /^[A-Z0-9_.-]+$/;
const EVM_ADDRESS_RE = /^0x[0-9a-fA-F]{40}$/;
const OTHER_ADDRESS_RE = /^[0-9A-Za-z_.:-]{1,64}$/;
const CURRENCY_RE = /^[A-Z0-9]{2,12}$/;
/** Largest i32 fee in hundredths of a bp. */
const FEE_LIMIT_BPS = 2 ** 31 / FEE_UNITS_PER_BP - 1;
/** Chains whose addresses are EVM 20-byte hex. Everything else is validated as an opaque string. */
const NON_EVM_CHAIN_IDS = new Set([501000101]);

function enumCheck(table: Record<string, number>, v: unknown, field: string): void {
  if (typeof v !== 'string' || !Object.prototype.hasOwnProperty.call(table, v)) {
    throw new ValidationError('InvalidEnum', field, `${JSON.stringify(v)} is not one of ${Object.keys(table).join(', ')}`);
  }
}

/** A UTF-16 surrogate without its pair: it has no UTF-8 encoding (TextEncoder would store U+FFFD). */
const LONE_SURROGATE_RE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * A stored string: non-empty, no NUL, well-formed UTF-16 (no lone surrogate, so the UTF-8 bytes
 * stored, hashed into the id and sent on the wire decode back to the same string), at most
 * `maxBytes` UTF-8 bytes. The wire codec accepts exactly these strings.
 */
function text(v: unknown, field: string, maxBytes: number, required: boolean): void {
  if (v === undefined && !required) return;
  if (typeof v !== 'string' || v.length === 0) throw new ValidationError('InvalidField', field, 'must be a non-empty string');
  if (v.includes('\0')) throw new ValidationError('InvalidField', field, 'must not contain NUL');
  if (!isAscii(v) && LONE_SURROGATE_RE.test(v)) throw new ValidationError('InvalidField', field, 'contains a lone UTF-16 surrogate (not encodable as UTF-8)');
  const n = utf8Length(v);
  if (n > maxBytes) throw new ValidationError('FieldTooLong', field, `${n} UTF-8 bytes > ${maxBytes}`);
}

function fixedCheck(v: Fixed | undefined, field: string, required = false): void {
  if (v === undefined) {
    if (required) throw new ValidationError('InvalidField', field, 'is required');
    return;
  }
  if (typeof v !== 'object' || v === null || typeof v.raw !== 'bigint' || !Number.isInteger(v.scale)) {
    throw new ValidationError('InvalidField', field, 'must be a Fixed { raw: bigint, scale: integer }');
  }
  if (v.raw < 0n || v.raw > FIXED_RAW_MAX) throw new ValidationError('InvalidField', field, 'raw outside 0..2^64-1');
  if (v.scale < 0 || v.scale > FIXED_SCALE_MAX) throw new ValidationError('InvalidField', field, `scale outside 0..${FIXED_SCALE_MAX}`);
}

function intCheck(v: unknown, field: string, min: number, max: number, required = false): void {
  if (v === undefined) {
    if (required) throw new ValidationError('InvalidField', field, 'is required');
    return;
  }
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new ValidationError('InvalidField', field, `must be an integer in ${min}..${max}, got ${String(v)}`);
  }
}

function feeCheck(v: unknown, field: string): void {
  if (v === undefined) return;
  if (typeof v !== 'number' || !Number.isFinite(v) || Math.abs(v) > FEE_LIMIT_BPS) {
    throw new ValidationError('InvalidField', field, 'must be a finite number of bps');
  }
  const units = v * FEE_UNITS_PER_BP;
  if (Math.abs(units - Math.round(units)) > 1e-6) throw new ValidationError('InvalidField', field, 'resolution is 0.01 bp');
}

function idCheck(v: unknown, field: string, required: boolean): void {
  if (v === undefined && !required) return;
  if (typeof v !== 'bigint' || v < 0n || v >= 1n << 64n) throw new ValidationError('InvalidField', field, 'must be a u64 bigint instrument id');
}

function timeCheck(v: unknown, field: string, required: boolean): void {
  // ms since epoch; allow the whole i64-safe range JS can hold exactly
  intCheck(v, field, -(2 ** 53) + 1, 2 ** 53 - 1, required);
}

function address(v: unknown, chainId: number, field: string): string {
  if (typeof v !== 'string') throw new ValidationError('InvalidField', field, 'must be a string');
  if (NON_EVM_CHAIN_IDS.has(chainId)) {
    if (!OTHER_ADDRESS_RE.test(v)) throw new ValidationError('InvalidField', field, 'not a valid address');
    return v;
  }
  if (!EVM_ADDRESS_RE.test(v)) throw new ValidationError('InvalidField', field, `not an EVM address (0x + 40 hex): ${JSON.stringify(v.slice(0, 50))}`);
  return v.toLowerCase();
}

/** Check one string field by its descriptor format; returns the normalised value. */
function stringField(f: KindField, v: unknown, rec: Record<string, unknown>): string {
  switch (f.format) {
    case 'isin':
      return checkIsin(String(v).toUpperCase(), f.name);
    case 'cusip':
      return checkCusip(String(v).toUpperCase(), f.name);
    case 'sedol':
      return checkSedol(String(v).toUpperCase(), f.name);
    case 'currency':
      if (typeof v !== 'string' || !CURRENCY_RE.test(v)) throw new ValidationError('InvalidField', f.name, 'must be an ISO 4217-style code');
      return v;
    case 'address':
      return address(v, rec.chainId as number, f.name);
    case 'occ':
      if (typeof v !== 'string') throw new ValidationError('InvalidField', f.name, 'must be a string');
      return formatOccSymbol(parseOccSymbol(v.toUpperCase()));
    default:
      text(v, f.name, f.max ?? DETAIL_STR_MAX, true);
      return v as string;
  }
}

function legsCheck(v: unknown, field: string): void {
  if (!Array.isArray(v) || v.length === 0 || v.length > LEGS_MAX) throw new ValidationError('InvalidField', field, `must be 1..${LEGS_MAX} legs`);
  v.forEach((leg: unknown, i) => {
    if (typeof leg !== 'object' || leg === null) throw new ValidationError('InvalidField', `${field}[${i}]`, 'must be a leg object');
    const l = leg as Record<string, unknown>;
    for (const k of Object.keys(l))
      if (k !== 'id' && k !== 'weight' && k !== 'negative') throw new ValidationError('InvalidField', `${field}[${i}].${k}`, 'is not a leg field');
    idCheck(l.id, `${field}[${i}].id`, true);
    fixedCheck(l.weight as Fixed, `${field}[${i}].weight`, true);
    if (l.negative !== undefined && typeof l.negative !== 'boolean') throw new ValidationError('InvalidField', `${field}[${i}].negative`, 'must be a boolean');
  });
}

/** Check one kind field against its descriptor; returns the (normalised) value to store. */
function kindField(f: KindField, v: unknown, rec: Record<string, unknown>): unknown {
  if (v === undefined) {
    if (f.required) throw new ValidationError('InvalidField', f.name, 'is required');
    return undefined;
  }
  switch (f.type) {
    case 'u8':
      intCheck(v, f.name, f.min ?? 0, f.max ?? 0xff, true);
      return v;
    case 'u32':
      intCheck(v, f.name, f.min ?? 0, f.max ?? 0xffffffff, true);
      return v;
    case 'id':
      idCheck(v, f.name, true);
      return v;
    case 'ms':
      timeCheck(v, f.name, true);
      return v;
    case 'fixed':
      fixedCheck(v as Fixed, f.name, true);
      if (f.positive && (v as Fixed).raw === 0n) throw new ValidationError('InvalidField', f.name, 'must be positive');
      return v;
    case 'enum':
      enumCheck(f.codes ?? {}, v, f.name);
      return v;
    case 'str':
      return stringField(f, v, rec);
    case 'legs':
      legsCheck(v, f.name);
      return v;
  }
}

/** Rules across fields of one kind that a single field's descriptor cannot state. */
function crossFieldRules(out: Record<string, unknown>): void {
  if (out.kind === 'future') {
    out.contractType ??= 'future';
    if (out.contractType === 'future' && out.expiry === undefined) throw new ValidationError('InvalidField', 'expiry', 'is required for a dated future');
    if (out.contractType === 'perpetual' && out.expiry !== undefined) throw new ValidationError('InvalidField', 'expiry', 'a perpetual has no expiry');
  }
}

/**
 * Validate an instrument against the common rules and its kind's descriptor
 * (`layout/kinds.ts`), and return a normalised copy (EVM addresses lower-cased, identifiers
 * upper-cased, a future's `contractType` defaulted to `future`). The input is not modified.
 *
 * @throws {ValidationError} `InvalidField` (including a field the kind does not store, a symbol,
 *   name or OCC symbol with NUL or a lone UTF-16 surrogate), `FieldTooLong`, `InvalidEnum` or
 *   `InvalidIdentifier` (ISO 6166 ISIN, CUSIP and SEDOL check digits) naming the first offending
 *   field.
 */
export function validateInstrument(input: InstrumentInput): InstrumentInput {
  if (typeof input !== 'object' || input === null) throw new ValidationError('InvalidField', 'instrument', 'must be an object');
  enumCheck(KIND_CODES, input.kind, 'kind');
  enumCheck(SOURCE_CODES, input.source, 'source');
  enumCheck(STATUS_CODES, input.status, 'status');
  text(input.symbol, 'symbol', SYMBOL_MAX_BYTES, true);
  if (typeof input.venue !== 'string' || input.venue.length === 0) throw new ValidationError('InvalidField', 'venue', 'must be a non-empty string');
  if (input.venue.length > VENUE_CODE_MAX) throw new ValidationError('FieldTooLong', 'venue', `${input.venue.length} chars > ${VENUE_CODE_MAX}`);
  if (!VENUE_RE.test(input.venue)) throw new ValidationError('InvalidField', 'venue', `must match ${VENUE_RE}`);
  text(input.name, 'name', NAME_MAX_BYTES, false);
  intCheck(input.priceDecimals, 'priceDecimals', 0, FIXED_SCALE_MAX);
  intCheck(input.sizeDecimals, 'sizeDecimals', 0, 255);
  fixedCheck(input.tickSize, 'tickSize');
  fixedCheck(input.lotSize, 'lotSize');
  fixedCheck(input.minQty, 'minQty');
  fixedCheck(input.maxQty, 'maxQty');
  if (input.tickSize && input.tickSize.raw === 0n) throw new ValidationError('InvalidField', 'tickSize', 'must be positive');
  if (input.lotSize && input.lotSize.raw === 0n) throw new ValidationError('InvalidField', 'lotSize', 'must be positive');
  feeCheck(input.makerFeeBps, 'makerFeeBps');
  feeCheck(input.takerFeeBps, 'takerFeeBps');
  timeCheck(input.createdAt, 'createdAt', false);
  timeCheck(input.updatedAt, 'updatedAt', false);

  const rec = input as unknown as Record<string, unknown>;
  const stored = storedFields(input.kind);
  for (const k of Object.keys(rec)) {
    if (rec[k] === undefined || stored.has(k)) continue;
    const own = (KINDS[input.kind].fields as readonly KindField[]).map((f) => f.name);
    throw new ValidationError('InvalidField', k, `is not a field of kind ${input.kind} (its fields: ${own.join(', ') || 'none'})`);
  }
  const out: Record<string, unknown> = { ...rec };
  for (const f of KINDS[input.kind].fields as readonly KindField[]) {
    const v = kindField(f, rec[f.name], rec);
    if (v !== undefined) out[f.name] = v;
  }
  // The copy holds what the record stores: -0 is stored as 0, a fee on the 0.01 bp grid.
  for (const k in out) if (out[k] === 0) out[k] = 0;
  if (input.makerFeeBps !== undefined) out.makerFeeBps = Math.round(input.makerFeeBps * FEE_UNITS_PER_BP) / FEE_UNITS_PER_BP || 0;
  if (input.takerFeeBps !== undefined) out.takerFeeBps = Math.round(input.takerFeeBps * FEE_UNITS_PER_BP) / FEE_UNITS_PER_BP || 0;
  crossFieldRules(out);
  return out as unknown as InstrumentInput;
}
