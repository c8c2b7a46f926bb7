/**
 * `instreg export --parquet DIR [PATH…]`: load payloads (default: the data folder), or restore
 * `--snapshot FILE`, and write the registry as Parquet files, one per venue and kind
 * (`src/export/parquet.ts`). Prints the partitions written (a table, or JSON with `--json`).
 *
 * @module
 */
import type { Command } from 'commander';
import { CliError, EXIT_DATA, EXIT_USAGE, oneLine } from './cli-error.js';
import { checkSnapshotOption, globalOptions } from './options.js';

/** Add `export` to the program. */
export function registerExportCommand(program: Command): void {
  program
    .command('export')
    .description('write the registry as Parquet files, one per venue and kind (DIR/venue=V/kind=K/instruments.parquet)')
    .argument('[paths...]', 'payload files or folders (default: the data folder)')
    .requiredOption('--parquet <dir>', 'output folder of the Parquet files')
    .option('--snapshot <file>', 'export a snapshot (instreg load --snapshot FILE) instead of loading payloads')
    .action(async (paths: string[], o: { parquet: string; snapshot?: string }, cmd: Command) => {
      if (o.parquet.trim() === '') throw new CliError('--parquet is empty: give the output folder', EXIT_USAGE);
      const snapshot = checkSnapshotOption(o.snapshot);
      if (snapshot !== undefined && paths.length > 0) throw new CliError('give either --snapshot FILE or payload paths, not both', EXIT_USAGE);
      const g = globalOptions(cmd);
      const [{ openSession, openSessionFromSnapshot }, { exportParquet }, { newTable, printJson }] = await Promise.all([
        import('./session.js'),
        import('../export/parquet.js'),
        import('./format.js'),
      ]);
      const session =
        snapshot !== undefined
          ? await openSessionFromSnapshot({ dataDir: g.dataDir, snapshot })
          : await openSession({ dataDir: g.dataDir, paths: paths.length > 0 ? paths : [g.dataDir], progress: g.progress, mappingsDirs: g.mappingsDirs });
      for (const f of session.report.failed) process.stderr.write(`instreg: warning: not loaded: ${f.error}\n`);
      let out;
      try {
        out = await exportParquet(
          session.reader.all().map((v) => v.toObject()),
          o.parquet,
        );
      } catch (e) {
        throw new CliError(`export ${o.parquet}: ${oneLine((e as Error).message)}`, EXIT_DATA);
      }
      if (g.json) {
        printJson({
          dir: out.dir,
          rows: out.rows,
          partitions: out.partitions.map(({ venue, kind, file, rows, bytes }) => ({ venue, kind, file, rows, bytes })),
        });
      } else {
        const t = newTable(['venue', 'kind', 'rows', 'bytes', 'file'], { colAligns: ['left', 'left', 'right', 'right', 'left'] });
        for (const p of out.partitions) t.push([p.venue, p.kind, p.rows, p.bytes, p.file]);
        process.stdout.write(`Exported ${out.rows} instruments in ${out.partitions.length} Parquet files under ${out.dir}\n${t.toString()}\n`);
      }
      if (session.report.failed.length > 0) throw new CliError(`${session.report.failed.length} files not loaded (see the warnings)`, EXIT_DATA);
    });
}
