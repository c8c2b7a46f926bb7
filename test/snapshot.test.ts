/**
 * Snapshots: round trip through the real writer and reader, continued writing after a restore,
 * every rejection path (truncation, byte flips, magic/version, inconsistent sections), and a
 * child process SIGKILLed between writing the temp file and the rename.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CTL, LAYOUT_MAGIC, LAYOUT_VERSION } from '../layout/index.js';
import {
  SECTION_ENTRY_LENGTH_OFFSET,
  SNAPSHOT_HEADER_SIZE,
  SNAPSHOT_SECTION,
  SNAP_CHECKSUM_OFFSET,
  SNAP_FILE_MAGIC_OFFSET,
  SNAP_FILE_SIZE_OFFSET,
  SNAP_FORMAT_VERSION_OFFSET,
  SNAP_LAYOUT_MAGIC_OFFSET,
  SNAP_LAYOUT_VERSION_OFFSET,
  sectionEntryOffset,
} from '../layout/snapshot.js';
import { LayoutMismatchError, RegistryError } from '../src/errors.js';
import { RegistryReader } from '../src/reader/reader.js';
import type { RegistryHandle } from '../src/shm/handle.js';
import { newChecksum } from '../src/snapshot/checksum.js';
import { SnapshotError, loadSnapshotChecksum, readSnapshot, readSnapshotHeader, readSnapshotSync, writeSnapshot } from '../src/snapshot/index.js';
import { InstrumentRegistry, type RegistryMetrics } from '../src/writer/registry.js';
import { mixedInstrument } from '../workers/snapshot-fixtures.js';

let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'instreg-snap-'));
  await loadSnapshotChecksum();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** xorshift32, reproducible. */
function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

/**
 * A registry with `n` mixed instruments, some updated and some removed (tombstones).
 * `initialCapacity: 1500` makes 3000 instruments grow the table once (generation 2, region 0).
 */
async function buildRegistry(n: number, initialCapacity = 1500): Promise<{ reg: InstrumentRegistry; ids: bigint[]; removed: Set<bigint> }> {
  const reg = await InstrumentRegistry.create({ initialCapacity, requireReferences: false });
  const ids: bigint[] = [];
  for (let i = 0; i < n; i++) ids.push(reg.registerInstrument(mixedInstrument(i)).id);
  for (let i = 0; i < n; i += 13) reg.updateInstrument(ids[i]!, { takerFeeBps: (i % 50) / 10, status: 'active' });
  const removed = new Set<bigint>();
  for (let i = 5; i < n; i += 29) {
    reg.removeInstrument(ids[i]!);
    removed.add(ids[i]!);
  }
  return { reg, ids, removed };
}

/** Counters that live in shared memory (writer-local counters such as `registrations` are not persisted). */
function sharedMetrics(m: RegistryMetrics) {
  const { instruments, tombstones, capacity, generation, loadFactor, venues, heapBytes, tableBytes } = m;
  return { instruments, tombstones, capacity, generation, loadFactor, venues, heapBytes, tableBytes };
}

/** Expect `fn` to reject with a RegistryError of this code (and class). */
async function expectCode(fn: () => Promise<unknown>, code: string, cls: new (...a: never[]) => Error = SnapshotError): Promise<void> {
  let err: unknown;
  try {
    await fn();
  } catch (e) {
    err = e;
  }
  expect(err, `expected ${code}`).toBeInstanceOf(cls);
  expect((err as RegistryError).code).toBe(code);
}

