/**
 * The unified instrument model: one shape for every tradeable thing instreg holds.
 *
 * An {@link InstrumentInput} is what the writer accepts (from discovery, the wire
 * protocol or your own code); an {@link Instrument} is what a reader hands back
 * (the input plus its derived `id`). Both are plain data: numbers that must be
 * exact (tick size, lot size, strike, contract size) are {@link Fixed} values,
 * never floats.
 *
 * Identity fields (the ones hashed into the id, see `src/id/identity.ts`) never
 * change for an instrument; every other field may be updated in place.
 *
 * @module
 */
import { WIRE_COMMON_FIELDS } from '../../layout/wire.js';
import { KINDS as KIND_DESCRIPTORS, type KindField, type KINDS } from '../../layout/kinds.js';
import type {
  CONTRACT_TYPE_CODES,
  KIND_CODES,
  POOL_TYPE_CODES,
  RIGHT_CODES,
  SETTLEMENT_CODES,
  SOURCE_CODES,
  STATUS_CODES,
  STYLE_CODES,
} from '../../layout/codes.js';

/** 64-bit instrument id: first 64 bits of BLAKE3 over the canonical identity encoding (unsigned). */
export type InstrumentId = bigint;

/** Instrument kind. */
export type InstrumentKind = keyof typeof KIND_CODES;
/** Origin of an instrument: DeFi (on-chain), CEX (crypto exchange), TradFi (listed securities) or Synthetic. */
export type InstrumentSource = keyof typeof SOURCE_CODES;
/** Trading status. */
export type InstrumentStatus = keyof typeof STATUS_CODES;
/** Future contract type: dated future or perpetual swap. */
export type ContractType = keyof typeof CONTRACT_TYPE_CODES;
/** Derivative settlement (see `SETTLEMENT_CODES`). */
export type Settlement = keyof typeof SETTLEMENT_CODES;
/** Option right. */
export type OptionRight = keyof typeof RIGHT_CODES;
/** Option exercise style. */
export type OptionStyle = keyof typeof STYLE_CODES;
/** DEX pool invariant. */
export type PoolType = keyof typeof POOL_TYPE_CODES;

/**
 * An exact decimal: `value = raw × 10^-scale`.
 * `raw` is an unsigned 64-bit integer (0 ≤ raw < 2^64); `scale` is 0..30.
 * Example: a tick size of 0.01 is `{ raw: 1n, scale: 2 }`.
 */
export interface Fixed {
  readonly raw: bigint;
  readonly scale: number;
}

/** Fields every instrument has. */
export interface CommonFields {
  /** Venue symbol (e.g. `BTCUSDT`, `AAPL`, `APC`), 1..32 UTF-8 bytes, no NUL. */
  symbol: string;
  /**
   * Venue code: an ISO 10383 MIC for listed venues (`XNAS`, `XETR`), or an uppercase
   * crypto venue / chain code (`BINANCE`, `COINBASE`, `ETHEREUM`). 1..16 chars of `[A-Z0-9_.-]`.
   */
  venue: string;
  source: InstrumentSource;
  status: InstrumentStatus;
  /** Human-readable name, ≤ 256 UTF-8 bytes. */
  name?: string;
  /** Price precision: decimals a price is quoted with (0..30). */
  priceDecimals?: number;
  /** Size precision: decimals a quantity is expressed with; for tokens the ERC-20 `decimals` (0..255). */
  sizeDecimals?: number;
  /** Minimum price increment. */
  tickSize?: Fixed;
  /** Minimum quantity increment. */
  lotSize?: Fixed;
  /** Minimum order quantity. */
  minQty?: Fixed;
  /** Maximum order quantity. */
  maxQty?: Fixed;
  /** Maker fee in basis points, resolution 0.01 bp, may be negative (rebate). */
  makerFeeBps?: number;
  /** Taker fee in basis points, resolution 0.01 bp. */
  takerFeeBps?: number;
  /** Creation time, ms since the Unix epoch (UTC). Set by the writer if absent. */
  createdAt?: number;
  /** Last update time, ms since the Unix epoch (UTC). Set by the writer. */
  updatedAt?: number;
}

/** One leg of a synthetic instrument. */
export interface SyntheticLeg {
  id: InstrumentId;
  /** Weight magnitude; `negative: true` marks a short leg. */
  weight: Fixed;
  negative?: boolean;
}

/** The model value of a descriptor field (`layout/kinds.ts`) by its type. */
type FieldValue<F> = F extends { readonly type: 'id' }
  ? InstrumentId
  : F extends { readonly type: 'u8' | 'u32' | 'ms' }
    ? number
    : F extends { readonly type: 'fixed' }
      ? Fixed
      : F extends { readonly type: 'str' }
        ? string
        : F extends { readonly type: 'enum'; readonly codes: infer C }
          ? keyof C & string
          : F extends { readonly type: 'legs' }
            ? SyntheticLeg[]
            : never;
type DescriptorFields<K extends InstrumentKind> = (typeof KINDS)[K]['fields'][number];
type Simplify<T> = { [P in keyof T]: T[P] } & {};

