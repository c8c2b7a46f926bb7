/**
 * The binary wire protocol: one 32-byte header followed by a typed payload. Used to send
 * registrations to the single writer and to ship the writer's registration log
 * (`src/wire/`). Human-readable tables: `layout/SPEC-wire.md`.
 *
 * ```
 *  header
 *  byte 0            4      5      6         8              12                  20                  28         32
 *  +----------------+------+------+---------+--------------+-------------------+-------------------+----------+
 *  | MAGIC u32      | TYPE | VER  | FLAGS   | LENGTH u32   | SEQ u64           | TIMESTAMP_NS u64  | CRC32    |
 *  | "IRWP"         | u8   | u8   | u16     | payload bytes| lo u32 | hi u32   | lo u32 | hi u32   | u32      |
 *  +----------------+------+------+---------+--------------+-------------------+-------------------+----------+
 *  payload: LENGTH bytes (0 ≤ LENGTH ≤ WIRE_MAX_PAYLOAD), layout chosen by TYPE:
 *
 *  registration (instrumentRegistration, poolRegistration, cexPairRegistration)
 *  +------+--------+--------+------+----------------+--------------+------------------+----------------+
 *  | KIND | SOURCE | STATUS | rsvd | COMMON_PRESENT | KIND_PRESENT | common fields…   | kind fields…   |
 *  | u8   | u8     | u8     | u8=0 | u16            | u32          | present ones, in WIRE_COMMON_FIELDS / WIRE_KIND_FIELDS order
 *  +------+--------+--------+------+----------------+--------------+------------------+----------------+
 *  update:   | ID u64 | PRESENT u16 | patch fields… (WIRE_PATCH_FIELDS order) |
 *  removal:  | ID u64 |
 *  venue:    | STATUS u8 | PRESENT u8 | venue fields… (WIRE_VENUE_FIELDS order) |
 *  snapshot: | LOG_SEQ u64 | INSTRUMENT_COUNT u32 |
 *  health:   | NONCE u64 |
 *  error:    | REF_SEQ u64 | CODE str8 | MESSAGE str16 |
 *  ack:      | REF_SEQ u64 | LOG_SEQ u64 | ID u64 | OUTCOME u8 |
 *  query:    | QUERY_KIND u8 | key: id u64 (byId) · VENUE str8 SYMBOL str8 (venueSymbol) · ISIN str8 (isin) |
 *  queryResponse: | REF_SEQ u64 | LOG_SEQ u64 | RFLAGS u8 | COUNT u16 | COUNT × (ID u64, registration payload) |
 *  healthResponse: | NONCE u64 | LOG_SEQ u64 | INSTRUMENTS u32 | ROLE u8 |
 *  subscribe: | FROM_SEQ u64 |
 *  snapshotChunk: | LOG_SEQ u64 | TOTAL u64 | OFFSET u64 | DATA (rest of payload) |
 *
 *  field encodings (little-endian; u64 = low u32 then high u32):
 *    u8 / enum  1 byte (enum: a code from layout/codes.ts, 0 is never valid)
 *    u32        4 bytes            fee    4 bytes, i32, hundredths of a basis point
 *    id         8 bytes, u64       ms     8 bytes, i64 ms since the Unix epoch (low u32, high i32)
 *    fixed      9 bytes: scale u8, raw u64
 *    str8       u8 byte length + UTF-8 bytes      str16  u16 byte length + UTF-8 bytes
 *    legs       u8 count, then per leg: id u64, flags u8 (bit0 negative, bit1 negative given), fixed
 * ```
 *
 * The CRC32 (IEEE 802.3, the `crc-32` package) covers header bytes `0..WIRE_CRC_OFFSET`
 * followed by the payload, i.e. every byte of the frame except the CRC field itself. Covering
 * the header (not only the payload) means a flipped bit in SEQ, TIMESTAMP_NS or FLAGS is
 * detected too; an undetected SEQ flip would make a log applier skip or misorder an entry.
 *
 * @module
 */
