import { recrc } from './helpers/wire-frames.js';
import { describe, expect, it } from 'vitest';
import * as L from '../layout/wire.js';
import type { InstrumentInput } from '../src/model/types.js';
import { decodeMessage, encodeMessage } from '../src/wire/codec.js';
import type { WireMessage } from '../src/wire/types.js';

const h = { seq: 7n, timestampNs: 1_700_000_000_000_000_000n, flags: 0 };
const btc = { kind: 'currency', symbol: 'BTC', venue: 'ASSET', source: 'cex', status: 'active', createdAt: 1, updatedAt: 2 } as InstrumentInput;
const codeOf = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
};

describe('service messages (types 10-15)', () => {
  const samples: WireMessage[] = [
    { type: 'ack', ...h, refSeq: 3n, logSeq: (1n << 64n) - 1n, id: 0x91cd58f6006be229n, outcome: 'updated' },
    { type: 'query', ...h, query: { kind: 'byId', id: 42n } },
    { type: 'query', ...h, query: { kind: 'venueSymbol', venue: 'BINANCE', symbol: 'BTCUSDT' } },
    { type: 'query', ...h, query: { kind: 'isin', isin: 'US0378331005' } },
    { type: 'queryResponse', ...h, refSeq: 3n, logSeq: 9n, truncated: false, instruments: [{ ...btc, id: 5n }] },
    { type: 'healthResponse', ...h, nonce: 11n, logSeq: 12n, instruments: 13, role: 'replica' },
    { type: 'subscribe', ...h, fromSeq: 99n },
    { type: 'snapshotChunk', ...h, logSeq: 4n, total: 10, offset: 2, data: new Uint8Array([1, 2, 3]) },
  ];
  it.each(samples.map((m) => [m.type, m] as const))('%s round-trips', (_t, m) => {
    expect(decodeMessage(encodeMessage(m))).toEqual(m);
  });

  it('payload sizes and offsets are the documented ones (SPEC-wire.md)', () => {
    expect([L.WIRE_ACK_SIZE, L.WIRE_HRESP_SIZE, L.WIRE_SUB_SIZE, L.WIRE_CHUNK_DATA_OFFSET, L.WIRE_QRESP_ITEMS_OFFSET]).toEqual([25, 21, 8, 24, 19]);
    expect(encodeMessage(samples[0]!).length).toBe(32 + 25);
    expect(L.WIRE_CHUNK_MAX_DATA).toBe(8192 - 24);
  });

  it('a query response keeps what fits in one frame and says it is truncated', () => {
    const many = Array.from({ length: 400 }, (_, i) => ({ ...btc, symbol: `S${i}`, name: 'x'.repeat(40), id: BigInt(i + 1) }));
    const m = decodeMessage(encodeMessage({ type: 'queryResponse', ...h, refSeq: 1n, logSeq: 1n, truncated: false, instruments: many }));
    expect(m.type === 'queryResponse' && m.truncated).toBe(true);
    const got = m.type === 'queryResponse' ? m.instruments : [];
    expect(got.length).toBeGreaterThan(10);
    expect(got).toEqual(many.slice(0, got.length));
  });

  it('invalid values are typed errors', () => {
    expect(codeOf(() => encodeMessage({ type: 'ack', ...h, refSeq: 1n, logSeq: 1n, id: 1n, outcome: 'nope' as never }))).toBe('InvalidEnum');
    expect(codeOf(() => encodeMessage({ type: 'query', ...h, query: { kind: 'other' } as never }))).toBe('InvalidEnum');
    expect(codeOf(() => encodeMessage({ type: 'snapshotChunk', ...h, logSeq: 1n, total: 2, offset: 1, data: new Uint8Array(2) }))).toBe('InvalidField');
    expect(
      codeOf(() => encodeMessage({ type: 'snapshotChunk', ...h, logSeq: 1n, total: 1e6, offset: 0, data: new Uint8Array(L.WIRE_CHUNK_MAX_DATA + 1) })),
    ).toBe('InvalidField');
    // an ack with outcome code 0 (never valid) is refused on decode
    const f = Buffer.from(encodeMessage(samples[0]!));
    f[32 + L.WIRE_ACK_OUTCOME_OFFSET] = 0;
    recrc(f);
    expect(codeOf(() => decodeMessage(f))).toBe('InvalidEnum');
  });
});
