import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RegistryError } from '../src/errors.js';
import type { InstrumentInput } from '../src/model/types.js';
import { decodeMessage } from '../src/wire/codec.js';
import { SequenceGapError } from '../src/wire/errors.js';
import { MessageFramer } from '../src/wire/framer.js';
import { LogApplier, LogWriter } from '../src/wire/log.js';
import type { WireMessage } from '../src/wire/types.js';
import { FakeLogTarget } from './helpers/fake-log-target.js';
import { instrument, patch } from './helpers/wire-arbitraries.js';

const cur = (symbol: string, extra: Partial<InstrumentInput> = {}): InstrumentInput =>
  ({ kind: 'currency', symbol, venue: 'ASSET', source: 'cex', status: 'active', ...extra }) as InstrumentInput;

/** A small log: register A, B, update A, remove B, register C. Ids in the fake target: A=1, B=2, C=3. */
function sampleLog(): WireMessage[] {
  let t = 1000n;
  const w = new LogWriter({ clockNs: () => (t += 10n) });
  return [w.register(cur('A')), w.register(cur('B')), w.update(1n, { status: 'halted', name: 'Alpha' }), w.remove(2n), w.register(cur('C'))].map(decodeMessage);
}

describe('LogWriter', () => {
  it('numbers frames 1, 2, 3… with the injected clock and picks the registration type by kind', () => {
    let t = 0n;
    const w = new LogWriter({ clockNs: () => (t += 1_000_000n) });
    const pool = {
      kind: 'dexPool',
      symbol: 'P',
      venue: 'UNISWAP_V3',
      source: 'defi',
      status: 'active',
      chainId: 1,
      address: '0x88e6a0c2ddd26feeb64f039a2c41296fcb3f5640',
      token0Id: 1n,
      token1Id: 2n,
      feeTier: 500,
      poolType: 'concentratedLiquidity',
    } as InstrumentInput;
    const pair = {
      kind: 'cexPair',
      symbol: 'BTCUSDT',
      venue: 'BINANCE',
      source: 'cex',
      status: 'active',
      baseId: 1n,
      quoteId: 2n,
    } as InstrumentInput;
    const out = [
      w.register(cur('BTC')),
      w.register(pool),
      w.register(pair),
      w.update(9n, { status: 'halted' }),
      w.remove(9n),
      w.venue({ code: 'XNAS', name: 'Nasdaq', status: 'active' }),
      w.snapshotMarker(2),
    ].map(decodeMessage);
    expect(out.map((m) => m.type)).toEqual([
      'instrumentRegistration',
      'poolRegistration',
      'cexPairRegistration',
      'instrumentUpdate',
      'instrumentRemoval',
      'venueRegistration',
      'snapshotMarker',
    ]);
    expect(out.map((m) => m.seq)).toEqual([1n, 2n, 3n, 4n, 5n, 6n, 7n]);
    expect(out.map((m) => m.timestampNs)).toEqual([1n, 2n, 3n, 4n, 5n, 6n, 7n].map((k) => k * 1_000_000n));
    expect(out[6]).toMatchObject({ logSeq: 6n, instrumentCount: 2 });
    expect(w.lastSeq).toBe(7n);
  });

  it('a rejected operation throws a typed error and consumes no sequence number', () => {
    const w = new LogWriter({ lastSeq: 41n });
    expect(() => w.register(cur('X'.repeat(40)))).toThrow(RegistryError);
    expect(() => w.update(1n << 64n, {})).toThrow(RegistryError);
    expect(w.lastSeq).toBe(41n);
    expect(decodeMessage(w.remove(3n)).seq).toBe(42n);
  });

  it('the default clock is ns since the Unix epoch', () => {
    const before = BigInt(Date.now()) * 1_000_000n;
    const ts = decodeMessage(new LogWriter().remove(1n)).timestampNs;
    const after = BigInt(Date.now()) * 1_000_000n;
    expect(ts >= before - 2_000_000n && ts <= after + 2_000_000n).toBe(true);
  });
});

