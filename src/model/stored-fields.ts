/**
 * {@link storedFields}: the one answer to "which fields does an instrument of this kind store?".
 * Discovery uses it so a mapping that produces a field the kind does not store is rejected or,
 * when declared ignorable, counted, never dropped quietly.
 *
 * Derived today from the record header fields (`kind`, `source`, `status`), the wire's common
 * field list (`WIRE_COMMON_FIELDS`, what every record stores) and the kind's detail blob fields
 * (`DETAIL_FIELDS`); it is meant to be re-pointed at the per-kind descriptor once there is one.
 *
 * @module
 */
import { DETAIL_FIELDS } from '../../layout/detail.js';
import { WIRE_COMMON_FIELDS } from '../../layout/wire.js';
import type { InstrumentKind } from './types.js';

const HEADER_FIELDS = ['kind', 'source', 'status'] as const;

const cache = new Map<InstrumentKind, ReadonlySet<string>>();

/**
 * Field names an instrument of `kind` stores (and a reader returns).
 *
 * @param kind an instrument kind.
 * @returns a read-only set of `InstrumentInput` field names, e.g. for `token`: `kind`, `source`,
 *   `status`, `symbol`, `venue`, `name`, …, `createdAt`, `updatedAt`, `chainId`, `address`.
 * @throws {TypeError} for a name that is not a kind.
 * @example
 * storedFields('token').has('currency'); // false
 */
export function storedFields(kind: InstrumentKind): ReadonlySet<string> {
  let s = cache.get(kind);
  if (s === undefined) {
    if (!Object.prototype.hasOwnProperty.call(DETAIL_FIELDS, kind)) throw new TypeError(`not an instrument kind: ${String(kind)}`);
    const detail = (DETAIL_FIELDS as Record<string, ReadonlyArray<readonly [string, string]>>)[kind]!;
    s = new Set<string>([...HEADER_FIELDS, ...WIRE_COMMON_FIELDS.map((f) => f.name), ...detail.map(([name]) => name)]);
    cache.set(kind, s);
  }
  return s;
}
