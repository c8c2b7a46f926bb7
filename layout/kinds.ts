/**
 * One descriptor per instrument kind: the only place a kind's fields are listed.
 *
 * A descriptor gives each field its type, bounds, whether it is required, mutable, a reference
 * to another instrument, or a secondary-index key, and says which fields form the listing's
 * identity. Everything else is derived from it:
 * - the detail blob layout (`layout/detail.ts` `DETAIL_FIELDS`, field order = blob order),
 * - the wire fields (`layout/wire.ts` `WIRE_KIND_FIELDS`, same order),
 * - the identity encoding (`src/id/identity.ts`),
 * - validation and normalisation (`src/model/validate.ts`),
 * - index keys (`src/shm/index-keys.ts`) and referential integrity (`src/writer/refs.ts`),
 * - the TypeScript model types (`src/model/types.ts`).
 *
 * Appending a field to a kind is backward compatible for stored blobs and wire payloads (an old
 * blob has the new field's presence bit clear). Reordering or removing one is a layout change.
 * The recipe is in `CONTRIBUTING.md`; the identity rule in `docs/adr/0001-listing-identity.md`.
 *
 * @module
 */
import { CONTRACT_TYPE_CODES, KIND_CODES, POOL_TYPE_CODES, RIGHT_CODES, SETTLEMENT_CODES, STYLE_CODES } from './codes.js';

/**
 * Type of a kind field. Stored encodings (`layout/detail.ts`) and wire encodings
 * (`layout/wire.ts`) follow from it:
 * `u8` / `enum` 1 byte · `u32` 4 bytes · `id` u64 instrument id · `ms` i64 ms since the Unix
 * epoch (UTC) · `fixed` exact decimal (scale u8 + raw u64) · `str` u8 length + UTF-8 ·
 * `legs` synthetic legs.
 */
export type KindFieldType = 'u8' | 'u32' | 'id' | 'ms' | 'fixed' | 'str' | 'enum' | 'legs';

/**
 * How a string field is checked and normalised beyond its length:
 * `isin` ISO 6166 (check digit, upper-cased) · `cusip` CUSIP (check digit) · `sedol` SEDOL
 * (check digit) · `currency` ISO 4217-style code `[A-Z0-9]{2,12}` · `address` contract address
 * (EVM `0x` + 40 hex, lower-cased; other chains `[0-9A-Za-z_.:-]{1,64}`; needs `chainId`) ·
 * `occ` OCC option symbol (stored in its 21-character padded form) ·
 * `text` any well-formed UTF-8 without NUL.
 */
export type StringFormat = 'isin' | 'cusip' | 'sedol' | 'currency' | 'address' | 'occ' | 'text';

/**
 * Secondary index a field is a key of (region layout: `layout/region.ts` `INDEXES`).
 * `ISIN`, `CUSIP`, `SEDOL`: the code packed base 40 · `OCC`: hash of the OCC symbol ·
 * `UNDERLYING`: the referenced instrument's id.
 */
export type FieldIndex = 'ISIN' | 'CUSIP' | 'SEDOL' | 'OCC' | 'UNDERLYING';

/** One field of a kind. */
export interface KindField {
  /** Model field name (the property of `InstrumentInput`). */
  readonly name: string;
  readonly type: KindFieldType;
  /** One-line meaning with units; shown in API docs and `CONTRIBUTING.md`. */
  readonly doc: string;
  /** Must be present. */
  readonly required?: boolean;
  /** May change in place (`updateInstrument`); otherwise fixed at registration. */
  readonly mutable?: boolean;
  /** Enum code table (`enum` only), from `layout/codes.ts`. */
  readonly codes?: Readonly<Record<string, number>>;
  /** Strings: longest UTF-8 byte length. Integers: largest value. */
  readonly max?: number;
  /** Integers: smallest value. */
  readonly min?: number;
  /** Strings: check and normalisation. */
  readonly format?: StringFormat;
  /** Fixed values: must be > 0. */
  readonly positive?: boolean;
  /** Secondary index the field is a key of. */
  readonly index?: FieldIndex;
}

