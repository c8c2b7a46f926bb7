/**
 * Concurrency stress: the writer rewrites self-checking records (and grows the table) while
 * reader workers verify every read. Any torn or stale-generation read is counted and fails the test.
 *
 * `npm test` runs a bounded version (≥ 10 M verified reads); `npm run test:stress`
 * (INSTREG_STRESS=long) runs ten times longer.
 */
import { describe, expect, it } from 'vitest';
import { InstrumentRegistry } from '../src/writer/registry.js';
import { stressInstrument, stressPatch, stressRenamed, stressToken } from '../src/testkit/self-check.js';
import { runWorker } from './helpers/workers.js';

const LONG = process.env.INSTREG_STRESS === 'long';
const SCALE = LONG ? 10 : 1;
/**
 * Per-test time limit: the long mode needs ~145 s for 2 × 50 M reads here, over vitest's default 120 s
 * (vitest.config.ts), so it gets 15 minutes; the writer loops stop 30 s before the limit so that a slow
 * run ends in a failed read-count assertion (with its counts printed), not in a timeout.
 */
const TEST_TIMEOUT_MS = LONG ? 900_000 : 120_000;
const LOOP_MS = TEST_TIMEOUT_MS - 30_000;

interface HotReport {
  reads: number;
  torn: number;
  misses: number;
  stale: number;
  churnHits: number;
  churnMisses: number;
  keyHits: number;
  firstError: string | null;
  retries: number;
}

interface HeapReport {
  reads: number;
  wrong: number;
  torn: number;
  stale: number;
  misses: number;
  heldReads: number;
  churnHits: number;
  heapRetries: number;
  retries: number;
  firstError: string | null;
}

interface ReaderReport {
  reads: number;
  torn: number;
  misses: number;
  firstError: string | null;
  retries: number;
  lookups: number;
}

function startReaders(handle: unknown, ids: bigint[], readers: number, minReads: number, mode: 'id' | 'symbol') {
  const stop = new Int32Array(new SharedArrayBuffer(4));
  const progress = new Int32Array(new SharedArrayBuffer(4 * readers));
  const idArr = BigUint64Array.from(ids);
  const runs = Array.from({ length: readers }, (_, slot) =>
    runWorker<ReaderReport>('stress-reader', { handle, ids: idArr, minReads, stop, progress, slot, mode }),
  );
  const reached = () => Array.from(progress).every((p) => p * 1024 >= minReads);
  return { stop, progress, reached, results: Promise.all(runs.map((r) => r.result)) };
}

