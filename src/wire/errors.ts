/**
 * Typed errors of the wire protocol. Frame-level failures are {@link WireFormatError}s
 * (a {@link RegistryError} with a wire code and the byte offset where it was detected);
 * field-level failures reuse {@link ValidationError} (`InvalidField`, `FieldTooLong`,
 * `InvalidEnum`, `InvalidIdentifier`). Nothing in `src/wire/` throws anything else.
 *
 * @module
 */
import { RegistryError, ValidationError } from '../errors.js';

/** Frame-level wire error codes. */
export type WireErrorCode = 'BufferTooSmall' | 'BadMagic' | 'UnsupportedVersion' | 'UnknownType' | 'LengthOutOfBounds' | 'ChecksumMismatch';

/**
 * A frame could not be decoded: too short (`BufferTooSmall`), wrong magic (`BadMagic`),
 * another protocol version (`UnsupportedVersion`), unknown message type (`UnknownType`),
 * a length or field running past its bounds (`LengthOutOfBounds`) or a CRC32 that does not
 * match (`ChecksumMismatch`).
 */
export class WireFormatError extends RegistryError {
  /**
   * @param code what went wrong
   * @param message human-readable detail
   * @param offset byte offset within the frame (or payload, for payload fields) where it was detected
   * @param field payload field being decoded, if any
   */
  constructor(
    code: WireErrorCode,
    message: string,
    readonly offset: number,
    field?: string,
  ) {
    super(code, message, field);
    this.name = 'WireFormatError';
  }
}

/**
 * The log applier saw sequence number `got` where it expected `expected` (= last applied + 1):
 * entries `expected .. got-1` are missing. Code `SequenceGap`. Reported, never thrown.
 */
export class SequenceGapError extends RegistryError {
  /**
   * @param expected the sequence number that should have come next
   * @param got the sequence number that arrived (> expected)
   */
  constructor(
    readonly expected: bigint,
    readonly got: bigint,
  ) {
    super('SequenceGap', `expected seq ${expected}, got ${got} (${got - expected} missing)`);
    this.name = 'SequenceGapError';
  }
}

/** Shorthand for an `InvalidField` {@link ValidationError}. */
export function invalidField(field: string, message: string): ValidationError {
  return new ValidationError('InvalidField', field, message);
}

/**
 * A log entry's sequence number `got` lies more than `maxGap` past the last applied `last`:
 * code `SequenceOutOfRange`. Reported by the applier (never thrown); the entry is not applied
 * and does not move the applier's position, so one corrupt sequence number cannot make every
 * later entry look like a duplicate.
 */
export class SequenceOutOfRangeError extends RegistryError {
  /**
   * @param last last applied sequence number
   * @param got the sequence number that arrived
   * @param maxGap largest accepted jump
   */
  constructor(
    readonly last: bigint,
    readonly got: bigint,
    readonly maxGap: bigint,
  ) {
    super('SequenceOutOfRange', `seq ${got} is more than ${maxGap} past the last applied seq ${last}`);
    this.name = 'SequenceOutOfRangeError';
  }
}
