/**
 * Client library for processes that register through the writer service (`instreg serve`):
 * {@link connectWriter} opens a Unix-socket (or loopback TCP) connection; `register`, `update`
 * and `remove` resolve with the writer's acknowledgement once the change is durable in its log
 * (the ack carries the log sequence number), or reject with a typed {@link RemoteError}
 * (`InvalidField`, `DuplicateSymbol`, `HashCollision`, `UnknownInstrument`, …). Batch variants
 * pipeline many requests in one write.
 *
 * @module
 */
import { connect as netConnect, type Socket } from 'node:net';
import { argArray, argInt, argMs, argObject, argString, ioError } from '../args.js';
import { ValidationError, type RegistryErrorCode } from '../errors.js';
import type { InstrumentId, InstrumentInput, InstrumentPatch } from '../model/types.js';
import { ServiceError, RemoteError } from '../service/errors.js';
import { nowNs } from '../service/apply.js';
import { encodeMessage } from '../wire/codec.js';
import { MessageFramer } from '../wire/framer.js';
import type { AckOutcome, HealthResponseMessage, RegistryQuery, WireInstrument, WireMessage } from '../wire/types.js';

/** Where the writer listens. */
export interface WriterAddress {
  /** Unix socket path (`<dir>/instreg.sock` by default on the writer). */
  socket?: string;
  /** Loopback TCP instead of a Unix socket. */
  host?: string;
  port?: number;
}

/** Options of {@link connectWriter}. */
export interface ConnectWriterOptions extends WriterAddress {
  /** Reject a request with `Timeout` after this many ms (default 30 000). */
  timeoutMs?: number;
}

/** A durable change. */
export interface Ack {
  /** Log sequence number of the change (for `unchanged`: the durable position it was checked against). */
  logSeq: bigint;
  id: InstrumentId;
  outcome: AckOutcome;
}

/** Answer to a query. */
export interface QueryResult {
  instruments: WireInstrument[];
  /** Log sequence number the answer reflects. */
  logSeq: bigint;
  truncated: boolean;
}

type Pending = { resolve: (m: WireMessage) => void; reject: (e: Error) => void; timer: NodeJS.Timeout };

/** A connection to the writer. Create with {@link connectWriter}. Not shared between threads. */
export class WriterClient {
  private seq = 0n;
  private readonly pending = new Map<bigint, Pending>();
  private readonly framer: MessageFramer;
  private closedError: Error | undefined;

  /** @internal use {@link connectWriter} */
  constructor(
    private readonly socket: Socket,
    private readonly timeoutMs: number,
  ) {
    this.framer = new MessageFramer({ onError: (e) => this.failAll(e) });
    socket.on('data', (chunk: Buffer) => {
      for (const m of this.framer.push(chunk)) this.onMessage(m);
    });
    socket.on('error', (e) => this.failAll(new ServiceError('ConnectionClosed', e.message)));
    socket.on('close', () => this.failAll(new ServiceError('ConnectionClosed', 'the writer closed the connection')));
  }

