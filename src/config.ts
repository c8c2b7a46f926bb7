/**
 * Process-level configuration: where the repository and the reference data live.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The repository root: the nearest directory at or above `from` that contains a `package.json`.
 * Works both from sources (`src/…`, as vitest runs them) and from the compiled output
 * (`dist/src/…`, two levels below the root).
 *
 * @param from directory to start from; default: this module's directory.
 * @returns absolute path of the repository root.
 * @throws {Error} if no ancestor directory contains a `package.json`.
 */
export function repoRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = resolve(from);
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json found at or above ${from}`);
    dir = parent;
  }
}

/**
 * Directory holding the reference vendor data (ISO 10383 MIC CSV, exchange payloads …).
 *
 * @returns `process.env.INSTREG_DATA_DIR` when set and non-empty, else `<repo root>/../shared/data`
 *   (absolute path; not checked for existence).
 */
export function dataDir(): string {
  const env = process.env['INSTREG_DATA_DIR'];
  if (env !== undefined && env !== '') return resolve(env);
  return resolve(repoRoot(), '..', 'shared', 'data');
}
