/**
 * Invalid-argument cases of `test/api-errors.test.ts`: the wire codec, framer, registration log
 * and snapshots.
 */
import { join } from 'node:path';
import * as api from '../../src/index.js';
import { BAD_INSTRUMENTS } from './api-cases-core.js';
import { all, BAD, each, NOT_BYTES, NOT_OBJECT, NOT_STRING, NOT_U64, NOT_UINT, sweep, type Entry } from './api-walk.js';
import type { Fixtures } from './api-fixtures.js';

const objects = (): Record<string, unknown> => Object.fromEntries(NOT_OBJECT.map((n) => [n, BAD[n]]));

/** Cases of the wire and snapshot exports. */
export function wireCases(fx: Fixtures): Record<string, Entry> {
  const header = { seq: 1n, timestampNs: 1n, flags: 0 };
  const corrupt = fx.frame.slice();
  corrupt[corrupt.length - 1]! ^= 0xff;
  const missing = join(fx.dir, 'no-such.snap');
  const notSnapshot = fx.payloadFile;
  const patches = {
    ...objects(),
    statusBogus: { status: 'open' },
    tickString: { tickSize: '0.01' },
    identity: { symbol: 'ETH' },
    proto: JSON.parse('{"__proto__":{"status":"halted"}}') as unknown,
    nameSurrogate: { name: 'A\uD800' },
  };
  return {
    encodeMessage: {
      throws: each(api.encodeMessage, {
        ...objects(),
        empty: {},
        unknownType: { ...header, type: 'nope' },
        protoType: { ...header, type: '__proto__' },
        seqNumber: { type: 'healthCheck', seq: 1, timestampNs: 1n, flags: 0, nonce: 1n },
        seqU64: { type: 'healthCheck', seq: 2n ** 64n, timestampNs: 1n, flags: 0, nonce: 1n },
        flagsBogus: { type: 'healthCheck', seq: 1n, timestampNs: 1n, flags: 0xffff, nonce: 1n },
        noInstrument: { ...header, type: 'instrumentRegistration' },
        badInstrument: { ...header, type: 'instrumentRegistration', instrument: BAD_INSTRUMENTS['symbolSurrogate'] },
        poolNotPool: { ...header, type: 'poolRegistration', instrument: fx.btc },
        removalNoId: { ...header, type: 'instrumentRemoval' },
        updateBadPatch: { ...header, type: 'instrumentUpdate', id: 1n, patch: { symbol: 'X' } },
        queryBogus: { ...header, type: 'query', query: { kind: 'everything' } },
        errorCodeLong: { ...header, type: 'errorResponse', refSeq: 1n, code: 'X'.repeat(1000), message: 'm' },
      }),
    },
    decodeMessage: {
      throws: all(
        sweep(api.decodeMessage, [fx.frame], 0, NOT_BYTES),
        each(api.decodeMessage, { empty: new Uint8Array(0), short: fx.frame.subarray(0, 20), corrupt, trailing: new Uint8Array([...fx.frame, 0]) }),
      ),
    },
    readHeader: {
      throws: all(
        sweep(api.readHeader, [fx.frame, 0], 0, NOT_BYTES),
        sweep(api.readHeader, [fx.frame, 0], 1, ['null', 'NaN', 'negative', 'fraction', 'huge', 'string', 'bigint', 'object', 'symbol']),
        each(api.readHeader, { empty: new Uint8Array(0), garbage: new Uint8Array(64).fill(7) }),
      ),
    },
    MessageFramer: {
      throws: all(
        each((o: never) => new api.MessageFramer(o), { null: null, number: 1, string: 'x' }),
        each((b: never) => new api.MessageFramer({ bufferBytes: b }), { small: 16, NaN: NaN, string: '1000000', negative: -1 }),
        each((e: never) => new api.MessageFramer({ onError: e }), { number: 1, string: 'log', object: {} }),
      ),
      methods: {
        push: { throws: sweep((c: never) => fx.framer.push(c), [new Uint8Array(0)], 0, NOT_BYTES) },
        end: { allow: 'takes no arguments' },
        reset: { allow: 'takes no arguments' },
      },
    },
    LogWriter: {
      throws: all(
        each((o: never) => new api.LogWriter(o), {
          null: null,
          number: 1,
          lastSeqNumber: { lastSeq: 1 },
          lastSeqNegative: { lastSeq: -1n },
          clockNumber: { clockNs: 5 },
          flagsBogus: { flags: 0xffff },
          flagsString: { flags: 'x' },
        }),
        { clockReturnsNumber: () => new api.LogWriter({ clockNs: (() => 5) as never }).remove(1n) },
      ),
      methods: {
        register: { throws: each((i: never) => new api.LogWriter().register(i), BAD_INSTRUMENTS) },
        update: {
          throws: all(
            sweep((id: never, p: never) => new api.LogWriter().update(id, p), [1n, { status: 'halted' }], 0, NOT_U64),
            each((p: never) => new api.LogWriter().update(1n, p), patches),
          ),
        },
        remove: { throws: sweep((id: never) => new api.LogWriter().remove(id), [1n], 0, NOT_U64) },
        venue: { throws: each((v: never) => new api.LogWriter().venue(v), { ...objects(), empty: {}, codeLower: { code: 'xnas', status: 'active' } }) },
        snapshotMarker: { throws: sweep((n: never) => new api.LogWriter().snapshotMarker(n), [1], 0, [...NOT_UINT, 'huge']) },
      },
    },
    LogApplier: {
      throws: all(
        each((t: never) => new api.LogApplier(t), { ...objects(), empty: {}, noRemove: { registerInstrument: () => 0, updateInstrument: () => 0 } }),
        each((o: never) => new api.LogApplier(fx.registry, o), {
          null: null,
          number: 1,
          lastSeqNumber: { lastSeq: 1 },
          policyBogus: { onGapPolicy: 'skip' },
          maxGapNumber: { maxGap: 10 },
          maxGapNegative: { maxGap: -1n },
          onGapString: { onGap: 'log' },
        }),
      ),
      methods: {
        apply: {
          throws: each((m: never) => fx.applier.apply(m), {
            ...objects(),
            empty: {},
            unknownType: { type: 'nope', seq: 1n, timestampNs: 1n, flags: 0 },
            seqNumber: { type: 'instrumentRemoval', seq: 1, timestampNs: 1n, flags: 0, id: 1n },
          }),
        },
        applyAll: { throws: each((m: never) => fx.applier.applyAll(m), { undefined: undefined, null: null, number: 1, object: {}, badItem: [null] }) },
      },
    },
    validateVenue: {
      throws: each(api.validateVenue, {
        ...objects(),
        empty: {},
        codeNumber: { code: 1, status: 'active' },
        statusBogus: { code: 'XNAS', status: 'open' },
        proto: JSON.parse('{"__proto__":{"code":"XNAS"}}'),
      }),
    },
    validatePatch: { throws: each(api.validatePatch, patches) },
    WireFormatError: { allow: 'error class (RegistryError subclass)' },
    SequenceGapError: { allow: 'error class (RegistryError subclass)' },
    SequenceOutOfRangeError: { allow: 'error class (RegistryError subclass)' },

    // ------------------------------------------------------------------ snapshots
    writeSnapshot: {
      throws: all(
        each((r: never) => api.writeSnapshot(r, join(fx.dir, 'w.snap')), { ...objects(), empty: {}, badHandle: { control: new SharedArrayBuffer(8) } }),
        sweep((r: never, f: never) => api.writeSnapshot(r, f), [fx.registry, join(fx.dir, 'w.snap')], 1, [...NOT_STRING, 'empty']),
        { noDir: () => api.writeSnapshot(fx.registry, join(fx.dir, 'no', 'such', 'dir', 'w.snap')) },
        each((o: never) => api.writeSnapshot(fx.registry, join(fx.dir, 'w.snap'), o), { null: null, number: 1 }),
      ),
    },
    writeSnapshotSync: {
      throws: all(
        { beforeChecksumLoaded: () => rethrow(fx.beforeChecksum.write) },
        each((r: never) => api.writeSnapshotSync(r, join(fx.dir, 'w.snap')), { ...objects(), empty: {} }),
        sweep((r: never, f: never) => api.writeSnapshotSync(r, f), [fx.registry, join(fx.dir, 'w.snap')], 1, [...NOT_STRING, 'empty']),
        {
          noDir: () => api.writeSnapshotSync(fx.registry, join(fx.dir, 'no', 'such', 'dir', 'w.snap')),
          isDir: () => api.writeSnapshotSync(fx.registry, fx.dir),
        },
      ),
    },
    readSnapshot: {
      throws: all(
        sweep(api.readSnapshot, [fx.snapshotFile], 0, [...NOT_STRING, 'empty']),
        { missing: () => api.readSnapshot(missing), notSnapshot: () => api.readSnapshot(notSnapshot), isDir: () => api.readSnapshot(fx.dir) },
        each((o: never) => api.readSnapshot(fx.snapshotFile, o), { null: null, number: 1 }),
      ),
    },
    readSnapshotSync: {
      throws: all(
        { beforeChecksumLoaded: () => rethrow(fx.beforeChecksum.read) },
        sweep(api.readSnapshotSync, [fx.snapshotFile], 0, [...NOT_STRING, 'empty']),
        { missing: () => api.readSnapshotSync(missing), notSnapshot: () => api.readSnapshotSync(notSnapshot), isDir: () => api.readSnapshotSync(fx.dir) },
      ),
    },
    readSnapshotHeader: {
      throws: all(sweep(api.readSnapshotHeader, [fx.snapshotFile], 0, [...NOT_STRING, 'empty']), {
        missing: () => api.readSnapshotHeader(missing),
        notSnapshot: () => api.readSnapshotHeader(notSnapshot),
      }),
    },
    loadSnapshotChecksum: { allow: 'takes no arguments (loads the WASM checksum once)' },
    SnapshotError: { allow: 'error class (RegistryError subclass)' },
  };
}

/** Throw what a fixture captured (a RegistryError, if the code under test is right). */
function rethrow(e: unknown): never {
  throw e;
}