describe('snapshot round trip', () => {
  it('restores every instrument, index and counter, and the writer continues on the restored handle', async () => {
    const { reg, ids, removed } = await buildRegistry(3000);
    reg.logSeq = 0x1_0000_0005n; // exercises both u64 halves
    const file = join(dir, 'roundtrip.snap');
    const info = await writeSnapshot(reg, file);
    const before = reg.getMetrics();
    expect(info.generation).toBe(before.generation);
    expect(before.generation).toBe(2); // grown once: the published table lives in regions[0]
    expect(info.capacity).toBe(before.capacity);
    expect(info.instruments).toBe(before.instruments);
    expect(info.logSeq).toBe(0x1_0000_0005n);
    expect(readFileSync(file).length).toBe(info.bytes);
    expect(readSnapshotHeader(file)).toMatchObject({ generation: info.generation, capacity: info.capacity, checksum: info.checksum, fileSize: info.bytes });

    const handle = await readSnapshot(file);
    expect(handle.regions[info.generation & 1]!.byteLength).toBe(info.sections.REGION);
    expect(handle.regions[(info.generation + 1) & 1]!.byteLength).toBe(0);
    expect(handle.regions.every((r) => r.growable)).toBe(true);

    const a = reg.reader();
    const b = RegistryReader.attach(handle);
    expect(b.generation).toBe(a.generation);
    expect(b.count).toBe(a.count);
    for (const id of ids) {
      const va = a.getById(id);
      const vb = b.getById(id);
      if (removed.has(id)) {
        expect(va).toBeUndefined();
        expect(vb).toBeUndefined();
      } else {
        expect(vb, `id ${id}`).toBeDefined();
        expect(vb!.toObject()).toEqual(va!.toObject());
      }
    }
    expect(b.all().map((v) => v.toObject())).toEqual(a.all().map((v) => v.toObject()));
    // Secondary indexes and the venue table came along.
    expect(b.getBySymbol('BINANCE', 'P11USDT')?.toObject()).toEqual(a.getBySymbol('BINANCE', 'P11USDT')?.toObject());
    expect(b.getByIsin('US0378331005').length).toBe(a.getByIsin('US0378331005').length);
    expect(b.getByIsin('US0378331005').length).toBeGreaterThan(0);
    expect(b.findByType('dexPool').length).toBe(a.findByType('dexPool').length);

    // Continue writing on the restored handle.
    const reg2 = await InstrumentRegistry.create({ handle, requireReferences: false });
    expect(sharedMetrics(reg2.getMetrics())).toEqual(sharedMetrics(before));
    expect(reg2.logSeq).toBe(0x1_0000_0005n);
    const ctlA = new Int32Array(reg.handle.control);
    const ctlB = new Int32Array(handle.control);
    for (const w of [CTL.COLLISIONS, CTL.REG_FAILED, CTL.HEAP_USED, CTL.VENUE_COUNT, CTL.TOMBSTONES]) expect(ctlB[w]).toBe(ctlA[w]);
    expect(reg2.registerInstrument(mixedInstrument(2)).outcome).toBe('unchanged');
    const fresh = reg2.registerInstrument({ kind: 'currency', symbol: 'AFTER_RESTORE', venue: 'ASSET', source: 'cex', status: 'active' });
    expect(fresh.outcome).toBe('added');
    expect(b.getById(fresh.id)?.symbol).toBe('AFTER_RESTORE');
    // The restored symbol index still guards venue + symbol uniqueness.
    expect(() => reg2.registerInstrument({ kind: 'future', symbol: 'P2USDT', venue: 'COINBASE', source: 'cex', status: 'active', expiry: 0 })).toThrowError(
      /DuplicateSymbol/,
    );
    // Grow past capacity: the writer builds the next generation in the other (empty) region,
    // and readers attached to the restored handle follow it.
    const gen0 = reg2.getMetrics().generation;
    const more: bigint[] = [];
    for (let i = 3000; i < 6000; i++) more.push(reg2.registerInstrument(mixedInstrument(i)).id); // one growth: 4096 → 8192 slots
    expect(reg2.getMetrics().generation).toBe(gen0 + 1);
    for (const id of [...ids.filter((x) => !removed.has(x)), ...more, fresh.id]) expect(b.has(id)).toBe(true);
    expect(b.getById(more[2345]!)?.toObject()).toEqual(reg2.getById(more[2345]!));
    // The original registry is unaffected.
    expect(a.has(fresh.id)).toBe(false);
    expect(reg.getMetrics().instruments).toBe(before.instruments);
  });

  it('restores a registry grown through several generations (regions reused at larger capacities)', async () => {
    const { reg } = await buildRegistry(3000, 64);
    const gen = reg.getMetrics().generation;
    expect(gen).toBeGreaterThanOrEqual(4);
    const file = join(dir, 'generations.snap');
    await writeSnapshot(reg, file);
    const handle = await readSnapshot(file);
    const b = RegistryReader.attach(handle);
    expect(b.generation).toBe(gen);
    expect(b.all().map((v) => v.toObject())).toEqual(
      reg
        .reader()
        .all()
        .map((v) => v.toObject()),
    );
    const reg2 = await InstrumentRegistry.create({ handle, requireReferences: false });
    for (let i = 3000; i < 9000; i++) reg2.registerInstrument(mixedInstrument(i));
    expect(reg2.getMetrics().generation).toBeGreaterThan(gen);
    expect(b.getById(reg2.idOf(mixedInstrument(8999)))?.symbol).toBe(mixedInstrument(8999).symbol);
    expect(b.count).toBe(reg2.getMetrics().instruments);
  });

  it('round trips an empty registry and restores without verification', async () => {
    const reg = await InstrumentRegistry.create({ requireReferences: false });
    const file = join(dir, 'empty.snap');
    const info = await writeSnapshot(reg.handle, file);
    expect(info.instruments).toBe(0);
    expect(info.sections.VENUES).toBe(0);
    const handle = readSnapshotSync(file, { verify: false });
    const reg2 = await InstrumentRegistry.create({ handle, requireReferences: false });
    expect(sharedMetrics(reg2.getMetrics())).toEqual(sharedMetrics(reg.getMetrics()));
    const { id } = reg2.registerInstrument(mixedInstrument(1));
    expect(RegistryReader.attach(handle).getById(id)?.toObject()).toMatchObject({ symbol: 'T1', venue: 'ETHEREUM' });
  });

  it('a second snapshot to the same path replaces the first', async () => {
    const { reg } = await buildRegistry(200);
    const file = join(dir, 'replace.snap');
    reg.logSeq = 1n;
    await writeSnapshot(reg, file);
    reg.registerInstrument(mixedInstrument(5000));
    reg.logSeq = 2n;
    await writeSnapshot(reg, file);
    const handle = await readSnapshot(file);
    expect((await InstrumentRegistry.create({ handle, requireReferences: false })).logSeq).toBe(2n);
    expect(RegistryReader.attach(handle).has(reg.idOf(mixedInstrument(5000)))).toBe(true);
    expect(readdirSync(dir).filter((n) => n.startsWith('replace.snap.tmp-'))).toEqual([]);
  });

  it('refuses to snapshot a handle with no published generation', async () => {
    const { allocateHandle } = await import('../src/shm/handle.js');
    await expectCode(() => writeSnapshot(allocateHandle(), join(dir, 'none.snap')), 'CorruptSnapshot');
    expect(existsSync(join(dir, 'none.snap'))).toBe(false);
  });
});

