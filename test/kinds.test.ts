/**
 * Issue 10: the kind descriptors (layout/kinds.ts) drive every layer; listing identity v2 keeps
 * two venues' options with the same terms apart; references between instruments are enforced;
 * option chains, SEDOL and OCC are answered from indexes. Expected values come from the raw
 * inputs written here (and @noble/hashes ids in helpers/instruments.ts), not from the code under test.
 */
import { describe, expect, it } from 'vitest';
import { DETAIL_FIELDS, KINDS, WIRE_KIND_FIELDS, type KindField } from '../layout/index.js';
import { InstrumentReferencedError, UnknownInstrumentError, ValidationError } from '../src/errors.js';
import type { InstrumentInput } from '../src/model/types.js';
import { validateInstrument } from '../src/model/validate.js';
import { decodeMessage, encodeMessage } from '../src/wire/codec.js';
import { InstrumentRegistry } from '../src/writer/registry.js';
import { currencyId } from './helpers/instruments.js';

const EXPIRY = Date.UTC(2025, 2, 28, 8); // 28 Mar 2025 08:00 UTC, a Deribit/OKX quarterly expiry
const asset = (symbol: string): InstrumentInput => ({ kind: 'currency', symbol, venue: 'ASSET', source: 'cex', status: 'active' });
const btcIndex = (venue: string, symbol: string): InstrumentInput =>
  ({ kind: 'index', symbol, venue, source: 'cex', status: 'active', quoteId: currencyId('USD') }) as InstrumentInput;

/** A BTC option as Deribit (`BTC-28MAR25-100000-C`) or OKX (`BTC-USD-250328-100000-C`) list it. */
function btcOption(venue: string, symbol: string, strike: bigint, right: 'call' | 'put', settleSymbol: string, underlying: bigint): InstrumentInput {
  return {
    kind: 'option',
    symbol,
    venue,
    source: 'cex',
    status: 'active',
    underlyingId: underlying,
    expiry: EXPIRY,
    strike: { raw: strike, scale: 0 },
    right,
    style: 'european',
    settlement: settleSymbol === 'BTC' ? 'inverse' : 'linear',
    settleId: currencyId(settleSymbol),
    quoteId: currencyId(settleSymbol),
    contractSize: { raw: settleSymbol === 'BTC' ? 1n : 1n, scale: settleSymbol === 'BTC' ? 0 : 2 },
    contractCurrencyId: currencyId('BTC'),
    tickSize: { raw: 5n, scale: 4 },
  } as InstrumentInput;
}

describe('kind descriptors drive the detail blob, the wire fields and validation', () => {
  it('detail and wire field lists are the descriptor fields, in order, for every kind', () => {
    for (const [kind, d] of Object.entries(KINDS)) {
      const names = (d.fields as readonly KindField[]).map((f) => f.name);
      expect(
        DETAIL_FIELDS[kind as keyof typeof KINDS].map((f) => f.name),
        kind,
      ).toEqual(names);
      expect(
        WIRE_KIND_FIELDS[kind as keyof typeof KINDS].map((f) => f.name),
        kind,
      ).toEqual(names);
    }
  });

  it('a field the kind does not store is a typed error, never dropped', () => {
    const pair = { kind: 'cexPair', symbol: 'X', venue: 'V', source: 'cex', status: 'active', baseId: 1n, quoteId: 2n };
    for (const extra of [{ strike: { raw: 1n, scale: 0 } }, { isin: 'US0378331005' }, { contractType: 'perpetual' }, { colour: 'red' }]) {
      const err = (() => {
        try {
          validateInstrument({ ...pair, ...extra } as unknown as InstrumentInput);
        } catch (e) {
          return e;
        }
      })();
      expect(err, JSON.stringify(Object.keys(extra))).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).field).toBe(Object.keys(extra)[0]);
    }
  });

  it('a dated future needs an expiry, a perpetual has none; contractType defaults to future', () => {
    const f = { kind: 'future', symbol: 'BTCUSDT', venue: 'BINANCE_USDM', source: 'cex', status: 'active' } as const;
    expect(() => validateInstrument(f as InstrumentInput)).toThrow(/expiry/);
    expect(() => validateInstrument({ ...f, contractType: 'perpetual', expiry: EXPIRY } as InstrumentInput)).toThrow(/perpetual has no expiry/);
    expect((validateInstrument({ ...f, expiry: EXPIRY } as InstrumentInput) as { contractType: string }).contractType).toBe('future');
  });

  it('the new fields survive the wire (limits, settlement, contract terms, ISIN on a derivative, OCC)', () => {
    const opt = {
      kind: 'option',
      symbol: 'SPY   250321C00600000',
      venue: 'OPRA',
      source: 'tradfi',
      status: 'reduceOnly',
      underlyingId: 7n,
      expiry: Date.UTC(2025, 2, 21),
      strike: { raw: 600n, scale: 0 },
      right: 'call',
      style: 'american',
      occSymbol: 'spy250321c00600000',
      multiplier: { raw: 100n, scale: 0 },
      isin: 'US78462F1030',
      minNotional: { raw: 1n, scale: 0 },
      maxPrice: { raw: 99999n, scale: 2 },
      positionLimit: { raw: 250000n, scale: 0 },
      settlement: 'linear',
    } as unknown as InstrumentInput;
    const frame = encodeMessage({ type: 'instrumentRegistration', seq: 1n, timestampNs: 0n, flags: 0, instrument: opt });
    const back = decodeMessage(frame);
    expect(back.type).toBe('instrumentRegistration');
    const got = (back as unknown as { instrument: Record<string, unknown> }).instrument;
    expect(got.occSymbol).toBe('SPY   250321C00600000'); // stored in the padded OCC form
    expect({ ...got, occSymbol: undefined }).toEqual({ ...opt, occSymbol: undefined });
  });
});

