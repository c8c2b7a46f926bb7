/**
 * Change-event ring: encoding round trip, ordering, lapping with exact missed counts,
 * waiting without spinning, subscription patterns, and "consumers never write shared memory".
 */
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { EVH, EVENTS_HEADER_SIZE, EVENT_RECORD_SIZE, eventRingSize } from '../layout/events.js';
import { LayoutMismatchError, RegistryError, ValidationError } from '../src/errors.js';
import { createEventRing, EventConsumer, EventWriter, LappedError, type EventView } from '../src/events/ring.js';
import {
  AllStocks,
  AllTokens,
  ISINPattern,
  NewListings,
  Predicate,
  Subscription,
  VenueInstruments,
  matchesEvent,
  type SubscriptionPattern,
} from '../src/events/subscription.js';
import type { ChangeEvent, ChangeEventInput } from '../src/events/types.js';

const AAPL: ChangeEventInput = {
  type: 'instrumentAdded',
  id: 0xfedcba9876543210n,
  kind: 'stock',
  source: 'tradfi',
  status: 'active',
  venue: 'XNAS',
  venueIndex: 7,
  isin: 'US0378331005',
  timestampNs: 1_700_000_000_123_456_789n,
};
const SAP: ChangeEventInput = {
  type: 'instrumentUpdated',
  id: 2n,
  kind: 'stock',
  source: 'tradfi',
  status: 'halted',
  venue: 'XETR',
  isin: 'DE0007164600',
  timestampNs: 5n,
};
const USDC_ETH: ChangeEventInput = {
  type: 'instrumentAdded',
  id: 3n,
  kind: 'token',
  source: 'defi',
  status: 'active',
  venue: 'ETHEREUM',
  chainId: 1,
  timestampNs: 6n,
};
const USDC_POLY: ChangeEventInput = { ...USDC_ETH, id: 4n, type: 'instrumentRemoved', venue: 'POLYGON', chainId: 137 };
const BTC_PERP: ChangeEventInput = {
  type: 'instrumentUpdated',
  id: 0xffffffffffffffffn,
  kind: 'cexPair',
  source: 'cex',
  status: 'active',
  venue: 'BINANCE',
  timestampNs: 0xffffffffffffffffn,
};
const COLLISION: ChangeEventInput = { type: 'collisionDetected', id: 5n, kind: 'etf', source: 'tradfi', venue: 'XLON', timestampNs: 8n };
const VENUE_HALT: ChangeEventInput = { type: 'venueStatusChange', id: 0n, status: 'halted', venue: 'XETR', timestampNs: 9n };
const ALL = [AAPL, SAP, USDC_ETH, USDC_POLY, BTC_PERP, COLLISION, VENUE_HALT];

function withSeq(e: ChangeEventInput, seq: number): ChangeEvent {
  return { ...e, seq: BigInt(seq) } as ChangeEvent;
}

function ring(capacity = 16): { sab: SharedArrayBuffer; w: EventWriter } {
  const sab = createEventRing(capacity);
  return { sab, w: new EventWriter(sab) };
}

function snapshot(sab: SharedArrayBuffer): Uint8Array {
  return new Uint8Array(sab).slice();
}

describe('createEventRing / attach', () => {
  it('sizes the buffer from the layout and rejects non-power-of-two capacities', () => {
    expect(createEventRing(8).byteLength).toBe(eventRingSize(8));
    expect(eventRingSize(8)).toBe(EVENTS_HEADER_SIZE + 8 * EVENT_RECORD_SIZE);
    expect(() => createEventRing(12)).toThrow(ValidationError);
    expect(() => createEventRing(1)).toThrow(ValidationError);
  });

  it('refuses a buffer that is not an event ring of this version', () => {
    expect(() => new EventConsumer(new SharedArrayBuffer(4096))).toThrow(LayoutMismatchError);
    const sab = createEventRing(4);
    new Int32Array(sab)[EVH.VERSION] = 99;
    expect(() => new EventWriter(sab)).toThrow(LayoutMismatchError);
  });
});

