/**
 * Snapshot files of a service directory: `snapshot-<logSeq>.snap` (format:
 * `layout/SPEC-snapshot.md`, crash-safe writes from `src/snapshot/`). The newest valid one is the
 * restart point; older ones are kept (`keep`, default 2) so that a damaged newest snapshot still
 * leaves a restart point with its log.
 *
 * @module
 */
import { readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { RegistryError } from '../errors.js';
import type { RegistryHandle } from '../shm/handle.js';
import { readSnapshot, writeSnapshotSync, type SnapshotInfo } from '../snapshot/index.js';
import type { InstrumentRegistry } from '../writer/registry.js';
import { fsyncDir } from '../snapshot/io.js';

const SNAP_RE = /^snapshot-(\d{20})\.snap$/;

/** Path of the snapshot holding the log up to `logSeq`. */
export function snapshotPath(dir: string, logSeq: bigint): string {
  return join(dir, `snapshot-${logSeq.toString().padStart(20, '0')}.snap`);
}

/** Snapshots in `dir`, newest (highest log seq) first. */
export function listSnapshots(dir: string): Array<{ file: string; logSeq: bigint }> {
  return readdirSync(dir)
    .map((n) => SNAP_RE.exec(n))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ file: join(dir, m[0]), logSeq: BigInt(m[1]!) }))
    .sort((a, b) => (a.logSeq < b.logSeq ? 1 : a.logSeq > b.logSeq ? -1 : 0));
}

/** A restored snapshot. */
export interface RestoredSnapshot {
  handle: RegistryHandle;
  logSeq: bigint;
  file: string;
}

/**
 * Restore the newest snapshot that reads back whole (checksum verified); damaged ones are
 * reported through `onWarning` and skipped.
 * @returns undefined when there is none
 */
export async function restoreNewest(dir: string, onWarning: (e: RegistryError) => void): Promise<RestoredSnapshot | undefined> {
  for (const s of listSnapshots(dir)) {
    try {
      return { handle: await readSnapshot(s.file), logSeq: s.logSeq, file: s.file };
    } catch (e) {
      if (!(e instanceof RegistryError)) throw e;
      onWarning(e);
    }
  }
  return undefined;
}

/**
 * Write a snapshot of `registry` (its current `logSeq`) and delete all but the newest `keep`.
 * Call from the writer, between changes, with the log durable up to `registry.logSeq`, after
 * `await loadSnapshotChecksum()` once (it is synchronous so that no change can interleave).
 * @returns what was written and the oldest kept snapshot's seq (the log may be trimmed up to it)
 */
export function takeSnapshot(registry: InstrumentRegistry, dir: string, keep = 2): { info: SnapshotInfo; oldestKept: bigint } {
  const info = writeSnapshotSync(registry, snapshotPath(dir, registry.logSeq));
  const all = listSnapshots(dir);
  for (const s of all.slice(Math.max(1, keep))) unlinkSync(s.file);
  if (all.length > keep) fsyncDir(dir);
  const kept = all.slice(0, Math.max(1, keep));
  return { info, oldestKept: kept[kept.length - 1]!.logSeq };
}
