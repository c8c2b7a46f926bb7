/**
 * Deterministic bench dataset: extra instruments of every kind, generated from a seeded PRNG and
 * spread over many venues, chains and assets so that no secondary key (venue + symbol, ISIN,
 * asset, pair) has a large multiplicity. Every generated instrument `g` carries self-checking
 * mutable fields (`stressPatch(g, v)` from `src/testkit/self-check.ts`): a reader can tell a
 * consistent record from a torn one without knowing the current version (see {@link checkVersion}).
 *
 * @module
 */
import { isinCheckDigit } from '../identifiers/isin.js';
import type { InstrumentInput, InstrumentKind } from '../model/types.js';
import { checkVersion as stressCheckVersion, stressPatch } from '../testkit/self-check.js';

/** Mulberry32: small, fast, seedable 32-bit PRNG. Returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One generated (and registered) instrument, as the bench needs it. */
export interface GeneratedEntry {
  id: bigint;
  kind: InstrumentKind;
  venue: string;
  symbol: string;
  isin?: string;
}

/** Result of {@link generateInstruments}. */
export interface GeneratedDataset {
  entries: GeneratedEntry[];
  /** Time spent inside `register` (validation, BLAKE3 id derivation, table writes), ns. */
  registerNs: number;
  /** Registrations per second over `registerNs` (ops/s). */
  perSec: number;
}

const CC = ['US', 'DE', 'GB', 'FR', 'JP', 'CH', 'NL', 'CA', 'AU', 'SE', 'IT', 'ES', 'IE', 'LU', 'KY', 'HK'];
const B36 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** `n` in base 36, left-padded to `width`. */
function b36(n: number, width: number): string {
  let s = '';
  for (let i = 0; i < width; i++) {
    s = B36[n % 36]! + s;
    n = Math.floor(n / 36);
  }
  return s;
}

/** A valid ISIN unique per `n` (country from the PRNG, 9-char base-36 body, check digit). */
function makeIsin(n: number, rnd: () => number): string {
  const first11 = CC[Math.floor(rnd() * CC.length)]! + b36(n, 9);
  return first11 + String(isinCheckDigit(first11));
}

function hex40(n: number, salt: number): string {
  let s = '';
  let x = (n * 2654435761 + salt) >>> 0;
  for (let i = 0; i < 5; i++) {
    x = Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) >>> 0;
    s += (x >>> 0).toString(16).padStart(8, '0');
  }
  return '0x' + s;
}

/**
 * Generate `count` instruments and register each with `register` (which returns the real id, e.g.
 * `InstrumentRegistry.registerInstrument(input).id`). Kinds: currencies first (≈4 %), then tokens,
 * stocks and ETFs (ISIN listed on 1–3 of 120 venues), then CEX pairs over 200 venues, DEX pools on
 * 50 chains, futures, options and synthetics, all referring to earlier ids. Same `seed` and
 * `count` → same instruments and ids.
 */
