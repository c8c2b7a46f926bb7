/**
 * Small synchronous file helpers: full positional reads/writes (the `…Sync` calls may return
 * short counts), directory fsync, and the liveness test used to clean stale temp files.
 *
 * @module
 */
import { closeSync, fsyncSync, openSync, readSync, writeSync } from 'node:fs';

/** Write all of `bytes` at file position `pos` (bytes). */
export function writeAll(fd: number, bytes: Uint8Array, pos: number): void {
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done, pos + done);
}

/** Read up to `bytes.length` bytes at `pos`; returns the count read (short only at end of file). */
export function readFull(fd: number, bytes: Uint8Array, pos: number): number {
  let done = 0;
  while (done < bytes.length) {
    const n = readSync(fd, bytes, done, bytes.length - done, pos + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

/** fsync a directory so that a rename inside it is durable (Linux, macOS; a no-op where directories cannot be opened). */
export function fsyncDir(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, 'r');
  } catch {
    return; // e.g. Windows: directories cannot be opened; rename durability is the FS's
  }
  try {
    fsyncSync(fd);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'EISDIR' && code !== 'EPERM') throw e;
  } finally {
    closeSync(fd);
  }
}

/** True if a process with this pid exists (signal 0 probe). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Block the calling thread for `ms` milliseconds (test hook only). */
export function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
