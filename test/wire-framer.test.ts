import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RegistryError } from '../src/errors.js';
import { encodeMessage } from '../src/wire/codec.js';
import { MessageFramer } from '../src/wire/framer.js';
import type { WireMessage } from '../src/wire/types.js';
import { WIRE_MAX_FRAME } from '../layout/wire.js';
import { buildFrame, u64le } from './helpers/wire-frames.js';
import { message } from './helpers/wire-arbitraries.js';

const hdr = { timestampNs: 5n, flags: 0 };
const msgs: WireMessage[] = [
  { type: 'healthCheck', seq: 1n, ...hdr, nonce: 42n },
  {
    type: 'instrumentRegistration',
    seq: 2n,
    ...hdr,
    instrument: { kind: 'currency', symbol: 'BTC', venue: 'ASSET', source: 'cex', status: 'active', name: 'Bitcoin' },
  },
  { type: 'instrumentRemoval', seq: 3n, ...hdr, id: 77n },
  { type: 'instrumentUpdate', seq: 4n, ...hdr, id: 77n, patch: { status: 'halted', tickSize: { raw: 1n, scale: 8 } } },
  { type: 'errorResponse', seq: 5n, ...hdr, code: 'UnknownInstrument', message: 'no such id', refSeq: 4n },
];
const frames = msgs.map(encodeMessage);

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Feed `stream` cut at `cuts` (sorted offsets); returns messages and reported errors. */
function run(stream: Uint8Array, cuts: number[] = [], bufferBytes?: number) {
  const errors: { code: string; at: number }[] = [];
  const f = new MessageFramer({ onError: (e, at) => errors.push({ code: e.code, at }), ...(bufferBytes ? { bufferBytes } : {}) });
  const out: WireMessage[] = [];
  let prev = 0;
  let maxBuffered = 0;
  for (const c of [...cuts, stream.length]) {
    out.push(...f.push(stream.subarray(prev, c)));
    maxBuffered = Math.max(maxBuffered, f.buffered);
    prev = c;
  }
  out.push(...f.end());
  expect(f.buffered).toBe(0);
  return { out, errors, framer: f, maxBuffered };
}

describe('MessageFramer: clean streams', () => {
  const stream = concat(frames);

  it('one chunk', () => {
    const { out, errors } = run(stream);
    expect(out).toEqual(msgs);
    expect(errors).toEqual([]);
  });

  it('1-byte chunks', () => {
    const f = new MessageFramer({ onError: () => expect.fail('no error expected') });
    const out: WireMessage[] = [];
    for (let i = 0; i < stream.length; i++) {
      const got = f.push(stream.subarray(i, i + 1));
      // a message completes exactly on the last byte of its frame
      const endsHere = frames.reduce<number[]>((a, fr) => [...a, (a.at(-1) ?? 0) + fr.length], []).includes(i + 1);
      expect(got.length).toBe(endsHere ? 1 : 0);
      out.push(...got);
    }
    expect(out).toEqual(msgs);
    expect(f.end()).toEqual([]);
    expect(f.stats).toMatchObject({ messages: msgs.length, errors: 0, bytesSkipped: 0, bytesIn: stream.length });
  });

  it('random chunk boundaries, random messages', () => {
    fc.assert(
      fc.property(fc.array(message, { minLength: 1, maxLength: 8 }), fc.array(fc.nat(), { maxLength: 20 }), (ms, rawCuts) => {
        const s = concat(ms.map(encodeMessage));
        const cuts = [...new Set(rawCuts.map((c) => c % (s.length + 1)))].sort((a, b) => a - b);
        const { out, errors } = run(s, cuts);
        expect(errors).toEqual([]);
        expect(out).toEqual(ms);
      }),
      { numRuns: 300 },
    );
  });

  it('many frames in one big chunk; the buffer stays bounded', () => {
    const many = Array.from({ length: 5000 }, (_, i) => encodeMessage({ type: 'healthCheck', seq: BigInt(i + 1), ...hdr, nonce: BigInt(i) }));
    const { out, maxBuffered } = run(concat(many));
    expect(out.length).toBe(5000);
    expect(out[4999]).toMatchObject({ seq: 5000n, nonce: 4999n });
    expect(maxBuffered).toBeLessThan(WIRE_MAX_FRAME);
  });
});

