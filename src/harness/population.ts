/**
 * The bench population: every instrument of the benchmarked registry as flat arrays (id halves,
 * kind code, venue number, symbol, ISIN number), in harness SharedArrayBuffers where numeric so
 * they can be handed to reader workers without copying, plus the hot sets.
 *
 * @module
 */
import { KIND_CODES } from '../../layout/index.js';
import { splitId } from '../id/derive.js';
import type { InstrumentKind } from '../model/types.js';

/** One instrument as the bench needs it. */
export interface PopulationEntry {
  id: bigint;
  kind: InstrumentKind;
  venue: string;
  symbol: string;
  isin?: string;
}

/** The population arrays (index i = instrument i). */
export interface Population {
  /** Id halves (unsigned). */
  lo: Uint32Array;
  hi: Uint32Array;
  /** Kind code (`KIND_CODES`). */
  kinds: Uint8Array;
  /** Venue number (index into `venueCodes`). */
  venueOf: Uint32Array;
  venueCodes: string[];
  symbols: string[];
  /** Distinct ISINs, and per instrument its index there (-1 = none). */
  isins: string[];
  isinOf: Int32Array;
  /** Hot set: K distinct instrument indexes, and K distinct ISIN indexes. */
  hotIds: Uint32Array;
  hotIsins: Uint32Array;
}

/** Distinct random sample of `k` of `0..n-1` (partial Fisher–Yates). */
export function sample(n: number, k: number, rnd: () => number): Uint32Array {
  k = Math.min(k, n);
  const idx = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(rnd() * (n - i));
    const t = idx[i]!;
    idx[i] = idx[j]!;
    idx[j] = t;
  }
  return idx.slice(0, k);
}

function sharedU32(n: number): Uint32Array {
  return new Uint32Array(new SharedArrayBuffer(Math.max(4, n * 4)), 0, n);
}

/** Lay out `entries` as a {@link Population} with hot sets of `hotSet` instruments and ISINs drawn with `rnd`. */
export function buildPopulation(entries: readonly PopulationEntry[], hotSet: number, rnd: () => number): Population {
  const n = entries.length;
  const lo = sharedU32(n);
  const hi = sharedU32(n);
  const kinds = new Uint8Array(new SharedArrayBuffer(Math.max(1, n)), 0, n);
  const venueOf = sharedU32(n);
  const isinOf = new Int32Array(new SharedArrayBuffer(Math.max(4, n * 4)), 0, n);
  const venueCodes: string[] = [];
  const venueNo = new Map<string, number>();
  const symbols: string[] = new Array<string>(n);
  const isinNo = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const e = entries[i]!;
    const [l, h] = splitId(e.id);
    lo[i] = l;
    hi[i] = h;
    kinds[i] = KIND_CODES[e.kind];
    let v = venueNo.get(e.venue);
    if (v === undefined) venueNo.set(e.venue, (v = venueCodes.push(e.venue) - 1));
    venueOf[i] = v;
    symbols[i] = e.symbol;
    let k = -1;
    if (e.isin) {
      k = isinNo.get(e.isin) ?? -1;
      if (k < 0) isinNo.set(e.isin, (k = isinNo.size));
    }
    isinOf[i] = k;
  }
  const isins = [...isinNo.keys()];
  const hotIds = sample(n, hotSet, rnd);
  const hotIsins = sample(isins.length, hotSet, rnd);
  return { lo, hi, kinds, venueOf, venueCodes, symbols, isins, isinOf, hotIds, hotIsins };
}
