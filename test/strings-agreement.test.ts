/**
 * Issue 12 item 6: validation (`validateInstrument`) and the wire codec accept exactly the same
 * strings, and an accepted string comes back from the wire unchanged. Random strings of random
 * UTF-16 code units (lone surrogates, pairs, NUL, non-ASCII, over-long), in the symbol and in the
 * name of an instrument registration and in a rename patch. On the previous code a lone
 * surrogate passed validation (stored as U+FFFD, so different symbols shared one id) and was
 * then refused by the wire encoder.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RegistryError } from '../src/errors.js';
import type { InstrumentInput } from '../src/model/types.js';
import { validateInstrument } from '../src/model/validate.js';
import { decodeMessage, encodeMessage } from '../src/wire/codec.js';
import type { WireMessage } from '../src/wire/types.js';
import { runs } from './helpers/fuzz-runs.js';

const unit = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0x21, max: 0x7e }) },
  { weight: 2, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffff }) },
  { weight: 1, arbitrary: fc.constantFrom(0, 0xfffd, 0xfeff, 0xe9) },
);
const str = fc.oneof(
  fc.array(unit, { minLength: 0, maxLength: 40 }).map((u) => String.fromCharCode(...u)),
  fc
    .tuple(fc.string({ maxLength: 10 }), fc.integer({ min: 0xd800, max: 0xdfff }), fc.string({ maxLength: 10 }))
    .map(([a, s, b]) => a + String.fromCharCode(s) + b),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ minLength: 60, maxLength: 300 }),
);

const base = (symbol: string, name: string): InstrumentInput =>
  ({ kind: 'currency', symbol, venue: 'ASSET', source: 'cex', status: 'active', name }) as InstrumentInput;

function accepts(f: () => unknown): boolean {
  try {
    f();
    return true;
  } catch (e) {
    if (!(e instanceof RegistryError)) throw e;
    return false;
  }
}

/** An independent statement of "well-formed UTF-16": every code unit of a surrogate pair is paired. */
function wellFormed(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (!(d >= 0xdc00 && d <= 0xdfff)) return false;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) return false;
  }
  return true;
}

describe('validation and the wire codec accept the same strings', () => {
  it('symbol and name of a registration: validate accepts ⇔ encode accepts, and decode returns the same string', () => {
    fc.assert(
      fc.property(str, str, (symbol, name) => {
        const inst = base(symbol, name);
        const v = accepts(() => validateInstrument(inst));
        const msg: WireMessage = { type: 'instrumentRegistration', seq: 1n, timestampNs: 0n, flags: 0, instrument: inst };
        let bytes: Uint8Array | undefined;
        const w = accepts(() => {
          bytes = encodeMessage(msg);
        });
        expect(w).toBe(v);
        if (v) {
          const back = decodeMessage(bytes!) as { instrument: InstrumentInput };
          expect(back.instrument.symbol).toBe(symbol);
          expect(back.instrument.name).toBe(name);
        }
        if (!wellFormed(symbol) || !wellFormed(name)) expect(v).toBe(false);
      }),
      { numRuns: runs(0.05) },
    );
  });

  it('a rename patch: validate accepts ⇔ encode accepts, and decode returns the same name', () => {
    fc.assert(
      fc.property(str, (name) => {
        const v = accepts(() => validateInstrument(base('X', name)));
        const msg: WireMessage = { type: 'instrumentUpdate', seq: 1n, timestampNs: 0n, flags: 0, id: 1n, patch: { name } };
        let bytes: Uint8Array | undefined;
        expect(accepts(() => (bytes = encodeMessage(msg)))).toBe(v);
        if (v) expect((decodeMessage(bytes!) as { patch: { name?: string } }).patch.name).toBe(name);
      }),
      { numRuns: runs(0.02) },
    );
  });

  it('three symbols differing only in a lone surrogate are three refusals, not one id', () => {
    for (const s of ['AB\uD800', 'AB\uDC00', 'AB\uDBFF']) {
      let e: unknown;
      try {
        validateInstrument(base(s, 'n'));
      } catch (x) {
        e = x;
      }
      expect((e as RegistryError).code, JSON.stringify(s)).toBe('InvalidField');
      expect((e as Error).message).toMatch(/lone UTF-16 surrogate/);
    }
    expect(validateInstrument(base('AB\uD83D\uDE00', 'n')).symbol).toBe('AB\uD83D\uDE00');
  });
});
