/**
 * Input limits of discovery, each enforced with a typed error (see `docs/limits-discovery.md`):
 *
 * | limit | value | at the limit |
 * |---|---|---|
 * | payload file size | {@link MAX_PAYLOAD_BYTES} (256 MiB, half of V8's 512 Mi-character string limit) | the file is refused before it is read: `LimitExceeded` |
 * | nesting depth of one record | {@link MAX_RECORD_DEPTH} levels | the record is rejected: `LimitExceeded` |
 * | `__proto__` / `constructor` / `prototype` keys | at any depth of a record | the record is rejected: `ForbiddenKey` |
 * | expression evaluation | `EXPRESSION_LIMITS` in `compile.ts` | the record is rejected: `ExpressionLimit`; after {@link MAX_LIMIT_HITS} such records the mapping is refused for the file: `LimitExceeded` |
 *
 * @module
 */
import { RegistryError } from '../errors.js';

/** Largest payload file discovery reads, bytes. */
export const MAX_PAYLOAD_BYTES = 256 * 1024 * 1024;
/** Deepest nesting of objects / arrays inside one record (the record itself is level 1). */
export const MAX_RECORD_DEPTH = 64;
/** Records of one file whose expressions may hit an evaluation bound before the mapping is refused for that file. */
export const MAX_LIMIT_HITS = 3;

/** Keys that would reach `Object.prototype` through JavaScript property semantics. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** What {@link scanRecord} found wrong with a record, if anything. */
export type ScanFault = { code: 'ForbiddenKey' | 'LimitExceeded'; reason: string } | undefined;

/**
 * Check a parsed record: the first forbidden key at any depth, or nesting deeper than
 * {@link MAX_RECORD_DEPTH}. The walk recurses at most {@link MAX_RECORD_DEPTH} + 1 levels (it
 * stops there), so no payload can overflow the stack.
 */
export function scanRecord(rec: unknown): ScanFault {
  return scan(rec, 1);
}

function scan(v: unknown, d: number): ScanFault {
  if (d > MAX_RECORD_DEPTH) return { code: 'LimitExceeded', reason: `record nests deeper than ${MAX_RECORD_DEPTH} levels` };
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (x !== null && typeof x === 'object') {
        const f = scan(x, d + 1);
        if (f) return f;
      }
    }
    return undefined;
  }
  for (const k in v as object) {
    if (!Object.prototype.hasOwnProperty.call(v, k)) continue;
    if (k === '__proto__' || k === 'constructor' || k === 'prototype') return { code: 'ForbiddenKey', reason: `record contains the key ${JSON.stringify(k)}` };
    const x = (v as Record<string, unknown>)[k];
    if (x !== null && typeof x === 'object') {
      const f = scan(x, d + 1);
      if (f) return f;
    }
  }
  return undefined;
}

/**
 * Refuse a payload larger than {@link MAX_PAYLOAD_BYTES}.
 * @param size byte size (from `stat`) or UTF-16 length of the text
 * @throws {RegistryError} `LimitExceeded` naming the file, the size and the limit
 */
export function checkPayloadSize(size: number, file: string): void {
  if (size > MAX_PAYLOAD_BYTES) {
    throw new RegistryError('LimitExceeded', `${file}: payload is ${size} bytes; the limit is ${MAX_PAYLOAD_BYTES} bytes (256 MiB)`);
  }
}
