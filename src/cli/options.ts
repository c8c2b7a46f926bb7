/**
 * Global options of the `instreg` program, shared by every command.
 *
 * @module
 */
import type { Command } from 'commander';
import { dataDir } from '../config.js';

/** Options given before or after the command name (`instreg --json get …`, `instreg get … --json`). */
export interface GlobalOptions {
  /** Data folder (MIC list, default payloads). */
  dataDir: string;
  /** Print JSON on stdout instead of tables. */
  json: boolean;
  /** Show a progress bar on stderr while loading (default: when stderr is a TTY). */
  progress: boolean;
}

/** The global options as seen from a (sub)command. */
export function globalOptions(cmd: Command): GlobalOptions {
  const o = cmd.optsWithGlobals<{ dataDir?: string; json?: boolean; progress?: boolean }>();
  return {
    dataDir: o.dataDir ?? dataDir(),
    json: o.json === true,
    progress: o.progress !== false && process.stderr.isTTY === true,
  };
}
