/**
 * Crash-safe snapshot writing. The snapshot is written to `<file>.tmp-<pid>-<16 random hex digits>`,
 * fsynced, renamed over `<file>` (atomic on POSIX file systems) and the directory is fsynced. Until
 * the rename, the previous snapshot at `<file>` is untouched; after a crash, `<file>` holds either the
 * old or the new snapshot, whole.
 *
 * **Temp files.** The temp file is created exclusively and without following links
 * (`O_CREAT | O_EXCL | O_NOFOLLOW`, mode 0644) under a name nobody can predict, so a file or symlink
 * planted next to the snapshot is never written through: creation fails with `EEXIST` instead.
 * Temp files left by writers that died (their pid no longer exists) are removed at the start of
 * every write to the same path (a planted symlink among them is unlinked, its target untouched);
 * readers ignore temp files.
 *
 * **A symlink at `<file>`.** `rename` replaces the link itself: after the write, `<file>` is a
 * regular file holding the new snapshot and the link's former target is left as it was.
 *
 * **Consistency.** The copy is taken with plain reads of the shared regions, so nothing may
 * mutate the registry while it runs. Call it **from the writer thread, between registrations**:
 * the single writer is the caller, and the write is fully synchronous (the async variant does not
 * yield to the event loop once copying starts), so no registration can interleave.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { closeSync, constants, openSync, readdirSync, renameSync, unlinkSync, fsyncSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { CONTROL_SIZE, CTL, VENUE_ENTRY_SIZE, regionSize } from '../../layout/index.js';
import { SNAPSHOT_HEADER_SIZE, SNAP_CHECKSUM_OFFSET, type SnapshotSectionName } from '../../layout/snapshot.js';
import { argObject, argOptions, argPath, ioError } from '../args.js';
import { joinId } from '../id/halves.js';
import { checkHandle, type RegistryHandle } from '../shm/handle.js';
import { heapUsed } from '../shm/heap.js';
import type { InstrumentRegistry } from '../writer/registry.js';
import { PartedChecksum, loadSnapshotChecksum } from './checksum.js';
import { SnapshotError } from './errors.js';
import { encodeChecksum, encodeHeader, type SectionLengths } from './header.js';
import { fsyncDir, processAlive, sleepSync, writeAll } from './io.js';

/** Bytes hashed and written per `write` call (4 MiB: the fastest XXH64 update size measured here). */
export const SNAPSHOT_CHUNK_BYTES = 4 * 1024 * 1024;

/** What {@link writeSnapshot} wrote. */
export interface SnapshotInfo {
  /** Absolute path of the snapshot. */
  file: string;
  /** File size in bytes. */
  bytes: number;
  /** Section sizes in bytes. */
  sections: Record<SnapshotSectionName, number>;
  /** Published table generation captured. */
  generation: number;
  /** Slot capacity of that generation. */
  capacity: number;
  /** Live instruments captured. */
  instruments: number;
  /** Last applied registration-log sequence number captured. */
  logSeq: bigint;
  /** XXH64 stored in the header. */
  checksum: bigint;
  /** Time spent hashing and writing the temp file, ms. */
  writeMs: number;
  /** Time spent in fsync (file and directory) and rename, ms. */
  syncMs: number;
}

/**
 * **Test-only** hooks that widen the window between writing and renaming, so tests can kill a
 * writer mid-snapshot. Not for production use; may change without notice.
 */
export interface SnapshotTestHooks {
  /** Bytes per write call instead of {@link SNAPSHOT_CHUNK_BYTES}. */
  chunkBytes?: number;
  /** Block this many ms after each chunk (synchronous sleep). */
  chunkDelayMs?: number;
  /** Called after each chunk reaches the temp file: bytes written so far, total bytes, temp path. */
  afterChunk?: (bytesWritten: number, totalBytes: number, tmpFile: string) => void;
  /** Called after the temp file is complete and fsynced, just before the rename. */
  beforeRename?: (tmpFile: string) => void;
}

/** Options of {@link writeSnapshot}. */
export interface WriteSnapshotOptions {
  /** Test-only, see {@link SnapshotTestHooks}. */
  testHooks?: SnapshotTestHooks;
}

/**
 * Write a crash-safe snapshot of a registry (format: `layout/snapshot.ts`,
 * `layout/SPEC-snapshot.md`). Loads the XXH64 hasher, then runs {@link writeSnapshotSync}.
 *
 * Call it from the registry's writer thread between registrations (see the module doc); it
 * blocks that thread for the duration of the copy (≈ file size / disk speed + fsync).
 *
 * @param registry the writer, or the handle of a registry whose writer is the caller.
 * @param file destination path; its directory must exist.
 * @returns sizes (bytes), captured generation/sequence and timings (ms).
 * @throws {LayoutMismatchError} the handle is malformed or of another layout.
 * @throws {SnapshotError} `CorruptSnapshot` if the registry is not in a state that can be
 *   copied (no published generation, a table build in progress, regions shorter than the control
 *   region says).
 * @throws {IoError} `IoError` for file-system errors (`errno` `ENOENT`, `ENOSPC`, `EISDIR` …) from
 *   `node:fs`; the temp file is removed and `file` is left as it was.
 * @throws {RegistryError} `InvalidArgument` if `registry` is not an object, `file` not a
 *   non-empty string or `opts` not an object.
 */
export async function writeSnapshot(registry: InstrumentRegistry | RegistryHandle, file: string, opts: WriteSnapshotOptions = {}): Promise<SnapshotInfo> {
  argObject(registry, 'registry');
  argPath(file, 'file');
  argOptions(opts);
  await loadSnapshotChecksum();
  return writeSnapshotSync(registry, file, opts);
}

