/**
 * The instrument and venue limits, reached (README "Limits"). Instruments: a registry is filled until the table refuses,
 * then churned at that size. `npm test` runs it on a table capped at 4 096 slots; the long run
 * (`npm run test:stress`, `INSTREG_STRESS=long`) on the real largest table, 2^24 slots
 * (0.75 × 2^24 = 12 582 912 live instruments, a 4 GiB region), ~5 minutes and ~7 GiB here.
 *
 * Self-checking: every registered symbol is looked up by a reader and must come back with the id
 * its registration returned; a refused insert must change nothing; the instruments removed to
 * make room must be gone and their replacements present.
 */
import { describe, expect, it } from 'vitest';
import { RegistryReader } from '../src/reader/reader.js';
import { InstrumentRegistry, type RegisterResult } from '../src/writer/registry.js';
import { RegistryError } from '../src/errors.js';
import { CTL } from '../layout/index.js';
import type { InstrumentInput } from '../src/model/types.js';
import { allBytes } from './helpers/shm-bytes.js';

const LONG = process.env.INSTREG_STRESS === 'long';
/** The largest table: `MAX_CAPACITY` in `layout/`, stated here independently (README "Limits"). */
const LARGEST = 2 ** 24;
const CAPACITY = LONG ? LARGEST : 4096;
/** Live instruments the largest table holds: load factor ≤ 0.75. */
const FULL = (CAPACITY * 3) / 4;
const CHURN = LONG ? 100_000 : 500;

const cur = (i: number): InstrumentInput => ({ kind: 'currency', symbol: `L${i}`, venue: 'ASSET', source: 'cex', status: 'active' });

describe(`instrument limit reached (${CAPACITY} slots)`, () => {
  it(
    `${FULL} live instruments fill the table; the next is refused CapacityExceeded, nothing changes; tombstones never block the churn after it`,
    async () => {
      const t0 = Date.now();
      const reg = await InstrumentRegistry.create({ initialCapacity: 1024, requireReferences: false, ...(LONG ? {} : { maxCapacity: CAPACITY }) });
      const sampleEvery = LONG ? 997 : 7;
      const sample = new Map<number, bigint>(); // i → id its registration returned
      const BATCH = 50_000;
      for (let from = 0; from < FULL; from += BATCH) {
        const n = Math.min(BATCH, FULL - from);
        const res = reg.registerMany(Array.from({ length: n }, (_, k) => cur(from + k)));
        for (let k = 0; k < n; k++) {
          const r = res[k]!;
          if (r instanceof Error) throw new Error(`registration ${from + k} of ${FULL} failed: ${r.message}`);
          if ((from + k) % sampleEvery === 0) sample.set(from + k, (r as RegisterResult).id);
        }
      }
      const filled = Date.now();
      const m = reg.getMetrics();
      expect(m.capacity).toBe(CAPACITY);
      expect(m.instruments).toBe(FULL);

      // one more: typed refusal, nothing written
      let err: unknown;
      try {
        reg.registerInstrument(cur(FULL));
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(RegistryError);
      expect((err as RegistryError).code).toBe('CapacityExceeded');
      expect(reg.getMetrics().instruments).toBe(FULL);

      const reader = RegistryReader.attach(reg.handle);
      expect(reader.getBySymbol('ASSET', `L${FULL}`)).toBeUndefined();
      for (const [i, id] of sample) {
        const v = reader.getBySymbol('ASSET', `L${i}`);
        if (v?.id !== id) throw new Error(`L${i}: expected ${id}, reader gave ${v?.id}`);
      }

      // churn at the limit: remove CHURN, register CHURN new ones, several rounds; tombstones accumulate
      // past what the table could hold next to the live records, so a same-size rebuild must drop them
      const rounds = LONG ? 3 : 12;
      let next = FULL;
      let oldest = 0;
      for (let round = 0; round < rounds; round++) {
        for (let k = 0; k < CHURN; k++) {
          const i = oldest++;
          const v = reader.getBySymbol('ASSET', `L${i}`);
          expect(reg.removeInstrument(v!.id)).toBe(true);
        }
        const res = reg.registerMany(Array.from({ length: CHURN }, (_, k) => cur(next + k)));
        const failed = res.filter((r) => r instanceof Error);
        expect(failed.map((e) => (e as RegistryError).code)).toEqual([]);
        next += CHURN;
        expect(reg.getMetrics().instruments).toBe(FULL);
      }
      expect(reg.getMetrics().capacity).toBe(CAPACITY);
      // removed ones gone, their replacements and the untouched ones present
      for (let i = 0; i < oldest; i += sampleEvery) expect(reader.getBySymbol('ASSET', `L${i}`)).toBeUndefined();
      for (let i = oldest; i < next; i += sampleEvery) expect(reader.getBySymbol('ASSET', `L${i}`)?.symbol).toBe(`L${i}`);
      for (const [i, id] of sample) if (i >= oldest) expect(reader.getBySymbol('ASSET', `L${i}`)?.id).toBe(id);
      expect(() => reg.registerInstrument(cur(next))).toThrow(expect.objectContaining({ code: 'CapacityExceeded' }));
      console.log(
        `instrument limit: ${FULL} live in ${CAPACITY} slots after ${((filled - t0) / 1000).toFixed(1)} s, ` +
          `${rounds * CHURN} removed and replaced at the limit, ${sample.size} sampled ids verified, ` +
          `total ${((Date.now() - t0) / 1000).toFixed(1)} s, rss ${(process.memoryUsage().rss / 2 ** 30).toFixed(2)} GiB`,
      );
    },
    LONG ? 1_800_000 : 60_000,
  );
});

describe('venue limit reached', () => {
  /** Venues a registry holds: venue indexes are u16 and 0xffff is never a venue (README "Limits"). */
  const VENUES = 65_535;

  it(`${VENUES} venues; an instrument on one more is refused CapacityExceeded with nothing written; known venues keep registering`, async () => {
    const reg = await InstrumentRegistry.create({ initialCapacity: VENUES + 16, requireReferences: false });
    const venue = (i: number) => `V${i.toString(36).toUpperCase()}`;
    const res = reg.registerMany(Array.from({ length: VENUES }, (_, i) => ({ ...cur(i), venue: venue(i) })));
    expect(res.filter((r) => r instanceof Error)).toEqual([]);
    expect(reg.getMetrics().venues).toBe(VENUES);
    const ctl = new Int32Array(reg.handle.control);
    const failedBefore = ctl[CTL.REG_FAILED]!;
    const before = allBytes(reg.handle);
    expect(() => reg.registerInstrument({ ...cur(VENUES), venue: 'ONE.MORE', name: 'a name that would go to the heap' })).toThrow(
      expect.objectContaining({ code: 'CapacityExceeded' }),
    );
    // only the failure counter moved
    expect(ctl[CTL.REG_FAILED]).toBe(failedBefore + 1);
    ctl[CTL.REG_FAILED] = failedBefore;
    expect(allBytes(reg.handle)).toBe(before);
    ctl[CTL.REG_FAILED] = failedBefore + 1;
    // a known venue still takes new instruments, and every venue answers
    const r = reg.registerInstrument({ ...cur(VENUES + 1), venue: venue(77) });
    expect(r.outcome).toBe('added');
    const reader = RegistryReader.attach(reg.handle);
    for (let i = 0; i < VENUES; i += 1021) expect(reader.getBySymbol(venue(i), `L${i}`)?.venue).toBe(venue(i));
    expect(reader.getBySymbol('ONE.MORE', `L${VENUES}`)).toBeUndefined();
  });
});