describe('EventWriter / EventConsumer', () => {
  it('round-trips every field, in publish order, with sequences 0, 1, 2, …', () => {
    const { sab, w } = ring();
    const c = new EventConsumer(sab);
    ALL.forEach((e, i) => expect(w.publish(e)).toBe(BigInt(i)));
    expect(c.lag).toBe(ALL.length);
    expect(c.poll()).toEqual(ALL.map(withSeq));
    expect(c.position).toBe(BigInt(ALL.length));
    expect(c.poll()).toEqual([]);
    expect(c.next()).toBeUndefined();
  });

  it('fenced copy decodes the same events as atomic copy; fenced stores write the same bytes as atomic stores', () => {
    const { sab, w } = ring();
    const sab2 = createEventRing(16);
    const w2 = new EventWriter(sab2, { stores: 'fenced' });
    for (const e of ALL) w2.publish(e);
    const a = new EventConsumer(sab, { copy: 'atomic' });
    const f = new EventConsumer(sab, { copy: 'fenced' });
    for (const e of ALL) w.publish(e);
    expect(f.poll()).toEqual(a.poll());
    expect(snapshot(sab2)).toEqual(snapshot(sab));
  });

  it('defaults the timestamp to the wall clock in ns', () => {
    const { sab, w } = ring();
    const c = new EventConsumer(sab);
    const before = BigInt(Date.now() - 1000) * 1_000_000n;
    w.publish({ type: 'instrumentRemoved', id: 1n, venue: 'X' });
    const after = BigInt(Date.now() + 1000) * 1_000_000n;
    const ts = c.next()!.timestampNs;
    expect(ts > before && ts < after).toBe(true);
  });

  it('poll(max), next() and pollInto(cb, max) read in order without skipping', () => {
    const { sab, w } = ring();
    const c = new EventConsumer(sab);
    for (let i = 0; i < 10; i++) w.publish({ ...SAP, id: BigInt(i) });
    expect(c.poll(3).map((e) => e.id)).toEqual([0n, 1n, 2n]);
    expect(c.next()?.id).toBe(3n);
    const ids: number[] = [];
    expect(c.pollInto((v: EventView) => ids.push(v.idLo), 4)).toBe(4);
    expect(ids).toEqual([4, 5, 6, 7]);
    expect(c.poll().map((e) => e.seq)).toEqual([8n, 9n]);
  });

  it("starts at the tail by default, or at 'oldest', or at an explicit sequence", () => {
    const { sab, w } = ring(4);
    for (let i = 0; i < 6; i++) w.publish({ ...SAP, id: BigInt(i) });
    expect(new EventConsumer(sab).poll()).toEqual([]);
    expect(new EventConsumer(sab, { from: 'oldest' }).poll().map((e) => e.id)).toEqual([2n, 3n, 4n, 5n]);
    expect(new EventConsumer(sab, { from: 4n }).poll().map((e) => e.id)).toEqual([4n, 5n]);
    expect(() => new EventConsumer(sab, { from: 1n }).poll()).toThrow(LappedError);
  });

  it('a new writer resumes at the ring tail', () => {
    const { sab, w } = ring(4);
    const c = new EventConsumer(sab);
    w.publish(SAP);
    w.publish(SAP);
    const w2 = new EventWriter(sab);
    expect(w2.nextSeq).toBe(2n);
    expect(w2.publish(AAPL)).toBe(2n);
    expect(c.poll().map((e) => e.seq)).toEqual([0n, 1n, 2n]);
  });

  it('64-bit counters carry across the 2^32 boundary', () => {
    const sab = createEventRing(4);
    const i32 = new Int32Array(sab);
    // Pretend 2^32 − 2 events were published (tail and intent: lo = 2^32 − 2, hi = 0).
    i32[EVH.TAIL_LO] = i32[EVH.TAIL_INTENT_LO] = -2;
    const w = new EventWriter(sab);
    expect(w.nextSeq).toBe(2n ** 32n - 2n);
    const c = new EventConsumer(sab);
    for (let i = 0; i < 4; i++) w.publish({ ...SAP, id: BigInt(i) });
    const got = c.poll();
    expect(got.map((e) => e.seq)).toEqual([2n ** 32n - 2n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 32n + 1n]);
    expect(got.map((e) => e.id)).toEqual([0n, 1n, 2n, 3n]);
    expect([i32[EVH.TAIL_LO], i32[EVH.TAIL_HI], i32[EVH.TAIL_HI2]]).toEqual([2, 1, 1]);
    expect(c.position).toBe(2n ** 32n + 2n);
  });

  it('rejects invalid events and writes nothing', () => {
    const { sab, w } = ring();
    const before = snapshot(sab);
    const bad: Array<[ChangeEventInput, string]> = [
      [{ ...SAP, type: 'nope' as never }, 'type'],
      [{ ...SAP, kind: 'bond' as never }, 'kind'],
      [{ ...SAP, venue: 'X'.repeat(17) }, 'venue'],
      [{ ...SAP, venue: 'XÉTR' }, 'venue'],
      [{ ...SAP, isin: 'US03783310' }, 'isin'],
      [{ ...SAP, chainId: -1 }, 'chainId'],
      [{ ...SAP, venueIndex: 0xffff }, 'venueIndex'],
      [{ ...SAP, id: 1n << 64n }, 'id'],
      [{ ...SAP, timestampNs: -1n }, 'timestampNs'],
    ];
    for (const [e, field] of bad) {
      const err = (() => {
        try {
          w.publish(e);
        } catch (x) {
          return x;
        }
      })();
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).field).toBe(field);
    }
    expect(snapshot(sab)).toEqual(before);
    expect(w.nextSeq).toBe(0n);
  });
});

