/**
 * `instreg bench`: the latency benchmark (`src/harness/run.ts`) from the command line, and the short
 * benchmark `instreg start` (`npm start`) shows after the load summary ({@link runStartBench}).
 *
 * ```
 * instreg bench [--instruments N] [--readers R] [--write-rate W] [--duration S] [--hot-set K]
 *               [--mode throughput|latency] [--batch B] [--seed S] [--no-lmdb] [--json FILE] [--plot FILE.svg] [--snapshot FILE]
 * ```
 *
 * Note on `--json FILE`: the program also has a global boolean `--json`. Unless the program
 * enables positional options, commander gives `--json` to the program and leaves FILE as a
 * positional argument of `bench`; both spellings are accepted here (`bench --json FILE` writes
 * the file; a bare global `--json` prints the JSON on stdout instead of the table).
 *
 * @module
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { userMappingsDirs } from '../config.js';
import { RegistryError } from '../errors.js';
import { defaultReaders } from '../harness/defaults.js';
import type { BenchOptions, BenchResult } from '../harness/run.js';
import { CliError, EXIT_USAGE } from './cli-error.js';
import type { Session } from './session.js';

/** Raw options of `instreg bench` as commander parses them. */
interface BenchCliOptions {
  instruments: string;
  readers?: string;
  writeRate: string;
  duration: string;
  hotSet: string;
  mode: string;
  batch: string;
  seed: string;
  lmdb: boolean;
  json?: string | boolean;
  plot?: string;
  snapshot?: string;
}

function num(name: string, v: string, min: number, integer = true): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
    throw new CliError(`bench: --${name} must be ${integer ? 'an integer' : 'a number'} ≥ ${min}, got ${JSON.stringify(v)}`, EXIT_USAGE);
  }
  return n;
}

/** `INSTREG_MAPPINGS_DIR` + `--mappings` folders (an empty `--mappings` exits 2). */
function mappingsDirsOf(flags: string[] | undefined): string[] {
  try {
    return userMappingsDirs(flags ?? []);
  } catch (e) {
    if (e instanceof RegistryError) throw new CliError(e.message.replace(/^InvalidConfig: /, ''), EXIT_USAGE);
    throw e;
  }
}

function benchMode(v: string): 'throughput' | 'latency' {
  if (v !== 'throughput' && v !== 'latency') throw new CliError(`bench: --mode must be throughput or latency, got ${JSON.stringify(v)}`, EXIT_USAGE);
  return v;
}

/** JSON text of a result (BigInts never appear in it; guarded anyway). */
export function resultJson(r: BenchResult): string {
  return JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2) + '\n';
}

/**
 * Add `bench` to the program. Prints the table (or JSON with the global `--json`), writes
 * `--json FILE` and `--plot FILE.svg`. Exit code 2 on a bad option; the run itself never fails on
 * timings, but a non-zero torn-read count sets exit code 1.
 */
export function registerBenchCommand(program: Command): void {
  program
    .command('bench')
    .description('lookup latency benchmark: reader workers vs a floor row and Map, lmdb-js, postMessage and piscina-task baselines (see bench/README.md)')
    .argument('[jsonFile]', 'file for --json when the global --json flag took the option (see --json)')
    .option('--instruments <n>', 'generated instruments on top of the shipped data (deterministic, every kind)', '1000000')
    .option('--readers <r>', `reader worker threads (default: cores − 1 = ${defaultReaders()}, so the writer does not preempt them)`)
    .option('--write-rate <w>', 'updates per second the writer applies during the run', '1000')
    .option('--duration <s>', 'total measured seconds, split over the scenarios', '20')
    .option('--hot-set <k>', 'hot-set size (instruments)', '4096')
    .option('--mode <mode>', 'throughput (independent lookups, batch means) or latency (each key depends on the previous result)', 'throughput')
    .option('--batch <b>', 'lookups per timed batch (sub-µs scenarios)', '1000')
    .option('--seed <n>', 'PRNG seed of the dataset and access patterns', '42')
    .option('--no-lmdb', 'skip the lmdb-js baseline')
    .option('--json <file>', 'write the result as JSON (schema 1) to FILE')
    .option('--plot <file.svg>', 'write an SVG of the latency percentile curves')
    .option('--snapshot <file>', 'benchmark a registry restored from a snapshot instead of loading the shipped data')
    .action(async (jsonFile: string | undefined, o: BenchCliOptions, cmd: Command) => {
      const g = cmd.optsWithGlobals() as { dataDir?: string; json?: boolean | string; progress?: boolean; mappings?: string[] };
      const file = typeof o.json === 'string' ? o.json : typeof g.json === 'string' ? g.json : jsonFile;
      const jsonStdout = g.json === true && file === undefined;
      const [{ renderPlot }, { renderReport }, { runBench }] = await Promise.all([
        import('../harness/plot.js'),
        import('../harness/report.js'),
        import('../harness/run.js'),
      ]);
      const opts: BenchOptions = {
        instruments: num('instruments', o.instruments, 0),
        readers: o.readers === undefined ? defaultReaders() : num('readers', o.readers, 1),
        writeRatePerSec: num('write-rate', o.writeRate, 0, false),
        durationSec: num('duration', o.duration, 0.1, false),
        hotSet: num('hot-set', o.hotSet, 1),
        mode: benchMode(o.mode),
        batch: num('batch', o.batch, 1),
        seed: num('seed', o.seed, 0),
        baselines: { lmdb: o.lmdb },
        ...(g.dataDir ? { dataDir: g.dataDir } : {}),
        mappingsDirs: mappingsDirsOf(g.mappings),
        ...(o.snapshot ? { snapshot: o.snapshot } : {}),
        log: (m) => process.stderr.write(`bench: ${m}\n`),
      };
      let r: BenchResult;
      try {
        r = await runBench(opts);
      } catch (e) {
        if ((e as Error).message === 'snapshots not available') throw new CliError('bench: snapshots not available', EXIT_USAGE);
        throw e;
      }
      if (jsonStdout) process.stdout.write(resultJson(r));
      else process.stdout.write(renderReport(r) + '\n');
      if (file) {
        writeFileSync(file, resultJson(r));
        process.stderr.write(`bench: wrote ${file}\n`);
      }
      if (o.plot) {
        writeFileSync(o.plot, renderPlot(r));
        process.stderr.write(`bench: wrote ${o.plot}\n`);
      }
      if (r.tornReads > 0) process.exitCode = 1;
    });
}

/**
 * The short benchmark `instreg start` (`npm start`) runs on the already loaded session: ~12 s of
 * lookups by id, venue + symbol and ISIN (hot set and random) from reader workers, with the `Map`,
 * lmdb-js (if it loads) and postMessage baselines, printed as a table. The session's registry is
 * only read (no generated instruments, no writer churn).
 */
export async function runStartBench(session: Session): Promise<void> {
  process.stdout.write('\nShort benchmark (~12 s; `instreg bench` runs the full one)…\n');
  const [{ renderReport }, { runBench }] = await Promise.all([import('../harness/report.js'), import('../harness/run.js')]);
  const r = await runBench({
    registry: session.registry,
    instruments: 0,
    readers: defaultReaders(),
    writeRatePerSec: 0,
    durationSec: 12,
    probe: false,
    baselines: { map: true, lmdb: true, postMessage: true, piscinaTask: false },
  });
  process.stdout.write(renderReport(r) + '\n');
}