describe('quanto settlement', () => {
  it('a quanto perpetual (BitMEX ETHUSD: quoted in USD, settled in XBT at a fixed multiplier) round-trips with its settlement', async () => {
    const reg = await InstrumentRegistry.create();
    for (const a of ['ETH', 'USD', 'XBT']) reg.registerInstrument(asset(a));
    const input = {
      kind: 'future',
      symbol: 'ETHUSD',
      venue: 'BITMEX',
      source: 'cex',
      status: 'active',
      contractType: 'perpetual',
      underlyingId: currencyId('ETH'),
      baseId: currencyId('ETH'),
      quoteId: currencyId('USD'),
      settleId: currencyId('XBT'),
      settlement: 'quanto',
      multiplier: { raw: 1n, scale: 6 }, // 0.000001 XBT per USD per contract
      tickSize: { raw: 5n, scale: 2 },
    } as InstrumentInput;
    const { id } = reg.registerInstrument(input);
    expect(reg.reader().getById(id)?.toObject()).toMatchObject({ settlement: 'quanto', settleId: currencyId('XBT'), multiplier: { raw: 1n, scale: 6 } });
    const frame = encodeMessage({ type: 'instrumentRegistration', seq: 1n, timestampNs: 0n, flags: 0, instrument: input });
    expect((decodeMessage(frame) as unknown as { instrument: { settlement: string } }).instrument.settlement).toBe('quanto');
  });
});

describe('listing identity v2 (ADR 0001)', () => {
  it('two venues listing options with the same terms keep every listing; so do coin- and USDC-settled contracts on one venue', async () => {
    const reg = await InstrumentRegistry.create();
    for (const a of ['BTC', 'USD', 'USDC']) reg.registerInstrument(asset(a));
    const deribitIdx = reg.registerInstrument(btcIndex('DERIBIT', 'btc_usd')).id;
    const okxIdx = reg.registerInstrument(btcIndex('OKX', 'BTC-USD')).id;
    const listings: InstrumentInput[] = [];
    for (const strike of [90000n, 100000n, 110000n]) {
      for (const right of ['call', 'put'] as const) {
        const r = right === 'call' ? 'C' : 'P';
        listings.push(btcOption('DERIBIT', `BTC-28MAR25-${strike}-${r}`, strike, right, 'BTC', deribitIdx));
        listings.push(btcOption('DERIBIT', `BTC_USDC-28MAR25-${strike}-${r}`, strike, right, 'USDC', deribitIdx));
        listings.push(btcOption('OKX', `BTC-USD-250328-${strike}-${r}`, strike, right, 'BTC', okxIdx));
      }
    }
    const outcomes = listings.map((l) => reg.registerInstrument(l));
    expect(outcomes.map((o) => o.outcome)).toEqual(listings.map(() => 'added'));
    expect(new Set(outcomes.map((o) => o.id)).size).toBe(listings.length);
    const r = reg.reader();
    for (const l of listings) expect(r.getBySymbol(l.venue, l.symbol)?.toObject()).toMatchObject({ symbol: l.symbol, venue: l.venue });
    // The chain of each venue's index, filtered by strike and right, comes from the UNDERLYING index.
    const calls = r.getOptionChain(deribitIdx, { right: 'call', strikeMin: { raw: 95000n, scale: 0 }, strikeMax: { raw: 110000n, scale: 0 } });
    expect(calls.map((v) => v.symbol)).toEqual(['BTC-28MAR25-100000-C', 'BTC_USDC-28MAR25-100000-C', 'BTC-28MAR25-110000-C', 'BTC_USDC-28MAR25-110000-C']);
    expect(r.getOptionChain(okxIdx, { expiry: EXPIRY })).toHaveLength(6);
    expect(r.getOptionChain(okxIdx, { expiryFrom: EXPIRY + 1 })).toHaveLength(0);
  });
});

