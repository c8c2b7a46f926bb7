/**
 * Service commands: `instreg serve` (the writer service), `instreg replica` (a replica process
 * that prints its lag and answers lookups read from stdin, through reader worker threads), and
 * the `--server SOCKET` path of `instreg get` (ask the writer instead of loading anything).
 *
 * @module
 */
import { createInterface } from 'node:readline';
import { Worker } from 'node:worker_threads';
import type { Command } from 'commander';
import { connectWriter } from '../client/writer-client.js';
import type { Instrument } from '../model/types.js';
import { openReplica } from '../replica/index.js';
import type { FsyncPolicy } from '../service/log-file.js';
import type { RegistryQuery } from '../wire/types.js';
import { CliError, EXIT_NOT_FOUND, EXIT_USAGE } from './cli-error.js';
import { instrumentTable, instrumentToJson, printJson } from './format.js';
import { globalOptions } from './options.js';
import { describeQuery, parseGetQuery } from './query.js';
import { openSession } from './session.js';

/** `always` or `group:MS` (or a bare number of ms). @throws {CliError} exit 2 */
export function parseFsync(text: string): FsyncPolicy {
  if (text === 'always') return 'always';
  const m = /^(?:group:)?(\d+(?:\.\d+)?)$/.exec(text);
  if (!m) throw new CliError(`--fsync must be "always" or "group:MS", got ${JSON.stringify(text)}`, EXIT_USAGE);
  return { groupMs: Number(m[1]) };
}

function intOption(text: string | undefined, name: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new CliError(`${name} must be a non-negative integer`, EXIT_USAGE);
  return Number(text);
}

/** A `get` query as a wire query. @throws {CliError} exit 2 for forms the server does not answer */
export function toRegistryQuery(text: string): RegistryQuery {
  const q = parseGetQuery(text);
  if (q.type === 'id') return { kind: 'byId', id: q.id };
  if (q.type === 'symbol') return { kind: 'venueSymbol', venue: q.venue, symbol: q.symbol };
  if (q.type === 'isin') return { kind: 'isin', isin: q.isin };
  throw new CliError(`--server answers ids, VENUE:SYMBOL and ISINs, not ${describeQuery(q)}`, EXIT_USAGE);
}

function print(found: Instrument[], json: boolean | undefined): void {
  if (json) return printJson(found.map(instrumentToJson));
  process.stdout.write(`${found.map((i) => `${i.venue}:${i.symbol} (${i.kind})\n${instrumentTable(i)}`).join('\n\n')}\n`);
}

/** `instreg get --server SOCKET QUERY`. @throws {CliError} exit 1 when nothing matches */
export async function remoteGet(socket: string, text: string, json: boolean | undefined): Promise<void> {
  const query = toRegistryQuery(text);
  const w = await connectWriter({ socket });
  try {
    const r = await w.query(query);
    if (r.instruments.length === 0) throw new CliError(`no instrument found for ${text}`, EXIT_NOT_FOUND);
    print(r.instruments as Instrument[], json);
  } finally {
    await w.close();
  }
}

