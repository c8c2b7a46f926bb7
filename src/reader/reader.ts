/**
 * {@link RegistryReader}: lock-free lookups over a registry's shared memory, from any thread.
 * A reader never writes shared memory: no locks, no reader counters, no reader slots.
 *
 * Protocol (argued in `layout/SPEC.md`, "Memory ordering"):
 * - **Generation.** Each lookup loads GENERATION; if it changed, the reader re-reads the
 *   generation's capacity. After the lookup it loads BUILDING: if BUILDING ≥ gen + 2 the region it
 *   read may be under reuse, and the lookup is retried in the current generation.
 * - **Key probe.** Every word of a probe (GEN_TAG, id halves, STATE, index entries) is read with
 *   `Atomics.load`; within a generation a slot's tag and id are written once, before its tag.
 * - **Record copy.** A view copies a cache line with plain loads between two `Atomics.load`s of SEQ,
 *   with an `Atomics.add` on a private cell in between (acquire fence for the plain loads), and
 *   retries on an odd or changed SEQ.
 *
 * @module
 */
import {
  CTL,
  ENTRY_HASH_WORD,
  ENTRY_SLOT_WORD,
  ENTRY_WORDS,
  GEN_TAG_WORD,
  ID_HI_WORD,
  ID_LO_WORD,
  INDEXES,
  type IndexName,
  LINE1_FIRST_WORD,
  RECORD_WORDS,
  SEQ_WORD,
  SLOT_STATE,
  STATE_SHIFT,
  STATE_WORD,
  KIND_CODES,
  LINE_WORDS,
  SYMBOL_LEN_OFFSET,
  SYMBOL_OFFSET,
  SIZE_OF_I32,
  indexOffset,
  regionSize,
} from '../../layout/index.js';
import { splitId } from '../id/derive.js';
import type { InstrumentKind } from '../model/types.js';
import { checkHandle, type RegistryHandle } from '../shm/handle.js';
import { heapView } from '../shm/heap.js';
import { hashChainAddress, hashId, hashIdHalves, hashIdPair, hashString, hashVenueSymbol } from '../shm/keyhash.js';
import { detailFieldOffset, detailStrEquals, detailU32At } from '../shm/detail.js';
import { symbolEqualsWords } from '../shm/words.js';
import { VenueTableReader } from '../shm/venues.js';
import { ALL_LINES, InstrumentView, LINE0, LINE1, type ViewHost } from './view.js';

/**
 * Whether loads need an explicit fence before a validating `Atomics.load`. x86-64 (TSO) never
 * reorders a load with an older load; ARM64 and others may, so there a private `Atomics.add`
 * (an acquire-release RMW) separates the plain loads from the closing load.
 */
const LOAD_FENCE = process.arch !== 'x64' && process.arch !== 'ia32';

interface IndexArea {
  base: number;
  mask: number;
}

/** Lock-free reader. Attach with {@link RegistryReader.attach}; one per thread. */
export class RegistryReader implements ViewHost {
  private readonly ctl: Int32Array;
  private readonly regionBuffers: readonly SharedArrayBuffer[];
  /** Fixed-length views of each region, sized for the generation last seen in it. */
  private readonly regions: Int32Array[];
  private readonly heap: SharedArrayBuffer;
  private heapU8: Uint8Array;
  private readonly venues: VenueTableReader;
  /** Private fence cell: never shared with any other thread. */
  private readonly fence = new Int32Array(new SharedArrayBuffer(SIZE_OF_I32));
  private gen = 0;
  private region!: Int32Array;
  private mask = 0;
  private readonly indexes = {} as Record<IndexName, IndexArea>;
  /** Lookups performed by this reader (thread-local; sum across readers on demand). */
  lookups = 0;
  /** Seqlock retries this reader has seen (a write overlapped a copy). */
  retries = 0;

