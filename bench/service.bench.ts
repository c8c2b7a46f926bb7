/**
 * Writer service benchmarks, each with its transport floor measured in the same run:
 *
 * 1. registration round trip client → writer → ack over the Unix socket, one request at a time,
 *    per fsync policy (`always`, `group:0` = default, `group:2`), p50/p99, as a ratio to a raw
 *    Unix-socket echo round trip of the same frame size;
 * 2. sustained registrations/s through the socket with group commit (pipelined batches), next to
 *    the in-process `InstrumentRegistry` registration rate of the same run (the floor);
 * 3. replication lag at 10 k changes/s, from the commit (fsync done) on the writer to the apply on
 *    the replica, over the Unix socket and over JetStream (replicas in their own processes;
 *    both sides use the wall clock), with raw NATS publish → consume (core and JetStream) as bases;
 * 4. restart time: 1 M instruments in the snapshot + 100 k log frames.
 *
 * Run: `npm run bench:service` (needs nats-server on PATH for part 3). Env: `INSTREG_BENCH_QUICK=1`
 * shrinks every part ~10×.
 *
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { connect as natsConnect } from '@nats-io/transport-node';
import { DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connectWriter } from '../src/client/writer-client.js';
import type { InstrumentInput } from '../src/model/types.js';
import { nowNs } from '../src/service/apply.js';
import { writeSnapshotSync, loadSnapshotChecksum } from '../src/snapshot/index.js';
import { snapshotPath } from '../src/service/snapshots.js';
import { WriterService } from '../src/service/writer-service.js';
import { ensureStream } from '../src/service/jetstream-publisher.js';
import { encodeMessage } from '../src/wire/codec.js';
import { InstrumentRegistry } from '../src/writer/registry.js';

const QUICK = process.env.INSTREG_BENCH_QUICK === '1';
const here = new URL('.', import.meta.url).pathname;
const cur = (symbol: string): InstrumentInput => ({ kind: 'currency', symbol, venue: 'ASSET', source: 'cex', status: 'active' }) as InstrumentInput;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}
const f = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

function child(args: string[]): Promise<ChildProcess> {
  const c = spawn(process.execPath, [join(here, 'service-proc.js'), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    createInterface({ input: c.stdout! }).on('line', (l) => l === 'ready' && resolve(c));
    c.once('exit', (code) => reject(new Error(`service-proc ${args[0]} exited ${code}`)));
  });
}
function stop(c: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (c.exitCode !== null) return resolve();
    c.once('exit', () => resolve());
    c.kill('SIGTERM');
  });
}

async function rawRoundTrip(n: number, bytes: number): Promise<number[]> {
  const dir = mkdtempSync(join(tmpdir(), 'instreg-bench-'));
  const path = join(dir, 'echo.sock');
  const echo = await child(['echo', path]);
  const s = netConnect(path);
  await new Promise((r) => s.once('connect', r));
  s.setNoDelay(true);
  const buf = Buffer.alloc(bytes, 7);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await new Promise<void>((resolve) => {
      let got = 0;
      const on = (d: Buffer) => {
        got += d.length;
        if (got >= bytes) {
          s.off('data', on);
          resolve();
        }
      };
      s.on('data', on);
      s.write(buf);
    });
    out.push((performance.now() - t) * 1000);
  }
  s.destroy();
  await stop(echo);
  rmSync(dir, { recursive: true, force: true });
  return out;
}

async function registrationRoundTrip(fsync: string, n: number): Promise<number[]> {
  const dir = mkdtempSync(join(tmpdir(), 'instreg-bench-'));
  const w0 = await child(['writer', dir, fsync]);
  const w = await connectWriter({ socket: join(dir, 'instreg.sock') });
  const out: number[] = [];
  for (let i = 0; i < n + 20; i++) {
    const t = performance.now();
    await w.register(cur(`RT${i}`));
    if (i >= 20) out.push((performance.now() - t) * 1000);
  }
  await w.close();
  await stop(w0);
  rmSync(dir, { recursive: true, force: true });
  return out;
}

async function sustained(total: number, fsync: string): Promise<{ perSec: number; ms: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'instreg-bench-'));
  const w0 = await child(['writer', dir, fsync]);
  const w = await connectWriter({ socket: join(dir, 'instreg.sock') });
  const BATCH = 1000;
  let next = 0;
  const t = performance.now();
  const lane = async () => {
    while (next < total) {
      const start = next;
      next += BATCH;
      await w.registerBatch(Array.from({ length: BATCH }, (_, i) => cur(`S${start + i}`)));
    }
  };
  await Promise.all([lane(), lane(), lane(), lane()]);
  const ms = performance.now() - t;
  await w.close();
  await stop(w0);
  rmSync(dir, { recursive: true, force: true });
  return { perSec: (total / ms) * 1000, ms };
}

/** Raw NATS publish → consume at `rate`/s: core NATS and JetStream (same process, one connection each). */
async function rawNats(url: string, n: number, rate: number): Promise<{ core: number[]; js: number[] }> {
  const pub = await natsConnect({ servers: url });
  const sub = await natsConnect({ servers: url });
  const core: number[] = [];
  const s = sub.subscribe('bench.raw');
  const done = (async () => {
    for await (const m of s) {
      core.push(Number(nowNs() / 1000n) - Number(Buffer.from(m.data).readBigUInt64LE(0)));
      if (core.length >= n) break;
    }
  })();
  await sub.flush();
  const payload = Buffer.alloc(80);
  for (let i = 0; i < n; i++) {
    payload.writeBigUInt64LE(nowNs() / 1000n, 0);
    pub.publish('bench.raw', payload);
    if (i % (rate / 1000) === 0) await sleep(1);
  }
  await done;
  const jsm = await jetstreamManager(pub);
  await ensureStream(jsm, 'BENCH_RAW', 'bench.js');
  const js = jetstream(pub);
  const consumer = await jetstream(sub).consumers.get('BENCH_RAW', { deliver_policy: DeliverPolicy.New });
  const msgs = await consumer.consume();
  const jsLat: number[] = [];
  const jsDone = (async () => {
    for await (const m of msgs) {
      jsLat.push(Number(nowNs() / 1000n) - Number(Buffer.from(m.data).readBigUInt64LE(0)));
      if (jsLat.length >= n) break;
    }
  })();
  await sleep(200);
  const pending: Promise<unknown>[] = [];
  for (let i = 0; i < n; i++) {
    const p = Buffer.alloc(80);
    p.writeBigUInt64LE(nowNs() / 1000n, 0);
    pending.push(js.publish('bench.js', p));
    if (i % (rate / 1000) === 0) await sleep(1);
  }
  await Promise.all(pending);
  await jsDone;
  await jsm.streams.delete('BENCH_RAW');
  await pub.close();
  await sub.close();
  return { core, js: jsLat };
}

