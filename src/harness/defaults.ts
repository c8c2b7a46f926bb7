/**
 * Defaults of the bench harness that the CLI needs without loading the harness itself.
 *
 * @module
 */
import { availableParallelism } from 'node:os';

/** Default reader threads: one core is left to the writer (and the main thread), at least 1. */
export function defaultReaders(): number {
  return Math.max(1, availableParallelism() - 1);
}