/** A kind: its code, identity, fields and kind-level indexes. */
export interface KindDescriptor {
  /** Stored kind code (`KIND_CODES`). */
  readonly code: number;
  /** One line: what the kind is. */
  readonly doc: string;
  /**
   * Identity alternatives, in order: the first whose fields are all present is used; its
   * position is encoded in the identity bytes. Field names are common (`venue`, `symbol`) or
   * fields of this kind.
   */
  readonly identity: ReadonlyArray<readonly string[]>;
  /** Whether venue + symbol is unique among live listings (`DuplicateSymbol`). */
  readonly symbolUnique: boolean;
  /** Fields in blob and wire order (at most {@link KIND_FIELDS_MAX}). */
  readonly fields: readonly KindField[];
  /** Indexed by contract address (hash of chain id + address). */
  readonly addressIndexed?: boolean;
  /** The two legs indexed as a pair (PAIR index) and each as an asset (ASSET index), when both are present. */
  readonly pair?: readonly [string, string];
}

/** Most fields a kind may have: presence bitmasks are u32 in blobs and on the wire. */
export const KIND_FIELDS_MAX = 32;
/** Longest string kind field, UTF-8 bytes (u8 length prefix). */
export const KIND_STR_MAX = 255;
/** Longest contract address (EVM: 42 chars; other chains: up to 64). */
export const ADDRESS_MAX = 64;
/** Most legs of a synthetic. */
export const LEGS_MAX = 64;

// ---- field groups shared by several kinds ----

type Extra = Partial<Omit<KindField, 'name' | 'type' | 'doc'>>;
/** A string field (literal types kept, so `src/model/types.ts` can derive the model from them). */
function str<const N extends string, const F extends StringFormat, const E extends Extra = Record<never, never>>(name: N, doc: string, format: F, extra?: E) {
  return { name, type: 'str', doc, format, max: KIND_STR_MAX, ...(extra as E) } as const;
}
/** A reference to another instrument (an id field). */
function ref<const N extends string, const E extends Extra = Record<never, never>>(name: N, doc: string, extra?: E) {
  return { name, type: 'id', doc, ...(extra as E) } as const;
}
/** An exact decimal field. */
function fixed<const N extends string, const E extends Extra = Record<never, never>>(name: N, doc: string, extra?: E) {
  return { name, type: 'fixed', doc, ...(extra as E) } as const;
}

/** Trading limits a venue publishes (Binance PRICE_FILTER / NOTIONAL, Bybit priceFilter, Kraken costmin). */
const LIMIT_FIELDS = [
  fixed('minNotional', 'Smallest order value (price × quantity × multiplier), in the quote currency.', { mutable: true }),
  fixed('maxNotional', 'Largest order value, in the quote currency.', { mutable: true }),
  fixed('minPrice', 'Lowest accepted order price.', { mutable: true }),
  fixed('maxPrice', 'Highest accepted order price.', { mutable: true }),
  fixed('positionLimit', 'Largest position a participant may hold, in contracts (or base units for spot).', { mutable: true }),
] as const;

const SECURITY_FIELDS = [
  str('isin', 'ISO 6166 ISIN (12 chars, valid check digit).', 'isin', { index: 'ISIN' }),
  str('cusip', 'CUSIP (9 chars, valid check digit).', 'cusip', { index: 'CUSIP' }),
  str('sedol', 'SEDOL (7 chars, valid check digit).', 'sedol', { index: 'SEDOL' }),
  str('currency', 'ISO 4217 trading currency.', 'currency'),
  ...LIMIT_FIELDS,
] as const;

