/**
 * Worker entry for the hot-API stress test: attach to a registry and look up, with the
 * allocation-free API, exactly the instruments the writer is changing:
 * - `stable`: always present, rewritten in place → every read must hit and be one version;
 * - `tokens`: renamed on every version (symbol alternates `T{i}a` / `T{i}b`) → by id every read
 *   must hit, and the symbol (record line 0) must match the version of the attributes (line 1);
 *   by a prepared key for either name a hit must be a version with that name;
 * - `churn`: removed and registered again → a read may miss, but a hit must be one version.
 * The table grows and rebuilds meanwhile. Counts every torn read, every wrong miss, and every
 * stale read: the writer publishes in `written[i]` (a harness SAB) each version of stable
 * instrument / token `i` once its update has returned; a lookup that starts after that must see
 * that version or a later one (a reader left in a replaced generation would not).
 *
 * With `hitsOnly` the worker reads only stable instruments and tokens by id (lookups that always
 * hit), so only the writer's retirement of a replaced generation can move it to the new one.
 *
 * workerData: `{ handle, stable, tokens, churn, minReads, stop, progress, slot, written, hitsOnly }` (id arrays as
 * BigUint64Array; `stop`/`progress` are harness SABs, not registry memory).
 * Posts `{ reads, torn, misses, stale, churnHits, churnMisses, keyHits, firstError, retries }`.
 *
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import { FieldSet } from '../src/reader/fields.js';
import { RegistryReader } from '../src/reader/reader.js';
import { checkVersionFields, STRESS_FIELDS, stressTokenSymbol } from '../src/testkit/self-check.js';

const { handle, stable, tokens, churn, minReads, stop, progress, slot, written, hitsOnly } = workerData as {
  written: Int32Array;
  hitsOnly: boolean;
  handle: Parameters<typeof RegistryReader.attach>[0];
  stable: BigUint64Array;
  tokens: BigUint64Array;
  churn: BigUint64Array;
  minReads: number;
  stop: Int32Array;
  progress: Int32Array;
  slot: number;
};
const reader = RegistryReader.attach(handle);
const f = new FieldSet([...STRESS_FIELDS, 'symbol']);
const halves = (ids: BigUint64Array) => Array.from(ids, (id) => [Number(id & 0xffffffffn), Number(id >> 32n)] as const);
const S = halves(stable);
const T = halves(tokens);
const C = halves(churn);
const keys = Array.from(T, (_, i) => [
  reader.prepareSymbolKey('ETHEREUM', stressTokenSymbol(i, 0)),
  reader.prepareSymbolKey('ETHEREUM', stressTokenSymbol(i, 1)),
]);
let reads = 0;
let torn = 0;
let misses = 0;
let churnHits = 0;
let churnMisses = 0;
let keyHits = 0;
let firstError: string | null = null;
let stale = 0;
const staleRead = (err: string) => {
  stale++;
  firstError ??= err;
};
const fail = (err: string) => {
  torn++;
  firstError ??= err;
};
let x = 0x2468ace0 + slot;
while (reads < minReads || Atomics.load(stop, 0) === 0) {
  for (let k = 0; k < 1024; k++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const u = x >>> 0;
    const which = hitsOnly ? u & 1 : u & 3; // hits only: never a miss that would re-sync the generation
    reads++;
    if (which === 0) {
      const i = (u >>> 2) % S.length;
      const done = Atomics.load(written, i);
      if (!reader.readById(S[i]![0], S[i]![1], f)) {
        misses++;
        firstError ??= `miss on stable ${i}`;
        continue;
      }
      const err = checkVersionFields(f, i);
      if (err) fail(`stable ${i}: ${err}`);
      else if (f.tickRaw - 1 < done) staleRead(`stable ${i}: read v=${f.tickRaw - 1} after v=${done} was written`);
    } else if (which === 1) {
      const i = (u >>> 2) % T.length;
      const done = Atomics.load(written, S.length + i);
      if (!reader.readById(T[i]![0], T[i]![1], f)) {
        misses++;
        firstError ??= `miss on token ${i}`;
        continue;
      }
      const err = checkVersionFields(f, i) ?? (f.symbol !== stressTokenSymbol(i, f.tickRaw - 1) ? `symbol ${f.symbol} at v=${f.tickRaw - 1}` : null);
      if (err) fail(`token ${i}: ${err}`);
      else if (f.tickRaw - 1 < done) staleRead(`token ${i}: read v=${f.tickRaw - 1} after v=${done} was written`);
    } else if (which === 2) {
      const i = (u >>> 2) % T.length;
      const name = (u >>> 20) & 1;
      if (!reader.readBySymbolKey(keys[i]![name]!, f)) continue; // currently under the other name
      keyHits++;
      const v = f.tickRaw - 1;
      const err = checkVersionFields(f, i) ?? ((v & 1) !== name ? `key ${stressTokenSymbol(i, name)} matched v=${v}` : null);
      if (err) fail(`token ${i} by key: ${err}`);
    } else {
      const i = (u >>> 2) % C.length;
      if (!reader.readById(C[i]![0], C[i]![1], f)) {
        churnMisses++;
        continue;
      }
      churnHits++;
      const err = checkVersionFields(f, S.length + i);
      if (err) fail(`churn ${i}: ${err}`);
    }
  }
  Atomics.store(progress, slot, Math.floor(reads / 1024));
}
parentPort!.postMessage({ reads, torn, misses, stale, churnHits, churnMisses, keyHits, firstError, retries: reader.retries });
