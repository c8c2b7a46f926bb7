/**
 * Which secondary-index entries an instrument gets, and their key hashes. The writer adds
 * these; readers hash their queries with the same functions from `keyhash.ts`.
 *
 * | index   | key                                   | kinds                      |
 * |---------|---------------------------------------|----------------------------|
 * | SYMBOL  | venue index + symbol                  | all                        |
 * | ISIN    | ISIN                                  | stock, etf                 |
 * | CUSIP   | CUSIP                                 | stock, etf                 |
 * | ADDRESS | chain id + lower-case address         | token, dexPool             |
 * | PAIR    | unordered {base, quote} / {t0, t1}    | cexPair, dexPool           |
 * | ASSET   | each leg id (base, quote / t0, t1)    | cexPair, dexPool           |
 *
 * @module
 */
import type { IndexName } from '../../layout/index.js';
import type { InstrumentInput } from '../model/types.js';
import { splitId } from '../id/derive.js';
import { hashChainAddress, hashIdHalves, hashIdPair, hashString, hashVenueSymbol } from './keyhash.js';

/** `[index, keyHash]` pairs for a validated instrument whose venue has index `venue`. */
export function indexKeys(inst: InstrumentInput, venue: number): Array<[IndexName, number]> {
  const keys: Array<[IndexName, number]> = [['SYMBOL', hashVenueSymbol(venue, inst.symbol)]];
  switch (inst.kind) {
    case 'stock':
    case 'etf':
      if (inst.isin) keys.push(['ISIN', hashString(inst.isin)]);
      if (inst.cusip) keys.push(['CUSIP', hashString(inst.cusip)]);
      break;
    case 'token':
      keys.push(['ADDRESS', hashChainAddress(inst.chainId, inst.address.toLowerCase())]);
      break;
    case 'dexPool':
      keys.push(['ADDRESS', hashChainAddress(inst.chainId, inst.address.toLowerCase())]);
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

function pairKeys(keys: Array<[IndexName, number]>, a: bigint, b: bigint): void {
  const [aLo, aHi] = splitId(a);
  const [bLo, bHi] = splitId(b);
  keys.push(['PAIR', hashIdPair(aLo, aHi, bLo, bHi)]);
  keys.push(['ASSET', hashIdHalves(aLo, aHi)]);
  if (a !== b) keys.push(['ASSET', hashIdHalves(bLo, bHi)]);
}