describe('snapshot rejection', () => {
  let good: Uint8Array;
  let file: string;
  beforeAll(async () => {
    const { reg } = await buildRegistry(40);
    file = join(dir, 'small.snap');
    await writeSnapshot(reg, file);
    good = new Uint8Array(readFileSync(file));
  });

  const attempt = (bytes: Uint8Array, name: string) => {
    const p = join(dir, name);
    writeFileSync(p, bytes);
    return () => readSnapshot(p);
  };

  it('the reference file restores', async () => {
    await expect(readSnapshot(file)).resolves.toBeDefined();
  });

  it('truncated at many offsets → CorruptSnapshot', async () => {
    const rnd = prng(7);
    const cuts = new Set([0, 1, 3, 4, 8, 16, 64, 127, 128, 129, 191, 192, 193, good.length - 1, good.length - 4]);
    for (let k = 0; k < 120; k++) cuts.add(Math.floor(rnd() * good.length));
    for (const cut of cuts) await expectCode(attempt(good.subarray(0, cut), 'cut.snap'), 'CorruptSnapshot');
  });

  it('trailing bytes → CorruptSnapshot', async () => {
    await expectCode(attempt(Buffer.concat([good, Buffer.alloc(1)]), 'long.snap'), 'CorruptSnapshot');
  });

  it('random byte flips anywhere → typed error, never a restored handle', async () => {
    const rnd = prng(42);
    const positions = new Set<number>();
    for (let p = 0; p < SNAPSHOT_HEADER_SIZE; p++) positions.add(p); // every header byte
    for (let k = 0; k < 300; k++) positions.add(Math.floor(rnd() * good.length));
    for (const pos of positions) {
      const bad = Uint8Array.from(good);
      bad[pos]! ^= 1 + Math.floor(rnd() * 255);
      const expected =
        pos >= SNAP_FORMAT_VERSION_OFFSET && pos < SNAP_LAYOUT_MAGIC_OFFSET
          ? ['UnsupportedVersion', SnapshotError]
          : pos >= SNAP_LAYOUT_MAGIC_OFFSET && pos < SNAP_LAYOUT_VERSION_OFFSET + 4
            ? ['LayoutMismatch', LayoutMismatchError]
            : ['CorruptSnapshot', SnapshotError];
      await expectCode(attempt(bad, 'flip.snap'), expected[0] as string, expected[1] as typeof SnapshotError);
    }
  });

  it('wrong file magic, format version, layout magic and layout version', async () => {
    const patch = (off: number, v: number) => {
      const b = Uint8Array.from(good);
      new DataView(b.buffer).setUint32(off, v, true);
      return b;
    };
    await expectCode(attempt(patch(SNAP_FILE_MAGIC_OFFSET, 0x12345678), 'm.snap'), 'CorruptSnapshot');
    await expectCode(attempt(Buffer.from('not a snapshot at all, just some text'.repeat(8)), 'txt.snap'), 'CorruptSnapshot');
    await expectCode(attempt(patch(SNAP_FORMAT_VERSION_OFFSET, 2), 'v.snap'), 'UnsupportedVersion');
    await expectCode(attempt(patch(SNAP_LAYOUT_MAGIC_OFFSET, LAYOUT_MAGIC ^ 1), 'lm.snap'), 'LayoutMismatch', LayoutMismatchError);
    await expectCode(attempt(patch(SNAP_LAYOUT_VERSION_OFFSET, LAYOUT_VERSION + 1), 'lv.snap'), 'LayoutMismatch', LayoutMismatchError);
  });

  /** Rewrite the checksum so that only the structural checks can catch the change. */
  function reseal(b: Uint8Array): Uint8Array {
    // The parted XXH64 of layout/snapshot.ts, written out independently: XXH64 of the header
    // prefix, then of each 4 MiB run after the header; XXH64 over those u64 digests (LE).
    const xxh = (bytes: Uint8Array) => {
      const h = newChecksum();
      h.update(bytes);
      return h.digest();
    };
    const digests = [xxh(b.subarray(0, SNAP_CHECKSUM_OFFSET))];
    for (let o = SNAPSHOT_HEADER_SIZE; o < b.length; o += 4 * 1024 * 1024) digests.push(xxh(b.subarray(o, Math.min(b.length, o + 4 * 1024 * 1024))));
    const list = new DataView(new ArrayBuffer(8 * digests.length));
    digests.forEach((d, i) => list.setBigUint64(8 * i, d, true));
    const sum = xxh(new Uint8Array(list.buffer));
    const dv = new DataView(b.buffer, b.byteOffset);
    dv.setUint32(SNAP_CHECKSUM_OFFSET, Number(sum & 0xffffffffn), true);
    dv.setUint32(SNAP_CHECKSUM_OFFSET + 4, Number(sum >> 32n), true);
    return b;
  }

  it('section lengths inconsistent with the header or the control region → CorruptSnapshot, even with a valid checksum', async () => {
    expect(reseal(Uint8Array.from(good))).toEqual(good); // reseal reproduces the writer's checksum
    // Heap section 4 bytes longer (file and size field adjusted): header consistent, control HEAP_USED is not.
    const longer = new Uint8Array(good.length + 4);
    longer.set(good);
    const dv = new DataView(longer.buffer);
    const heapLenAt = sectionEntryOffset(SNAPSHOT_SECTION.HEAP) + SECTION_ENTRY_LENGTH_OFFSET;
    dv.setUint32(heapLenAt, dv.getUint32(heapLenAt, true) + 4, true);
    dv.setUint32(sectionEntryOffset(SNAPSHOT_SECTION.VENUES), dv.getUint32(sectionEntryOffset(SNAPSHOT_SECTION.VENUES), true) + 4, true);
    // Move the venue section 4 bytes on (heap gains 4 zero bytes).
    const venuesAt =
      good.length - new DataView(good.buffer, good.byteOffset).getUint32(sectionEntryOffset(SNAPSHOT_SECTION.VENUES) + SECTION_ENTRY_LENGTH_OFFSET, true);
    longer.set(good.subarray(venuesAt), venuesAt + 4);
    longer.fill(0, venuesAt, venuesAt + 4);
    dv.setUint32(SNAP_FILE_SIZE_OFFSET, longer.length, true);
    await expectCode(attempt(reseal(longer), 'heap.snap'), 'CorruptSnapshot');
    // Region length not matching the capacity.
    const region = Uint8Array.from(good);
    const rdv = new DataView(region.buffer);
    const regionLenAt = sectionEntryOffset(SNAPSHOT_SECTION.REGION) + SECTION_ENTRY_LENGTH_OFFSET;
    rdv.setUint32(regionLenAt, rdv.getUint32(regionLenAt, true) - 128, true);
    await expectCode(attempt(reseal(region), 'region.snap'), 'CorruptSnapshot');
  });

  it('the failure of one restore does not leak a handle: the same file restores after being repaired', async () => {
    const bad = Uint8Array.from(good);
    bad[good.length - 1]! ^= 0xff;
    const p = join(dir, 'repair.snap');
    writeFileSync(p, bad);
    await expectCode(() => readSnapshot(p), 'CorruptSnapshot');
    writeFileSync(p, good);
    const h: RegistryHandle = await readSnapshot(p);
    expect(RegistryReader.attach(h).count).toBe(new Int32Array(h.control)[CTL.COUNT]);
  });
});