describe('lapping', () => {
  it('a consumer a full ring behind gets LappedError with the exact number of overwritten events', () => {
    const { sab, w } = ring(8);
    const c = new EventConsumer(sab);
    for (let i = 0; i < 13; i++) w.publish({ ...SAP, id: BigInt(i) });
    // Events 0..4 were overwritten by 8..12; 5..12 are still intact.
    let err: unknown;
    try {
      c.poll();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LappedError);
    expect(err).toBeInstanceOf(RegistryError);
    const lap = err as LappedError;
    expect(lap.code).toBe('Lapped');
    expect(lap.missed).toBe(5n);
    expect(lap.position).toBe(0n);
    expect(lap.oldestAvailable).toBe(5n);
    expect(lap.message).toMatch(/5 event\(s\)/);
    // Sticky: no read silently moves on.
    expect(c.isLapped).toBe(true);
    expect(() => c.next()).toThrow(LappedError);
    expect(() => c.pollInto(() => {})).toThrow(LappedError);
    expect(c.position).toBe(0n);
    // resync jumps to the newest position and reports everything it skipped.
    expect(c.resync()).toBe(13n);
    expect(c.isLapped).toBe(false);
    expect(c.poll()).toEqual([]);
    w.publish({ ...SAP, id: 99n });
    expect(c.poll().map((e) => [e.seq, e.id])).toEqual([[13n, 99n]]);
  });

  it('exactly a full ring behind is not lapped; one more event is', () => {
    const { sab, w } = ring(8);
    const c1 = new EventConsumer(sab);
    const c2 = new EventConsumer(sab);
    for (let i = 0; i < 8; i++) w.publish({ ...SAP, id: BigInt(i) });
    expect(c1.poll().map((e) => e.id)).toEqual([0n, 1n, 2n, 3n, 4n, 5n, 6n, 7n]);
    w.publish({ ...SAP, id: 8n });
    expect(() => c2.poll()).toThrow(expect.objectContaining({ missed: 1n, oldestAvailable: 1n }));
  });

  it('reports missed relative to the position already read, and pollInto keeps events delivered before the lap', () => {
    const { sab, w } = ring(4);
    const c = new EventConsumer(sab);
    for (let i = 0; i < 3; i++) w.publish({ ...SAP, id: BigInt(i) });
    expect(c.poll(2).length).toBe(2); // position 2
    for (let i = 3; i < 9; i++) w.publish({ ...SAP, id: BigInt(i) }); // tail 9, oldest intact 5
    expect(() => c.next()).toThrow(expect.objectContaining({ missed: 3n, position: 2n }));
    expect(c.resync()).toBe(7n);
    expect(c.position).toBe(9n);
  });
});