describe('MessageFramer: corruption and resync', () => {
  it('CRC mismatch in the middle: reported at its stream offset, the other frames survive', () => {
    const bad = frames[2].slice();
    bad[bad.length - 1] ^= 0x10;
    const { out, errors } = run(concat([frames[0], frames[1], bad, frames[3], frames[4]]));
    expect(out).toEqual([msgs[0], msgs[1], msgs[3], msgs[4]]);
    expect(errors).toEqual([{ code: 'ChecksumMismatch', at: frames[0].length + frames[1].length }]);
  });

  it('corrupted LENGTH (larger): following frames are still recovered, mid-stream and at end of stream', () => {
    const bad = frames[1].slice();
    bad[8] += 40; // claims 40 more payload bytes: swallows the start of frame 2
    const s = concat([frames[0], bad, ...frames.slice(2)]);
    const a = run(s);
    expect(a.out).toEqual([msgs[0], msgs[2], msgs[3], msgs[4]]);
    expect(a.errors.map((e) => e.code)).toEqual(['ChecksumMismatch']);
    // the same when the corrupt frame is last and its claimed length runs past the end of the stream
    const bad2 = frames[4].slice();
    bad2[8] += 200;
    const b = run(concat([frames[0], bad2, frames[2]]), [1, 50]);
    expect(b.out).toEqual([msgs[0], msgs[2]]);
    expect(b.errors.map((e) => e.code)).toEqual(['BufferTooSmall']);
  });

  it('corrupted LENGTH (shorter)', () => {
    const bad = frames[1].slice();
    bad[8] -= 3;
    const { out, errors } = run(concat([frames[0], bad, frames[2]]), [3, 17, 60]);
    expect(out).toEqual([msgs[0], msgs[2]]);
    expect(errors.map((e) => e.code)).toEqual(['ChecksumMismatch']);
  });

  it('garbage before, between and after frames: BadMagic once per run of garbage', () => {
    const junk = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed * 7 + 11) & 0xff);
    const { out, errors, framer } = run(concat([junk(100, 1), frames[0], junk(7, 2), frames[1], junk(3, 3)]), [50, 120, 140]);
    expect(out).toEqual([msgs[0], msgs[1]]);
    expect(errors.map((e) => e.code)).toEqual(['BadMagic', 'BadMagic', 'BadMagic']);
    expect(errors[0].at).toBe(0);
    expect(errors[1].at).toBe(100 + frames[0].length);
    expect(framer.stats.bytesSkipped).toBe(110);
  });

  it('header errors (version, type, oversized LENGTH) resync byte-wise; a frame with a valid CRC but invalid payload is skipped whole', () => {
    const v2 = buildFrame({ type: 8, version: 2, payload: u64le(1n) });
    const t0 = buildFrame({ type: 0, payload: u64le(1n) });
    const big = buildFrame({ type: 8, length: 100_000, payload: u64le(1n) });
    // CRC fine, payload says kind 0: InvalidEnum; its payload contains a complete valid frame that must NOT be decoded
    const inner = frames[0];
    const badPayload = buildFrame({ type: 1, payload: [0, 2, 1, 0, 0, 0, 0, 0, ...inner] });
    const { out, errors } = run(concat([v2, frames[0], t0, frames[2], big, badPayload, frames[3]]), [5, 33, 34, 35]);
    expect(out).toEqual([msgs[0], msgs[2], msgs[3]]);
    expect(errors.map((e) => e.code)).toEqual(['UnsupportedVersion', 'UnknownType', 'LengthOutOfBounds', 'InvalidEnum']);
  });

  it('end() with a partial frame reports BufferTooSmall and empties the buffer', () => {
    const { out, errors } = run(frames[1].subarray(0, 20));
    expect(out).toEqual([]);
    expect(errors.map((e) => e.code)).toEqual(['BufferTooSmall']);
    const two = run(frames[1].subarray(0, 2));
    expect(two.errors.map((e) => e.code)).toEqual(['BufferTooSmall']);
  });

  it('a megabyte of garbage in one chunk: no hang, bounded buffer, one error', () => {
    const junk = new Uint8Array(1 << 20);
    for (let i = 0; i < junk.length; i++) junk[i] = (i * 2654435761) >>> 24;
    const { out, errors, maxBuffered } = run(concat([junk, frames[0]]));
    expect(out).toEqual([msgs[0]]);
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect(errors[0].code).toBe('BadMagic');
    expect(maxBuffered).toBeLessThan(WIRE_MAX_FRAME);
  });

  it('a stalled maximal frame is held, then completes', () => {
    const name = 'n'.repeat(256);
    const m: WireMessage = {
      type: 'instrumentRegistration',
      seq: 1n,
      ...hdr,
      instrument: { kind: 'currency', symbol: 'X', venue: 'ASSET', source: 'cex', status: 'active', name },
    };
    const fr = encodeMessage(m);
    const f = new MessageFramer({ bufferBytes: WIRE_MAX_FRAME + 1 });
    expect(f.push(fr.subarray(0, fr.length - 1))).toEqual([]);
    expect(f.buffered).toBe(fr.length - 1);
    expect(f.push(fr.subarray(fr.length - 1))).toEqual([m]);
  });

  it('without onError, errors are counted and the last one kept', () => {
    const f = new MessageFramer();
    const bad = frames[0].slice();
    bad[35] ^= 1;
    expect(f.push(concat([bad, frames[1]]))).toEqual([msgs[1]]);
    expect(f.stats.errors).toBe(1);
    expect(f.lastError).toBeInstanceOf(RegistryError);
    expect(f.lastError?.code).toBe('ChecksumMismatch');
  });

  it('rejects a buffer that cannot hold one maximal frame', () => {
    expect(() => new MessageFramer({ bufferBytes: WIRE_MAX_FRAME })).toThrow(RegistryError);
  });
});