  private constructor(handle: RegistryHandle) {
    checkHandle(handle);
    this.ctl = new Int32Array(handle.control);
    this.regionBuffers = handle.regions;
    this.regions = handle.regions.map((r) => new Int32Array(r, 0, 0));
    this.heap = handle.heap;
    this.heapU8 = heapView(handle.heap);
    this.venues = new VenueTableReader(handle.venues, this.ctl);
    this.sync();
  }

  /**
   * Attach to a registry from its handle (e.g. received in `workerData`).
   * @throws {LayoutMismatchError} wrong magic, layout version, or a malformed handle.
   */
  static attach(handle: RegistryHandle): RegistryReader {
    return new RegistryReader(handle);
  }

  // ------------------------------------------------------------------ generation handling

  /** Pick up a newly published generation, if any. */
  private sync(): void {
    const g = Atomics.load(this.ctl, CTL.GENERATION);
    if (g === this.gen) return;
    for (;;) {
      const g1 = Atomics.load(this.ctl, CTL.GENERATION);
      const cap = Atomics.load(this.ctl, CTL.CAPACITY);
      if (Atomics.load(this.ctl, CTL.GENERATION) !== g1) continue;
      this.gen = g1;
      this.mask = cap - 1;
      // Fixed-length view (length-tracking views on growable buffers are ~4x slower in V8 11).
      // The region was grown before GENERATION was published, so its length is visible here.
      const region = new Int32Array(this.regionBuffers[g1 & 1]!, 0, regionSize(cap) / SIZE_OF_I32);
      this.regions[g1 & 1] = region;
      this.region = region;
      for (const [name, def] of Object.entries(INDEXES) as [IndexName, (typeof INDEXES)[IndexName]][]) {
        this.indexes[name] = { base: indexOffset(cap, name) / SIZE_OF_I32, mask: cap * def.capacityFactor - 1 };
      }
      return;
    }
  }

  /**
   * Closing check of a lookup made in generation `gen`: true if the lookup must be retried, because
   * a newer generation has been published or the region of `gen` may be under reuse.
   * On ARM64 a private RMW first orders this thread's earlier plain loads before the BUILDING
   * load; x86-64 never reorders loads with loads (see layout/SPEC.md, "Memory ordering").
   */
  private stale(gen: number): boolean {
    if (LOAD_FENCE) Atomics.add(this.fence, 0, 0);
    const building = Atomics.load(this.ctl, CTL.BUILDING);
    if (building === gen) return false;
    this.sync();
    // A newer generation was published: retry there, so that a lookup that follows a
    // registration (in happens-before order) sees it even if it caused a growth.
    return this.gen !== gen || building - gen >= 2;
  }

  /** Published generation number. */
  get generation(): number {
    this.sync();
    return this.gen;
  }

  /** Live instruments (published counter). */
  get count(): number {
    return Atomics.load(this.ctl, CTL.COUNT);
  }

  // ------------------------------------------------------------------ ViewHost

  /** @internal */
  heapBytes(): Uint8Array {
    return (this.heapU8 = heapView(this.heap, this.heapU8));
  }

  /** @internal */
  venueCode(index: number): string {
    return this.venues.code(index);
  }

  /**
   * @internal Copy lines of a view's record under the seqlock (see module doc). If the record
   * changed since the view's first copy, both lines are re-copied. If the view's generation is
   * being reused, the id is looked up again in the current generation.
   */
  copyLines(view: InstrumentView, lines: number): void {
    const fence = this.fence;
    const l0 = view.line0;
    const l1 = view.line1;
    for (;;) {
      const r = this.regions[view.gen & 1]!;
      const b = view.slot * RECORD_WORDS;
      const s1 = Atomics.load(r, b + SEQ_WORD);
      if ((s1 & 1) === 0) {
        // Plain copies; the closing SEQ load is ordered after them (fence on ARM64 only).
        if (lines & LINE0) for (let w = SEQ_WORD + 1; w < LINE1_FIRST_WORD; w++) l0[w] = r[b + w]!;
        if (lines & LINE1) for (let w = 0; w < LINE_WORDS; w++) l1[w] = r[b + LINE1_FIRST_WORD + w]!;
        if (LOAD_FENCE) Atomics.add(fence, 0, 0);
        if (Atomics.load(r, b + SEQ_WORD) === s1) {
          if (!this.stale(view.gen)) {
            if (view.seq !== -1 && view.seq !== s1 && lines !== ALL_LINES) {
              // Newer version than the line copied earlier: take both lines from this version.
              lines = ALL_LINES;
              continue;
            }
            view.seq = s1;
            view.copied |= lines;
            return;
          }
          this.relocate(view); // the region is being reused: find the id in the current generation
          lines = ALL_LINES;
          continue;
        }
      }
      this.retries++;
      if (this.stale(view.gen)) {
        this.relocate(view);
        lines = ALL_LINES;
      }
    }
  }

