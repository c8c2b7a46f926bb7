/**
 * Invalid-argument cases of `test/api-errors.test.ts`: the reader (`RegistryReader`,
 * `InstrumentView`, `FieldSet`, `SymbolKey`, the reader pool) and the change-event feed.
 */
import * as api from '../../src/index.js';
import { all, BAD, BAD_STRING, each, NOT_FUNCTION, NOT_OBJECT, NOT_STRING, NOT_U64, NOT_UINT, sweep, type BadName, type Entry } from './api-walk.js';
import type { Fixtures } from './api-fixtures.js';

/** Values that are not a venue index (an integer in -1..0xffff). */
const NOT_VENUE_INDEX: BadName[] = ['undefined', 'null', 'NaN', 'fraction', 'infinity', 'huge', 'string', 'bigint', 'object', 'symbol'];
/** Values that are not a count or a timeout (a non-negative number, Infinity allowed). */
const NOT_COUNT: BadName[] = ['null', 'NaN', 'negative', 'string', 'bigint', 'object', 'symbol'];
/** Handles no reader can attach to. */
const BAD_HANDLES = {
  ...Object.fromEntries(NOT_OBJECT.map((n) => [n, BAD[n]])),
  empty: {},
  proto: JSON.parse('{"__proto__":{"control":1}}') as unknown,
  smallControl: { control: new SharedArrayBuffer(4), regions: [], heap: new SharedArrayBuffer(4), venues: new SharedArrayBuffer(4) },
};
/** Buffers that are not an event ring. */
const BAD_RINGS = {
  ...Object.fromEntries(NOT_OBJECT.map((n) => [n, BAD[n]])),
  arrayBuffer: new ArrayBuffer(4096),
  zeroed: new SharedArrayBuffer(4096),
};

