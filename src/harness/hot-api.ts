/**
 * The allocation-free hot API of {@link RegistryReader} (issue 8 item 1) as the bench harness
 * uses it: `FieldSet`, `readById`, `prepareSymbolKey` / `readBySymbolKey`, `readBySymbol`,
 * `findByIsinSlots`, `readSlot` (`src/reader/reader.ts`, `src/reader/core.ts`).
 *
 * {@link loadHotApi} checks that the reader has every method, so the harness still runs (with
 * the view-API rows standing in, `hotApi: false` in the result) against a reader without it.
 *
 * @module
 */
import { FieldSet } from '../reader/fields.js';
import type { RegistryReader } from '../reader/reader.js';
import type { SymbolKey } from '../reader/symbol-key.js';

/** The field set the bench reads: `kindCode` (and `slot`) after a successful read. */
export type HotFieldSet = FieldSet;

/** A prepared venue + symbol key. */
export type HotSymbolKey = SymbolKey;

/** The hot methods of a reader. */
export type HotReader = Pick<RegistryReader, 'readById' | 'prepareSymbolKey' | 'readBySymbolKey' | 'readBySymbol' | 'findByIsinSlots' | 'readSlot'>;

/** What {@link loadHotApi} returns when the reader has the hot API. */
export interface HotApi {
  reader: HotReader;
  /** `new FieldSet(['kind'])`. */
  kindFields(): HotFieldSet;
}

const METHODS = ['readById', 'prepareSymbolKey', 'readBySymbolKey', 'readBySymbol', 'findByIsinSlots', 'readSlot'] as const;

/** The hot API of `reader`, or undefined when it lacks one of the methods. */
export async function loadHotApi(reader: RegistryReader): Promise<HotApi | undefined> {
  const r = reader as unknown as Record<string, unknown>;
  if (!METHODS.every((m) => typeof r[m] === 'function')) return undefined;
  return { reader, kindFields: () => new FieldSet(['kind']) };
}
