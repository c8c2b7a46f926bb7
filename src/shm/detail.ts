/**
 * Encode and decode per-kind detail blobs (`layout/detail.ts`): the fields of each kind's
 * descriptor (`layout/kinds.ts`), stored in the string heap.
 *
 * @module
 */
import {
  DETAIL_FIELDS,
  DETAIL_FIXED_SIZE,
  DETAIL_LEG_COUNT_SIZE,
  DETAIL_LEG_SIZE,
  DETAIL_PRESENT_SIZE,
  DETAIL_STR_LEN_SIZE,
  FIXED_RAW_OFFSET,
  FIXED_SCALE_OFFSET,
  LEG_FLAGS_OFFSET,
  LEG_ID_OFFSET,
  LEG_WEIGHT_OFFSET,
  SIZE_OF_I32,
  SIZE_OF_I64,
  SIZE_OF_U8,
  type KindField,
  type KindFieldType,
  codeName,
} from '../../layout/index.js';
import { RegistryError } from '../errors.js';
import type { Fixed, InstrumentInput, InstrumentKind, SyntheticLeg } from '../model/types.js';
import { utf8Length, writeUtf8 } from '../model/utf8.js';

const utf8d = new TextDecoder();

function writeFixed(dv: DataView, p: number, v: Fixed): void {
  dv.setUint8(p + FIXED_SCALE_OFFSET, v.scale);
  dv.setBigUint64(p + FIXED_RAW_OFFSET, v.raw, true);
}

function readFixed(dv: DataView, p: number): Fixed {
  return Object.freeze({ raw: dv.getBigUint64(p + FIXED_RAW_OFFSET, true), scale: dv.getUint8(p + FIXED_SCALE_OFFSET) });
}

function sizeOf(type: KindFieldType, v: unknown): number {
  switch (type) {
    case 'u8':
    case 'enum':
      return SIZE_OF_U8;
    case 'u32':
      return SIZE_OF_I32;
    case 'id':
    case 'ms':
      return SIZE_OF_I64;
    case 'fixed':
      return DETAIL_FIXED_SIZE;
    case 'str':
      return DETAIL_STR_LEN_SIZE + utf8Length(v as string);
    case 'legs':
      return DETAIL_LEG_COUNT_SIZE + (v as SyntheticLeg[]).length * DETAIL_LEG_SIZE;
  }
}

let scratch = new Uint8Array(256);
let scratchView = new DataView(scratch.buffer);

/** Encode the detail blob of a validated instrument (a fresh array). */
export function encodeDetail(inst: InstrumentInput): Uint8Array {
  const fields: readonly KindField[] = DETAIL_FIELDS[inst.kind];
  const rec = inst as unknown as Record<string, unknown>;
  let present = 0;
  let size = DETAIL_PRESENT_SIZE;
  fields.forEach(({ name, type }, i) => {
    const v = rec[name];
    if (v === undefined) return;
    present |= 1 << i;
    size += sizeOf(type, v);
  });
  // Encode into a reusable scratch buffer and copy out: a DataView over a fresh small typed array
  // would force V8 to move its backing store off the JS heap (~0.5 µs per call).
  if (scratch.byteLength < size) {
    scratch = new Uint8Array(Math.max(size, scratch.byteLength * 2));
    scratchView = new DataView(scratch.buffer);
  }
  const out = scratch;
  const dv = scratchView;
  dv.setUint32(0, present, true);
  let p = DETAIL_PRESENT_SIZE;
  fields.forEach(({ name, type, codes }, i) => {
    if (!(present & (1 << i))) return;
    const v = rec[name];
    switch (type) {
      case 'u8':
        dv.setUint8(p, v as number);
        p += SIZE_OF_U8;
        break;
      case 'enum':
        dv.setUint8(p, codes![v as string]!);
        p += SIZE_OF_U8;
        break;
      case 'u32':
        dv.setUint32(p, v as number, true);
        p += SIZE_OF_I32;
        break;
      case 'id':
        dv.setBigUint64(p, v as bigint, true);
        p += SIZE_OF_I64;
        break;
      case 'ms':
        dv.setBigInt64(p, BigInt(v as number), true);
        p += SIZE_OF_I64;
        break;
      case 'fixed':
        writeFixed(dv, p, v as Fixed);
        p += DETAIL_FIXED_SIZE;
        break;
      case 'str': {
        const n = writeUtf8(v as string, out, p + DETAIL_STR_LEN_SIZE);
        dv.setUint8(p, n);
        p += DETAIL_STR_LEN_SIZE + n;
        break;
      }
      case 'legs': {
        const legs = v as SyntheticLeg[];
        dv.setUint16(p, legs.length, true);
        p += DETAIL_LEG_COUNT_SIZE;
        for (const leg of legs) {
          dv.setBigUint64(p + LEG_ID_OFFSET, leg.id, true);
          dv.setUint8(p + LEG_FLAGS_OFFSET, leg.negative ? 1 : 0);
          writeFixed(dv, p + LEG_WEIGHT_OFFSET, leg.weight);
          p += DETAIL_LEG_SIZE;
        }
        break;
      }
    }
  });
  return out.slice(0, size);
}