  /** Find a view's id again in the current generation (after its region was reused). */
  private relocate(view: InstrumentView): void {
    for (;;) {
      this.sync();
      const slot = this.probe(view.idLo, view.idHi, true);
      if (this.stale(this.gen)) continue;
      view.gen = this.gen;
      view.slot = slot;
      view.seq = -1;
      view.copied = 0;
      if (slot < 0) throw new Error('instrument vanished during a table rebuild'); // cannot happen: rebuilds keep live slots
      return;
    }
  }

  // ------------------------------------------------------------------ lookups

  /**
   * Probe the current generation for an id. Returns the slot, or -1 if absent (or tombstoned,
   * unless `anyState`). Every load is an Atomics.load.
   */
  private probe(idLo: number, idHi: number, anyState = false): number {
    const r = this.region;
    const mask = this.mask;
    const gen = this.gen;
    const lo = idLo | 0;
    const hi = idHi | 0;
    for (let i = hashId(idLo, idHi) & mask, n = 0; n <= mask; i = (i + 1) & mask, n++) {
      const b = i * RECORD_WORDS;
      // Acquire on the tag: the writer stores a slot's id before its tag (both Atomics.store),
      // so seeing this generation's tag means the id loads below see this generation's id.
      if (Atomics.load(r, b + GEN_TAG_WORD) !== gen) return -1;
      if (r[b + ID_LO_WORD] === lo && r[b + ID_HI_WORD] === hi) {
        if (anyState) return i;
        return ((r[b + STATE_WORD]! >>> STATE_SHIFT) & 0xff) === SLOT_STATE.FULL ? i : -1;
      }
    }
    return -1;
  }

  /**
   * Look up by id halves (no BigInt). Returns `into` (or a new view) bound to the record, or
   * undefined if no live instrument has that id.
   */
  getByIdHalves(idLo: number, idHi: number, into?: InstrumentView): InstrumentView | undefined {
    this.lookups++;
    for (;;) {
      const gen = this.gen; // kept current by stale()
      const slot = this.probe(idLo, idHi);
      if (this.stale(gen)) continue;
      if (slot < 0) return undefined;
      return (into ?? new InstrumentView(this)).bind(gen, slot, idLo, idHi);
    }
  }

  /** Look up by 64-bit id. See {@link getByIdHalves}. */
  getById(id: bigint, into?: InstrumentView): InstrumentView | undefined {
    const [lo, hi] = splitId(id);
    return this.getByIdHalves(lo, hi, into);
  }

  /** True if a live instrument has this id (key probe only). */
  has(id: bigint): boolean {
    return this.getById(id, this.scratch) !== undefined;
  }
  private readonly scratch = new InstrumentView(this);

