/**
 * Worker entry for the heap-compaction stress test: attach to a registry whose writer renames
 * every instrument over and over (a new 200-byte name and a new detail blob per version) and
 * compacts the heap every few dozen renames, and read names and details through views:
 * - `toObject()` (by id, or by venue + symbol): name, min notional (detail blob) and the record's
 *   attributes must all be one version; the version must not be older than one whose update had
 *   returned before the lookup started (`written[i]`, a harness SAB);
 * - lazy getters (`name`, then `tickSize`; `detail`, then `tickSize`): each heap field must belong
 *   to the version of the lines it was read with;
 * - held views: a view is kept across many compactions before its name and detail are read, so
 *   its generation's heap has usually been reused by then: it must relocate, never decode garbage;
 * - `churn` instruments (numbers `N…`), removed and registered again by the writer so that
 *   compactions meet tombstones: a read may miss, a hit must be one version.
 * Counts `wrong` reads (a name that is no version's name: garbage or torn bytes), `torn` reads
 * (heap field and record of different versions), `stale` reads and misses.
 *
 * workerData: `{ handle, ids, churn, written, minReads, stop, progress, slot }` (ids as BigUint64Array;
 * `written`/`stop`/`progress` are harness SABs, not registry memory).
 * Posts `{ reads, wrong, torn, stale, misses, heldReads, churnHits, heapRetries, retries, firstError }`.
 *
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Instrument } from '../src/model/types.js';
import { RegistryReader } from '../src/reader/reader.js';
import { InstrumentView } from '../src/reader/view.js';
import { stressMinNotional, stressNameVersion, stressPatch } from '../src/testkit/self-check.js';

const { handle, ids, churn, written, minReads, stop, progress, slot } = workerData as {
  handle: Parameters<typeof RegistryReader.attach>[0];
  ids: BigUint64Array;
  churn: BigUint64Array;
  written: Int32Array;
  minReads: number;
  stop: Int32Array;
  progress: Int32Array;
  slot: number;
};
const reader = RegistryReader.attach(handle);
const venue = reader.venueIndex('STRESS');
const lo = Array.from(ids, (id) => Number(id & 0xffffffffn));
const hi = Array.from(ids, (id) => Number(id >> 32n));
const N = ids.length;
const cLo = Array.from(churn, (id) => Number(id & 0xffffffffn));
const cHi = Array.from(churn, (id) => Number(id >> 32n));
const HELD = 64;
const held = Array.from({ length: HELD }, () => ({ view: new InstrumentView(reader), i: -1, v0: -1 }));
const scratch = new InstrumentView(reader);

let reads = 0;
let wrong = 0;
let torn = 0;
let stale = 0;
let misses = 0;
let heldReads = 0;
let churnHits = 0;
let firstError: string | null = null;
const bad = (kind: 'wrong' | 'torn' | 'stale', err: string) => {
  if (kind === 'wrong') wrong++;
  else if (kind === 'torn') torn++;
  else stale++;
  firstError ??= err;
};

/** Version of a view's current lines (tickSize raw − 1). */
const versionOf = (v: InstrumentView) => Number(v.tickSize!.raw) - 1;

/** A whole instrument (toObject) of instrument i: one version, not older than `done`. */
function checkObject(o: Instrument, i: number, done: number, how: string): void {
  const v = Number(o.tickSize!.raw) - 1;
  const nv = stressNameVersion(o.name, i);
  const detail = o as unknown as { minNotional?: { raw: bigint } };
  if (nv < 0) bad('wrong', `${how} ${i}: name ${JSON.stringify(o.name?.slice(0, 24))}… is no version's`);
  else if (nv !== v) bad('torn', `${how} ${i}: name of v=${nv}, record v=${v}`);
  else if (detail.minNotional?.raw !== stressMinNotional(i, v)) bad('torn', `${how} ${i}: min notional ${detail.minNotional?.raw} ≠ v=${v}'s`);
  else if (o.lotSize?.raw !== stressPatch(i, v).lotSize!.raw) bad('torn', `${how} ${i}: lot size torn at v=${v}`);
  else if (o.symbol !== `S${i}`) bad('wrong', `${how} ${i}: symbol ${o.symbol}`);
  else if (v < done) bad('stale', `${how} ${i}: read v=${v} after v=${done} was written`);
}

