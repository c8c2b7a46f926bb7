/**
 * {@link FieldSet}: the allocation-free result of a hot lookup. A field set names, once, the
 * record fields a hot path needs; a lookup (`RegistryReader.readById`, `readBySymbolKey`, …)
 * copies exactly the record words those fields live in, under one seqlock check, into the set's
 * private `Int32Array`, and the accessors decode from that copy. Nothing is allocated per lookup
 * and no accessor touches shared memory.
 *
 * Which words each field needs is derived from the byte offsets in `layout/record.ts`.
 *
 * @module
 */
import {
  FEE_UNITS_PER_BP,
  ID_HI_OFFSET,
  ID_LO_OFFSET,
  KIND_OFFSET,
  LOT_OFFSET,
  LOT_SCALE_OFFSET,
  MAKER_FEE_OFFSET,
  MAX_QTY_OFFSET,
  MAX_QTY_SCALE_OFFSET,
  MIN_QTY_OFFSET,
  MIN_QTY_SCALE_OFFSET,
  PRESENT_OFFSET,
  PRICE_DECIMALS_OFFSET,
  RECORD_WORDS,
  SIZE_DECIMALS_OFFSET,
  SIZE_OF_I32,
  SOURCE_OFFSET,
  STATUS_OFFSET,
  SYMBOL_LEN_OFFSET,
  SYMBOL_MAX_BYTES,
  SYMBOL_OFFSET,
  TAKER_FEE_OFFSET,
  TICK_OFFSET,
  TICK_SCALE_OFFSET,
  UPDATED_AT_OFFSET,
  VENUE_OFFSET,
  wordIndex,
} from '../../layout/index.js';
import { RegistryError } from '../errors.js';
import { i32At, msAt, u16At, u8At } from '../shm/words.js';

/** Byte ranges `[offset, bytes]` of each hot field in the record. */
const FIELD_BYTES = {
  id: [
    [ID_LO_OFFSET, 4],
    [ID_HI_OFFSET, 4],
  ],
  kind: [[KIND_OFFSET, 1]],
  source: [[SOURCE_OFFSET, 1]],
  venue: [[VENUE_OFFSET, 2]],
  status: [[STATUS_OFFSET, 1]],
  tickSize: [
    [TICK_OFFSET, 8],
    [TICK_SCALE_OFFSET, 1],
    [PRESENT_OFFSET, 1],
  ],
  lotSize: [
    [LOT_OFFSET, 8],
    [LOT_SCALE_OFFSET, 1],
    [PRESENT_OFFSET, 1],
  ],
  minQty: [
    [MIN_QTY_OFFSET, 8],
    [MIN_QTY_SCALE_OFFSET, 1],
    [PRESENT_OFFSET, 1],
  ],
  maxQty: [
    [MAX_QTY_OFFSET, 8],
    [MAX_QTY_SCALE_OFFSET, 1],
    [PRESENT_OFFSET, 1],
  ],
  decimals: [
    [PRICE_DECIMALS_OFFSET, 1],
    [SIZE_DECIMALS_OFFSET, 1],
    [PRESENT_OFFSET, 1],
  ],
  fees: [
    [MAKER_FEE_OFFSET, 4],
    [TAKER_FEE_OFFSET, 4],
    [PRESENT_OFFSET, 1],
  ],
  updatedAt: [[UPDATED_AT_OFFSET, 8]],
  symbol: [
    [SYMBOL_LEN_OFFSET, 1],
    [SYMBOL_OFFSET, SYMBOL_MAX_BYTES],
  ],
} as const satisfies Record<string, ReadonlyArray<readonly [number, number]>>;

/** A field a {@link FieldSet} can carry. */
export type HotField = keyof typeof FIELD_BYTES;

/** Every hot field name. */
export const HOT_FIELDS = Object.keys(FIELD_BYTES) as HotField[];

const BIT: Record<HotField, number> = Object.fromEntries(HOT_FIELDS.map((f, i) => [f, 1 << i])) as Record<HotField, number>;

const utf8d = new TextDecoder();

