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
/** CEX pair contract type: spot, perpetual swap, dated future, option contract. */
export type ContractType = keyof typeof CONTRACT_TYPE_CODES;
/** Derivative settlement: linear (settled in quote), inverse (settled in base), or none for spot. */
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

/** An on-chain fungible token. Identity: chain id + contract address. */
export interface TokenFields {
  kind: 'token';
  /** EVM chain id (1 = Ethereum, 137 = Polygon, …) or a registry-assigned id for non-EVM chains. */
  chainId: number;
  /** Contract address: `0x` + 40 hex digits for EVM chains (stored lower-case); up to 64 chars otherwise. */
  address: string;
}

/** A listed equity or ETF. Identity: ISIN + venue if an ISIN is known, else symbol + venue. */
export interface SecurityFields {
  kind: 'stock' | 'etf';
  /** ISO 6166 ISIN (12 chars, valid check digit). */
  isin?: string;
  /** CUSIP (9 chars, valid check digit). */
  cusip?: string;
  /** SEDOL (7 chars, valid check digit). */
  sedol?: string;
  /** ISO 4217 trading currency. */
  currency?: string;
}

/** An exchange-traded future. Identity: venue + symbol. */
export interface FutureFields {
  kind: 'future';
  underlyingId?: InstrumentId;
  /** Expiry, ms since the Unix epoch (UTC). */
  expiry: number;
  /** Contract size / multiplier. */
  contractSize?: Fixed;
  currency?: string;
}

/** A listed option. Identity: underlying + expiry + strike + right (+ venue). */
export interface OptionFields {
  kind: 'option';
  underlyingId: InstrumentId;
  /** Expiry, ms since the Unix epoch (UTC). */
  expiry: number;
  strike: Fixed;
  right: OptionRight;
  style: OptionStyle;
  /** OCC 21-character option symbol, if any. */
  occSymbol?: string;
  contractSize?: Fixed;
}

/** A currency or crypto asset in the abstract (fiat ISO 4217 code or an asset ticker). Identity: code. */
export interface CurrencyFields {
  kind: 'currency';
}

/** A pair listed on a centralised exchange (spot, perpetual, dated future, option). Identity: venue + symbol. */
export interface CexPairFields {
  kind: 'cexPair';
  baseId: InstrumentId;
  quoteId: InstrumentId;
  /** Settlement asset for derivatives. */
  settleId?: InstrumentId;
  contractType: ContractType;
  settlement: Settlement;
  /** Expiry of a dated contract, ms since the Unix epoch. */
  expiry?: number;
  contractSize?: Fixed;
}

/** A DEX liquidity pool. Identity: chain id + pool address. */
export interface DexPoolFields {
  kind: 'dexPool';
  chainId: number;
  /** Pool (pair) contract address. */
  address: string;
  token0Id: InstrumentId;
  token1Id: InstrumentId;
  /** Fee tier in hundredths of a basis point (Uniswap units: 3000 = 0.30 %). */
  feeTier: number;
  poolType: PoolType;
}

/** One leg of a synthetic instrument. */
export interface SyntheticLeg {
  id: InstrumentId;
  /** Weight magnitude; `negative: true` marks a short leg. */
  weight: Fixed;
  negative?: boolean;
}

/** A synthetic instrument built from other instruments. Identity: venue + symbol. */
export interface SyntheticFields {
  kind: 'synthetic';
  legs: SyntheticLeg[];
}

/** Per-kind fields, discriminated by `kind`. */
export type KindFields = TokenFields | SecurityFields | FutureFields | OptionFields | CurrencyFields | CexPairFields | DexPoolFields | SyntheticFields;

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
  return kind !== 'token' && kind !== 'dexPool';
}

/** Venue code used for {@link CurrencyFields} instruments: an asset belongs to no venue. */
export const ASSET_VENUE = 'ASSET';

/** Mutable fields an update may change in place (identity fields never change). */
export const MUTABLE_FIELDS = [
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

/** A partial update of an instrument's mutable fields. */
export type InstrumentPatch = Partial<Pick<CommonFields, (typeof MUTABLE_FIELDS)[number]>>;
