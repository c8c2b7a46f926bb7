/**
 * Listings as the writer sees them: which live instrument holds a venue + symbol
 * ({@link findLiveBySymbol}), and when a placeholder registration may defer to the instrument
 * already registered under its venue + symbol ({@link sameListing}): the same kind, and no descriptive field the placeholder
 * gives contradicts the held one. A placeholder knows less than the held instrument (e.g. an
 * Alpaca asset without the ISIN that iShares holdings gave the same XNAS listing), which is why
 * their ids differ; any field both carry must agree, or the two are different instruments on one
 * venue + symbol (`DuplicateSymbol`).
 *
 * @module
 */
import { ID_HI_WORD, ID_LO_WORD, KIND_CODES, KIND_OFFSET, RECORD_SIZE, RECORD_WORDS, SLOT_STATE, VENUE_OFFSET, codeName } from '../../layout/index.js';
import { joinId } from '../id/derive.js';
import { MUTABLE_FIELDS, symbolIsUnique, type Instrument, type InstrumentInput } from '../model/types.js';
import { hashVenueSymbol } from '../shm/keyhash.js';
import { symbolEquals } from '../shm/record-image.js';
import type { TableWriter } from './table.js';

/** Fields that do not tell listings apart: what an update may change, and the writer's timestamps. */
const NOT_COMPARED: ReadonlySet<string> = new Set<string>([...MUTABLE_FIELDS, 'createdAt', 'updatedAt', 'id']);

/** Canonical text of a field value (bigint ids, fixed-point values, legs). */
function canon(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x));
}

/**
 * Is `incoming` (a placeholder) the listing `held` already is?
 *
 * @param held the live instrument registered under the same venue + symbol.
 * @param incoming the validated placeholder.
 * @returns true when the kinds are equal and every field of `incoming` other than the mutable
 *   ones and the timestamps is either absent from `held` or equal to it.
 */
export function sameListing(held: Instrument, incoming: InstrumentInput): boolean {
  if (held.kind !== incoming.kind) return false;
  const h = held as unknown as Record<string, unknown>;
  for (const [k, v] of Object.entries(incoming)) {
    if (v === undefined || NOT_COMPARED.has(k)) continue;
    const w = h[k];
    if (w !== undefined && canon(w) !== canon(v)) return false;
  }
  return true;
}

/**
 * The live instrument, other than id `lo`/`hi`, registered under `venue` (venue index) +
 * `symbol` whose kind's symbol is the venue's trading key (`symbolIsUnique`), or undefined.
 * Probes the SYMBOL index of the writer's current generation.
 */
export function findLiveBySymbol(t: TableWriter, venue: number, symbol: string, lo: number, hi: number): bigint | undefined {
  const r = t.region;
  const u8 = t.regionU8;
  let found: bigint | undefined;
  t.probeIndex('SYMBOL', hashVenueSymbol(venue, symbol), (slot) => {
    if (t.state(slot) !== SLOT_STATE.FULL) return false;
    const b = slot * RECORD_WORDS;
    const byteBase = slot * RECORD_SIZE;
    if ((u8[byteBase + VENUE_OFFSET]! | (u8[byteBase + VENUE_OFFSET + 1]! << 8)) !== venue) return false;
    if (!symbolEquals(u8, byteBase, symbol)) return false;
    if (!symbolIsUnique(codeName(KIND_CODES, u8[byteBase + KIND_OFFSET]!)!)) return false;
    const sLo = r[b + ID_LO_WORD]! >>> 0;
    const sHi = r[b + ID_HI_WORD]! >>> 0;
    if (sLo === lo >>> 0 && sHi === hi >>> 0) return false;
    found = joinId(sLo, sHi);
    return true;
  });
  return found;
}
