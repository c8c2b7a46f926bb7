/**
 * instreg: a shared-memory, zero-copy instrument registry.
 *
 * Data flow: venue payloads → `discovery` → {@link InstrumentRegistry} (the single writer) →
 * SharedArrayBuffer regions (`layout/`) → {@link RegistryReader}s in any worker.
 *
 * @module
 */
export * from './errors.js';
export * from './model/types.js';
export * from './model/fixed.js';
export { validateInstrument } from './model/validate.js';
export { storedFields } from './model/stored-fields.js';
export { IdDeriver, deriveIdReference, formatId, parseId, joinId, splitId, type DerivedId } from './id/derive.js';
export { IDENTITY_VERSION } from './id/identity.js';
export { checkedIdentityBytes as identityBytes } from './id/derive.js';
export {
  InstrumentRegistry,
  type RegisterResult,
  type RegisterOutcome,
  type RegisterOptions,
  type RegistryOptions,
  type DiscoveryMetrics,
  type DiscoveryReport,
  type OutcomeCounts,
  type RegistryMetrics,
  type RegistryChange,
  type CollisionRecord,
} from './writer/registry.js';
export { RegistryReader } from './reader/reader.js';
export { InstrumentView } from './reader/view.js';
export { FieldSet, HOT_FIELDS, type HotField } from './reader/fields.js';
export { SymbolKey } from './reader/symbol-key.js';
export * from './reader/pool.js';
export type { RegistryHandle } from './shm/handle.js';
export * from './identifiers/index.js';
export * from './venues/index.js';
export * from './discovery/index.js';
export * from './events/index.js';
export * from './wire/index.js';
export * from './snapshot/index.js';
export { dataDir, repoRoot, cacheDir, isCheckout, checkDataDir } from './config.js';
export { toJsonValue, jsonReplacer, stringifyJson, type Json } from './json.js';
export { WriterService, type WriterServiceOptions, type StartReport } from './service/writer-service.js';
export { DurableLog, DEFAULT_FSYNC_POLICY, type FsyncPolicy, type DurableLogOptions } from './service/log-file.js';
export { LogTruncatedError, ServiceError, RemoteError } from './service/errors.js';
export { connectWriter, WriterClient, type Ack, type ConnectWriterOptions, type WriterAddress, type QueryResult } from './client/writer-client.js';
export {
  openReplica,
  Replica,
  ReplicaState,
  type OpenReplicaOptions,
  type ReplicaLag,
  type SocketReplicaOptions,
  type JetStreamReplicaOptions,
} from './replica/index.js';
