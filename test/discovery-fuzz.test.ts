/**
 * Discovery fuzz suite (issue 12): structure-aware mutations of every shipped payload format
 * (`workers/discovery-fuzz/cases.ts`), each case loaded into a real registry and compared with an
 * independent reference (`workers/discovery-fuzz/check.ts`, `reference.ts`). Every case must end
 * in registered instruments equal to the reference's or typed, counted rejects; never an untyped
 * error, a hang, a half-registered record or a changed `Object.prototype`.
 *
 * Case count: `INSTREG_DISCOVERY_FUZZ_RUNS` (default {@link DEFAULT_RUNS}); `npm run test:fuzz`
 * runs 1 000 000 (~17 min here). The cases run in `INSTREG_DISCOVERY_FUZZ_WORKERS` worker threads (default 2,
 * the compiled `dist/workers/discovery-fuzz/worker.js`: `npm test` builds first), each with its
 * own fast-check seed derived from the run seed `INSTREG_DISCOVERY_FUZZ_SEED` (default: random,
 * printed). A failure prints the shrunk counterexample and how to replay it in this process:
 * `INSTREG_DISCOVERY_FUZZ_SEED=<run seed> INSTREG_DISCOVERY_FUZZ_REPLAY=<fc seed>:<path>`.
 * A hang fails through a watchdog (no progress from a worker for {@link STALL_MS}); every
 * evaluation inside the engine is bounded (`src/discovery/compile.ts`).
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { beforeAll, describe, expect, it } from 'vitest';
import { FUZZ_FILES, FuzzPayloads } from '../workers/discovery-fuzz/cases.js';
import { addStats, emptyStats, FuzzChecker, type FormatStats } from '../workers/discovery-fuzz/check.js';
import { basesFor, runBatch, type BatchOptions, type BatchResult } from '../workers/discovery-fuzz/run.js';
import { distWorker } from './helpers/workers.js';

/**
 * Cases in `npm test` (issue 12 asks for at least 100 000): about 50 s with 2 workers on this 2-core
 * machine when idle (~0.5 ms of wall time per case; ~1.2 ms at load 4: `bench/results/discovery-fuzz.txt`).
 */
const DEFAULT_RUNS = 100_000;
const int = (v: string | undefined): number | undefined => {
  const n = Number(v ?? '');
  return v !== undefined && v !== '' && Number.isFinite(n) ? Math.floor(n) : undefined;
};
const RUNS = Math.max(1, int(process.env.INSTREG_DISCOVERY_FUZZ_RUNS) ?? DEFAULT_RUNS);
const SEED = (int(process.env.INSTREG_DISCOVERY_FUZZ_SEED) ?? Math.floor(Math.random() * 2 ** 31)) | 0;
const WORKERS = Math.max(0, int(process.env.INSTREG_DISCOVERY_FUZZ_WORKERS) ?? Math.min(2, availableParallelism()));
const REPLAY = process.env.INSTREG_DISCOVERY_FUZZ_REPLAY;
const FORMATS = Object.keys(FUZZ_FILES).length;
const BASES = basesFor(RUNS, FORMATS);
/** A worker that reports no progress for this long is taken as hung. */
const STALL_MS = 120_000;
/** Cases between progress lines (workers report every 1 000, which also feeds the watchdog). */
const PROGRESS_EVERY = RUNS >= 500_000 ? 50_000 : 20_000;

/** fast-check seed of batch `w`. */
const fcSeed = (w: number): number => (SEED + Math.imul(w + 1, 0x9e3779b1)) | 0;

function runWorker(opts: Omit<BatchOptions, 'onProgress'>, onProgress: (cases: number) => void): Promise<BatchResult> {
  return new Promise((resolve, reject) => {
    // a larger young generation: the cases allocate much short-lived garbage (fewer scavenges)
    const worker = new Worker(distWorker('discovery-fuzz/worker'), { workerData: opts, resourceLimits: { maxYoungGenerationSizeMb: 64 } });
    let last = Date.now();
    const watchdog = setInterval(() => {
      if (Date.now() - last > STALL_MS) {
        clearInterval(watchdog);
        void worker.terminate();
        reject(new Error(`discovery fuzz worker (fc seed ${opts.fcSeed}) made no progress for ${STALL_MS / 1000} s: a hang`));
      }
    }, 5_000);
    worker.on('message', (m: { type: string; cases?: number; result?: BatchResult }) => {
      last = Date.now();
      if (m.type === 'progress') onProgress(m.cases!);
      else if (m.type === 'done') {
        clearInterval(watchdog);
        resolve(m.result!);
      }
    });
    worker.once('error', (e) => {
      clearInterval(watchdog);
      reject(e);
    });
    worker.once('exit', (code) => {
      clearInterval(watchdog);
      if (code !== 0) reject(new Error(`discovery fuzz worker exited with ${code}`));
    });
  });
}

function table(stats: Record<string, FormatStats>): string {
  const rows = Object.entries(stats).map(([name, s]) => {
    const rejected = Object.values(s.rejected).reduce((a, b) => a + b, 0);
    const refused = Object.values(s.refused).reduce((a, b) => a + b, 0);
    const us = (ms: number): string => ((1000 * ms) / Math.max(1, s.cases)).toFixed(0).padStart(7);
    return `${name.padEnd(31)} ${String(s.cases).padStart(8)} ${String(refused).padStart(8)} ${String(s.records).padStart(8)} ${String(s.accepted).padStart(8)} ${String(rejected).padStart(8)} ${String(s.skipped).padStart(8)} ${String(s.registered).padStart(10)} |${us(s.ms.build)}${us(s.ms.engine)}${us(s.ms.reference)}${us(s.ms.compare)}`;
  });
  const head = `${'format'.padEnd(31)} ${['cases', 'refused', 'records', 'accepted', 'rejected', 'skipped'].map((h) => h.padStart(8)).join(' ')} ${'registered'.padStart(10)} |${['build', 'engine', 'ref', 'check'].map((h) => h.padStart(7)).join('')}  (µs/case, wall)`;
  return [head, ...rows].join('\n');
}

