/**
 * The writer's side of the secondary indexes: where each index lives in a region, and adding,
 * invalidating and probing entries (`layout/region.ts` gives the entry formats, `layout/SPEC.md`
 * "Indexes" the protocol). An entry is published by its `Atomics.store(KEY_A)` after its plain
 * SLOT and key words; it is invalidated by `Atomics.store(SLOT, DEAD_SLOT)` and never emptied
 * within a generation.
 *
 * @module
 */
import {
  DEAD_SLOT,
  ENTRY_KEY_A_WORD,
  INDEXES,
  KEYED_KEY_B_WORD,
  KEYED_KEY_C_WORD,
  MAX_INDEX_LOAD_FACTOR,
  SIZE_OF_I32,
  indexOffset,
  type IndexName,
} from '../../layout/index.js';
import { RegistryError } from '../errors.js';
import type { IndexKey } from '../shm/index-keys.js';
import { entryStart } from '../shm/keyhash.js';

/** Location and format of one secondary index inside the current region, in Int32 words. @internal */
export interface IndexArea {
  base: number;
  mask: number;
  entryWords: number;
  slotWord: number;
  keyed: boolean;
  /** Entries in use (live or dead) in this generation. */
  used: number;
  /** Writer-private: where the run of each key with many entries ends, by KEY_A (this generation). */
  tails: Map<number, RunTail[]>;
}

/** The last entry of one long-running key (a, b, c); `end` = -1 until its first insert past LONG_RUN. */
interface RunTail {
  b: number;
  c: number;
  end: number;
}

/** Same-key entries an insert passes before the writer remembers where that key's run ends. */
const LONG_RUN = 8;
/** Most index entries one registration adds (SYMBOL, ISIN, CUSIP or ADDRESS, PAIR, 2 × ASSET). */
const MAX_ENTRIES_PER_REGISTRATION = 6;

/** The run-end record of key (a, b, c) in `area`, created on first use. */
function runTail(area: IndexArea, a: number, b: number, c: number): RunTail {
  let list = area.tails.get(a);
  if (!list) area.tails.set(a, (list = []));
  for (const t of list) if (t.b === b && t.c === c) return t;
  const t: RunTail = { b, c, end: -1 };
  list.push(t);
  return t;
}

/** The index areas of a region of `capacity` slots, all empty. @internal */
export function indexAreas(capacity: number): Record<IndexName, IndexArea> {
  const out = {} as Record<IndexName, IndexArea>;
  for (const [name, def] of Object.entries(INDEXES) as [IndexName, (typeof INDEXES)[IndexName]][]) {
    out[name] = {
      base: indexOffset(capacity, name) / SIZE_OF_I32,
      mask: capacity * def.capacityFactor - 1,
      entryWords: def.entryWords,
      slotWord: def.slotWord,
      keyed: def.keyed,
      used: 0,
      tails: new Map(),
    };
  }
  return out;
}

/** Does every area have room for one more registration's entries (≤ MAX_INDEX_LOAD_FACTOR)? @internal */
export function haveRoom(areas: readonly IndexArea[]): boolean {
  for (const a of areas) if (a.used + MAX_ENTRIES_PER_REGISTRATION > (a.mask + 1) * MAX_INDEX_LOAD_FACTOR) return false;
  return true;
}

/**
 * Add an entry for `slot` under `key` in `area` of region `r`. Entries are only invalidated
 * ({@link killEntry}), never removed, within a generation. The k-th entry of one key costs O(1)
 * expected probes, not O(k): for a key with a long run (many listings of one asset or ISIN) the
 * writer remembers where its run ends.
 * @returns entries examined (a cost counter for tests and benches)
 * @throws {RegistryError} `CapacityExceeded` if the area is full (the caller did not reserve room)
 * @internal
 */