describe('referential integrity', () => {
  it('a registration referring to no live instrument is refused (typed, nothing written)', async () => {
    const reg = await InstrumentRegistry.create();
    reg.registerInstrument(asset('BTC'));
    const pair = {
      kind: 'cexPair',
      symbol: 'BTCUSDT',
      venue: 'BINANCE',
      source: 'cex',
      status: 'active',
      baseId: currencyId('BTC'),
      quoteId: currencyId('USDT'),
    };
    const err = (() => {
      try {
        reg.registerInstrument(pair as InstrumentInput);
      } catch (e) {
        return e;
      }
    })() as UnknownInstrumentError;
    expect(err).toBeInstanceOf(UnknownInstrumentError);
    expect(err.field).toBe('quoteId');
    expect(err.id).toBe(currencyId('USDT'));
    expect(reg.getMetrics().instruments).toBe(1);
    expect(reg.getMetrics().failuresByCode.UnknownInstrument).toBe(1);
    const synth = { kind: 'synthetic', symbol: 'S', venue: 'SYN', source: 'synthetic', status: 'active', legs: [{ id: 99n, weight: { raw: 1n, scale: 0 } }] };
    expect(() => reg.registerInstrument(synth as InstrumentInput)).toThrow(/legs\[0\]\.id/);
  });

  it('removing a referenced instrument is refused unless cascading, which removes every referrer', async () => {
    const reg = await InstrumentRegistry.create();
    for (const a of ['BTC', 'USD', 'USDT']) reg.registerInstrument(asset(a));
    const pair = reg.registerInstrument({
      kind: 'cexPair',
      symbol: 'BTCUSDT',
      venue: 'BINANCE',
      source: 'cex',
      status: 'active',
      baseId: currencyId('BTC'),
      quoteId: currencyId('USDT'),
    } as InstrumentInput).id;
    const idx = reg.registerInstrument({
      kind: 'index',
      symbol: 'btc_usd',
      venue: 'DERIBIT',
      source: 'cex',
      status: 'active',
      quoteId: currencyId('USD'),
    } as InstrumentInput).id;
    const opt = reg.registerInstrument(btcOption('DERIBIT', 'BTC-28MAR25-100000-C', 100000n, 'call', 'BTC', idx)).id;
    const fut = reg.registerInstrument({
      kind: 'future',
      symbol: 'BTC-PERPETUAL',
      venue: 'DERIBIT',
      source: 'cex',
      status: 'active',
      contractType: 'perpetual',
      underlyingId: idx,
      indexId: idx,
      settlement: 'inverse',
      settleId: currencyId('BTC'),
    } as InstrumentInput).id;
    const err = (() => {
      try {
        reg.removeInstrument(currencyId('BTC'));
      } catch (e) {
        return e;
      }
    })() as InstrumentReferencedError;
    expect(err).toBeInstanceOf(InstrumentReferencedError);
    expect(err.referrerCount).toBe(5); // pair.baseId; option.settleId, quoteId and contractCurrencyId; future.settleId
    expect(reg.getById(currencyId('BTC'))).toBeDefined();
    expect(() => reg.removeInstrument(idx)).toThrow(InstrumentReferencedError);
    expect(reg.removeInstrument(opt)).toBe(true);
    expect(reg.removeInstrument(currencyId('BTC'), { cascade: true })).toBe(true);
    for (const id of [currencyId('BTC'), pair, fut]) expect(reg.getById(id)).toBeUndefined();
    expect(reg.getById(idx)).toBeDefined();
    expect(reg.removeInstrument(idx)).toBe(true); // no referrer left
    expect(reg.getMetrics().instruments).toBe(2); // USD, USDT
  });
});
