/**
 * String-heap compaction: garbage left by renames and detail changes is reclaimed at every
 * rebuild (growth, same-size, or the garbage threshold), the heap stays bounded, every record
 * equals an independent Map reference after each compaction, a view survives compactions (its
 * own version while its heap is intact, a fresh look-up once the heap is reused), and a snapshot
 * of a compacted registry restores record for record. The concurrent version (reader workers
 * against a renaming, compacting writer) is in `test/stress.test.ts`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DETAIL_REF_OFFSET, HEAP_HEADER_SIZE, NAME_REF_OFFSET } from '../layout/index.js';
import { RegistryReader } from '../src/reader/reader.js';
import { loadSnapshotChecksum, readSnapshot, writeSnapshot } from '../src/snapshot/index.js';
import { stressMinNotional, stressName, stressRenamed } from '../src/testkit/self-check.js';
import { InstrumentRegistry } from '../src/writer/registry.js';

let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'instreg-heap-'));
  await loadSnapshotChecksum();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Bytes a heap entry of `len` payload bytes occupies, per layout/SPEC.md (LEN u32 + payload, 4-aligned). */
const entryBytes = (len: number) => Math.ceil((4 + len) / 4) * 4;

/** LEN word of the detail blob of instrument `id`'s record, read from the current heap. */
function detailBlobLen(reg: InstrumentRegistry, reader: RegistryReader, id: bigint): number {
  const rec = new DataView(reader.getById(id)!.recordBytes().buffer);
  return new DataView(reg.handle.heaps[reg.getMetrics().generation & 1]!).getUint32(rec.getUint32(DETAIL_REF_OFFSET, true), true);
}

/** Independent reference: instrument i → the version last registered. */
type Reference = Map<number, number>;

/**
 * Check every instrument against the reference through a reader (name, min notional from the
 * detail blob, tick size = version + 1), and return the heap bytes its live entries take: names
 * from the reference's byte length, detail blobs from their LEN word in the current heap.
 */
function checkAll(reg: InstrumentRegistry, reader: RegistryReader, ids: bigint[], ref: Reference): number {
  const gen = reg.getMetrics().generation;
  const heap = new DataView(reg.handle.heaps[gen & 1]!);
  let live = 0;
  for (const [i, v] of ref) {
    const view = reader.getById(ids[i]!);
    if (!view) expect.fail(`instrument ${i} not found`);
    const o = view.toObject() as unknown as Record<string, unknown>;
    if (
      o.name !== stressName(i, v) ||
      (o.minNotional as { raw: bigint }).raw !== stressMinNotional(i, v) ||
      (o.tickSize as { raw: bigint }).raw !== BigInt(v + 1)
    ) {
      expect.fail(
        `instrument ${i}: read name ${String(o.name).slice(0, 16)}…, min notional ${String((o.minNotional as { raw: bigint }).raw)}, want version ${v}`,
      );
    }
    // The secondary indexes came through every compaction too: one entry per key, pointing here.
    if (reader.getBySymbol('STRESS', `S${i}`)?.id !== ids[i]) expect.fail(`instrument ${i}: not found by symbol`);
    const byBase = reader.findByAsset(BigInt(i + 1)).map((x) => x.id);
    if (byBase.length !== 1 || byBase[0] !== ids[i]) expect.fail(`instrument ${i}: by base asset ${byBase.join(',')}`);
    const rec = new DataView(view.recordBytes().buffer);
    const nameRef = rec.getUint32(NAME_REF_OFFSET, true);
    const detailRef = rec.getUint32(DETAIL_REF_OFFSET, true);
    const nameBytes = Buffer.byteLength(o.name as string);
    if (heap.getUint32(nameRef, true) !== nameBytes) expect.fail(`instrument ${i}: name entry LEN ${heap.getUint32(nameRef, true)} ≠ ${nameBytes}`);
    live += entryBytes(nameBytes) + entryBytes(heap.getUint32(detailRef, true));
  }
  return live;
}

