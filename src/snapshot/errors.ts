/**
 * The snapshot error type. Layout mismatches (a snapshot of another registry layout) are
 * reported as the shared {@link LayoutMismatchError} instead.
 *
 * @module
 */
import { RegistryError } from '../errors.js';

/**
 * A snapshot file cannot be restored: `CorruptSnapshot` (truncated, not a snapshot, section
 * lengths inconsistent with the header, checksum mismatch) or `UnsupportedVersion` (a snapshot
 * format version this build does not read). `file` is the path that was read.
 */
export class SnapshotError extends RegistryError {
  constructor(
    code: 'CorruptSnapshot' | 'UnsupportedVersion',
    readonly file: string,
    message: string,
  ) {
    super(code, `${file}: ${message}`);
    this.name = 'SnapshotError';
  }
}
