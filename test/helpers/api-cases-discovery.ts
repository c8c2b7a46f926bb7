/**
 * Invalid-argument cases of `test/api-errors.test.ts`: discovery (mappings, detection, parsing,
 * loading) and venues.
 */
import { join } from 'node:path';
import * as api from '../../src/index.js';
import { all, BAD, BAD_STRING, each, NOT_OBJECT, NOT_STRING, NOT_UINT, sweep, type Entry } from './api-walk.js';
import { MAPPING, type Fixtures } from './api-fixtures.js';

const objects = (): Record<string, unknown> => Object.fromEntries(NOT_OBJECT.map((n) => [n, BAD[n]]));
const INTERNAL = '@internal (re-exported by discovery/index.ts): the engine raises and catches it; it never leaves discover or loadPayload';

/** Cases of the discovery and venue exports. */
export function discoveryCases(fx: Fixtures): Record<string, Entry> {
  const target = fx.registry;
  const mappings = [fx.mapping];
  const text = JSON.stringify({ assets: ['BTC'] });
  const missing = join(fx.dir, 'no-such-file.json');
  const badTargets = { ...objects(), empty: {}, noIdOf: { registerInstrument: () => ({ id: 1n, outcome: 'added' }) } };
  const badMappings = {
    ...objects(),
    empty: {},
    array: [],
    proto: JSON.parse('{"__proto__":{"name":"x"},"name":"x"}') as unknown,
    nameUpper: { ...MAPPING, name: 'Assets' },
    formatBogus: { ...MAPPING, format: 'xml' },
    kindBogus: { ...MAPPING, instruments: [{ ...MAPPING.instruments[0], kind: 'bond' }] },
    exprBroken: { ...MAPPING, records: 'assets[' },
  };
  const venue = { code: 'XTST', name: 'Test', status: 'active', type: 'exchange' };
  const v = fx.venues;
  return {
    // ------------------------------------------------------------------ mappings
    validateMapping: { throws: each(api.validateMapping, badMappings) },
    prepareMapping: {
      throws: all(
        each(api.prepareMapping, badMappings),
        sweep((m: never, d: never) => api.prepareMapping(m, d), [MAPPING, fx.dir], 1, ['null', 'number', 'object']),
        each((p: never) => api.prepareMapping(MAPPING, fx.dir, p), { null: null, string: 'x', number: 1 }),
        { tableFileMissing: () => api.prepareMapping({ ...MAPPING, tables: { t: { file: 'no-such-table.json' } } }, fx.dir) },
      ),
    },
    loadMappings: {
      throws: all(
        sweep(api.loadMappings, [fx.dir], 0, ['null', 'number', 'object', 'empty']),
        { missingDir: () => api.loadMappings(join(fx.dir, 'no', 'such')), isFile: () => api.loadMappings(fx.payloadFile) },
        each((x: never) => api.loadMappings(fx.dir, x), { null: null, string: 'x', number: 1, itemNumber: [1] }),
      ),
    },
    defaultMappingsDir: { allow: 'takes no arguments' },
    userMappingsDirs: { allow: 'takes no arguments (reads INSTREG_MAPPINGS_DIR; an unreadable entry is reported by loadMappings)' },
    specificity: { throws: each(api.specificity, { ...objects(), empty: {}, detectNull: { ...MAPPING, detect: null } }) },

    // ------------------------------------------------------------------ detection and parsing
    detectPayload: {
      throws: all(
        sweep(api.detectPayload, [text, 'a.json', mappings], 0, NOT_STRING),
        sweep(api.detectPayload, [text, 'a.json', mappings], 1, ['null', 'number', 'object']),
        sweep(api.detectPayload, [text, 'a.json', mappings], 2, ['undefined', 'null', 'number', 'string', 'object']),
        each((m: never) => api.detectPayload(text, 'a.json', m), { itemNull: [null], itemEmpty: [{}], detectNull: [{ ...MAPPING, detect: null }] }),
      ),
    },
    detectFormat: {
      throws: all(
        sweep(api.detectFormat, [text, 'a.json', mappings], 0, NOT_STRING),
        sweep(api.detectFormat, [text, 'a.json', mappings], 2, ['undefined', 'null', 'number', 'string', 'object']),
        each((m: never) => api.detectFormat(text, 'a.json', m), { itemNull: [null] }),
      ),
    },
    parseJsonText: {
      throws: all(sweep(api.parseJsonText, ['{}'], 0, NOT_STRING), each(api.parseJsonText, { empty: '', broken: '{"a":', surrogateOnly: '\uD800' })),
    },
    parseCsvPayload: {
      throws: all(
        sweep(api.parseCsvPayload, ['a,b\n1,2\n'], 0, NOT_STRING),
        each((o: never) => api.parseCsvPayload('a,b\n1,2\n', o), {
          null: null,
          number: 1,
          delimiterEmpty: { delimiter: '' },
          skipLinesString: { skipLines: 'x' },
        }),
        each(api.parseCsvPayload, { unclosedQuote: 'a,b\n"1,2\n' }),
      ),
    },
    jsonErrorOffset: { throws: sweep(api.jsonErrorOffset, ['{'], 0, NOT_STRING) },
    lineColumn: { throws: all(sweep(api.lineColumn, ['a\nb', 2], 0, NOT_STRING), sweep(api.lineColumn, ['a\nb', 2], 1, NOT_UINT)) },
    convertValue: {
      throws: all(
        each((s: never) => api.convertValue(s, 'x', 'symbol', {}), {
          number: 1,
          null: null,
          unknownName: 'shout',
          unknownObject: { frobnicate: 'x' },
          mapMissingTable: { map: 'nope' },
          itemNull: [null],
        }),
        sweep((s: never, x: never, f: never, t: never) => api.convertValue(s, x, f, t), [{ map: 't' }, 'a', 'symbol', { t: { a: 'A' } }], 3, [
          'undefined',
          'null',
          'number',
          'string',
        ]),
      ),
    },
    errorCode: { allow: `${INTERNAL}; maps any thrown value to { code, reason }` },
    RecordReject: { allow: INTERNAL },

    // ------------------------------------------------------------------ discovery and loading
    discover: {
      throws: all(
        sweep((t: never) => api.discover(t, fx.mapping, target), [text], 0, NOT_STRING),
        { notJson: () => api.discover('{', fx.mapping, target) },
        each((m: never) => api.discover(text, m, target), badMappings),
        each((t: never) => api.discover(text, fx.mapping, t), badTargets),
        each((o: never) => api.discover(text, fx.mapping, target, o), { null: null, number: 1, knownString: { known: 'x' } }),
      ),
    },
    readPayload: {
      throws: all(
        sweep((p: never) => api.readPayload(p, mappings), [fx.payloadFile], 0, [...NOT_STRING, 'empty']),
        { missing: () => api.readPayload(missing, mappings), isDir: () => api.readPayload(fx.dir, mappings) },
        each((m: never) => api.readPayload(fx.payloadFile, m), { undefined: undefined, null: null, string: 'x' }),
      ),
    },
    loadPayload: {
      throws: all(
        sweep((p: never) => api.loadPayload(p, target, mappings), [fx.payloadFile], 0, [...NOT_STRING, 'empty']),
        { missing: () => api.loadPayload(missing, target, mappings) },
        each((t: never) => api.loadPayload(fx.payloadFile, t, mappings), badTargets),
        each((m: never) => api.loadPayload(fx.payloadFile, target, m), { undefined: undefined, null: null, string: 'x' }),
        each((o: never) => api.loadPayload(fx.payloadFile, target, mappings, o), {
          null: null,
          number: 1,
          maxRejectsNegative: { maxRejects: -1 },
          sessionArray: { session: [] },
        }),
      ),
    },
    loadDirectory: {
      throws: all(
        sweep((d: never) => api.loadDirectory(d, target, { mappings }), [fx.dir], 0, [...NOT_STRING, 'empty']),
        {
          missing: () => api.loadDirectory(join(fx.dir, 'no', 'such'), target, { mappings }),
          isFile: () => api.loadDirectory(fx.payloadFile, target, { mappings }),
        },
        each((t: never) => api.loadDirectory(fx.dir, t, { mappings }), badTargets),
        each((o: never) => api.loadDirectory(fx.dir, target, o), {
          null: null,
          number: 1,
          mappingsString: { mappings: 'x' },
          onProgressString: { mappings, onProgress: 'x' },
        }),
      ),
    },

    // ------------------------------------------------------------------ venues
    isTradableStatus: {
      misses: Object.fromEntries([...BAD_STRING, 'string'].map((n) => [n, [() => api.isTradableStatus(BAD[n as keyof typeof BAD] as never), false]])),
    },
    looksLikeMicList: { misses: Object.fromEntries(NOT_STRING.map((n) => [n, [() => api.looksLikeMicList(BAD[n] as never), false]])) },
    loadMicList: { throws: all(sweep(api.loadMicList, ['MIC\n'], 0, NOT_STRING), each(api.loadMicList, { empty: '', notMic: 'a,b\n1,2\n' })) },
    findMicList: {
      throws: all(sweep(api.findMicList, [fx.dir], 0, [...NOT_STRING, 'empty']), {
        noList: () => api.findMicList(fx.dir),
        missingDir: () => api.findMicList(join(fx.dir, 'no', 'such')),
      }),
    },
    checkVenueInfo: {
      throws: each(api.checkVenueInfo, {
        ...objects(),
        empty: {},
        codeLower: { ...venue, code: 'xtst' },
        statusBogus: { ...venue, status: 'open' },
        typeBogus: { ...venue, type: 'bazaar' },
        feeString: { ...venue, makerFeeBps: '1' },
        chainIdsString: { ...venue, chainIds: 'x' },
        proto: JSON.parse('{"__proto__":{"code":"XTST"},"name":"x"}') as unknown,
      }),
    },
    loadCryptoVenues: {
      throws: each(api.loadCryptoVenues, {
        undefined: undefined,
        null: null,
        number: 1,
        notJson: '{',
        empty: {},
        venuesString: { venues: 'x' },
        venueBad: { venues: [{ code: 1 }] },
      }),
    },
    defaultVenueRegistry: {
      throws: all(
        sweep((d: never) => api.defaultVenueRegistry(d), [fx.dir], 0, [...NOT_STRING, 'empty']),
        { noMicList: () => api.defaultVenueRegistry(fx.dir) },
        each((o: never) => api.defaultVenueRegistry(fx.dir, o), { null: null, listenerString: { onStatusChange: 'x' } }),
      ),
    },
    VenueRegistry: {
      throws: each((o: never) => new api.VenueRegistry(o), { null: null, number: 1, listenerString: { onStatusChange: 'x' } }),
      methods: {
        addVenue: {
          throws: all(
            each((i: never) => v.addVenue(i), { ...objects(), empty: {}, codeLower: { ...venue, code: 'xtst' } }),
            each((o: never) => v.addVenue({ ...venue, code: 'XTSU' } as never, o), { null: null, number: 1 }),
            {
              duplicate: () => {
                v.addVenue({ ...venue, code: 'XDUP' } as never);
                return v.addVenue({ ...venue, code: 'XDUP' } as never);
              },
            },
          ),
        },
        get: { misses: Object.fromEntries([...BAD_STRING, 'string'].map((n) => [n, [() => v.get(BAD[n as keyof typeof BAD] as never), undefined]])) },
        isKnownMic: {
          misses: Object.fromEntries([...BAD_STRING, 'string'].map((n) => [n, [() => v.isKnownMic(BAD[n as keyof typeof BAD] as never), false]])),
          throws: each((o: never) => v.isKnownMic('XNAS', o), { null: null, number: 1 }),
        },
        all: { allow: 'takes no arguments' },
        shadowedMics: { allow: 'takes no arguments' },
        chains: { allow: 'takes no arguments' },
        setChain: {
          throws: all(
            sweep((c: never, code: never) => v.setChain(c, code), [1, 'XNAS'], 0, [...NOT_UINT, 'huge']),
            sweep((c: never, code: never) => v.setChain(c, code), [1, 'XNAS'], 1, BAD_STRING),
          ),
        },
        venueForChain: { misses: Object.fromEntries(NOT_UINT.map((n) => [n, [() => v.venueForChain(BAD[n] as never), undefined]])) },
        setStatus: {
          throws: all(
            sweep((c: never, s: never) => v.setStatus(c, s), ['XDUP', 'suspended'], 0, [...BAD_STRING, 'string']),
            sweep((c: never, s: never) => v.setStatus(c, s), ['XDUP', 'suspended'], 1, [...BAD_STRING, 'string']),
          ),
        },
        findBestVenue: {
          throws: all(
            sweep((l: never, c: never) => v.findBestVenue(l, c), [[], 'LowestFees'], 0, ['undefined', 'null', 'number', 'string', 'object']),
            sweep((l: never, c: never) => v.findBestVenue(l, c), [[], 'LowestFees'], 1, [...BAD_STRING, 'string']),
            each((l: never) => v.findBestVenue(l, 'LowestFees'), { itemNull: [null], itemNoVenue: [{ symbol: 'X', id: 1n }] }),
          ),
        },
      },
    },
  };
}