describe('LogApplier', () => {
  it('applies a log in order', () => {
    const target = new FakeLogTarget();
    const a = new LogApplier(target);
    const res = a.applyAll(sampleLog());
    expect(res.map((r) => [r.status, r.effect])).toEqual([
      ['applied', 'added'],
      ['applied', 'added'],
      ['applied', 'updated'],
      ['applied', 'removed'],
      ['applied', 'added'],
    ]);
    expect([...target.live.keys()]).toEqual([1n, 3n]);
    expect(target.live.get(1n)).toMatchObject({ symbol: 'A', status: 'halted', name: 'Alpha' });
    expect(a.lastSeq).toBe(5n);
  });

  it('duplicates and a full replay change nothing', () => {
    const target = new FakeLogTarget();
    const a = new LogApplier(target);
    const log = sampleLog();
    a.applyAll(log);
    const state = target.snapshot();
    const calls = target.calls.length;
    expect(a.apply(log[2]).status).toBe('duplicate');
    const replay = a.applyAll(log);
    expect(replay.every((r) => r.status === 'duplicate')).toBe(true);
    expect(target.snapshot()).toBe(state);
    expect(target.calls.length).toBe(calls);
    expect(a.stats).toMatchObject({ applied: 5, duplicates: 6, gaps: 0 });
  });

  it("gap with policy 'hold': reported with expected/got, not applied; the missing entries can still be fed", () => {
    const target = new FakeLogTarget();
    const gaps: SequenceGapError[] = [];
    const a = new LogApplier(target, { onGap: (g) => gaps.push(g) });
    const log = sampleLog();
    a.apply(log[0]);
    const r = a.apply(log[3]);
    expect(r.status).toBe('gap');
    expect(r.gap).toBeInstanceOf(SequenceGapError);
    expect(r.gap).toMatchObject({ code: 'SequenceGap', expected: 2n, got: 4n });
    expect(gaps).toEqual([r.gap]);
    expect(a.lastSeq).toBe(1n);
    expect(target.calls.length).toBe(1);
    // fill the hole, then the held entry applies
    expect(a.applyAll(log.slice(1)).map((x) => x.status)).toEqual(['applied', 'applied', 'applied', 'applied']);
    expect(a.lastSeq).toBe(5n);
  });

  it("gap with policy 'apply': applied with the gap attached", () => {
    const target = new FakeLogTarget();
    const a = new LogApplier(target, { onGapPolicy: 'apply' });
    const log = sampleLog();
    a.apply(log[0]);
    const r = a.apply(log[4]);
    expect(r).toMatchObject({ status: 'applied', effect: 'added', gap: { expected: 2n, got: 5n } });
    expect(a.lastSeq).toBe(5n);
    expect(a.stats.gaps).toBe(1);
    expect(a.missing).toEqual([[2n, 4n]]);
  });

  // Regression (issue 9): the entry that arrives late after a gap was reported `duplicate` and lost.
  it("policy 'apply': an entry arriving late after a gap is applied, not lost (1, 2, 4, 5, then 3)", () => {
    const target = new FakeLogTarget();
    const a = new LogApplier(target, { onGapPolicy: 'apply' });
    const log = sampleLog();
    const order = [0, 1, 3, 4, 2];
    const res = order.map((i) => a.apply(log[i]));
    expect(res.map((r) => [r.seq, r.status])).toEqual([
      [1n, 'applied'],
      [2n, 'applied'],
      [4n, 'applied'],
      [5n, 'applied'],
      [3n, 'applied'],
    ]);
    expect(res[4].late).toBe(true);
    // every entry reached the target exactly once (the fake target records every call)
    expect(target.calls.map((c) => c.op)).toEqual(['register', 'register', 'remove', 'register', 'update']);
    expect(target.live.get(1n)).toMatchObject({ symbol: 'A', status: 'halted', name: 'Alpha' });
    expect(a.missing).toEqual([]);
    expect(a.lastSeq).toBe(5n);
    // now it really is a duplicate
    expect(a.apply(log[2]).status).toBe('duplicate');
    expect(a.stats).toMatchObject({ applied: 5, late: 1, duplicates: 1 });
  });

  // Regression (issue 9): one valid-CRC frame with seq 2^64−1 made every later entry a duplicate.
  it.each(['hold', 'apply'] as const)("policy '%s': a frame with seq 2^64−1 is refused as outOfRange and poisons nothing", (policy) => {
    const target = new FakeLogTarget();
    const a = new LogApplier(target, { onGapPolicy: policy });
    const log = sampleLog();
    a.apply(log[0]);
    const bad = decodeMessage(new LogWriter({ lastSeq: (1n << 64n) - 2n }).register(cur('EVIL')));
    expect(bad.seq).toBe((1n << 64n) - 1n);
    const r = a.apply(bad);
    expect(r.status).toBe('outOfRange');
    expect(r.error?.code).toBe('SequenceOutOfRange');
    expect(a.lastSeq).toBe(1n);
    expect(a.applyAll(log.slice(1)).map((x) => x.status)).toEqual(['applied', 'applied', 'applied', 'applied']);
    expect(a.lastSeq).toBe(5n);
    expect([...target.live.values()].map((i) => i.symbol)).toEqual(['A', 'C']);
    expect(a.stats.outOfRange).toBe(1);
  });

  it('starts after a snapshot: lastSeq option', () => {
    const target = new FakeLogTarget();
    const a = new LogApplier(target, { lastSeq: 3n });
    expect(a.applyAll(sampleLog()).map((r) => r.status)).toEqual(['duplicate', 'duplicate', 'duplicate', 'applied', 'applied']);
  });

  it('control messages are ignored and do not consume a sequence number', () => {
    const target = new FakeLogTarget();
    const a = new LogApplier(target);
    const h = { timestampNs: 0n, flags: 0 };
    expect(a.apply({ type: 'healthCheck', seq: 9n, ...h, nonce: 1n }).status).toBe('ignored');
    expect(a.apply({ type: 'errorResponse', seq: 0n, ...h, code: 'X', message: '', refSeq: 1n }).status).toBe('ignored');
    expect(a.lastSeq).toBe(0n);
    expect(a.apply({ type: 'snapshotMarker', seq: 1n, ...h, logSeq: 0n, instrumentCount: 0 })).toMatchObject({ status: 'applied', effect: 'none' });
    expect(a.apply({ type: 'venueRegistration', seq: 2n, ...h, venue: { code: 'XNAS', name: 'Nasdaq', status: 'active' } })).toMatchObject({
      status: 'applied',
      effect: 'venue',
    });
    expect(target.venues.get('XNAS')).toMatchObject({ name: 'Nasdaq' });
    expect(a.stats.ignored).toBe(2);
  });

  it('a target RegistryError is reported as failed and consumes the entry; other errors propagate', () => {
    const target = new FakeLogTarget();
    const a = new LogApplier(target);
    const h = { timestampNs: 0n, flags: 0 };
    const r = a.apply({ type: 'instrumentUpdate', seq: 1n, ...h, id: 99n, patch: { status: 'halted' } });
    expect(r.status).toBe('failed');
    expect(r.error?.code).toBe('UnknownInstrument');
    expect(a.lastSeq).toBe(1n);
    expect(a.apply({ type: 'instrumentRemoval', seq: 2n, ...h, id: 99n })).toMatchObject({ status: 'applied', effect: 'notFound' });
    target.removeInstrument = () => {
      throw new TypeError('bug');
    };
    expect(() => a.apply({ type: 'instrumentRemoval', seq: 3n, ...h, id: 1n })).toThrow(TypeError);
    expect(a.lastSeq).toBe(2n);
  });

  it('end to end: writer frames → random chunks → framer → applier gives the same state as direct application', () => {
    const op = fc.oneof(
      { arbitrary: instrument.map((i) => ({ op: 'register' as const, i })), weight: 3 },
      { arbitrary: fc.tuple(fc.bigInt({ min: 1n, max: 12n }), patch).map(([id, p]) => ({ op: 'update' as const, id, p })), weight: 2 },
      { arbitrary: fc.bigInt({ min: 1n, max: 12n }).map((id) => ({ op: 'remove' as const, id })), weight: 1 },
    );
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 12 }), fc.array(fc.nat(), { maxLength: 10 }), fc.boolean(), (ops, rawCuts, replayTwice) => {
        const direct = new FakeLogTarget();
        const w = new LogWriter();
        const frames: Uint8Array[] = [];
        for (const o of ops) {
          if (o.op === 'register') {
            frames.push(w.register(o.i));
            direct.registerInstrument(o.i);
          } else if (o.op === 'update') {
            frames.push(w.update(o.id, o.p));
            try {
              direct.updateInstrument(o.id, o.p);
            } catch {
              /* unknown id: the applier reports 'failed' */
            }
          } else {
            frames.push(w.remove(o.id));
            direct.removeInstrument(o.id);
          }
        }
        const stream = Buffer.concat(replayTwice ? [...frames, ...frames] : frames);
        const cuts = [...new Set(rawCuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
        const viaLog = new FakeLogTarget();
        const applier = new LogApplier(viaLog);
        const framer = new MessageFramer({ onError: (e) => expect.fail(e.message) });
        let prev = 0;
        for (const c of [...cuts, stream.length]) {
          applier.applyAll(framer.push(stream.subarray(prev, c)));
          prev = c;
        }
        applier.applyAll(framer.end());
        expect(viaLog.snapshot()).toBe(direct.snapshot());
        expect(applier.lastSeq).toBe(BigInt(ops.length));
        expect(applier.stats.duplicates).toBe(replayTwice ? ops.length : 0);
      }),
      { numRuns: 200 },
    );
  });
});
