/**
 * Global options of the `instreg` program, shared by every command.
 *
 * @module
 */
import type { Command } from 'commander';
import { cacheDir, checkDataDir, dataDir, userMappingsDirs } from '../config.js';
import { RegistryError } from '../errors.js';
import { CliError, EXIT_USAGE } from './cli-error.js';

/** Options given before or after the command name (`instreg --json get …`, `instreg get … --json`). */
export interface GlobalOptions {
  /** Data folder (MIC list, default payloads). */
  dataDir: string;
  /** Print JSON on stdout instead of tables. */
  json: boolean;
  /** Show a progress bar on stderr while loading (default: when stderr is a TTY). */
  progress: boolean;
  /** Folder of the automatic cache snapshot of `get` / `venues`, or `false` (`--no-cache`). */
  cache: string | false;
  /** User mapping folders loaded next to the shipped ones: `INSTREG_MAPPINGS_DIR`, then every `--mappings DIR` (absolute). */
  mappingsDirs: string[];
}

/**
 * The global options as seen from a (sub)command.
 *
 * @throws {CliError} exit code 2 when `--data-dir` / `--cache-dir` / `--mappings` is empty, or when no data folder
 *   is configured outside a source checkout (see `dataDir()` in `src/config.ts`).
 */
export function globalOptions(cmd: Command): GlobalOptions {
  const o = cmd.optsWithGlobals<{ dataDir?: string; json?: boolean; progress?: boolean; cache?: boolean; cacheDir?: string; mappings?: string[] }>();
  try {
    const dir = o.dataDir !== undefined ? checkDataDir(o.dataDir, '--data-dir') : dataDir();
    let cache: string | false = false;
    if (o.cache !== false) cache = o.cacheDir !== undefined ? checkDataDir(o.cacheDir, '--cache-dir') : cacheDir();
    const mappingsDirs = userMappingsDirs(o.mappings ?? []);
    return { dataDir: dir, json: o.json === true, progress: o.progress !== false && process.stderr.isTTY === true, cache, mappingsDirs };
  } catch (e) {
    if (e instanceof RegistryError) throw new CliError(e.message.replace(/^InvalidConfig: /, ''), EXIT_USAGE);
    throw e;
  }
}

/**
 * Check a `--snapshot FILE` option value.
 *
 * @returns the value (undefined when the option was not given).
 * @throws {CliError} exit code 2 when the value is empty or only blanks.
 */
export function checkSnapshotOption(file: string | undefined): string | undefined {
  if (file !== undefined && file.trim() === '') throw new CliError('--snapshot is empty: give the snapshot file', EXIT_USAGE);
  return file;
}
