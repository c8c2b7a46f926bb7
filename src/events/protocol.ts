/**
 * Shared protocol pieces of the change-event ring (`layout/events.ts`, `layout/SPEC-events.md`):
 * creating a ring, validating a ring's header on attach, the torn-free u64 counter read both
 * sides use, and {@link LappedError}. The writer is `writer.ts`, the consumer `consumer.ts`, the
 * zero-allocation record accessor `view.ts`; `ring.ts` re-exports the public API.
 *
 * @module
 */
import {
  EVENT_RECORD_SIZE,
  EVENTS_HEADER_SIZE,
  EVENTS_MAGIC,
  EVENTS_MAX_CAPACITY,
  EVENTS_MIN_CAPACITY,
  EVENTS_VERSION,
  EVH,
  eventRingSize,
} from '../../layout/events.js';
import { LayoutMismatchError, RegistryError, ValidationError } from '../errors.js';

if (new Uint8Array(new Uint32Array([1]).buffer)[0] !== 1) throw new Error('instreg events: little-endian host required');

/** 2^32: joins and splits the u32 halves of 64-bit counters. */
export const TWO_32 = 4294967296;

/** Largest u64. */
export const U64_MAX = (1n << 64n) - 1n;

/**
 * A consumer fell a full ring behind: events it had not read were overwritten.
 * The consumer stays lapped (every read throws this again) until {@link EventConsumer.resync};
 * after resyncing, the caller re-reads the instrument table to rebuild its state.
 */
export class LappedError extends RegistryError {
  /**
   * @param position the consumer's position (sequence of the next event it wanted)
   * @param missed events overwritten before the consumer read them, as of detection (≥ 1)
   * @param oldestAvailable sequence of the oldest event still intact at detection
   */
  constructor(
    readonly position: bigint,
    readonly missed: bigint,
    readonly oldestAvailable: bigint,
  ) {
    super(
      'Lapped',
      `event consumer at seq ${position} was lapped: ${missed} event(s) were overwritten before being read ` +
        `(oldest available ${oldestAvailable}); call resync() and re-read the table`,
    );
    this.name = 'LappedError';
  }
}

/** True for a positive integer power of two. */
export function isPow2(n: number): boolean {
  return Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;
}

/**
 * Create a zeroed event ring with its header initialised.
 *
 * @param capacityPow2 capacity in records (events kept before the oldest is overwritten);
 *   a power of two in 2..2^24. Bytes used: 128 + 64 × capacity.
 * @returns the ring's SharedArrayBuffer, to hand to one {@link EventWriter} and any number of
 *   {@link EventConsumer}s (in any worker).
 * @throws {ValidationError} `InvalidField` if the capacity is not a power of two in range.
 */
export function createEventRing(capacityPow2: number): SharedArrayBuffer {
  if (!isPow2(capacityPow2) || capacityPow2 < EVENTS_MIN_CAPACITY || capacityPow2 > EVENTS_MAX_CAPACITY) {
    throw new ValidationError(
      'InvalidField',
      'capacity',
      `must be a power of two in ${EVENTS_MIN_CAPACITY}..${EVENTS_MAX_CAPACITY}, got ${String(capacityPow2)}`,
    );
  }
  const sab = new SharedArrayBuffer(eventRingSize(capacityPow2));
  const i32 = new Int32Array(sab);
  Atomics.store(i32, EVH.CAPACITY, capacityPow2);
  Atomics.store(i32, EVH.RECORD_SIZE, EVENT_RECORD_SIZE);
  Atomics.store(i32, EVH.VERSION, EVENTS_VERSION);
  Atomics.store(i32, EVH.MAGIC, EVENTS_MAGIC);
  return sab;
}

/**
 * Validate a ring's header and return its capacity.
 * @throws {LayoutMismatchError} not an event ring of this layout version.
 */
export function attachRing(sab: SharedArrayBuffer): number {
  if (!(sab instanceof SharedArrayBuffer) || sab.byteLength < EVENTS_HEADER_SIZE) {
    throw new LayoutMismatchError('event ring: not a SharedArrayBuffer holding an event ring');
  }
  const i32 = new Int32Array(sab);
  const magic = Atomics.load(i32, EVH.MAGIC) >>> 0;
  if (magic !== EVENTS_MAGIC) throw new LayoutMismatchError(`event ring: bad magic 0x${magic.toString(16)}`);
  const version = Atomics.load(i32, EVH.VERSION);
  if (version !== EVENTS_VERSION) {
    throw new LayoutMismatchError(`event ring: layout version ${version}, this build reads ${EVENTS_VERSION}`);
  }
  const recordSize = Atomics.load(i32, EVH.RECORD_SIZE);
  const capacity = Atomics.load(i32, EVH.CAPACITY);
  if (recordSize !== EVENT_RECORD_SIZE || !isPow2(capacity) || sab.byteLength < eventRingSize(capacity)) {
    throw new LayoutMismatchError(`event ring: record size ${recordSize} / capacity ${capacity} do not match the buffer`);
  }
  return capacity;
}

/**
 * Read a counter (u64 as LO, HI plus guard HI2) without writing: load HI, LO, HI2 and retry
 * while HI ≠ HI2. The writer stores HI2, LO, HI in that order, so equal halves bracket a
 * consistent LO. Values are < 2^53 (safe integers).
 */
export function readCounter(i32: Int32Array, lo: number, hi: number, hi2: number): number {
  for (;;) {
    const h = Atomics.load(i32, hi);
    const l = Atomics.load(i32, lo);
    if (Atomics.load(i32, hi2) === h) return (h >>> 0) * TWO_32 + (l >>> 0);
  }
}
