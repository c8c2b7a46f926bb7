/**
 * Snapshot restore: sections are read with `readSync` straight into `Uint8Array` views of
 * freshly allocated SharedArrayBuffers (no intermediate copies, no instrument parsing), hashed
 * chunk by chunk while still in cache, and the handle is returned only once every check passed.
 *
 * @module
 */
import { closeSync, existsSync, fstatSync, openSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { repoRoot } from '../config.js';
import { CONTROL_SIZE, CTL, HEAP_HEADER_SIZE, LAYOUT_MAGIC, LAYOUT_VERSION, VENUE_ENTRY_SIZE } from '../../layout/index.js';
import { SNAPSHOT_HEADER_SIZE, SNAP_CHECKSUM_OFFSET } from '../../layout/snapshot.js';
import { joinId } from '../id/derive.js';
import { allocateHandle, type RegistryHandle } from '../shm/handle.js';
import { loadSnapshotChecksum, newChecksum } from './checksum.js';
import { SnapshotError } from './errors.js';
import { decodeHeader, SECTION, type SnapshotHeader } from './header.js';
import { readFull } from './io.js';
import { SNAPSHOT_CHUNK_BYTES } from './write.js';

/** Options of {@link readSnapshot}. */
export interface ReadSnapshotOptions {
  /**
   * Verify the XXH64 checksum (default true). `false` skips hashing (faster restore) but
   * still runs every structural check; a flipped byte inside a section then goes undetected.
   */
  verify?: boolean;
}

/**
 * Restore a snapshot (format: `layout/snapshot.ts`) into fresh growable SharedArrayBuffers
 * (same bounds as `allocateHandle`). The published generation's region goes to
 * `regions[generation & 1]`; the other region is empty. The handle works with
 * `RegistryReader.attach(handle)` and `InstrumentRegistry.create({ handle })` (to continue
 * writing). The handle has no change-event ring. Loads the XXH64 hasher, then runs
 * {@link readSnapshotSync}.
 *
 * @param file path of a snapshot written by `writeSnapshot`. Temp files next to it are ignored.
 * @throws {SnapshotError} `CorruptSnapshot`: truncated file, bad file magic, header fields or
 *   section lengths inconsistent with each other or with the file size, checksum mismatch,
 *   control section inconsistent with the header. `UnsupportedVersion`: another snapshot format.
 * @throws {LayoutMismatchError} the snapshot holds another registry layout (magic or version).
 * @throws {Error} file-system errors from `node:fs` (`ENOENT`, `EACCES`, …).
 */
export async function readSnapshot(file: string, opts: ReadSnapshotOptions = {}): Promise<RegistryHandle> {
  if (opts.verify === false) return readSnapshotSync(file, opts);
  return readSnapshotOverlapped(file);
}

/**
 * Synchronous {@link readSnapshot}. `await loadSnapshotChecksum()` once on this thread first
 * (not needed with `verify: false`).
 * @throws as {@link readSnapshot}; also `Error` if verifying and the checksum module is not loaded.
 */
export function readSnapshotSync(file: string, opts: ReadSnapshotOptions = {}): RegistryHandle {
  const path = resolve(file);
  const verify = opts.verify ?? true;
  const fd = openSync(path, 'r');
  try {
    const plan = planRestore(path, fd);
    const hash = verify ? newChecksum() : undefined;
    hash?.update(plan.hashed[0]!);
    readParts(path, fd, plan, (k) => hash?.update(plan.hashed[k]!));
    if (hash) compareChecksum(path, plan.header, hash.digest());
    checkControl(path, plan.handle, plan.header);
    return plan.handle;
  } finally {
    closeSync(fd);
  }
}

/**
 * A restore laid out before any section is read: the header, the fresh handle, and the byte
 * ranges in file order (`parts`, each a view into the handle's buffers, with its file offset).
 * `hashed[0]` is the header up to the checksum field; `hashed[k + 1]` is `parts[k]`.
 */
interface RestorePlan {
  header: SnapshotHeader;
  handle: RegistryHandle;
  parts: Array<{ dst: Uint8Array; fileOffset: number }>;
  hashed: Uint8Array[];
}

function planRestore(path: string, fd: number): RestorePlan {
  const size = fstatSync(fd).size;
  const headerBytes = new Uint8Array(SNAPSHOT_HEADER_SIZE);
  const got = readFull(fd, headerBytes, 0);
  const h = decodeHeader(path, headerBytes.subarray(0, got), size);
  const handle = allocateHandle();
  const [controlLen, regionLen, heapLen, venueLen] = h.lengths;
  const region = handle.regions[h.generation & 1]!;
  region.grow(regionLen);
  if (handle.heap.byteLength < heapLen) handle.heap.grow(heapLen);
  if (handle.venues.byteLength < venueLen) handle.venues.grow(venueLen);
  const targets = [
    new Uint8Array(handle.control, 0, controlLen),
    new Uint8Array(region, 0, regionLen),
    new Uint8Array(handle.heap, 0, heapLen),
    new Uint8Array(handle.venues, 0, venueLen),
  ];
  const parts: RestorePlan['parts'] = [];
  targets.forEach((dst, s) => {
    for (let o = 0; o < dst.length; o += SNAPSHOT_CHUNK_BYTES) {
      parts.push({ dst: dst.subarray(o, Math.min(dst.length, o + SNAPSHOT_CHUNK_BYTES)), fileOffset: h.offsets[s]! + o });
    }
  });
  return { header: h, handle, parts, hashed: [headerBytes.subarray(0, SNAP_CHECKSUM_OFFSET), ...parts.map((p) => p.dst)] };
}

/** Read every part in file order; `onPart(k + 1)` after part k (index into `plan.hashed`). */
function readParts(path: string, fd: number, plan: RestorePlan, onPart: (hashedIndex: number) => void): void {
  plan.parts.forEach(({ dst, fileOffset }, k) => {
    const n = readFull(fd, dst, fileOffset);
    if (n !== dst.length) throw new SnapshotError('CorruptSnapshot', path, `truncated while reading (file shrank to ${fileOffset + n} bytes)`);
    onPart(k + 1);
  });
}

function compareChecksum(path: string, h: SnapshotHeader, sum: bigint): void {
  if (sum !== h.checksum) {
    throw new SnapshotError('CorruptSnapshot', path, `checksum mismatch: header 0x${h.checksum.toString(16)}, contents 0x${sum.toString(16)}`);
  }
}

/**
 * {@link readSnapshot} with verification: a worker thread hashes each part as soon as this thread
 * has read it, so the XXH64 pass (~80 ms at 1 M instruments) overlaps the read instead of
 * following it. The parts live in SharedArrayBuffers, so the worker reads them in place.
 */
async function readSnapshotOverlapped(file: string): Promise<RegistryHandle> {
  const path = resolve(file);
  const fd = openSync(path, 'r');
  let worker: Worker | undefined;
  const progress = new Int32Array(new SharedArrayBuffer(2 * 4)); // [parts ready, abort]
  try {
    const plan = planRestore(path, fd);
    const header = new Uint8Array(new SharedArrayBuffer(plan.hashed[0]!.length));
    header.set(plan.hashed[0]!);
    const parts = [header, ...plan.hashed.slice(1)].map((v) => ({ buffer: v.buffer as SharedArrayBuffer, offset: v.byteOffset, length: v.length }));
    worker = new Worker(hasherWorkerPath(), { workerData: { parts, progress } });
    const digest = new Promise<bigint>((resolveDigest, reject) => {
      worker!.once('message', (d: bigint) => resolveDigest(d));
      worker!.once('error', reject);
    });
    digest.catch(() => undefined); // a read error below abandons the digest; never an unhandled rejection
    Atomics.store(progress, 0, 1); // the header part is ready
    Atomics.notify(progress, 0);
    readParts(path, fd, plan, (k) => {
      Atomics.store(progress, 0, k + 1);
      Atomics.notify(progress, 0);
    });
    compareChecksum(path, plan.header, await digest);
    checkControl(path, plan.handle, plan.header);
    return plan.handle;
  } finally {
    Atomics.store(progress, 1, 1);
    Atomics.notify(progress, 0);
    closeSync(fd);
    if (worker) void worker.terminate();
  }
}

function hasherWorkerPath(): string {
  const here = fileURLToPath(new URL('../../workers/snapshot-hasher.js', import.meta.url));
  if (existsSync(here)) return here;
  const built = join(repoRoot(), 'dist', 'workers', 'snapshot-hasher.js');
  if (existsSync(built)) return built;
  throw new Error(`${built} missing: run \`npm run build\``);
}

/** The restored control region must agree with the header (catches a writer bug or a forged file). */
function checkControl(path: string, handle: RegistryHandle, h: SnapshotHeader): void {
  const ctl = new Int32Array(handle.control, 0, CONTROL_SIZE / 4);
  const bad = (m: string) => new SnapshotError('CorruptSnapshot', path, `control section inconsistent with the header: ${m}`);
  if (ctl[CTL.MAGIC]! >>> 0 !== LAYOUT_MAGIC || ctl[CTL.VERSION] !== LAYOUT_VERSION) throw bad('layout magic/version');
  if (ctl[CTL.GENERATION] !== h.generation) throw bad(`generation ${ctl[CTL.GENERATION]} ≠ ${h.generation}`);
  if (ctl[CTL.BUILDING] !== h.generation) throw bad(`building ${ctl[CTL.BUILDING]} ≠ ${h.generation}`);
  if (ctl[CTL.CAPACITY] !== h.capacity) throw bad(`capacity ${ctl[CTL.CAPACITY]} ≠ ${h.capacity}`);
  if (ctl[CTL.COUNT] !== h.instruments) throw bad(`count ${ctl[CTL.COUNT]} ≠ ${h.instruments}`);
  if (joinId(ctl[CTL.LOG_SEQ_LO]!, ctl[CTL.LOG_SEQ_HI]!) !== h.logSeq) throw bad('log sequence');
  const heapLen = h.lengths[SECTION.HEAP];
  if (Math.max(HEAP_HEADER_SIZE, ctl[CTL.HEAP_USED]!) !== heapLen) throw bad(`heap used ${ctl[CTL.HEAP_USED]} ≠ heap section ${heapLen}`);
  if (ctl[CTL.VENUE_COUNT]! * VENUE_ENTRY_SIZE !== h.lengths[SECTION.VENUES]) throw bad(`venue count ${ctl[CTL.VENUE_COUNT]}`);
}

/**
 * Read and structurally validate a snapshot's header without restoring it (no checksum check).
 * @throws as {@link readSnapshot}, except checksum and control-section errors.
 */
export function readSnapshotHeader(file: string): SnapshotHeader {
  const path = resolve(file);
  const fd = openSync(path, 'r');
  try {
    const bytes = new Uint8Array(SNAPSHOT_HEADER_SIZE);
    const got = readFull(fd, bytes, 0);
    return decodeHeader(path, bytes.subarray(0, got), fstatSync(fd).size);
  } finally {
    closeSync(fd);
  }
}
