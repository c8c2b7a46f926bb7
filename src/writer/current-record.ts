/**
 * {@link CurrentRecord}: the writer's private copy of one slot's record, read out of the table
 * before a registration, update or removal decides what to write, and the comparisons and heap
 * accounting made against it. Plain memory only the writer touches (never shared).
 *
 * @module
 */
import {
  CREATED_AT_OFFSET,
  DETAIL_REF_OFFSET,
  FP_WORD,
  KIND_CODES,
  KIND_OFFSET,
  NAME_REF_OFFSET,
  RECORD_WORDS,
  UPDATED_AT_OFFSET,
  VENUE_OFFSET,
  wordIndex,
} from '../../layout/index.js';
import type { Instrument, InstrumentInput } from '../model/types.js';
import { decodeInstrument } from '../shm/decode.js';
import { copyHeapEntry, readHeapString, type HeapWriter } from '../shm/heap.js';
import { indexKeys, type IndexKey } from '../shm/index-keys.js';
import { getMs, symbolEquals } from '../shm/record-image.js';
import type { VenueTableWriter } from '../shm/venues.js';
import type { TableWriter } from './table.js';

/** First word of UPDATED_AT (ignored when comparing images). */
const UPDATED_LO = wordIndex(UPDATED_AT_OFFSET);
/** Record words holding the heap references. */
const NAME_REF_WORD = wordIndex(NAME_REF_OFFSET);
const DETAIL_REF_WORD = wordIndex(DETAIL_REF_OFFSET);

/** One record image copied out of the table, with the writer-side questions asked of it. @internal */
export class CurrentRecord {
  /** The record's 32 words. */
  readonly words = new Int32Array(RECORD_WORDS);
  readonly dv = new DataView(this.words.buffer);
  readonly u8 = new Uint8Array(this.words.buffer);

  constructor(
    private readonly heap: HeapWriter,
    private readonly venues: VenueTableWriter,
  ) {}

  /** Copy slot `slot` of `table`'s current generation. */
  read(table: TableWriter, slot: number): void {
    table.readImage(slot, this.words);
  }

  /** The record's id fingerprint. */
  get fp(): number {
    return this.words[FP_WORD]! >>> 0;
  }

  get createdAt(): number {
    return getMs(this.dv, CREATED_AT_OFFSET);
  }

  get updatedAt(): number {
    return getMs(this.dv, UPDATED_AT_OFFSET);
  }

  get venue(): number {
    return this.dv.getUint16(VENUE_OFFSET, true);
  }

  get detailRef(): number {
    return this.words[DETAIL_REF_WORD]! >>> 0;
  }

  get nameRef(): number {
    return this.words[NAME_REF_WORD]! >>> 0;
  }

  /** The whole instrument (names and detail copied out of the heap). */
  decode(): Instrument {
    const heap = this.heap.view();
    return decodeInstrument(
      this.dv,
      this.u8,
      (ref) => copyHeapEntry(heap, ref),
      (i) => this.venues.code(i),
    );
  }

  name(): string | undefined {
    const ref = this.nameRef;
    return ref ? readHeapString(this.heap.view(), ref) : undefined;
  }

  symbolIs(symbol: string): boolean {
    return symbolEquals(this.u8, 0, symbol);
  }

  /** Does the record's detail blob hold exactly `detail`? */
  sameDetail(detail: Uint8Array): boolean {
    const ref = this.detailRef;
    if (ref === 0) return false;
    const old = copyHeapEntry(this.heap.view(), ref);
    if (old.length !== detail.length) return false;
    for (let i = 0; i < old.length; i++) if (old[i] !== detail[i]) return false;
    return true;
  }

  /** Does `image` equal this record, ignoring SEQ (and UPDATED_AT unless `withUpdatedAt`)? */
  sameImage(image: Int32Array, withUpdatedAt: boolean): boolean {
    for (let w = 1; w < RECORD_WORDS; w++) {
      if (!withUpdatedAt && (w === UPDATED_LO || w === UPDATED_LO + 1)) continue;
      if (image[w] !== this.words[w]) return false;
    }
    return true;
  }

  /** Do the record's venue, symbol and kind equal the new instrument's (the non-detail key parts)? */
  sameListingKey(venue: number, inst: InstrumentInput): boolean {
    return this.venue === venue && this.u8[KIND_OFFSET] === KIND_CODES[inst.kind] && this.symbolIs(inst.symbol);
  }

  /** Index keys the record's entries were made for. */
  keys(): IndexKey[] {
    const inst = this.decode();
    return indexKeys(inst, this.venues.get(inst.venue)!);
  }

  /** The record's heap entries are referenced by a live record (again). */
  retainEntries(): void {
    this.heap.retain(this.nameRef);
    this.heap.retain(this.detailRef);
  }

  /** The record's heap entries are no longer referenced by a live record. */
  releaseEntries(): void {
    this.heap.release(this.nameRef);
    this.heap.release(this.detailRef);
  }

  /** Heap bytes of the record's entries. */
  entryBytes(): number {
    return this.heap.entrySize(this.nameRef) + this.heap.entrySize(this.detailRef);
  }
}

/** Move a record image's heap references to the generation being built (rebuild / copy hook). */
export function moveHeapRefs(heap: HeapWriter, image: Int32Array, live: boolean): void {
  image[NAME_REF_WORD] = heap.move(image[NAME_REF_WORD]! >>> 0, live);
  image[DETAIL_REF_WORD] = heap.move(image[DETAIL_REF_WORD]! >>> 0, live);
}
