/**
 * Invalid-argument cases of `test/api-errors.test.ts`: the writer (`InstrumentRegistry`), the
 * writer service, its durable log and client, replicas, and the error classes.
 */
import { join } from 'node:path';
import * as api from '../../src/index.js';
import { BAD_INSTRUMENTS } from './api-cases-core.js';
import { all, BAD, each, NOT_FUNCTION, NOT_OBJECT, NOT_STRING, NOT_U64, sweep, type BadName, type Entry } from './api-walk.js';
import type { Fixtures } from './api-fixtures.js';

const objects = (): Record<string, unknown> => Object.fromEntries(NOT_OBJECT.map((n) => [n, BAD[n]]));
/** Values that are not a timeout in ms (a non-negative finite number). */
const NOT_TIMEOUT: BadName[] = ['null', 'NaN', 'negative', 'infinity', 'string', 'bigint', 'object', 'symbol'];
const PATCHES = { ...objects(), statusBogus: { status: 'open' }, identity: { symbol: 'ETH' }, tickNumber: { tickSize: 0.01 } };
const ERROR_CLASS = 'error class (RegistryError subclass): constructing one is how that failure is reported';

/** Cases of the writer, service, client and replica exports. */
export function serviceCases(fx: Fixtures): Record<string, Entry> {
  const reg = fx.registry;
  const svcDir = (name: string) => join(fx.dir, name);
  const socket = join(fx.dir, 'nobody-listens.sock');
  return {
    InstrumentRegistry: {
      allow: 'private constructor: registries come from InstrumentRegistry.create',
      statics: {
        create: {
          throws: each(api.InstrumentRegistry.create, {
            null: null,
            number: 1,
            string: 'x',
            idBitsZero: { idBits: 0 },
            idBitsString: { idBits: '64' },
            capacityNaN: { initialCapacity: NaN },
            capacityNegative: { initialCapacity: -1 },
            capacityHuge: { initialCapacity: 2 ** 40 },
            maxCapacityString: { maxCapacity: '1' },
            handleBad: { handle: {} },
            eventRingBad: { eventRing: new SharedArrayBuffer(8) },
            nowString: { now: 'x' },
            onChangeString: { onChange: 'x' },
          }),
        },
      },
      methods: {
        reader: { allow: 'takes no arguments' },
        getMetrics: { allow: 'takes no arguments' },
        idOf: { throws: each((i: never) => reg.idOf(i), BAD_INSTRUMENTS) },
        prepare: { throws: each((i: never) => reg.prepare(i), BAD_INSTRUMENTS) },
        registerInstrument: { throws: each((i: never) => reg.registerInstrument(i), BAD_INSTRUMENTS) },
        registerPrepared: {
          throws: each((p: never) => reg.registerPrepared(p), {
            ...objects(),
            empty: {},
            forged: { input: fx.btc, id: 1n, derived: { idLo: 1, idHi: 0, fp: 0 }, owner: {} },
          }),
        },
        registerMany: {
          throws: each((l: never) => reg.registerMany(l), { undefined: undefined, null: null, number: 1, string: 'BTC', object: {} }),
        },
        updateInstrument: {
          throws: all(
            sweep((id: never, p: never) => reg.updateInstrument(id, p), [fx.btcId, { status: 'halted' }], 0, NOT_U64),
            each((p: never) => reg.updateInstrument(fx.btcId, p), PATCHES),
            { unknownId: () => reg.updateInstrument(12345n, { status: 'halted' }) },
          ),
        },
        removeInstrument: { throws: sweep((id: never) => reg.removeInstrument(id), [12345n], 0, NOT_U64) },
        liveInstruments: { allow: 'takes no arguments (a generator over the live instruments)' },
        compact: { allow: 'takes no arguments (a same-size rebuild that reclaims heap garbage)' },
        recordDiscovery: {
          throws: each((r: never) => reg.recordDiscovery(r), {
            undefined: undefined,
            null: null,
            number: 1,
            noCounts: { mapping: 'm', recordsSeen: 1 },
            negative: { mapping: 'm', recordsSeen: -1, skipped: {}, rejected: {}, ignoredFields: {} },
            badCount: { mapping: 'm', recordsSeen: 1, skipped: { X: NaN }, rejected: {}, ignoredFields: {} },
          }),
        },
        getById: { throws: sweep((id: never) => reg.getById(id), [fx.btcId], 0, NOT_U64) },
        logSeq: {
          throws: Object.fromEntries(
            (['undefined', 'null', 'number', 'negBigint', 'u64', 'string'] as BadName[]).map((n) => [
              `set ${n}`,
              () => {
                reg.logSeq = BAD[n] as never;
              },
            ]),
          ),
        },
        publishVenueStatus: {
          throws: all(
            sweep((v: never, s: never) => reg.publishVenueStatus(v, s), ['XNAS', 'active'], 0, NOT_STRING),
            sweep((v: never, s: never) => reg.publishVenueStatus(v, s), ['XNAS', 'active'], 1, [...NOT_STRING, 'string']),
          ),
        },
      },
    },

    // ------------------------------------------------------------------ service
    WriterService: {
      allow: 'private constructor: services come from WriterService.start',
      statics: {
        start: {
          throws: each(api.WriterService.start, {
            ...objects(),
            empty: {},
            dirNumber: { dir: 1 },
            dirEmpty: { dir: '' },
            dirIsFile: { dir: fx.payloadFile },
            fsyncBogus: { dir: svcDir('s1'), fsync: 'never' },
            fsyncNegative: { dir: svcDir('s2'), fsync: { groupMs: -1 } },
            snapshotEveryMsString: { dir: svcDir('s3'), snapshotEveryMs: '100' },
            keepSnapshotsZero: { dir: svcDir('s4'), keepSnapshots: 0 },
            tcpPortBogus: { dir: svcDir('s5'), tcp: { port: -5 } },
            metricsPortString: { dir: svcDir('s6'), metricsPort: 'x' },
            seedNumber: { dir: svcDir('s7'), seed: 5 },
            idBitsZero: { dir: svcDir('s8'), idBits: 0 },
            onWarningString: { dir: svcDir('s9'), onWarning: 'x' },
            logSegmentTiny: { dir: svcDir('s10'), logSegmentMaxBytes: 100 },
            logSegmentHuge: { dir: svcDir('s11'), logSegmentMaxBytes: 2 ** 40 },
          }),
        },
      },
      methods: {
        register: {
          throws: all(
            each((i: never) => fx.service.register(i), BAD_INSTRUMENTS),
            { closed: () => fx.closedService.register(fx.btc) },
          ),
        },
        update: {
          throws: all(
            sweep((id: never, p: never) => fx.service.update(id, p), [1n, { status: 'halted' }], 0, NOT_U64),
            each((p: never) => fx.service.update(1n, p), PATCHES),
            { closed: () => fx.closedService.update(1n, { status: 'halted' }) },
          ),
        },
        remove: {
          throws: all(
            sweep((id: never) => fx.service.remove(id), [1n], 0, NOT_U64),
            { closed: () => fx.closedService.remove(1n) },
          ),
        },
        snapshot: { throws: { closed: () => fx.closedService.snapshot() } },
        snapshots: { allow: 'takes no arguments' },
        close: { allow: 'takes no arguments; idempotent' },
      },
    },
    DurableLog: {
      allow: 'private constructor: logs come from DurableLog.open',
      statics: {
        open: {
          throws: all(
            sweep((d: never) => api.DurableLog.open(d), [svcDir('log-a')], 0, [...NOT_STRING, 'empty']),
            { missingDir: () => api.DurableLog.open(svcDir('no/such/dir')), isFile: () => api.DurableLog.open(fx.payloadFile) },
            each((o: never) => api.DurableLog.open(svcDir('log'), o), {
              null: null,
              number: 1,
              fsyncBogus: { fsync: 'never' },
              afterSeqNumber: { afterSeq: 1 },
              onEntryString: { onEntry: 'x' },
              segmentMaxBytesTiny: { segmentMaxBytes: 100 },
              segmentMaxBytesString: { segmentMaxBytes: '4096' },
            }),
            sweep((d: never, o: never, s: never) => api.DurableLog.open(d, o, s), [svcDir('log'), {}, 1n], 2, ['null', 'number', 'negBigint', 'u64', 'string']),
          ),
        },
      },
      methods: {
        setOnDurable: {
          throws: sweep(
            (f: never) => fx.durableLog.setOnDurable(f),
            [() => undefined],
            0,
            NOT_FUNCTION.filter((n) => n !== 'undefined'),
          ),
        },
        append: {
          throws: all(
            sweep((b: never, s: never) => fx.durableLog.append(b, s), [fx.frame, 1n], 0, ['undefined', 'null', 'number', 'string', 'object', 'array']),
            sweep((b: never, s: never) => fx.durableLog.append(b, s), [fx.frame, 1n], 1, NOT_U64),
            {
              outOfOrder: () => fx.durableLog.append(fx.frame, 7n),
              garbageFrame: () => fx.durableLog.append(new Uint8Array(40), 1n),
              closed: () => fx.closedLog.append(fx.frame, 1n),
            },
          ),
        },
        flush: { allow: 'takes no arguments; on a closed log everything is durable, so it resolves' },
        roll: { throws: { closed: () => fx.closedLog.roll() } },
        trimBefore: {
          throws: all(
            sweep((s: never) => fx.durableLog.trimBefore(s), [1n], 0, NOT_U64),
            { closed: () => fx.closedLog.trimBefore(1n) },
          ),
        },
        reserve: {
          throws: all(
            sweep((b: never) => fx.durableLog.reserve(b), [64], 0, ['undefined', 'null', 'NaN', 'negative', 'string', 'bigint', 'object', 'symbol']),
            { closed: () => fx.closedLog.reserve(64) },
          ),
        },
        readRange: {
          throws: all(
            sweep((s: never, m: never) => fx.durableLog.readRange(s, m), [1n, 1024], 0, NOT_U64),
            sweep((s: never, m: never) => fx.durableLog.readRange(s, m), [1n, 1024], 1, [
              'undefined',
              'null',
              'NaN',
              'negative',
              'string',
              'bigint',
              'object',
              'symbol',
            ]),
            { closed: () => fx.closedLog.readRange(1n, 1024) },
          ),
        },
        close: { allow: 'takes no arguments; idempotent' },
      },
    },
    connectWriter: {
      throws: each(api.connectWriter, {
        ...objects(),
        empty: {},
        socketNumber: { socket: 1 },
        socketMissing: { socket },
        portString: { port: 'x' },
        portNegative: { port: -1 },
        portRefused: { port: 1, host: '127.0.0.1' },
        timeoutNaN: { socket: fx.service.socketPath, timeoutMs: NaN },
        timeoutString: { socket: fx.service.socketPath, timeoutMs: '5' },
      }),
    },
    WriterClient: {
      allow: '@internal constructor: clients come from connectWriter',
      methods: {
        register: {
          throws: all(
            each((i: never) => fx.client.register(i), BAD_INSTRUMENTS),
            { closed: () => fx.closedClient.register(fx.btc) },
          ),
        },
        update: {
          throws: all(
            sweep((id: never, p: never) => fx.client.update(id, p), [1n, { status: 'halted' }], 0, NOT_U64),
            each((p: never) => fx.client.update(1n, p), PATCHES),
            { closed: () => fx.closedClient.update(1n, { status: 'halted' }) },
          ),
        },
        remove: {
          throws: all(
            sweep((id: never) => fx.client.remove(id), [1n], 0, NOT_U64),
            { closed: () => fx.closedClient.remove(1n) },
          ),
        },
        registerBatch: {
          throws: all(
            each((l: never) => fx.client.registerBatch(l), { undefined: undefined, null: null, string: 'x', object: {} }),
            { closed: () => fx.closedClient.registerBatch([fx.btc]) },
          ),
        },
        updateBatch: {
          throws: all(
            each((l: never) => fx.client.updateBatch(l), { undefined: undefined, null: null, string: 'x' }),
            {
              // one result per change: the item's typed error is in the array
              itemNull: () => fx.client.updateBatch([null as never]).then((r) => Promise.reject(r[0])),
              closed: () => fx.closedClient.updateBatch([{ id: 1n, patch: {} }]),
            },
          ),
        },
        removeBatch: {
          throws: all(
            each((l: never) => fx.client.removeBatch(l), { undefined: undefined, null: null, string: 'x' }),
            { closed: () => fx.closedClient.removeBatch([1n]) },
          ),
        },
        query: {
          throws: all(
            each((q: never) => fx.client.query(q), {
              ...objects(),
              empty: {},
              kindBogus: { kind: 'everything' },
              byIdNumber: { kind: 'byId', id: 1 },
              isinNumber: { kind: 'byIsin', isin: 1 },
            }),
            { closed: () => fx.closedClient.query({ kind: 'byId', id: 1n }) },
          ),
        },
        health: { throws: { closed: () => fx.closedClient.health() } },
        close: { allow: 'takes no arguments; idempotent' },
      },
    },
    openReplica: {
      throws: all(
        each((o: never) => api.openReplica(o, 2_000), {
          ...objects(),
          empty: {},
          socketNumber: { socket: 1 },
          socketMissing: { socket },
          urlNumber: { url: 1 },
          capacityNaN: { socket: fx.service.socketPath, initialCapacity: NaN },
        }),
        sweep((o: never, t: never) => api.openReplica(o, t), [{ socket: fx.service.socketPath }, 1_000], 1, NOT_TIMEOUT),
      ),
    },
    Replica: {
      allow: '@internal constructor: replicas come from openReplica',
      methods: {
        onResync: { throws: sweep((f: never) => fx.replica.onResync(f), [() => undefined], 0, NOT_FUNCTION) },
        reader: { allow: 'takes no arguments' },
        lag: { allow: 'takes no arguments' },
        waitFor: {
          throws: all(
            sweep((s: never, t: never) => fx.replica.waitFor(s, t), [0n, 100], 0, NOT_U64),
            sweep((s: never, t: never) => fx.replica.waitFor(s, t), [10n ** 9n, 100], 1, NOT_TIMEOUT),
            { timeout: () => fx.replica.waitFor(10n ** 9n, 10), closed: () => fx.closedReplica.waitFor(10n ** 9n, 100) },
          ),
        },
        disconnect: { allow: 'takes no arguments' },
        close: { allow: 'takes no arguments; idempotent' },
      },
    },
    ReplicaState: {
      allow: 'private constructor: states come from ReplicaState.create',
      statics: {
        create: { throws: each(api.ReplicaState.create, { null: null, number: 1, capacityNaN: { initialCapacity: NaN }, idBitsZero: { idBits: 0 } }) },
        ms: { throws: sweep(api.ReplicaState.ms, [1n], 0, NOT_U64) },
      },
      methods: {
        reader: { allow: 'takes no arguments' },
        lag: { allow: 'takes no arguments' },
        heard: {
          throws: sweep(
            (s: never) => fx.replicaState.heard(s),
            [1n],
            0,
            NOT_U64.filter((n) => n !== 'undefined'),
          ),
        },
        restore: {
          throws: all(
            sweep((f: never) => fx.replicaState.restore(f), [fx.snapshotFile], 0, [...NOT_STRING, 'empty']),
            { missing: () => fx.replicaState.restore(join(fx.dir, 'none.snap')) },
          ),
        },
        reset: { allow: 'takes no arguments' },
        apply: {
          throws: each((m: never) => fx.replicaState.apply(m), {
            ...objects(),
            empty: {},
            seqNumber: { type: 'instrumentRemoval', seq: 1, timestampNs: 1n, flags: 0, id: 1n },
          }),
        },
        waitFor: {
          throws: all(
            sweep((s: never, t: never) => fx.replicaState.waitFor(s, t), [10n ** 9n, 10], 0, NOT_U64),
            sweep((s: never, t: never) => fx.replicaState.waitFor(s, t), [10n ** 9n, 10], 1, NOT_TIMEOUT),
            { timeout: () => fx.replicaState.waitFor(10n ** 9n, 10) },
          ),
        },
      },
    },

    // ------------------------------------------------------------------ error classes
    RegistryError: { allow: ERROR_CLASS },
    ValidationError: { allow: ERROR_CLASS },
    DuplicateSymbolError: { allow: ERROR_CLASS },
    InstrumentReferencedError: { allow: ERROR_CLASS },
    HashCollisionError: { allow: ERROR_CLASS },
    UnknownInstrumentError: { allow: ERROR_CLASS },
    LayoutMismatchError: { allow: ERROR_CLASS },
    ConfigError: { allow: ERROR_CLASS },
    LogTruncatedError: { allow: ERROR_CLASS },
    ServiceError: { allow: ERROR_CLASS },
    RemoteError: { allow: ERROR_CLASS },
    IoError: { allow: ERROR_CLASS },
  };
}