/** Add `serve` and `replica`. */
export function registerServiceCommands(program: Command): void {
  program
    .command('serve')
    .description('run the single writer as a service: durable log, snapshots, Unix socket (0600), replicas')
    .requiredOption('--dir <dir>', 'service directory (log segments, snapshots, default socket)')
    .option('--socket <path>', 'Unix socket path (default DIR/instreg.sock)')
    .option('--tcp-port <port>', 'also listen on 127.0.0.1:PORT')
    .option('--fsync <policy>', 'always | group:MS (group commit window; default group:0 = commit at the end of each event-loop turn)', 'group:0')
    .option('--snapshot-every-ms <ms>', 'periodic snapshot interval (0 = off)', '300000')
    .option('--snapshot-every-entries <n>', 'snapshot after this many log entries (0 = off; default 1000000)')
    .option('--log-segment-bytes <bytes>', 'start a new log segment file past this size (4096 .. 2^31; default 1 GiB)')
    .option('--metrics-port <port>', 'serve Prometheus metrics on 127.0.0.1:PORT/metrics')
    .option('--nats <url>', 'also publish the log to JetStream on this NATS server')
    .option('--seed', 'with no snapshot and an empty log, register the shipped payloads first')
    .action(async (o: Record<string, string | boolean | undefined>, cmd: Command) => {
      const g = globalOptions(cmd);
      const { WriterService } = await import('../service/writer-service.js');
      const tcpPort = intOption(o.tcpPort as string | undefined, '--tcp-port');
      const svc = await WriterService.start({
        dir: o.dir as string,
        socket: o.socket as string | undefined,
        fsync: parseFsync(o.fsync as string),
        snapshotEveryMs: intOption(o.snapshotEveryMs as string, '--snapshot-every-ms'),
        snapshotEveryEntries: intOption(o.snapshotEveryEntries as string | undefined, '--snapshot-every-entries'),
        logSegmentMaxBytes: intOption(o.logSegmentBytes as string | undefined, '--log-segment-bytes'),
        metricsPort: intOption(o.metricsPort as string | undefined, '--metrics-port'),
        ...(tcpPort !== undefined ? { tcp: { port: tcpPort } } : {}),
        ...(o.nats ? { jetstream: { servers: o.nats as string } } : {}),
        ...(o.seed
          ? {
              seed: async () =>
                (await openSession({ dataDir: g.dataDir, progress: false, mappingsDirs: g.mappingsDirs })).registry
                  .reader()
                  .all()
                  .map((v) => {
                    const { id: _id, ...rest } = v.toObject();
                    return rest;
                  }),
            }
          : {}),
      });
      const r = svc.startReport;
      const line = {
        socket: svc.socketPath,
        tcpPort: svc.tcpPort,
        metricsPort: svc.metricsPort,
        logSeq: svc.log.lastSeq.toString(),
        snapshot: r.snapshot?.file,
        replayed: r.replayed,
        seeded: r.seeded,
        warnings: r.warnings.map((w) => w.message),
        startMs: Math.round(r.ms),
      };
      process.stdout.write(`${JSON.stringify({ listening: line })}\n`);
      const stop = () => void svc.close().then(() => process.exit(0));
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
      await new Promise(() => undefined);
    });

  program
    .command('replica')
    .description('run a replica: its own shared-memory registry kept current by the writer; prints its lag, answers queries read from stdin')
    .option('--socket <path>', "the writer's Unix socket")
    .option('--nats <url>', "follow the writer's JetStream stream instead")
    .option('--workers <n>', 'reader worker threads answering the stdin queries', '1')
    .option('--lag-every-ms <ms>', 'print the lag this often (0 = never)', '1000')
    .action(async (o: { socket?: string; nats?: string; workers: string; lagEveryMs: string }, cmd: Command) => {
      const g = globalOptions(cmd);
      if (!o.socket === !o.nats) throw new CliError('give exactly one of --socket and --nats', EXIT_USAGE);
      const replica = await openReplica(o.nats ? { url: o.nats } : { socket: o.socket! });
      const n = Math.max(1, intOption(o.workers, '--workers') ?? 1);
      const workerUrl = new URL('../replica/reader-worker.js', import.meta.url);
      const workers = Array.from({ length: n }, () => new Worker(workerUrl, { workerData: replica.handle }));
      replica.onResync((h) => workers.forEach((w) => w.postMessage({ handle: h })));
      const every = intOption(o.lagEveryMs, '--lag-every-ms') ?? 1000;
      const lagLine = () => {
        const l = replica.lag();
        process.stderr.write(
          `${JSON.stringify({ lag: { appliedSeq: l.appliedSeq.toString(), writerSeq: l.writerSeq.toString(), entries: l.entries.toString(), lastEntryDelayMs: l.lastEntryDelayMs } })}\n`,
        );
      };
      lagLine();
      const timer = every > 0 ? setInterval(lagLine, every) : undefined;
      let next = 0;
      const rl = createInterface({ input: process.stdin });
      for await (const raw of rl) {
        const text = raw.trim();
        if (!text) continue;
        try {
          const q = toRegistryQuery(text);
          const w = workers[next++ % workers.length]!;
          const found = await new Promise<Instrument[]>((resolve) => {
            w.once('message', (m: Instrument[]) => resolve(m));
            w.postMessage({ query: q });
          });
          if (found.length === 0) process.stdout.write(`${JSON.stringify({ query: text, found: 0 })}\n`);
          else print(found, g.json);
        } catch (e) {
          process.stdout.write(`${JSON.stringify({ query: text, error: (e as Error).message })}\n`);
        }
      }
      if (timer) clearInterval(timer);
      await Promise.all(workers.map((w) => w.terminate()));
      await replica.close();
    });
}
