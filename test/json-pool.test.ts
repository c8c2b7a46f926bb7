/**
 * The exported JSON serializer (src/json.ts) on real views, and the reader pool's piscina option
 * pass-through, close() and Symbol.asyncDispose.
 */
import { describe, expect, it } from 'vitest';
import { jsonReplacer, stringifyJson, toJsonValue } from '../src/json.js';
import { createReaderPool } from '../src/reader/pool.js';
import { InstrumentRegistry } from '../src/writer/registry.js';

const hex = (id: bigint): string => `0x${id.toString(16).padStart(16, '0')}`;

describe('JSON serializer', () => {
  it('views: ids as 0x + 16 hex digits, fixed-point values as decimal strings; plain JSON.stringify throws', async () => {
    const reg = await InstrumentRegistry.create({ initialCapacity: 64 });
    const base = reg.registerInstrument({ kind: 'currency', symbol: 'BTC', venue: 'ASSET', source: 'cex', status: 'active' }).id;
    const quote = reg.registerInstrument({ kind: 'currency', symbol: 'USDT', venue: 'ASSET', source: 'cex', status: 'active' }).id;
    const { id } = reg.registerInstrument({
      kind: 'cexPair',
      symbol: 'BTCUSDT',
      venue: 'BINANCE',
      source: 'cex',
      status: 'active',
      baseId: base,
      quoteId: quote,
      tickSize: { raw: 1n, scale: 2 },
      lotSize: { raw: 5n, scale: 5 },
      maxQty: { raw: 9000n, scale: 0 },
      makerFeeBps: 7.5,
    });
    const view = reg.reader().getById(id)!;
    expect(() => JSON.stringify(view.toObject())).toThrow(TypeError);
    const o = JSON.parse(stringifyJson(view.toObject())) as Record<string, unknown>;
    expect(o).toMatchObject({
      id: hex(id),
      baseId: hex(base),
      quoteId: hex(quote),
      symbol: 'BTCUSDT',
      tickSize: '0.01',
      lotSize: '0.00005',
      maxQty: '9000',
      makerFeeBps: 7.5,
    });
    // a view itself (toObject is called), the replacer form and toJsonValue agree
    expect(stringifyJson(view)).toBe(stringifyJson(view.toObject()));
    expect(JSON.parse(JSON.stringify(view.toObject(), jsonReplacer))).toEqual(o);
    expect(toJsonValue({ n: [1n, Number.NaN, undefined, { raw: -15n, scale: 1 }] })).toEqual({ n: ['0x0000000000000001', 'NaN', null, '-1.5'] });
  });
});

describe('reader pool options and disposal', () => {
  it('passes piscina options through, refuses the ones it sets, closes once via Symbol.asyncDispose', async () => {
    const reg = await InstrumentRegistry.create({ initialCapacity: 64 });
    expect(() => createReaderPool(reg.handle, { threads: 1, piscina: { maxThreads: 4 } as never })).toThrow(/maxThreads is set by the pool/);
    const pool = createReaderPool(reg.handle, { threads: 1, piscina: { maxQueue: 7, recordTiming: false, idleTimeout: 60_000 } });
    expect(pool.piscina.options.maxQueue).toBe(7);
    expect(pool.piscina.options.recordTiming).toBe(false);
    expect(pool.piscina.options.idleTimeout).toBe(60_000);
    await pool.ready();
    expect(pool.piscina.threads.length).toBe(1);
    await pool[Symbol.asyncDispose]();
    expect(pool.piscina.threads.length).toBe(0);
    await pool.close(); // idempotent
  });
});
