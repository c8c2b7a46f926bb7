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
import { ConfigError } from '../errors.js';
import { CONTROL_SIZE, CTL, HEAP_HEADER_SIZE, LAYOUT_MAGIC, LAYOUT_VERSION, VENUE_ENTRY_SIZE } from '../../layout/index.js';
import { SNAPSHOT_CHECKSUM_XXH64, SNAPSHOT_HASH_PART_BYTES, SNAPSHOT_HEADER_SIZE, SNAP_CHECKSUM_OFFSET } from '../../layout/snapshot.js';
import { argObject, argOptions, argPath, ioError } from '../args.js';
import { joinId } from '../id/halves.js';
import { allocateHandle, type RegistryHandle } from '../shm/handle.js';
import { PartedChecksum, combineDigests, digestOf, loadSnapshotChecksum, newChecksum } from './checksum.js';
import { SnapshotError } from './errors.js';
import { decodeHeader, SECTION, type SnapshotHeader } from './header.js';
import { readFull } from './io.js';

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
 * `regions[generation & 1]` and its heap to `heaps[generation & 1]`; the other region and heap are empty. The handle works with
 * `RegistryReader.attach(handle)` and `InstrumentRegistry.create({ handle })` (to continue
 * writing). The handle has no change-event ring. Loads the XXH64 hasher, then runs
 * {@link readSnapshotSync}.
 *
 * @param file path of a snapshot written by `writeSnapshot`. Temp files next to it are ignored.
 * @throws {SnapshotError} `CorruptSnapshot`: truncated file, bad file magic, header fields or
 *   section lengths inconsistent with each other or with the file size, checksum mismatch,
 *   control section inconsistent with the header. `UnsupportedVersion`: another snapshot format.
 * @throws {LayoutMismatchError} the snapshot holds another registry layout (magic or version).
 * @throws {IoError} `IoError` for file-system errors from `node:fs` (`errno` `ENOENT`, `EACCES`, `EISDIR` …).
 * @throws {RegistryError} `InvalidArgument` if `file` is not a non-empty string or `opts` not an object.
 */
export async function readSnapshot(file: string, opts: ReadSnapshotOptions = {}): Promise<RegistryHandle> {
  argPath(file, 'file');
  argOptions(opts);
  if (opts.verify === false) return readSnapshotSync(file, opts);
  try {
    return await readSnapshotParallel(file);
  } catch (e) {
    throw ioError(e, `read snapshot ${file}`);
  }
}

/**
 * Synchronous {@link readSnapshot}. `await loadSnapshotChecksum()` once on this thread first
 * (not needed with `verify: false`).
 * @throws as {@link readSnapshot}; also {@link RegistryError} `NotSupported` if verifying and the
 *   checksum module is not loaded.
 */
export function readSnapshotSync(file: string, opts: ReadSnapshotOptions = {}): RegistryHandle {
  argPath(file, 'file');
  argObject(opts, 'options');
  try {
    return readSync(file, opts);
  } catch (e) {
    throw ioError(e, `read snapshot ${file}`);
  }
}

function readSync(file: string, opts: ReadSnapshotOptions): RegistryHandle {
  const path = resolve(file);
  const verify = opts.verify ?? true;
  const fd = openSync(path, 'r');
  try {
    const plan = planRestore(path, fd);
    let hash: { update(b: Uint8Array): void; digest(): bigint } | undefined;
    if (verify && plan.header.checksumAlgo === SNAPSHOT_CHECKSUM_XXH64) {
      hash = newChecksum();
      hash.update(plan.headerPrefix);
    } else if (verify) {
      hash = new PartedChecksum(plan.headerPrefix);
    }
    for (const part of plan.parts) {
      for (const slice of part) {
        readSlice(path, fd, slice);
        hash?.update(slice.dst);
      }
    }
    if (hash) compareChecksum(path, plan.header, hash.digest());
    checkControl(path, plan.handle, plan.header);
    return plan.handle;
  } finally {
    closeSync(fd);
  }
}

/** A byte range of the file and where it goes (a view into one of the handle's buffers). */
interface Slice {
  dst: Uint8Array;
  fileOffset: number;
}

/**
 * A restore laid out before any section is read: the header, the fresh handle, the header prefix
 * that is hashed, and the rest of the file as hashed parts (`SNAPSHOT_HASH_PART_BYTES` runs of
 * file bytes from `SNAPSHOT_HEADER_SIZE`), each a list of slices (a part may span two sections).
 */
