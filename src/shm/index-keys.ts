/**
 * Which secondary-index entries an instrument gets, and their keys, derived from its kind's
 * descriptor (`layout/kinds.ts`: a field's `index`, the kind's `addressIndexed` and `pair`). The
 * writer adds these; readers build their query keys with the same functions (`keyhash.ts`, `pack.ts`).
 *
 * | index      | entry  | key                                           | declared by              |
 * |------------|--------|-----------------------------------------------|--------------------------|
 * | SYMBOL     | hashed | hash of venue index + symbol                  | every kind               |
 * | ISIN       | keyed  | ISIN packed base 40 (A, B)                    | field `index: 'ISIN'`    |
 * | CUSIP      | keyed  | CUSIP packed base 40 (A, B)                   | field `index: 'CUSIP'`   |
 * | SEDOL      | keyed  | SEDOL packed base 40 (A, B)                   | field `index: 'SEDOL'`   |
 * | OCC        | hashed | hash of the OCC symbol                        | field `index: 'OCC'`     |
 * | UNDERLYING | keyed  | hash of the referenced id, then the id        | field `index: 'UNDERLYING'` |
 * | ADDRESS    | hashed | hash of chain id + lower-case address         | kind `addressIndexed`    |
 * | PAIR       | hashed | hash of unordered {leg 0, leg 1}              | kind `pair`              |
 * | ASSET      | keyed  | hash of the leg id, then the id (lo, hi)      | kind `pair` (each leg)   |
 *
 * @module
 */
import { KINDS, type IndexName, type KindDescriptor, type KindField } from '../../layout/index.js';
import type { InstrumentInput } from '../model/types.js';
import { splitId } from '../id/derive.js';
import { hashChainAddress, hashIdHalves, hashIdPair, hashString, hashVenueSymbol } from './keyhash.js';
import { packCode } from './pack.js';

/** One index entry's key: `a` (hash or packed word A, never 0), `b`, `c` (0 for hashed entries). */
export interface IndexKey {
  index: IndexName;
  a: number;
  b: number;
  c: number;
}

const packed = new Int32Array(2);

function codeKey(index: IndexName, code: string): IndexKey {
  // Validation accepted the code (ISIN ISO 6166 / CUSIP / SEDOL), so it packs.
  if (!packCode(code, packed)) throw new Error(`index key: ${code} does not pack`);
  return { index, a: packed[0]!, b: packed[1]!, c: 0 };
}

/** Hash of an OCC symbol as index key A (never 0). */
export function occKeyHash(occ: string): number {
  return hashString(occ) | 0;
}

/** Index-bearing fields of each kind, in field order. */
const INDEXED: Record<string, readonly KindField[]> = Object.fromEntries(
  Object.entries(KINDS).map(([k, d]) => [k, (d.fields as readonly KindField[]).filter((f) => f.index !== undefined)]),
);

/** The index keys of a validated instrument whose venue has index `venue`. */
export function indexKeys(inst: InstrumentInput, venue: number): IndexKey[] {
  const keys: IndexKey[] = [{ index: 'SYMBOL', a: hashVenueSymbol(venue, inst.symbol) | 0, b: 0, c: 0 }];
  const rec = inst as unknown as Record<string, unknown>;
  const d: KindDescriptor = KINDS[inst.kind];
  for (const f of INDEXED[inst.kind]!) {
    const v = rec[f.name];
    if (v === undefined) continue;
    switch (f.index!) {
      case 'ISIN':
      case 'CUSIP':
      case 'SEDOL':
        keys.push(codeKey(f.index!, v as string));
        break;
      case 'OCC':
        keys.push({ index: 'OCC', a: occKeyHash(v as string), b: 0, c: 0 });
        break;
      case 'UNDERLYING': {
        const [lo, hi] = splitId(v as bigint);
        keys.push({ index: 'UNDERLYING', a: hashIdHalves(lo, hi) | 0, b: lo | 0, c: hi | 0 });
        break;
      }
    }
  }
  if (d.addressIndexed) keys.push({ index: 'ADDRESS', a: hashChainAddress(rec.chainId as number, (rec.address as string).toLowerCase()) | 0, b: 0, c: 0 });
  if (d.pair) {
    const a = rec[d.pair[0]] as bigint | undefined;
    const b = rec[d.pair[1]] as bigint | undefined;
    if (a !== undefined && b !== undefined) pairKeys(keys, a, b);
  }
  return keys;
}

/** Do two key lists hold the same entries (order included)? */
export function sameKeys(x: readonly IndexKey[], y: readonly IndexKey[]): boolean {
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) {
    const p = x[i]!;
    const q = y[i]!;
    if (p.index !== q.index || p.a !== q.a || p.b !== q.b || p.c !== q.c) return false;
  }
  return true;
}

function pairKeys(keys: IndexKey[], a: bigint, b: bigint): void {
  const [aLo, aHi] = splitId(a);
  const [bLo, bHi] = splitId(b);
  keys.push({ index: 'PAIR', a: hashIdPair(aLo, aHi, bLo, bHi) | 0, b: 0, c: 0 });
  keys.push({ index: 'ASSET', a: hashIdHalves(aLo, aHi) | 0, b: aLo | 0, c: aHi | 0 });
  if (a !== b) keys.push({ index: 'ASSET', a: hashIdHalves(bLo, bHi) | 0, b: bLo | 0, c: bHi | 0 });
}