describe('string heap compaction', () => {
  it('200 000 renames of 3 000 instruments with long names: heap bounded, garbage reclaimed, every record equals a Map after each compaction', async () => {
    const N = 3000;
    const UPDATES = 200_000;
    const reg = await InstrumentRegistry.create({ initialCapacity: N, requireReferences: false });
    const reader = reg.reader();
    const ref: Reference = new Map();
    const ids: bigint[] = [];
    let appended = HEAP_HEADER_SIZE; // what an append-only heap would hold (every name and detail ever written)
    for (let i = 0; i < N; i++) {
      ids.push(reg.registerInstrument(stressRenamed(i, 0)).id);
      ref.set(i, 0);
    }
    const blob = detailBlobLen(reg, reader, ids[0]!); // every version's detail blob has the same length (same fields present)
    appended += N * (entryBytes(Buffer.byteLength(stressName(0, 0))) + entryBytes(blob));
    let seen = reg.getMetrics().heapCompactions;
    let checks = 0;
    let peakUsed = 0;
    let peakLive = 0;
    for (let u = 0; u < UPDATES; u++) {
      const i = (u * 7919) % N;
      const v = ref.get(i)! + 1;
      const input = stressRenamed(i, v);
      if (reg.registerInstrument(input).outcome !== 'updated') expect.fail(`rename ${u} of ${i} was not an update`);
      ref.set(i, v);
      appended += entryBytes(Buffer.byteLength(input.name!)) + entryBytes(blob);
      const m = reg.getMetrics();
      peakUsed = Math.max(peakUsed, m.heapBytes);
      peakLive = Math.max(peakLive, m.heapLiveBytes);
      if (m.heapCompactions !== seen) {
        seen = m.heapCompactions;
        // Compacted just before this registration: the heap holds the live entries, plus this
        // update's new ones; only the entries it replaced are garbage.
        const live = checkAll(reg, reader, ids, ref);
        expect(m.heapLiveBytes).toBe(live);
        expect(m.heapBytes - HEAP_HEADER_SIZE - live).toBe(entryBytes(200) + entryBytes(blob));
        checks++;
      }
    }
    const before = reg.getMetrics();
    const { after } = reg.compact();
    const live = checkAll(reg, reader, ids, ref);
    expect(after).toBe(HEAP_HEADER_SIZE + live); // an explicit compaction leaves no garbage at all
    expect(reg.getMetrics().heapLiveBytes).toBe(live);
    const buffers = reg.handle.heaps.reduce((a, h) => a + h.byteLength, 0);
    console.log(
      `heap: ${UPDATES} renames of ${N}: append-only would hold ${appended} B; compacted ${before.heapCompactions}× (${checks} checked), peak HEAP_USED ${peakUsed} B, live ${live} B, after compact() ${after} B, both heap buffers ${buffers} B`,
    );
    expect(checks).toBeGreaterThanOrEqual(20);
    // Bounded: compaction runs once garbage ≥ max(1 MiB, live), so used ≤ 2 × live + 1 MiB + one update.
    expect(peakUsed).toBeLessThanOrEqual(2 * peakLive + 1024 * 1024 + 2 * 1024);
    expect(buffers).toBeLessThan(appended / 5);
  });

  it('a view reads its own version while its heap is intact, and looks the record up again once that heap is reused', async () => {
    const reg = await InstrumentRegistry.create({ initialCapacity: 64, requireReferences: false });
    const ids = Array.from({ length: 10 }, (_, i) => reg.registerInstrument(stressRenamed(i, 0)).id);
    const r = reg.reader();
    const view = r.getById(ids[3]!)!;
    view.recordBytes(); // both lines copied: version 0
    const gen = view.gen;

    reg.registerInstrument(stressRenamed(3, 1));
    reg.compact(); // generation gen+1 in the other heap; gen's heap untouched
    expect(reg.getMetrics().generation).toBe(gen + 1);
    expect(view.name).toBe(stressName(3, 0));
    expect(view.detail.minNotional).toEqual({ raw: stressMinNotional(3, 0), scale: 0 });
    expect(r.heapRetries).toBe(0);

    reg.registerInstrument(stressRenamed(3, 2));
    reg.compact(); // generation gen+2 reuses gen's heap
    expect(view.name).toBe(stressName(3, 2)); // relocated: the current version, as a whole
    expect(view.tickSize!.raw).toBe(3n);
    expect(view.detail.minNotional).toEqual({ raw: stressMinNotional(3, 2), scale: 0 });
    expect(r.heapRetries).toBe(1);
    expect(view.gen).toBe(gen + 2);

    // toObject() of a view whose heap is reused also starts over, name and detail from one version.
    const old = r.getById(ids[5]!)!;
    old.recordBytes();
    for (let v = 1; v <= 2; v++) {
      reg.registerInstrument(stressRenamed(5, v));
      reg.compact();
    }
    const o = old.toObject() as unknown as { name: string; minNotional: { raw: bigint }; tickSize: { raw: bigint } };
    expect([o.name, o.minNotional.raw, o.tickSize.raw]).toEqual([stressName(5, 2), stressMinNotional(5, 2), 3n]);
    expect(r.heapRetries).toBe(2);
  });

  it('growth rebuilds compact too; removal and revival keep the live-byte accounting exact', async () => {
    const N = 100;
    const reg = await InstrumentRegistry.create({ initialCapacity: 16, heapCompactionMinGarbage: 2 ** 40, requireReferences: false }); // threshold off
    const r = reg.reader();
    const ids: bigint[] = [];
    const ref: Reference = new Map();
    // Renames whose replaced entries are still in the heap: a rebuild runs before the
    // registration that needs it writes anything, so a rename that triggered one left its garbage
    // in the new heap, an insert left none.
    let renamesSinceRebuild = 0;
    const register = (i: number, v: number) => {
      const gen = reg.getMetrics().generation;
      const id = reg.registerInstrument(stressRenamed(i, v)).id;
      ref.set(i, v);
      if (reg.getMetrics().generation !== gen) renamesSinceRebuild = 0;
      if (v > 0) renamesSinceRebuild++;
      return id;
    };
    for (let i = 0; i < N; i++) {
      ids.push(register(i, 0));
      for (let v = 1; v <= 3; v++) register(i, v);
    }
    const m = reg.getMetrics();
    expect(m.heapCompactions).toBe(0);
    expect(m.generation).toBeGreaterThanOrEqual(3); // grown twice
    const live = checkAll(reg, r, ids, ref);
    expect(m.heapLiveBytes).toBe(live);
    // The last growth copied only live entries: the garbage left is that of the renames after it,
    // not the 300 renames' worth of an append-only heap.
    const blob = detailBlobLen(reg, r, ids[0]!);
    expect(renamesSinceRebuild).toBeLessThan(60);
    expect(m.heapBytes - HEAP_HEADER_SIZE - live).toBe(renamesSinceRebuild * (entryBytes(200) + entryBytes(blob)));
    for (let i = 0; i < 10; i++) {
      expect(reg.removeInstrument(ids[i]!)).toBe(true);
      ref.delete(i);
    }
    expect(reg.getMetrics().heapLiveBytes).toBe(checkAll(reg, r, ids, ref));
    expect(reg.registerInstrument(stressRenamed(2, 3)).outcome).toBe('added'); // revived with its name and detail: live again
    ref.set(2, 3);
    expect(reg.registerInstrument(stressRenamed(4, 9)).outcome).toBe('added'); // revived with new ones
    ref.set(4, 9);
    expect(reg.getMetrics().heapLiveBytes).toBe(checkAll(reg, r, ids, ref));
    const { after } = reg.compact();
    expect(after).toBe(HEAP_HEADER_SIZE + checkAll(reg, r, ids, ref));
    expect(reg.getById(ids[0]!)).toBeUndefined();
    expect(reg.getById(ids[2]!)?.name).toBe(stressName(2, 3));
  });

  it('compactions carry tombstones slot for slot; revived instruments keep one index entry per key and exact accounting', async () => {
    const N = 400;
    const reg = await InstrumentRegistry.create({ initialCapacity: N, heapCompactionMinGarbage: 32 * 1024, requireReferences: false });
    const r = reg.reader();
    const ref: Reference = new Map();
    const ids: bigint[] = [];
    for (let i = 0; i < N; i++) {
      ids.push(reg.registerInstrument(stressRenamed(i, 0)).id);
      ref.set(i, 0);
    }
    const removed = new Map<number, number>(); // instrument → version when removed
    let u = 0;
    for (let round = 0; round < 40; round++) {
      for (let k = 0; k < 200; k++, u++) {
        const i = (u * 17) % N;
        if (!ref.has(i)) continue;
        const v = ref.get(i)! + 1;
        reg.registerInstrument(stressRenamed(i, v));
        ref.set(i, v);
      }
      // Remove a few, revive a few: some with their last name and detail, some with new ones.
      const i = (round * 37) % N;
      if (ref.has(i)) {
        reg.removeInstrument(ids[i]!);
        removed.set(i, ref.get(i)!);
        ref.delete(i);
      }
      for (const [j, v] of removed) {
        if ((j + round) % 3 !== 0) continue;
        const nv = (j & 1) === 0 ? v : v + 1;
        expect(reg.registerInstrument(stressRenamed(j, nv)).outcome).toBe('added');
        ref.set(j, nv);
        removed.delete(j);
      }
      const m = reg.getMetrics();
      expect(m.heapLiveBytes).toBe(checkAll(reg, r, ids, ref));
    }
    const m = reg.getMetrics();
    expect(m.heapCompactions).toBeGreaterThanOrEqual(10);
    expect(m.tombstones).toBeGreaterThan(0); // copies kept them (a rebuild would have dropped them)
    for (const j of removed.keys()) expect(r.getById(ids[j]!)).toBeUndefined();
    expect(m.instruments).toBe(ref.size);
  });

  it('a snapshot of a compacted registry restores record for record, and a writer on the restored handle keeps compacting', async () => {
    const N = 500;
    const reg = await InstrumentRegistry.create({ initialCapacity: 64, heapCompactionMinGarbage: 64 * 1024, requireReferences: false });
    const ref: Reference = new Map();
    const ids: bigint[] = [];
    for (let i = 0; i < N; i++) {
      ids.push(reg.registerInstrument(stressRenamed(i, 0)).id);
      ref.set(i, 0);
    }
    const rename = (target: InstrumentRegistry, count: number, salt: number) => {
      for (let u = 0; u < count; u++) {
        const i = (u * 31 + salt) % N;
        if (!ref.has(i)) continue; // removed
        const v = ref.get(i)! + 1;
        target.registerInstrument(stressRenamed(i, v));
        ref.set(i, v);
      }
    };
    rename(reg, 5000, 0);
    reg.removeInstrument(ids[7]!);
    ref.delete(7);
    const m = reg.getMetrics();
    expect(m.heapCompactions).toBeGreaterThanOrEqual(3);
    const a = reg.reader();
    const live = checkAll(reg, a, ids, ref);

    const file = join(dir, 'compacted.snap');
    const info = await writeSnapshot(reg, file);
    expect(info.sections.HEAP).toBe(m.heapBytes);
    expect(info.sections.HEAP).toBeLessThan(HEAP_HEADER_SIZE + 2 * live + 64 * 1024 + 1024);
    const handle = await readSnapshot(file);
    expect(handle.heaps[info.generation & 1]!.byteLength).toBe(info.sections.HEAP);
    expect(handle.heaps[(info.generation + 1) & 1]!.byteLength).toBe(HEAP_HEADER_SIZE); // the other heap is empty
    const b = RegistryReader.attach(handle);
    expect(b.all().map((v) => v.toObject())).toEqual(a.all().map((v) => v.toObject()));
    for (const [i, v] of ref) expect(b.getById(ids[i]!)?.name).toBe(stressName(i, v));
    expect(b.getById(ids[7]!)).toBeUndefined();

    // The writer continues on the restored handle: same live accounting, compactions alternate heaps.
    const reg2 = await InstrumentRegistry.create({ handle, heapCompactionMinGarbage: 64 * 1024, requireReferences: false });
    expect(reg2.getMetrics().heapLiveBytes).toBe(live);
    rename(reg2, 5000, 3);
    expect(reg2.getMetrics().heapCompactions).toBeGreaterThanOrEqual(3);
    const c = reg2.reader();
    expect(reg2.getMetrics().heapLiveBytes).toBe(checkAll(reg2, c, ids, ref));
    const file2 = join(dir, 'compacted-2.snap');
    await writeSnapshot(reg2, file2);
    const d = RegistryReader.attach(await readSnapshot(file2));
    expect(d.all().map((v) => v.toObject())).toEqual(c.all().map((v) => v.toObject()));
    expect(d.count).toBe(N - 1);
  });
});
