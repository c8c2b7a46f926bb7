/**
 * 32-bit hashes of secondary keys (venue + symbol, ISIN, CUSIP, chain + address, pair and
 * asset ids). The hash only picks a probe start: every hit is verified against the stored key.
 *
 * Strings are hashed over their UTF-16 code units with FNV-1a (Fowler–Noll–Vo, 32-bit,
 * http://www.isthe.com/chongo/tech/comp/fnv/) followed by the MurmurHash3 `fmix32` finaliser
 * for avalanche. Hashing the code units directly means a reader never encodes its query string;
 * `bench/keyhash.bench.ts` measures this against xxhash-wasm `h32` (which must UTF-8-encode into
 * WASM memory first) and shows why the lookup path uses it.
 *
 * Hashes are never 0: 0 marks an empty index entry.
 *
 * @module
 */

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** MurmurHash3 fmix32 finaliser. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** FNV-1a over UTF-16 code units, seeded, not finalised. */
function fnv(s: string, seed: number): number {
  let h = seed;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, FNV_PRIME);
  }
  return h;
}

/** Force a hash non-zero (0 means "empty entry"). */
function nonZero(h: number): number {
  return h === 0 ? 1 : h;
}

/** Hash of a string key (ISIN, CUSIP). */
export function hashString(s: string): number {
  return nonZero(fmix32(fnv(s, FNV_OFFSET)));
}

/** Hash of venue index + symbol. */
export function hashVenueSymbol(venue: number, symbol: string): number {
  return nonZero(fmix32(fnv(symbol, (FNV_OFFSET ^ Math.imul(venue + 1, 0x9e3779b1)) >>> 0)));
}

/** Hash of chain id + address; `address` must already be in its lookup form (lower-case). */
export function hashChainAddress(chainId: number, address: string): number {
  return nonZero(fmix32(fnv(address, (FNV_OFFSET ^ Math.imul(chainId, 0x9e3779b1)) >>> 0)));
}

/** Hash of one 64-bit id given as halves (asset index). */
export function hashIdHalves(lo: number, hi: number): number {
  return nonZero(fmix32((Math.imul(lo ^ 0x27d4eb2f, 0x165667b1) ^ fmix32(hi + 0x9e3779b1)) >>> 0));
}

/** Hash of an unordered pair of ids (pair index): symmetric in its two arguments. */
export function hashIdPair(aLo: number, aHi: number, bLo: number, bHi: number): number {
  const a = hashIdHalves(aLo, aHi);
  const b = hashIdHalves(bLo, bHi);
  return nonZero(fmix32((a ^ b) + Math.imul(Math.min(a, b), 0x85ebca6b)));
}

/** Hash of a 64-bit instrument id for the main table: the id bits are uniform, so just mix the halves. */
export function hashId(lo: number, hi: number): number {
  return (lo ^ Math.imul(hi, 0x9e3779b1)) >>> 0;
}

/** Probe start of a keyed entry whose key words are a packed code (A, B): mixes both words. */
export function hashPacked(a: number, b: number): number {
  return fmix32((a ^ Math.imul(b, 0x9e3779b1)) >>> 0);
}

/**
 * Probe start of an index entry: a hashed entry starts at its hash; a keyed entry at
 * {@link hashPacked} of its first two key words. Writer and readers both use this.
 */
export function entryStart(keyed: boolean, a: number, b: number): number {
  return keyed ? hashPacked(a, b) : a >>> 0;
}