  private failAll(e: Error): void {
    this.closedError ??= e;
    for (const [, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(e);
    }
    this.pending.clear();
  }

  private onMessage(m: WireMessage): void {
    const ref = m.type === 'ack' || m.type === 'errorResponse' || m.type === 'queryResponse' ? m.refSeq : m.type === 'healthResponse' ? m.nonce : undefined;
    if (m.type === 'errorResponse' && m.refSeq === 0n) {
      // Connection-level refusal (malformed frame): the writer closes the connection.
      this.failAll(new RemoteError(m.code as RegistryErrorCode, m.message, 0n));
      return;
    }
    if (ref === undefined) return;
    const p = this.pending.get(ref);
    if (!p) return;
    this.pending.delete(ref);
    clearTimeout(p.timer);
    if (m.type === 'errorResponse') p.reject(new RemoteError(m.code as RegistryErrorCode, m.message, m.refSeq));
    else p.resolve(m);
  }

  private request(build: (seq: bigint) => WireMessage): { frame: Uint8Array; done: Promise<WireMessage> } {
    const seq = ++this.seq;
    const frame = encodeMessage(build(seq));
    const done = new Promise<WireMessage>((resolve, reject) => {
      if (this.closedError) return reject(this.closedError);
      const timer = setTimeout(() => {
        this.pending.delete(seq);
        reject(new ServiceError('Timeout', `no answer to request ${seq} within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      timer.unref();
      this.pending.set(seq, { resolve, reject, timer });
    });
    return { frame, done };
  }

  private header(seq: bigint) {
    return { seq, timestampNs: nowNs(), flags: 0 };
  }

  private regMsg(input: InstrumentInput) {
    return (seq: bigint): WireMessage => {
      if (typeof input !== 'object' || input === null) throw new ValidationError('InvalidField', 'instrument', 'must be an object');
      const type = input.kind === 'dexPool' ? 'poolRegistration' : input.kind === 'cexPair' ? 'cexPairRegistration' : 'instrumentRegistration';
      return { type, ...this.header(seq), instrument: input } as WireMessage;
    };
  }

  private async send(build: (seq: bigint) => WireMessage): Promise<WireMessage> {
    const r = this.request(build);
    this.socket.write(r.frame);
    return r.done;
  }

  private static ack(m: WireMessage): Ack {
    if (m.type !== 'ack') throw new ServiceError('UnknownType', `expected ack, got ${m.type}`);
    return { logSeq: m.logSeq, id: m.id, outcome: m.outcome };
  }

  /**
   * Register an instrument; resolves once the writer has it in its durable log.
   * @throws {ValidationError} invalid input (locally, nothing sent)
   * @throws {RemoteError} the writer refused it (`DuplicateSymbol`, `HashCollision`, `CapacityExceeded`, …)
   * @throws {ServiceError} `ConnectionClosed`, `Timeout`
   * @example
   * const w = await connectWriter({ socket: '/var/lib/instreg/instreg.sock' });
   * const { id, logSeq } = await w.register({ kind: 'currency', symbol: 'BTC', venue: 'ASSET', source: 'cex', status: 'active' });
   */
  async register(input: InstrumentInput): Promise<Ack> {
    return WriterClient.ack(await this.send(this.regMsg(input)));
  }

  /** Change mutable fields of instrument `id`. @throws as {@link register} (`UnknownInstrument` if not live) */
  async update(id: InstrumentId, patch: InstrumentPatch): Promise<Ack> {
    return WriterClient.ack(await this.send((seq) => ({ type: 'instrumentUpdate', ...this.header(seq), id, patch })));
  }

  /** Remove instrument `id`. @throws as {@link register} (`UnknownInstrument` if not live) */
  async remove(id: InstrumentId): Promise<Ack> {
    return WriterClient.ack(await this.send((seq) => ({ type: 'instrumentRemoval', ...this.header(seq), id })));
  }

  private async batch(builds: Array<(seq: bigint) => WireMessage>): Promise<Array<Ack | RemoteError>> {
    const reqs: Array<{ frame: Uint8Array; done: Promise<WireMessage> } | Error> = builds.map((b) => {
      try {
        return this.request(b);
      } catch (e) {
        return e as Error;
      }
    });
    const frames = reqs.filter((r): r is { frame: Uint8Array; done: Promise<WireMessage> } => !(r instanceof Error)).map((r) => r.frame);
    if (frames.length) this.socket.write(Buffer.concat(frames));
    return Promise.all(
      reqs.map(async (r) => {
        if (r instanceof Error) return r as RemoteError;
        try {
          return WriterClient.ack(await r.done);
        } catch (e) {
          if (e instanceof RemoteError) return e;
          throw e;
        }
      }),
    );
  }

  /**
   * Register many instruments in one write; one result per input, in order: an {@link Ack} or
   * the typed error for that input (a local `ValidationError` or a {@link RemoteError}).
   * @throws {ServiceError} `ConnectionClosed` / `Timeout` (the connection failed)
   * @throws {RegistryError} `InvalidArgument` if `inputs` is not an array
   */
  registerBatch(inputs: readonly InstrumentInput[]): Promise<Array<Ack | RemoteError>> {
    argArray(inputs, 'inputs');
    return this.batch(inputs.map((i) => this.regMsg(i)));
  }

  /**
   * Many updates in one write; results as {@link registerBatch} (a change that is not an object
   * gets a `ValidationError`).
   * @throws {RegistryError} `InvalidArgument` if `changes` is not an array
   */
  updateBatch(changes: ReadonlyArray<{ id: InstrumentId; patch: InstrumentPatch }>): Promise<Array<Ack | RemoteError>> {
    argArray(changes, 'changes');
    return this.batch(
      changes.map((c) => (seq: bigint) => {
        if (typeof c !== 'object' || c === null) throw new ValidationError('InvalidField', 'change', 'must be an object { id, patch }');
        return { type: 'instrumentUpdate', ...this.header(seq), id: c.id, patch: c.patch };
      }),
    );
  }

  /**
   * Many removals in one write; results as {@link registerBatch}.
   * @throws {RegistryError} `InvalidArgument` if `ids` is not an array
   */
  removeBatch(ids: readonly InstrumentId[]): Promise<Array<Ack | RemoteError>> {
    argArray(ids, 'ids');
    return this.batch(ids.map((id) => (seq: bigint) => ({ type: 'instrumentRemoval', ...this.header(seq), id })));
  }

  /** Look instruments up on the writer (by id, venue + symbol, or ISIN). @throws {ServiceError} / {RemoteError} */
  async query(query: RegistryQuery): Promise<QueryResult> {
    const m = await this.send((seq) => ({ type: 'query', ...this.header(seq), query }));
    if (m.type !== 'queryResponse') throw new ServiceError('UnknownType', `expected queryResponse, got ${m.type}`);
    return { instruments: m.instruments, logSeq: m.logSeq, truncated: m.truncated };
  }

  /** Health check: the writer's durable log seq and instrument count. @throws {ServiceError} */
  async health(): Promise<HealthResponseMessage> {
    const m = await this.send((seq) => ({ type: 'healthCheck', ...this.header(seq), nonce: seq }));
    if (m.type !== 'healthResponse') throw new ServiceError('UnknownType', `expected healthResponse, got ${m.type}`);
    return m;
  }

  /** Close the connection; pending requests reject with `ConnectionClosed`. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.destroyed) return resolve();
      this.socket.once('close', () => resolve());
      this.socket.end();
      setTimeout(() => this.socket.destroy(), 500).unref();
    });
  }
}

/**
 * Check a writer address: a Unix socket path, or a TCP port (1..65535) with an optional host.
 * @throws {RegistryError} `InvalidArgument` otherwise.
 */
export function checkWriterAddress(addr: WriterAddress): void {
  argObject(addr, 'writer address');
  if (addr.socket !== undefined) {
    argString(addr.socket, 'socket', true);
    return;
  }
  if (addr.port === undefined) argString(addr.socket, 'socket (or a TCP port)', true);
  argInt(addr.port, 'port', 1, 65535);
  if (addr.host !== undefined) argString(addr.host, 'host', true);
}

/**
 * Open a socket to the writer (Unix socket or loopback TCP).
 * @throws {RegistryError} `InvalidArgument` for a malformed address (see {@link checkWriterAddress})
 * @throws {IoError} `IoError` when the connection fails (`errno` `ENOENT`, `ECONNREFUSED`, `EACCES` …)
 */
export function openSocket(addr: WriterAddress): Promise<Socket> {
  checkWriterAddress(addr);
  const where = addr.socket ?? `${addr.host ?? '127.0.0.1'}:${addr.port}`;
  return new Promise((resolve, reject) => {
    const fail = (e: Error) => reject(ioError(e, `connect to the writer at ${where}`));
    const s = addr.socket ? netConnect(addr.socket) : netConnect(addr.port!, addr.host ?? '127.0.0.1');
    s.once('connect', () => {
      s.off('error', fail);
      s.setNoDelay(true);
      resolve(s);
    });
    s.once('error', fail);
  });
}

/**
 * Connect to the writer service.
 * @throws {IoError} `IoError` when the connection fails: `errno` `ENOENT` (no such socket),
 *   `ECONNREFUSED`, `EACCES` (socket owned by another user)
 * @throws {RegistryError} `InvalidArgument` for options that are not an object, a malformed
 *   address, or a `timeoutMs` that is not a finite number > 0
 * @example
 * const writer = await connectWriter({ socket: '/tmp/instreg/instreg.sock' });
 * const acks = await writer.registerBatch(instruments);
 * await writer.close();
 */
export async function connectWriter(opts: ConnectWriterOptions): Promise<WriterClient> {
  argObject(opts, 'options');
  const timeoutMs = argMs(opts.timeoutMs ?? 30_000, 'timeoutMs');
  if (timeoutMs === 0) argInt(timeoutMs, 'timeoutMs', 1);
  return new WriterClient(await openSocket(opts), timeoutMs);
}
