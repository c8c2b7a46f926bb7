/**
 * Property and fuzz tests of the wire protocol. Case counts come from `helpers/fuzz-runs.ts`:
 * 100 000 in total by default, `INSTREG_FUZZ_RUNS=<total>` for a long run.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RegistryError } from '../src/errors.js';
import { decodeMessage, encodeMessage } from '../src/wire/codec.js';
import { MessageFramer } from '../src/wire/framer.js';
import { LogApplier, LogWriter } from '../src/wire/log.js';
import type { WireMessage } from '../src/wire/types.js';
import { FakeLogTarget } from './helpers/fake-log-target.js';
import { FUZZ_TOTAL, runs } from './helpers/fuzz-runs.js';
import { instrument, message, patch } from './helpers/wire-arbitraries.js';
import { buildFrame } from './helpers/wire-frames.js';

const MAX_FRAME = 32 + 8192;
let cases = 0;

/** Decode and classify: a message, or the RegistryError it threw. Any other throw fails the test. */
function tryDecode(bytes: Uint8Array): { ok: true; msg: WireMessage } | { ok: false; error: RegistryError } {
  try {
    return { ok: true, msg: decodeMessage(bytes) };
  } catch (e) {
    if (!(e instanceof RegistryError)) throw new Error(`non-RegistryError escaped: ${String(e)}`, { cause: e });
    return { ok: false, error: e };
  }
}

/** Whatever decodes must be a valid message: it re-encodes and round-trips unchanged. */
function expectValid(msg: WireMessage): void {
  expect(decodeMessage(encodeMessage(msg))).toStrictEqual(msg);
}