describe('waiting', () => {
  it('waitNext resolves when an event is published later (same thread)', async () => {
    const { sab, w } = ring();
    const c = new EventConsumer(sab);
    const p = c.waitNext(60_000);
    setTimeout(() => w.publish(AAPL), 20);
    expect(await p).toEqual(withSeq(AAPL, 0));
    expect(c.stats.waits).toBe(1);
  });

  it('waitNext returns an already available event without waiting', async () => {
    const { sab, w } = ring();
    const c = new EventConsumer(sab);
    w.publish(SAP);
    expect((await c.waitNext(0))?.seq).toBe(0n);
    expect(c.stats.waits).toBe(0);
  });

  it('waitNext times out with undefined, suspended (not spinning) and without blocking the thread', async () => {
    const { sab } = ring();
    const c = new EventConsumer(sab);
    let ticks = 0;
    const t = setInterval(() => ticks++, 10);
    const got = await c.waitNext(150);
    clearInterval(t);
    expect(got).toBeUndefined();
    // A busy-wait would re-check the ring thousands of times; a suspended wait checks once
    // before and once after the single Atomics.waitAsync.
    expect(c.stats.waits).toBeGreaterThanOrEqual(1);
    expect(c.stats.waits).toBeLessThanOrEqual(2);
    expect(c.stats.checks).toBeLessThanOrEqual(3);
    // The event loop kept running during the wait (Atomics.wait would have blocked it).
    expect(ticks).toBeGreaterThan(0);
  });

  it('waitNext is woken by a writer in another thread', async () => {
    const { sab } = ring();
    const ringJs = new URL('../dist/src/events/ring.js', import.meta.url).href;
    const worker = new Worker(
      `const { parentPort, workerData } = require('node:worker_threads');
       import(${JSON.stringify(ringJs)}).then(({ EventWriter }) => {
         const w = new EventWriter(workerData);
         parentPort.once('message', () => { w.publish({ type: 'instrumentAdded', id: 42n, venue: 'XNAS', timestampNs: 1n }); });
         parentPort.postMessage('ready');
       });`,
      { eval: true, workerData: sab },
    );
    try {
      await new Promise((r) => worker.once('message', r));
      const c = new EventConsumer(sab);
      const p = c.waitNext(60_000);
      worker.postMessage('go');
      const e = await p;
      expect(e?.id).toBe(42n);
      expect(c.stats.waits).toBeGreaterThanOrEqual(1);
    } finally {
      await worker.terminate();
    }
  });

  it('a consumer blocked in waitNext keeps a worker alive until the event arrives', async () => {
    // Regression: a pending Atomics.waitAsync alone does not keep a Node worker's event loop alive.
    const { sab, w } = ring();
    const ringJs = new URL('../dist/src/events/ring.js', import.meta.url).href;
    const worker = new Worker(
      `const { parentPort, workerData } = require('node:worker_threads');
       import(${JSON.stringify(ringJs)}).then(async ({ EventConsumer }) => {
         const c = new EventConsumer(workerData);
         const p = c.waitNext();
         parentPort.postMessage('waiting');
         const e = await p;
         parentPort.postMessage(e.id.toString());
       });`,
      { eval: true, workerData: sab },
    );
    try {
      const messages: unknown[] = [];
      const done = new Promise<void>((resolve, reject) => {
        worker.on('message', (m) => {
          messages.push(m);
          if (m === 'waiting') setTimeout(() => w.publish({ ...SAP, id: 77n }), 50);
          else resolve();
        });
        worker.on('exit', (code) => reject(new Error(`worker exited (${code}) before the event; messages ${String(messages)}`)));
      });
      await done;
      expect(messages).toEqual(['waiting', '77']);
    } finally {
      await worker.terminate();
    }
  });
});