/** Lazy getters: the name, then the detail, each with the lines it was read with. */
function checkLazy(view: InstrumentView, i: number, atLeast: number, how: string): void {
  const name = view.name; // may relocate the view (its heap reused): then tickSize is the new lines'
  const v = versionOf(view);
  const nv = stressNameVersion(name, i);
  if (nv < 0) return bad('wrong', `${how} ${i}: name ${JSON.stringify(name?.slice(0, 24))}… is no version's`);
  if (nv !== v) return bad('torn', `${how} ${i}: name of v=${nv}, lines of v=${v}`);
  if (v < atLeast) return bad('stale', `${how} ${i}: v=${v} older than v=${atLeast}`);
  const cs = (view.detail.minNotional as { raw: bigint } | undefined)?.raw;
  const v2 = versionOf(view);
  if (cs !== stressMinNotional(i, v2)) bad('torn', `${how} ${i}: min notional ${cs} ≠ v=${v2}'s`);
  else if (v2 < v) bad('stale', `${how} ${i}: detail read moved the view back from v=${v} to v=${v2}`);
}

let x = 0x13579bdf + slot;
while (reads < minReads || Atomics.load(stop, 0) === 0) {
  for (let k = 0; k < 256; k++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const u = x >>> 0;
    const i = (u >>> 3) % N;
    reads++;
    const mode = u & 3;
    if (mode === 3) {
      // A held view: read what was bound many compactions ago, then bind it afresh.
      const h = held[(u >>> 16) % HELD]!;
      if (h.i >= 0) {
        heldReads++;
        checkLazy(h.view, h.i, h.v0, 'held');
      }
      const done = Atomics.load(written, i);
      if (!reader.getByIdHalves(lo[i]!, hi[i]!, h.view)) {
        misses++;
        firstError ??= `miss on ${i}`;
        h.i = -1;
        continue;
      }
      h.view.recordBytes(); // both lines copied now: the version the view holds
      h.i = i;
      h.v0 = versionOf(h.view);
      if (h.v0 < done) bad('stale', `bind ${i}: v=${h.v0} after v=${done} was written`);
      continue;
    }
    if (mode === 0 && (u & 0x80000000) !== 0 && cLo.length > 0) {
      const c = (u >>> 3) % cLo.length;
      const cv = reader.getByIdHalves(cLo[c]!, cHi[c]!, scratch);
      if (!cv) continue; // removed right now
      let o: Instrument;
      try {
        o = cv.toObject();
      } catch (e) {
        if ((e as { code?: string }).code === 'UnknownInstrument') continue; // removed and dropped by a rebuild meanwhile
        throw e;
      }
      churnHits++;
      checkObject(o, N + c, 0, 'churn');
      continue;
    }
    const done = Atomics.load(written, i);
    const view = mode === 2 ? reader.getBySymbolIndex(venue, `S${i}`, scratch) : reader.getByIdHalves(lo[i]!, hi[i]!, scratch);
    if (!view) {
      misses++;
      firstError ??= `miss on ${i}`;
      continue;
    }
    if (mode === 1) checkLazy(view, i, done, 'lazy');
    else checkObject(view.toObject(), i, done, mode === 2 ? 'bySymbol' : 'toObject');
  }
  Atomics.store(progress, slot, Math.floor(reads / 1024));
}
parentPort!.postMessage({ reads, wrong, torn, stale, misses, heldReads, churnHits, heapRetries: reader.heapRetries, retries: reader.retries, firstError });
