/**
 * One client connection to the writer service (Unix socket or loopback TCP). Requests are wire
 * frames; every request gets exactly one answer carrying its `seq` as `refSeq`:
 *
 * | request | answer |
 * |---|---|
 * | `instrumentRegistration`, `poolRegistration`, `cexPairRegistration`, `instrumentUpdate`, `instrumentRemoval` | `ack` once the change is durable, or `errorResponse` (typed code) |
 * | `query` | `queryResponse` |
 * | `healthCheck` | `healthResponse` (nonce echoed) |
 * | `subscribe` | the connection becomes a replication stream (`src/service/replication.ts`) |
 * | anything else | `errorResponse` `NotSupported` |
 *
 * A malformed frame (bad magic, oversized LENGTH, CRC mismatch, or a valid CRC around an invalid
 * payload) gets one `errorResponse` with the decode error's code, and the connection is closed:
 * nothing from the bad frame on is applied. Requests before it are answered normally.
 *
 * Reading is paused while the socket holds more than 1 MiB of unsent answers (backpressure
 * towards a client that does not read its acks).
 *
 * @module
 */
import type { Socket } from 'node:net';
import { RegistryError } from '../errors.js';
import { encodeMessage } from '../wire/codec.js';
import { MessageFramer } from '../wire/framer.js';
import type { RegistryQuery, WireInstrument, WireMessage } from '../wire/types.js';
import { nowNs } from './apply.js';
import type { LogSubscriber } from './replication.js';
import type { ChangeResult, WriterCore } from './writer-core.js';

/** What a connection needs from the service. */
export interface ConnectionHost {
  core: WriterCore;
  /** Queue an ack to be sent once `logSeq` is durable. */
  whenDurable(logSeq: bigint, send: () => void): void;
  query(q: RegistryQuery): WireInstrument[];
  instruments(): number;
  subscribe(socket: Socket, fromSeq: bigint): LogSubscriber;
  /** A malformed frame was refused (for metrics). */
  onMalformed(code: string): void;
}

const OUT_HIGH_WATER = 1024 * 1024;
const CLOSE_GRACE_MS = 200;

/** Serves one socket. */
export class Connection {
  private readonly framer: MessageFramer;
  private errorAt = -1;
  private error: RegistryError | undefined;
  private closing = false;
  private subscriber: LogSubscriber | undefined;

  /** @param socket the client socket @param host the service */
  constructor(
    readonly socket: Socket,
    private readonly host: ConnectionHost,
  ) {
    this.framer = new MessageFramer({
      onError: (e) => {
        if (this.errorAt < 0) {
          this.errorAt = this.framer.stats.messages;
          this.error = e;
        }
      },
    });
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => {
      if (!this.closing) socket.resume();
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.subscriber?.close());
  }

  private corked = false;

  private send(msg: WireMessage): void {
    if (this.socket.destroyed) return;
    // Answers produced in one tick (e.g. every ack of a group commit) leave in one write.
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    if (!this.socket.write(encodeMessage(msg)) && this.socket.writableLength > OUT_HIGH_WATER) this.socket.pause();
  }

  private header(): { seq: bigint; timestampNs: bigint; flags: number } {
    return { seq: 0n, timestampNs: nowNs(), flags: 0 };
  }

  private sendError(refSeq: bigint, e: RegistryError): void {
    const message = e.message.length > 1000 ? `${e.message.slice(0, 1000)}…` : e.message;
    this.send({ type: 'errorResponse', ...this.header(), refSeq, code: e.code, message });
  }

  private refuse(e: RegistryError): void {
    this.host.onMalformed(e.code);
    this.closing = true;
    this.socket.pause();
    // Answer the requests before the bad frame first (their acks wait for the commit), then close.
    this.host.whenDurable(this.host.core.log.lastSeq, () => {
      this.sendError(0n, e);
      this.socket.end();
      setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS).unref();
    });
  }

  private onData(chunk: Buffer): void {
    if (this.closing) return;
    if (this.subscriber) {
      this.refuse(new RegistryError('NotSupported', 'a replication stream accepts no further requests'));
      return;
    }
    const before = this.framer.stats.messages;
    const msgs = this.framer.push(chunk);
    const valid = this.errorAt < 0 ? msgs.length : Math.max(0, this.errorAt - before);
    for (let i = 0; i < valid && !this.socket.destroyed; i++) this.handle(msgs[i]!);
    if (this.error) this.refuse(this.error);
  }

  private ack(refSeq: bigint, r: ChangeResult): void {
    const send = () => this.send({ type: 'ack', ...this.header(), refSeq, logSeq: r.logSeq, id: r.id, outcome: r.outcome });
    this.host.whenDurable(r.logSeq, send);
  }

  private handle(m: WireMessage): void {
    try {
      switch (m.type) {
        case 'instrumentRegistration':
        case 'poolRegistration':
        case 'cexPairRegistration':
          this.ack(m.seq, this.host.core.register(m.instrument));
          return;
        case 'instrumentUpdate':
          this.ack(m.seq, this.host.core.update(m.id, m.patch));
          return;
        case 'instrumentRemoval':
          this.ack(m.seq, this.host.core.remove(m.id));
          return;
        case 'query': {
          const instruments = this.host.query(m.query);
          this.send({ type: 'queryResponse', ...this.header(), refSeq: m.seq, logSeq: this.host.core.log.lastSeq, truncated: false, instruments });
          return;
        }
        case 'healthCheck':
          this.send({
            type: 'healthResponse',
            ...this.header(),
            nonce: m.nonce,
            logSeq: this.host.core.log.durableSeq,
            instruments: this.host.instruments(),
            role: 'writer',
          });
          return;
        case 'subscribe':
          this.subscriber = this.host.subscribe(this.socket, m.fromSeq);
          return;
        default:
          this.sendError(m.seq, new RegistryError('NotSupported', `the writer does not accept ${m.type} messages`));
      }
    } catch (e) {
      if (!(e instanceof RegistryError)) throw e;
      this.sendError(m.seq, e);
    }
  }
}
