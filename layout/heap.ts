/**
 * The string heap: what does not fit in a record (names, per-kind detail blobs). There are two
 * heap buffers, paired with the two table regions: the records of table generation g reference
 * entries of `heaps[g & 1]` only. Within a generation a heap is append-only and its entries are
 * immutable; every new generation (a rebuild, or the compaction copy the writer makes when garbage
 * passes a threshold) copies only the entries its records reference into the other buffer, so
 * garbage left by updates is dropped. The buffer of generation g is rewritten only for
 * generation g+2, and the writer announces that (control `BUILDING` ← g+2, an `Atomics.exchange`)
 * before its first store into it; a reader that copied an entry of generation g re-checks
 * `BUILDING` afterwards (see `SPEC.md`, "String heap" and "Memory ordering").
 *
 * ```
 *  heap byte 0        8        ref         ref+4                 ref+4+len   (pad to 4)
 *  +-----------------+--------+-----------+---------------------+---------+
 *  | reserved (0)    |  ...   | LEN u32   | payload bytes       | 0-pad   |  next entry …
 *  +-----------------+--------+-----------+---------------------+---------+
 * ```
 * A reference is the byte offset of an entry's LEN word in its generation's heap; reference 0
 * means "none".
 *
 * @module
 */
import { SIZE_OF_I32 } from './sizes.js';

/** Number of heap buffers (double buffering, paired with the table regions: generation g uses `heaps[g & 1]`). */
export const HEAP_COUNT = 2;
/** Bytes reserved at the start so that reference 0 is never a valid entry. */
export const HEAP_HEADER_SIZE = 8;
/** Offset of the length word inside an entry. */
export const HEAP_ENTRY_LEN_OFFSET = 0;
/** Offset of the payload inside an entry. */
export const HEAP_ENTRY_DATA_OFFSET = HEAP_ENTRY_LEN_OFFSET + SIZE_OF_I32;
/** Entry alignment. */
export const HEAP_ALIGN = SIZE_OF_I32;
/** Upper bound of each heap's growable SharedArrayBuffer (V8 caps growable buffers at 4 GiB). */
export const HEAP_MAX_BYTES = 4 * 1024 ** 3;
/** Largest HEAP_USED: the heap's end offset must fit the u32 control word (HEAP_MAX_BYTES − HEAP_ALIGN). */
export const HEAP_USED_MAX = HEAP_MAX_BYTES - HEAP_ALIGN;
/** Longest name in UTF-8 bytes. */
export const NAME_MAX_BYTES = 256;
