/**
 * Filtered views of the change-event feed: a {@link Subscription} wraps an
 * {@link EventConsumer} and yields only the events matching a {@link SubscriptionPattern}.
 * Code-based patterns are matched on the consumer's private record copy before decoding, so
 * non-matching events cost no allocation.
 *
 * @module
 */
import { EVENT_TYPES } from '../../layout/events.js';
import { KIND_CODES } from '../../layout/codes.js';
import { RegistryError, ValidationError } from '../errors.js';
import { checkCount, EventConsumer } from './consumer.js';
import type { EventView } from './view.js';
import type { ChangeEvent } from './types.js';

/** Every stock event (`kind === 'stock'`; ETFs are not stocks). */
export interface AllStocksPattern {
  readonly type: 'AllStocks';
}
/** Every token event on one chain (`kind === 'token' && chainId === chain`). */
export interface AllTokensPattern {
  readonly type: 'AllTokens';
  /** Chain id (EVM chain id or registry-assigned id). */
  readonly chain: number;
}
/** Every event whose ISIN starts with `prefix` (e.g. `'US'`, `'DE000'`); events without an ISIN never match. */
export interface ISINPatternPattern {
  readonly type: 'ISINPattern';
  /** Upper-case ISIN prefix, 0..12 characters. */
  readonly prefix: string;
}
/** Every event whose venue code equals `venue` (exact, case-sensitive; codes are upper-case). */
export interface VenueInstrumentsPattern {
  readonly type: 'VenueInstruments';
  readonly venue: string;
}
/** `instrumentAdded` events only. */
export interface NewListingsPattern {
  readonly type: 'NewListings';
}
/** Events for which `fn` returns `true` (each event is decoded before `fn` sees it). */
export interface PredicatePattern {
  readonly type: 'Predicate';
  readonly fn: (event: ChangeEvent) => boolean;
}

/** What a {@link Subscription} selects, discriminated by `type`. Build one with the constructors below. */
export type SubscriptionPattern = AllStocksPattern | AllTokensPattern | ISINPatternPattern | VenueInstrumentsPattern | NewListingsPattern | PredicatePattern;

/** Pattern: every stock event. */
export function AllStocks(): AllStocksPattern {
  return { type: 'AllStocks' };
}
/**
 * Pattern: every token event on chain `chain`.
 * @throws {ValidationError} `InvalidField` if `chain` is not a u32 chain id.
 */
export function AllTokens(chain: number): AllTokensPattern {
  if (typeof chain !== 'number' || !Number.isInteger(chain) || chain < 0 || chain > 0xffffffff) {
    throw new ValidationError('InvalidField', 'chain', `must be a u32 chain id, got ${typeof chain === 'number' ? chain : typeof chain}`);
  }
  return { type: 'AllTokens', chain };
}
/**
 * Pattern: every event whose ISIN starts with `prefix` (upper-cased here; `''` matches every ISIN).
 * @throws {ValidationError} `InvalidField` if `prefix` is not 0..12 characters of `[A-Za-z0-9]`.
 */
export function ISINPattern(prefix: string): ISINPatternPattern {
  if (typeof prefix !== 'string' || !/^[A-Za-z0-9]{0,12}$/.test(prefix)) {
    throw new ValidationError('InvalidField', 'prefix', 'an ISIN prefix is 0..12 characters of [A-Z0-9]');
  }
  return { type: 'ISINPattern', prefix: prefix.toUpperCase() };
}
/**
 * Pattern: every event on venue `venue`.
 * @throws {ValidationError} `InvalidField` if `venue` is not 1..16 printable ASCII characters (what an event carries).
 */
export function VenueInstruments(venue: string): VenueInstrumentsPattern {
  if (typeof venue !== 'string' || !/^[\x20-\x7e]{1,16}$/.test(venue)) {
    throw new ValidationError('InvalidField', 'venue', 'a venue code in an event is 1..16 printable ASCII characters');
  }
  return { type: 'VenueInstruments', venue };
}
/** Pattern: `instrumentAdded` events only. */
export function NewListings(): NewListingsPattern {
  return { type: 'NewListings' };
}
/**
 * Pattern: events for which `fn` returns `true`.
 * @throws {RegistryError} `InvalidArgument` if `fn` is not a function.
 */
export function Predicate(fn: (event: ChangeEvent) => boolean): PredicatePattern {
  if (typeof fn !== 'function') throw new RegistryError('InvalidArgument', 'Predicate needs a function');
  return { type: 'Predicate', fn };
}

const PATTERN_TYPES = new Set(['AllStocks', 'AllTokens', 'ISINPattern', 'VenueInstruments', 'NewListings', 'Predicate']);

/** Check a pattern's shape (as the constructors above build it). */
function checkPattern(pattern: unknown): SubscriptionPattern {
  const p = pattern as SubscriptionPattern;
  if (typeof pattern !== 'object' || pattern === null || !PATTERN_TYPES.has(p.type)) {
    throw new ValidationError('InvalidEnum', 'pattern', `must be a pattern built by ${[...PATTERN_TYPES].join(', ')}`);
  }
  // Re-run the constructor's checks on the pattern's own fields.
  if (p.type === 'AllTokens') AllTokens(p.chain);
  else if (p.type === 'ISINPattern') ISINPattern(p.prefix);
  else if (p.type === 'VenueInstruments') VenueInstruments(p.venue);
  else if (p.type === 'Predicate') Predicate(p.fn);
  return p;
}

