/**
 * Fault tests with real processes: SIGKILL the writer at random points while a client streams
 * registrations (INSTREG_KILLS times, default 20; `npm run test:soak` runs 200), and kill / restart
 * a replica process mid-stream. Self-checking against the inputs and acks the test recorded itself.
 */
import { appendFileSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { connectWriter, type Ack } from '../src/client/writer-client.js';
import type { InstrumentInput } from '../src/model/types.js';
import { openReplica } from '../src/replica/index.js';
import { WriterService } from '../src/service/writer-service.js';
import { encodeMessage } from '../src/wire/codec.js';
import { canonical, killHard, spawnReady } from './helpers/service-procs.js';

const KILLS = Number(process.env.INSTREG_KILLS ?? 20);
const cur = (symbol: string, name: string): InstrumentInput =>
  ({ kind: 'currency', symbol, venue: 'ASSET', source: 'cex', status: 'active', name }) as InstrumentInput;
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Deterministic pseudo-random numbers (so a failure can be replayed with the printed seed). */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

describe('SIGKILL the writer while a client streams registrations', () => {
  it(
    `${KILLS} kills: every acknowledged registration survives, nothing is half-applied, torn tails are reported`,
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'instreg-kill-'));
      dirs.push(dir);
      const seed = Number(process.env.INSTREG_KILL_SEED ?? Date.now() % 1e9);
      const rand = rng(seed);
      const sent = new Map<string, InstrumentInput>(); // symbol → what was sent (last version)
      const acked = new Map<string, Ack>(); // symbol → ack
      let next = 0;
      let tornInjected = 0;
      let tornReported = 0;
      for (let k = 0; k < KILLS; k++) {
        // fsync policy, and a log segment bound small enough that kills also land around segment rolls
        const fsync = ['always', 'group:0', 'group:2'][Math.floor(rand() * 3)]!;
        const segmentBytes = ['0', '4096', '32768'][k % 3]!;
        const { child, line } = await spawnReady('writer-proc.mjs', [dir, fsync, '5000', segmentBytes], /^\{"listening"/);
        const started = JSON.parse(line).listening as { warnings: Array<{ code: string }> };
        tornReported += started.warnings.filter((w) => w.code === 'LogTruncated').length;
        const w = await connectWriter({ socket: join(dir, 'instreg.sock'), timeoutMs: 10_000 });
        const killAt = Date.now() + 20 + rand() * 150;
        const streams: Promise<void>[] = [];
        // two pipelined streams: batches of new instruments and renames of acked ones
        const pump = async () => {
          while (Date.now() < killAt) {
            const batch: InstrumentInput[] = [];
            for (let i = 0; i < 20; i++) {
              const reuse = acked.size > 0 && rand() < 0.2;
              const symbol = reuse ? [...acked.keys()][Math.floor(rand() * acked.size)]! : `K${next++}`;
              const inst = cur(symbol, `v${k}-${i}-${symbol}`);
              sent.set(symbol, inst);
              batch.push(inst);
            }
            let res: Array<Ack | Error>;
            try {
              res = await w.registerBatch(batch);
            } catch {
              return; // connection died with the writer: these are unacknowledged
            }
            res.forEach((r, i) => {
              if (!(r instanceof Error)) acked.set(batch[i]!.symbol, r);
            });
          }
        };
        streams.push(pump(), pump());
        await sleep(Math.max(0, killAt - Date.now()));
        await killHard(child);
        await Promise.all(streams);
        await w.close();
        if (rand() < 0.5) {
          // simulate a torn write at the tail (what a power cut leaves): a frame prefix after the last frame
          const segs = readdirSync(dir)
            .filter((n) => n.startsWith('log-'))
            .sort();
          const frame = encodeMessage({ type: 'instrumentRemoval', seq: 1n, timestampNs: 1n, flags: 0, id: 1n });
          appendFileSync(join(dir, segs[segs.length - 1]!), frame.subarray(0, 1 + Math.floor(rand() * (frame.length - 1))));
          tornInjected++;
        }
      }
      // final start: check the whole content against what the test recorded
      const svc = await WriterService.start({ dir, snapshotEveryMs: 0, onWarning: () => undefined });
      try {
        tornReported += svc.startReport.warnings.filter((x) => x.code === 'LogTruncated').length;
        const reader = svc.core.target.registry.reader();
        const ackedSymbols = [...acked.keys()];
        const missing = ackedSymbols.filter((s) => reader.getBySymbol('ASSET', s) === undefined);
        expect({ seed, missing }).toEqual({ seed, missing: [] });
        // nothing half-applied: every record present is exactly one version the client sent
        for (const v of reader.all()) {
          const o = v.toObject();
          const s = sent.get(o.symbol);
          expect(s, `${o.symbol} was never sent`).toBeDefined();
          expect(o.name!.startsWith('v') && o.name!.endsWith(`-${o.symbol}`)).toBe(true);
          expect(o.id).toBe(svc.core.target.registry.idOf(s!));
        }
        // each acked seq is in the log: the acked name is the present one or an acked later rename
        expect(acked.size).toBeGreaterThan(KILLS);
        expect(tornReported).toBe(tornInjected);
      } finally {
        await svc.close();
      }
    },
    30_000 + KILLS * 2_000,
  );
});