export function addEntry(r: Int32Array, area: IndexArea, key: IndexKey, slot: number): number {
  const { a, b, c } = key;
  let tail: RunTail | undefined;
  let same = 0;
  for (let i = entryStart(area.keyed, a, b) & area.mask, n = 0; n <= area.mask; i = (i + 1) & area.mask, n++) {
    const e = area.base + i * area.entryWords;
    const ka = r[e + ENTRY_KEY_A_WORD]!;
    if (ka === 0) {
      r[e + area.slotWord] = slot;
      if (area.keyed) {
        r[e + KEYED_KEY_B_WORD] = b;
        r[e + KEYED_KEY_C_WORD] = c;
      }
      Atomics.store(r, e + ENTRY_KEY_A_WORD, a); // publishes the entry
      area.used++;
      // Every entry from the key's probe start to here is occupied, and entries never empty
      // within a generation: the next entry of this key can start probing after this one.
      if (tail) tail.end = i;
      return n + 1;
    }
    if (ka === a && ++same === LONG_RUN) {
      // A long run: jump to where this exact key's run ended last time.
      tail = runTail(area, a, b, c);
      if (tail.end >= 0) i = tail.end;
    }
  }
  throw new RegistryError('CapacityExceeded', `index ${key.index} full (reserve() was not called)`);
}

/** Invalidate `slot`'s entry for `key` in `area` (its record no longer has that key). @internal */
export function killEntry(r: Int32Array, area: IndexArea, key: IndexKey, slot: number): void {
  const { a, b, c } = key;
  for (let i = entryStart(area.keyed, a, b) & area.mask, n = 0; n <= area.mask; i = (i + 1) & area.mask, n++) {
    const e = area.base + i * area.entryWords;
    const ka = r[e + ENTRY_KEY_A_WORD]!;
    if (ka === 0) return;
    if (ka === a && r[e + area.slotWord] === slot && (!area.keyed || (r[e + KEYED_KEY_B_WORD] === b && r[e + KEYED_KEY_C_WORD] === c))) {
      Atomics.store(r, e + area.slotWord, DEAD_SLOT);
      return;
    }
  }
}

/** Call `fn(slot)` for every live entry of hashed `area` with hash `a` until it returns true. @internal */
export function probeEntries(r: Int32Array, area: IndexArea, a: number, fn: (slot: number) => boolean): boolean {
  for (let i = entryStart(area.keyed, a, 0) & area.mask, n = 0; n <= area.mask; i = (i + 1) & area.mask, n++) {
    const e = area.base + i * area.entryWords;
    const ka = r[e + ENTRY_KEY_A_WORD]!;
    if (ka === 0) return false;
    const slot = r[e + area.slotWord]!;
    if (ka === (a | 0) && slot !== DEAD_SLOT && fn(slot)) return true;
  }
  return false;
}

/**
 * Call `fn(key, slot)` for every entry of `areas` in region `r` that is not DEAD, with the key
 * words it holds (a hashed entry holds KEY_A only: its KEY_B and KEY_C are 0 by construction;
 * a keyed entry holds all three). `key` is reused between calls. A rebuild uses it to re-add a
 * generation's entries for the new slots without deriving any key again.
 * @internal
 */
export function forEachLiveEntry(r: Int32Array, areas: Record<IndexName, IndexArea>, fn: (key: IndexKey, slot: number) => void): void {
  const key: IndexKey = { index: 'SYMBOL', a: 0, b: 0, c: 0 };
  for (const [name, area] of Object.entries(areas) as [IndexName, IndexArea][]) {
    key.index = name;
    for (let i = 0; i <= area.mask; i++) {
      const e = area.base + i * area.entryWords;
      const a = r[e + ENTRY_KEY_A_WORD]!;
      if (a === 0) continue;
      const slot = r[e + area.slotWord]!;
      if (slot === DEAD_SLOT) continue;
      key.a = a;
      key.b = area.keyed ? r[e + KEYED_KEY_B_WORD]! : 0;
      key.c = area.keyed ? r[e + KEYED_KEY_C_WORD]! : 0;
      fn(key, slot);
    }
  }
}
