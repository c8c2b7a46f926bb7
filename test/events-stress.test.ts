/**
 * Cross-thread stress of the change-event ring: the test thread publishes self-checking
 * events at full speed while consumer worker threads (compiled `dist/workers/event-consumer-stress.js`)
 * verify that every event arrives exactly once, in order and untorn, unless they were told they
 * were lapped; then received + missed must equal published for every consumer.
 *
 * Bounded run (a few seconds) by default; `INSTREG_STRESS=long` publishes ~20× more.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { KIND_CODES } from '../layout/codes.js';
import { createEventRing, EventWriter } from '../src/events/ring.js';
import type { ChangeEventInput } from '../src/events/types.js';
import type { InstrumentKind } from '../src/model/types.js';
import { expectedFor, venueFor, type StressResult, type StressWorkerData } from '../workers/event-consumer-stress.js';

const WORKER = fileURLToPath(new URL('../dist/workers/event-consumer-stress.js', import.meta.url));
const LONG = process.env.INSTREG_STRESS === 'long';
const KIND_BY_CODE = Object.fromEntries(Object.entries(KIND_CODES).map(([k, v]) => [v, k])) as Record<number, InstrumentKind>;

function eventFor(seq: number): ChangeEventInput {
  const [idLo, idHi, chainId, kindCode, , tsLo, tsHi] = expectedFor(seq);
  return {
    type: 'instrumentUpdated',
    id: (BigInt(idHi) << 32n) | BigInt(idLo),
    kind: KIND_BY_CODE[kindCode],
    venue: venueFor(seq),
    chainId,
    timestampNs: (BigInt(tsHi) << 32n) | BigInt(tsLo),
  };
}

interface Scenario {
  capacity: number;
  total: number;
  consumers: Array<Pick<StressWorkerData, 'mode' | 'copy'>>;
  /** Writer payload stores (default 'atomic'). */
  stores?: 'atomic' | 'fenced';
}

async function runScenario(sc: Scenario): Promise<StressResult[]> {
  const sab = createEventRing(sc.capacity);
  const writer = new EventWriter(sab, { stores: sc.stores ?? 'atomic' });
  const workers = sc.consumers.map(
    (c) =>
      new Worker(WORKER, {
        workerData: { sab, total: sc.total, mode: c.mode, copy: c.copy, eventStress: true } satisfies StressWorkerData,
      }),
  );
  const results = workers.map(
    (w) =>
      new Promise<StressResult>((resolve, reject) => {
        w.on('message', (m: { result?: StressResult; error?: string }) => {
          if (m.result) resolve(m.result);
          if (m.error) reject(new Error(m.error));
        });
        w.on('error', reject);
        w.on('exit', (code) => reject(new Error(`consumer worker exited (code ${code}) before reporting`)));
      }),
  );
  // Wait for every consumer to attach ('ready'), failing fast if one dies first.
  await Promise.all(
    workers.map(
      (w, i) =>
        new Promise<void>((resolve, reject) => {
          w.once('message', () => resolve());
          results[i].catch(reject);
        }),
    ),
  );
  // Pre-build inputs so the writer loop runs at publish speed.
  const chunk = 4096;
  const inputs: ChangeEventInput[] = [];
  for (let seq = 0; seq < sc.total;) {
    const end = Math.min(sc.total, seq + chunk);
    inputs.length = 0;
    for (let s = seq; s < end; s++) inputs.push(eventFor(s));
    for (let i = 0; i < inputs.length; i++) {
      const got = writer.publish(inputs[i]);
      if (got !== BigInt(seq + i)) throw new Error(`writer returned seq ${got}, expected ${seq + i}`);
    }
    seq = end;
  }
  try {
    return await Promise.all(results);
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

function check(results: StressResult[], total: number): void {
  for (const r of results) {
    expect(r.errors).toEqual([]);
    expect(r.received + r.missed).toBe(total);
    // How many events a lapped consumer still received depends on scheduling; not asserted.
  }
}

describe('event ring stress (writer + consumer workers)', { timeout: LONG ? 900_000 : 120_000 }, () => {
  it('compiled worker exists (npm test runs the build first)', () => {
    expect(existsSync(WORKER)).toBe(true);
  });

  it('full speed, 4096-record ring, polling + awaiting consumers (atomic copy): exactly once, in order, untorn', async () => {
    const total = LONG ? 4_000_000 : 200_000;
    const results = await runScenario({
      capacity: 4096,
      total,
      consumers: [
        { mode: 'poll', copy: 'atomic' },
        { mode: 'wait', copy: 'atomic' },
      ],
    });
    console.log('[events-stress] 4096 ring, full speed:', JSON.stringify(results.map(({ errors, ...r }) => r)));
    check(results, total);
  });

  it('64-record ring forces laps (fenced stores and copies): lapped consumers account for every missed event', async () => {
    const total = LONG ? 2_000_000 : 100_000;
    const results = await runScenario({
      capacity: 64,
      total,
      stores: 'fenced',
      consumers: [
        { mode: 'poll', copy: 'fenced' },
        { mode: 'wait', copy: 'fenced' },
      ],
    });
    console.log('[events-stress] 64 ring, full speed:', JSON.stringify(results.map(({ errors, ...r }) => r)));
    check(results, total);
  });

  for (const stores of ['atomic', 'fenced'] as const) {
    it(`2-record ring, ${stores} writer stores (the writer always overwrites next to the readers): no torn event is delivered`, async () => {
      const total = LONG ? 2_000_000 : 100_000;
      const results = await runScenario({
        capacity: 2,
        total,
        stores,
        consumers: [
          { mode: 'poll', copy: 'atomic' },
          { mode: 'poll', copy: 'fenced' },
        ],
      });
      console.log(`[events-stress] 2 ring, ${stores} stores, full speed:`, JSON.stringify(results.map(({ errors, ...r }) => r)));
      check(results, total);
    });
  }

  it('ring larger than the run: every consumer receives every event, never lapped', async () => {
    const total = LONG ? 1 << 20 : 1 << 16;
    const results = await runScenario({
      capacity: total,
      total,
      consumers: [
        { mode: 'poll', copy: 'atomic' },
        { mode: 'wait', copy: 'fenced' },
      ],
    });
    console.log('[events-stress] ring = run length:', JSON.stringify(results.map(({ errors, ...r }) => r)));
    check(results, total);
    // Nothing can be overwritten, so a lap (or a miss) here would be a bug.
    for (const r of results) {
      expect(r.laps).toBe(0);
      expect(r.received).toBe(total);
    }
  });
});
