/**
 * {@link ChangePublisher}: where the writer announces each committed change: the caller's
 * `onChange` hook and, when the registry has one, the shared change-event ring
 * (`src/events/`). Published after the change is visible in shared memory.
 *
 * @module
 */
import { ValidationError } from '../errors.js';
import { EventWriter } from '../events/ring.js';
import type { InstrumentInput } from '../model/types.js';
import { VENUE_STATUSES } from '../venues/types.js';
import type { RegistryChange } from './registry-types.js';

/** The writer's change announcements. @internal */
export class ChangePublisher {
  private readonly events: EventWriter | undefined;

  /** @param ring the event ring, if any @param onChange the caller's hook, if any */
  constructor(
    ring: SharedArrayBuffer | undefined,
    private readonly onChange: ((c: RegistryChange) => void) | undefined,
  ) {
    this.events = ring ? new EventWriter(ring) : undefined;
  }

  /** One instrument change (or a detected collision), with the instrument's venue index. */
  instrument(type: RegistryChange['type'], id: bigint, inst: InstrumentInput, venueIndex: number | undefined): void {
    this.onChange?.({ type, id, instrument: inst });
    this.events?.publish({
      type,
      id,
      kind: inst.kind,
      source: inst.source,
      status: inst.status,
      venue: inst.venue,
      venueIndex,
      chainId: inst.kind === 'token' || inst.kind === 'dexPool' ? inst.chainId : undefined,
      isin: inst.kind === 'stock' || inst.kind === 'etf' ? inst.isin : undefined,
    });
  }

  /**
   * A venue status change, mapped to instrument statuses: suspended → halted, expired →
   * delisted, active and updated → active.
   * @throws {ValidationError} `InvalidField` if `venue` is not a non-empty string, `InvalidEnum` if
   *   `status` is not a venue status (`VENUE_STATUSES`).
   */
  venueStatus(venue: string, status: string, venueIndex: (venue: string) => number | undefined): void {
    if (typeof venue !== 'string' || venue === '') throw new ValidationError('InvalidField', 'venue', 'must be a non-empty string');
    if (!(VENUE_STATUSES as readonly unknown[]).includes(status)) {
      throw new ValidationError(
        'InvalidEnum',
        'status',
        `${typeof status === 'string' ? JSON.stringify(status.slice(0, 40)) : typeof status} is not one of ${VENUE_STATUSES.join(', ')}`,
      );
    }
    const mapped = status === 'suspended' ? 'halted' : status === 'expired' ? 'delisted' : 'active';
    this.events?.publish({ type: 'venueStatusChange', id: 0n, venue, status: mapped, venueIndex: venueIndex(venue) });
  }
}
