/**
 * The allocation-free hot API of {@link RegistryReader} (issue 8 item 1) as the bench harness
 * uses it: `FieldSet`, `readById`, `prepareSymbolKey` / `readBySymbolKey`, `readBySymbol`,
 * `findByIsinSlots`, `readSlot`.
 *
 * The harness resolves it at run time ({@link loadHotApi}) so that it builds and runs against a
 * reader without it (then the rows that need it are reported `available: false` and the
 * convenience-view rows stand in for `results.byId` / `bySymbol` / `byIsin`, see `run.ts`).
 *
 * @module
 */
import type { RegistryReader } from '../reader/reader.js';

/** Fields a `FieldSet(['kind'])` exposes after a successful read (what the bench reads). */
export interface HotFieldSet {
  /** `KIND_CODES` of the record read last. */
  readonly kindCode: number;
  /** Slot of the record read last. */
  readonly slot: number;
}

/** An opaque prepared venue + symbol key. */
export type HotSymbolKey = object;

/** The hot methods of a reader. */
export interface HotReader {
  readById(idLo: number, idHi: number, f: HotFieldSet): boolean;
  prepareSymbolKey(venue: string | number, symbol: string): HotSymbolKey;
  readBySymbolKey(key: HotSymbolKey, f: HotFieldSet): boolean;
  readBySymbol(venueIndex: number, symbol: string, f: HotFieldSet): boolean;
  findByIsinSlots(isin: string, out: Int32Array): number;
  readSlot(slot: number, f: HotFieldSet): boolean;
}

/** What {@link loadHotApi} returns when the reader has the hot API. */
export interface HotApi {
  reader: HotReader;
  /** `new FieldSet(['kind'])`. */
  kindFields(): HotFieldSet;
}

const METHODS = ['readById', 'prepareSymbolKey', 'readBySymbolKey', 'readBySymbol', 'findByIsinSlots', 'readSlot'] as const;

/**
 * The hot API of `reader`, or undefined when this build's reader does not have it (every
 * method of {@link HotReader} and `FieldSet` in `src/reader/fields.ts` are required).
 */
export async function loadHotApi(reader: RegistryReader): Promise<HotApi | undefined> {
  const r = reader as unknown as Record<string, unknown>;
  if (!METHODS.every((m) => typeof r[m] === 'function')) return undefined;
  let FieldSet: (new (fields: string[]) => HotFieldSet) | undefined;
  try {
    // A computed specifier: this module must build while src/reader/fields.ts does not exist.
    const spec = '../reader/fields.js';
    ({ FieldSet } = (await import(spec)) as { FieldSet?: new (fields: string[]) => HotFieldSet });
  } catch {
    return undefined;
  }
  if (typeof FieldSet !== 'function') return undefined;
  const F = FieldSet;
  return { reader: reader as unknown as HotReader, kindFields: () => new F(['kind']) };
}
