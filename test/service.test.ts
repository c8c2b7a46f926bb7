import { recrc } from './helpers/wire-frames.js';
import { appendFileSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { connectWriter } from '../src/client/writer-client.js';
import type { InstrumentInput } from '../src/model/types.js';
import { openReplica } from '../src/replica/index.js';
import { RemoteError } from '../src/service/errors.js';
import { DurableLog } from '../src/service/log-file.js';
import { WriterService } from '../src/service/writer-service.js';
import { encodeMessage } from '../src/wire/codec.js';
import { MessageFramer } from '../src/wire/framer.js';
import type { WireMessage } from '../src/wire/types.js';
import { canonical } from './helpers/service-procs.js';

const cur = (symbol: string, extra: Partial<InstrumentInput> = {}): InstrumentInput =>
  ({ kind: 'currency', symbol, venue: 'ASSET', source: 'cex', status: 'active', ...extra }) as InstrumentInput;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'instreg-svc-'));
  cleanups.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
}
async function startService(dir: string, extra: Partial<Parameters<typeof WriterService.start>[0]> = {}): Promise<WriterService> {
  const svc = await WriterService.start({ dir, snapshotEveryMs: 0, onWarning: () => undefined, ...extra });
  cleanups.push(() => svc.close());
  return svc;
}

/** Raw client: send bytes, collect decoded answers, note the close. */
function rawClient(path: string): Promise<{ socket: Socket; got: WireMessage[]; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    const got: WireMessage[] = [];
    const framer = new MessageFramer();
    socket.on('data', (c: Buffer) => got.push(...framer.push(c)));
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    socket.once('connect', () => resolve({ socket, got, closed }));
    socket.once('error', reject);
  });
}
const hdr = (seq: bigint) => ({ seq, timestampNs: 1n, flags: 0 });

describe('durable log', () => {
  it('a torn tail is truncated on open with a typed LogTruncated warning; the entries before it survive', async () => {
    const dir = tempDir();
    const log = DurableLog.open(dir, { fsync: 'always' });
    const frames = [1n, 2n, 3n].map((s) => encodeMessage({ type: 'instrumentRemoval', ...hdr(s), id: s }));
    frames.forEach((f, i) => log.append(f, BigInt(i + 1)));
    await log.close();
    const seg = join(
      dir,
      readdirSync(dir).find((n) => n.startsWith('log-'))!,
    );
    const fourth = encodeMessage({ type: 'instrumentRemoval', ...hdr(4n), id: 4n });
    appendFileSync(seg, fourth.subarray(0, 20)); // torn write
    const seen: bigint[] = [];
    const again = DurableLog.open(dir, { onEntry: (m) => seen.push(m.seq) });
    expect(seen).toEqual([1n, 2n, 3n]);
    expect(again.warnings.map((w) => [w.code, w.droppedBytes])).toEqual([['LogTruncated', 20]]);
    expect(again.lastSeq).toBe(3n);
    again.append(fourth, 4n); // the log continues after the cut
    await again.close();
    // a flipped byte in the last frame (valid length, bad CRC) is cut the same way
    appendFileSync(seg, Buffer.from(encodeMessage({ type: 'instrumentRemoval', ...hdr(5n), id: 5n }).map((b, i) => (i === 35 ? b ^ 1 : b))));
    const third = DurableLog.open(dir, {});
    expect(third.warnings.map((w) => w.reason)).toEqual(['ChecksumMismatch']);
    expect(third.lastSeq).toBe(4n);
    await third.close();
  });
});

