/**
 * {@link WriterService}: the single writer as a long-running service (`instreg serve`).
 *
 * Start: restore the newest valid snapshot of `dir` (`snapshots.ts`), replay the log after it
 * (`log-file.ts`; a torn or corrupt tail is truncated and reported as a `LogTruncated` warning),
 * or, with neither, register the `seed` instruments. Then listen on a Unix domain socket
 * (mode 0600) and, if asked, on loopback TCP, and serve requests (`connection.ts`) and
 * replicas (`replication.ts`). Every accepted change is appended to the log before it is
 * acknowledged, and acknowledged only once its commit is durable.
 *
 * Snapshots (periodic, every `snapshotEveryMs` or after `snapshotEveryEntries` entries, and on
 * demand via {@link WriterService.snapshot}) are taken at a durable point; the log then rolls to
 * a new segment and segments covered by the oldest kept snapshot are deleted.
 *
 * @module
 */
import { chmodSync, mkdirSync, statSync, unlinkSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { KIND_CODES } from '../../layout/codes.js';
import { argFunction, argInt, argMs, argObject, argPath, argString, ioError } from '../args.js';
import { RegistryError } from '../errors.js';
import type { InstrumentId, InstrumentInput, InstrumentKind, InstrumentPatch } from '../model/types.js';
import { loadSnapshotChecksum, type SnapshotInfo } from '../snapshot/index.js';
import type { RegistryQuery, WireInstrument } from '../wire/types.js';
import { createClockedRegistry, EntryApplier, type ClockedRegistry } from './apply.js';
import { Connection } from './connection.js';
import { ServiceError } from './errors.js';
import { DurableLog, LOG_SEGMENT_BYTES_RANGE, type FsyncPolicy } from './log-file.js';
import { ServiceMetrics } from './metrics.js';
import { LogSubscriber } from './replication.js';
import { listSnapshots, restoreNewest, takeSnapshot } from './snapshots.js';
import { WriterCore, type ChangeResult } from './writer-core.js';
import type { JetStreamPublisher, JetStreamPublisherOptions } from './jetstream-publisher.js';

/** Options of {@link WriterService.start}. */
export interface WriterServiceOptions {
  /** Service directory: log segments and snapshots (created if missing). */
  dir: string;
  /** Unix socket path (default `<dir>/instreg.sock`); created with mode 0600. */
  socket?: string;
  /** Also listen on TCP (default host 127.0.0.1; port 0 = ephemeral). */
  tcp?: { port: number; host?: string };
  /** Fsync policy (default `DEFAULT_FSYNC_POLICY`: group commit, 0 ms window). */
  fsync?: FsyncPolicy;
  /** Bytes per log segment file before the log starts a new one (4 KiB .. 2 GiB, default 1 GiB). */
  logSegmentMaxBytes?: number;
  /** Snapshot every this many ms (default 300 000; 0 = never on a timer). */
  snapshotEveryMs?: number;
  /** Snapshot after this many log entries since the last one (default 1 000 000; 0 = never). */
  snapshotEveryEntries?: number;
  /** Snapshots kept (default 2). */
  keepSnapshots?: number;
  /** Table sizing for a fresh registry. */
  initialCapacity?: number;
  /** Id width (tests only, see `RegistryOptions.idBits`). */
  idBits?: number;
  /** Instruments registered when starting with no snapshot and an empty log. */
  seed?: () => Promise<Iterable<InstrumentInput>> | Iterable<InstrumentInput>;
  /** Serve Prometheus metrics on this loopback port (0 = ephemeral). */
  metricsPort?: number;
  /** Publish every durable log frame to a JetStream stream (and snapshots to an object store). */
  jetstream?: JetStreamPublisherOptions;
  /** Per-replica socket buffer bound and stall timeout (`replication.ts`). */
  replica?: { highWaterBytes?: number; stallTimeoutMs?: number; heartbeatMs?: number };
  /** Warnings (truncated log tail, damaged snapshot skipped). Default: printed on stderr. */
  onWarning?: (e: RegistryError) => void;
}

/** What the service did at start. */
export interface StartReport {
  snapshot?: { file: string; logSeq: bigint };
  replayed: number;
  seeded: number;
  warnings: RegistryError[];
  ms: number;
}

/** The writer service. Create with {@link WriterService.start}. */
export class WriterService {
  readonly core: WriterCore;
  readonly log: DurableLog;
  readonly socketPath: string;
  /** Bound TCP port, if TCP was asked for. */
  tcpPort: number | undefined;
  /** Bound metrics port, if metrics were asked for. */
  metricsPort: number | undefined;
  readonly metrics: ServiceMetrics;
  readonly subscribers = new Set<LogSubscriber>();
  readonly startReport: StartReport;
  private readonly servers: Server[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly acks: Array<{ seq: bigint; send: () => void }> = [];
  private readonly malformed: Record<string, number> = {};
  private lastSnapshotAt = 0;
  private lastSnapshotSeq = 0n;
  private timer: NodeJS.Timeout | undefined;
  private snapshotting: Promise<SnapshotInfo> | undefined;
  private publisher: JetStreamPublisher | undefined;
  private kindCache: { at: number; v: Record<string, number> } | undefined;
  private closed = false;

  private constructor(
    readonly target: ClockedRegistry,
    log: DurableLog,
    private readonly opts: WriterServiceOptions,
    report: StartReport,
  ) {
    this.log = log;
    this.core = new WriterCore(target, log);
    this.socketPath = opts.socket ?? join(opts.dir, 'instreg.sock');
    this.startReport = report;
    this.metrics = new ServiceMetrics({
      instrumentsByKind: () => this.instrumentsByKind(),
      registrations: () => ({ ...this.core.counters.registrations }),
      updates: () => this.core.counters.updates,
      removals: () => this.core.counters.removals,
      failuresByCode: () => ({ ...this.core.counters.failuresByCode }),
      collisions: () => target.registry.collisions.length,
      logSeq: () => log.durableSeq,
      logBytes: () => log.sizeBytes,
      snapshotAgeSeconds: () => (this.lastSnapshotAt ? (Date.now() - this.lastSnapshotAt) / 1000 : undefined),
      replicas: () => [...this.subscribers].map((s) => ({ id: s.id, lagEntries: s.lagEntries, bufferedBytes: s.bufferedBytes })),
      malformed: () => ({ ...this.malformed }),
      table: () => target.registry.getMetrics(),
    });
  }

  /**
   * Restore, replay, listen.
   * @throws {ServiceError} `SequenceGap` when the log does not continue the newest snapshot
   * @throws {IoError} `IoError` for listen and file-system errors (`errno` `EADDRINUSE`, `EEXIST`
   *   when `dir` is a file, `EACCES` …)
   * @throws {RegistryError} `InvalidArgument` for options that are not an object or a field of
   *   the wrong type or range (see {@link WriterServiceOptions}; `keepSnapshots` ≥ 1, ports 0..65535)
   * @example
   * const svc = await WriterService.start({ dir: '/var/lib/instreg' });
   * // other processes: connectWriter({ socket: svc.socketPath }), openReplica({ socket: svc.socketPath })
   */
  static async start(opts: WriterServiceOptions): Promise<WriterService> {
    checkServiceOptions(opts);
    const t0 = performance.now();
    try {
      mkdirSync(opts.dir, { recursive: true });
    } catch (e) {
      throw ioError(e, `create service directory ${opts.dir}`);
    }
    await loadSnapshotChecksum();
    const warnings: RegistryError[] = [];
    const warn = (e: RegistryError) => {
      warnings.push(e);
      (opts.onWarning ?? ((w: RegistryError) => process.stderr.write(`instreg serve: warning: ${w.message}\n`)))(e);
    };
    const snap = await restoreNewest(opts.dir, warn);
    const target = await createClockedRegistry(snap?.handle, { initialCapacity: opts.initialCapacity, idBits: opts.idBits });
    const applier = new EntryApplier(target);
    let replayed = 0;
    const log = DurableLog.open(
      opts.dir,
      {
        fsync: opts.fsync,
        segmentMaxBytes: opts.logSegmentMaxBytes,
        afterSeq: snap?.logSeq ?? 0n,
        onEntry: (msg) => {
          const r = applier.apply(msg);
          if (r.status !== 'applied') warn(r.error ?? new ServiceError('SequenceGap', `log entry ${msg.seq} not applied on replay: ${r.status}`));
          replayed++;
        },
      },
      (snap?.logSeq ?? 0n) + 1n,
    );
    for (const w of log.warnings) warn(w);
    const report: StartReport = { replayed, seeded: 0, warnings, ms: 0, ...(snap ? { snapshot: { file: snap.file, logSeq: snap.logSeq } } : {}) };
    const svc = new WriterService(target, log, opts, report);
    svc.lastSnapshotSeq = snap?.logSeq ?? 0n;
    if (snap) svc.lastSnapshotAt = statSync(snap.file).mtimeMs;
    log.setOnDurable((seq, ms) => svc.onDurable(seq, ms));
    if (!snap && log.lastSeq === 0n && opts.seed) {
      for (const input of await opts.seed()) {
        try {
          svc.core.register(input);
          report.seeded++;
        } catch (e) {
          if (!(e instanceof RegistryError)) throw e;
          warn(e);
        }
      }
      await log.flush();
    }
    try {
      await svc.listen();
    } catch (e) {
      await svc.close();
      throw ioError(e, 'listen');
    }
    if (opts.jetstream) {
      const { JetStreamPublisher } = await import('./jetstream-publisher.js');
      svc.publisher = await JetStreamPublisher.start(log, opts.dir, opts.jetstream);
    }
    const every = opts.snapshotEveryMs ?? 300_000;
    if (every > 0) {
      svc.timer = setInterval(
        () => void svc.snapshot().catch((e: Error) => warn(e instanceof RegistryError ? e : new ServiceError('CorruptSnapshot', e.message))),
        every,
      );
      svc.timer.unref();
    }
    report.ms = performance.now() - t0;
    return svc;
  }

  private onDurable(seq: bigint, fsyncMs: number): void {
    this.metrics.fsyncSeconds.observe(fsyncMs / 1000);
    let n = 0;
    while (n < this.acks.length && this.acks[n]!.seq <= seq) n++;
    const due = this.acks.splice(0, n);
    for (const a of due) a.send();
    for (const s of this.subscribers) s.pump();
    this.publisher?.pump();
    const everyEntries = this.opts.snapshotEveryEntries ?? 1_000_000;
    if (everyEntries > 0 && seq - this.lastSnapshotSeq >= BigInt(everyEntries) && !this.snapshotting) void this.snapshot().catch(() => undefined);
  }

  private whenDurable(logSeq: bigint, send: () => void): void {
    if (logSeq <= this.log.durableSeq) send();
    else this.acks.push({ seq: logSeq, send });
  }

  private query(q: RegistryQuery): WireInstrument[] {
    const r = this.target.registry.reader();
    const views = q.kind === 'byId' ? [r.getById(q.id)] : q.kind === 'venueSymbol' ? [r.getBySymbol(q.venue, q.symbol)] : r.getByIsin(q.isin);
    return views.filter((v) => v !== undefined).map((v) => v.toObject() as unknown as WireInstrument);
  }

  private instrumentsByKind(): Record<string, number> {
    if (this.kindCache && Date.now() - this.kindCache.at < 10_000) return this.kindCache.v;
    const counts: Record<string, number> = {};
    const r = this.target.registry.reader();
    for (const kind of Object.keys(KIND_CODES) as InstrumentKind[]) counts[kind] = r.findByType(kind).length;
    this.kindCache = { at: Date.now(), v: counts };
    return counts;
  }

  private async listen(): Promise<void> {
    const host = {
      core: this.core,
      whenDurable: (seq: bigint, send: () => void) => this.whenDurable(seq, send),
      query: (q: RegistryQuery) => this.query(q),
      instruments: () => this.target.registry.getMetrics().instruments,
      subscribe: (socket: Socket, fromSeq: bigint) => {
        const sub = new LogSubscriber(socket, this.log, this.opts.dir, fromSeq, { ...this.opts.replica, instruments: host.instruments });
        this.subscribers.add(sub);
        socket.once('close', () => this.subscribers.delete(sub));
        return sub;
      },
      onMalformed: (code: string) => {
        this.malformed[code] = (this.malformed[code] ?? 0) + 1;
      },
    };
    const onSocket = (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
      socket.setNoDelay?.(true);
      new Connection(socket, host);
    };
    try {
      unlinkSync(this.socketPath);
    } catch {
      /* no stale socket */
    }
    const unix = createServer(onSocket);
    const oldMask = process.umask(0o177);
    try {
      await new Promise<void>((resolve, reject) => {
        unix.once('error', reject);
        unix.listen(this.socketPath, () => resolve());
      });
    } finally {
      process.umask(oldMask);
    }
    chmodSync(this.socketPath, 0o600);
    this.servers.push(unix);
    if (this.opts.tcp) {
      const tcp = createServer(onSocket);
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen(this.opts.tcp!.port, this.opts.tcp!.host ?? '127.0.0.1', () => resolve());
      });
      this.tcpPort = (tcp.address() as { port: number }).port;
      this.servers.push(tcp);
    }
    if (this.opts.metricsPort !== undefined) this.metricsPort = await this.metrics.listen(this.opts.metricsPort);
  }

  /** Register through the same path as a socket client. Resolves once durable. */
  async register(input: InstrumentInput): Promise<ChangeResult> {
    return this.durable(this.core.register(input));
  }

  /** Update through the same path as a socket client. Resolves once durable. */
  async update(id: InstrumentId, patch: InstrumentPatch): Promise<ChangeResult> {
    return this.durable(this.core.update(id, patch));
  }

  /** Remove through the same path as a socket client. Resolves once durable. */
  async remove(id: InstrumentId): Promise<ChangeResult> {
    return this.durable(this.core.remove(id));
  }

  private durable(r: ChangeResult): Promise<ChangeResult> {
    return new Promise((resolve) => this.whenDurable(r.logSeq, () => resolve(r)));
  }

  /**
   * Take a snapshot now (at a durable point), roll the log, trim segments covered by the
   * oldest kept snapshot, and upload the snapshot to the JetStream object store if publishing
   * (resolves after the upload; an upload failure is counted, not thrown).
   * @throws {SnapshotError} / {@link IoError} file-system errors; the log and the previous snapshots are untouched
   * @throws {ServiceError} `ConnectionClosed` after {@link close} (as `register`, `update` and `remove` reject then)
   */
  snapshot(): Promise<SnapshotInfo> {
    if (this.closed) return Promise.reject(new ServiceError('ConnectionClosed', 'the writer service is closed'));
    this.snapshotting ??= (async () => {
      try {
        while (this.log.durableSeq !== this.log.lastSeq) await this.log.flush();
        // No await between here and the end of the synchronous write: no change can interleave.
        const { info, oldestKept } = takeSnapshot(this.target.registry, this.opts.dir, this.opts.keepSnapshots ?? 2);
        this.log.roll();
        this.log.trimBefore(oldestKept);
        this.lastSnapshotAt = Date.now();
        this.lastSnapshotSeq = info.logSeq;
        await this.publisher?.snapshotTaken(info.file, info.logSeq);
        return info;
      } finally {
        this.snapshotting = undefined;
      }
    })();
    return this.snapshotting;
  }

  /** Snapshots on disk, newest first. */
  snapshots(): Array<{ file: string; logSeq: bigint }> {
    return listSnapshots(this.opts.dir);
  }

  /** Stop listening, close connections, flush and close the log. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    for (const s of this.servers) s.close();
    for (const s of this.sockets) s.destroy();
    for (const s of this.subscribers) s.close();
    await this.metrics.close();
    await this.publisher?.close();
    await this.log.close();
    try {
      unlinkSync(this.socketPath);
    } catch {
      /* already gone */
    }
  }
}

