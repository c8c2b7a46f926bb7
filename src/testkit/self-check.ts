/**
 * Self-checking instrument contents, shared by the concurrency stress tests (`workers/`,
 * `test/stress.test.ts`) and the `instreg bench` harness (`src/harness/`): every mutable field of
 * version `v` of instrument `i` is derived from (i, v), so a reader can tell a consistent record
 * from a torn one (fields from two versions) without knowing which version is current.
 *
 * @module
 */
import type { InstrumentInput, InstrumentPatch } from '../model/types.js';
import type { FieldSet } from '../reader/fields.js';
import type { InstrumentView } from '../reader/view.js';

/** Mix (i, v) into a 32-bit check value. */
function mix(i: number, v: number): number {
  let h = Math.imul(i ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(v + 0x7f4a7c15, 0xc2b2ae35);
  h ^= h >>> 15;
  return Math.imul(h, 0x2c1b3c6d) >>> 0;
}

/** The base (version 0) instrument number `i` of a stress run. */
export function stressInstrument(i: number): InstrumentInput {
  return {
    kind: 'cexPair',
    symbol: `S${i}`,
    venue: 'STRESS',
    source: 'cex',
    status: 'active',
    baseId: BigInt(i + 1),
    quoteId: BigInt(1_000_000 + i),
    createdAt: 0, // the updatedAt of every version (stressPatch) is at or after it
    ...stressPatch(i, 0),
  };
}

/** Mutable fields of version `v` of instrument `i`. */
export function stressPatch(i: number, v: number): InstrumentPatch {
  return {
    tickSize: { raw: BigInt(v + 1), scale: 0 },
    lotSize: { raw: BigInt(mix(i, v)), scale: 0 },
    minQty: { raw: BigInt(mix(v, i)), scale: 0 },
    maxQty: { raw: (BigInt(mix(i, v)) << 20n) | BigInt(v & 0xfffff), scale: 0 },
    makerFeeBps: (mix(i, v) % 1000) / 100,
    takerFeeBps: (mix(v, i) % 1000) / 100,
    updatedAt: v * 1000 + (i % 1000),
    priceDecimals: v % 31,
  };
}

/**
 * Check that the mutable fields of a view of instrument `i` all come from one version `v`
 * (`stressPatch(i, v)`). Returns null if consistent, else what is torn.
 */
export function checkVersion(view: InstrumentView, i: number): string | null {
  const tick = view.tickSize;
  if (!tick) return 'no tick size';
  const v = Number(tick.raw) - 1;
  const want = stressPatch(i, v);
  if (view.lotSize?.raw !== want.lotSize!.raw) return `lot size torn at v=${v}`;
  if (view.minQty?.raw !== want.minQty!.raw) return `min qty torn at v=${v}`;
  if (view.maxQty?.raw !== want.maxQty!.raw) return `max qty torn at v=${v}`;
  if (view.makerFeeBps !== want.makerFeeBps) return `maker fee torn at v=${v}`;
  if (view.takerFeeBps !== want.takerFeeBps) return `taker fee torn at v=${v}`;
  if (view.updatedAt !== want.updatedAt) return `updatedAt torn at v=${v}`;
  if (view.priceDecimals !== want.priceDecimals) return `price decimals torn at v=${v}`;
  return null;
}

/**
 * Check a view of instrument `i`: identity fields must be i's, and all mutable fields must be
 * one version's. Returns null if consistent, else a description of the inconsistency.
 */
export function checkView(view: InstrumentView, i: number): string | null {
  const sym = view.symbol;
  if (sym !== `S${i}`) return `symbol ${sym} for instrument ${i}`;
  return checkVersion(view, i);
}

/** What {@link checkVersionFields} needs a field set to carry. */
export const STRESS_FIELDS = ['tickSize', 'lotSize', 'minQty', 'maxQty', 'fees', 'updatedAt', 'decimals'] as const;

/**
 * Hot-API twin of {@link checkVersion}: the words a FieldSet of {@link STRESS_FIELDS} copied for
 * instrument `i` must all come from one version. Returns null if consistent, else what is torn.
 */
export function checkVersionFields(f: FieldSet, i: number): string | null {
  const v = f.tickRaw - 1;
  if (v < 0) return 'no tick size';
  const want = stressPatch(i, v);
  if (f.lotRaw !== Number(want.lotSize!.raw)) return `lot size torn at v=${v}`;
  if (f.minQtyRaw !== Number(want.minQty!.raw)) return `min qty torn at v=${v}`;
  if (f.maxQtyRaw !== Number(want.maxQty!.raw)) return `max qty torn at v=${v}`;
  if (f.makerFeeBps !== want.makerFeeBps) return `maker fee torn at v=${v}`;
  if (f.takerFeeBps !== want.takerFeeBps) return `taker fee torn at v=${v}`;
  if (f.updatedAt !== want.updatedAt) return `updatedAt torn at v=${v}`;
  if (f.priceDecimals !== want.priceDecimals) return `price decimals torn at v=${v}`;
  return null;
}

/** Token `i` of the rename stress: its symbol alternates with the version (`T{i}a` even, `T{i}b` odd). */
export function stressToken(i: number, v: number): InstrumentInput {
  return {
    kind: 'token',
    symbol: stressTokenSymbol(i, v),
    venue: 'ETHEREUM',
    source: 'defi',
    status: 'active',
    chainId: 1,
    address: `0x${(0x5157_0000 + i).toString(16).padStart(40, '0')}`,
    createdAt: 0,
    ...stressPatch(i, v),
  };
}

/** Symbol of version `v` of stress token `i`. */
export function stressTokenSymbol(i: number, v: number): string {
  return `T${i}${v & 1 ? 'b' : 'a'}`;
}

/** 4 KiB of pseudo-random capital letters: {@link stressName} fillers are windows of it. */
const FILLER_SOURCE = (() => {
  let s = '';
  let h = 0x1234567;
  for (let k = 0; k < 4096; k++) {
    h = Math.imul(h ^ (h >>> 13), 0x5bd1e995) >>> 0;
    s += String.fromCharCode(0x41 + (h % 26));
  }
  return s;
})();

/** Filler of {@link stressName}: `n` letters at an offset derived from (i, v), so torn or shifted bytes do not pass. */
function nameFiller(i: number, v: number, n: number): string {
  const at = mix(i, v) % (FILLER_SOURCE.length - n);
  return FILLER_SOURCE.slice(at, at + n);
}

/** Bytes of every {@link stressName} (long, so renames make garbage fast; ≤ NAME_MAX_BYTES). */
export const STRESS_NAME_BYTES = 200;

/** Name of version `v` of instrument `i` in the heap stress: `N{i}.{v}.` then a filler derived from (i, v), 200 ASCII bytes. */
export function stressName(i: number, v: number): string {
  const head = `N${i}.${v}.`;
  return head + nameFiller(i, v, STRESS_NAME_BYTES - head.length);
}

/**
 * The version of instrument `i` a name read back belongs to, or -1 if it is no version's name
 * (garbage, torn bytes, another instrument's name).
 */
export function stressNameVersion(name: string | undefined, i: number): number {
  if (name === undefined) return -1;
  const m = /^N(\d+)\.(\d+)\./.exec(name);
  if (!m || Number(m[1]) !== i) return -1;
  const v = Number(m[2]);
  return name === stressName(i, v) ? v : -1;
}

/** Contract size (detail blob) of version `v` of instrument `i` in the heap stress. */
export function stressMinNotional(i: number, v: number): bigint {
  return (BigInt(mix(v, i)) << 16n) | BigInt(v & 0xffff);
}

/**
 * Version `v` of instrument `i` of the heap stress: {@link stressInstrument} with a long name
 * ({@link stressName}) and a contract size (detail blob) that change with every version, and the
 * mutable fields of {@link stressPatch} (so `tickSize.raw − 1` is the version).
 */
export function stressRenamed(i: number, v: number): InstrumentInput {
  return { ...stressInstrument(i), ...stressPatch(i, v), name: stressName(i, v), minNotional: { raw: stressMinNotional(i, v), scale: 0 } } as InstrumentInput;
}
