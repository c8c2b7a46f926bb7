/**
 * Reader pool: lookups served by piscina workers (attached once) equal direct reads.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createReaderPool, type ReaderPool } from '../src/reader/pool.js';
import { InstrumentRegistry } from '../src/writer/registry.js';
import { stressInstrument } from '../src/testkit/self-check.js';

describe('reader pool (piscina)', () => {
  let pool: ReaderPool | undefined;
  afterAll(async () => pool?.close());

  it('batched lookups by id and by venue + symbol equal direct reads', async () => {
    const reg = await InstrumentRegistry.create({ initialCapacity: 64, requireReferences: false });
    const ids = Array.from({ length: 50 }, (_, i) => reg.registerInstrument(stressInstrument(i)).id);
    pool = createReaderPool(reg.handle, { threads: 2 });
    await pool.ready();
    const direct = reg.reader();
    const query = BigUint64Array.from([...ids.slice(0, 10), 12345n]);
    const byId = await pool.lookupIds(query);
    expect(byId).toHaveLength(11);
    expect(byId[10]).toBeNull();
    for (let i = 0; i < 10; i++) expect(byId[i]).toEqual(direct.getById(ids[i]!)!.toObject());
    const pairs = [
      ['STRESS', 'S3'],
      ['STRESS', 'S49'],
      ['STRESS', 'nope'],
      ['NOVENUE', 'S1'],
    ] as const;
    const bySym = await pool.lookupSymbols(pairs);
    expect(bySym[0]).toEqual(direct.getById(ids[3]!)!.toObject());
    expect(bySym[1]!.id).toBe(ids[49]);
    expect(bySym[2]).toBeNull();
    expect(bySym[3]).toBeNull();
    // Updates made by the writer after the workers attached are visible through the pool.
    reg.updateInstrument(ids[0]!, { status: 'halted' });
    expect((await pool.lookupIds(BigUint64Array.of(ids[0]!)))[0]!.status).toBe('halted');
    const kind = await pool.run<string>({ op: 'idHalves', lo: Number(ids[5]! & 0xffffffffn), hi: Number(ids[5]! >> 32n) });
    expect(kind).toBe('cexPair');
  });
});
