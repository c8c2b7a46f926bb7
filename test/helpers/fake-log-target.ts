/**
 * A tiny in-memory {@link LogTarget} for wire-log tests: instruments keyed by venue + symbol
 * (the registry's uniqueness key), ids handed out 1, 2, 3, … in registration order, every call
 * recorded. Deliberately independent of the codec and of id derivation.
 */
import { UnknownInstrumentError } from '../../src/errors.js';
import type { InstrumentInput, InstrumentPatch } from '../../src/model/types.js';
import type { LogTarget } from '../../src/wire/log.js';
import type { WireVenue } from '../../src/wire/types.js';

/** One recorded call. */
export type FakeCall =
  | { op: 'register'; input: InstrumentInput }
  | { op: 'update'; id: bigint; patch: InstrumentPatch }
  | { op: 'remove'; id: bigint }
  | { op: 'venue'; venue: WireVenue };

/** Canonical text of a value: bigints tagged, object keys sorted (key order is not state). */
const stable = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) => {
    if (typeof x === 'bigint') return `${x}n`;
    if (x !== null && typeof x === 'object' && !Array.isArray(x)) {
      return Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return x;
  });

/** Map-backed fake registry. */
export class FakeLogTarget implements LogTarget {
  readonly calls: FakeCall[] = [];
  /** Live instruments by id. */
  readonly live = new Map<bigint, InstrumentInput>();
  readonly venues = new Map<string, WireVenue>();
  private readonly idByKey = new Map<string, bigint>();
  private nextId = 1n;

  private key(i: InstrumentInput): string {
    return `${i.venue}\u0000${i.symbol}`;
  }

  registerInstrument(input: InstrumentInput): { id: bigint; outcome: 'added' | 'unchanged' | 'updated' } {
    this.calls.push({ op: 'register', input });
    const k = this.key(input);
    let id = this.idByKey.get(k);
    if (id === undefined) {
      id = this.nextId++;
      this.idByKey.set(k, id);
    }
    const before = this.live.get(id);
    this.live.set(id, input);
    if (before === undefined) return { id, outcome: 'added' };
    return { id, outcome: stable(before) === stable(input) ? 'unchanged' : 'updated' };
  }

  updateInstrument(id: bigint, patch: InstrumentPatch): void {
    this.calls.push({ op: 'update', id, patch });
    const cur = this.live.get(id);
    if (cur === undefined) throw new UnknownInstrumentError(id);
    this.live.set(id, { ...cur, ...patch } as InstrumentInput);
  }

  removeInstrument(id: bigint): boolean {
    this.calls.push({ op: 'remove', id });
    return this.live.delete(id);
  }

  registerVenue(venue: WireVenue): void {
    this.calls.push({ op: 'venue', venue });
    this.venues.set(venue.code, venue);
  }

  /** Stable text of the whole state, for before/after comparisons. */
  snapshot(): string {
    return stable({ live: [...this.live.entries()], venues: [...this.venues.entries()] });
  }
}
