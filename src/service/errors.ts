/**
 * Typed errors of the writer service, its clients and replicas. Every one is a
 * {@link RegistryError} with a code.
 *
 * @module
 */
import { RegistryError, type RegistryErrorCode } from '../errors.js';

/**
 * The registration log ended in a torn or corrupt tail that was cut off on open: code
 * `LogTruncated`. A warning (reported, not thrown): entries before `offset` are intact; the
 * dropped bytes were never acknowledged unless the disk itself corrupted acknowledged data.
 */
export class LogTruncatedError extends RegistryError {
  /**
   * @param file segment file that was truncated
   * @param offset byte offset where the bad tail began (the file's new size)
   * @param droppedBytes bytes removed
   * @param reason why the tail was refused (the wire error code or `SequenceGap`)
   */
  constructor(
    readonly file: string,
    readonly offset: number,
    readonly droppedBytes: number,
    readonly reason: string,
  ) {
    super('LogTruncated', `${file}: ${reason} at byte ${offset}; truncated ${droppedBytes} bytes`);
    this.name = 'LogTruncatedError';
  }
}

/**
 * A service-level failure: `NotSupported` (a message type the peer does not serve),
 * `ConnectionClosed` (the connection ended before an answer), `Timeout`, `CorruptSnapshot`
 * (a snapshot transfer that does not add up), `SequenceGap` (the log on disk does not continue
 * the snapshot).
 */
export class ServiceError extends RegistryError {
  /** @param code what happened @param message detail */
  constructor(code: RegistryErrorCode, message: string) {
    super(code, message);
    this.name = 'ServiceError';
  }
}

/**
 * An error the writer sent back for one request (an `errorResponse` frame): `code` is the
 * writer-side `RegistryErrorCode` (`InvalidField`, `DuplicateSymbol`, `HashCollision`, …) and
 * `refSeq` the request's sequence number.
 */
export class RemoteError extends RegistryError {
  /** @param code remote error code @param message remote detail @param refSeq request seq */
  constructor(
    code: RegistryErrorCode,
    message: string,
    readonly refSeq: bigint,
  ) {
    super(code, message);
    this.name = 'RemoteError';
  }
}
