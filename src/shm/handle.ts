/**
 * The set of SharedArrayBuffers that make up one registry, and the checks a reader runs
 * when it attaches. A {@link RegistryHandle} is plain structured-clonable data: pass it in
 * `workerData` or `postMessage` and call `RegistryReader.attach(handle)` on the other side.
 *
 * @module
 */
import {
  CONTROL_SIZE,
  CTL,
  HEAP_COUNT,
  HEAP_HEADER_SIZE,
  HEAP_MAX_BYTES,
  LAYOUT_MAGIC,
  LAYOUT_VERSION,
  REGION_COUNT,
  REGION_MAX_BYTES,
  VENUE_ENTRY_SIZE,
  VENUE_MAX_BYTES,
} from '../../layout/index.js';
import { LayoutMismatchError } from '../errors.js';

/** The shared regions of one registry. All are SharedArrayBuffers; `regions`, `heaps` and `venues` are growable. */
export interface RegistryHandle {
  /** Fixed control region (`layout/control.ts`). */
  readonly control: SharedArrayBuffer;
  /** The two table regions (`layout/region.ts`); generation g lives in `regions[g & 1]`. */
  readonly regions: readonly SharedArrayBuffer[];
  /**
   * The two string heaps (`layout/heap.ts`): the records of generation g reference entries of
   * `heaps[g & 1]` (append-only within a generation; a rebuild copies the live entries across).
   */
  readonly heaps: readonly SharedArrayBuffer[];
  /** Append-only venue table (`layout/venue.ts`). */
  readonly venues: SharedArrayBuffer;
  /** Change-event ring, if the registry publishes events. */
  readonly events?: SharedArrayBuffer;
}

/** Allocate empty regions (writer side). Control gets the layout magic and version. */
export function allocateHandle(): RegistryHandle {
  const control = new SharedArrayBuffer(CONTROL_SIZE);
  const ctl = new Int32Array(control);
  Atomics.store(ctl, CTL.MAGIC, LAYOUT_MAGIC);
  Atomics.store(ctl, CTL.VERSION, LAYOUT_VERSION);
  const regions: SharedArrayBuffer[] = [];
  for (let i = 0; i < REGION_COUNT; i++) regions.push(new SharedArrayBuffer(0, { maxByteLength: REGION_MAX_BYTES }));
  const heaps: SharedArrayBuffer[] = [];
  for (let i = 0; i < HEAP_COUNT; i++) heaps.push(new SharedArrayBuffer(HEAP_HEADER_SIZE, { maxByteLength: HEAP_MAX_BYTES }));
  const venues = new SharedArrayBuffer(VENUE_ENTRY_SIZE, { maxByteLength: VENUE_MAX_BYTES });
  return { control, regions, heaps, venues };
}

/**
 * Check that a handle carries this build's layout.
 * @throws {LayoutMismatchError} on a missing region, wrong magic or wrong layout version.
 */
export function checkHandle(handle: RegistryHandle): void {
  if (!handle || !(handle.control instanceof SharedArrayBuffer) || handle.control.byteLength < CONTROL_SIZE) {
    throw new LayoutMismatchError('handle has no control region');
  }
  if (!Array.isArray(handle.regions) || handle.regions.length !== REGION_COUNT || !handle.regions.every((r) => r instanceof SharedArrayBuffer)) {
    throw new LayoutMismatchError(`handle must carry ${REGION_COUNT} table regions`);
  }
  if (!Array.isArray(handle.heaps) || handle.heaps.length !== HEAP_COUNT || !handle.heaps.every((h) => h instanceof SharedArrayBuffer)) {
    throw new LayoutMismatchError(`handle must carry ${HEAP_COUNT} string heaps`);
  }
  if (!(handle.venues instanceof SharedArrayBuffer)) throw new LayoutMismatchError('handle has no venue table');
  const ctl = new Int32Array(handle.control);
  const magic = Atomics.load(ctl, CTL.MAGIC) >>> 0;
  if (magic !== LAYOUT_MAGIC) throw new LayoutMismatchError(`magic 0x${magic.toString(16)} ≠ 0x${LAYOUT_MAGIC.toString(16)}`);
  const version = Atomics.load(ctl, CTL.VERSION);
  if (version !== LAYOUT_VERSION) throw new LayoutMismatchError(`layout version ${version} ≠ ${LAYOUT_VERSION}`);
}