/**
 * The fields of kind `K`, derived from its descriptor in `layout/kinds.ts` (the only place a
 * kind's fields, their meaning and units are listed): required fields are required here, the
 * rest optional.
 */
export type KindFieldsOf<K extends InstrumentKind> = Simplify<
  { kind: K } & { [F in Extract<DescriptorFields<K>, { readonly required: true }> as F['name']]: FieldValue<F> } & {
    [F in Exclude<DescriptorFields<K>, { readonly required: true }> as F['name']]?: FieldValue<F>;
  }
>;

/** An on-chain fungible token. Identity: chain id + contract address. */
export type TokenFields = KindFieldsOf<'token'>;
/** A listed equity or ETF. Identity: ISIN + venue if an ISIN is known, else venue + symbol. */
export type SecurityFields = KindFieldsOf<'stock'> | KindFieldsOf<'etf'>;
/** A futures contract, dated or perpetual. Identity: venue + symbol. */
export type FutureFields = KindFieldsOf<'future'>;
/** A listed option. Identity: venue + symbol (ADR 0001). */
export type OptionFields = KindFieldsOf<'option'>;
/** A currency or crypto asset in the abstract. Identity: code. */
export type CurrencyFields = KindFieldsOf<'currency'>;
/** A spot pair listed on a centralised exchange. Identity: venue + symbol. */
export type CexPairFields = KindFieldsOf<'cexPair'>;
/** A DEX liquidity pool. Identity: chain id + pool address. */
export type DexPoolFields = KindFieldsOf<'dexPool'>;
/** A synthetic instrument built from other instruments. Identity: venue + symbol. */
export type SyntheticFields = KindFieldsOf<'synthetic'>;

/** Per-kind fields, discriminated by `kind`. */
export type KindFields = { [K in InstrumentKind]: KindFieldsOf<K> }[InstrumentKind];

/** What the writer accepts: common fields plus the fields of one kind. */
export type InstrumentInput = CommonFields & KindFields;

/** What readers return: an input plus its derived id. */
export type Instrument = InstrumentInput & { readonly id: InstrumentId };

/**
 * Whether a kind's symbol is the venue's trading key, unique per venue (`DuplicateSymbol` is
 * raised for a second live instrument with the same venue + symbol). On-chain tokens and DEX
 * pools are identified by their address; their symbols are informational and may repeat on one
 * chain (e.g. two `LIT` tokens on Ethereum), so they are exempt.
 */
export function symbolIsUnique(kind: InstrumentKind): boolean {
  return Object.prototype.hasOwnProperty.call(KIND_DESCRIPTORS, kind) ? KIND_DESCRIPTORS[kind].symbolUnique : true;
}

/** Names of the common fields ({@link CommonFields}) plus `kind`: allowed on every kind. */
export const COMMON_FIELD_NAMES: ReadonlySet<string> = new Set([
  'kind',
  'source',
  'status', // the registration payload's fixed prefix
  ...WIRE_COMMON_FIELDS.map((f) => f.name), // symbol, venue, name, decimals, tick/lot, quantities, fees, timestamps
]);

/** Every field name an instrument of some kind may carry: the common ones and every descriptor field. */
export const INSTRUMENT_FIELD_NAMES: ReadonlySet<string> = new Set([
  ...COMMON_FIELD_NAMES,
  ...Object.values(KIND_DESCRIPTORS).flatMap((d) => (d.fields as readonly KindField[]).map((f) => f.name)),
]);

/** Venue code used for {@link CurrencyFields} instruments: an asset belongs to no venue. */
export const ASSET_VENUE = 'ASSET';

/** Mutable common fields (stored in the record's cache line 1), in wire patch order. */
const MUTABLE_COMMON_FIELDS = [
  'status',
  'name',
  'priceDecimals',
  'sizeDecimals',
  'tickSize',
  'lotSize',
  'minQty',
  'maxQty',
  'makerFeeBps',
  'takerFeeBps',
  'updatedAt',
] as const;

/** Names of the kind fields a descriptor marks `mutable` (the trading limits). */
type MutableKindField = Extract<DescriptorFields<InstrumentKind>, { readonly mutable: true }>['name'];

/**
 * Mutable fields an update may change in place (identity fields never change): the mutable
 * common fields, then each kind field a descriptor marks mutable (in the wire patch order of
 * `layout/wire.ts`). A kind field in a patch for a kind without it is refused by validation.
 */
export const MUTABLE_FIELDS: ReadonlyArray<(typeof MUTABLE_COMMON_FIELDS)[number] | MutableKindField> = [
  ...MUTABLE_COMMON_FIELDS,
  ...new Set(
    Object.values(KIND_DESCRIPTORS).flatMap((d) => (d.fields as readonly KindField[]).filter((f) => f.mutable).map((f) => f.name as MutableKindField)),
  ),
];

/** A partial update of an instrument's mutable fields. */
export type InstrumentPatch = Partial<Pick<CommonFields, (typeof MUTABLE_COMMON_FIELDS)[number]> & { [F in MutableKindField]: Fixed }>;
