/**
 * `instreg get QUERY`: look instruments up by id, `VENUE:SYMBOL`, ISIN, CUSIP or `CHAIN:ADDRESS`
 * in the shipped data, and print them (tables, or a JSON array with `--json`). With
 * `--snapshot FILE` the instruments come from a snapshot instead of the payloads.
 *
 * @module
 */
import type { Command } from 'commander';
import type { Instrument } from '../model/types.js';
import type { InstrumentView } from '../reader/view.js';
import { CliError, EXIT_NOT_FOUND } from './cli-error.js';
import { checkSnapshotOption, globalOptions } from './options.js';
import { resolveChainId, type GetQuery } from './query.js';
import type { ReaderSession } from './session.js';

function byVenueSymbol(a: Instrument, b: Instrument): number {
  return a.venue < b.venue ? -1 : a.venue > b.venue ? 1 : a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0;
}

/**
 * The live instruments matching a query (sorted by venue, then symbol; empty when none).
 *
 * @throws {CliError} exit code 2 when an address query names an unknown chain.
 */
export function findInstruments(session: ReaderSession, q: GetQuery): Instrument[] {
  const r = session.reader;
  let views: InstrumentView[];
  switch (q.type) {
    case 'id': {
      const v = r.getById(q.id);
      views = v ? [v] : [];
      break;
    }
    case 'symbol': {
      const v = r.getBySymbol(q.venue, q.symbol) ?? (q.symbol !== q.symbol.toUpperCase() ? r.getBySymbol(q.venue, q.symbol.toUpperCase()) : undefined);
      views = v ? [v] : [];
      break;
    }
    case 'isin':
      views = r.getByIsin(q.isin);
      break;
    case 'cusip':
      views = r.getByCusip(q.cusip);
      break;
    case 'address':
      views = r.getByAddress(resolveChainId(session.venues, q.chain, q.address), q.address);
      break;
  }
  return views.map((v) => v.toObject()).sort(byVenueSymbol);
}

/** `VENUE:SYMBOL` of a referenced instrument id, or undefined when not registered. */
export function refDescriber(session: ReaderSession): (id: bigint) => string | undefined {
  return (id) => {
    const v = session.reader.getById(id);
    return v ? `${v.venue}:${v.symbol}` : undefined;
  };
}

/** Add `get QUERY` to the program. */
export function registerGetCommand(program: Command): void {
  program
    .command('get')
    .description('show instruments by id (0x…), VENUE:SYMBOL, ISIN, CUSIP or CHAIN:0xADDRESS')
    .argument('<query>', 'what to look up')
    .option('--snapshot <file>', 'start from a snapshot (instreg load --snapshot FILE) instead of loading the payloads')
    .option('--server <socket>', 'ask a running writer service (instreg serve) on this Unix socket')
    .action(async (query: string, cmdOpts: { snapshot?: string; server?: string }, cmd: Command) => {
      const [{ describeQuery, parseGetQuery }, { instrumentTable, instrumentToJson, printJson }, { openQuerySession }] = await Promise.all([
        import('./query.js'),
        import('./format.js'),
        import('./session.js'),
      ]);
      const q = parseGetQuery(query);
      const g = globalOptions(cmd);
      if (cmdOpts.server) {
        const { remoteGet } = await import('./service-commands.js');
        return remoteGet(cmdOpts.server, query, g.json);
      }
      const session = await openQuerySession(q, {
        dataDir: g.dataDir,
        progress: g.progress,
        snapshot: checkSnapshotOption(cmdOpts.snapshot),
        cache: g.cache,
        mappingsDirs: g.mappingsDirs,
      });
      const found = findInstruments(session, q);
      if (found.length === 0) throw new CliError(`no instrument found for ${describeQuery(q)}`, EXIT_NOT_FOUND);
      if (g.json) {
        printJson(found.map(instrumentToJson));
        return;
      }
      const describe = refDescriber(session);
      const parts = found.map((inst) => `${inst.venue}:${inst.symbol} (${inst.kind})\n${instrumentTable(inst, describe)}`);
      process.stdout.write(`${parts.join('\n\n')}\n`);
    });
}