import { STATUS_CODES } from './codes.js';
import { NAME_MAX_BYTES } from './heap.js';
import { ADDRESS_MAX, KIND_STR_MAX, KINDS, type KindField, type KindName } from './kinds.js';
import { SYMBOL_MAX_BYTES } from './record.js';
import { SIZE_OF_I32, SIZE_OF_I64, SIZE_OF_U16, SIZE_OF_U8 } from './sizes.js';
import { VENUE_CODE_MAX } from './venue.js';

/** `"IRWP"` (instreg wire protocol) as a little-endian u32: bytes `49 52 57 50`. */
export const WIRE_MAGIC = 0x50575249;
/** Protocol version carried in every header. A decoder rejects any other value. */
export const WIRE_VERSION = 1;

// ---- header ----
/** Magic (u32). */
export const WIRE_MAGIC_OFFSET = 0;
/** Message type (u8, `MESSAGE_TYPES`). */
export const WIRE_TYPE_OFFSET = WIRE_MAGIC_OFFSET + SIZE_OF_I32;
/** Protocol version (u8). */
export const WIRE_VERSION_OFFSET = WIRE_TYPE_OFFSET + SIZE_OF_U8;
/** Flags (u16, `WIRE_FLAGS`; unknown bits must be 0). */
export const WIRE_FLAGS_OFFSET = WIRE_VERSION_OFFSET + SIZE_OF_U8;
/** Payload length in bytes (u32), excluding the header. */
export const WIRE_LENGTH_OFFSET = WIRE_FLAGS_OFFSET + SIZE_OF_U16;
/** Sequence number (u64 as two u32 halves, low first). */
export const WIRE_SEQ_OFFSET = WIRE_LENGTH_OFFSET + SIZE_OF_I32;
/** Send time, ns since the Unix epoch (u64 as two u32 halves, low first). */
export const WIRE_TIMESTAMP_OFFSET = WIRE_SEQ_OFFSET + SIZE_OF_I64;
/** CRC32 over header bytes `[0, WIRE_CRC_OFFSET)` then the payload (u32). */
export const WIRE_CRC_OFFSET = WIRE_TIMESTAMP_OFFSET + SIZE_OF_I64;
/** Bytes of the header; the payload starts here. */
export const WIRE_HEADER_SIZE = WIRE_CRC_OFFSET + SIZE_OF_I32;
/**
 * Largest payload a decoder accepts. The largest valid message (a 64-leg synthetic with a
 * 256-byte name) is under 2 KiB; 8 KiB leaves room while keeping frames short enough that
 * CRC32 detects every 1-, 2- and 3-bit error (Hamming distance 4 up to ~11 KiB).
 */
export const WIRE_MAX_PAYLOAD = 8192;
/** Largest frame: header plus the largest payload. A framer never buffers more than this per frame. */
export const WIRE_MAX_FRAME = WIRE_HEADER_SIZE + WIRE_MAX_PAYLOAD;

/** Message type codes (header byte `WIRE_TYPE_OFFSET`). `0` is never valid. */
export const MESSAGE_TYPES = {
  instrumentRegistration: 1,
  instrumentUpdate: 2,
  instrumentRemoval: 3,
  venueRegistration: 4,
  poolRegistration: 5,
  cexPairRegistration: 6,
  snapshotMarker: 7,
  healthCheck: 8,
  errorResponse: 9,
  // ---- service messages (writer service, clients, replicas; never log entries) ----
  ack: 10,
  query: 11,
  queryResponse: 12,
  healthResponse: 13,
  subscribe: 14,
  snapshotChunk: 15,
} as const;

/** Header flag bits. */
export const WIRE_FLAGS = {
  /** The message is re-sent from a stored log or snapshot, not a live operation. Informational. */
  replay: 1 << 0,
} as const;
/** Union of the defined flag bits; any other bit set is rejected. */
export const WIRE_FLAGS_KNOWN = WIRE_FLAGS.replay;

// ---- field encodings ----
/** Encoding of one payload field. See the module diagram. */
export type WireFieldType = 'u8' | 'u32' | 'id' | 'ms' | 'fixed' | 'fee' | 'enum' | 'str8' | 'str16' | 'legs';