/**
 * Decode a detail blob into the kind's fields (only present ones).
 * @throws {RegistryError} `InvalidEnum` on an unknown stored code, `LengthOutOfBounds` on a short blob.
 */
export function decodeDetail(kind: InstrumentKind, bytes: Uint8Array): Record<string, unknown> {
  const fields: readonly KindField[] = DETAIL_FIELDS[kind];
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Record<string, unknown> = {};
  if (bytes.byteLength < DETAIL_PRESENT_SIZE) throw new RegistryError('LengthOutOfBounds', 'detail blob too short');
  const present = dv.getUint32(0, true);
  if (fields.length < 32 && present >>> fields.length !== 0)
    throw new RegistryError('LengthOutOfBounds', `detail blob of ${kind} has presence bits beyond its ${fields.length} fields`);
  let p = DETAIL_PRESENT_SIZE;
  try {
    fields.forEach(({ name, type, codes }, i) => {
      if (!(present & (1 << i))) return;
      switch (type) {
        case 'u8':
          out[name] = dv.getUint8(p);
          p += SIZE_OF_U8;
          break;
        case 'enum': {
          const c = dv.getUint8(p);
          const n = codeName(codes!, c);
          if (n === undefined) throw new RegistryError('InvalidEnum', `${name} code ${c}`);
          out[name] = n;
          p += SIZE_OF_U8;
          break;
        }
        case 'u32':
          out[name] = dv.getUint32(p, true);
          p += SIZE_OF_I32;
          break;
        case 'id':
          out[name] = dv.getBigUint64(p, true);
          p += SIZE_OF_I64;
          break;
        case 'ms':
          out[name] = Number(dv.getBigInt64(p, true));
          p += SIZE_OF_I64;
          break;
        case 'fixed':
          out[name] = readFixed(dv, p);
          p += DETAIL_FIXED_SIZE;
          break;
        case 'str': {
          const n = dv.getUint8(p);
          const start = p + DETAIL_STR_LEN_SIZE;
          if (start + n > bytes.byteLength) throw new RegistryError('LengthOutOfBounds', `${name} overruns the blob`);
          out[name] = utf8d.decode(bytes.subarray(start, start + n));
          p = start + n;
          break;
        }
        case 'legs': {
          const n = dv.getUint16(p, true);
          p += DETAIL_LEG_COUNT_SIZE;
          const legs: SyntheticLeg[] = [];
          for (let k = 0; k < n; k++) {
            const leg: SyntheticLeg = { id: dv.getBigUint64(p + LEG_ID_OFFSET, true), weight: readFixed(dv, p + LEG_WEIGHT_OFFSET) };
            if (dv.getUint8(p + LEG_FLAGS_OFFSET) & 1) leg.negative = true;
            legs.push(Object.freeze(leg));
            p += DETAIL_LEG_SIZE;
          }
          out[name] = Object.freeze(legs);
          break;
        }
      }
    });
  } catch (e) {
    if (e instanceof RangeError) throw new RegistryError('LengthOutOfBounds', 'detail blob truncated');
    throw e;
  }
  return out;
}
