/**
 * The bench's floor and raw rows (`src/harness/floor.ts`) are lookups written directly against the
 * layout: they must answer like the registry. Reference: the kinds the test registered (a plain
 * Map), not the reader. Covers hits, tombstoned ids, absent ids, and a table that grew after the
 * floor attached (a miss must pick up the new generation).
 */
import { describe, expect, it } from 'vitest';
import { KIND_CODES } from '../layout/index.js';
import { FloorTable } from '../src/harness/floor.js';
import { InstrumentRegistry } from '../src/writer/registry.js';

function halves(id: bigint): [number, number] {
  return [Number(id & 0xffffffffn) | 0, Number(id >> 32n) | 0];
}

describe('bench floor and raw lookups', () => {
  it('find every live instrument, miss removed and absent ids, follow growth', async () => {
    const reg = await InstrumentRegistry.create({ initialCapacity: 64, requireReferences: false });
    const expected = new Map<bigint, number>();
    const register = (i: number) => {
      const kind = i % 3 === 0 ? 'currency' : 'cexPair';
      const input =
        kind === 'currency'
          ? { kind, symbol: `C${i}`, venue: 'ASSET', source: 'cex', status: 'active' }
          : {
              kind,
              symbol: `P${i}`,
              venue: 'BINANCE',
              source: 'cex',
              status: 'active',
              baseId: BigInt(i + 1),
              quoteId: BigInt(i + 2),
            };
      const { id } = reg.registerInstrument(input as Parameters<typeof reg.registerInstrument>[0]);
      expected.set(id, KIND_CODES[kind]);
      return id;
    };
    const ids: bigint[] = [];
    for (let i = 0; i < 40; i++) ids.push(register(i));
    const floor = new FloorTable(reg.handle);
    // Grow the table well past its first capacity after the floor attached.
    for (let i = 40; i < 3000; i++) ids.push(register(i));
    const removed = new Set(ids.filter((_, k) => k % 7 === 0));
    for (const id of removed) expect(reg.removeInstrument(id)).toBe(true);
    for (const id of ids) {
      const [lo, hi] = halves(id);
      const want = removed.has(id) ? -1 : expected.get(id)!;
      expect(floor.kind(lo, hi), `floor ${id}`).toBe(want);
      expect(floor.kindFenced(lo, hi), `fenced floor ${id}`).toBe(want);
      expect(floor.rawKind(lo, hi), `raw ${id}`).toBe(want);
    }
    for (let k = 1; k <= 500; k++) {
      const [lo, hi] = halves((BigInt(k) * 0x9e3779b97f4a7c15n) & 0xffffffffffffffffn);
      expect(floor.kind(lo, hi)).toBe(-1);
      expect(floor.rawKind(lo, hi)).toBe(-1);
    }
    expect(floor.retries).toBe(0); // no writer ran concurrently
  });
});
