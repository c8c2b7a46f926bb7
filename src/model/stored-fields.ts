/**
 * {@link storedFields}: the one answer to "which fields does an instrument of this kind store?".
 * Discovery uses it so a mapping that produces a field the kind does not store is rejected or,
 * when declared ignorable, counted, never dropped quietly; `validateInstrument` refuses the same
 * fields with `InvalidField`.
 *
 * Derived from the common fields (`COMMON_FIELD_NAMES`) and the kind's descriptor
 * (`layout/kinds.ts`).
 *
 * @module
 */
import { KINDS, type KindField } from '../../layout/kinds.js';
import { RegistryError } from '../errors.js';
import { COMMON_FIELD_NAMES, type InstrumentKind } from './types.js';

const cache = new Map<InstrumentKind, ReadonlySet<string>>();

/**
 * Field names an instrument of `kind` stores (and a reader returns).
 *
 * @param kind an instrument kind.
 * @returns a read-only set of `InstrumentInput` field names, e.g. for `token`: `kind`, `source`,
 *   `status`, `symbol`, `venue`, `name`, …, `createdAt`, `updatedAt`, `chainId`, `address`, `assetId`.
 * @throws {RegistryError} `InvalidArgument` for a name that is not a kind.
 * @example
 * storedFields('token').has('currency'); // false
 */
export function storedFields(kind: InstrumentKind): ReadonlySet<string> {
  let s = cache.get(kind);
  if (s === undefined) {
    if (typeof kind !== 'string' || !Object.prototype.hasOwnProperty.call(KINDS, kind)) {
      throw new RegistryError('InvalidArgument', `not an instrument kind: ${String(kind).slice(0, 40)}`);
    }
    s = new Set<string>([...COMMON_FIELD_NAMES, ...(KINDS[kind].fields as readonly KindField[]).map((f) => f.name)]);
    cache.set(kind, s);
  }
  return s;
}