/** One payload field: model field name, encoding, byte limit (strings) or code table (enums). */
export interface WireField {
  readonly name: string;
  readonly type: WireFieldType;
  /** Longest UTF-8 byte length accepted (strings only). */
  readonly max?: number;
  /** Code table (enums only), from `layout/codes.ts`. */
  readonly codes?: Readonly<Record<string, number>>;
}

/** Bytes of a fixed-point value: scale u8 then raw u64. */
export const WIRE_FIXED_SCALE_OFFSET = 0;
/** Offset of the raw u64 inside a fixed-point value. */
export const WIRE_FIXED_RAW_OFFSET = WIRE_FIXED_SCALE_OFFSET + SIZE_OF_U8;
/** Bytes of a fixed-point value. */
export const WIRE_FIXED_SIZE = WIRE_FIXED_RAW_OFFSET + SIZE_OF_I64;
/** Offset of the id inside a synthetic leg. */
export const WIRE_LEG_ID_OFFSET = 0;
/** Offset of the leg flags byte. */
export const WIRE_LEG_FLAGS_OFFSET = WIRE_LEG_ID_OFFSET + SIZE_OF_I64;
/** Offset of the leg weight (fixed). */
export const WIRE_LEG_WEIGHT_OFFSET = WIRE_LEG_FLAGS_OFFSET + SIZE_OF_U8;
/** Bytes per synthetic leg. */
export const WIRE_LEG_SIZE = WIRE_LEG_WEIGHT_OFFSET + WIRE_FIXED_SIZE;
/** Leg flag: the leg is short (`negative: true`). */
export const WIRE_LEG_NEGATIVE = 1 << 0;
/** Leg flag: `negative` was given (distinguishes `false` from absent). */
export const WIRE_LEG_NEGATIVE_GIVEN = 1 << 1;
/** Bytes of the leg count. */
export const WIRE_LEG_COUNT_SIZE = SIZE_OF_U8;
/** Bytes of a `str8` length prefix. */
export const WIRE_STR8_LEN_SIZE = SIZE_OF_U8;
/** Bytes of a `str16` length prefix. */
export const WIRE_STR16_LEN_SIZE = SIZE_OF_U16;

/** Bytes of each fixed-width field encoding (strings and legs are variable). */
export const WIRE_FIELD_SIZE = {
  u8: SIZE_OF_U8,
  enum: SIZE_OF_U8,
  u32: SIZE_OF_I32,
  fee: SIZE_OF_I32,
  id: SIZE_OF_I64,
  ms: SIZE_OF_I64,
  fixed: WIRE_FIXED_SIZE,
} as const;

/** Longest token / pool address (EVM: 42 chars; other chains: up to 64). */
export const WIRE_ADDRESS_MAX = ADDRESS_MAX;
/** Longest MIC (ISO 10383: 4 chars). */
export const WIRE_MIC_MAX = 4;
/** Longest country code (ISO 3166-1 alpha-2). */
export const WIRE_COUNTRY_MAX = 2;
/** Longest error-response code, UTF-8 bytes. */
export const WIRE_ERROR_CODE_MAX = 64;
/** Longest error-response message, UTF-8 bytes. */
export const WIRE_ERROR_MESSAGE_MAX = 1024;

// ---- registration payload ----
/** Kind code (u8, `KIND_CODES`). */
export const WIRE_REG_KIND_OFFSET = 0;
/** Source code (u8, `SOURCE_CODES`). */
export const WIRE_REG_SOURCE_OFFSET = WIRE_REG_KIND_OFFSET + SIZE_OF_U8;
/** Status code (u8, `STATUS_CODES`). */
export const WIRE_REG_STATUS_OFFSET = WIRE_REG_SOURCE_OFFSET + SIZE_OF_U8;
/** Reserved, must be 0. */
export const WIRE_REG_RESERVED_OFFSET = WIRE_REG_STATUS_OFFSET + SIZE_OF_U8;
/** Bitmask: bit i set when `WIRE_COMMON_FIELDS[i]` is present (u16). */
export const WIRE_REG_COMMON_PRESENT_OFFSET = WIRE_REG_RESERVED_OFFSET + SIZE_OF_U8;
/** Bitmask: bit i set when `WIRE_KIND_FIELDS[kind][i]` is present (u32). */
export const WIRE_REG_KIND_PRESENT_OFFSET = WIRE_REG_COMMON_PRESENT_OFFSET + SIZE_OF_U16;
/** Start of the variable fields. */
export const WIRE_REG_FIELDS_OFFSET = WIRE_REG_KIND_PRESENT_OFFSET + SIZE_OF_I32;

