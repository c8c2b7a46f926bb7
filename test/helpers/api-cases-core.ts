/**
 * Invalid-argument cases of `test/api-errors.test.ts`: the model, ids, identifiers, JSON and
 * configuration exports of `instreg`.
 */
import * as api from '../../src/index.js';
import { all, BAD, BAD_STRING, type BadName, each, NOT_FUNCTION, NOT_OBJECT, NOT_STRING, NOT_U64, NOT_UINT, sweep, type Entry } from './api-walk.js';
import type { Fixtures } from './api-fixtures.js';

/** Values that are not a u32 id half (signed i32 halves, as views hold them, are accepted). */
const NOT_HALF: BadName[] = ['undefined', 'null', 'NaN', 'fraction', 'infinity', 'string', 'bigint', 'object', 'symbol'];

/** Fixed values no `Fixed` can be. */
const BAD_FIXED = {
  undefined: undefined,
  null: null,
  number: 1,
  string: '0.01',
  empty: {},
  proto: JSON.parse('{"__proto__":{"raw":1,"scale":0}}') as unknown,
  rawNumber: { raw: 1, scale: 2 },
  rawNegative: { raw: -1n, scale: 0 },
  scaleNegative: { raw: 1n, scale: -1 },
  scaleFraction: { raw: 1n, scale: 1.5 },
  scaleHuge: { raw: 1n, scale: 31 },
  scaleNaN: { raw: 1n, scale: NaN },
};

/** Instrument inputs `validateInstrument` refuses. */
export const BAD_INSTRUMENTS: Record<string, unknown> = {
  undefined: undefined,
  null: null,
  number: 1,
  string: 'BTC',
  empty: {},
  proto: JSON.parse('{"__proto__":{"kind":"currency","symbol":"BTC","venue":"ASSET","source":"cex","status":"active"}}') as unknown,
  kindUnknown: { kind: 'bond', symbol: 'X', venue: 'ASSET', source: 'cex', status: 'active' },
  symbolSurrogate: { kind: 'currency', symbol: 'B\uD800', venue: 'ASSET', source: 'cex', status: 'active' },
  symbolLong: { kind: 'currency', symbol: 'B'.repeat(100_000), venue: 'ASSET', source: 'cex', status: 'active' },
  venueNumber: { kind: 'currency', symbol: 'BTC', venue: 7, source: 'cex', status: 'active' },
  tokenNoChain: { kind: 'token', symbol: 'T', venue: 'ETHEREUM', source: 'defi', status: 'active', address: '0x' + '1'.repeat(40) },
  tokenChainNaN: { kind: 'token', symbol: 'T', venue: 'ETHEREUM', source: 'defi', status: 'active', chainId: NaN, address: '0x' + '1'.repeat(40) },
  optionNoStrike: {
    kind: 'option',
    symbol: 'O',
    venue: 'XCBO',
    source: 'tradfi',
    status: 'active',
    underlyingId: 1n,
    expiry: 0,
    right: 'call',
    style: 'american',
  },
  optionU64: {
    kind: 'option',
    symbol: 'O',
    venue: 'XCBO',
    source: 'tradfi',
    status: 'active',
    underlyingId: 2n ** 64n,
    expiry: 0,
    strike: { raw: 1n, scale: 0 },
    right: 'call',
    style: 'american',
  },
  legsNull: { kind: 'synthetic', symbol: 'S', venue: 'SYN', source: 'synthetic', status: 'active', legs: [null] },
  tickString: { kind: 'currency', symbol: 'BTC', venue: 'ASSET', source: 'cex', status: 'active', tickSize: '0.01' },
};

