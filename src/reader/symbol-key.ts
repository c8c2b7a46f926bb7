/**
 * {@link SymbolKey}: a prepared venue + symbol lookup key. Preparing hashes the symbol and packs
 * the record words it must match (the VENUE|SYMBOL_LEN word and the NUL-padded symbol words of
 * the record's first cache line) once, so a lookup hashes nothing and verifies the record with a
 * few integer compares. A key also remembers the slot it last matched, revalidated under the
 * seqlock on every use, so a stale key is never wrong: it only falls back to the index.
 *
 * @module
 */
import { SIZE_OF_I32, SYMBOL_LEN_OFFSET, SYMBOL_MAX_BYTES, VENUE_OFFSET } from '../../layout/index.js';
import { RegistryError } from '../errors.js';
import { hashVenueSymbol } from '../shm/keyhash.js';

/** Symbol words in a record's first line. */
export const SYMBOL_WORDS = SYMBOL_MAX_BYTES / SIZE_OF_I32;
const LEN_SHIFT = (SYMBOL_LEN_OFFSET - VENUE_OFFSET) * 8;
const utf8 = new TextEncoder();

/** A prepared venue + symbol key. Create with `RegistryReader.prepareSymbolKey`; reuse freely. */
export class SymbolKey {
  /** Venue index. */
  venue = -1;
  /** Symbol as given. */
  symbol = '';
  /** @internal SYMBOL index hash */
  hash = 0;
  /** @internal expected VENUE|SYMBOL_LEN record word */
  venueWord = 0;
  /** @internal expected symbol words (NUL padded) */
  readonly words = new Int32Array(SYMBOL_WORDS);
  /** @internal symbol words to compare (ceil(len / 4)) */
  nWords = 0;
  /** @internal last matched slot (-1 = none) and its generation */
  slot = -1;
  /** @internal */
  gen = 0;

  /**
   * (Re)fill the key. ASCII symbols are packed without allocation.
   * @returns false if the symbol cannot be stored (empty or longer than the record's 28 bytes).
   * @throws {RegistryError} `InvalidArgument` if `venue` is not a venue index (0..0xffff) or
   *   `symbol` not a string (nothing changes).
   */
  set(venue: number, symbol: string): boolean {
    if (typeof venue !== 'number' || (venue & 0xffff) !== venue)
      throw new RegistryError('InvalidArgument', `venue index must be an integer in 0..0xffff, got ${typeof venue === 'number' ? venue : typeof venue}`);
    if (typeof symbol !== 'string') throw new RegistryError('InvalidArgument', `symbol must be a string, got ${typeof symbol}`);
    this.venue = venue;
    this.symbol = symbol;
    this.slot = -1;
    this.gen = 0;
    const w = this.words;
    w.fill(0);
    let n = symbol.length;
    let ascii = true;
    for (let i = 0; i < n; i++) if (symbol.charCodeAt(i) >= 0x80) ascii = false;
    if (ascii) {
      if (n === 0 || n > SYMBOL_MAX_BYTES) return this.unusable();
      for (let i = 0; i < n; i++) w[i >> 2] |= symbol.charCodeAt(i) << ((i & 3) * 8);
    } else {
      const b = utf8.encode(symbol);
      n = b.length;
      if (n > SYMBOL_MAX_BYTES) return this.unusable();
      for (let i = 0; i < n; i++) w[i >> 2] |= b[i]! << ((i & 3) * 8);
    }
    this.nWords = (n + 3) >> 2;
    this.venueWord = venue | (n << LEN_SHIFT) | 0;
    this.hash = hashVenueSymbol(venue, symbol) | 0;
    return true;
  }

  private unusable(): false {
    this.disable();
    return false;
  }

  /** @internal make the key match nothing (unknown venue, unstorable symbol) */
  disable(): void {
    this.nWords = 0;
    this.venueWord = -1; // no record has this word (its reserved byte is 0)
    this.hash = 0; // no index entry has hash 0: lookups miss at once
  }
}

/**
 * A new key for `venue` (an index from `RegistryReader.venueIndex`) + `symbol`.
 * @throws {RegistryError} `InvalidArgument` if `venue` is not a venue index (an unknown venue
 *   code resolves to -1: such a key is valid and never matches).
 */
export function newSymbolKey(venue: number, symbol: string): SymbolKey {
  if (!Number.isInteger(venue) || venue < -1 || venue > 0xffff)
    throw new RegistryError('InvalidArgument', `venue index ${typeof venue === 'number' ? venue : typeof venue}`);
  if (typeof symbol !== 'string') throw new RegistryError('InvalidArgument', 'symbol must be a string');
  const k = new SymbolKey();
  if (!k.set(Math.max(0, venue), symbol) || venue < 0) k.disable();
  return k;
}