/** Common instrument fields in wire order (kind, source, status are in the fixed prefix). */
export const WIRE_COMMON_FIELDS = [
  { name: 'symbol', type: 'str8', max: SYMBOL_MAX_BYTES },
  { name: 'venue', type: 'str8', max: VENUE_CODE_MAX },
  { name: 'name', type: 'str16', max: NAME_MAX_BYTES },
  { name: 'priceDecimals', type: 'u8' },
  { name: 'sizeDecimals', type: 'u8' },
  { name: 'tickSize', type: 'fixed' },
  { name: 'lotSize', type: 'fixed' },
  { name: 'minQty', type: 'fixed' },
  { name: 'maxQty', type: 'fixed' },
  { name: 'makerFeeBps', type: 'fee' },
  { name: 'takerFeeBps', type: 'fee' },
  { name: 'createdAt', type: 'ms' },
  { name: 'updatedAt', type: 'ms' },
] as const satisfies readonly WireField[];

/** The wire form of a kind field (`layout/kinds.ts`): `str` → `str8`, the rest keep their type. */
function wireKindField(f: KindField): WireField {
  if (f.type === 'str') return { name: f.name, type: 'str8', max: f.max ?? KIND_STR_MAX };
  if (f.type === 'enum') return { name: f.name, type: 'enum', codes: f.codes ?? {} };
  return { name: f.name, type: f.type };
}

/** Per-kind fields in wire order: the kind descriptors' fields, in descriptor order. */
export const WIRE_KIND_FIELDS: { readonly [K in KindName]: readonly WireField[] } = Object.fromEntries(
  Object.entries(KINDS).map(([k, d]) => [k, (d.fields as readonly KindField[]).map(wireKindField)]),
) as unknown as { readonly [K in KindName]: readonly WireField[] };

// ---- update payload ----
/** Instrument id (u64). */
export const WIRE_UPDATE_ID_OFFSET = 0;
/** Bitmask: bit i set when `WIRE_PATCH_FIELDS[i]` is present (u16). */
export const WIRE_UPDATE_PRESENT_OFFSET = WIRE_UPDATE_ID_OFFSET + SIZE_OF_I64;
/** Start of the patch fields. */
export const WIRE_UPDATE_FIELDS_OFFSET = WIRE_UPDATE_PRESENT_OFFSET + SIZE_OF_U16;

/**
 * Patch fields in wire order: exactly the model's `MUTABLE_FIELDS` (checked at load by the
 * codec): the mutable common fields, then every mutable kind field (the trading limits).
 */
export const WIRE_PATCH_FIELDS: readonly WireField[] = [
  { name: 'status', type: 'enum', codes: STATUS_CODES },
  { name: 'name', type: 'str16', max: NAME_MAX_BYTES },
  { name: 'priceDecimals', type: 'u8' },
  { name: 'sizeDecimals', type: 'u8' },
  { name: 'tickSize', type: 'fixed' },
  { name: 'lotSize', type: 'fixed' },
  { name: 'minQty', type: 'fixed' },
  { name: 'maxQty', type: 'fixed' },
  { name: 'makerFeeBps', type: 'fee' },
  { name: 'takerFeeBps', type: 'fee' },
  { name: 'updatedAt', type: 'ms' },
  ...mutableKindFields().map(wireKindField),
];

/** Mutable kind fields, each once (by name, first declaration), in kind then field order. */
function mutableKindFields(): KindField[] {
  const seen = new Map<string, KindField>();
  for (const d of Object.values(KINDS)) for (const f of d.fields as readonly KindField[]) if (f.mutable && !seen.has(f.name)) seen.set(f.name, f);
  return [...seen.values()];
}

// ---- removal payload ----
/** Instrument id (u64). */
export const WIRE_REMOVAL_ID_OFFSET = 0;
/** Bytes of a removal payload. */
export const WIRE_REMOVAL_SIZE = WIRE_REMOVAL_ID_OFFSET + SIZE_OF_I64;

