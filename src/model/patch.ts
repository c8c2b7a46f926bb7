/**
 * The shape check of an {@link InstrumentPatch}, shared by the writer (`updateInstrument`) and the
 * wire codec (`validatePatch`): a patch is an object whose own keys are all mutable fields. A key
 * that names an identity field (or nothing) is refused, not dropped: an update never changes less
 * than it says. The values are checked by `validateInstrument` on the patched instrument.
 *
 * @module
 */
import { ValidationError } from '../errors.js';
import { MUTABLE_FIELDS, type InstrumentPatch } from './types.js';

const MUTABLE: ReadonlySet<string> = new Set(MUTABLE_FIELDS);

/**
 * Check that `patch` is an object naming mutable fields only.
 * @throws {ValidationError} `InvalidField` (field `patch`, or the offending key) otherwise.
 */
export function checkPatchKeys(patch: unknown): InstrumentPatch {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) throw new ValidationError('InvalidField', 'patch', 'must be an object');
  for (const k of Object.keys(patch)) {
    if (!MUTABLE.has(k)) throw new ValidationError('InvalidField', k, `is not a mutable field (an update may change ${MUTABLE_FIELDS.join(', ')})`);
  }
  return patch as InstrumentPatch;
}