/** Check the shape of {@link WriterServiceOptions} before anything is created. */
function checkServiceOptions(opts: WriterServiceOptions): void {
  argObject(opts, 'options');
  argPath(opts.dir, 'dir');
  if (opts.socket !== undefined) argPath(opts.socket, 'socket');
  if (opts.tcp !== undefined) {
    argObject(opts.tcp, 'tcp');
    argInt(opts.tcp.port, 'tcp.port', 0, 65535);
    if (opts.tcp.host !== undefined) argString(opts.tcp.host, 'tcp.host', true);
  }
  if (opts.snapshotEveryMs !== undefined) argMs(opts.snapshotEveryMs, 'snapshotEveryMs');
  if (opts.snapshotEveryEntries !== undefined) argInt(opts.snapshotEveryEntries, 'snapshotEveryEntries');
  if (opts.keepSnapshots !== undefined) argInt(opts.keepSnapshots, 'keepSnapshots', 1);
  if (opts.logSegmentMaxBytes !== undefined) argInt(opts.logSegmentMaxBytes, 'logSegmentMaxBytes', LOG_SEGMENT_BYTES_RANGE.min, LOG_SEGMENT_BYTES_RANGE.max);
  if (opts.metricsPort !== undefined) argInt(opts.metricsPort, 'metricsPort', 0, 65535);
  argFunction(opts.seed, 'seed', true);
  argFunction(opts.onWarning, 'onWarning', true);
  if (opts.replica !== undefined) argObject(opts.replica, 'replica');
  if (opts.jetstream !== undefined) argObject(opts.jetstream, 'jetstream');
}
