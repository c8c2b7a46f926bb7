/**
 * {@link RegionPair}: the two table regions a registry alternates between (generation g lives
 * in `regions[g & 1]`), and what each last held, so that a new generation zeroes only the words
 * an older one may have left behind (`layout/SPEC.md` "Table regions").
 *
 * @module
 */
import { CTL, SIZE_OF_I32, indexesOffset, regionSize } from '../../layout/index.js';
import type { RegistryHandle } from '../shm/handle.js';

/** Marks a region whose earlier contents are unknown (zeroed entirely before reuse). */
const UNKNOWN_PAST = -1;

/** The writer's two regions. @internal */
export class RegionPair {
  /** Capacity of the generation last built in each region (0 = never used, UNKNOWN_PAST = unknown). */
  private readonly caps = [0, 0];

  constructor(
    private readonly handle: RegistryHandle,
    private readonly ctl: Int32Array,
  ) {}

  /** The writer attached to generation `gen` of `capacity` slots; the other region's history is unknown (e.g. after a restore). */
  adopted(gen: number, capacity: number): void {
    this.caps[gen & 1] = capacity;
    this.caps[(gen + 1) & 1] = this.handle.regions[(gen + 1) & 1]!.byteLength > 0 ? UNKNOWN_PAST : 0;
  }

  /**
   * Announce generation `gen` and make region `gen & 1` ready for a table of `capacity` slots:
   * grown, and zero wherever the generation will look for index entries or records that older
   * generations left arbitrary words.
   */
  prepare(gen: number, capacity: number): Int32Array {
    const sab = this.handle.regions[gen & 1]!;
    // Announce gen before any store into region and heap gen & 1 (they hold gen-2). An exchange,
    // not a store: on ARM64 a plain store after an STLR may become visible before it; the
    // acquire-release SWPAL keeps every later store after it (x86-64: XCHG either way). Readers
    // still in gen-2 of this region retry on its odd SEQs; readers copying a gen-2 heap entry
    // re-check BUILDING and discard the copy (SPEC "String heap").
    Atomics.exchange(this.ctl, CTL.BUILDING, gen);
    const size = regionSize(capacity);
    if (sab.byteLength < size) sab.grow(size);
    // Fixed-length view: length-tracking views on growable buffers are ~4x slower in V8 11.
    const region = new Int32Array(sab, 0, size / SIZE_OF_I32);
    // Records of an older generation need no zeroing: their GEN_TAG marks them stale. Everything
    // else this generation uses must read as zero: its index areas, and the part of its record
    // area that an older, smaller generation used for indexes (arbitrary words there could pass
    // for a GEN_TAG or an odd SEQ).
    const prevCap = this.caps[gen & 1]!;
    const staleFrom =
      prevCap === UNKNOWN_PAST
        ? 0
        : prevCap === 0 || prevCap === capacity
          ? indexesOffset(capacity)
          : Math.min(indexesOffset(prevCap), indexesOffset(capacity));
    const to = size / SIZE_OF_I32;
    for (let w = staleFrom / SIZE_OF_I32; w < to; w++) if (region[w] !== 0) Atomics.store(region, w, 0);
    this.caps[gen & 1] = capacity;
    return region;
  }
}