/** Cases of the model, id, identifier, JSON and config exports. */
export function coreCases(fx: Fixtures): Record<string, Entry> {
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = cyclic;
  const deep: Record<string, unknown> = {};
  let d = deep;
  for (let i = 0; i < 100_000; i++) d = d.x = {};
  const occ = { root: 'AAPL', expiry: { year: 2024, month: 1, day: 19 }, right: 'call', strike: { raw: 190n, scale: 0 } };
  return {
    // ------------------------------------------------------------------ model
    validateInstrument: { throws: each(api.validateInstrument, BAD_INSTRUMENTS) },
    symbolIsUnique: {
      allow:
        'a pure predicate over the InstrumentKind union (src/model/types.ts): a value that is not a kind answers true; no instrument of an unknown kind can exist (validateInstrument refuses it)',
    },
    storedFields: { throws: each((k: never) => api.storedFields(k), { undefined: undefined, null: null, unknown: 'bond', proto: 'toString', number: 1 }) },
    fixed: {
      throws: all(
        sweep(api.fixed, [1n, 2], 0, ['undefined', 'null', 'NaN', 'fraction', 'infinity', 'negative', 'negBigint', 'string', 'object', 'symbol', 'u64']),
        sweep(api.fixed, [1n, 2], 1, [...NOT_UINT, 'huge']),
      ),
    },
    formatFixed: { throws: each(api.formatFixed, BAD_FIXED) },
    fixedToNumber: { throws: each(api.fixedToNumber, BAD_FIXED) },
    fixedEquals: {
      throws: all(
        each((v: never) => api.fixedEquals(v, { raw: 1n, scale: 0 }), { ...BAD_FIXED, undefined: null }),
        each((v: never) => api.fixedEquals({ raw: 1n, scale: 0 }, v), { ...BAD_FIXED, undefined: null }),
      ),
    },
    parseFixed: { throws: all(sweep(api.parseFixed, ['0.01'], 0, BAD_STRING), each(api.parseFixed, { negative: '-1', exp: '1e999', hex: '0x10' })) },
    decimalsOf: { throws: sweep(api.decimalsOf, ['0.01'], 0, BAD_STRING) },

    // ------------------------------------------------------------------ ids
    formatId: { throws: sweep(api.formatId, [1n], 0, NOT_U64) },
    parseId: {
      throws: sweep(api.parseId, ['0x1'], 0, NOT_STRING),
      misses: { empty: [() => api.parseId(''), undefined], notHex: [() => api.parseId('0xzz'), undefined], long: [() => api.parseId(BAD.long), undefined] },
    },
    joinId: {
      throws: all(
        sweep(api.joinId, [1, 2], 0, NOT_HALF),
        sweep(api.joinId, [1, 2], 1, NOT_HALF),
        each((v: never) => api.joinId(v, 0), { above: 2 ** 32, below: -(2 ** 31) - 1 }),
      ),
    },
    splitId: { throws: sweep(api.splitId, [1n], 0, NOT_U64) },
    deriveIdReference: {
      throws: all(
        each(api.deriveIdReference, BAD_INSTRUMENTS),
        sweep(api.deriveIdReference, [fx.btc, 64], 1, ['null', 'NaN', 'negative', 'fraction', 'string', 'bigint', 'object', 'huge']),
      ),
    },
    identityBytes: { throws: each(api.identityBytes, BAD_INSTRUMENTS) },
    IdDeriver: {
      allow: 'private constructor: instances come from IdDeriver.create',
      statics: { create: { throws: sweep(api.IdDeriver.create, [64], 0, ['null', 'NaN', 'negative', 'fraction', 'string', 'bigint', 'object', 'huge']) } },
      methods: {
        derive: { throws: each((v: never) => fx.deriver.derive(v), BAD_INSTRUMENTS) },
        deriveBytes: {
          throws: sweep((b: never) => fx.deriver.deriveBytes(b), [new Uint8Array(2)], 0, [
            'undefined',
            'null',
            'number',
            'string',
            'object',
            'proto',
            'symbol',
          ]),
        },
      },
    },

    // ------------------------------------------------------------------ identifiers
    checkIsin: { throws: all(sweep(api.checkIsin, ['US0378331005'], 0, [...BAD_STRING, 'string']), each(api.checkIsin, { checkDigit: 'US0378331006' })) },
    checkCusip: { throws: all(sweep(api.checkCusip, ['037833100'], 0, [...BAD_STRING, 'string']), each(api.checkCusip, { checkDigit: '037833101' })) },
    checkSedol: { throws: all(sweep(api.checkSedol, ['0263494'], 0, [...BAD_STRING, 'string']), each(api.checkSedol, { checkDigit: '0263495' })) },
    isinCheckDigit: { throws: sweep(api.isinCheckDigit, ['US037833100'], 0, [...BAD_STRING, 'string']) },
    cusipCheckDigit: { throws: sweep(api.cusipCheckDigit, ['03783310'], 0, [...BAD_STRING, 'string']) },
    sedolCheckDigit: { throws: sweep(api.sedolCheckDigit, ['026349'], 0, [...BAD_STRING, 'string']) },
    cusipToIsin: {
      throws: all(
        sweep(api.cusipToIsin, ['037833100', 'US'], 0, [...BAD_STRING, 'string']),
        sweep(
          api.cusipToIsin,
          ['037833100', 'US'],
          1,
          BAD_STRING.filter((n) => n !== 'undefined'),
        ),
      ),
    },
    isValidIsin: { misses: guard(api.isValidIsin) },
    isValidCusip: { misses: guard(api.isValidCusip) },
    isValidSedol: { misses: guard(api.isValidSedol) },
    isMicFormat: { misses: guard(api.isMicFormat) },
    parseOccSymbol: {
      throws: all(
        sweep(api.parseOccSymbol, ['AAPL  240119C00190000'], 0, [...BAD_STRING, 'string']),
        each(api.parseOccSymbol, { feb30: 'AAPL  240230C00190000' }),
      ),
    },
    formatOccSymbol: {
      throws: all(
        each(api.formatOccSymbol, {
          ...Object.fromEntries(NOT_OBJECT.map((n) => [n, BAD[n]])),
          empty: {},
          noExpiry: { ...occ, expiry: undefined },
          expiryNull: { ...occ, expiry: null },
          badDay: { ...occ, expiry: { year: 2024, month: 2, day: 30 } },
          strikeNull: { ...occ, strike: null },
          strikeNumber: { ...occ, strike: 190 },
        }),
        each((o: never) => api.formatOccSymbol(occ as never, o), { null: null, number: 1, string: 'x' }),
      ),
    },

    // ------------------------------------------------------------------ JSON
    toJsonValue: { throws: each(api.toJsonValue, { cyclic, deep }) },
    stringifyJson: { throws: each(api.stringifyJson, { cyclic, deep }) },
    jsonReplacer: { allow: 'a JSON.stringify replacer: maps any value (bigint, Fixed, non-finite numbers) and passes the rest through unchanged' },

    // ------------------------------------------------------------------ config
    repoRoot: { throws: all(sweep(api.repoRoot, ['.'], 0, ['null', 'number', 'object', 'symbol']), each(api.repoRoot, { noPackageJson: '/' })) },
    isCheckout: { throws: sweep(api.isCheckout, ['.'], 0, ['null', 'number', 'object', 'symbol']) },
    checkDataDir: { throws: all(sweep(api.checkDataDir, ['/data', '--data-dir'], 0, [...NOT_STRING, 'empty']), each(api.checkDataDir, { blank: '  ' })) },
    dataDir: { throws: { emptyEnv: () => withEnv({ INSTREG_DATA_DIR: '' }, api.dataDir), blankEnv: () => withEnv({ INSTREG_DATA_DIR: ' ' }, api.dataDir) } },
    cacheDir: { throws: { emptyEnv: () => withEnv({ INSTREG_CACHE_DIR: '' }, api.cacheDir) } },

    // ------------------------------------------------------------------ events: subscription patterns
    AllStocks: { allow: 'takes no arguments (returns the constant pattern)' },
    NewListings: { allow: 'takes no arguments (returns the constant pattern)' },
    AllTokens: { throws: sweep(api.AllTokens, [1], 0, [...NOT_UINT, 'huge']) },
    ISINPattern: { throws: sweep(api.ISINPattern, ['US'], 0, [...NOT_STRING, 'long', 'surrogate']) },
    VenueInstruments: { throws: sweep(api.VenueInstruments, ['XNAS'], 0, BAD_STRING) },
    Predicate: { throws: sweep(api.Predicate, [() => true], 0, NOT_FUNCTION) },
    matchesEvent: {
      throws: all(
        each((p: never) => api.matchesEvent(p, fx.event), {
          undefined: undefined,
          null: null,
          string: 'AllStocks',
          empty: {},
          unknown: { type: 'Everything' },
        }),
        sweep(api.matchesEvent, [api.AllStocks(), fx.event], 1, NOT_OBJECT),
      ),
    },
  };
}

/** A type guard's misses: `false` for every non-string and for malformed strings. */
function guard(fn: (s: never) => boolean): Record<string, [() => unknown, unknown]> {
  const out: Record<string, [() => unknown, unknown]> = {};
  for (const n of BAD_STRING) out[n] = [() => fn(BAD[n] as never), false];
  return out;
}

/** Run `fn` with environment variables set, restoring them afterwards. */
function withEnv(vars: Record<string, string>, fn: () => unknown): unknown {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    return fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
