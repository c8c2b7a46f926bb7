/**
 * Generic encoding of the field lists declared in `layout/wire.ts` (`WIRE_COMMON_FIELDS`,
 * `WIRE_KIND_FIELDS`, `WIRE_PATCH_FIELDS`, `WIRE_VENUE_FIELDS`): a presence bitmask (bit i =
 * field i present) followed by the present fields in list order.
 *
 * Absent means `undefined`: a field whose value is `undefined` is not written and its bit is
 * clear; decoding sets only the fields whose bit is set, so absent stays absent.
 *
 * @module
 */
import { FEE_UNITS_PER_BP } from '../../layout/record.js';
import { WIRE_LEG_NEGATIVE, WIRE_LEG_NEGATIVE_GIVEN, type WireField } from '../../layout/wire.js';
import { ValidationError } from '../errors.js';
import type { Fixed, SyntheticLeg } from '../model/types.js';
import type { ByteReader, ByteWriter } from './bytes.js';
import { invalidField } from './errors.js';

const LEG_COUNT_MAX = 0xff;
const reverseTables = new WeakMap<object, Map<number, string>>();

function reverse(table: Readonly<Record<string, number>>): Map<number, string> {
  let m = reverseTables.get(table);
  if (!m) {
    m = new Map(Object.entries(table).map(([k, v]) => [v, k]));
    reverseTables.set(table, m);
  }
  return m;
}

/**
 * Encode an enum name as its one-byte code.
 * @throws {ValidationError} `InvalidEnum` if `name` is not a key of `table`.
 */
export function enumCode(table: Readonly<Record<string, number>>, name: unknown, field: string): number {
  if (typeof name !== 'string' || !Object.prototype.hasOwnProperty.call(table, name)) {
    throw new ValidationError('InvalidEnum', field, `${JSON.stringify(name)} is not one of ${Object.keys(table).join(', ')}`);
  }
  return table[name];
}

/**
 * Decode a one-byte enum code to its name.
 * @throws {ValidationError} `InvalidEnum` if `code` is not in `table` (0 never is).
 */
export function enumName(table: Readonly<Record<string, number>>, code: number, field: string): string {
  const name = reverse(table).get(code);
  if (name === undefined) throw new ValidationError('InvalidEnum', field, `unknown code ${code}`);
  return name;
}

function writeFixed(w: ByteWriter, v: unknown, field: string): void {
  const f = v as Fixed;
  if (typeof f !== 'object' || f === null || typeof f.raw !== 'bigint' || typeof f.scale !== 'number') {
    throw invalidField(field, 'must be a Fixed { raw: bigint, scale: number }');
  }
  w.u8(f.scale, `${field}.scale`);
  w.u64(f.raw, `${field}.raw`);
}

function readFixed(r: ByteReader, field: string): Fixed {
  const scale = r.u8(field);
  const raw = r.u64(field);
  return { raw, scale };
}

function writeFee(w: ByteWriter, v: unknown, field: string): void {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw invalidField(field, 'must be a finite number of bps');
  const units = Math.round(v * FEE_UNITS_PER_BP);
  if (Math.abs(units - v * FEE_UNITS_PER_BP) > 1e-6) throw invalidField(field, 'resolution is 0.01 bp');
  w.i32(units === 0 ? 0 : units, field);
}

function writeLegs(w: ByteWriter, v: unknown, field: string): void {
  if (!Array.isArray(v) || v.length > LEG_COUNT_MAX) throw invalidField(field, `must be an array of at most ${LEG_COUNT_MAX} legs`);
  w.u8(v.length, field);
  v.forEach((leg: SyntheticLeg, i) => {
    if (typeof leg !== 'object' || leg === null) throw invalidField(`${field}[${i}]`, 'must be a leg object');
    w.u64(leg.id, `${field}[${i}].id`);
    let flags = 0;
    if (leg.negative !== undefined) {
      if (typeof leg.negative !== 'boolean') throw invalidField(`${field}[${i}].negative`, 'must be a boolean');
      flags = WIRE_LEG_NEGATIVE_GIVEN | (leg.negative ? WIRE_LEG_NEGATIVE : 0);
    }
    w.u8(flags, `${field}[${i}].flags`);
    writeFixed(w, leg.weight, `${field}[${i}].weight`);
  });
}

