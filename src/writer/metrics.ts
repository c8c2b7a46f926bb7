/**
 * Counters of {@link InstrumentRegistry.getMetrics} besides the table's own: registrations by
 * outcome (counted by the writer) and what discovery loads reported to the registry
 * (`loadPayload` calls {@link DiscoveryCounters.record} with each file's counts). The load
 * summary of `instreg load` (`LoadSummary.totals`) uses the same names, so each of its counters
 * can be compared with the metric of the same name.
 *
 * @module
 */
import type { RegisterOutcome } from './registry.js';

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