describe('parallel restore (file of several hashed parts)', () => {
  it('a snapshot spanning several 4 MiB parts restores on two threads, and a flipped byte in the second half is caught', async () => {
    // 50 k slots of capacity: the region alone is several 4 MiB parts, so a worker reads and
    // hashes the second half of the file.
    const { reg, ids } = await buildRegistry(2000, 50_000);
    const file = join(dir, 'big.snap');
    const info = await writeSnapshot(reg, file);
    expect(info.bytes).toBeGreaterThan(3 * 4 * 1024 * 1024);
    const restored = RegistryReader.attach(await readSnapshot(file));
    const original = reg.reader();
    for (const id of ids) expect(restored.getById(id)?.toObject()).toEqual(original.getById(id)?.toObject());
    const bytes = readFileSync(file);
    const flipped = Buffer.from(bytes);
    const at = bytes.length - 1000; // in the worker's half
    flipped[at] = flipped[at]! ^ 0x10;
    const bad = join(dir, 'big-flipped.snap');
    writeFileSync(bad, flipped);
    await expect(readSnapshot(bad)).rejects.toMatchObject({ code: 'CorruptSnapshot' });
    expect(() => readSnapshotSync(bad)).toThrow(/checksum mismatch/);
  });
});

describe('crash between write and rename', () => {
  it('a writer SIGKILLed mid-snapshot leaves the previous snapshot intact; its temp file is ignored and later cleaned', async () => {
    const child = fileURLToPath(new URL('../dist/workers/snapshot-crash-child.js', import.meta.url));
    if (!existsSync(child)) throw new Error(`${child} missing: run \`npm run build\` (npm test does it)`);
    const file = join(dir, 'crash.snap');
    const marker = join(dir, 'crash.marker');
    const proc = spawn(process.execPath, [child], { env: { ...process.env, SNAP_FILE: file, SNAP_MARKER: marker }, stdio: ['ignore', 'inherit', 'pipe'] });
    let stderr = '';
    proc.stderr!.on('data', (d) => (stderr += d));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => proc.once('exit', (code, signal) => res({ code, signal })));
    const deadline = Date.now() + 60_000;
    while (!existsSync(marker) && proc.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(existsSync(marker), `child did not reach the crash window: ${stderr}`).toBe(true);
    process.kill(proc.pid!, 'SIGKILL');
    expect((await exited).signal).toBe('SIGKILL');

    const m = JSON.parse(readFileSync(marker, 'utf8')) as { tmp: string; written: number; total: number; pid: number };
    expect(m.tmp).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.tmp-${proc.pid}-[0-9a-f]{16}$`));
    expect(existsSync(m.tmp)).toBe(true); // the half-written snapshot B is left behind…
    expect(m.written).toBeLessThan(m.total);
    // …and the path still holds snapshot A, whole and verified.
    const header = readSnapshotHeader(file);
    expect(header.logSeq).toBe(111n);
    const handle = await readSnapshot(file);
    const reg = await InstrumentRegistry.create({ handle, requireReferences: false });
    expect(reg.logSeq).toBe(111n);
    expect(reg.getMetrics().instruments).toBe(1500);
    const r = RegistryReader.attach(handle);
    expect(r.has(reg.idOf(mixedInstrument(1499)))).toBe(true);
    expect(r.has(reg.idOf(mixedInstrument(1500)))).toBe(false);
    // The truncated temp file is not a valid snapshot.
    await expectCode(() => readSnapshot(m.tmp), 'CorruptSnapshot');
    // The next successful write to the path removes the dead process's temp file.
    reg.logSeq = 333n;
    await writeSnapshot(reg, file);
    expect(existsSync(m.tmp)).toBe(false);
    expect(readSnapshotHeader(file).logSeq).toBe(333n);
  }, 90_000);
});
