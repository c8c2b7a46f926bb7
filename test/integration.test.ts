/**
 * The pieces around the core table working on a real registry: the change-event feed fed by
 * the writer, and the registration log (wire protocol) replayed into a second registry.
 */
import { describe, expect, it } from 'vitest';
import { EventConsumer, ISINPattern, AllStocks, AllTokens, NewListings, Subscription, VenueInstruments, createEventRing } from '../src/events/index.js';
import { MessageFramer } from '../src/wire/framer.js';
import { LogApplier, LogWriter } from '../src/wire/log.js';
import { InstrumentRegistry } from '../src/writer/registry.js';
import { RegistryReader } from '../src/reader/reader.js';
import { oneOfEachKind } from './helpers/instruments.js';

describe('change-event feed fed by the registry', () => {
  it('publishes added / updated / removed / collision / venue-status events that patterns select', async () => {
    const ring = createEventRing(1024);
    const reg = await InstrumentRegistry.create({ eventRing: ring, idBits: 64 });
    expect(reg.handle.events).toBe(ring);
    // Consumers attach from the handle, as a worker would.
    const all = new EventConsumer(reg.handle.events!);
    const stocks = new Subscription(new EventConsumer(reg.handle.events!), AllStocks());
    const apple = new Subscription(new EventConsumer(reg.handle.events!), ISINPattern('US03783'));
    const eth = new Subscription(new EventConsumer(reg.handle.events!), AllTokens(1));
    const binance = new Subscription(new EventConsumer(reg.handle.events!), VenueInstruments('BINANCE'));
    const listings = new Subscription(new EventConsumer(reg.handle.events!), NewListings());

    const inputs = oneOfEachKind();
    const ids = inputs.map((i) => reg.registerInstrument(i).id);
    const at = (kind: string, symbol: string) => ids[inputs.findIndex((i) => i.kind === kind && i.symbol === symbol)]!;
    reg.registerInstrument(inputs[0]!); // unchanged: no event
    reg.updateInstrument(at('stock', 'AAPL'), { status: 'halted' });
    reg.removeInstrument(at('cexPair', 'BTCUSDT'));
    reg.publishVenueStatus('XETR', 'suspended');

    const events = all.poll();
    expect(events.map((e) => e.type)).toEqual([...inputs.map(() => 'instrumentAdded'), 'instrumentUpdated', 'instrumentRemoved', 'venueStatusChange']);
    expect(events.slice(0, inputs.length).map((e) => e.id)).toEqual(ids);
    expect(events.at(-1)).toMatchObject({ venue: 'XETR', status: 'halted', id: 0n });
    const stockSymbols = inputs.filter((i) => i.kind === 'stock').map((i) => i.symbol);
    expect(stocks.poll().filter((e) => e.type === 'instrumentAdded').length).toBe(stockSymbols.length);
    expect(apple.poll().map((e) => [e.type, e.venue])).toEqual([
      ['instrumentAdded', 'XNAS'],
      ['instrumentAdded', 'XETR'],
      ['instrumentUpdated', 'XNAS'],
    ]);
    expect(eth.poll().map((e) => e.id)).toEqual([at('token', 'USDC'), at('token', 'WETH')]); // the tokens; the chain-1 pool is not a token
    expect(binance.poll().map((e) => e.type)).toEqual(['instrumentAdded', 'instrumentRemoved']);
    expect(listings.poll()).toHaveLength(inputs.length);
  });

  it('reports a forced id collision on the feed', async () => {
    const ring = createEventRing(256);
    const reg = await InstrumentRegistry.create({ eventRing: ring, idBits: 4 });
    const c = new EventConsumer(ring);
    let collided = false;
    for (let i = 0; i < 40 && !collided; i++) {
      try {
        reg.registerInstrument({ kind: 'currency', symbol: `X${i}`, venue: 'ASSET', source: 'cex', status: 'active' });
      } catch {
        collided = true;
      }
    }
    expect(collided).toBe(true);
    expect(c.poll().filter((e) => e.type === 'collisionDetected')).toHaveLength(1);
  });
});

describe('registration log replayed into another registry', () => {
  it('mirrors a registry through wire frames in arbitrary chunks, idempotently', async () => {
    const source = await InstrumentRegistry.create({ now: () => 1 });
    const log = new LogWriter();
    const frames: Uint8Array[] = [];
    const inputs = oneOfEachKind();
    const ids: bigint[] = [];
    for (const i of inputs) {
      ids.push(source.registerInstrument(i).id);
      frames.push(log.register(i));
    }
    const apc = ids[inputs.findIndex((i) => i.symbol === 'APC')]!;
    const synthetic = ids[inputs.findIndex((i) => i.kind === 'synthetic')]!; // referenced by nothing
    source.updateInstrument(apc, { status: 'delisted', updatedAt: 5 });
    frames.push(log.update(apc, { status: 'delisted', updatedAt: 5 }));
    source.removeInstrument(synthetic);
    frames.push(log.remove(synthetic));

    const mirror = await InstrumentRegistry.create({ now: () => 1 });
    const applier = new LogApplier(mirror);
    const stream = Buffer.concat(frames);
    const framer = new MessageFramer();
    // Feed the stream twice (a replay) in 7-byte chunks.
    for (const pass of [0, 1]) {
      for (let off = 0; off < stream.length; off += 7) {
        for (const msg of framer.push(stream.subarray(off, off + 7))) applier.apply(msg);
      }
      expect(applier.stats.applied).toBe(frames.length);
      expect(applier.stats.duplicates).toBe(pass * frames.length);
    }
    const a = RegistryReader.attach(source.handle)
      .all()
      .map((v) => v.toObject());
    const b = RegistryReader.attach(mirror.handle)
      .all()
      .map((v) => v.toObject());
    const byId = (x: { id: bigint }, y: { id: bigint }) => (x.id < y.id ? -1 : 1);
    expect(b.sort(byId)).toEqual(a.sort(byId));
    expect(mirror.getMetrics().instruments).toBe(inputs.length - 1);
  });
});
