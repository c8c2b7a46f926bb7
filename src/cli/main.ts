/**
 * The `instreg` command-line program (commander). Commands:
 *
 * - `load [PATH…] [--snapshot FILE]`: load payloads (default: the data folder) and print a
 *   summary; `--snapshot` also writes a crash-safe snapshot of the registry;
 * - `get [--snapshot FILE] QUERY`: instruments by id, `VENUE:SYMBOL`, ISIN, CUSIP or `CHAIN:0xADDRESS`;
 * - `venues [--snapshot FILE] QUERY`: every venue an ISIN, asset or token trades on
 *   (`get`/`venues --snapshot`: start from a snapshot instead of loading the payloads);
 * - `bench`: lookup benchmark (see `bench-command.ts`);
 * - `start`: what `npm start` runs: the load summary of the shipped data, then a short benchmark;
 * - `serve`, `replica`: the writer service and a replica process (`service-commands.ts`);
 *   `get --server SOCKET QUERY` asks a running writer.
 *
 * - `export --parquet DIR`: the registry as Parquet files, one per venue and kind;
 *
 * Global options: `--data-dir DIR` (default: `INSTREG_DATA_DIR`, or `../shared/data` in a source
 * checkout; required elsewhere), `--cache-dir DIR`, `--no-cache`, `--json`, `--no-progress`,
 * `--mappings DIR` (repeatable: user mapping folders next to the shipped ones, after `INSTREG_MAPPINGS_DIR`'s). Exit codes: 0 ok, 1 not found, 2 usage (malformed query, bad option),
 * 3 data (a file could not be loaded), 4 internal error.
 *
 * The registry is built on the main thread (it is the single writer); lookups go through
 * `registry.reader()`.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { repoRoot } from '../config.js';
import { RegistryError } from '../errors.js';
import { registerBenchCommand } from './bench-command.js';
import { CliError, EXIT_DATA, EXIT_USAGE, oneLine } from './cli-error.js';
import { registerExportCommand } from './export-command.js';
import { registerGetCommand } from './get-command.js';
import { registerLoadCommand } from './load-command.js';
import { globalOptions } from './options.js';
import { registerVenuesCommand } from './venues-command.js';
import { registerServiceCommands } from './service-commands.js';

/**
 * Every command module imports its heavy dependencies (discovery with JSONata and viem, the writer,
 * cli-table3, piscina …) inside its action, so `instreg --version` and `--help` load only commander.
 */

/** Exit code of an unexpected failure (a bug): the stack is printed. */
export const EXIT_INTERNAL = 4;

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** Add `start` (the `npm start` entry point) to the program. */
function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('load the shipped data, print the summary, then run a short benchmark (what npm start runs)')
    .option('--top <n>', 'venues listed by name in the summary (0 = all)', '10')
    .action(async (cmdOpts: { top: string }, cmd: Command) => {
      const [{ parseTop, reportLoad }, { openSession }, { runStartBench }] = await Promise.all([
        import('./load-command.js'),
        import('./session.js'),
        import('./bench-command.js'),
      ]);
      const top = parseTop(cmdOpts.top);
      const g = globalOptions(cmd);
      const session = await openSession({ dataDir: g.dataDir, progress: g.progress, mappingsDirs: g.mappingsDirs });
      reportLoad(session, g, top);
      await runStartBench(session);
    });
}

/** Build the commander program (no side effects until parsed). */
export function buildProgram(): Command {
  const program = new Command();
  program
    .name('instreg')
    .description('Shared-memory instrument registry: load venue payloads, look instruments and venues up')
    .version(packageVersion())
    .option('--data-dir <dir>', 'data folder (MIC list and default payloads); env INSTREG_DATA_DIR; default ../shared/data in a source checkout')
    .option('--cache-dir <dir>', 'folder of the cache snapshot get/venues start from; env INSTREG_CACHE_DIR; default $XDG_CACHE_HOME/instreg')
    .option('--no-cache', 'get/venues: load the payloads afresh (neither read nor write the cache snapshot)')
    .option(
      '--mappings <dir>',
      'a folder of user mapping files, loaded next to the shipped ones (repeatable; also env INSTREG_MAPPINGS_DIR); a user mapping named like a shipped one replaces it',
      (dir: string, prev: string[] = []) => [...prev, dir],
    )
    .option('--json', 'print JSON on stdout instead of tables')
    .option('--no-progress', 'no progress bar on stderr (it is shown only when stderr is a terminal)')
    .showHelpAfterError('(run instreg --help for usage)')
    .exitOverride();
  registerLoadCommand(program);
  registerGetCommand(program);
  registerVenuesCommand(program);
  registerBenchCommand(program);
  registerExportCommand(program);
  registerStartCommand(program);
  registerServiceCommands(program);
  for (const c of program.commands) c.exitOverride();
  return program;
}

/**
 * Run the program.
 *
 * @param argv full argument vector (`process.argv`: node, script, arguments…)
 * @returns the exit code (0 ok, 1 not found, 2 usage, 3 data, 4 internal)
 */
export async function main(argv: readonly string[]): Promise<number> {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
    throw e;
  });
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // commander has already printed its message (or the help / version text)
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help' || e.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    if (e instanceof CliError) {
      process.stderr.write(`instreg: ${oneLine(e.message)}\n`);
      return e.exitCode;
    }
    if (e instanceof RegistryError) {
      process.stderr.write(`instreg: ${oneLine(e.message)}\n`);
      return EXIT_DATA;
    }
    process.stderr.write(`instreg: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
    return EXIT_INTERNAL;
  }
}
