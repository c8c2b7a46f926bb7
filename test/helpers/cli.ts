/** Running the `instreg` program as a real child process in tests (compiled code in dist/). */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dataDir, repoRoot } from '../../src/config.js';

/** Repository root. */
export const ROOT = repoRoot();
/** The CLI launcher. */
export const BIN = join(ROOT, 'bin', 'instreg.js');
/** Shipped data directory the CLI is pointed at. */
export const DATA = dataDir();
/** Cache folder of the CLI's cache snapshot for this test process (never the user's cache). */
export const CACHE = mkdtempSync(join(tmpdir(), 'instreg-cli-cache-'));
/** Timeout (ms) for tests that load all the data. */
export const LONG = 240_000;

/** Exit code and output of one CLI run. */
export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run the CLI (stderr is a pipe, so no progress bar). */
export function instreg(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: ROOT, maxBuffer: 256 << 20, env: { ...process.env, INSTREG_DATA_DIR: DATA, INSTREG_CACHE_DIR: CACHE } },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
