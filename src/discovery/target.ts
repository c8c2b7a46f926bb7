/**
 * The shape check of a discovery {@link RegistrationTarget} (what `discover`, `loadPayload` and
 * `loadDirectory` register into), run at those entry points.
 *
 * @module
 */
import { RegistryError } from '../errors.js';
import type { RegistrationTarget } from './engine.js';

/**
 * @throws {RegistryError} `InvalidArgument` if `target` is not an object with `idOf` and
 *   `registerInstrument` functions (and, when present, functions for `has`, `prepare`, `registerPrepared`).
 */
export function checkTarget(target: unknown): RegistrationTarget {
  const t = target as Record<string, unknown> | null;
  if (typeof t !== 'object' || t === null || typeof t['idOf'] !== 'function' || typeof t['registerInstrument'] !== 'function') {
    throw new RegistryError('InvalidArgument', 'target must have idOf and registerInstrument methods (an InstrumentRegistry, for example)');
  }
  for (const k of ['has', 'prepare', 'registerPrepared']) {
    if (t[k] !== undefined && typeof t[k] !== 'function') throw new RegistryError('InvalidArgument', `target.${k} must be a function`);
  }
  return target as RegistrationTarget;
}