/** Writer in this process driven at `rate` changes/s; replicas in child processes. */
async function replicationLag(n: number, rate: number, natsUrl: string | undefined): Promise<{ socket: number[]; js?: number[] }> {
  if (natsUrl) {
    // each run starts with an empty stream and bucket (a new writer history)
    const nc = await natsConnect({ servers: natsUrl });
    const jsm = await jetstreamManager(nc);
    for (const name of ['INSTREG_LOG', 'OBJ_instreg-snapshots']) await jsm.streams.delete(name).catch(() => false);
    await nc.close();
  }
  const dir = mkdtempSync(join(tmpdir(), 'instreg-bench-'));
  const svc = await WriterService.start({ dir, snapshotEveryMs: 0, snapshotEveryEntries: 0, ...(natsUrl ? { jetstream: { servers: natsUrl } } : {}) });
  const durableAt = new Map<number, number>();
  const inner = (svc as unknown as { onDurable(seq: bigint, ms: number): void }).onDurable.bind(svc);
  let lastMarked = 0;
  svc.log.setOnDurable((seq, ms) => {
    const t = Number(nowNs() / 1000n);
    for (let s = lastMarked + 1; s <= Number(seq); s++) durableAt.set(s, t);
    lastMarked = Number(seq);
    inner(seq, ms);
  });
  const outSock = join(dir, 'sock.json');
  const outJs = join(dir, 'js.json');
  const r1 = await child(['replica', svc.socketPath, outSock]);
  const r2 = natsUrl ? await child(['replica', natsUrl, outJs]) : undefined;
  const perMs = rate / 1000;
  const t0 = performance.now();
  for (let i = 0; i < n;) {
    const due = Math.min(n, Math.floor((performance.now() - t0) * perMs));
    for (; i < due; i++) svc.core.register(cur(`L${i}`));
    await sleep(1);
  }
  await svc.log.flush();
  await sleep(1500);
  await stop(r1);
  if (r2) await stop(r2);
  const lat = (file: string) => {
    const { seqs, times } = JSON.parse(readFileSync(file, 'utf8')) as { seqs: number[]; times: number[] };
    return seqs.map((s, i) => times[i]! - durableAt.get(s)!).filter((x) => Number.isFinite(x));
  };
  const result = { socket: lat(outSock), ...(r2 ? { js: lat(outJs) } : {}) };
  await svc.close();
  rmSync(dir, { recursive: true, force: true });
  return result;
}

async function restart(instruments: number, frames: number): Promise<{ startMs: number; replayed: number; snapshotMb: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'instreg-bench-'));
  await loadSnapshotChecksum();
  const reg = await InstrumentRegistry.create({ initialCapacity: instruments + frames });
  for (let i = 0; i < instruments; i++) reg.registerInstrument(cur(`M${i}`));
  const info = writeSnapshotSync(reg, snapshotPath(dir, 0n));
  const svc = await WriterService.start({ dir, snapshotEveryMs: 0, snapshotEveryEntries: 0, fsync: { groupMs: 50 } });
  for (let i = 0; i < frames; i++) svc.core.register(cur(`N${i}`));
  await svc.close();
  const t = performance.now();
  const again = await WriterService.start({ dir, snapshotEveryMs: 0, snapshotEveryEntries: 0 });
  const startMs = performance.now() - t;
  const replayed = again.startReport.replayed;
  await again.close();
  rmSync(dir, { recursive: true, force: true });
  return { startMs, replayed, snapshotMb: info.bytes / 2 ** 20 };
}

