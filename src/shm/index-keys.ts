/**
 * Which secondary-index entries an instrument gets, and their keys. The writer adds these;
 * readers build their query keys with the same functions (`keyhash.ts`, `pack.ts`).
 *
 * | index   | entry  | key                                           | kinds            |
 * |---------|--------|-----------------------------------------------|------------------|
 * | SYMBOL  | hashed | hash of venue index + symbol                  | all              |
 * | ISIN    | keyed  | ISIN packed base 40 (A, B)                    | stock, etf       |
 * | CUSIP   | keyed  | CUSIP packed base 40 (A, B)                   | stock, etf       |
 * | ADDRESS | hashed | hash of chain id + lower-case address         | token, dexPool   |
 * | PAIR    | hashed | hash of unordered {base, quote} / {t0, t1}    | cexPair, dexPool |
 * | ASSET   | keyed  | hash of the leg id, then the id (lo, hi)      | cexPair, dexPool |
 *
 * @module
 */
import type { IndexName } from '../../layout/index.js';
import type { InstrumentInput } from '../model/types.js';
import { splitId } from '../id/derive.js';
import { hashChainAddress, hashIdHalves, hashIdPair, hashVenueSymbol } from './keyhash.js';
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
  // Validation accepted the code (ISIN ISO 6166 / CUSIP), so it packs.
  if (!packCode(code, packed)) throw new Error(`index key: ${code} does not pack`);
  return { index, a: packed[0]!, b: packed[1]!, c: 0 };
}

/** The index keys of a validated instrument whose venue has index `venue`. */
export function indexKeys(inst: InstrumentInput, venue: number): IndexKey[] {
  const keys: IndexKey[] = [{ index: 'SYMBOL', a: hashVenueSymbol(venue, inst.symbol) | 0, b: 0, c: 0 }];
  switch (inst.kind) {
    case 'stock':
    case 'etf':
      if (inst.isin) keys.push(codeKey('ISIN', inst.isin));
      if (inst.cusip) keys.push(codeKey('CUSIP', inst.cusip));
      break;
    case 'token':
      keys.push({ index: 'ADDRESS', a: hashChainAddress(inst.chainId, inst.address.toLowerCase()) | 0, b: 0, c: 0 });
      break;
    case 'dexPool':
      keys.push({ index: 'ADDRESS', a: hashChainAddress(inst.chainId, inst.address.toLowerCase()) | 0, b: 0, c: 0 });
      pairKeys(keys, inst.token0Id, inst.token1Id);
      break;
    case 'cexPair':
      pairKeys(keys, inst.baseId, inst.quoteId);
      break;
    default:
      break;
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