describe('consumers never write shared memory', () => {
  it('reading, lapping, resyncing and waiting leave every byte of the ring unchanged', async () => {
    const { sab, w } = ring(4);
    for (const e of ALL) w.publish(e);
    const before = snapshot(sab);
    const a = new EventConsumer(sab, { from: 'oldest' });
    const f = new EventConsumer(sab, { from: 'oldest', copy: 'fenced' });
    const lapped = new EventConsumer(sab, { from: 0n });
    a.poll();
    f.pollInto((v) => v.toEvent());
    expect(() => lapped.poll()).toThrow(LappedError);
    lapped.resync();
    expect(await a.waitNext(20)).toBeUndefined();
    const sub = new Subscription(new EventConsumer(sab, { from: 'oldest' }), AllStocks());
    sub.poll();
    expect(await sub.waitNext(20)).toBeUndefined();
    expect(snapshot(sab)).toEqual(before);
  });
});

describe('Subscription patterns', () => {
  const cases: Array<[string, SubscriptionPattern, ChangeEventInput[]]> = [
    ['AllStocks', AllStocks(), [AAPL, SAP]],
    ['AllTokens(1)', AllTokens(1), [USDC_ETH]],
    ['AllTokens(137)', AllTokens(137), [USDC_POLY]],
    ['ISINPattern(US)', ISINPattern('us'), [AAPL]],
    ['ISINPattern(DE0007164600)', ISINPattern('DE0007164600'), [SAP]],
    ['ISINPattern()', ISINPattern(''), [AAPL, SAP]],
    ['VenueInstruments(XETR)', VenueInstruments('XETR'), [SAP, VENUE_HALT]],
    ['VenueInstruments(XET)', VenueInstruments('XET'), []],
    ['NewListings', NewListings(), [AAPL, USDC_ETH]],
    ['Predicate(id > 3)', Predicate((e) => e.id > 3n), [AAPL, USDC_POLY, BTC_PERP, COLLISION]],
  ];

  for (const [name, pattern, expected] of cases) {
    it(`${name} selects exactly the matching events`, () => {
      const { sab, w } = ring();
      const sub = new Subscription(new EventConsumer(sab), pattern);
      const seqOf = new Map<ChangeEventInput, number>();
      ALL.forEach((e) => seqOf.set(e, Number(w.publish(e))));
      const want = expected.map((e) => withSeq(e, seqOf.get(e)!));
      expect(sub.poll()).toEqual(want);
      // The decoded-event matcher agrees with the record matcher.
      expect(ALL.map((e, i) => withSeq(e, i)).filter((e) => matchesEvent(pattern, e))).toEqual(want);
    });
  }

  it('next() skips non-matching events and returns undefined when none are left', () => {
    const { sab, w } = ring();
    const sub = new Subscription(new EventConsumer(sab), AllTokens(137));
    for (const e of ALL) w.publish(e);
    expect(sub.next()?.id).toBe(4n);
    expect(sub.next()).toBeUndefined();
    expect(sub.consumer.position).toBe(BigInt(ALL.length));
  });

  it('async iteration yields matching events as they are published and ends on close()', async () => {
    const { sab, w } = ring();
    const sub = new Subscription(new EventConsumer(sab), NewListings());
    const got: bigint[] = [];
    const loop = (async () => {
      for await (const e of sub) {
        got.push(e.id);
        if (got.length === 2) setTimeout(() => sub.close(), 10);
      }
    })();
    setTimeout(() => {
      for (const e of ALL) w.publish(e);
    }, 20);
    await loop;
    expect(got).toEqual([AAPL.id, USDC_ETH.id]);
  });

  it('surfaces LappedError and continues after resync()', () => {
    const { sab, w } = ring(2);
    const sub = new Subscription(new EventConsumer(sab), AllStocks());
    for (const e of ALL) w.publish(e);
    expect(() => sub.poll()).toThrow(LappedError);
    expect(sub.resync()).toBe(BigInt(ALL.length));
    w.publish(SAP);
    expect(sub.poll().map((e) => e.id)).toEqual([SAP.id]);
  });
});
