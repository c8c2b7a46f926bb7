/**
 * Crash-safe registry snapshots: {@link writeSnapshot} copies a registry's shared regions to a
 * file (temp file, fsync, atomic rename, directory fsync); {@link readSnapshot} restores them
 * into fresh SharedArrayBuffers without re-parsing instruments. File format:
 * `layout/snapshot.ts` and `layout/SPEC-snapshot.md`.
 *
 * @module
 */
export { writeSnapshot, writeSnapshotSync, SNAPSHOT_CHUNK_BYTES, type SnapshotInfo, type SnapshotTestHooks, type WriteSnapshotOptions } from './write.js';
export { readSnapshot, readSnapshotSync, readSnapshotHeader, type ReadSnapshotOptions } from './read.js';
export { loadSnapshotChecksum } from './checksum.js';
export { SnapshotError } from './errors.js';
export type { SnapshotHeader, SectionLengths } from './header.js';
