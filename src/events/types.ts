/**
 * Public shapes of the change-event feed: what the writer publishes and what consumers receive.
 *
 * @module
 */
import type { EVENT_TYPES } from '../../layout/events.js';
import type { InstrumentId, InstrumentKind, InstrumentSource, InstrumentStatus } from '../model/types.js';

/**
 * What happened: `instrumentAdded`, `instrumentUpdated`, `instrumentRemoved`,
 * `collisionDetected` (a different instrument hashed to an id in use; `id` is that id),
 * `venueStatusChange` (`venue` and `status` describe the venue; `id` is 0).
 */
export type EventType = keyof typeof EVENT_TYPES;

/**
 * One change event as a consumer receives it: a plain object decoded from the consumer's
 * private copy of the ring record (never a view into shared memory).
 */
export interface ChangeEvent {
  /** Position of the event in the feed: 0 for the first event the ring ever carried, then +1 per event. */
  seq: bigint;
  type: EventType;
  /** Instrument id (unsigned 64-bit); `0n` when the event concerns no instrument (`venueStatusChange`). */
  id: InstrumentId;
  /** Instrument kind; absent when the event concerns no instrument. */
  kind?: InstrumentKind;
  /** Instrument source; absent when the event concerns no instrument. */
  source?: InstrumentSource;
  /** Instrument status (or the venue's status for `venueStatusChange`); absent if unknown. */
  status?: InstrumentStatus;
  /** Venue code (ASCII, 0..16 chars), carried in the record so consumers need no venue table. */
  venue: string;
  /** Index of the venue in the registry's venue table (0..0xfffe), when the writer supplied it. */
  venueIndex?: number;
  /** Chain id, for on-chain instruments (tokens, pools). */
  chainId?: number;
  /** ISIN (12 ASCII characters), when the instrument has one. */
  isin?: string;
  /** When the writer published the event, in ns. Default: wall clock, ns since the Unix epoch (~µs resolution). */
  timestampNs: bigint;
}

/**
 * What `EventWriter.publish` accepts: a {@link ChangeEvent} without `seq` (the ring
 * assigns it); `timestampNs` defaults to the wall clock.
 */
export type ChangeEventInput = Omit<ChangeEvent, 'seq' | 'timestampNs'> & { timestampNs?: bigint };