// ---- venue registration payload ----
/** Venue status (u8, `STATUS_CODES`). */
export const WIRE_VENUE_STATUS_OFFSET = 0;
/** Bitmask: bit i set when `WIRE_VENUE_FIELDS[i]` is present (u8). */
export const WIRE_VENUE_PRESENT_OFFSET = WIRE_VENUE_STATUS_OFFSET + SIZE_OF_U8;
/** Start of the venue fields. */
export const WIRE_VENUE_FIELDS_OFFSET = WIRE_VENUE_PRESENT_OFFSET + SIZE_OF_U8;

/** Venue fields in wire order. */
export const WIRE_VENUE_FIELDS = [
  { name: 'code', type: 'str8', max: VENUE_CODE_MAX },
  { name: 'mic', type: 'str8', max: WIRE_MIC_MAX },
  { name: 'name', type: 'str16', max: NAME_MAX_BYTES },
  { name: 'country', type: 'str8', max: WIRE_COUNTRY_MAX },
  { name: 'makerFeeBps', type: 'fee' },
  { name: 'takerFeeBps', type: 'fee' },
] as const satisfies readonly WireField[];

// ---- snapshot marker payload ----
/** Sequence number of the last log entry the snapshot contains (u64). */
export const WIRE_SNAPSHOT_LOG_SEQ_OFFSET = 0;
/** Instruments in the snapshot (u32). */
export const WIRE_SNAPSHOT_COUNT_OFFSET = WIRE_SNAPSHOT_LOG_SEQ_OFFSET + SIZE_OF_I64;
/** Bytes of a snapshot-marker payload. */
export const WIRE_SNAPSHOT_SIZE = WIRE_SNAPSHOT_COUNT_OFFSET + SIZE_OF_I32;

// ---- health check payload ----
/** Opaque nonce echoed by the responder (u64). */
export const WIRE_HEALTH_NONCE_OFFSET = 0;
/** Bytes of a health-check payload. */
export const WIRE_HEALTH_SIZE = WIRE_HEALTH_NONCE_OFFSET + SIZE_OF_I64;

// ---- error response payload ----
/** Sequence number of the message the error refers to (u64; 0 = none). */
export const WIRE_ERROR_REF_SEQ_OFFSET = 0;
/** Start of the strings: CODE str8 then MESSAGE str16. */
export const WIRE_ERROR_FIELDS_OFFSET = WIRE_ERROR_REF_SEQ_OFFSET + SIZE_OF_I64;

// ---- ack payload (writer → client: the change is durable in the log) ----
/** Sequence number of the request this acknowledges (u64, the client's own numbering). */
export const WIRE_ACK_REF_SEQ_OFFSET = 0;
/** Log sequence number of the entry that holds the change (u64); for `unchanged`, the log position it was checked against. */
export const WIRE_ACK_LOG_SEQ_OFFSET = WIRE_ACK_REF_SEQ_OFFSET + SIZE_OF_I64;
/** Instrument id registered, updated or removed (u64). */
export const WIRE_ACK_ID_OFFSET = WIRE_ACK_LOG_SEQ_OFFSET + SIZE_OF_I64;
/** Outcome (u8, `ACK_OUTCOMES`). */
export const WIRE_ACK_OUTCOME_OFFSET = WIRE_ACK_ID_OFFSET + SIZE_OF_I64;
/** Bytes of an ack payload. */
export const WIRE_ACK_SIZE = WIRE_ACK_OUTCOME_OFFSET + SIZE_OF_U8;
/** Ack outcome codes. `0` is never valid. */
export const ACK_OUTCOMES = { added: 1, unchanged: 2, updated: 3, removed: 4 } as const;

// ---- query payload ----
/** Query kind (u8, `QUERY_KINDS`); the key follows. */
export const WIRE_QUERY_KIND_OFFSET = 0;
/** Start of the key. */
export const WIRE_QUERY_KEY_OFFSET = WIRE_QUERY_KIND_OFFSET + SIZE_OF_U8;
/** Query kind codes. `0` is never valid. */
export const QUERY_KINDS = { byId: 1, venueSymbol: 2, isin: 3 } as const;