/** Cases of the reader and event exports. */
export function readerCases(fx: Fixtures): Record<string, Entry> {
  const r = fx.reader;
  const f = fx.fields;
  const out = new Int32Array(4);
  const hot =
    'hot path (byId at its 1.3× floor bound): halves are coerced with `| 0` as documented and `f` / `key` are typed FieldSet / SymbolKey, not checked per call';
  return {
    RegistryReader: {
      allow: 'private constructor: readers come from RegistryReader.attach',
      statics: { attach: { throws: each(api.RegistryReader.attach, BAD_HANDLES) } },
      methods: {
        prepareSymbolKey: {
          throws: all(
            sweep(
              (v: never, s: never) => r.prepareSymbolKey(v, s),
              ['BINANCE', 'BTCUSDT'],
              0,
              NOT_VENUE_INDEX.filter((n) => n !== 'string'),
            ),
            sweep((v: never, s: never) => r.prepareSymbolKey(v, s), ['BINANCE', 'BTCUSDT'], 1, NOT_STRING),
          ),
        },
        readBySymbol: {
          throws: all(
            sweep((v: never, s: never, x: never) => r.readBySymbol(v, s, x), [0, 'BTC', f], 0, NOT_VENUE_INDEX),
            sweep((v: never, s: never, x: never) => r.readBySymbol(v, s, x), [0, 'BTC', f], 1, NOT_STRING),
          ),
          misses: { unknownVenue: [() => r.readBySymbol(-1, 'BTC', f), false], emptySymbol: [() => r.readBySymbol(0, '', f), false] },
          allow: hot,
        },
        readById: { allow: hot },
        readBySymbolKey: { allow: hot },
        readSlotOf: { allow: hot },
        readSlot: { allow: hot },
        findByIsinSlots: {
          throws: sweep((i: never, o: never) => r.findByIsinSlots(i, o), ['US0378331005', out], 1, [
            'undefined',
            'null',
            'number',
            'object',
            'array',
            'string',
          ]),
          misses: Object.fromEntries(BAD_STRING.map((n) => [n, [() => r.findByIsinSlots(BAD[n] as never, out), 0]])),
        },
        findByCusipSlots: {
          throws: sweep((i: never, o: never) => r.findByCusipSlots(i, o), ['037833100', out], 1, ['undefined', 'null', 'number', 'object', 'array', 'string']),
          misses: Object.fromEntries(BAD_STRING.map((n) => [n, [() => r.findByCusipSlots(BAD[n] as never, out), 0]])),
        },
        venueCode: { throws: sweep((i: never) => r.venueCode(i), [0], 0, ['undefined', 'null', 'NaN', 'fraction', 'string', 'object', 'symbol', 'bigint']) },
        getByIdHalves: {
          throws: all(
            sweep((lo: never, hi: never) => r.getByIdHalves(lo, hi), [1, 2], 0, [
              'undefined',
              'null',
              'NaN',
              'fraction',
              'infinity',
              'huge',
              'string',
              'bigint',
              'object',
              'symbol',
            ]),
            sweep((lo: never, hi: never) => r.getByIdHalves(lo, hi), [1, 2], 1, [
              'undefined',
              'null',
              'NaN',
              'fraction',
              'infinity',
              'huge',
              'string',
              'bigint',
              'object',
              'symbol',
            ]),
            sweep((lo: never, hi: never, v: never) => r.getByIdHalves(lo, hi, v), [0, 0, undefined], 2, ['null', 'number', 'object', 'string']),
          ),
        },
        getById: {
          throws: all(
            sweep((id: never) => r.getById(id), [fx.btcId], 0, [...NOT_U64.filter((n) => n !== 'string'), 'empty', 'long', 'surrogate', 'bool', 'array']),
            sweep((id: never, v: never) => r.getById(id, v), [fx.btcId, undefined], 1, ['null', 'number', 'object', 'string', 'proto']),
          ),
        },
        has: { throws: sweep((id: never) => r.has(id), [fx.btcId], 0, [...NOT_U64.filter((n) => n !== 'string'), 'empty', 'long']) },
        venueIndex: { misses: Object.fromEntries([...BAD_STRING, 'string'].map((n) => [n, [() => r.venueIndex(BAD[n as BadName] as never), -1]])) },
        getBySymbol: {
          throws: sweep((v: never, s: never) => r.getBySymbol(v, s), ['BINANCE', 'BTCUSDT'], 1, NOT_STRING),
          misses: Object.fromEntries(NOT_STRING.map((n) => [n, [() => r.getBySymbol(BAD[n] as never, 'BTCUSDT'), undefined]])),
        },
        getBySymbolIndex: {
          throws: all(
            sweep((v: never, s: never) => r.getBySymbolIndex(v, s), [0, 'BTC'], 0, NOT_VENUE_INDEX),
            sweep((v: never, s: never) => r.getBySymbolIndex(v, s), [0, 'BTC'], 1, NOT_STRING),
          ),
        },
        getAllBySymbol: {
          throws: sweep((v: never, s: never) => r.getAllBySymbol(v, s), ['BINANCE', 'BTCUSDT'], 1, NOT_STRING),
          misses: Object.fromEntries(NOT_STRING.map((n) => [n, [() => r.getAllBySymbol(BAD[n] as never, 'BTCUSDT'), []]])),
        },
        getByIsin: { misses: Object.fromEntries(BAD_STRING.map((n) => [n, [() => r.getByIsin(BAD[n] as never), []]])) },
        getByCusip: { misses: Object.fromEntries(BAD_STRING.map((n) => [n, [() => r.getByCusip(BAD[n] as never), []]])) },
        findAllVenuesForIsin: { misses: Object.fromEntries(BAD_STRING.map((n) => [n, [() => r.findAllVenuesForIsin(BAD[n] as never), []]])) },
        getByAddress: {
          throws: all(
            sweep((c: never, a: never) => r.getByAddress(c, a), [1, '0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48'], 0, [...NOT_UINT, 'huge']),
            sweep((c: never, a: never) => r.getByAddress(c, a), [1, '0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48'], 1, NOT_STRING),
          ),
        },
        findPoolsForPair: {
          throws: all(
            sweep((a: never, b: never) => r.findPoolsForPair(a, b), [1n, 2n], 0, NOT_U64),
            sweep((a: never, b: never) => r.findPoolsForPair(a, b), [1n, 2n], 1, NOT_U64),
          ),
        },
        findByAsset: { throws: sweep((a: never) => r.findByAsset(a), [1n], 0, NOT_U64) },
        getBySedol: { misses: Object.fromEntries(BAD_STRING.map((n) => [n, [() => r.getBySedol(BAD[n] as never), []]])) },
        getByOccSymbol: { misses: Object.fromEntries(BAD_STRING.map((n) => [n, [() => r.getByOccSymbol(BAD[n] as never), []]])) },
        findByUnderlying: { throws: sweep((a: never) => r.findByUnderlying(a), [1n], 0, NOT_U64) },
        getOptionChain: { throws: sweep((a: never) => r.getOptionChain(a), [1n], 0, NOT_U64) },
        findByType: { throws: sweep((k: never) => r.findByType(k), ['stock'], 0, [...BAD_STRING, 'string']) },
        findByVenue: { misses: Object.fromEntries([...BAD_STRING, 'string'].map((n) => [n, [() => r.findByVenue(BAD[n as BadName] as never), []]])) },
        all: { allow: 'takes no arguments' },
      },
    },
    InstrumentView: {
      throws: each((h: never) => new api.InstrumentView(h), { ...Object.fromEntries(NOT_OBJECT.map((n) => [n, BAD[n]])), empty: {} }),
      methods: { toObject: { allow: 'takes no arguments' }, recordBytes: { allow: 'takes no arguments' } },
    },
    FieldSet: {
      throws: each((x: never) => new api.FieldSet(x), {
        ...Object.fromEntries(NOT_OBJECT.map((n) => [n, BAD[n]])),
        unknown: ['id', 'nope'],
        proto: ['__proto__'],
        object: {},
      }),
    },
    SymbolKey: {
      allow: 'constructor takes no arguments',
      methods: {
        set: {
          throws: all(
            sweep((v: never, s: never) => new api.SymbolKey().set(v, s), [0, 'BTC'], 0, NOT_VENUE_INDEX),
            sweep((v: never, s: never) => new api.SymbolKey().set(v, s), [0, 'BTC'], 1, NOT_STRING),
          ),
        },
      },
    },
    createReaderPool: {
      throws: all(
        each((h: never) => api.createReaderPool(h, { threads: 1 }), BAD_HANDLES),
        each((o: never) => api.createReaderPool(fx.registry.handle, o), { null: null, number: 1, string: 'x' }),
        each((t: never) => api.createReaderPool(fx.registry.handle, { threads: t }), {
          zero: 0,
          negative: -1,
          NaN: NaN,
          fraction: 1.5,
          string: '2',
          huge: 2 ** 20,
        }),
        each((p: never) => api.createReaderPool(fx.registry.handle, { threads: 1, piscina: p }), {
          filename: { filename: '/x.js' },
          workerData: { workerData: 1 },
          number: 1,
        }),
        // The pool's methods (ReaderPool is an interface, not an export): bad tasks, a closed pool.
        each((t: never) => fx.pool.run(t), {
          undefined: undefined,
          null: null,
          string: 'ping',
          unknownOp: { op: 'nope' },
          idsArray: { op: 'ids', ids: [1n] },
          pairsString: { op: 'symbols', pairs: 'BINANCE:BTCUSDT' },
          halvesString: { op: 'idHalves', lo: '1', hi: 0 },
          moduleNumber: { op: 'module', module: 42, fn: 'f' },
          moduleMissing: { op: 'module', module: new URL('./api-pool-task.mjs', import.meta.url).href, fn: 'nope' },
          workerTyped: { op: 'module', module: new URL('./api-pool-task.mjs', import.meta.url).href, fn: 'throwsTyped' },
        }),
        each((ids: never) => fx.pool.lookupIds(ids), { undefined: undefined, string: '0x1', array: [1n], float64: new Float64Array(1) }),
        each((p: never) => fx.pool.lookupSymbols(p), { undefined: undefined, string: 'x', pairNumbers: [[1, 2]], pairShort: [['BINANCE']] }),
        {
          closedRun: () => fx.closedPool.run({ op: 'ping' }),
          closedLookupIds: () => fx.closedPool.lookupIds(new BigUint64Array(1)),
          closedLookupSymbols: () => fx.closedPool.lookupSymbols([['BINANCE', 'BTCUSDT']]),
          closedReady: () => fx.closedPool.ready(),
        },
      ),
    },
    compiledModuleUrl: {
      throws: all(
        sweep(api.compiledModuleUrl, ['file:///x.js'], 0, NOT_STRING),
        each(api.compiledModuleUrl, { missingBuild: new URL('../../src/nope.ts', import.meta.url).href }),
      ),
    },
    readerWorkerPath: { allow: 'takes no arguments (its missing-build failure needs a tree without dist/)' },

    // ------------------------------------------------------------------ change events
    createEventRing: { throws: sweep(api.createEventRing, [64], 0, [...NOT_UINT, 'huge', 'number']) },
    EventWriter: {
      throws: all(
        each((s: never) => new api.EventWriter(s), BAD_RINGS),
        each((o: never) => new api.EventWriter(api.createEventRing(16), o), {
          null: null,
          number: 1,
          storesBogus: { stores: 'bogus' },
          notifyString: { notify: 'yes' },
        }),
      ),
      methods: {
        publish: {
          throws: each((e: never) => fx.eventWriter.publish(e), {
            ...Object.fromEntries(NOT_OBJECT.map((n) => [n, BAD[n]])),
            empty: {},
            venueNumber: { type: 'instrumentAdded', id: 1n, venue: 7 },
            venueSurrogate: { type: 'instrumentAdded', id: 1n, venue: 'X\uD800' },
            isinNumber: { type: 'instrumentAdded', id: 1n, venue: 'X', isin: 123456789012 },
            idNumber: { type: 'instrumentAdded', id: 1, venue: 'X' },
            idU64: { type: 'instrumentAdded', id: 2n ** 64n, venue: 'X' },
            typeProto: { type: '__proto__', id: 1n, venue: 'X' },
            kindToString: { type: 'instrumentAdded', id: 1n, venue: 'X', kind: 'toString' },
          }),
        },
        notify: { allow: 'takes no arguments' },
      },
    },
    EventConsumer: {
      throws: all(
        each((s: never) => new api.EventConsumer(s), BAD_RINGS),
        each((o: never) => new api.EventConsumer(fx.ring, o), {
          null: null,
          number: 1,
          fromBogus: { from: 'newest' },
          fromNumber: { from: 3 },
          fromAhead: { from: 10n ** 6n },
          fromNegative: { from: -1n },
          copyBogus: { copy: 'plain' },
        }),
      ),
      methods: {
        poll: { throws: sweep((m: never) => fx.consumer.poll(m), [1], 0, NOT_COUNT) },
        pollInto: {
          throws: all(
            sweep((cb: never, m: never) => fx.consumer.pollInto(cb, m), [() => undefined, 1], 0, NOT_FUNCTION),
            sweep((cb: never, m: never) => fx.consumer.pollInto(cb, m), [() => undefined, 1], 1, NOT_COUNT),
          ),
        },
        waitNext: {
          throws: all(
            sweep((t: never, s: never) => fx.consumer.waitNext(t, s), [0, undefined], 0, NOT_COUNT),
            sweep((t: never, s: never) => fx.consumer.waitNext(t, s), [0, undefined], 1, ['null', 'number', 'object', 'string']),
          ),
        },
        waitAvailable: {
          throws: all(
            sweep((t: never, s: never) => fx.consumer.waitAvailable(t, s), [0, undefined], 0, NOT_COUNT),
            sweep((t: never, s: never) => fx.consumer.waitAvailable(t, s), [0, undefined], 1, ['null', 'number', 'object', 'string']),
          ),
        },
        next: { allow: 'takes no arguments (a lapped consumer throws LappedError, covered in test/events.test.ts)' },
        resync: { allow: 'takes no arguments' },
      },
    },
    EventView: {
      allow: '@internal constructor: views come from EventConsumer.pollInto',
      methods: {
        venueEquals: { misses: Object.fromEntries(NOT_STRING.map((n) => [n, [() => fx.eventView.venueEquals(BAD[n] as never), false]])) },
        isinStartsWith: { misses: Object.fromEntries(NOT_STRING.map((n) => [n, [() => fx.eventView.isinStartsWith(BAD[n] as never), false]])) },
        toEvent: { allow: 'takes no arguments' },
      },
    },
    Subscription: {
      throws: all(
        each((c: never) => new api.Subscription(c, api.AllStocks()), { ...Object.fromEntries(NOT_OBJECT.map((n) => [n, BAD[n]])), empty: {} }),
        each((p: never) => new api.Subscription(new api.EventConsumer(fx.ring), p), {
          ...Object.fromEntries(NOT_OBJECT.map((n) => [n, BAD[n]])),
          empty: {},
          unknown: { type: 'AllBonds' },
        }),
      ),
      methods: {
        poll: { throws: sweep((m: never) => fx.subscription.poll(m), [1], 0, NOT_COUNT) },
        waitNext: { throws: sweep((t: never) => fx.subscription.waitNext(t), [0], 0, NOT_COUNT) },
        next: { allow: 'takes no arguments' },
        resync: { allow: 'takes no arguments' },
        close: { allow: 'takes no arguments; idempotent' },
      },
    },
    LappedError: { allow: 'error class (RegistryError subclass): constructing one is how a lap is reported' },
  };
}