interface RestorePlan {
  header: SnapshotHeader;
  handle: RegistryHandle;
  headerPrefix: Uint8Array;
  parts: Slice[][];
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
  const heap = handle.heaps[h.generation & 1]!;
  if (heap.byteLength < heapLen) heap.grow(heapLen);
  if (handle.venues.byteLength < venueLen) handle.venues.grow(venueLen);
  const sections = [
    new Uint8Array(handle.control, 0, controlLen),
    new Uint8Array(region, 0, regionLen),
    new Uint8Array(heap, 0, heapLen),
    new Uint8Array(handle.venues, 0, venueLen),
  ];
  const parts: Slice[][] = [];
  let part: Slice[] = [];
  let room = SNAPSHOT_HASH_PART_BYTES;
  sections.forEach((dst, s) => {
    let o = 0;
    while (o < dst.length) {
      const take = Math.min(room, dst.length - o);
      part.push({ dst: dst.subarray(o, o + take), fileOffset: h.offsets[s]! + o });
      o += take;
      room -= take;
      if (room === 0) {
        parts.push(part);
        part = [];
        room = SNAPSHOT_HASH_PART_BYTES;
      }
    }
  });
  if (part.length) parts.push(part);
  return { header: h, handle, headerPrefix: headerBytes.subarray(0, SNAP_CHECKSUM_OFFSET), parts };
}

function readSlice(path: string, fd: number, { dst, fileOffset }: Slice): void {
  const n = readFull(fd, dst, fileOffset);
  if (n !== dst.length) throw new SnapshotError('CorruptSnapshot', path, `truncated while reading (file shrank to ${fileOffset + n} bytes)`);
}

function compareChecksum(path: string, h: SnapshotHeader, sum: bigint): void {
  if (sum !== h.checksum) {
    throw new SnapshotError('CorruptSnapshot', path, `checksum mismatch: header 0x${h.checksum.toString(16)}, contents 0x${sum.toString(16)}`);
  }
}

/**
 * {@link readSnapshot} with verification of a parted checksum: a worker thread reads and hashes the
 * second half of the parts straight into the same SharedArrayBuffers while this thread reads and
 * hashes the first half, so page faults, copies and hashing run on two cores.
 */
async function readSnapshotParallel(file: string): Promise<RegistryHandle> {
  const path = resolve(file);
  const fd = openSync(path, 'r');
  let worker: Worker | undefined;
  try {
    const plan = planRestore(path, fd);
    if (plan.header.checksumAlgo === SNAPSHOT_CHECKSUM_XXH64) {
      closeSync(fd);
      await loadSnapshotChecksum();
      return readSnapshotSync(file);
    }
    const split = Math.ceil(plan.parts.length / 2);
    const theirs = plan.parts
      .slice(split)
      .map((p) => p.map((sl) => ({ buffer: sl.dst.buffer as SharedArrayBuffer, offset: sl.dst.byteOffset, length: sl.dst.length, fileOffset: sl.fileOffset })));
    let digests: Promise<bigint[]> = Promise.resolve([]);
    if (theirs.length) {
      const w = new Worker(hasherWorkerPath(), { workerData: { path, parts: theirs } });
      worker = w;
      digests = new Promise<bigint[]>((ok, fail) => {
        w.once('message', (m: { digests?: bigint[]; error?: string }) =>
          m.error ? fail(new SnapshotError('CorruptSnapshot', path, m.error)) : ok(m.digests!),
        );
        w.once('error', fail);
      });
      digests.catch(() => undefined); // an error below abandons the worker; never an unhandled rejection
    }
    await loadSnapshotChecksum();
    const mine = [digestOf([plan.headerPrefix])];
    for (const part of plan.parts.slice(0, split)) {
      for (const slice of part) readSlice(path, fd, slice);
      mine.push(digestOf(part.map((sl) => sl.dst)));
    }
    compareChecksum(path, plan.header, combineDigests([...mine, ...(await digests)]));
    checkControl(path, plan.handle, plan.header);
    return plan.handle;
  } finally {
    try {
      closeSync(fd);
    } catch {
      // already closed (legacy-checksum path)
    }
    if (worker) void worker.terminate();
  }
}

function hasherWorkerPath(): string {
  const here = fileURLToPath(new URL('../../workers/snapshot-hasher.js', import.meta.url));
  if (existsSync(here)) return here;
  const built = join(repoRoot(), 'dist', 'workers', 'snapshot-hasher.js');
  if (existsSync(built)) return built;
  throw new ConfigError('hasherWorkerPath', `${built} missing: run \`npm run build\``);
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
  if (Math.max(HEAP_HEADER_SIZE, ctl[CTL.HEAP_USED]! >>> 0) !== heapLen) throw bad(`heap used ${ctl[CTL.HEAP_USED]! >>> 0} ≠ heap section ${heapLen}`);
  if (ctl[CTL.VENUE_COUNT]! * VENUE_ENTRY_SIZE !== h.lengths[SECTION.VENUES]) throw bad(`venue count ${ctl[CTL.VENUE_COUNT]}`);
}

/**
 * Read and structurally validate a snapshot's header without restoring it (no checksum check).
 * @throws as {@link readSnapshot}, except checksum and control-section errors.
 */
export function readSnapshotHeader(file: string): SnapshotHeader {
  argPath(file, 'file');
  const path = resolve(file);
  try {
    const fd = openSync(path, 'r');
    try {
      const bytes = new Uint8Array(SNAPSHOT_HEADER_SIZE);
      const got = readFull(fd, bytes, 0);
      return decodeHeader(path, bytes.subarray(0, got), fstatSync(fd).size);
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    throw ioError(e, `read snapshot header ${file}`);
  }
}