// ---- query response payload ----
/** Sequence number of the query answered (u64). */
export const WIRE_QRESP_REF_SEQ_OFFSET = 0;
/** Log sequence number the answer reflects (u64). */
export const WIRE_QRESP_LOG_SEQ_OFFSET = WIRE_QRESP_REF_SEQ_OFFSET + SIZE_OF_I64;
/** Response flags (u8, `QUERY_RESPONSE_FLAGS`). */
export const WIRE_QRESP_FLAGS_OFFSET = WIRE_QRESP_LOG_SEQ_OFFSET + SIZE_OF_I64;
/** Number of instruments that follow (u16). */
export const WIRE_QRESP_COUNT_OFFSET = WIRE_QRESP_FLAGS_OFFSET + SIZE_OF_U8;
/** Start of the items: each an id u64 followed by a registration payload (self-delimiting). */
export const WIRE_QRESP_ITEMS_OFFSET = WIRE_QRESP_COUNT_OFFSET + SIZE_OF_U16;
/** Query response flag bits. */
export const QUERY_RESPONSE_FLAGS = {
  /** More instruments matched than fit in one payload; the response holds the first COUNT. */
  truncated: 1 << 0,
} as const;

// ---- health response payload ----
/** Nonce of the health check answered (u64). */
export const WIRE_HRESP_NONCE_OFFSET = 0;
/** Last durable log sequence number of the responder (u64). */
export const WIRE_HRESP_LOG_SEQ_OFFSET = WIRE_HRESP_NONCE_OFFSET + SIZE_OF_I64;
/** Live instruments (u32). */
export const WIRE_HRESP_INSTRUMENTS_OFFSET = WIRE_HRESP_LOG_SEQ_OFFSET + SIZE_OF_I64;
/** Role of the responder (u8, `SERVICE_ROLES`). */
export const WIRE_HRESP_ROLE_OFFSET = WIRE_HRESP_INSTRUMENTS_OFFSET + SIZE_OF_I32;
/** Bytes of a health response payload. */
export const WIRE_HRESP_SIZE = WIRE_HRESP_ROLE_OFFSET + SIZE_OF_U8;
/** Role codes. */
export const SERVICE_ROLES = { writer: 1, replica: 2 } as const;

// ---- subscribe payload (replica → writer) ----
/** Last log sequence number the subscriber already holds (u64; 0 = none: send a snapshot first). */
export const WIRE_SUB_FROM_SEQ_OFFSET = 0;
/** Bytes of a subscribe payload. */
export const WIRE_SUB_SIZE = WIRE_SUB_FROM_SEQ_OFFSET + SIZE_OF_I64;

// ---- snapshot chunk payload (writer → replica: a slice of a snapshot file) ----
/** Log sequence number the snapshot contains (u64). */
export const WIRE_CHUNK_LOG_SEQ_OFFSET = 0;
/** Size of the whole snapshot file in bytes (u64). */
export const WIRE_CHUNK_TOTAL_OFFSET = WIRE_CHUNK_LOG_SEQ_OFFSET + SIZE_OF_I64;
/** Byte offset of this chunk in the file (u64). */
export const WIRE_CHUNK_OFFSET_OFFSET = WIRE_CHUNK_TOTAL_OFFSET + SIZE_OF_I64;
/** Start of the chunk's bytes (they run to the end of the payload). */
export const WIRE_CHUNK_DATA_OFFSET = WIRE_CHUNK_OFFSET_OFFSET + SIZE_OF_I64;
/** Most data bytes in one chunk. */
export const WIRE_CHUNK_MAX_DATA = WIRE_MAX_PAYLOAD - WIRE_CHUNK_DATA_OFFSET;

if (WIRE_HEADER_SIZE !== 32) throw new Error('layout: wire header must be 32 bytes');
if (WIRE_COMMON_FIELDS.length > 16 || WIRE_PATCH_FIELDS.length > 16 || WIRE_VENUE_FIELDS.length > 8) {
  throw new Error('layout: wire presence bitmask overflow');
}
