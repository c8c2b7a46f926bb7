/**
 * The bench's lookup loops: one function per scenario, each with ONE call site for its lookup
 * (monomorphic, so each scenario is optimised on its own). A body runs `n` lookups from a
 * {@link Stream}, walking its keys sequentially from `stream.pos`, and reads one field: the
 * kind code (`KIND_CODES`) of the record found (-1 = not found, counted as a miss).
 *
 * Two modes, chosen per call by `lat` (loop-invariant, so each mode runs its own loop):
 * - throughput: position k+1 does not depend on lookup k (lookups overlap in the CPU);
 * - latency: position k+1 = `(k + 1 + (field & z)) & mask` with `z` = 0 at run time (the
 *   compiler cannot know it): the next key's address depends on the previous result, so
 *   lookups cannot overlap and a batch mean is what one isolated lookup costs.
 *
 * @module
 */
import type { RegistryReader } from '../reader/reader.js';
import type { InstrumentView } from '../reader/view.js';
import { FLOOR_FENCED, type FloorTable } from './floor.js';
import type { HotFieldSet, HotReader } from './hot-api.js';
import type { Maps, Stream } from './streams.js';

/** What the bodies use (per reader thread). */
export interface BodyState {
  floor: FloorTable;
  reader: RegistryReader;
  /** The hot API (undefined when this build's reader lacks it). */
  hot: HotReader | undefined;
  /** `FieldSet(['kind'])` of the hot API. */
  f: HotFieldSet | undefined;
  view: InstrumentView;
  maps: Maps | undefined;
  /** Caller-supplied slot buffer of `findByIsinSlots`. */
  slots: Int32Array;
  /** Always 0 (see module doc); a field so the compiler cannot fold it. */
  z: number;
  misses: number;
  sink: number;
}

/** A scenario loop. */
export type Body = (s: BodyState, st: Stream, n: number, lat: boolean) => void;

function done(s: BodyState, st: Stream, pos: number, sink: number, miss: number): void {
  st.pos = pos;
  s.sink += sink;
  s.misses += miss;
}

const floorBody: Body = (s, st, n, lat) => {
  const ids = st.ids,
    m = st.mask,
    t = s.floor,
    z = s.z;
  let pos = st.pos,
    sink = 0,
    miss = 0;
  if (lat)
    for (let k = 0; k < n; k++) {
      const v = t.kind(ids[pos << 1]!, ids[(pos << 1) + 1]!);
      if (v < 0) miss++;
      else sink += v;
      pos = (pos + 1 + (v & z)) & m;
    }
  else
    for (let k = 0; k < n; k++) {
      const v = t.kind(ids[pos << 1]!, ids[(pos << 1) + 1]!);
      if (v < 0) miss++;
      else sink += v;
      pos = (pos + 1) & m;
    }
  done(s, st, pos, sink, miss);
};

const floorFencedBody: Body = (s, st, n, lat) => {
  const ids = st.ids,
    m = st.mask,
    t = s.floor,
    z = s.z;
  let pos = st.pos,
    sink = 0,
    miss = 0;
  if (lat)
    for (let k = 0; k < n; k++) {
      const v = t.kindFenced(ids[pos << 1]!, ids[(pos << 1) + 1]!);
      if (v < 0) miss++;
      else sink += v;
      pos = (pos + 1 + (v & z)) & m;
    }
  else
    for (let k = 0; k < n; k++) {
      const v = t.kindFenced(ids[pos << 1]!, ids[(pos << 1) + 1]!);
      if (v < 0) miss++;
      else sink += v;
      pos = (pos + 1) & m;
    }
  done(s, st, pos, sink, miss);
};

