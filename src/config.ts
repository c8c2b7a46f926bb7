/**
 * Process-level configuration: where the package root, the reference data and the CLI cache live.
 *
 * The one data-directory setting everything uses (CLI, tests, benches) is {@link dataDir}:
 * `INSTREG_DATA_DIR` when set, else, in a source checkout only, `<repo>/../shared/data`.
 * User mapping folders (in addition to the shipped `mappings/`): {@link userMappingsDirs}
 * (`INSTREG_MAPPINGS_DIR` plus the CLI's `--mappings DIR`).
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, RegistryError } from './errors.js';

/**
 * The package root: the nearest directory at or above `from` that contains a `package.json`.
 * Works both from sources (`src/…`, as vitest runs them) and from the compiled output
 * (`dist/src/…`, two levels below the root), in a checkout and in an installed package.
 *
 * @param from directory to start from; default: this module's directory.
 * @returns absolute path of the package root.
 * @throws {ConfigError} `InvalidConfig` if no ancestor directory contains a `package.json`.
 * @throws {RegistryError} `InvalidArgument` if `from` is not a string.
 */
export function repoRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  if (typeof from !== 'string') throw new RegistryError('InvalidArgument', `repoRoot: directory must be a string, got ${typeof from}`);
  let dir = resolve(from);
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new ConfigError('repoRoot', `no package.json found at or above ${from}`);
    dir = parent;
  }
}

/**
 * Whether the package runs from a source checkout (its root holds `.git` or `src/config.ts`;
 * an installed tarball has neither).
 *
 * @param root package root (default {@link repoRoot}).
 * @throws {RegistryError} `InvalidArgument` if `root` is not a string.
 */
export function isCheckout(root: string = repoRoot()): boolean {
  if (typeof root !== 'string') throw new RegistryError('InvalidArgument', `isCheckout: root must be a string, got ${typeof root}`);
  return existsSync(join(root, '.git')) || existsSync(join(root, 'src', 'config.ts'));
}

/**
 * Check an explicitly given data directory (`--data-dir` or `INSTREG_DATA_DIR`).
 *
 * @param dir the value as given.
 * @param from what it came from, for the message (`--data-dir`, `INSTREG_DATA_DIR`).
 * @returns the absolute path (existence is not checked: a missing folder fails when read).
 * @throws {ConfigError} `InvalidConfig` when `dir` is not a string, is empty or only blanks.
 */
export function checkDataDir(dir: string, from = '--data-dir'): string {
  if (typeof dir !== 'string') throw new ConfigError(String(from), `${String(from)} must be a string (the data folder), got ${typeof dir}`);
  if (dir.trim() === '') throw new ConfigError(from, `${from} is empty: give the data folder (MIC list and payloads)`);
  return resolve(dir);
}

/**
 * Directory holding the reference vendor data (ISO 10383 MIC CSV, exchange payloads …).
 *
 * @returns `process.env.INSTREG_DATA_DIR` when set (absolute), else, in a source checkout,
 *   `<repo root>/../shared/data` (not checked for existence).
 * @throws {ConfigError} `InvalidConfig` when `INSTREG_DATA_DIR` is set but empty, or when it is
 *   unset outside a checkout (an installed package has no default data folder).
 */
export function dataDir(): string {
  const env = process.env['INSTREG_DATA_DIR'];
  if (env !== undefined) return checkDataDir(env, 'INSTREG_DATA_DIR');
  const root = repoRoot();
  if (isCheckout(root)) return resolve(root, '..', 'shared', 'data');
  throw new ConfigError(
    'dataDir',
    'no data folder: pass --data-dir DIR or set INSTREG_DATA_DIR (the default ../shared/data applies only in a source checkout)',
  );
}

/**
 * Directory of the CLI's cache snapshots: `INSTREG_CACHE_DIR`, else `$XDG_CACHE_HOME/instreg`,
 * else `~/.cache/instreg` (absolute; created on first write).
 *
 * @throws {ConfigError} `InvalidConfig` when `INSTREG_CACHE_DIR` is set but empty.
 */
export function cacheDir(): string {
  const env = process.env['INSTREG_CACHE_DIR'];
  if (env !== undefined) {
    if (env.trim() === '') throw new ConfigError('INSTREG_CACHE_DIR', 'INSTREG_CACHE_DIR is empty');
    return resolve(env);
  }
  const xdg = process.env['XDG_CACHE_HOME'];
  return resolve(xdg !== undefined && xdg !== '' ? xdg : join(homedir(), '.cache'), 'instreg');
}

/**
 * Folders of user mappings, loaded in addition to the shipped `mappings/` (`loadMappings`):
 * the folders of `INSTREG_MAPPINGS_DIR` (one, or several separated by the platform's path
 * delimiter, `:` here; unset or blank: none), then `extra` (the CLI's `--mappings DIR`, repeatable),
 * resolved to absolute paths, each folder once.
 *
 * @param extra further folders, e.g. from `--mappings`.
 * @param from what `extra` came from, for the message.
 * @throws {ConfigError} `InvalidConfig` when an `extra` folder is empty or only blanks.
 * @example
 * userMappingsDirs(['./my-mappings']); // ['/home/me/my-mappings'] (+ INSTREG_MAPPINGS_DIR's)
 */
export function userMappingsDirs(extra: readonly string[] = [], from = '--mappings'): string[] {
  const env = process.env['INSTREG_MAPPINGS_DIR'];
  const dirs = env === undefined ? [] : env.split(delimiter).filter((d) => d.trim() !== '');
  for (const d of extra) {
    if (d.trim() === '') throw new ConfigError(from, `${from} is empty: give a folder of mapping files`);
    dirs.push(d);
  }
  return [...new Set(dirs.map((d) => resolve(d)))];
}