function readLegs(r: ByteReader, field: string): SyntheticLeg[] {
  const n = r.u8(field);
  const legs: SyntheticLeg[] = [];
  for (let i = 0; i < n; i++) {
    const id = r.u64(`${field}[${i}].id`);
    const flags = r.u8(`${field}[${i}].flags`);
    if ((flags & ~(WIRE_LEG_NEGATIVE | WIRE_LEG_NEGATIVE_GIVEN)) !== 0 || (flags & WIRE_LEG_NEGATIVE && !(flags & WIRE_LEG_NEGATIVE_GIVEN))) {
      throw invalidField(`${field}[${i}].flags`, `invalid leg flags 0x${flags.toString(16)}`);
    }
    const weight = readFixed(r, `${field}[${i}].weight`);
    const leg: SyntheticLeg = { id, weight };
    if (flags & WIRE_LEG_NEGATIVE_GIVEN) leg.negative = (flags & WIRE_LEG_NEGATIVE) !== 0;
    legs.push(leg);
  }
  return legs;
}

function writeField(w: ByteWriter, f: WireField, v: unknown): void {
  switch (f.type) {
    case 'u8':
      w.u8(v as number, f.name);
      break;
    case 'u32':
      w.u32(v as number, f.name);
      break;
    case 'id':
      w.u64(v as bigint, f.name);
      break;
    case 'ms':
      w.i64(v as number, f.name);
      break;
    case 'fixed':
      writeFixed(w, v, f.name);
      break;
    case 'fee':
      writeFee(w, v, f.name);
      break;
    case 'enum':
      w.u8(enumCode(f.codes ?? {}, v, f.name), f.name);
      break;
    case 'str8':
      w.str(v, 1, f.max ?? 0xff, f.name);
      break;
    case 'str16':
      w.str(v, 2, f.max ?? 0xffff, f.name);
      break;
    case 'legs':
      writeLegs(w, v, f.name);
      break;
  }
}

function readField(r: ByteReader, f: WireField): unknown {
  switch (f.type) {
    case 'u8':
      return r.u8(f.name);
    case 'u32':
      return r.u32(f.name);
    case 'id':
      return r.u64(f.name);
    case 'ms':
      return r.i64(f.name);
    case 'fixed':
      return readFixed(r, f.name);
    case 'fee':
      return r.i32(f.name) / FEE_UNITS_PER_BP;
    case 'enum':
      return enumName(f.codes ?? {}, r.u8(f.name), f.name);
    case 'str8':
      return r.str(1, f.max ?? 0xff, f.name);
    case 'str16':
      return r.str(2, f.max ?? 0xffff, f.name);
    case 'legs':
      return readLegs(r, f.name);
  }
}

/**
 * Write the fields of `obj` listed in `fields` that are not `undefined`, in list order.
 * @returns the presence bitmask (bit i = `fields[i]` written)
 * @throws {ValidationError} for a value its encoding cannot hold exactly
 * @throws {WireFormatError} `LengthOutOfBounds` if the message outgrows the maximum payload
 */
export function writeFields(w: ByteWriter, fields: readonly WireField[], obj: Readonly<Record<string, unknown>>): number {
  let present = 0;
  for (let i = 0; i < fields.length; i++) {
    const v = obj[fields[i].name];
    if (v === undefined) continue;
    writeField(w, fields[i], v);
    present |= 1 << i;
  }
  return present;
}

/**
 * Read the fields whose bit is set in `present` into `out`.
 * @throws {ValidationError} `InvalidField` if `present` has a bit beyond the list; field errors
 *   (`InvalidEnum`, `FieldTooLong`, `InvalidField`)
 * @throws {WireFormatError} `LengthOutOfBounds` if a field runs past the payload
 */
export function readFields(r: ByteReader, fields: readonly WireField[], present: number, out: Record<string, unknown>, maskField: string): void {
  if (present >>> fields.length !== 0) throw invalidField(maskField, `bits beyond the ${fields.length} defined fields are set (0x${present.toString(16)})`);
  for (let i = 0; i < fields.length; i++) {
    if (present & (1 << i)) out[fields[i].name] = readField(r, fields[i]);
  }
}
