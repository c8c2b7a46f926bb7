/**
 * fast-check arbitraries of VALID wire messages: every value respects `validateInstrument`'s
 * rules (and `validateVenue`'s), and is already in normalised form (upper-case identifiers,
 * lower-case EVM addresses), so `decode(encode(x))` must deep-equal `x`.
 *
 * Identifier check digits come from `src/identifiers` (published algorithms, tested there
 * against published examples).
 */
import fc from 'fast-check';
import { KINDS, STATUS_CODES, type KindField, type KindName } from '../../layout/index.js';
import { cusipCheckDigit, isinCheckDigit, sedolCheckDigit } from '../../src/identifiers/index.js';
import type { Fixed, InstrumentInput, InstrumentPatch } from '../../src/model/types.js';
import type { CexPairRegistrationMessage, PoolRegistrationMessage, WireMessage, WireVenue } from '../../src/wire/types.js';

const utf8 = new TextEncoder();
const U64_MAX = (1n << 64n) - 1n;
const MS_MAX = Number.MAX_SAFE_INTEGER;
/** Largest |fee| in hundredths of a bp that validateInstrument accepts: (2^31/100 − 1) × 100. */
const FEE_UNITS_MAX = 2147483548;

/** fast-check may build null-prototype objects; the codec returns ordinary ones. Deep-copy to ordinary objects. */
function plain<T>(v: T): T {
  return structuredClone(v);
}

const bytesOf = (s: string): number => utf8.encode(s).length;
const wellFormed = (s: string): boolean => !/\p{Surrogate}/u.test(s);

/** Text of 1..maxBytes UTF-8 bytes, no NUL, well-formed; mixes ASCII and arbitrary Unicode. */
export function text(maxBytes: number, minLength = 1): fc.Arbitrary<string> {
  const maxLength = Math.min(maxBytes, 64);
  return fc
    .oneof(
      fc.string({ unit: 'grapheme-ascii', minLength, maxLength }),
      fc.string({ unit: 'binary', minLength, maxLength }),
      fc.string({ unit: 'grapheme', minLength, maxLength: Math.max(minLength, maxLength >> 2) }),
    )
    .filter((s) => s.length >= minLength && !s.includes('\0') && wellFormed(s) && bytesOf(s) <= maxBytes);
}

export const u64 = fc.bigInt({ min: 0n, max: U64_MAX });
/** u64 biased towards the 32-bit boundaries where halves are split. */
export const u64Edgy = fc.oneof(u64, fc.constantFrom(0n, 1n, 0xffffffffn, 0x100000000n, U64_MAX, 1n << 63n));
export const ms = fc.oneof(fc.integer({ min: -MS_MAX, max: MS_MAX }), fc.integer({ min: 0, max: 4102444800000 }));
export const fee = fc.integer({ min: -FEE_UNITS_MAX, max: FEE_UNITS_MAX }).map((k) => k / 100);

export const fixedArb: fc.Arbitrary<Fixed> = fc.record({ raw: u64Edgy, scale: fc.integer({ min: 0, max: 30 }) });
export const positiveFixed: fc.Arbitrary<Fixed> = fc.record({
  raw: fc.oneof(fc.bigInt({ min: 1n, max: U64_MAX }), fc.constantFrom(1n, U64_MAX)),
  scale: fc.integer({ min: 0, max: 30 }),
});

const alnum = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split('');
const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split('');
const chars = (set: string[], n: number): fc.Arbitrary<string> => fc.array(fc.constantFrom(...set), { minLength: n, maxLength: n }).map((a) => a.join(''));