/**
 * The fields a hot lookup copies, and the private copy they are decoded from. Create one per
 * thread and call site and reuse it for every lookup.
 *
 * Fixed-point values are returned as raw integer + decimal scale (value = raw × 10^-scale);
 * `*Raw` getters return a `number`, exact while the raw value is below 2^53 (use the `*RawLo` /
 * `*RawHi` halves beyond). Reading a field the set does not carry throws.
 *
 * @example
 * const f = new FieldSet(['kind', 'tickSize', 'status']);
 * if (reader.readById(idLo, idHi, f)) submit(f.tickRaw, f.tickScale);
 */
export class FieldSet {
  /** @internal record-word indexes to copy, ascending */
  readonly idx: Int32Array;
  /** @internal number of words in `idx` */
  readonly n: number;
  /** @internal the private copy, indexed by record word (words not carried stay 0) */
  readonly w = new Int32Array(RECORD_WORDS);
  /** @internal bitmask of carried fields */
  private readonly has: number;
  /** Slot of the record last read (valid in {@link gen}); -1 before the first hit. */
  slot = -1;
  /** Table generation of {@link slot}. */
  gen = 0;

  /**
   * @param fields the fields to copy on each lookup (an empty set only checks presence).
   * @throws {RegistryError} `InvalidArgument` if `fields` is not an array, or for an unknown field name.
   */
  constructor(fields: readonly HotField[]) {
    if (!Array.isArray(fields)) throw new RegistryError('InvalidArgument', `FieldSet needs an array of field names (${HOT_FIELDS.join(', ')})`);
    const words = new Set<number>();
    let has = 0;
    for (const f of fields) {
      const ranges: ReadonlyArray<readonly [number, number]> | undefined =
        typeof f === 'string' && Object.prototype.hasOwnProperty.call(FIELD_BYTES, f) ? FIELD_BYTES[f as HotField] : undefined;
      if (!ranges) throw new RegistryError('InvalidArgument', `unknown hot field ${String(f)}; known: ${HOT_FIELDS.join(', ')}`);
      has |= BIT[f as HotField];
      for (const [off, len] of ranges) {
        for (let w = wordIndex(off - (off % SIZE_OF_I32)); w * SIZE_OF_I32 < off + len; w++) words.add(w);
      }
    }
    this.idx = Int32Array.from([...words].sort((a, b) => a - b));
    this.n = this.idx.length;
    this.has = has;
  }

  private need(bit: number, name: HotField): void {
    if ((this.has & bit) === 0) throw new RegistryError('InvalidArgument', `field ${name} is not in this FieldSet`);
  }