  /**
   * Walk index `name` for `hash`; for each candidate slot copy the requested lines into a view and
   * ask `accept(view)`. Collects accepted views (up to `limit`). Retries the whole walk if the
   * generation's region came under reuse meanwhile.
   */
  private walkIndex(name: IndexName, hash: number, lines: number, accept: (v: InstrumentView) => boolean, limit: number, into?: InstrumentView): InstrumentView[] {
    this.lookups++;
    for (;;) {
      this.sync();
      const gen = this.gen;
      const area = this.indexes[name];
      const r = this.region;
      const out: InstrumentView[] = [];
      let view = into ?? new InstrumentView(this);
      for (let i = hash & area.mask, n = 0; n <= area.mask; i = (i + 1) & area.mask, n++) {
        const e = area.base + i * ENTRY_WORDS;
        const h = Atomics.load(r, e + ENTRY_HASH_WORD);
        if (h === 0) break;
        if (h !== (hash | 0)) continue;
        const slot = Atomics.load(r, e + ENTRY_SLOT_WORD);
        if (slot > this.mask) continue;
        const b = slot * RECORD_WORDS;
        if (Atomics.load(r, b + GEN_TAG_WORD) !== gen) continue;
        if (((Atomics.load(r, b + STATE_WORD) >>> STATE_SHIFT) & 0xff) !== SLOT_STATE.FULL) continue;
        view.bind(gen, slot, Atomics.load(r, b + ID_LO_WORD), Atomics.load(r, b + ID_HI_WORD));
        this.copyLines(view, lines);
        if (view.gen !== gen) break; // relocated: retry the walk
        if (!accept(view)) continue;
        out.push(view);
        if (out.length >= limit) break;
        view = new InstrumentView(this);
      }
      if (this.stale(gen) || this.gen !== gen) continue;
      return out;
    }
  }

  /** The live instrument listed under venue + symbol, or undefined. */
  getBySymbol(venue: string, symbol: string, into?: InstrumentView): InstrumentView | undefined {
    const v = this.venues.indexOf(venue);
    if (v < 0) return undefined;
    return this.getBySymbolIndex(v, symbol, into);
  }

  /**
   * Every live instrument listed under venue + symbol. Usually one; on-chain tokens and pools may
   * share a symbol on one chain (their identity is the address), see `symbolIsUnique`.
   */
  getAllBySymbol(venue: string, symbol: string): InstrumentView[] {
    const v = this.venues.indexOf(venue);
    if (v < 0) return [];
    return this.walkIndex(
      'SYMBOL',
      hashVenueSymbol(v, symbol),
      LINE0,
      (vw) => vw.venueIndex === v && symbolEqualsWords(vw.line0, SYMBOL_LEN_OFFSET, SYMBOL_OFFSET, symbol),
      Infinity,
    );
  }

  /** Venue code → venue index for {@link getBySymbolIndex} (-1 if unknown). */
  venueIndex(venue: string): number {
    return this.venues.indexOf(venue);
  }

  /** Like {@link getBySymbol} with a pre-resolved venue index (hot paths). */
  getBySymbolIndex(venue: number, symbol: string, into?: InstrumentView): InstrumentView | undefined {
    const found = this.walkIndex(
      'SYMBOL',
      hashVenueSymbol(venue, symbol),
      LINE0,
      (vw) => vw.venueIndex === venue && symbolEqualsWords(vw.line0, SYMBOL_LEN_OFFSET, SYMBOL_OFFSET, symbol),
      1,
      into,
    );
    return found[0];
  }

  /** Every live listing of an ISIN (one per venue it trades on). ISIN is matched upper-case. */
  getByIsin(isin: string): InstrumentView[] {
    const key = isin.toUpperCase();
    return this.walkIndex('ISIN', hashString(key), ALL_LINES, (vw) => this.detailStr(vw, 'isin', key), Infinity);
  }

  /** Every live listing with this CUSIP. */
  getByCusip(cusip: string): InstrumentView[] {
    const key = cusip.toUpperCase();
    return this.walkIndex('CUSIP', hashString(key), ALL_LINES, (vw) => this.detailStr(vw, 'cusip', key), Infinity);
  }