/** Contract terms shared by futures and options. */
const CONTRACT_FIELDS = [
  { name: 'settlement', type: 'enum', codes: SETTLEMENT_CODES, doc: 'Settlement: linear (in quote), inverse (in base) or quanto (in a third currency).' },
  ref('settleId', 'Currency the contract settles (and margins) in.'),
  ref('quoteId', 'Currency prices are quoted in.'),
  ref('indexId', 'Price index the contract marks and settles against (kind `index`).'),
  fixed('contractSize', 'Contract size: units of `contractCurrencyId` one contract is worth.', { positive: true }),
  ref('contractCurrencyId', 'Currency (or asset) the contract size is denominated in.'),
  fixed('multiplier', 'Price multiplier: contract value = price × multiplier (separate from lot size).', { positive: true }),
  str('isin', 'ISO 6166 ISIN where the venue publishes one.', 'isin', { index: 'ISIN' }),
  ...LIMIT_FIELDS,
] as const;

const CEX_VENUE_SYMBOL = [['venue', 'symbol']] as const;

/** The descriptors, by kind name. Adding a kind: a code in `KIND_CODES` and an entry here. */
export const KINDS = {
  token: {
    code: KIND_CODES.token,
    doc: 'An on-chain fungible token.',
    identity: [['chainId', 'address']],
    symbolUnique: false,
    addressIndexed: true,
    fields: [
      { name: 'chainId', type: 'u32', required: true, min: 1, max: 0xffffffff, doc: 'EVM chain id (1 = Ethereum, 137 = Polygon) or a registry-assigned id.' },
      { name: 'address', type: 'str', required: true, format: 'address', max: ADDRESS_MAX, doc: 'Contract address (EVM: stored lower-case).' },
      ref('assetId', 'The asset (kind `currency`) this token represents, e.g. USDC on Ethereum → USDC.', { index: 'UNDERLYING' }),
    ],
  },
  stock: {
    code: KIND_CODES.stock,
    doc: 'A listed equity.',
    identity: [['isin', 'venue'], CEX_VENUE_SYMBOL[0]],
    symbolUnique: true,
    fields: SECURITY_FIELDS,
  },
  etf: {
    code: KIND_CODES.etf,
    doc: 'An exchange-traded fund.',
    identity: [['isin', 'venue'], CEX_VENUE_SYMBOL[0]],
    symbolUnique: true,
    fields: SECURITY_FIELDS,
  },
  future: {
    code: KIND_CODES.future,
    doc: 'A futures contract: dated (expiry) or perpetual swap (no expiry).',
    identity: CEX_VENUE_SYMBOL,
    symbolUnique: true,
    pair: ['baseId', 'quoteId'],
    fields: [
      ref('underlyingId', 'Underlying instrument (asset, index, stock…).', { index: 'UNDERLYING' }),
      {
        name: 'expiry',
        type: 'ms',
        doc: 'Expiry (last trading / settlement time), ms since the Unix epoch (UTC); required for a dated future, absent for a perpetual.',
      },
      { name: 'contractType', type: 'enum', codes: CONTRACT_TYPE_CODES, doc: 'future (dated, the default: stored when absent) or perpetual (no expiry).' },
      ref('baseId', 'Base asset (crypto venues).'),
      str('currency', 'ISO 4217 currency prices are quoted in (listed futures).', 'currency'),
      ...CONTRACT_FIELDS,
    ],
  },
  option: {
    code: KIND_CODES.option,
    doc: 'An option listed on a venue (exchange-listed equity options, crypto options).',
    identity: CEX_VENUE_SYMBOL,
    symbolUnique: true,
    fields: [
      ref('underlyingId', 'Underlying instrument (stock, index, future, asset).', { required: true, index: 'UNDERLYING' }),
      { name: 'expiry', type: 'ms', required: true, doc: 'Expiry, ms since the Unix epoch (UTC).' },
      fixed('strike', 'Strike price, in the quote currency.', { required: true }),
      { name: 'right', type: 'enum', codes: RIGHT_CODES, required: true, doc: 'call or put.' },
      { name: 'style', type: 'enum', codes: STYLE_CODES, required: true, doc: 'Exercise style: american or european.' },
      str('occSymbol', 'OCC option symbol (US listed options), stored in the 21-character padded form.', 'occ', { index: 'OCC' }),
      ...CONTRACT_FIELDS,
    ],
  },
  currency: {
    code: KIND_CODES.currency,
    doc: 'A currency or crypto asset in the abstract (ISO 4217 code or asset ticker); venue ASSET.',
    identity: [['symbol']],
    symbolUnique: true,
    fields: [],
  },
  cexPair: {
    code: KIND_CODES.cexPair,
    doc: 'A spot pair on a centralised exchange (derivatives are `future` and `option`).',
    identity: CEX_VENUE_SYMBOL,
    symbolUnique: true,
    pair: ['baseId', 'quoteId'],
    fields: [ref('baseId', 'Base asset.', { required: true }), ref('quoteId', 'Quote asset.', { required: true }), ...LIMIT_FIELDS],
  },
  dexPool: {
    code: KIND_CODES.dexPool,
    doc: 'A DEX liquidity pool.',
    identity: [['chainId', 'address']],
    symbolUnique: false,
    addressIndexed: true,
    pair: ['token0Id', 'token1Id'],
    fields: [
      { name: 'chainId', type: 'u32', required: true, min: 1, max: 0xffffffff, doc: 'EVM chain id.' },
      { name: 'address', type: 'str', required: true, format: 'address', max: ADDRESS_MAX, doc: 'Pool (pair) contract address.' },
      ref('token0Id', 'First token.', { required: true }),
      ref('token1Id', 'Second token.', { required: true }),
      { name: 'feeTier', type: 'u32', required: true, min: 0, max: 1_000_000, doc: 'Fee tier in hundredths of a basis point (Uniswap units: 3000 = 0.30 %).' },
      { name: 'poolType', type: 'enum', codes: POOL_TYPE_CODES, required: true, doc: 'Pool invariant.' },
    ],
  },
  synthetic: {
    code: KIND_CODES.synthetic,
    doc: 'A synthetic instrument built from weighted legs of other instruments.',
    identity: CEX_VENUE_SYMBOL,
    symbolUnique: true,
    fields: [
      { name: 'legs', type: 'legs', required: true, doc: `1..${LEGS_MAX} legs: instrument id, weight (Fixed), negative for a short leg.` },
      ...LIMIT_FIELDS,
    ],
  },
  index: {
    code: KIND_CODES.index,
    doc: 'A price or benchmark index (e.g. a venue’s BTC/USD settlement index, the S&P 500).',
    identity: CEX_VENUE_SYMBOL,
    symbolUnique: true,
    fields: [
      ref('quoteId', 'Currency the index is expressed in.'),
      str('currency', 'ISO 4217 currency of the index level.', 'currency'),
      str('isin', 'ISO 6166 ISIN of the index, if any.', 'isin', { index: 'ISIN' }),
    ],
  },
} as const satisfies Record<keyof typeof KIND_CODES, KindDescriptor>;

/** Name of a kind. */
export type KindName = keyof typeof KINDS;

/** The descriptor of a kind (widened type, for generic code), or `undefined` for a name that is not a kind. */
export function kindDescriptor(kind: KindName): KindDescriptor | undefined {
  return Object.prototype.hasOwnProperty.call(KINDS, kind) ? KINDS[kind] : undefined;
}

for (const [name, d] of Object.entries(KINDS) as Array<[string, KindDescriptor]>) {
  if (d.fields.length > KIND_FIELDS_MAX) throw new Error(`layout: kind ${name} has more than ${KIND_FIELDS_MAX} fields`);
  const names = new Set(d.fields.map((f) => f.name));
  if (names.size !== d.fields.length) throw new Error(`layout: kind ${name} lists a field twice`);
  for (const alt of d.identity)
    for (const f of alt) if (f !== 'venue' && f !== 'symbol' && !names.has(f)) throw new Error(`layout: kind ${name} identity field ${f} is not a field`);
}
