/**
 * The binary wire protocol: codec, stream framer and registration log.
 * Format: `layout/wire.ts`; tables: `layout/SPEC-wire.md`.
 *
 * @module
 */
export { encodeMessage, decodeMessage, readHeader } from './codec.js';
export type { WireHeader } from './codec.js';
export { MessageFramer, FRAMER_DEFAULT_BUFFER_BYTES } from './framer.js';
export type { MessageFramerOptions, FramerStats, FrameErrorHandler } from './framer.js';
export { LogApplier, LogWriter, LOG_APPLIER_DEFAULT_MAX_GAP, LOG_APPLIER_MAX_HOLES } from './log.js';
export type { LogTarget, ApplyResult, ApplyEffect, GapPolicy, LogApplierOptions, LogApplierStats, LogWriterOptions } from './log.js';
export { WireFormatError, SequenceGapError, SequenceOutOfRangeError } from './errors.js';
export type { WireErrorCode } from './errors.js';
export { validateVenue } from './venue.js';
export { validatePatch } from './payload.js';
export type * from './types.js';
