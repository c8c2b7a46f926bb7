import { blake3 } from '@noble/hashes/blake3.js';
import { describe, expect, it } from 'vitest';
import { IdDeriver, deriveIdReference, formatId, joinId, parseId } from '../src/id/derive.js';
import { identityBytes } from '../src/id/identity.js';
import { validateInstrument } from '../src/model/validate.js';
import type { InstrumentInput } from '../src/model/types.js';
import { oneOfEachKind, prng } from './helpers/instruments.js';

// Canonical identity bytes written out by hand from the format in src/id/identity.ts,
// independently of the encoder, and hashed with @noble/hashes.
const enc = new TextEncoder();
const str = (s: string) => {
  const b = enc.encode(s);
  return [b.length & 0xff, b.length >> 8, ...b];
};
const u32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
function nobleId(bytes: number[]): bigint {
  const d = blake3(Uint8Array.from(bytes), { dkLen: 12 });
  return new DataView(d.buffer).getBigUint64(0, true);
}

/** Golden vectors: same instrument → same id on every machine and run. */
const GOLDEN: Array<[string, InstrumentInput, number[], string]> = [
  [
    'token USDC on Ethereum',
    { kind: 'token', symbol: 'USDC', venue: 'ETHEREUM', source: 'defi', status: 'active', chainId: 1, address: '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48' },
    [2, 1, 0, ...u32(1), ...str('0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48')],
    '0x8a6c63deda3ae2eb',
  ],
  [
    'AAPL on XNAS by ISIN',
    { kind: 'stock', symbol: 'AAPL', venue: 'XNAS', source: 'tradfi', status: 'active', isin: 'US0378331005' },
    [2, 2, 0, ...str('US0378331005'), ...str('XNAS')],
    '0x202570c5d887605e',
  ],
  ['currency BTC', { kind: 'currency', symbol: 'BTC', venue: 'ASSET', source: 'cex', status: 'active' }, [2, 6, 0, ...str('BTC')], '0x92a2b4d4b7579b14'],
  [
    'Binance BTCUSDT',
    {
      kind: 'cexPair',
      symbol: 'BTCUSDT',
      venue: 'BINANCE',
      source: 'cex',
      status: 'active',
      baseId: 1n,
      quoteId: 2n,
    },
    [2, 7, 0, ...str('BINANCE'), ...str('BTCUSDT')],
    '0xa9f423a8166d831a',
  ],
];

describe('instrument ids (BLAKE3 over canonical identity)', () => {
  it.each(GOLDEN)('golden vector: %s', async (_name, inst, bytes, hex) => {
    const v = validateInstrument(inst);
    expect(Array.from(identityBytes(v))).toEqual(bytes);
    expect(formatId(nobleId(bytes))).toBe(hex);
    const d = (await IdDeriver.create()).derive(v);
    expect(formatId(joinId(d.idLo, d.idHi))).toBe(hex);
  });

  it('WASM BLAKE3 (hash-wasm) equals @noble/hashes on every kind and on random identities', async () => {
    const fast = await IdDeriver.create();
    const rnd = prng(7);
    const insts = oneOfEachKind();
    for (let i = 0; i < 500; i++) {
      insts.push({
        kind: 'cexPair',
        symbol: `P${Math.floor(rnd() * 1e9)}`,
        venue: `V${i % 17}`,
        source: 'cex',
        status: 'active',
        baseId: BigInt(i),
        quoteId: 3n,
      });
      insts.push({
        kind: 'token',
        symbol: 'T',
        venue: 'ETHEREUM',
        source: 'defi',
        status: 'active',
        chainId: 1 + (i % 5),
        address: `0x${Math.floor(rnd() * 2 ** 52)
          .toString(16)
          .padStart(40, 'a')}`,
      });
    }
    for (const inst of insts) {
      const v = validateInstrument(inst);
      expect(fast.derive(v)).toEqual(deriveIdReference(v));
    }
  });

  it('identity ignores non-identity fields and normalises case', async () => {
    const d = await IdDeriver.create();
    const base = GOLDEN[0]![1];
    const a = d.derive(validateInstrument(base));
    const b = d.derive(
      validateInstrument({ ...base, symbol: 'USDC.e', name: 'renamed', address: (base as { address: string }).address.toLowerCase() } as InstrumentInput),
    );
    expect(b).toEqual(a);
    const opt = oneOfEachKind().find((x) => x.kind === 'option')!;
    const o1 = d.derive(validateInstrument(opt));
    const o2 = d.derive(validateInstrument({ ...opt, strike: { raw: 190000n, scale: 3 }, name: 'AAPL Jan 24 190 C' } as InstrumentInput));
    expect(o2).toEqual(o1);
  });

  it('narrow id widths keep only the low bits (used to force collisions)', async () => {
    const d8 = await IdDeriver.create(8);
    const d64 = await IdDeriver.create(64);
    const v = validateInstrument(GOLDEN[2]![1]);
    const full = joinId(d64.derive(v).idLo, d64.derive(v).idHi);
    expect(joinId(d8.derive(v).idLo, d8.derive(v).idHi)).toBe(full & 0xffn);
    await expect(IdDeriver.create(0)).rejects.toMatchObject({ name: 'RegistryError', code: 'InvalidArgument' });
  });

  it('parses and formats hex ids', () => {
    expect(parseId('0x0807c4a84779dbdf')).toBe(0x0807c4a84779dbdfn);
    expect(parseId('807C4A84779DBDF')).toBe(0x0807c4a84779dbdfn);
    expect(parseId('xyz')).toBeUndefined();
    expect(formatId(1n)).toBe('0x0000000000000001');
  });
});
