/**
 * `instreg/reader`: everything a reader thread needs and nothing else: {@link RegistryReader},
 * {@link InstrumentView}, the change-event consumer ({@link EventConsumer}, subscriptions), the
 * byte layout (`layout`), the typed errors, id helpers and the JSON serializer. It imports no
 * discovery (JSONata, csv-parse, viem), CLI, writer, snapshot or benchmark code, so a worker pays
 * only for the reader (measured in `bench/results/reader-import.txt`).
 *
 * @example
 * ```ts
 * // reader-worker.mjs, started with new Worker(url, { workerData: { handle: registry.handle } })
 * import { workerData } from 'node:worker_threads';
 * import { RegistryReader, stringifyJson } from 'instreg/reader';
 * const reader = RegistryReader.attach(workerData.handle);
 * const v = reader.getBySymbol('BINANCE', 'BTCUSDT');
 * console.log(v ? stringifyJson(v.toObject()) : 'not listed');
 * ```
 *
 * @module
 */
export { RegistryReader } from './reader.js';
export { InstrumentView } from './view.js';
export type { RegistryHandle } from '../shm/handle.js';
export * from '../errors.js';
export * from '../model/types.js';
export { formatFixed, parseFixed, fixed } from '../model/fixed.js';
export { formatId, parseId, joinId, splitId } from '../id/halves.js';
export { toJsonValue, jsonReplacer, stringifyJson, type Json } from '../json.js';
export * from '../events/index.js';
export * as layout from '../../layout/index.js';