describe('durable log segments (limit: segmentMaxBytes)', () => {
  const frame = (s: bigint) => encodeMessage({ type: 'instrumentRemoval', ...hdr(s), id: s });

  it('rolls to a new segment at segmentMaxBytes; reopen replays every entry in order; readRange and trim work across segments', async () => {
    const dir = tempDir();
    const max = 4096;
    const log = DurableLog.open(dir, { segmentMaxBytes: max });
    const frames = Array.from({ length: 400 }, (_, i) => frame(BigInt(i + 1)));
    frames.forEach((f, i) => log.append(f, BigInt(i + 1)));
    await log.flush();
    const files = readdirSync(dir)
      .filter((n) => n.startsWith('log-'))
      .sort();
    const total = frames.reduce((n, f) => n + f.length, 0);
    expect(files.length).toBeGreaterThanOrEqual(Math.ceil(total / max));
    for (const f of files) expect(statSync(join(dir, f)).size).toBeLessThanOrEqual(max);
    // every segment but the last is full: the next frame would not have fitted
    for (const f of files.slice(0, -1)) expect(statSync(join(dir, f)).size + frames[0]!.length).toBeGreaterThan(max);
    // replication reads the same bytes, segment by segment
    const read: Buffer[] = [];
    for (let seq = 1n; seq <= 400n;) {
      const r = log.readRange(seq, 1 << 20);
      expect(r.frames).toBeGreaterThan(0);
      read.push(r.bytes);
      seq += BigInt(r.frames);
    }
    expect(read.length).toBe(files.length);
    expect(Buffer.concat(read).equals(Buffer.concat(frames))).toBe(true);
    expect(log.trimBefore(200n)).toBeGreaterThan(0);
    expect(() => log.readRange(1n, 100)).toThrow(expect.objectContaining({ code: 'SequenceGap' }));
    await log.close();
    const seen: bigint[] = [];
    // a restart from a snapshot at seq 200: the trimmed log still reaches back to 201
    const again = DurableLog.open(dir, { segmentMaxBytes: max, afterSeq: 200n, onEntry: (m) => seen.push(m.seq) }, 201n);
    expect(again.warnings).toEqual([]);
    expect(seen).toEqual(Array.from({ length: 200 }, (_, i) => BigInt(201 + i)));
    expect(again.lastSeq).toBe(400n);
    await again.close();
  });

  it('a segment file over 4 GiB (never written by the log) is refused LimitExceeded and left as it is', async () => {
    const dir = tempDir();
    const file = join(dir, `log-${'1'.padStart(20, '0')}.irl`);
    writeFileSync(file, frame(1n));
    truncateSync(file, 2 ** 32 + 1); // sparse: no disk used
    expect(() => DurableLog.open(dir, {})).toThrow(expect.objectContaining({ code: 'LimitExceeded' }));
    expect(statSync(file).size).toBe(2 ** 32 + 1);
  });
});

describe('a change whose frame cannot be logged is not applied', () => {
  it('the next segment cannot be created (its directory is gone): IoError, and the registry does not hold the change', async () => {
    const dir = tempDir();
    const svc = await WriterService.start({ dir, snapshotEveryMs: 0, logSegmentMaxBytes: 4096, onWarning: () => undefined });
    const reg = svc.core.target.registry;
    let i = 0;
    // fill the first segment to within one frame of its bound
    while (svc.log.sizeBytes < 4096 - 400) svc.core.register(cur(`F${i++}`));
    await svc.log.flush();
    const moved = `${dir}-moved`;
    renameSync(dir, moved); // the open segment stays writable; a new one cannot be created
    cleanups.push(() => rmSync(moved, { recursive: true, force: true }));
    const before = reg.getMetrics().instruments;
    let err: unknown;
    for (let k = 0; k < 20 && err === undefined; k++) {
      try {
        svc.core.register(cur(`G${k}`, { name: 'x'.repeat(200) }));
      } catch (e) {
        err = e;
        // the refused one is not in the registry: what readers see matches the log
        expect(reg.reader().getBySymbol('ASSET', `G${k}`)).toBeUndefined();
      }
    }
    expect(err).toMatchObject({ code: 'IoError' });
    const logged = svc.log.lastSeq;
    expect(BigInt(reg.getMetrics().instruments)).toBe(logged); // every instrument has its frame, no more
    expect(reg.getMetrics().instruments).toBeGreaterThanOrEqual(before);
    // and later changes are refused the same way, before they are applied
    expect(() => svc.core.register(cur('LATER'))).toThrow(expect.objectContaining({ code: 'IoError' }));
    expect(reg.reader().getBySymbol('ASSET', 'LATER')).toBeUndefined();
    await svc.close().catch(() => undefined);
  });
});