/** Every scenario's loop, by scenario name. */
export const BODIES = {
  floor: FLOOR_FENCED ? floorFencedBody : floorBody,
  raw(s, st, n, lat) {
    const ids = st.ids,
      m = st.mask,
      t = s.floor,
      z = s.z;
    let pos = st.pos,
      sink = 0,
      miss = 0;
    if (lat)
      for (let k = 0; k < n; k++) {
        const v = t.rawKind(ids[pos << 1]!, ids[(pos << 1) + 1]!);
        if (v < 0) miss++;
        else sink += v;
        pos = (pos + 1 + (v & z)) & m;
      }
    else
      for (let k = 0; k < n; k++) {
        const v = t.rawKind(ids[pos << 1]!, ids[(pos << 1) + 1]!);
        if (v < 0) miss++;
        else sink += v;
        pos = (pos + 1) & m;
      }
    done(s, st, pos, sink, miss);
  },
  byId(s, st, n, lat) {
    const ids = st.ids,
      m = st.mask,
      r = s.hot!,
      f = s.f!,
      z = s.z;
    let pos = st.pos,
      sink = 0,
      miss = 0;
    if (lat)
      for (let k = 0; k < n; k++) {
        const v = r.readById(ids[pos << 1]!, ids[(pos << 1) + 1]!, f) ? f.kindCode : -1;
        if (v < 0) miss++;
        else sink += v;
        pos = (pos + 1 + (v & z)) & m;
      }
    else
      for (let k = 0; k < n; k++) {
        const v = r.readById(ids[pos << 1]!, ids[(pos << 1) + 1]!, f) ? f.kindCode : -1;
        if (v < 0) miss++;
        else sink += v;
        pos = (pos + 1) & m;
      }
    done(s, st, pos, sink, miss);
  },
  byIdView(s, st, n, lat) {
    const ids = st.ids,
      m = st.mask,
      r = s.reader,
      view = s.view,
      z = s.z;
    let pos = st.pos,
      sink = 0,
      miss = 0;
    if (lat)
      for (let k = 0; k < n; k++) {
        const w = r.getByIdHalves(ids[pos << 1]!, ids[(pos << 1) + 1]!, view);
        const v = w === undefined ? -1 : w.kindCode;
        if (v < 0) miss++;
        else sink += v;
        pos = (pos + 1 + (v & z)) & m;
      }
    else
      for (let k = 0; k < n; k++) {
        const w = r.getByIdHalves(ids[pos << 1]!, ids[(pos << 1) + 1]!, view);
        const v = w === undefined ? -1 : w.kindCode;
        if (v < 0) miss++;
        else sink += v;
        pos = (pos + 1) & m;
      }
    done(s, st, pos, sink, miss);
  },
  byIdProbe(s, st, n, lat) {
    const ids = st.ids,
      m = st.mask,
      r = s.reader,
      view = s.view,
      z = s.z;
    let pos = st.pos,
      sink = 0,
      miss = 0;
    if (lat)
      for (let k = 0; k < n; k++) {
        const w = r.getByIdHalves(ids[pos << 1]!, ids[(pos << 1) + 1]!, view);
        const v = w === undefined ? -1 : w.slot;
        if (v < 0) miss++;
        else sink += v;
        pos = (pos + 1 + (v & z)) & m;
      }
    else
      for (let k = 0; k < n; k++) {
        const w = r.getByIdHalves(ids[pos << 1]!, ids[(pos << 1) + 1]!, view);
        const v = w === undefined ? -1 : w.slot;
        if (v < 0) miss++;
        else sink += v;
        pos = (pos + 1) & m;
      }
    done(s, st, pos, sink, miss);
  },
  bySymbolKey(s, st, n, lat) {
    const keys = st.symbolKeys,
      m = st.mask,
      r = s.hot!,
      f = s.f!,
      z = s.z;
    let pos = st.pos,
      sink = 0,
      miss = 0;
    if (lat)
      for (let k = 0; k < n; k++) {
        const v = r.readBySymbolKey(keys[pos]!, f) ? f.kindCode : -1;
        if (v < 0) miss++;
        else sink += v;
        pos = (pos + 1 + (v & z)) & m;
      }
    else
      for (let k = 0; k < n; k++) {
        const v = r.readBySymbolKey(keys[pos]!, f) ? f.kindCode : -1;
        if (v < 0) miss++;
        else sink += v;
        pos = (pos + 1) & m;
      }
    done(s, st, pos, sink, miss);
  },
  bySymbol(s, st, n, lat) {
    const venues = st.venues,
      syms = st.symbols,
      m = st.mask,
      r = s.hot!,
      f = s.f!,
      z = s.z;
    let pos = st.pos,
      sink = 0,
      miss = 0;
    if (lat)
      for (let k = 0; k < n; k++) {
        const v = r.readBySymbol(venues[pos]!, syms[pos]!, f) ? f.kindCode : -1;
        if (v < 0) miss++;
        else sink += v;
        pos = (pos + 1 + (v & z)) & m;
      }
    else
      for (let k = 0; k < n; k++) {
        const v = r.readBySymbol(venues[pos]!, syms[pos]!, f) ? f.kindCode : -1;
        if (v < 0) miss++;
        else sink += v;
        pos = (pos + 1) & m;
      }
    done(s, st, pos, sink, miss);
  },
  bySymbolView(s, st, n, lat) {
    const venues = st.venues,
      syms = st.symbols,
      m = st.mask,
      r = s.reader,
      view = s.view,
      z = s.z;
    let pos = st.pos,
      sink = 0,
      miss = 0;
    if (lat)
      for (let k = 0; k < n; k++) {
        const w = r.getBySymbolIndex(venues[pos]!, syms[pos]!, view);
        const v = w === undefined ? -1 : w.kindCode;
        if (v < 0) miss++;
        else sink += v;
        pos = (pos + 1 + (v & z)) & m;
      }
    else
      for (let k = 0; k < n; k++) {
        const w = r.getBySymbolIndex(venues[pos]!, syms[pos]!, view);
        const v = w === undefined ? -1 : w.kindCode;
        if (v < 0) miss++;
        else sink += v;
        pos = (pos + 1) & m;
      }
    done(s, st, pos, sink, miss);
  },
  byIsin(s, st, n, lat) {
    const isins = st.isins,
      m = st.mask,
      r = s.hot!,
      f = s.f!,
      slots = s.slots,
      z = s.z;
    let pos = st.pos,
      sink = 0,
      miss = 0;
    if (lat)
      for (let k = 0; k < n; k++) {
        const v = r.findByIsinSlots(isins[pos]!, slots) > 0 && r.readSlot(slots[0]!, f) ? f.kindCode : -1;
        if (v < 0) miss++;
        else sink += v;
        pos = (pos + 1 + (v & z)) & m;
      }
    else
      for (let k = 0; k < n; k++) {
        const v = r.findByIsinSlots(isins[pos]!, slots) > 0 && r.readSlot(slots[0]!, f) ? f.kindCode : -1;
        if (v < 0) miss++;
        else sink += v;
        pos = (pos + 1) & m;
      }
    done(s, st, pos, sink, miss);
  },
  byIsinView(s, st, n, lat) {
    const isins = st.isins,
      m = st.mask,
      r = s.reader,
      z = s.z;
    let pos = st.pos,
      sink = 0,
      miss = 0;
    if (lat)
      for (let k = 0; k < n; k++) {
        const l = r.getByIsin(isins[pos]!);
        const v = l.length === 0 ? -1 : l[0]!.kindCode;
        if (v < 0) miss++;
        else sink += v;
        pos = (pos + 1 + (v & z)) & m;
      }
    else
      for (let k = 0; k < n; k++) {
        const l = r.getByIsin(isins[pos]!);
        const v = l.length === 0 ? -1 : l[0]!.kindCode;
        if (v < 0) miss++;
        else sink += v;
        pos = (pos + 1) & m;
      }
    done(s, st, pos, sink, miss);
  },
  mapNumber(s, st, n, lat) {
    const idx = st.idx,
      m = st.mask,
      map = s.maps!.byNumber,
      z = s.z;
    let pos = st.pos,
      sink = 0,
      miss = 0;
    if (lat)
      for (let k = 0; k < n; k++) {
        const w = map.get(idx[pos]!);
        const v = w === undefined ? -1 : w.kindCode;
        if (v < 0) miss++;
        else sink += v;
        pos = (pos + 1 + (v & z)) & m;
      }
    else
      for (let k = 0; k < n; k++) {
        const w = map.get(idx[pos]!);
        const v = w === undefined ? -1 : w.kindCode;
        if (v < 0) miss++;
        else sink += v;
        pos = (pos + 1) & m;
      }
    done(s, st, pos, sink, miss);
  },
  mapBigint(s, st, n, lat) {
    const bigs = st.bigs,
      m = st.mask,
      map = s.maps!.byBigint,
      z = s.z;
    let pos = st.pos,
      sink = 0,
      miss = 0;
    if (lat)
      for (let k = 0; k < n; k++) {
        const w = map.get(bigs[pos]!);
        const v = w === undefined ? -1 : w.kindCode;
        if (v < 0) miss++;
        else sink += v;
        pos = (pos + 1 + (v & z)) & m;
      }
    else
      for (let k = 0; k < n; k++) {
        const w = map.get(bigs[pos]!);
        const v = w === undefined ? -1 : w.kindCode;
        if (v < 0) miss++;
        else sink += v;
        pos = (pos + 1) & m;
      }
    done(s, st, pos, sink, miss);
  },
  mapString(s, st, n, lat) {
    const keys = st.venueSymbols,
      m = st.mask,
      map = s.maps!.bySymbol,
      z = s.z;
    let pos = st.pos,
      sink = 0,
      miss = 0;
    if (lat)
      for (let k = 0; k < n; k++) {
        const w = map.get(keys[pos]!);
        const v = w === undefined ? -1 : w.kindCode;
        if (v < 0) miss++;
        else sink += v;
        pos = (pos + 1 + (v & z)) & m;
      }
    else
      for (let k = 0; k < n; k++) {
        const w = map.get(keys[pos]!);
        const v = w === undefined ? -1 : w.kindCode;
        if (v < 0) miss++;
        else sink += v;
        pos = (pos + 1) & m;
      }
    done(s, st, pos, sink, miss);
  },
  mapStringIsin(s, st, n, lat) {
    const isins = st.isins,
      m = st.mask,
      map = s.maps!.byIsin,
      z = s.z;
    let pos = st.pos,
      sink = 0,
      miss = 0;
    if (lat)
      for (let k = 0; k < n; k++) {
        const l = map.get(isins[pos]!);
        const v = l === undefined ? -1 : l[0]!.kindCode;
        if (v < 0) miss++;
        else sink += v;
        pos = (pos + 1 + (v & z)) & m;
      }
    else
      for (let k = 0; k < n; k++) {
        const l = map.get(isins[pos]!);
        const v = l === undefined ? -1 : l[0]!.kindCode;
        if (v < 0) miss++;
        else sink += v;
        pos = (pos + 1) & m;
      }
    done(s, st, pos, sink, miss);
  },
} satisfies Record<string, Body>;

/** A batched (sub-µs) scenario. */
export type BatchedScenario = keyof typeof BODIES;

/** Scenarios that need the hot API. */
export const HOT_API_SCENARIOS: readonly BatchedScenario[] = ['byId', 'bySymbolKey', 'bySymbol', 'byIsin'];
/** Scenarios that need the Map baselines. */
export const MAP_SCENARIOS: readonly BatchedScenario[] = ['mapNumber', 'mapBigint', 'mapString', 'mapStringIsin'];
/** Scenarios keyed by ISIN (skipped when no instrument has one). */
export const ISIN_SCENARIOS: readonly BatchedScenario[] = ['byIsin', 'byIsinView', 'mapStringIsin'];