const cpu = os.cpus()[0];
console.log(
  `service bench — ${cpu?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, Node ${process.version}, ${os.platform()} ${os.arch()}, load average ${os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
const frameBytes = encodeMessage({ type: 'instrumentRegistration', seq: 1n, timestampNs: 1n, flags: 0, instrument: cur('RT100') }).length;
const RT = QUICK ? 200 : 2000;
const raw = await rawRoundTrip(RT, frameBytes);
const rawP50 = pct(raw, 50);
const rawP99 = pct(raw, 99);
console.log(`\n1. round trip over the Unix socket (${frameBytes}-byte request), µs`);
console.log(`   raw Unix-socket echo        p50 ${f(rawP50)}  p99 ${f(rawP99)}  (ratio base)`);
for (const policy of ['always', 'group:0', 'group:2']) {
  const xs = await registrationRoundTrip(policy, policy === 'always' ? (QUICK ? 50 : 300) : QUICK ? 200 : 1000);
  console.log(
    `   register → ack, fsync ${policy.padEnd(8)} p50 ${f(pct(xs, 50))} (${f(pct(xs, 50) / rawP50)}× raw)  p99 ${f(pct(xs, 99))} (${f(pct(xs, 99) / rawP99)}× raw)`,
  );
}
const s = await sustained(QUICK ? 20_000 : 200_000, 'group:0');
const s2 = await sustained(QUICK ? 20_000 : 100_000, 'group:2');
const floorN = QUICK ? 20_000 : 200_000;
const floorReg = await InstrumentRegistry.create({ initialCapacity: floorN });
const tf = performance.now();
for (let i = 0; i < floorN; i++) floorReg.registerInstrument(cur(`F${i}`));
const floorPerSec = (floorN / (performance.now() - tf)) * 1000;
console.log(
  `\n2. sustained registrations through the socket, 4 × 1000-registration batches in flight: group:0 (default) ${f(s.perSec / 1000)} k/s (${f(s.ms)} ms); group:2 ${f(s2.perSec / 1000)} k/s`,
);
console.log(
  `   floor: InstrumentRegistry.registerInstrument in one thread, same run: ${f(floorPerSec / 1000)} k/s → the service reaches ${f((100 * s.perSec) / floorPerSec)} % of it`,
);

const natsUrl = process.env.INSTREG_BENCH_NATS;
const N = QUICK ? 5_000 : 30_000;
if (natsUrl) {
  const rn = await rawNats(natsUrl, N, 10_000);
  console.log(
    `\n3. raw NATS publish → consume at 10 k/s, µs: core p50 ${f(pct(rn.core, 50))} p99 ${f(pct(rn.core, 99))}; JetStream p50 ${f(pct(rn.js, 50))} p99 ${f(pct(rn.js, 99))}  (ratio bases)`,
  );
  const lag = await replicationLag(N, 10_000, natsUrl);
  console.log(`   replication lag at 10 k changes/s, writer commit → replica apply, µs:`);
  console.log(
    `   Unix socket  p50 ${f(pct(lag.socket, 50))}  p99 ${f(pct(lag.socket, 99))}  (${lag.socket.length} entries; p99 ${f(pct(lag.socket, 99) / pct(rn.core, 99))}× raw core NATS p99)`,
  );
  console.log(
    `   JetStream    p50 ${f(pct(lag.js!, 50))}  p99 ${f(pct(lag.js!, 99))}  (${lag.js!.length} entries; p99 ${f(pct(lag.js!, 99) / pct(rn.js, 99))}× raw JetStream p99)`,
  );
  const slow = await replicationLag(QUICK ? 1000 : 5000, 1000, natsUrl);
  console.log(
    `   the same at 1 k changes/s: Unix socket p50 ${f(pct(slow.socket, 50))} p99 ${f(pct(slow.socket, 99))}; JetStream p50 ${f(pct(slow.js!, 50))} p99 ${f(pct(slow.js!, 99))}`,
  );
} else {
  const lag = await replicationLag(N, 10_000, undefined);
  console.log(
    `\n3. replication lag at 10 k changes/s over the Unix socket, writer commit → replica apply, µs: p50 ${f(pct(lag.socket, 50))} p99 ${f(pct(lag.socket, 99))} (set INSTREG_BENCH_NATS=nats://… for JetStream)`,
  );
}
const r = await restart(QUICK ? 100_000 : 1_000_000, QUICK ? 10_000 : 100_000);
console.log(`\n4. restart: snapshot of ${QUICK ? '100 k' : '1 M'} instruments (${f(r.snapshotMb)} MiB) + ${r.replayed} log frames: ${f(r.startMs)} ms`);