export function generateInstruments(count: number, seed: number, register: (input: InstrumentInput) => bigint): GeneratedDataset {
  const rnd = mulberry32(seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)]!;
  const entries: GeneratedEntry[] = [];
  const currencies: bigint[] = [];
  const tokens: Array<{ id: bigint; chainId: number }> = [];
  const underlyings: bigint[] = [];
  let registerNs = 0;
  const add = (input: InstrumentInput, isin?: string): bigint => {
    const g = entries.length;
    // createdAt 0: every version's updatedAt (v * 1000 + …, see stressPatch) is at or after it
    Object.assign(input, { createdAt: 0 }, stressPatch(g, 0));
    const t0 = process.hrtime.bigint();
    const id = register(input);
    registerNs += Number(process.hrtime.bigint() - t0);
    entries.push({ id, kind: input.kind, venue: input.venue, symbol: input.symbol, ...(isin ? { isin } : {}) });
    return id;
  };
  const nCur = Math.min(count, Math.max(8, Math.round(count * 0.04)));
  for (let i = 0; i < nCur; i++) {
    currencies.push(add({ kind: 'currency', venue: 'ASSET', symbol: `BC${b36(i, 5)}`, source: 'cex', status: 'active' }));
  }
  let isinN = 0;
  while (entries.length < count) {
    const g = entries.length;
    const r = rnd();
    if (r < 0.15) {
      const chainId = 1000 + Math.floor(rnd() * 50);
      const id = add({
        kind: 'token',
        venue: `BCH${chainId}`,
        symbol: `TK${b36(g, 6)}`,
        source: 'defi',
        status: 'active',
        chainId,
        address: hex40(g, chainId),
        sizeDecimals: 18,
      });
      tokens.push({ id, chainId });
    } else if (r < 0.32) {
      // A security listed on 1..3 venues (same ISIN, one listing per venue).
      const isin = makeIsin(isinN++, rnd);
      const kind = rnd() < 0.8 ? 'stock' : 'etf';
      const listings = 1 + Math.floor(rnd() * 3);
      const first = Math.floor(rnd() * 120);
      for (let l = 0; l < listings && entries.length < count; l++) {
        const venue = `XB${b36((first + l * 37) % 120, 2)}`;
        const id = add(
          { kind, venue, symbol: `${kind === 'stock' ? 'SK' : 'EF'}${b36(isinN, 5)}`, source: 'tradfi', status: 'active', isin, currency: 'EUR' },
          isin,
        );
        if (l === 0) underlyings.push(id);
      }
    } else if (r < 0.62 && currencies.length >= 2) {
      const base = pick(currencies);
      let quote = pick(currencies);
      if (quote === base) quote = currencies[(currencies.indexOf(base) + 1) % currencies.length]!;
      const perp = rnd() < 0.3;
      const listing = { venue: `BV${b36(Math.floor(rnd() * 200), 3)}`, symbol: `${perp ? 'P' : 'C'}${b36(g, 7)}`, source: 'cex', status: 'active' } as const;
      add(
        perp
          ? { ...listing, kind: 'future', contractType: 'perpetual', settlement: 'linear', underlyingId: base, baseId: base, quoteId: quote, settleId: quote }
          : { ...listing, kind: 'cexPair', baseId: base, quoteId: quote },
      );
    } else if (r < 0.72 && tokens.length >= 2) {
      const t0 = pick(tokens);
      const t1 = pick(tokens);
      add({
        kind: 'dexPool',
        venue: `BCH${t0.chainId}`,
        symbol: `LP${b36(g, 6)}`,
        source: 'defi',
        status: 'active',
        chainId: t0.chainId,
        address: hex40(g, 77),
        token0Id: t0.id,
        token1Id: t1.id === t0.id ? currencies[0]! : t1.id,
        feeTier: pick([100, 500, 3000, 10000]),
        poolType: pick(['constantProduct', 'concentratedLiquidity'] as const),
      });
    } else if (r < 0.8) {
      add({
        kind: 'future',
        venue: `BF${b36(Math.floor(rnd() * 60), 2)}`,
        symbol: `FU${b36(g, 6)}`,
        source: 'tradfi',
        status: 'active',
        expiry: 1_800_000_000_000 + Math.floor(rnd() * 1e10),
        ...(underlyings.length ? { underlyingId: pick(underlyings) } : {}),
      });
    } else if (r < 0.95 && (underlyings.length || currencies.length)) {
      const und = underlyings.length && rnd() < 0.7 ? pick(underlyings) : pick(currencies);
      add({
        kind: 'option',
        venue: `BO${b36(Math.floor(rnd() * 60), 2)}`,
        symbol: `OP${b36(g, 7)}`,
        source: 'tradfi',
        status: 'active',
        underlyingId: und,
        expiry: 1_800_000_000_000 + Math.floor(rnd() * 1e10),
        strike: { raw: BigInt(1 + Math.floor(rnd() * 1e6)), scale: 2 },
        right: rnd() < 0.5 ? 'call' : 'put',
        style: rnd() < 0.5 ? 'american' : 'european',
      });
    } else if (currencies.length >= 2) {
      add({
        kind: 'synthetic',
        venue: `BS${b36(Math.floor(rnd() * 20), 2)}`,
        symbol: `SY${b36(g, 6)}`,
        source: 'synthetic',
        status: 'active',
        legs: [
          { id: pick(currencies), weight: { raw: 1n, scale: 0 } },
          { id: pick(currencies), weight: { raw: 1n, scale: 0 }, negative: true },
        ],
      });
    }
  }
  return { entries, registerNs, perSec: registerNs > 0 ? entries.length / (registerNs / 1e9) : 0 };
}

/**
 * Check that the mutable fields of a view of generated instrument `g` all come from one version
 * (the stress tests' self-checking scheme). Returns null if consistent, else what is torn.
 * Identity (symbol) is checked by the caller.
 */
export const checkVersion = stressCheckVersion;

/** The patch the bench writer applies for version `v` of generated instrument `g`. */
export const benchPatch = stressPatch;