export const isin = fc.tuple(chars(letters, 2), chars(alnum, 9)).map(([c, n]) => `${c}${n}${isinCheckDigit(c + n)}`);
export const cusip = chars([...alnum, '*', '@', '#'], 8).map((s) => `${s}${cusipCheckDigit(s)}`);
export const sedol = chars('0123456789BCDFGHJKLMNPQRSTVWXYZ'.split(''), 6).map((s) => `${s}${sedolCheckDigit(s)}`);
export const currencyCode = fc.stringMatching(/^[A-Z0-9]{2,12}$/);
export const venueCode = fc.stringMatching(/^[A-Z0-9_.-]{1,16}$/);
const evmAddress = fc.stringMatching(/^0x[0-9a-f]{40}$/);
const NON_EVM_CHAIN = 501000101;
const chainAndAddress = fc.oneof(
  fc.record({ chainId: fc.integer({ min: 1, max: 0xffffffff }).filter((c) => c !== NON_EVM_CHAIN), address: evmAddress }),
  fc.record({ chainId: fc.constant(NON_EVM_CHAIN), address: fc.stringMatching(/^[0-9A-Za-z_.:-]{1,64}$/) }),
);

const common = {
  symbol: text(28),
  venue: venueCode,
  source: fc.constantFrom('defi', 'cex', 'tradfi', 'synthetic' as const),
  status: fc.constantFrom(...(Object.keys(STATUS_CODES) as Array<keyof typeof STATUS_CODES>)),
  name: text(256),
  priceDecimals: fc.integer({ min: 0, max: 30 }),
  sizeDecimals: fc.integer({ min: 0, max: 255 }),
  tickSize: positiveFixed,
  lotSize: positiveFixed,
  minQty: fixedArb,
  maxQty: fixedArb,
  makerFeeBps: fee,
  takerFeeBps: fee,
  createdAt: ms,
  updatedAt: ms,
};
const COMMON_REQUIRED = ['symbol', 'venue', 'source', 'status'] as const;

/** An OCC symbol in its stored, 21-character padded form. */
const occSymbol = fc
  .tuple(chars(letters, 1), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 99 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 }))
  .chain(([r0, extra, yy, mm, dd]) =>
    fc.tuple(chars(alnum, extra), fc.constantFrom('C', 'P'), fc.integer({ min: 1, max: 99_999_999 })).map(([rest, cp, k]) => {
      const root = (r0 + rest).padEnd(6, ' ');
      const p2 = (n: number) => String(n).padStart(2, '0');
      return `${root}${p2(yy)}${p2(mm)}${p2(dd)}${cp}${String(k).padStart(8, '0')}`;
    }),
  );

/**
 * Arbitrary of one descriptor field (`layout/kinds.ts`): the field's type and format give the
 * generator, so a field added to a descriptor is fuzzed without a change here. `address` and
 * `chainId` are generated together by {@link chainAndAddress}.
 */
function fieldArb(f: KindField): fc.Arbitrary<unknown> {
  switch (f.type) {
    case 'u8':
      return fc.integer({ min: f.min ?? 0, max: f.max ?? 0xff });
    case 'u32':
      return fc.integer({ min: f.min ?? 0, max: f.max ?? 0xffffffff });
    case 'id':
      return u64Edgy;
    case 'ms':
      return ms;
    case 'fixed':
      return f.positive ? positiveFixed : fixedArb;
    case 'enum':
      return fc.constantFrom(...Object.keys(f.codes ?? {}));
    case 'legs':
      return fc.array(leg, { minLength: 1, maxLength: 64 });
    case 'str':
      switch (f.format) {
        case 'isin':
          return isin;
        case 'cusip':
          return cusip;
        case 'sedol':
          return sedol;
        case 'currency':
          return currencyCode;
        case 'occ':
          return occSymbol;
        default:
          return text(f.max ?? 255);
      }
  }
}
const leg = fc.record({ id: u64Edgy, weight: fixedArb, negative: fc.boolean() }, { requiredKeys: ['id', 'weight'] });

