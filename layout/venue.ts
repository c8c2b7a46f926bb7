/**
 * The venue table: an append-only growable SharedArrayBuffer mapping a venue index (u16,
 * stored in each record) to its venue code. Entries are immutable once published; the
 * writer publishes entry n by storing n+1 into the control word VENUE_COUNT.
 *
 * ```
 *  entry (32 B): +-----------+----------------------------+----------------+
 *                | LEN u32   | CODE (16 B ASCII, 0-pad)   | reserved (12)  |
 *                +-----------+----------------------------+----------------+
 * ```
 *
 * @module
 */
import { SIZE_OF_I32 } from './sizes.js';

/** Offset of the code length. */
export const VENUE_LEN_OFFSET = 0;
/** Offset of the code bytes. */
export const VENUE_CODE_OFFSET = VENUE_LEN_OFFSET + SIZE_OF_I32;
/** Longest venue code in bytes. */
export const VENUE_CODE_MAX = 16;
/** Bytes per venue entry. */
export const VENUE_ENTRY_SIZE = 32;
/** Most venues a registry can hold (the record's VENUE field is a u16). */
export const VENUE_MAX_COUNT = 0xffff;
/** Upper bound of the venue table's growable SharedArrayBuffer. */
export const VENUE_MAX_BYTES = VENUE_ENTRY_SIZE * VENUE_MAX_COUNT;

if (VENUE_CODE_OFFSET + VENUE_CODE_MAX > VENUE_ENTRY_SIZE) throw new Error('layout: venue entry overflow');