describe('writer service over the Unix socket', () => {
  it('acks carry the durable log seq; refusals are typed; the socket is owner-only; restart keeps everything acknowledged', async () => {
    const dir = tempDir();
    const svc = await startService(dir);
    const { statSync } = await import('node:fs');
    expect(statSync(svc.socketPath).mode & 0o777).toBe(0o600);
    const w = await connectWriter({ socket: svc.socketPath });
    const a = await w.register(cur('BTC'));
    expect(a).toMatchObject({ logSeq: 1n, outcome: 'added' });
    expect(await w.register(cur('BTC'))).toMatchObject({ logSeq: 1n, outcome: 'unchanged', id: a.id });
    expect((await w.update(a.id, { status: 'halted' })).logSeq).toBe(2n);
    await expect(w.update(12345n, { status: 'halted' })).rejects.toMatchObject({ code: 'UnknownInstrument' });
    await expect(w.remove(12345n)).rejects.toBeInstanceOf(RemoteError);
    const batch = await w.registerBatch([cur('ETH'), cur('TOO-LONG-SYMBOL-'.repeat(3)), cur('SOL')]);
    expect(batch.map((r) => ('code' in r ? r.code : r.logSeq))).toEqual([3n, 'FieldTooLong', 4n]);
    expect((await w.remove(a.id)).outcome).toBe('removed');
    expect((await w.health()).logSeq).toBe(5n);
    const q = await w.query({ kind: 'venueSymbol', venue: 'ASSET', symbol: 'ETH' });
    expect(q.instruments.map((i) => i.symbol)).toEqual(['ETH']);
    await w.close();
    const before = canonical(
      svc.core.target.registry
        .reader()
        .all()
        .map((v) => v.toObject() as never),
    );
    await svc.close();
    cleanups.pop();
    const again = await startService(dir);
    expect(again.startReport.replayed).toBe(5);
    expect(
      canonical(
        again.core.target.registry
          .reader()
          .all()
          .map((v) => v.toObject() as never),
      ),
    ).toEqual(before);
  });

  it.each([
    ['garbage', () => Buffer.from('GET / HTTP/1.1\r\n\r\n'), 'BadMagic'],
    [
      'an oversized LENGTH',
      () => {
        const f = Buffer.from(encodeMessage({ type: 'healthCheck', ...hdr(1n), nonce: 1n }));
        f.writeUInt32LE(0x7fffffff, 8);
        return f;
      },
      'LengthOutOfBounds',
    ],
    [
      'a valid CRC around an invalid payload',
      () => {
        // a registration whose kind byte is 99: re-encode the CRC so only the payload is wrong
        const good = Buffer.from(encodeMessage({ type: 'instrumentRegistration', ...hdr(1n), instrument: cur('BAD') }));
        good[32] = 99;
        return recrc(good);
      },
      'InvalidEnum',
    ],
  ])('a client sending %s gets a typed error and is disconnected; other clients and the registry are unaffected', async (_name, bytes, code) => {
    const dir = tempDir();
    const svc = await startService(dir);
    const good = await connectWriter({ socket: svc.socketPath });
    await good.register(cur('KEEP'));
    const bad = await rawClient(svc.socketPath);
    const ok = encodeMessage({ type: 'instrumentRegistration', ...hdr(7n), instrument: cur('BEFORE') });
    bad.socket.write(Buffer.concat([ok, bytes(), encodeMessage({ type: 'instrumentRegistration', ...hdr(8n), instrument: cur('AFTER') })]));
    await bad.closed;
    // the request before the bad frame is answered; then one error with the decode code; nothing after it applied
    const types = bad.got.map((m) => (m.type === 'errorResponse' ? `error:${m.code}` : m.type));
    expect(types).toEqual(['ack', `error:${code}`]);
    const reader = svc.core.target.registry.reader();
    expect(reader.getBySymbol('ASSET', 'BEFORE')).toBeDefined();
    expect(reader.getBySymbol('ASSET', 'AFTER')).toBeUndefined();
    expect((await good.register(cur('STILL'))).logSeq).toBe(3n);
    expect(svc.log.lastSeq).toBe(3n);
    await good.close();
  });

  it('replicas: snapshot + log, resume after a disconnect, identical records; a stalled replica is bounded and dropped', async () => {
    const dir = tempDir();
    const svc = await startService(dir, { replica: { highWaterBytes: 256 * 1024, stallTimeoutMs: 500, heartbeatMs: 100 }, metricsPort: 0 });
    const w = await connectWriter({ socket: svc.socketPath });
    const N = 3000;
    const acks = await w.registerBatch(Array.from({ length: N }, (_, i) => cur(`C${i}`, { name: `coin ${i}` })));
    await svc.snapshot();
    const replica = await openReplica({ socket: svc.socketPath });
    cleanups.push(() => replica.close());
    // stalled replica: subscribes, never reads
    const stalled = await rawClient(svc.socketPath);
    stalled.socket.pause();
    stalled.socket.write(encodeMessage({ type: 'subscribe', ...hdr(0n), fromSeq: 0n }));
    let maxBuffered = 0;
    for (let round = 0; round < 6; round++) {
      if (round === 2) replica.disconnect(); // resumes from its applied seq
      await w.updateBatch(acks.slice(0, 1500).map((a) => ({ id: (a as { id: bigint }).id, patch: { name: `r${round}` } })));
      await w.removeBatch(acks.slice(1500 + round * 10, 1510 + round * 10).map((a) => (a as { id: bigint }).id));
      for (const s of svc.subscribers) maxBuffered = Math.max(maxBuffered, s.bufferedBytes);
    }
    const metrics = await (await fetch(`http://127.0.0.1:${svc.metricsPort}/metrics`)).text();
    expect(metrics).toMatch(/instreg_log_sequence \d+/);
    expect(metrics).toMatch(/instreg_registrations_total\{outcome="added"\} 3000/);
    // table and heap state, equal to the registry's own metrics at the scrape
    const m = svc.core.target.registry.getMetrics();
    expect(metrics).toContain(`instreg_table_tombstones ${m.tombstones}\n`);
    expect(metrics).toContain(`instreg_table_capacity_slots ${m.capacity}\n`);
    expect(metrics).toContain(`instreg_heap_used_bytes ${m.heapBytes}\n`);
    expect(metrics).toContain(`instreg_heap_live_bytes ${m.heapLiveBytes}\n`);
    expect(metrics).toContain(`instreg_heap_compactions_total ${m.heapCompactions}\n`);
    expect(m.tombstones).toBe(60); // 6 rounds removed 10 each
    expect(maxBuffered).toBeLessThanOrEqual(256 * 1024 + 256 * 1024 + 16 * 1024);
    // dropped by the writer after the stall timeout (the paused client cannot see its own close)
    for (let i = 0; i < 100 && svc.subscribers.size > 1; i++) await new Promise((r) => setTimeout(r, 50));
    expect(svc.subscribers.size).toBe(1);
    stalled.socket.destroy();
    await replica.waitFor(svc.log.durableSeq, 20_000);
    const dump = (r: { all(): Array<{ toObject(): unknown }> }) => canonical(r.all().map((v) => v.toObject() as never));
    expect(dump(replica.reader())).toEqual(dump(svc.core.target.registry.reader()));
    expect(replica.state.failures).toEqual([]);
    expect(replica.lag().entries).toBe(0n);
    await w.close();
  }, 60_000);

  it('a replica ahead of a replaced writer (another history) rebuilds from scratch instead of keeping stale records', async () => {
    const socket = join(tempDir(), 'w.sock');
    const a = await WriterService.start({ dir: tempDir(), socket, snapshotEveryMs: 0, onWarning: () => undefined });
    const wa = await connectWriter({ socket });
    await wa.registerBatch(['A1', 'A2', 'A3', 'A4', 'A5'].map((x) => cur(x)));
    await wa.close();
    const replica = await openReplica({ socket });
    cleanups.push(() => replica.close());
    expect(replica.appliedSeq).toBe(5n);
    await a.close();
    const b = await startService(tempDir(), { socket });
    const wb = await connectWriter({ socket });
    await wb.registerBatch([cur('B1'), cur('B2')]);
    await wb.close();
    for (let i = 0; i < 200 && replica.reader().getBySymbol('ASSET', 'B2') === undefined; i++) await new Promise((r) => setTimeout(r, 50));
    const dump = (r: { all(): Array<{ toObject(): unknown }> }) => canonical(r.all().map((v) => v.toObject() as never));
    expect(dump(replica.reader())).toEqual(dump(b.core.target.registry.reader()));
    expect(replica.appliedSeq).toBe(2n);
  });
});