/** Arbitrary valid instrument of one kind, from its descriptor (plus the cross-field rules of validation). */
function kindArb(kind: KindName): fc.Arbitrary<InstrumentInput> {
  const fields = (KINDS[kind].fields as readonly KindField[]).filter((f) => f.format !== 'address' && f.name !== 'chainId');
  const onChain = (KINDS[kind].fields as readonly KindField[]).some((f) => f.format === 'address');
  const arbs = Object.fromEntries(fields.map((f) => [f.name, fieldArb(f)]));
  const required = fields.filter((f) => f.required).map((f) => f.name);
  const base = fc
    .record({ ...common, ...arbs }, { requiredKeys: [...COMMON_REQUIRED, ...required] as never })
    .map((r) => ({ ...r, kind }) as Record<string, unknown>);
  const withChain: fc.Arbitrary<Record<string, unknown>> = onChain ? fc.tuple(base, chainAndAddress).map(([r, ca]) => ({ ...r, ...ca })) : base;
  return withChain.map((r) => {
    if (kind === 'future') {
      // validation: contractType defaults to future (stored), a dated future has an expiry, a perpetual none
      r.contractType ??= 'future';
      if (r.contractType === 'perpetual') delete r.expiry;
      else r.expiry ??= 0;
    }
    return r as unknown as InstrumentInput;
  });
}

/** Arbitrary valid instrument of each kind. */
export const instrumentsByKind = Object.fromEntries((Object.keys(KINDS) as KindName[]).map((k) => [k, kindArb(k)])) as Record<
  KindName,
  fc.Arbitrary<InstrumentInput>
>;
const dexPool = instrumentsByKind.dexPool;
const cexPair = instrumentsByKind.cexPair;

/** A valid instrument of any kind (all kinds equally likely). */
export const instrument: fc.Arbitrary<InstrumentInput> = fc.oneof(...Object.values(instrumentsByKind)).map(plain);

/** A valid patch (any subset of the mutable fields). */
export const patch: fc.Arbitrary<InstrumentPatch> = fc
  .record(
    {
      status: common.status,
      name: common.name,
      priceDecimals: common.priceDecimals,
      sizeDecimals: common.sizeDecimals,
      tickSize: common.tickSize,
      lotSize: common.lotSize,
      minQty: common.minQty,
      maxQty: common.maxQty,
      makerFeeBps: fee,
      takerFeeBps: fee,
      updatedAt: ms,
    },
    { requiredKeys: [] },
  )
  .map(plain);

/** A valid venue record. */
export const venue: fc.Arbitrary<WireVenue> = fc
  .record(
    {
      code: venueCode,
      mic: fc.stringMatching(/^[A-Z0-9]{4}$/),
      name: text(256),
      country: chars(letters, 2),
      status: fc.constantFrom('active', 'halted', 'delisted' as const),
      makerFeeBps: fee,
      takerFeeBps: fee,
    },
    { requiredKeys: ['code', 'name', 'status'] },
  )
  .map(plain);

const header = { seq: u64Edgy, timestampNs: u64Edgy, flags: fc.constantFrom(0, 1) };

/** A valid message of any type. */
export const message: fc.Arbitrary<WireMessage> = fc
  .oneof(
    fc.record({ type: fc.constant('instrumentRegistration' as const), ...header, instrument }),
    fc.record({ type: fc.constant('poolRegistration' as const), ...header, instrument: dexPool as fc.Arbitrary<PoolRegistrationMessage['instrument']> }),
    fc.record({ type: fc.constant('cexPairRegistration' as const), ...header, instrument: cexPair as fc.Arbitrary<CexPairRegistrationMessage['instrument']> }),
    fc.record({ type: fc.constant('instrumentUpdate' as const), ...header, id: u64Edgy, patch }),
    fc.record({ type: fc.constant('instrumentRemoval' as const), ...header, id: u64Edgy }),
    fc.record({ type: fc.constant('venueRegistration' as const), ...header, venue }),
    fc.record({ type: fc.constant('snapshotMarker' as const), ...header, logSeq: u64Edgy, instrumentCount: fc.integer({ min: 0, max: 0xffffffff }) }),
    fc.record({ type: fc.constant('healthCheck' as const), ...header, nonce: u64Edgy }),
    fc.record({ type: fc.constant('errorResponse' as const), ...header, code: text(64), message: fc.oneof(fc.constant(''), text(1024)), refSeq: u64Edgy }),
  )
  .map(plain);