/**
 * Synchronous {@link writeSnapshot}. `await loadSnapshotChecksum()` once on this thread first.
 * @throws as {@link writeSnapshot}; also {@link RegistryError} `NotSupported` if the checksum module is not loaded.
 */
export function writeSnapshotSync(registry: InstrumentRegistry | RegistryHandle, file: string, opts: WriteSnapshotOptions = {}): SnapshotInfo {
  argObject(registry, 'registry');
  argPath(file, 'file');
  argObject(opts, 'options');
  try {
    return writeSync(registry, file, opts);
  } catch (e) {
    throw ioError(e, `write snapshot ${file}`);
  }
}

function writeSync(registry: InstrumentRegistry | RegistryHandle, file: string, opts: WriteSnapshotOptions): SnapshotInfo {
  const t0 = performance.now();
  const hooks = opts.testHooks ?? {};
  const path = resolve(file);
  removeStaleTemps(path);
  const handle: RegistryHandle = 'control' in registry ? registry : registry.handle;
  checkHandle(handle);
  const ctl = new Int32Array(handle.control);
  const cannot = (m: string) => new SnapshotError('CorruptSnapshot', path, `cannot snapshot: ${m}`);
  const generation = Atomics.load(ctl, CTL.GENERATION);
  const capacity = Atomics.load(ctl, CTL.CAPACITY);
  if (generation < 1) throw cannot('the registry has no published generation');
  if (Atomics.load(ctl, CTL.BUILDING) !== generation) throw cannot('a table generation is being built (is the writer running concurrently?)');
  const region = handle.regions[generation & 1]!;
  const heap = handle.heaps[generation & 1]!; // the heap generation g's records reference
  const lengths: SectionLengths = [CONTROL_SIZE, regionSize(capacity), heapUsed(ctl), Atomics.load(ctl, CTL.VENUE_COUNT) * VENUE_ENTRY_SIZE];
  if (region.byteLength < lengths[1]) throw cannot(`region ${generation & 1} is ${region.byteLength} bytes, capacity ${capacity} needs ${lengths[1]}`);
  if (heap.byteLength < lengths[2]) throw cannot(`heap ${generation & 1} is ${heap.byteLength} bytes, ${lengths[2]} in use`);
  if (handle.venues.byteLength < lengths[3]) throw cannot(`venue table is ${handle.venues.byteLength} bytes, ${lengths[3]} in use`);
  const sources = [
    new Uint8Array(handle.control, 0, lengths[0]),
    new Uint8Array(region, 0, lengths[1]),
    new Uint8Array(heap, 0, lengths[2]),
    new Uint8Array(handle.venues, 0, lengths[3]),
  ];
  const logSeq = joinId(Atomics.load(ctl, CTL.LOG_SEQ_LO), Atomics.load(ctl, CTL.LOG_SEQ_HI));
  const instruments = Atomics.load(ctl, CTL.COUNT);
  const { bytes: header, offsets } = encodeHeader({ logSeq, generation, capacity, instruments, lengths, checksum: 0n });
  const total = offsets[offsets.length - 1]!;

  const tmp = `${path}.tmp-${process.pid}-${randomBytes(8).toString('hex')}`;
  const chunk = Math.max(1, hooks.chunkBytes ?? SNAPSHOT_CHUNK_BYTES);
  // exclusive: never an existing file, never through a symlink (EEXIST / ELOOP instead)
  let fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0), 0o644);
  let checksum: bigint;
  let t1: number;
  try {
    const hash = new PartedChecksum(header.subarray(0, SNAP_CHECKSUM_OFFSET));
    writeAll(fd, header, 0);
    let pos = SNAPSHOT_HEADER_SIZE;
    for (const src of sources) {
      for (let o = 0; o < src.length; o += chunk) {
        const part = src.subarray(o, Math.min(src.length, o + chunk));
        hash.update(part);
        writeAll(fd, part, pos);
        pos += part.length;
        if (hooks.chunkDelayMs) sleepSync(hooks.chunkDelayMs);
        hooks.afterChunk?.(pos, total, tmp);
      }
    }
    checksum = hash.digest();
    writeAll(fd, encodeChecksum(checksum), SNAP_CHECKSUM_OFFSET);
    t1 = performance.now();
    fsyncSync(fd);
    closeSync(fd);
    fd = -1;
    hooks.beforeRename?.(tmp);
    renameSync(tmp, path);
  } catch (e) {
    if (fd >= 0) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      /* already gone */
    }
    throw e;
  }
  fsyncDir(dirname(path));
  const t2 = performance.now();
  return {
    file: path,
    bytes: total,
    sections: { CONTROL: lengths[0], REGION: lengths[1], HEAP: lengths[2], VENUES: lengths[3] },
    generation,
    capacity,
    instruments,
    logSeq,
    checksum,
    writeMs: t1 - t0,
    syncMs: t2 - t1,
  };
}

/**
 * Remove `<file>.tmp-<pid>[-<random>]` entries left by processes that no longer exist (unlink: a
 * symlink is removed, not followed). Errors are ignored.
 */
function removeStaleTemps(path: string): void {
  const dir = dirname(path);
  const prefix = `${basename(path)}.tmp-`;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(/^(\d+)(?:-[0-9a-f]+)?$/.exec(name.slice(prefix.length))?.[1] ?? NaN);
    if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid || processAlive(pid)) continue;
    try {
      unlinkSync(join(dir, name));
    } catch {
      /* raced with another cleaner */
    }
  }
}
