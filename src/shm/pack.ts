/**
 * Base-40 packing of short identifier codes (ISIN, CUSIP) into two 32-bit words, so that a
 * secondary-index entry carries the code itself and a match is verified in the index.
 *
 * Alphabet (digit value): pad 0, `0`-`9` 1-10, `A`-`Z` 11-36 (lower case folds to upper), `*` 37,
 * `@` 38, `#` 39: the CUSIP character set (CUSIP Global Services, ANSI X9.6), which contains the
 * ISIN one (ISO 6166: `[0-9A-Z]`). Six digits fit a word because 40^6 − 1 = 4 095 999 999 < 2^32.
 * Word A holds characters 0-5 and word B characters 6-11, first character most significant,
 * right-padded with 0; a non-empty code never packs to A = 0, which marks an empty entry.
 *
 * @module
 */

/** Longest code that packs (two words of six characters). */
export const PACKED_CODE_MAX = 12;

const DIGIT = new Int8Array(128).fill(-1);
for (let c = 0; c < 10; c++) DIGIT[48 + c] = 1 + c;
for (let c = 0; c < 26; c++) {
  DIGIT[65 + c] = 11 + c;
  DIGIT[97 + c] = 11 + c;
}
DIGIT[42] = 37; // *
DIGIT[64] = 38; // @
DIGIT[35] = 39; // #

/**
 * Pack `code` (1-12 characters of the alphabet above, case-insensitive) into `out[0]` (A) and
 * `out[1]` (B), as signed Int32 values (the form Int32Array elements are read back in).
 * @returns false (out untouched) if the code is empty, too long or has another character.
 */
export function packCode(code: string, out: Int32Array): boolean {
  const n = code.length;
  if (n === 0 || n > PACKED_CODE_MAX) return false;
  let a = 0;
  let b = 0;
  for (let i = 0; i < PACKED_CODE_MAX; i++) {
    let d = 0;
    if (i < n) {
      const c = code.charCodeAt(i);
      d = c < 128 ? DIGIT[c]! : -1;
      if (d < 0) return false;
    }
    if (i < 6) a = a * 40 + d;
    else b = b * 40 + d;
  }
  out[0] = a | 0;
  out[1] = b | 0;
  return true;
}
