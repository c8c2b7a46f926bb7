import { describe, expect, it } from 'vitest';
import { CTL, LAYOUT_VERSION, MAX_LOAD_FACTOR, RECORD_SIZE } from '../layout/index.js';
import { DuplicateSymbolError, HashCollisionError, LayoutMismatchError, RegistryError, ValidationError } from '../src/errors.js';
import { validateInstrument } from '../src/model/validate.js';
import type { Instrument, InstrumentInput } from '../src/model/types.js';
import { RegistryReader } from '../src/reader/reader.js';
import type { RegistryHandle } from '../src/shm/handle.js';
import { InstrumentRegistry } from '../src/writer/registry.js';
import { currencyId, oneOfEachKind, prng, stockIdByIsin, tokenId } from './helpers/instruments.js';

const fixedClock = () => 1_700_000_000_000;

/** Expected reader output for an input: the validated input plus id and timestamps. */
function expected(input: InstrumentInput, id: bigint, at = fixedClock()): Record<string, unknown> {
  return { ...validateInstrument(input), id, createdAt: input.createdAt ?? at, updatedAt: input.updatedAt ?? at };
}

/**
 * Every byte of every shared region (to prove that something did not change them), except the
 * control region's failure and collision counters, which a rejected registration is meant to bump.
 */
function regionBytes(h: RegistryHandle): string {
  const ctl = new Int32Array(h.control.byteLength / 4);
  ctl.set(new Int32Array(h.control));
  ctl[CTL.REG_FAILED] = 0;
  ctl[CTL.COLLISIONS] = 0;
  const parts = [ctl.buffer, ...h.regions, ...h.heaps, h.venues].map((b) => Buffer.from(new Uint8Array(b, 0, b.byteLength)).toString('base64'));
  return parts.join('|');
}

