/**
 * Counters of {@link InstrumentRegistry.getMetrics} besides the table's own: registrations by
 * outcome (counted by the writer) and what discovery loads reported to the registry
 * (`loadPayload` calls {@link DiscoveryCounters.record} with each file's counts). The load
 * summary of `instreg load` (`LoadSummary.totals`) uses the same names, so each of its counters
 * can be compared with the metric of the same name.
 *
 * @module
 */
import { RegistryError, type RegistryErrorCode } from '../errors.js';
import type { RegisterOutcome, RegistryMetrics } from './registry-types.js';

/** Registrations by outcome (`unchanged` includes a placeholder deferring to the listing already held). */
export type OutcomeCounts = Record<RegisterOutcome, number>;

/** Per-file counts a discovery load reports to its target (see `RegistrationTarget.recordDiscovery`). */
export interface DiscoveryReport {
  /** Mapping the file was read with. */
  mapping: string;
  /** Records in the payload. */
  recordsSeen: number;
  /** Records skipped by the mapping's rules, by code. */
  skipped: Record<string, number>;
  /** Records rejected, by reason code (whether discovery or the registry refused them). */
  rejected: Record<string, number>;
  /** Values of fields the instrument's kind does not store that the mapping declares ignorable (`ignoreFields`), by field. */
  ignoredFields: Record<string, number>;
}

/** Discovery counters of {@link InstrumentRegistry.getMetrics}, summed over every file reported. */
export interface DiscoveryMetrics {
  /** Files loaded. */
  files: number;
  recordsSeen: number;
  skipped: Record<string, number>;
  rejected: Record<string, number>;
  /** Ignored field values by mapping, then field. */
  ignoredFields: Record<string, Record<string, number>>;
}

function addCounts(into: Record<string, number>, from: Readonly<Record<string, number>>): void {
  for (const [k, n] of Object.entries(from)) into[k] = (into[k] ?? 0) + n;
}

/** Accumulates {@link DiscoveryReport}s. @internal */
export class DiscoveryCounters {
  private readonly m: DiscoveryMetrics = { files: 0, recordsSeen: 0, skipped: {}, rejected: {}, ignoredFields: {} };

  /** Add one file's counts. */
  record(r: DiscoveryReport): void {
    this.m.files++;
    this.m.recordsSeen += r.recordsSeen;
    addCounts(this.m.skipped, r.skipped);
    addCounts(this.m.rejected, r.rejected);
    if (Object.keys(r.ignoredFields).length > 0) addCounts((this.m.ignoredFields[r.mapping] ??= {}), r.ignoredFields);
  }

  /** A deep copy of the totals. */
  snapshot(): DiscoveryMetrics {
    return {
      files: this.m.files,
      recordsSeen: this.m.recordsSeen,
      skipped: { ...this.m.skipped },
      rejected: { ...this.m.rejected },
      ignoredFields: Object.fromEntries(Object.entries(this.m.ignoredFields).map(([k, v]) => [k, { ...v }])),
    };
  }
}

/** The counters of {@link RegistryMetrics} the writer keeps besides the table's. @internal */
export type WriterCounts = Pick<RegistryMetrics, 'registrations' | 'outcomes' | 'updates' | 'registrationFailures' | 'failuresByCode' | 'discovery'>;

/** Registration, update, failure and discovery counters of one writer. @internal */
export class WriterCounters {
  private registrations = 0;
  private updates = 0;
  private readonly outcomes: OutcomeCounts = { added: 0, updated: 0, unchanged: 0 };
  private failures = 0;
  private readonly failuresByCode: Partial<Record<RegistryErrorCode, number>> = {};
  private readonly discovery = new DiscoveryCounters();

  /** A successful registration. */
  registered(outcome: RegisterOutcome): void {
    this.registrations++;
    this.outcomes[outcome]++;
  }

  /** A successful `updateInstrument` (also a registration). */
  updated(): void {
    this.registrations++;
    this.updates++;
  }

  /** A refused registration or update; an error that is not a `RegistryError` counts as `InvalidField`. */
  failed(e: unknown): void {
    this.failures++;
    const code: RegistryErrorCode = e instanceof RegistryError ? e.code : 'InvalidField';
    this.failuresByCode[code] = (this.failuresByCode[code] ?? 0) + 1;
  }

  /**
   * Add one loaded file's discovery counts.
   * @throws {RegistryError} `InvalidArgument` if `report` is not a report (a `recordsSeen` count
   *   and `skipped`, `rejected`, `ignoredFields` count objects).
   */
  recordDiscovery(report: DiscoveryReport): void {
    const r = report as unknown as Record<string, unknown>;
    const counts = (v: unknown) => typeof v === 'object' && v !== null && Object.values(v).every((n) => Number.isSafeInteger(n) && (n as number) >= 0);
    if (
      typeof r !== 'object' ||
      r === null ||
      !Number.isSafeInteger(r.recordsSeen) ||
      (r.recordsSeen as number) < 0 ||
      !counts(r.skipped) ||
      !counts(r.rejected) ||
      !counts(r.ignoredFields)
    ) {
      throw new RegistryError('InvalidArgument', 'report must be { mapping, recordsSeen, skipped, rejected, ignoredFields } with non-negative integer counts');
    }
    this.discovery.record(report);
  }

  /** Copies of the counts. */
  snapshot(): WriterCounts {
    return {
      registrations: this.registrations,
      outcomes: { ...this.outcomes },
      updates: this.updates,
      registrationFailures: this.failures,
      failuresByCode: { ...this.failuresByCode },
      discovery: this.discovery.snapshot(),
    };
  }
}