describe('replica process killed and restarted mid-stream', () => {
  it('the new replica and a reconnecting one converge to the writer record for record', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'instreg-rkill-'));
    dirs.push(dir);
    const svc = await WriterService.start({ dir, snapshotEveryMs: 0, snapshotEveryEntries: 3000, onWarning: () => undefined });
    const inproc = await openReplica({ socket: svc.socketPath });
    try {
      const w = await connectWriter({ socket: svc.socketPath });
      let stop = false;
      const ids: bigint[] = [];
      const stream = (async () => {
        for (let round = 0; !stop; round++) {
          const acks = await w.registerBatch(Array.from({ length: 100 }, (_, i) => cur(`R${round}-${i}`, `n${round}`)));
          for (const a of acks) if (!(a instanceof Error)) ids.push(a.id);
          if (ids.length > 200) await w.updateBatch(ids.slice(-50).map((id) => ({ id, patch: { status: 'halted', name: `u${round}` } })));
          if (round % 5 === 4) await w.removeBatch(ids.splice(0, 20));
        }
      })();
      const first = await spawnReady('replica-proc.mjs', [svc.socketPath], /^ready /);
      await sleep(300);
      await killHard(first.child);
      inproc.disconnect(); // the in-process one loses its connection mid-stream and resumes
      const second = await spawnReady('replica-proc.mjs', [svc.socketPath], /^ready /);
      await sleep(300);
      stop = true;
      await stream;
      await w.close();
      const seq = svc.log.durableSeq;
      const out = join(dir, 'dump.json');
      second.child.stdin!.write(`dump ${out} ${seq}\n`);
      await new Promise<void>((resolve) => second.child.stdout!.on('data', (d: Buffer) => d.toString().includes('dumped') && resolve()));
      await inproc.waitFor(seq, 20_000);
      const writer = canonical(
        svc.core.target.registry
          .reader()
          .all()
          .map((v) => v.toObject() as never),
      );
      const fromChild = canonical(
        JSON.parse(readFileSync(out, 'utf8'), (_k, x) => (typeof x === 'string' && /^\d+n$/.test(x) ? BigInt(x.slice(0, -1)) : x)) as never[],
      );
      expect(writer.length).toBeGreaterThan(300);
      expect(fromChild).toEqual(writer);
      expect(
        canonical(
          inproc
            .reader()
            .all()
            .map((v) => v.toObject() as never),
        ),
      ).toEqual(writer);
      await killHard(second.child);
    } finally {
      await inproc.close();
      await svc.close();
    }
  }, 60_000);
});
