/**
 * STUB of `instreg bench` (another engineer owns this file and replaces it). The two exports below
 * are the contract with `main.ts`: keep their names and signatures.
 *
 * @module
 */
import type { Command } from 'commander';
import type { Session } from './session.js';

/** Add `bench` to the program (stub: prints "not yet implemented" and exits with code 2). */
export function registerBenchCommand(program: Command): void {
  program
    .command('bench')
    .description('benchmark lookups on the loaded registry (not yet implemented)')
    .action(() => {
      process.stderr.write('instreg: bench: not yet implemented\n');
      process.exitCode = 2;
    });
}

/**
 * The short benchmark `instreg start` (`npm start`) runs after the load summary, on the already
 * loaded session (stub: prints a placeholder line).
 */
export async function runStartBench(session: Session): Promise<void> {
  void session;
  process.stdout.write('(benchmark not available yet)\n');
}
