/**
 * Typed errors. Every failure instreg reports is a {@link RegistryError} whose
 * `code` says what happened; callers switch on `code` (or use `instanceof` on the
 * subclasses) instead of parsing messages.
 *
 * @module
 */

/** Every error code instreg raises. */
export type RegistryErrorCode =
  | 'DuplicateSymbol'
  | 'UnknownInstrument'
  | 'InstrumentReferenced'
  | 'HashCollision'
  | 'InvalidField'
  | 'FieldTooLong'
  | 'InvalidEnum'
  | 'InvalidIdentifier'
  | 'LayoutMismatch'
  | 'CapacityExceeded'
  | 'ParseError'
  | 'UnknownFormat'
  | 'Lapped'
  | 'BufferTooSmall'
  | 'BadMagic'
  | 'UnsupportedVersion'
  | 'UnknownType'
  | 'LengthOutOfBounds'
  | 'ChecksumMismatch'
  | 'SequenceGap'
  | 'SequenceOutOfRange'
  | 'CorruptSnapshot'
  | 'LogTruncated'
  | 'NotSupported'
  | 'ConnectionClosed'
  | 'Timeout'
  | 'InvalidArgument'
  | 'InvalidConfig'
  /** An input limit of discovery (payload size, record depth, expression evaluation bounds; see docs/limits-discovery.md). */
  | 'LimitExceeded'
  /** A file-system or socket operation failed (no such file, permission denied, connection refused …); see {@link IoError}. */
  | 'IoError';

/** Base class of every instreg error. `field` names the offending input field when there is one. */
export class RegistryError extends Error {
  readonly code: RegistryErrorCode;
  readonly field: string | undefined;
  constructor(code: RegistryErrorCode, message: string, field?: string) {
    super(`${code}: ${message}`);
    this.name = 'RegistryError';
    this.code = code;
    this.field = field;
  }
}

/** A field failed validation (`InvalidField`, `FieldTooLong`, `InvalidEnum`, `InvalidIdentifier`). Nothing was written. */
export class ValidationError extends RegistryError {
  constructor(code: 'InvalidField' | 'FieldTooLong' | 'InvalidEnum' | 'InvalidIdentifier', field: string, message: string) {
    super(code, `${field}: ${message}`, field);
    this.name = 'ValidationError';
  }
}

/** A second, different instrument has the same venue + symbol as a registered one. Nothing was written. */
export class DuplicateSymbolError extends RegistryError {
  constructor(
    readonly venue: string,
    readonly symbol: string,
    readonly existingId: bigint,
  ) {
    super('DuplicateSymbol', `${venue}:${symbol} is already instrument 0x${existingId.toString(16).padStart(16, '0')}`, 'symbol');
    this.name = 'DuplicateSymbolError';
  }
}

/**
 * A different instrument hashed to an id already in use (the stored fingerprint differs).
 * Nothing was written; the pair is added to the registry's collision audit list.
 */
export class HashCollisionError extends RegistryError {
  constructor(
    readonly id: bigint,
    readonly existingSymbol: string,
    readonly newSymbol: string,
  ) {
    super('HashCollision', `id 0x${id.toString(16).padStart(16, '0')} already holds ${existingSymbol}; refusing ${newSymbol}`);
    this.name = 'HashCollisionError';
  }
}

/** No live instrument has that id. */
export class UnknownInstrumentError extends RegistryError {
  /**
   * @param id the id that has no live instrument
   * @param field when a registration refers to it: the referring field (`baseId`, `legs[1].id`…)
   */
  constructor(
    readonly id: bigint,
    field?: string,
  ) {
    super('UnknownInstrument', `no instrument 0x${id.toString(16).padStart(16, '0')}${field ? ` (referenced by ${field})` : ''}`, field);
    this.name = 'UnknownInstrumentError';
  }
}

/**
 * Removing an instrument that live instruments refer to (a pair's leg, a derivative's underlying,
 * a synthetic's component…) was refused; nothing was removed. Remove with `{ cascade: true }` to
 * remove the referrers too. Code `InstrumentReferenced`.
 */
export class InstrumentReferencedError extends RegistryError {
  constructor(
    readonly id: bigint,
    /** Ids of live instruments that refer to it (the first few). */
    readonly referrers: readonly bigint[],
    readonly referrerCount: number,
  ) {
    super(
      'InstrumentReferenced',
      `instrument 0x${id.toString(16).padStart(16, '0')} is referenced by ${referrerCount} live instrument(s), e.g. ${referrers
        .slice(0, 3)
        .map((r) => `0x${r.toString(16).padStart(16, '0')}`)
        .join(', ')}; remove with { cascade: true } to remove them too`,
    );
    this.name = 'InstrumentReferencedError';
  }
}

/** Shared memory (or a snapshot) carries a different layout magic or version than this build. */
export class LayoutMismatchError extends RegistryError {
  constructor(message: string) {
    super('LayoutMismatch', message);
    this.name = 'LayoutMismatchError';
  }
}

/**
 * A process-level setting is missing or invalid (e.g. no data directory outside a checkout,
 * `--data-dir ""`). Code `InvalidConfig`; `field` names the setting.
 */
export class ConfigError extends RegistryError {
  constructor(field: string, message: string) {
    super('InvalidConfig', message, field);
    this.name = 'ConfigError';
  }
}

/**
 * A file-system or socket operation failed: code `IoError`. `errno` is the Node.js error code
 * (`ENOENT`, `EACCES`, `ENOTDIR`, `EISDIR`, `ENOSPC`, `ECONNREFUSED`, …), `syscall` and `path`
 * say what failed when Node reports them, and `cause` is the original error.
 */
export class IoError extends RegistryError {
  readonly errno: string | undefined;
  readonly syscall: string | undefined;
  readonly path: string | undefined;
  constructor(message: string, cause?: NodeJS.ErrnoException) {
    super('IoError', message);
    this.name = 'IoError';
    this.errno = cause?.code;
    this.syscall = cause?.syscall;
    this.path = cause?.path;
    if (cause) Object.defineProperty(this, 'cause', { value: cause, enumerable: false, configurable: true, writable: true });
  }
}