describe('concurrency stress (writer churn vs reader workers)', { timeout: TEST_TIMEOUT_MS }, () => {
  it('0 torn reads over ≥ 10 M verified reads while the writer rewrites records', async () => {
    const N = 64; // a small hot set maximises writer/reader overlap on the same records
    const reg = await InstrumentRegistry.create({ initialCapacity: N, requireReferences: false });
    const ids = Array.from({ length: N }, (_, i) => reg.registerInstrument(stressInstrument(i)).id);
    const minReads = 5_000_000 * SCALE;
    const { stop, reached, results } = startReaders(reg.handle, ids, 2, minReads, 'id');
    let v = 0;
    let writes = 0;
    const deadline = Date.now() + LOOP_MS;
    while (!reached() && Date.now() < deadline) {
      for (let k = 0; k < 256; k++) {
        const i = (v * 7 + k) % N;
        reg.updateInstrument(ids[i]!, stressPatch(i, ++v));
        writes++;
      }
      await new Promise((r) => setImmediate(r)); // let worker messages through
    }
    Atomics.store(stop, 0, 1);
    const reports = await results;
    const reads = reports.reduce((a, r) => a + r.reads, 0);
    const torn = reports.reduce((a, r) => a + r.torn, 0);
    const misses = reports.reduce((a, r) => a + r.misses, 0);
    console.log(`stress: ${reads} reads, ${writes} writes, seqlock retries ${reports.map((r) => r.retries).join('/')}, torn ${torn}, misses ${misses}`);
    expect(reports.map((r) => r.firstError)).toEqual([null, null]);
    expect(torn).toBe(0);
    expect(misses).toBe(0);
    expect(reads).toBeGreaterThanOrEqual(2 * minReads);
    expect(writes).toBeGreaterThan(1000);
  });

  it('no lookup misses a record present before and after growth and tombstone rebuilds', async () => {
    const N = 512;
    const reg = await InstrumentRegistry.create({ initialCapacity: 16, requireReferences: false });
    const ids = Array.from({ length: N }, (_, i) => reg.registerInstrument(stressInstrument(i)).id);
    const startGen = reg.getMetrics().generation;
    const minReads = 1_000_000 * SCALE;
    const byId = startReaders(reg.handle, ids, 1, minReads, 'id');
    const bySymbol = startReaders(reg.handle, ids, 1, minReads / 4, 'symbol');
    // Grow: add many more instruments; churn: remove and re-add others (tombstones force rebuilds).
    let extra = 0;
    let v = 0;
    const deadline = Date.now() + LOOP_MS;
    const churn: bigint[] = [];
    while ((!byId.reached() || !bySymbol.reached() || reg.getMetrics().generation < startGen + 4) && Date.now() < deadline) {
      for (let k = 0; k < 200; k++) {
        const i = N + extra++;
        churn.push(reg.registerInstrument(stressInstrument(i)).id);
        if (churn.length > 300) reg.removeInstrument(churn.shift()!);
        const j = (v * 13 + k) % N;
        reg.updateInstrument(ids[j]!, stressPatch(j, ++v));
      }
      await new Promise((r) => setImmediate(r));
    }
    Atomics.store(byId.stop, 0, 1);
    Atomics.store(bySymbol.stop, 0, 1);
    const reports = [...(await byId.results), ...(await bySymbol.results)];
    const m = reg.getMetrics();
    console.log(`growth: generations ${startGen}→${m.generation}, capacity ${m.capacity}, ${extra} inserted, reads ${reports.map((r) => r.reads).join('/')}`);
    expect(m.generation).toBeGreaterThanOrEqual(startGen + 4);
    expect(reports.map((r) => r.firstError)).toEqual([null, null]);
    expect(reports.reduce((a, r) => a + r.misses + r.torn, 0)).toBe(0);
  });

  it('hot API: 0 torn, stale or wrong-miss reads on the very ids being removed, re-registered and renamed while the table grows', async () => {
    const NS = 128; // stable, rewritten in place
    const NT = 64; // tokens, renamed on every version
    const NC = 64; // removed and registered again
    const reg = await InstrumentRegistry.create({ initialCapacity: 32, requireReferences: false });
    const stable = Array.from({ length: NS }, (_, i) => reg.registerInstrument(stressInstrument(i)).id);
    const tokens = Array.from({ length: NT }, (_, i) => reg.registerInstrument(stressToken(i, 0)).id);
    const churn = Array.from({ length: NC }, (_, i) => reg.registerInstrument(stressInstrument(NS + i)).id);
    const startGen = reg.getMetrics().generation;
    const minReads = 2_000_000 * SCALE;
    const stop = new Int32Array(new SharedArrayBuffer(4));
    const progress = new Int32Array(new SharedArrayBuffer(8));
    const written = new Int32Array(new SharedArrayBuffer(4 * (NS + NT))); // last version whose update returned
    const data = {
      written,
      handle: reg.handle,
      stable: BigUint64Array.from(stable),
      tokens: BigUint64Array.from(tokens),
      churn: BigUint64Array.from(churn),
      minReads,
      stop,
      progress,
    };
    const runs = [0, 1].map((slot) => runWorker<HotReport>('stress-hot-reader', { ...data, slot, hitsOnly: slot === 1 }));
    const version = new Array<number>(NS + NT + NC).fill(0);
    const live = new Array<boolean>(NC).fill(true);
    let grown = 0;
    const growth: bigint[] = [];
    let writes = 0;
    const deadline = Date.now() + 120_000 * SCALE;
    const reached = () => Array.from(progress).every((p) => p * 1024 >= minReads);
    while ((!reached() || reg.getMetrics().generation < startGen + 4) && Date.now() < deadline) {
      for (let k = 0; k < 128; k++, writes++) {
        const i = (writes * 7) % NS;
        reg.updateInstrument(stable[i]!, stressPatch(i, ++version[i]!));
        Atomics.store(written, i, version[i]!);
        const t = writes % NT;
        expect(reg.registerInstrument(stressToken(t, ++version[NS + t]!)).id).toBe(tokens[t]); // rename: same id
        Atomics.store(written, NS + t, version[NS + t]!);
        const c = (writes * 5) % NC;
        if (live[c]) reg.removeInstrument(churn[c]!);
        else reg.registerInstrument({ ...stressInstrument(NS + c), ...stressPatch(NS + c, ++version[NS + NT + c]!) });
        live[c] = !live[c];
        growth.push(reg.registerInstrument(stressInstrument(100_000 + grown++)).id); // growth
        if (growth.length > 400) reg.removeInstrument(growth.shift()!); // tombstones → rebuilds
      }
      await new Promise((r) => setImmediate(r));
    }
    Atomics.store(stop, 0, 1);
    const reports = await Promise.all(runs.map((r) => r.result));
    const m = reg.getMetrics();
    const sum = (k: keyof HotReport) => reports.reduce((a, r) => a + (r[k] as number), 0);
    console.log(
      `hot stress: ${sum('reads')} reads, ${writes} write rounds, generations ${startGen}→${m.generation}, key hits ${sum('keyHits')}, churn hits/misses ${sum('churnHits')}/${sum('churnMisses')}, retries ${sum('retries')}, torn ${sum('torn')}, stale ${sum('stale')}, misses ${sum('misses')}`,
    );
    expect(reports.map((r) => r.firstError)).toEqual([null, null]);
    expect(sum('torn')).toBe(0);
    expect(sum('misses')).toBe(0);
    expect(sum('stale')).toBe(0);
    expect(m.generation).toBeGreaterThanOrEqual(startGen + 4);
    expect(reports[0]!.keyHits).toBeGreaterThan(0);
    expect(reports[0]!.churnHits).toBeGreaterThan(0);
    expect(reports[0]!.churnMisses).toBeGreaterThan(0);
  });

  it('heap compaction: 0 wrong, torn or stale names and details while the writer renames every instrument and compacts', async () => {
    const N = 64;
    // A small threshold: the heap is compacted every few dozen renames, so a reader's heap is
    // reused (generation g+2) while it copies from it, and views held across compactions relocate.
    const reg = await InstrumentRegistry.create({ initialCapacity: N, heapCompactionMinGarbage: 16 * 1024, requireReferences: false });
    const ids = Array.from({ length: N }, (_, i) => reg.registerInstrument(stressRenamed(i, 0)).id);
    const C = 16; // removed and registered again: compactions carry their tombstones or rebuild them away
    const churn = Array.from({ length: C }, (_, c) => reg.registerInstrument(stressRenamed(N + c, 0)).id);
    const live = new Array<boolean>(C).fill(true);
    const churnVersion = new Array<number>(C).fill(0);
    const minReads = 250_000 * SCALE;
    const minCompactions = 500 * SCALE;
    const stop = new Int32Array(new SharedArrayBuffer(4));
    const progress = new Int32Array(new SharedArrayBuffer(8));
    const written = new Int32Array(new SharedArrayBuffer(4 * N)); // last version whose registration returned
    const data = { handle: reg.handle, ids: BigUint64Array.from(ids), churn: BigUint64Array.from(churn), written, minReads, stop, progress };
    const runs = [0, 1].map((slot) => runWorker<HeapReport>('stress-heap-reader', { ...data, slot }));
    const version = new Array<number>(N).fill(0);
    let writes = 0;
    let peakHeap = 0;
    const deadline = Date.now() + LOOP_MS;
    const reached = () => Array.from(progress).every((p) => p * 1024 >= minReads);
    while ((!reached() || reg.getMetrics().heapCompactions < minCompactions) && Date.now() < deadline) {
      for (let k = 0; k < 64; k++, writes++) {
        const i = (writes * 7) % N;
        reg.registerInstrument(stressRenamed(i, ++version[i]!));
        Atomics.store(written, i, version[i]!);
        if ((writes & 7) === 0) {
          const c = (writes >>> 3) % C;
          if (live[c]) reg.removeInstrument(churn[c]!);
          else reg.registerInstrument(stressRenamed(N + c, ++churnVersion[c]!));
          live[c] = !live[c];
        }
      }
      peakHeap = Math.max(peakHeap, reg.getMetrics().heapBytes);
      if (writes % (64 * 16) === 0) reg.compact(); // now and then a full rebuild (tombstones dropped) instead of a copy
      await new Promise((r) => setImmediate(r));
    }
    Atomics.store(stop, 0, 1);
    const reports = await Promise.all(runs.map((r) => r.result));
    const m = reg.getMetrics();
    const sum = (k: keyof HeapReport) => reports.reduce((a, r) => a + (r[k] as number), 0);
    console.log(
      `heap stress: ${sum('reads')} reads (${sum('heldReads')} of held views, ${sum('churnHits')} of removed-and-revived ones), ${writes} renames, ${m.heapCompactions} compactions, peak heap ${peakHeap} B, heap retries ${sum('heapRetries')}, seqlock retries ${sum('retries')}, wrong ${sum('wrong')}, torn ${sum('torn')}, stale ${sum('stale')}, misses ${sum('misses')}`,
    );
    expect(reports.map((r) => r.firstError)).toEqual([null, null]);
    expect(sum('wrong')).toBe(0);
    expect(sum('torn')).toBe(0);
    expect(sum('stale')).toBe(0);
    expect(sum('misses')).toBe(0);
    expect(sum('reads')).toBeGreaterThanOrEqual(2 * minReads);
    expect(m.heapCompactions).toBeGreaterThanOrEqual(minCompactions);
    expect(sum('heapRetries')).toBeGreaterThan(0); // the reuse path ran: copies refused or discarded, views relocated
    expect(sum('churnHits')).toBeGreaterThan(0);
    expect(peakHeap).toBeLessThan(64 * 1024); // 64 live 200-byte names and blobs (~16 KiB) + the 16 KiB threshold
  });
});