/**
 * Whether a decoded event matches `pattern`.
 * @throws {ValidationError} `InvalidEnum` (or the pattern constructor's error) for a malformed pattern;
 *   `InvalidField` if `e` is not an object.
 */
export function matchesEvent(pattern: SubscriptionPattern, e: ChangeEvent): boolean {
  checkPattern(pattern);
  if (typeof e !== 'object' || e === null) throw new ValidationError('InvalidField', 'event', 'must be a ChangeEvent object');
  switch (pattern.type) {
    case 'AllStocks':
      return e.kind === 'stock';
    case 'AllTokens':
      return e.kind === 'token' && e.chainId === pattern.chain;
    case 'ISINPattern':
      return typeof e.isin === 'string' && e.isin.startsWith(pattern.prefix);
    case 'VenueInstruments':
      return e.venue === pattern.venue;
    case 'NewListings':
      return e.type === 'instrumentAdded';
    case 'Predicate':
      return pattern.fn(e);
  }
}

/** Whether the record in `v` matches `pattern`, without decoding (Predicate decodes). */
function matchesView(pattern: SubscriptionPattern, v: EventView): boolean {
  switch (pattern.type) {
    case 'AllStocks':
      return v.kindCode === KIND_CODES.stock;
    case 'AllTokens':
      return v.kindCode === KIND_CODES.token && v.chainId === pattern.chain;
    case 'ISINPattern':
      return v.isinStartsWith(pattern.prefix);
    case 'VenueInstruments':
      return v.venueEquals(pattern.venue);
    case 'NewListings':
      return v.typeCode === EVENT_TYPES.instrumentAdded;
    case 'Predicate':
      return pattern.fn(v.toEvent());
  }
}

/**
 * A consumer restricted to the events matching a pattern. It owns the consumer's position:
 * do not read the same consumer elsewhere. Non-matching events are consumed and dropped.
 * A lapped consumer surfaces as {@link LappedError} from every method (and ends the async
 * iteration with that error); call {@link resync} to continue.
 */
export class Subscription implements AsyncIterable<ChangeEvent> {
  private readonly closer = new AbortController();
  private found: ChangeEvent | undefined;
  private readonly keep = (v: EventView): void => {
    if (matchesView(this.pattern, v)) this.found = v.toEvent();
  };

  /**
   * @param consumer the consumer to read from (its current position is where the subscription starts)
   * @param pattern what to select
   * @throws {RegistryError} `InvalidArgument` if `consumer` is not an EventConsumer; the pattern's errors as {@link matchesEvent}.
   */
  constructor(
    readonly consumer: EventConsumer,
    readonly pattern: SubscriptionPattern,
  ) {
    if (!(consumer instanceof EventConsumer)) throw new RegistryError('InvalidArgument', 'Subscription needs an EventConsumer');
    checkPattern(pattern);
  }

  /**
   * Read up to `max` ring events and return the matching ones, in order.
   * @throws {LappedError} if the consumer was lapped.
   */
  poll(max = Infinity): ChangeEvent[] {
    const out: ChangeEvent[] = [];
    const pattern = this.pattern;
    this.consumer.pollInto((v) => {
      if (matchesView(pattern, v)) out.push(v.toEvent());
    }, max);
    return out;
  }

  /**
   * The next matching event among those available now, or `undefined`.
   * @throws {LappedError} if the consumer was lapped.
   */
  next(): ChangeEvent | undefined {
    this.found = undefined;
    while (this.found === undefined && this.consumer.pollInto(this.keep, 1) === 1);
    const e = this.found;
    this.found = undefined;
    return e;
  }

  /**
   * Wait (`Atomics.waitAsync`, no spinning) for the next matching event.
   * @returns the event, or `undefined` on timeout or after {@link close}.
   * @throws {LappedError} if the consumer was lapped.
   */
  async waitNext(timeoutMs = Infinity): Promise<ChangeEvent | undefined> {
    checkCount(timeoutMs, 'timeoutMs');
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const e = this.next();
      if (e) return e;
      const remaining = deadline - performance.now();
      if (this.closer.signal.aborted || remaining <= 0) return undefined;
      if (!(await this.consumer.waitAvailable(remaining, this.closer.signal))) return undefined;
    }
  }

  /**
   * Matching events as they arrive. Ends after {@link close}; throws {@link LappedError} if lapped.
   */
  async *[Symbol.asyncIterator](): AsyncGenerator<ChangeEvent, void, undefined> {
    while (!this.closer.signal.aborted) {
      const e = await this.waitNext();
      if (e) yield e;
    }
  }

  /** Move to the newest position after a lap (see {@link EventConsumer.resync}); returns events skipped. */
  resync(): bigint {
    return this.consumer.resync();
  }

  /** Stop: pending and future waits resolve `undefined`, async iteration ends. */
  close(): void {
    this.closer.abort();
  }
}