describe('InstrumentRegistry + RegistryReader', () => {
  it('round-trips one instrument of every kind through shared memory', async () => {
    const reg = await InstrumentRegistry.create({ now: fixedClock });
    const r = reg.reader();
    for (const input of oneOfEachKind()) {
      const { id, outcome } = reg.registerInstrument(input);
      expect(outcome).toBe('added');
      const view = r.getById(id)!;
      expect(view.toObject()).toEqual(expected(input, id));
      expect(view.symbol).toBe(input.symbol);
      expect(view.kind).toBe(input.kind);
      expect(r.getBySymbol(input.venue, input.symbol)!.id).toBe(id);
    }
    expect(reg.getMetrics().instruments).toBe(oneOfEachKind().length);
  });

  it('is idempotent, updates in place and keeps the id', async () => {
    let t = 1000;
    const reg = await InstrumentRegistry.create({ now: () => t });
    const [, , usdc] = oneOfEachKind();
    const a = reg.registerInstrument(usdc!);
    t = 2000;
    const b = reg.registerInstrument(usdc!);
    expect(b).toEqual({ id: a.id, outcome: 'unchanged' });
    expect(reg.reader().getById(a.id)!.updatedAt).toBe(1000);
    const c = reg.registerInstrument({ ...usdc!, status: 'halted', name: 'USD Coin (bridged)' });
    expect(c).toEqual({ id: a.id, outcome: 'updated' });
    const v = reg.reader().getById(a.id)!.toObject();
    expect(v.status).toBe('halted');
    expect(v.name).toBe('USD Coin (bridged)');
    expect(v.createdAt).toBe(1000);
    expect(v.updatedAt).toBe(2000);
    reg.updateInstrument(a.id, { tickSize: { raw: 5n, scale: 3 }, makerFeeBps: 1.25 });
    const w = reg.reader().getById(a.id)!;
    expect(w.tickSize).toEqual({ raw: 5n, scale: 3 });
    expect(w.makerFeeBps).toBe(1.25);
    expect(w.status).toBe('halted');
    expect(reg.getMetrics().instruments).toBe(1);
  });

  it('removes to a tombstone and revives in the same id', async () => {
    const reg = await InstrumentRegistry.create({ now: fixedClock });
    const inst = oneOfEachKind().find((x) => x.symbol === 'AAPL' && x.kind === 'stock')!;
    const { id } = reg.registerInstrument(inst);
    expect(reg.removeInstrument(id)).toBe(true);
    expect(reg.removeInstrument(id)).toBe(false);
    expect(reg.reader().getById(id)).toBeUndefined();
    expect(reg.reader().getBySymbol(inst.venue, inst.symbol)).toBeUndefined();
    expect(reg.reader().getByIsin('US0378331005')).toEqual([]);
    expect(reg.getMetrics()).toMatchObject({ instruments: 0, tombstones: 1 });
    expect(reg.registerInstrument(inst)).toEqual({ id, outcome: 'added' });
    expect(
      reg
        .reader()
        .getByIsin('US0378331005')
        .map((v) => v.id),
    ).toEqual([id]);
    expect(reg.getMetrics()).toMatchObject({ instruments: 1, tombstones: 0 });
  });

  it('refuses a second instrument with the same venue + symbol and writes nothing', async () => {
    const reg = await InstrumentRegistry.create({ now: fixedClock });
    const aapl = oneOfEachKind().find((x) => x.symbol === 'AAPL' && x.kind === 'stock')!;
    const first = reg.registerInstrument(aapl);
    const before = regionBytes(reg.handle);
    // Microsoft's ISIN (valid check digit) under Apple's ticker on the same venue: a different listing.
    const other = { ...aapl, isin: 'US5949181045', cusip: undefined } as InstrumentInput;
    const err = (() => {
      try {
        reg.registerInstrument(other);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(DuplicateSymbolError);
    expect((err as DuplicateSymbolError).existingId).toBe(first.id);
    expect(regionBytes(reg.handle)).toBe(before);
    expect(reg.getMetrics().failuresByCode.DuplicateSymbol).toBe(1);
    // Once the first is removed, the symbol is free again.
    reg.removeInstrument(first.id);
    expect(reg.registerInstrument(other).outcome).toBe('added');
  });

  it('lets on-chain tokens share a symbol on one chain (identity is the address)', async () => {
    const reg = await InstrumentRegistry.create({ now: fixedClock, requireReferences: false });
    const usdc = oneOfEachKind().find((x) => x.kind === 'token' && x.symbol === 'USDC');
    const a = reg.registerInstrument(usdc!);
    const b = reg.registerInstrument({ ...usdc!, address: '0x0000000000000000000000000000000000000001' } as InstrumentInput);
    expect(b.outcome).toBe('added');
    expect(b.id).not.toBe(a.id);
    expect(
      reg
        .reader()
        .getAllBySymbol('ETHEREUM', 'USDC')
        .map((v) => v.id)
        .sort(),
    ).toEqual([a.id, b.id].sort());
    expect([a.id, b.id]).toContain(reg.reader().getBySymbol('ETHEREUM', 'USDC')!.id);
  });

  it('detects real id collisions with a narrow id width, never merges, audits them', async () => {
    const reg = await InstrumentRegistry.create({ idBits: 6, now: fixedClock });
    const held = new Map<bigint, string>();
    let collisions = 0;
    for (let i = 0; i < 200; i++) {
      const sym = `C${i}`;
      try {
        const { id } = reg.registerInstrument({ kind: 'currency', symbol: sym, venue: 'ASSET', source: 'cex', status: 'active' });
        expect(held.has(id)).toBe(false);
        held.set(id, sym);
      } catch (e) {
        expect(e).toBeInstanceOf(HashCollisionError);
        collisions++;
        const id = (e as HashCollisionError).id;
        // The earlier instrument is untouched.
        expect(reg.reader().getById(id)!.symbol).toBe(held.get(id));
      }
    }
    expect(collisions).toBeGreaterThan(100); // 200 symbols into 64 ids
    expect(held.size).toBeLessThanOrEqual(64);
    expect(reg.getMetrics().collisions).toBe(collisions);
    expect(reg.collisions).toHaveLength(collisions);
    expect(Atomics.load(new Int32Array(reg.handle.control), CTL.COLLISIONS)).toBe(collisions);
    for (const [id, sym] of held) expect(reg.reader().getById(id)!.symbol).toBe(sym);
  });

  it.each<[string, Partial<InstrumentInput> | Record<string, unknown>, string]>([
    ['300-character symbol', { symbol: 'X'.repeat(300) }, 'FieldTooLong'],
    ['29-byte symbol', { symbol: 'é'.repeat(14) + 'A' }, 'FieldTooLong'],
    ['invalid kind', { kind: 'bond' }, 'InvalidEnum'],
    ['invalid status', { status: 'open' }, 'InvalidEnum'],
    ['negative tick size', { tickSize: { raw: -1n, scale: 2 } }, 'InvalidField'],
    ['zero tick size', { tickSize: { raw: 0n, scale: 0 } }, 'InvalidField'],
    ['raw above 2^64', { lotSize: { raw: 1n << 64n, scale: 0 } }, 'InvalidField'],
    ['NaN fee', { makerFeeBps: Number.NaN }, 'InvalidField'],
    ['fee finer than 0.01 bp', { takerFeeBps: 1.234 }, 'InvalidField'],
    ['lower-case venue', { venue: 'xnas' }, 'InvalidField'],
    ['17-char venue', { venue: 'ABCDEFGHIJKLMNOPQ' }, 'FieldTooLong'],
    ['bad ISIN check digit', { isin: 'US0378331006' }, 'InvalidIdentifier'],
    ['bad CUSIP check digit', { cusip: '037833101' }, 'InvalidIdentifier'],
    ['NUL in symbol', { symbol: 'A\0B' }, 'InvalidField'],
  ])('rejects %s with a typed error and leaves memory unchanged', async (_n, patch, code) => {
    const reg = await InstrumentRegistry.create({ now: fixedClock });
    reg.registerInstrument(oneOfEachKind()[0]!);
    const before = regionBytes(reg.handle);
    const bad = { ...oneOfEachKind().find((x) => x.symbol === 'AAPL' && x.kind === 'stock')!, ...patch } as InstrumentInput;
    let err: unknown;
    try {
      reg.registerInstrument(bad);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as RegistryError).code).toBe(code);
    expect(regionBytes(reg.handle)).toBe(before);
    expect(reg.getMetrics().registrationFailures).toBe(1);
  });

  it('refuses to attach to a wrong magic, layout version or malformed handle', async () => {
    const reg = await InstrumentRegistry.create();
    const ctl = new Int32Array(reg.handle.control);
    expect(() => RegistryReader.attach({ ...reg.handle, regions: [] })).toThrow(LayoutMismatchError);
    expect(() => RegistryReader.attach({ ...reg.handle, heaps: [reg.handle.heaps[0]!] })).toThrow(/2 string heaps/);
    const { heaps: _, ...noHeaps } = reg.handle; // a handle of the single-heap shape
    expect(() => RegistryReader.attach({ ...noHeaps, heap: reg.handle.heaps[0] } as unknown as typeof reg.handle)).toThrow(LayoutMismatchError);
    Atomics.store(ctl, CTL.VERSION, LAYOUT_VERSION + 1);
    expect(() => RegistryReader.attach(reg.handle)).toThrow(LayoutMismatchError);
    Atomics.store(ctl, CTL.VERSION, LAYOUT_VERSION);
    Atomics.store(ctl, CTL.MAGIC, 0x12345678);
    expect(() => RegistryReader.attach(reg.handle)).toThrow(/magic/);
  });

  it('answers secondary-index questions: ISIN across venues, CUSIP, address, pairs, assets, kind, venue', async () => {
    const reg = await InstrumentRegistry.create({ now: fixedClock });
    const ids = oneOfEachKind().map((i) => reg.registerInstrument(i).id);
    const r = reg.reader();
    expect(r.findAllVenuesForIsin('us0378331005')).toEqual(['XETR', 'XNAS']);
    expect(r.getByCusip('037833100').map((v) => v.symbol)).toEqual(['AAPL']);
    const usdcToken = ids[oneOfEachKind().findIndex((x) => x.kind === 'token' && x.symbol === 'USDC')];
    expect(r.getByAddress(1, '0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48').map((v) => v.id)).toEqual([usdcToken]);
    expect(r.getByAddress(1, '0xA0B86991C6218B36C1D19D4A2E9EB0CE3606EB48')).toHaveLength(1);
    expect(r.getByAddress(137, '0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48')).toEqual([]);
    expect(r.findPoolsForPair(currencyId('USDT'), currencyId('BTC')).map((v) => v.symbol)).toEqual(['BTCUSDT']);
    expect(r.findPoolsForPair(tokenId(1, '0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2'), usdcToken!).map((v) => v.symbol)).toEqual(['UNI-WETH-3000']);
    expect(r.findByUnderlying(currencyId('BTC')).map((v) => v.symbol)).toEqual(['BTCUSD_PERP']);
    expect(r.findByUnderlying(stockIdByIsin('US0378331005', 'XNAS')).map((v) => v.kind)).toEqual(['option']);
    expect(r.findByUnderlying(currencyId('USDC')).map((v) => v.id)).toEqual([usdcToken]);
    expect(r.getBySedol('0263494').map((v) => v.symbol)).toEqual(['BA.']);
    expect(r.getByOccSymbol('aapl240119c00190000').map((v) => v.venue)).toEqual(['XCBO']);
    expect(
      r
        .findByType('future')
        .map((v) => v.symbol)
        .sort(),
    ).toEqual(['BTCUSD_PERP', 'ESH1']);
    expect(
      r
        .findByAsset(currencyId('BTC'))
        .map((v) => v.symbol)
        .sort(),
    ).toEqual(['BTCUSDT', 'BTCUSD_PERP']);
    expect(
      r
        .findByType('stock')
        .map((v) => v.symbol)
        .sort(),
    ).toEqual(['AAPL', 'APC', 'BA.']);
    expect(r.findByVenue('BINANCE').map((v) => v.symbol)).toEqual(['BTCUSDT']);
    expect(r.getBySymbol('NOPE', 'X')).toBeUndefined();
  });

  it('readers make zero writes to shared memory', async () => {
    const reg = await InstrumentRegistry.create({ now: fixedClock });
    const ids = oneOfEachKind().map((i) => reg.registerInstrument(i).id);
    const before = regionBytes(reg.handle);
    const r = RegistryReader.attach(reg.handle);
    for (let k = 0; k < 1000; k++) {
      for (const id of ids) r.getById(id)!.toObject();
      r.getByIsin('US0378331005');
      r.findByType('token');
      void r.getBySymbol('BINANCE', 'BTCUSDT')!.tickSize;
    }
    expect(regionBytes(reg.handle)).toBe(before);
  });

  it('agrees with a plain Map over long random register / update / remove / grow sequences', async () => {
    for (const seed of [1, 2, 3]) {
      const rnd = prng(seed);
      const reg = await InstrumentRegistry.create({ initialCapacity: 8, now: fixedClock, requireReferences: false });
      const r = RegistryReader.attach(reg.handle);
      const model = new Map<bigint, Record<string, unknown>>(); // id → expected object
      const inputs = new Map<number, InstrumentInput>(); // instrument number → current input
      const idOf = new Map<number, bigint>();
      const N = 1500;
      const check = () => {
        for (const [n, id] of idOf) {
          const got = r.getById(id);
          const want = model.get(id);
          if (!want) {
            expect(got, `instrument ${n} should be absent`).toBeUndefined();
            continue;
          }
          expect(got?.toObject(), `instrument ${n}`).toEqual(want);
          expect(r.getBySymbol(want.venue as string, want.symbol as string)?.id).toBe(id);
        }
        expect(r.count).toBe(model.size);
      };
      for (let step = 0; step < 6000; step++) {
        const n = Math.floor(rnd() * N);
        const op = rnd();
        const live = idOf.has(n) && model.has(idOf.get(n)!);
        if (!live && op < 0.7) {
          const input: InstrumentInput = {
            kind: 'cexPair',
            symbol: `P${n}`,
            venue: `V${n % 7}`,
            source: 'cex',
            status: 'active',
            baseId: BigInt(n),
            quoteId: BigInt(n % 13),
            tickSize: { raw: BigInt(1 + (step % 97)), scale: 2 },
          };
          const { id } = reg.registerInstrument(input);
          if (idOf.has(n)) expect(id).toBe(idOf.get(n));
          idOf.set(n, id);
          inputs.set(n, input);
          model.set(id, expected(input, id));
        } else if (live && op < 0.4) {
          const id = idOf.get(n)!;
          const patch = { status: rnd() < 0.5 ? 'halted' : 'active', lotSize: { raw: BigInt(step + 1), scale: 3 } } as const;
          reg.updateInstrument(id, patch);
          model.set(id, { ...model.get(id)!, ...patch });
        } else if (live && op < 0.8) {
          const id = idOf.get(n)!;
          expect(reg.removeInstrument(id)).toBe(true);
          model.delete(id);
        } else if (live) {
          const input = inputs.get(n)!;
          // Re-registering the current state is a no-op.
          const cur = model.get(idOf.get(n)!)!;
          const same = { ...input, status: cur.status, lotSize: cur.lotSize } as InstrumentInput;
          expect(reg.registerInstrument(same).outcome).toBe('unchanged');
        }
        if (step % 500 === 0) check();
      }
      check();
      const m = reg.getMetrics();
      expect(m.loadFactor).toBeLessThanOrEqual(MAX_LOAD_FACTOR);
      expect(m.generation).toBeGreaterThan(3); // grew (and rebuilt) several times
      expect(m.tableBytes).toBe(m.capacity * RECORD_SIZE);
    }
  });

  it('exposes one consistent version per view and re-copies after a change', async () => {
    const reg = await InstrumentRegistry.create({ now: fixedClock, requireReferences: false });
    const { id } = reg.registerInstrument(oneOfEachKind().find((x) => x.symbol === 'BTCUSDT')!);
    const r = reg.reader();
    const v = r.getById(id)!;
    expect(v.symbol).toBe('BTCUSDT'); // copies line 0 at version s
    reg.updateInstrument(id, { status: 'halted' });
    // line 1 is now at a newer version: the view moves to it as a whole
    expect(v.status).toBe('halted');
    expect(v.symbol).toBe('BTCUSDT');
    const obj: Instrument = v.toObject();
    expect(Object.isFrozen(obj)).toBe(true);
  });
});
