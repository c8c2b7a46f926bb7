/**
 * Per-reader key streams and thread-local `Map` baselines of the bench.
 *
 * **Streams.** For each access pattern (`hot`: uniform over the hot set; `random`: uniform over
 * the whole population) a reader draws ONE access sequence of instrument indexes from its own
 * seeded PRNG, then lays out the keys every scenario needs *in access order*, so a lookup loop
 * walks its keys sequentially (one prefetch-friendly stream, no extra cache miss per key):
 * `ids` = Int32Array [lo0, hi0, lo1, hi1, …], `idx` = Int32Array of instrument indexes (the
 * `Map<number>` key), `bigs` = BigInt ids (copies of the Map's keys), `venues` + `symbols`, prepared symbol keys,
 * `"VENUE:SYMBOL"` strings, ISINs. Every scenario of a pattern walks the same sequence.
 *
 * **Maps.** Each holds the same population as the table (every instrument; the ISIN map every
 * ISIN with all its listings); values are one shared small object per instrument holding the
 * field the lookup reads (`kindCode`):
 * - `Map<number>`: key = the instrument's index in the population (0..n-1, a small integer):
 *   unique by construction and the fastest key a V8 `Map` has (a Smi, hashed without a heap
 *   load), so it is the strictest baseline. (A 53-bit number derived from the id is a heap
 *   number and slower; it would flatter instreg.)
 * - `Map<bigint>`: key = the 64-bit id as a BigInt (prebuilt; no BigInt made per lookup).
 * - `Map<string>` venue + symbol: key `"VENUE:SYMBOL"`; ISIN: key = the ISIN, value = the
 *   array of its listings. Query strings are separate copies of the keys (equal content,
 *   different objects), as keys parsed from a message would be; V8 caches a string's hash in
 *   the string after its first use, so repeated queries do not re-hash.
 *
 * @module
 */
import type { Population } from './population.js';
import type { HotApi, HotSymbolKey } from './hot-api.js';

/** Access pattern. */
export type Pattern = 'hot' | 'random';

/** Value of every Map baseline: the field the lookup reads. */
export interface MapValue {
  readonly kindCode: number;
  readonly index: number;
}

/** The thread-local Map baselines. */
export interface Maps {
  byNumber: Map<number, MapValue>;
  byBigint: Map<bigint, MapValue>;
  bySymbol: Map<string, MapValue>;
  byIsin: Map<string, MapValue[]>;
  /** Prebuilt BigInt id of every instrument. */
  bigIds: bigint[];
}

/** The keys of one pattern's access sequence, in access order (see module doc). */
export interface Stream {
  /** Accesses in the sequence (a power of two); positions wrap with `mask`. */
  length: number;
  mask: number;
  /** Current position (each scenario keeps walking from where the last batch stopped). */
  pos: number;
  idx: Int32Array;
  ids: Int32Array;
  bigs: bigint[];
  venues: Int32Array;
  symbols: string[];
  symbolKeys: HotSymbolKey[];
  venueSymbols: string[];
  /** ISIN accesses (their own sequence: uniform over the hot ISINs / all ISINs). */
  isins: string[];
}

/** Build the Map baselines over the whole population. */
export function buildMaps(a: Population): Maps {
  const n = a.lo.length;
  const byNumber = new Map<number, MapValue>();
  const byBigint = new Map<bigint, MapValue>();
  const bySymbol = new Map<string, MapValue>();
  const byIsin = new Map<string, MapValue[]>();
  const bigIds = new Array<bigint>(n);
  for (let i = 0; i < n; i++) {
    const v: MapValue = Object.freeze({ kindCode: a.kinds[i]!, index: i });
    const id = (BigInt(a.hi[i]!) << 32n) | BigInt(a.lo[i]!);
    bigIds[i] = id;
    byNumber.set(i, v);
    byBigint.set(id, v);
    const sk = `${a.venueCodes[a.venueOf[i]!]!}:${a.symbols[i]!}`;
    if (!bySymbol.has(sk)) bySymbol.set(sk, v); // first listing wins, as the symbol index returns the first match
    const isin = a.isinOf[i]!;
    if (isin >= 0) {
      const k = a.isins[isin]!;
      const l = byIsin.get(k);
      if (l) l.push(v);
      else byIsin.set(k, [v]);
    }
  }
  return { byNumber, byBigint, bySymbol, byIsin, bigIds };
}

/**
 * A copy of `s`: a different, flat, sequential string object with the same content (as a string
 * decoded from a message would be). `slice` / concatenation would make a sliced or cons string
 * pointing into another object, which costs every comparison an extra indirection.
 */
function copyString(s: string): string {
  return Buffer.from(s, 'utf8').toString('utf8');
}

/**
 * Build a reader's stream for one pattern: `length` accesses (a power of two) drawn with `rnd`.
 * `venueIdx` maps the harness's venue numbers to the reader's venue indexes; `hot` prepares
 * symbol keys (prepared once per instrument and shared by every access to it).
 */
export function buildStream(
  a: Population,
  pattern: Pattern,
  length: number,
  rnd: () => number,
  venueIdx: Int32Array,
  maps: Maps | undefined,
  hot: HotApi | undefined,
): Stream {
  const n = a.lo.length;
  const K = a.hotIds.length;
  const idx = new Int32Array(length);
  for (let k = 0; k < length; k++) idx[k] = pattern === 'hot' ? a.hotIds[Math.floor(rnd() * K)]! : Math.floor(rnd() * n);
  const ids = new Int32Array(2 * length);
  const venues = new Int32Array(length);
  const symbols = new Array<string>(length);
  const venueSymbols = new Array<string>(length);
  const bigs = new Array<bigint>(maps ? length : 0);
  const symbolKeys = new Array<HotSymbolKey>(hot ? length : 0);
  const prepared = new Map<number, HotSymbolKey>();
  const symCopy = new Map<number, string>();
  for (let k = 0; k < length; k++) {
    const i = idx[k]!;
    ids[2 * k] = a.lo[i]! | 0;
    ids[2 * k + 1] = a.hi[i]! | 0;
    venues[k] = venueIdx[a.venueOf[i]!]!;
    // Hot: one string copy / prepared key per instrument, shared by its accesses; random: one per access.
    let sym = pattern === 'hot' ? symCopy.get(i) : undefined;
    if (sym === undefined) {
      sym = copyString(a.symbols[i]!);
      if (pattern === 'hot') symCopy.set(i, sym);
    }
    symbols[k] = sym;
    venueSymbols[k] = copyString(`${a.venueCodes[a.venueOf[i]!]!}:${a.symbols[i]!}`);
    // A BigInt equal to the Map's key but another object (as one decoded from a message would be).
    if (maps) bigs[k] = (BigInt(a.hi[i]!) << 32n) | BigInt(a.lo[i]!);
    if (hot) {
      let key = pattern === 'hot' ? prepared.get(i) : undefined;
      if (key === undefined) {
        key = hot.reader.prepareSymbolKey(venues[k]!, a.symbols[i]!);
        if (pattern === 'hot') prepared.set(i, key);
      }
      symbolKeys[k] = key;
    }
  }
  const isins = new Array<string>(a.isins.length ? length : 0);
  const KI = a.hotIsins.length;
  for (let k = 0; k < isins.length; k++) {
    const j = pattern === 'hot' ? a.hotIsins[Math.floor(rnd() * KI)]! : Math.floor(rnd() * a.isins.length);
    isins[k] = copyString(a.isins[j]!);
  }
  return { length, mask: length - 1, pos: 0, idx, ids, bigs, venues, symbols, symbolKeys, venueSymbols, isins };
}
