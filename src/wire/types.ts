/**
 * Message shapes of the binary wire protocol (format: `layout/wire.ts`, tables:
 * `layout/SPEC-wire.md`). A {@link WireMessage} is a discriminated union on `type`; every
 * message carries the header fields `seq`, `timestampNs` and `flags`.
 *
 * @module
 */
import type { MESSAGE_TYPES } from '../../layout/wire.js';
import type { CexPairFields, CommonFields, DexPoolFields, InstrumentId, InstrumentInput, InstrumentPatch, InstrumentStatus } from '../model/types.js';

/** Message type name (the keys of `MESSAGE_TYPES`). */
export type MessageType = keyof typeof MESSAGE_TYPES;

/**
 * A trading venue as carried by a `venueRegistration` message. Self-contained: it does not
 * depend on the registry's venue table.
 */
export interface WireVenue {
  /** Venue code, as used in `InstrumentInput.venue`: 1..16 chars of `[A-Z0-9_.-]`. */
  code: string;
  /** ISO 10383 MIC (4 chars `[A-Z0-9]`), if the venue has one. */
  mic?: string;
  /** Human-readable name, 1..256 UTF-8 bytes, no NUL. */
  name: string;
  /** ISO 3166-1 alpha-2 country code (2 upper-case letters). */
  country?: string;
  status: InstrumentStatus;
  /** Default maker fee in basis points, resolution 0.01 bp, may be negative. */
  makerFeeBps?: number;
  /** Default taker fee in basis points, resolution 0.01 bp. */
  takerFeeBps?: number;
}

/** Header fields every message carries. */
export interface WireHeaderFields {
  /** Sequence number, u64 (0 ≤ seq < 2^64). Log entries are numbered 1, 2, 3, … by a `LogWriter`. */
  seq: bigint;
  /** Send time in nanoseconds since the Unix epoch, u64. */
  timestampNs: bigint;
  /** Header flag bits (`WIRE_FLAGS`); other bits must be 0. */
  flags: number;
}

/** Register any instrument (payload: the full {@link InstrumentInput}). */
export interface InstrumentRegistrationMessage extends WireHeaderFields {
  type: 'instrumentRegistration';
  instrument: InstrumentInput;
}
/** Register a DEX pool (`instrument.kind` must be `dexPool`). */
export interface PoolRegistrationMessage extends WireHeaderFields {
  type: 'poolRegistration';
  instrument: CommonFields & DexPoolFields;
}
/** Register a CEX pair (`instrument.kind` must be `cexPair`). */
export interface CexPairRegistrationMessage extends WireHeaderFields {
  type: 'cexPairRegistration';
  instrument: CommonFields & CexPairFields;
}
/** Change mutable fields of instrument `id`. */
export interface InstrumentUpdateMessage extends WireHeaderFields {
  type: 'instrumentUpdate';
  id: InstrumentId;
  patch: InstrumentPatch;
}
/** Remove instrument `id`. */
export interface InstrumentRemovalMessage extends WireHeaderFields {
  type: 'instrumentRemoval';
  id: InstrumentId;
}
/** Register (or re-register) a venue. */
export interface VenueRegistrationMessage extends WireHeaderFields {
  type: 'venueRegistration';
  venue: WireVenue;
}
/** Marks a snapshot boundary: the snapshot holds log entries up to `logSeq`, `instrumentCount` instruments. */
export interface SnapshotMarkerMessage extends WireHeaderFields {
  type: 'snapshotMarker';
  /** Last log sequence number contained in the snapshot (u64). */
  logSeq: bigint;
  /** Live instruments in the snapshot (u32). */
  instrumentCount: number;
}
/** Liveness probe; a responder echoes `nonce` (u64). */
export interface HealthCheckMessage extends WireHeaderFields {
  type: 'healthCheck';
  nonce: bigint;
}
/** An error report for the message numbered `refSeq` (0 = not about one message). */
export interface ErrorResponseMessage extends WireHeaderFields {
  type: 'errorResponse';
  /** Error code, 1..64 UTF-8 bytes (normally a `RegistryErrorCode`). */
  code: string;
  /** Detail, 0..1024 UTF-8 bytes. */
  message: string;
  refSeq: bigint;
}

/** Outcome carried by an {@link AckMessage}. */
export type AckOutcome = 'added' | 'unchanged' | 'updated' | 'removed';

/** Writer → client: the request numbered `refSeq` is durable in the log at `logSeq`. */
export interface AckMessage extends WireHeaderFields {
  type: 'ack';
  /** The request's own `seq` (client numbering), u64. */
  refSeq: bigint;
  /** Log sequence number holding the change (for `unchanged`: the durable log position checked against), u64. */
  logSeq: bigint;
  /** Instrument id concerned (u64). */
  id: InstrumentId;
  outcome: AckOutcome;
}

/** A registry lookup: by id, by venue + symbol, or every listing of an ISIN. */
export type RegistryQuery = { kind: 'byId'; id: InstrumentId } | { kind: 'venueSymbol'; venue: string; symbol: string } | { kind: 'isin'; isin: string };

/** Client → writer (or replica): look instruments up. */
export interface QueryMessage extends WireHeaderFields {
  type: 'query';
  query: RegistryQuery;
}

/** An instrument as carried by a {@link QueryResponseMessage}: its id and every stored field. */
export type WireInstrument = InstrumentInput & { id: InstrumentId };

/** Answer to the query numbered `refSeq`. */
export interface QueryResponseMessage extends WireHeaderFields {
  type: 'queryResponse';
  refSeq: bigint;
  /** Log sequence number the answer reflects. */
  logSeq: bigint;
  /** True when more instruments matched than fit in one frame (the first ones are returned). */
  truncated: boolean;
  instruments: WireInstrument[];
}

/** Answer to a {@link HealthCheckMessage}. */
export interface HealthResponseMessage extends WireHeaderFields {
  type: 'healthResponse';
  nonce: bigint;
  /** Last durable log sequence number of the responder. */
  logSeq: bigint;
  /** Live instruments (u32). */
  instruments: number;
  role: 'writer' | 'replica';
}

/** Replica → writer: stream the log after `fromSeq` (0: a snapshot first). */
export interface SubscribeMessage extends WireHeaderFields {
  type: 'subscribe';
  fromSeq: bigint;
}

/** Writer → replica: bytes `[offset, offset + data.length)` of a snapshot file of `total` bytes holding the log up to `logSeq`. */
export interface SnapshotChunkMessage extends WireHeaderFields {
  type: 'snapshotChunk';
  logSeq: bigint;
  total: number;
  offset: number;
  data: Uint8Array;
}

/** Every wire message, discriminated by `type`. */
export type WireMessage =
  | InstrumentRegistrationMessage
  | PoolRegistrationMessage
  | CexPairRegistrationMessage
  | InstrumentUpdateMessage
  | InstrumentRemovalMessage
  | VenueRegistrationMessage
  | SnapshotMarkerMessage
  | HealthCheckMessage
  | ErrorResponseMessage
  | AckMessage
  | QueryMessage
  | QueryResponseMessage
  | HealthResponseMessage
  | SubscribeMessage
  | SnapshotChunkMessage;

/** The registration messages (those carrying a full instrument). */
export type RegistrationMessage = InstrumentRegistrationMessage | PoolRegistrationMessage | CexPairRegistrationMessage;