describe(`discovery fuzz (${RUNS} cases over ${FORMATS} payload formats, seed ${SEED})`, () => {
  let payloads: FuzzPayloads;
  beforeAll(async () => {
    payloads = await FuzzPayloads.load(SEED, BASES);
  });

  it('every unmutated base payload loads and matches the reference', async () => {
    const checker = new FuzzChecker();
    for (let fi = 0; fi < payloads.formats.length; fi++) {
      for (let b = 0; b < 6; b++) {
        const { f, text } = payloads.build({ format: fi, base: b, tree: [] });
        await checker.check(f.mapping, text);
      }
      const s = checker.statsOf(payloads.formats[fi]!.name);
      expect(s.cases, payloads.formats[fi]!.name).toBe(6);
      expect(Object.keys(s.refused), payloads.formats[fi]!.name).toEqual([]);
    }
    const total = emptyStats();
    for (const s of checker.stats.values()) addStats(total, s);
    expect(total.accepted).toBeGreaterThan(FORMATS * 3);
    expect(total.registered).toBeGreaterThan(FORMATS * 3);
  });

  // registered only for a replay (a debugging aid, not a test that skips itself)
  if (REPLAY !== undefined)
    it('replays one reported counterexample in this process', async () => {
      const [fc, ...path] = REPLAY!.split(':');
      const r = await runBatch({ seed: SEED, fcSeed: Number(fc), runs: 1, basesPerFormat: BASES, path: path.join(':') });
      expect(r.failure).toBeUndefined();
    });

  it(
    'mutated payloads end in reference-equal registered instruments or typed, counted rejects',
    async () => {
      const workers = Math.max(1, WORKERS);
      const done = new Array<number>(workers).fill(0);
      let reported = 0;
      const progress = (w: number, cases: number): void => {
        done[w] = cases;
        const total = done.reduce((a, b) => a + b, 0);
        if (total - reported >= PROGRESS_EVERY) {
          reported = total;
          console.log(`discovery fuzz: ${total} cases…`);
        }
      };
      const t0 = performance.now();
      const batches = Array.from({ length: workers }, (_, w) => ({
        seed: SEED,
        fcSeed: fcSeed(w),
        runs: Math.floor(RUNS / workers) + (w < RUNS % workers ? 1 : 0),
        basesPerFormat: BASES,
        progressEvery: 1_000,
      }));
      const results =
        WORKERS === 0
          ? [await runBatch({ ...batches[0]!, onProgress: (c) => progress(0, c) })]
          : await Promise.all(batches.map((b, w) => runWorker(b, (c) => progress(w, c))));
      const ms = performance.now() - t0;
      const stats: Record<string, FormatStats> = {};
      const total = emptyStats();
      for (const r of results) {
        for (const [name, s] of Object.entries(r.stats)) addStats((stats[name] ??= emptyStats()), s);
      }
      for (const s of Object.values(stats)) addStats(total, s);
      const hits = results.reduce((a, r) => a + r.memoHits, 0);
      const misses = results.reduce((a, r) => a + r.memoMisses, 0);
      const rejected = Object.values(total.rejected).reduce((a, b) => a + b, 0);
      console.log(
        [
          `discovery fuzz: seed ${SEED}, ${total.cases} cases in ${(ms / 1000).toFixed(1)} s (${workers} worker${workers > 1 ? 's' : ''}, ${BASES} base payloads per format)`,
          table(stats),
          `${total.accepted} records accepted, registered and equal to the reference; ${rejected} rejected with a typed code; ${Object.values(total.refused).reduce((a, b) => a + b, 0)} payloads refused whole (typed); ${total.timeLimited} records at the time bound`,
          `record rejects by code: ${JSON.stringify(total.rejected)}; payloads refused by code: ${JSON.stringify(total.refused)}`,
          `reference: ${hits} records from its memo, ${misses} evaluated`,
        ].join('\n'),
      );
      for (const [w, r] of results.entries()) {
        if (r.failure !== undefined)
          expect.fail(
            `${r.failure}\nreplay: INSTREG_DISCOVERY_FUZZ_SEED=${SEED} INSTREG_DISCOVERY_FUZZ_REPLAY=${batches[w]!.fcSeed}:<path above> npx vitest run test/discovery-fuzz`,
          );
      }
      expect(total.cases).toBeGreaterThanOrEqual(RUNS);
      for (const name of Object.keys(FUZZ_FILES)) {
        expect(stats[name]?.cases ?? 0, name).toBeGreaterThan(RUNS / FORMATS / 2);
        // every format's base payloads carry records the mapping accepts (the mutations then have something to break)
        expect(stats[name]!.accepted, name).toBeGreaterThan(stats[name]!.cases / 20);
      }
      expect(rejected).toBeGreaterThan(RUNS / 10);
      expect(total.accepted).toBeGreaterThan(RUNS / 10);
    },
    120_000 + RUNS * 10,
  );
});