// Each property's share of the budget grows with FUZZ_TOTAL: so does its time limit (the 1 M run's log-stream property takes ~4 min here).
describe(`wire fuzz (${FUZZ_TOTAL} cases in total)`, { timeout: 120_000 + FUZZ_TOTAL * 2 }, () => {
  it('round trip: decode(encode(x)) deep-equals x for random valid messages of every type and kind; encoding is canonical', () => {
    fc.assert(
      fc.property(message, (m) => {
        cases++;
        const bytes = encodeMessage(m);
        const back = decodeMessage(bytes);
        expect(back).toStrictEqual(m);
        expect(Buffer.from(encodeMessage(back)).equals(Buffer.from(bytes))).toBe(true);
      }),
      { numRuns: runs(0.15) },
    );
  });

  it('1-3 bit flips anywhere in a frame are always rejected with a RegistryError (CRC32 Hamming distance 4)', () => {
    fc.assert(
      fc.property(message, fc.uniqueArray(fc.nat(), { minLength: 1, maxLength: 3 }), (m, raw) => {
        cases++;
        const f = encodeMessage(m);
        const bits = new Set(raw.map((b) => b % (f.length * 8)));
        for (const b of bits) f[b >> 3] ^= 1 << (b & 7);
        const r = tryDecode(f);
        expect(r.ok).toBe(false);
      }),
      { numRuns: runs(0.25) },
    );
  });

  it('random byte overwrites (1-16 bytes) are rejected with a RegistryError', () => {
    fc.assert(
      fc.property(message, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 16 }), (m, edits) => {
        cases++;
        const f = encodeMessage(m);
        const orig = f.slice();
        for (const [pos, x] of edits) f[pos % f.length] ^= x;
        if (Buffer.from(f).equals(Buffer.from(orig))) return; // edits cancelled out
        // more than 3 bits may now differ: a CRC32 collision is possible with probability 2^-32
        expect(tryDecode(f).ok).toBe(false);
      }),
      { numRuns: runs(0.1) },
    );
  });

  it('truncation gives BufferTooSmall, extension gives LengthOutOfBounds', () => {
    fc.assert(
      fc.property(message, fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 40 }), (m, cut, extra) => {
        cases++;
        const f = encodeMessage(m);
        const r1 = tryDecode(f.subarray(0, cut % f.length));
        expect(!r1.ok && r1.error.code).toBe('BufferTooSmall');
        const longer = new Uint8Array(f.length + extra.length);
        longer.set(f);
        longer.set(extra, f.length);
        const r2 = tryDecode(longer);
        expect(!r2.ok && r2.error.code).toBe('LengthOutOfBounds');
      }),
      { numRuns: runs(0.1) },
    );
  });

  it('garbage, raw and behind a valid header + CRC: a RegistryError or a valid message, nothing else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 1, max: 9 }), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), (junk, type, seq) => {
        cases++;
        const raw = tryDecode(junk);
        if (raw.ok) expectValid(raw.msg);
        const framed = tryDecode(buildFrame({ type, seq, payload: junk }));
        if (framed.ok) expectValid(framed.msg);
      }),
      { numRuns: runs(0.15) },
    );
  });

  it('structure-aware mutation of valid payloads with LENGTH and CRC fixed up: a RegistryError or a valid message', () => {
    const mutation = fc.oneof(
      fc.record({ op: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
      fc.record({ op: fc.constant('set' as const), at: fc.nat(), v: fc.integer({ min: 0, max: 255 }) }),
      fc.record({ op: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 12 }) }),
      fc.record({ op: fc.constant('delete' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 12 }) }),
    );
    const seen = new Set<string>();
    fc.assert(
      fc.property(message, fc.array(mutation, { minLength: 1, maxLength: 4 }), (m, muts) => {
        cases++;
        const f = encodeMessage(m);
        let p = [...f.subarray(32)];
        for (const mu of muts) {
          const at = p.length === 0 ? 0 : mu.at % (p.length + (mu.op === 'insert' ? 1 : 0));
          if (mu.op === 'flip' && p.length) p[at] ^= 1 << mu.bit;
          else if (mu.op === 'set' && p.length) p[at] = mu.v;
          else if (mu.op === 'insert') p = [...p.slice(0, at), ...mu.bytes, ...p.slice(at)];
          else if (mu.op === 'delete') p = [...p.slice(0, at), ...p.slice(at + mu.n)];
        }
        const r = tryDecode(buildFrame({ type: f[4], seq: m.seq, timestampNs: m.timestampNs, flags: m.flags, payload: p }));
        if (r.ok) {
          expectValid(r.msg);
          seen.add('decoded');
        } else seen.add(r.error.code);
      }),
      { numRuns: runs(0.2) },
    );
    // the mutations reach the payload decoders (not only the CRC check): every payload error class shows up
    if (runs(0.2) >= 5000) {
      for (const c of ['decoded', 'LengthOutOfBounds', 'InvalidEnum', 'InvalidField', 'FieldTooLong']) expect(seen, c).toContain(c);
    }
  });

  it('corrupted log streams through framer + applier: never a foreign message, never a non-RegistryError, chunking-independent, bounded', () => {
    const op = fc.oneof(
      { arbitrary: instrument.map((i) => ({ op: 'register' as const, i })), weight: 3 },
      { arbitrary: fc.tuple(fc.bigInt({ min: 1n, max: 8n }), patch).map(([id, p]) => ({ op: 'update' as const, id, p })), weight: 1 },
      { arbitrary: fc.bigInt({ min: 1n, max: 8n }).map((id) => ({ op: 'remove' as const, id })), weight: 1 },
    );
    let lost = 0;
    let reported = 0;
    const damage = fc.oneof(
      fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
      fc.record({ kind: fc.constant('garbage' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }) }),
      fc.record({ kind: fc.constant('drop' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 80 }) }),
      fc.record({ kind: fc.constant('dup' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 200 }) }),
    );
    fc.assert(
      fc.property(
        fc.array(op, { minLength: 1, maxLength: 8 }),
        fc.array(damage, { maxLength: 4 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (ops, dmg, rawCuts) => {
          cases++;
          const w = new LogWriter();
          const frames = ops.map((o) => (o.op === 'register' ? w.register(o.i) : o.op === 'update' ? w.update(o.id, o.p) : w.remove(o.id)));
          const originals = new Map(frames.map((f) => [decodeMessage(f).seq, decodeMessage(f)]));
          let s = [...Buffer.concat(frames)];
          for (const d of dmg) {
            const at = d.at % (s.length + 1);
            if (d.kind === 'flip' && at < s.length) s[at] ^= 1 << d.bit;
            else if (d.kind === 'garbage') s = [...s.slice(0, at), ...d.bytes, ...s.slice(at)];
            else if (d.kind === 'drop') s = [...s.slice(0, at), ...s.slice(at + d.n)];
            else if (d.kind === 'dup') s = [...s.slice(0, at), ...s.slice(at, at + d.n), ...s.slice(at)];
          }
          const stream = Uint8Array.from(s);
          const feed = (cuts: number[]) => {
            const errors: string[] = [];
            const framer = new MessageFramer({ onError: (e, at) => errors.push(`${e.code}@${at}`) });
            const out: WireMessage[] = [];
            let prev = 0;
            for (const c of [...cuts, stream.length]) {
              out.push(...framer.push(stream.subarray(prev, c)));
              expect(framer.buffered).toBeLessThan(MAX_FRAME);
              prev = c;
            }
            out.push(...framer.end());
            return { out, errors };
          };
          const whole = feed([]);
          const cuts = [...new Set(rawCuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
          const chunked = feed(cuts);
          expect(chunked.out).toStrictEqual(whole.out);
          expect(chunked.errors).toEqual(whole.errors);
          // every message that comes out is exactly the original frame with that seq
          for (const m of whole.out) expect(m).toStrictEqual(originals.get(m.seq));
          // and the target only ever sees original operations
          const target = new FakeLogTarget();
          new LogApplier(target, { onGapPolicy: 'apply' }).applyAll(whole.out);
          for (const call of target.calls) {
            const src = whole.out.find((m) =>
              call.op === 'register' ? 'instrument' in m && m.instrument === call.input : 'id' in call && 'id' in m && m.id === call.id,
            );
            expect(src).toBeDefined();
          }
          if (dmg.length === 0) expect(whole.out.length).toBe(frames.length);
          lost += frames.length - new Set(whole.out.map((m) => m.seq)).size;
          reported += whole.errors.length;
        },
      ),
      { numRuns: runs(0.05) },
    );
    if (runs(0.05) >= 1000) {
      expect(lost).toBeGreaterThan(0); // the damage really hits frames…
      expect(reported).toBeGreaterThan(0); // …and is reported
    }
  });

  it('ran the configured number of cases', () => {
    expect(cases).toBeGreaterThanOrEqual(Math.floor(FUZZ_TOTAL * 0.99));
  });
});