  /** Id, low 32 bits (unsigned). */
  get idLo(): number {
    this.need(BIT.id, 'id');
    return this.w[wordIndex(ID_LO_OFFSET)]! >>> 0;
  }
  /** Id, high 32 bits (unsigned). */
  get idHi(): number {
    this.need(BIT.id, 'id');
    return this.w[wordIndex(ID_HI_OFFSET)]! >>> 0;
  }
  /** Kind code (`KIND_CODES`). */
  get kindCode(): number {
    this.need(BIT.kind, 'kind');
    return u8At(this.w, KIND_OFFSET);
  }
  /** Source code (`SOURCE_CODES`). */
  get sourceCode(): number {
    this.need(BIT.source, 'source');
    return u8At(this.w, SOURCE_OFFSET);
  }
  /** Venue index in the registry's venue table (`RegistryReader.venueCode(i)` gives the code). */
  get venueIndex(): number {
    this.need(BIT.venue, 'venue');
    return u16At(this.w, VENUE_OFFSET);
  }
  /** Status code (`STATUS_CODES`). */
  get statusCode(): number {
    this.need(BIT.status, 'status');
    return u8At(this.w, STATUS_OFFSET);
  }
  /** PRESENT bitmask (`PRESENT_BITS`): which optional attributes the record carries. */
  get presentBits(): number {
    if ((this.has & (BIT.tickSize | BIT.lotSize | BIT.minQty | BIT.maxQty | BIT.decimals | BIT.fees)) === 0) this.need(0, 'tickSize');
    return u8At(this.w, PRESENT_OFFSET);
  }
  /** Tick size raw value (0 when absent; see {@link presentBits}). */
  get tickRaw(): number {
    this.need(BIT.tickSize, 'tickSize');
    return raw(this.w, TICK_OFFSET);
  }
  /** Tick size decimal scale. */
  get tickScale(): number {
    this.need(BIT.tickSize, 'tickSize');
    return u8At(this.w, TICK_SCALE_OFFSET);
  }
  /** Tick size raw value, low 32 bits (unsigned). */
  get tickRawLo(): number {
    this.need(BIT.tickSize, 'tickSize');
    return this.w[wordIndex(TICK_OFFSET)]! >>> 0;
  }
  /** Tick size raw value, high 32 bits (unsigned). */
  get tickRawHi(): number {
    this.need(BIT.tickSize, 'tickSize');
    return this.w[wordIndex(TICK_OFFSET) + 1]! >>> 0;
  }
  /** Lot size raw value. */
  get lotRaw(): number {
    this.need(BIT.lotSize, 'lotSize');
    return raw(this.w, LOT_OFFSET);
  }
  /** Lot size decimal scale. */
  get lotScale(): number {
    this.need(BIT.lotSize, 'lotSize');
    return u8At(this.w, LOT_SCALE_OFFSET);
  }
  /** Minimum quantity raw value. */
  get minQtyRaw(): number {
    this.need(BIT.minQty, 'minQty');
    return raw(this.w, MIN_QTY_OFFSET);
  }
  /** Minimum quantity decimal scale. */
  get minQtyScale(): number {
    this.need(BIT.minQty, 'minQty');
    return u8At(this.w, MIN_QTY_SCALE_OFFSET);
  }
  /** Maximum quantity raw value. */
  get maxQtyRaw(): number {
    this.need(BIT.maxQty, 'maxQty');
    return raw(this.w, MAX_QTY_OFFSET);
  }
  /** Maximum quantity decimal scale. */
  get maxQtyScale(): number {
    this.need(BIT.maxQty, 'maxQty');
    return u8At(this.w, MAX_QTY_SCALE_OFFSET);
  }
  /** Price decimals. */
  get priceDecimals(): number {
    this.need(BIT.decimals, 'decimals');
    return u8At(this.w, PRICE_DECIMALS_OFFSET);
  }
  /** Size decimals. */
  get sizeDecimals(): number {
    this.need(BIT.decimals, 'decimals');
    return u8At(this.w, SIZE_DECIMALS_OFFSET);
  }
  /** Maker fee in 0.01 bp units (negative = rebate); bps = value / 100. */
  get makerFeeUnits(): number {
    this.need(BIT.fees, 'fees');
    return i32At(this.w, MAKER_FEE_OFFSET);
  }
  /** Taker fee in 0.01 bp units. */
  get takerFeeUnits(): number {
    this.need(BIT.fees, 'fees');
    return i32At(this.w, TAKER_FEE_OFFSET);
  }
  /** Maker fee in bps. */
  get makerFeeBps(): number {
    return this.makerFeeUnits / FEE_UNITS_PER_BP;
  }
  /** Taker fee in bps. */
  get takerFeeBps(): number {
    return this.takerFeeUnits / FEE_UNITS_PER_BP;
  }
  /** Last update, ms since the Unix epoch. */
  get updatedAt(): number {
    this.need(BIT.updatedAt, 'updatedAt');
    return msAt(this.w, UPDATED_AT_OFFSET);
  }
  /** Symbol (allocates a string: not for the innermost loop; compare with a prepared key instead). */
  get symbol(): string {
    this.need(BIT.symbol, 'symbol');
    const n = u8At(this.w, SYMBOL_LEN_OFFSET);
    const bytes = new Uint8Array(n);
    for (let i = 0; i < n; i++) bytes[i] = u8At(this.w, SYMBOL_OFFSET + i);
    return utf8d.decode(bytes);
  }
}

/** u64 raw value at a record byte offset, as a number. */
function raw(w: Int32Array, off: number): number {
  const k = off >> 2;
  return (w[k + 1]! >>> 0) * 2 ** 32 + (w[k]! >>> 0);
}
