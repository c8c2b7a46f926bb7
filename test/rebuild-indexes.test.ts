/**
 * Every secondary index agrees with a plain Map after growth, tombstone rebuilds and
 * compactions, while updates move index keys (renamed symbols, CUSIPs, SEDOLs, legs, underlyings)
 * and removals tombstone records. A rebuild re-adds the old generation's index entries for the
 * new slots instead of deriving keys again; this test would catch an entry lost, kept for a
 * removed record, kept for a key an update took away, or pointing at the wrong slot.
 *
 * The reference is the test's own map of each instrument's current input; every key value ever
 * used is asked for, and the reader's answer must be exactly the live instruments holding it.
 */
import { describe, expect, it } from 'vitest';
import { cusipCheckDigit, cusipToIsin } from '../src/identifiers/cusip.js';
import { sedolCheckDigit } from '../src/identifiers/sedol.js';
import type { InstrumentInput } from '../src/model/types.js';
import type { InstrumentView } from '../src/reader/view.js';
import { InstrumentRegistry } from '../src/writer/registry.js';
import { prng } from './helpers/instruments.js';

const ASSETS = 12;
/** A CUSIP of instrument n, variant k (0: the one its ISIN is made from). */
const cusip = (n: number, k: number) => {
  const first8 = `${String(n).padStart(5, '0')}ZA${k}`;
  return first8 + cusipCheckDigit(first8);
};
const sedol = (n: number, k: number) => {
  const first6 = `B${String(n * 2 + k).padStart(5, '0')}`;
  return first6 + sedolCheckDigit(first6);
};
const address = (n: number) => '0x' + n.toString(16).padStart(40, '0');

describe('secondary indexes across rebuilds', () => {
  it('equal a Map after random registrations, key-moving updates, removals, growth and compactions', async () => {
    for (const seed of [11, 12]) {
      const rnd = prng(seed);
      const reg = await InstrumentRegistry.create({ initialCapacity: 8, requireReferences: false });
      const r = reg.reader();
      const assets = Array.from(
        { length: ASSETS },
        (_, i) => reg.registerInstrument({ kind: 'currency', symbol: `A${i}`, venue: 'ASSET', source: 'cex', status: 'active' }).id,
      );
      const current = new Map<bigint, InstrumentInput>(); // live id → its current input
      const keyOf = new Map<number, bigint>(); // instrument number → id
      const seen = { symbols: new Set<string>(), cusips: new Set<string>(), isins: new Set<string>(), sedols: new Set<string>(), addresses: new Set<string>() };
      const N = 900;
      // instrument n, version v: the fields that feed indexes change with v, identity does not
      const make = (n: number, v: number): InstrumentInput => {
        const a = assets[(n + v) % ASSETS]!;
        const q = assets[(n * 7 + 3 * v + 1) % ASSETS]!;
        switch (n % 4) {
          case 0:
            // identity: ISIN + venue; symbol, CUSIP and SEDOL move between versions
            return {
              kind: 'stock',
              symbol: `S${n}V${v % 2}`,
              venue: 'XNYS',
              source: 'tradfi',
              status: 'active',
              isin: cusipToIsin(cusip(n, 0)),
              cusip: cusip(n, v % 3),
              sedol: sedol(n, v % 2),
            };
          case 1:
            return { kind: 'cexPair', symbol: `P${n}`, venue: 'BINANCE', source: 'cex', status: 'active', baseId: a, quoteId: q };
          case 2:
            return {
              kind: 'token',
              symbol: `T${n}V${v % 3}`,
              venue: 'ETHEREUM',
              source: 'defi',
              status: 'active',
              chainId: 1,
              address: address(n),
              assetId: a,
            };
          default:
            return {
              kind: 'future',
              symbol: `F${n}`,
              venue: 'XCME',
              source: 'tradfi',
              status: 'active',
              contractType: 'perpetual',
              underlyingId: a,
              baseId: a,
              quoteId: q,
            };
        }
      };
      const ids = (vs: InstrumentView[]) => vs.map((x) => x.id).sort();
      const want = (pred: (i: InstrumentInput) => boolean) =>
        [...current]
          .filter(([, i]) => pred(i))
          .map(([id]) => id)
          .sort();
      const check = () => {
        for (const s of seen.symbols) {
          const [venue, symbol] = s.split('|') as [string, string];
          expect(ids(r.getAllBySymbol(venue, symbol)), `symbol ${s}`).toEqual(want((i) => i.venue === venue && i.symbol === symbol));
        }
        for (const c of seen.cusips) expect(ids(r.getByCusip(c)), `cusip ${c}`).toEqual(want((i) => i.kind === 'stock' && i.cusip === c));
        for (const c of seen.isins) expect(ids(r.getByIsin(c)), `isin ${c}`).toEqual(want((i) => i.kind === 'stock' && i.isin === c));
        for (const c of seen.sedols) expect(ids(r.getBySedol(c)), `sedol ${c}`).toEqual(want((i) => i.kind === 'stock' && i.sedol === c));
        for (const c of seen.addresses) expect(ids(r.getByAddress(1, c)), `address ${c}`).toEqual(want((i) => i.kind === 'token' && i.address === c));
        for (const a of assets) {
          const legs = (i: InstrumentInput) => (i.kind === 'cexPair' || i.kind === 'future') && (i.baseId === a || i.quoteId === a);
          expect(ids(r.findByAsset(a)), `asset ${a}`).toEqual(want(legs));
          const under = (i: InstrumentInput) => (i.kind === 'future' && i.underlyingId === a) || (i.kind === 'token' && i.assetId === a);
          expect(ids(r.findByUnderlying(a)), `underlying ${a}`).toEqual(want(under));
        }
      };
      const note = (i: InstrumentInput) => {
        seen.symbols.add(`${i.venue}|${i.symbol}`);
        if (i.kind === 'stock') {
          seen.cusips.add(i.cusip!);
          seen.isins.add(i.isin!);
          seen.sedols.add(i.sedol!);
        }
        if (i.kind === 'token') seen.addresses.add(i.address);
      };
      let rebuildsSeen = 0;
      for (let step = 0; step < 5000; step++) {
        const n = Math.floor(rnd() * N);
        const id = keyOf.get(n);
        const live = id !== undefined && current.has(id);
        const op = rnd();
        if (!live || op < 0.45) {
          // register (new, revived, or a new version of a live one: its index keys move)
          const input = make(n, Math.floor(rnd() * 6));
          const got = reg.registerInstrument(input).id;
          if (id !== undefined) expect(got).toBe(id);
          keyOf.set(n, got);
          current.set(got, input);
          note(input);
        } else if (op < 0.7) {
          expect(reg.removeInstrument(id)).toBe(true);
          current.delete(id);
        } else if (op < 0.72) {
          reg.compact();
          rebuildsSeen++;
        }
        if (step % 1000 === 999) check();
      }
      check();
      const m = reg.getMetrics();
      expect(m.generation).toBeGreaterThan(rebuildsSeen + 4); // grew several times besides the compactions
      expect(rebuildsSeen).toBeGreaterThan(20);
    }
  });
});
