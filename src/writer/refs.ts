/**
 * Referential integrity between instruments: the references of an instrument (every `id` field
 * of its kind's descriptor in `layout/kinds.ts`, and a synthetic's leg ids) must name live
 * instruments, and an instrument that live instruments refer to is not removed unless asked to
 * cascade.
 *
 * {@link ReferenceCounts} counts, per referenced id, the live references to it. Counting costs
 * two map updates per reference on every registration, so it starts on the first removal (one
 * pass over the live instruments) and is kept up to date from then on: registries that never
 * remove pay nothing.
 *
 * @module
 */
import { KINDS, type KindField } from '../../layout/index.js';
import type { InstrumentInput, SyntheticLeg } from '../model/types.js';

/** Reference fields of each kind (descriptor fields of type `id`). */
const REF_FIELDS: Record<string, readonly string[]> = Object.fromEntries(
  Object.entries(KINDS).map(([k, d]) => [k, (d.fields as readonly KindField[]).filter((f) => f.type === 'id').map((f) => f.name)]),
);

/** Names of every reference field of any kind (for display: shown as ids). */
export const REFERENCE_FIELD_NAMES: ReadonlySet<string> = new Set(Object.values(REF_FIELDS).flat());

/**
 * Visit every reference of a validated instrument.
 * @param visit called with the referring field (`baseId`, `legs[2].id`) and the referenced id
 */
export function forEachReference(inst: InstrumentInput, visit: (field: string, id: bigint) => void): void {
  const rec = inst as unknown as Record<string, unknown>;
  for (const f of REF_FIELDS[inst.kind]!) {
    const v = rec[f];
    if (v !== undefined) visit(f, v as bigint);
  }
  if (inst.kind === 'synthetic') (inst.legs as SyntheticLeg[]).forEach((l, i) => visit(`legs[${i}].id`, l.id));
}

/** Does `inst` refer to `id`? */
export function refersTo(inst: InstrumentInput, id: bigint): boolean {
  let found = false;
  forEachReference(inst, (_f, r) => {
    if (r === id) found = true;
  });
  return found;
}

/** Live-reference counts per referenced id (writer-local). */
export class ReferenceCounts {
  private readonly counts = new Map<bigint, number>();

  /** Start counting from the live instruments. */
  constructor(live: Iterable<InstrumentInput>) {
    for (const inst of live) this.add(inst);
  }

  /** Count the references of an instrument that became live (or changed to this version). */
  add(inst: InstrumentInput): void {
    forEachReference(inst, (_f, id) => this.counts.set(id, (this.counts.get(id) ?? 0) + 1));
  }

  /** Forget the references of an instrument that is no longer live (or of its old version). */
  remove(inst: InstrumentInput): void {
    forEachReference(inst, (_f, id) => {
      const n = (this.counts.get(id) ?? 0) - 1;
      if (n > 0) this.counts.set(id, n);
      else this.counts.delete(id);
    });
  }

  /** Live references to `id`. */
  count(id: bigint): number {
    return this.counts.get(id) ?? 0;
  }
}
