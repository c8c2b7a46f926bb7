/**
 * The string heap: an append-only growable SharedArrayBuffer holding what does not fit
 * in a record (names, per-kind detail blobs). Entries are immutable once written and are
 * only reachable through a record published under its seqlock, so reading them needs no
 * lock (see `SPEC.md`, "String heap").
 *
 * ```
 *  heap byte 0        8        ref         ref+4                 ref+4+len   (pad to 4)
 *  +-----------------+--------+-----------+---------------------+---------+
 *  | reserved (0)    |  ...   | LEN u32   | payload bytes       | 0-pad   |  next entry …
 *  +-----------------+--------+-----------+---------------------+---------+
 * ```
 * A reference is the byte offset of an entry's LEN word; reference 0 means "none".
 *
 * @module
 */
import { SIZE_OF_I32 } from './sizes.js';

/** Bytes reserved at the start so that reference 0 is never a valid entry. */
export const HEAP_HEADER_SIZE = 8;
/** Offset of the length word inside an entry. */
export const HEAP_ENTRY_LEN_OFFSET = 0;
/** Offset of the payload inside an entry. */
export const HEAP_ENTRY_DATA_OFFSET = HEAP_ENTRY_LEN_OFFSET + SIZE_OF_I32;
/** Entry alignment. */
export const HEAP_ALIGN = SIZE_OF_I32;
/** Upper bound of the heap's growable SharedArrayBuffer (V8 caps growable buffers at 4 GiB). */
export const HEAP_MAX_BYTES = 4 * 1024 ** 3;
/** Largest HEAP_USED: the heap's end offset must fit the u32 control word (HEAP_MAX_BYTES − HEAP_ALIGN). */
export const HEAP_USED_MAX = HEAP_MAX_BYTES - HEAP_ALIGN;
/** Longest name in UTF-8 bytes. */
export const NAME_MAX_BYTES = 256;