  /** Token or DEX pool at a contract address on a chain (case-insensitive). */
  getByAddress(chainId: number, address: string): InstrumentView[] {
    const key = address.toLowerCase();
    return this.walkIndex(
      'ADDRESS',
      hashChainAddress(chainId, key),
      ALL_LINES,
      (vw) => {
        const heap = this.heapBytes();
        const kind = vw.kind;
        const chain = detailFieldOffset(heap, vw.detailRef, kind, 'chainId');
        if (chain < 0 || detailU32At(heap, chain) !== chainId >>> 0) return false;
        const addr = detailFieldOffset(heap, vw.detailRef, kind, 'address');
        // EVM addresses are stored lower-case; others compare case-insensitively after decoding.
        return detailStrEquals(heap, addr, key) || (addr >= 0 && String(vw.detail.address).toLowerCase() === key);
      },
      Infinity,
    );
  }

  /** Does string detail field `name` of a view equal `key`? (compares the immutable heap blob in place) */
  private detailStr(vw: InstrumentView, name: string, key: string): boolean {
    const ref = vw.detailRef;
    if (ref === 0) return false;
    const heap = this.heapBytes();
    return detailStrEquals(heap, detailFieldOffset(heap, ref, vw.kind, name), key);
  }

  /** Venue codes an ISIN trades on (sorted, unique). */
  findAllVenuesForIsin(isin: string): string[] {
    return [...new Set(this.getByIsin(isin).map((v) => v.venue))].sort();
  }

  /** CEX pairs and DEX pools between two assets, in either order. */
  findPoolsForPair(a: bigint, b: bigint): InstrumentView[] {
    const [aLo, aHi] = splitId(a);
    const [bLo, bHi] = splitId(b);
    return this.walkIndex('PAIR', hashIdPair(aLo, aHi, bLo, bHi), ALL_LINES, (vw) => {
      const [x, y] = legsOf(vw);
      return (x === a && y === b) || (x === b && y === a);
    }, Infinity);
  }

  /** CEX pairs and DEX pools that have this asset as a leg (base or quote, token0 or token1). */
  findByAsset(asset: bigint): InstrumentView[] {
    const [lo, hi] = splitId(asset);
    return this.walkIndex('ASSET', hashIdHalves(lo, hi), ALL_LINES, (vw) => {
      const [x, y] = legsOf(vw);
      return x === asset || y === asset;
    }, Infinity);
  }

  /** Every live instrument of a kind (scans the table: not a hot-path call). */
  findByType(kind: InstrumentKind): InstrumentView[] {
    const code = KIND_CODES[kind];
    return this.scan((vw) => vw.kindCode === code);
  }

  /** Every live instrument listed on a venue (scans the table). */
  findByVenue(venue: string): InstrumentView[] {
    const v = this.venues.indexOf(venue);
    if (v < 0) return [];
    return this.scan((vw) => vw.venueIndex === v);
  }

  /** Every live instrument (scans the table). */
  all(): InstrumentView[] {
    return this.scan(() => true);
  }

  private scan(accept: (v: InstrumentView) => boolean): InstrumentView[] {
    for (;;) {
      this.sync();
      const gen = this.gen;
      const r = this.region;
      const out: InstrumentView[] = [];
      let view = new InstrumentView(this);
      for (let s = 0; s <= this.mask; s++) {
        const b = s * RECORD_WORDS;
        if (Atomics.load(r, b + GEN_TAG_WORD) !== gen) continue;
        if (((Atomics.load(r, b + STATE_WORD) >>> STATE_SHIFT) & 0xff) !== SLOT_STATE.FULL) continue;
        view.bind(gen, s, Atomics.load(r, b + ID_LO_WORD), Atomics.load(r, b + ID_HI_WORD));
        this.copyLines(view, LINE0);
        if (view.gen !== gen) break;
        if (accept(view)) {
          out.push(view);
          view = new InstrumentView(this);
        }
      }
      if (this.stale(gen) || this.gen !== gen) continue;
      return out;
    }
  }
}

/** The two leg ids of a CEX pair (base, quote) or DEX pool (token0, token1). */
function legsOf(vw: InstrumentView): [bigint | undefined, bigint | undefined] {
  const d = vw.detail;
  if (d.baseId !== undefined) return [d.baseId as bigint, d.quoteId as bigint];
  return [d.token0Id as bigint | undefined, d.token1Id as bigint | undefined];
}
