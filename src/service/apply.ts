/**
 * Deterministic application of log entries, shared by the writer (replay on restart) and every
 * replica: the registry's clock is set to the entry's header timestamp before it is applied, so
 * `createdAt` / `updatedAt` filled in by the registry are the writer's, and a replica built from
 * the same snapshot and log holds byte-identical records.
 *
 * @module
 */
import { LogApplier, type ApplyResult, type GapPolicy } from '../wire/log.js';
import type { WireMessage } from '../wire/types.js';
import { InstrumentRegistry, type RegistryOptions } from '../writer/registry.js';
import type { RegistryHandle } from '../shm/handle.js';

/** ms since the Unix epoch of a header timestamp (ns). */
export function nsToMs(ns: bigint): number {
  return Number(ns / 1_000_000n);
}

/** Wall clock in ns since the Unix epoch (µs resolution). */
export function nowNs(): bigint {
  return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000)) * 1000n;
}

/** A registry whose clock the owner sets per operation. */
export interface ClockedRegistry {
  registry: InstrumentRegistry;
  /** The registry's `now()` returns this (ms since the Unix epoch). */
  clock: { ms: number };
}

/**
 * Create a registry with a settable clock (from a restored snapshot `handle`, or empty).
 * @throws {LayoutMismatchError} a handle of another layout
 */
export async function createClockedRegistry(
  handle: RegistryHandle | undefined,
  opts: Pick<RegistryOptions, 'initialCapacity' | 'idBits'> = {},
): Promise<ClockedRegistry> {
  const clock = { ms: Date.now() };
  const registry = await InstrumentRegistry.create({ ...opts, ...(handle ? { handle } : {}), now: () => clock.ms });
  return { registry, clock };
}

/**
 * Applies log entries to a {@link ClockedRegistry} exactly once per sequence number, starting
 * after the registry's stored `logSeq`, and keeps `logSeq` current.
 */
export class EntryApplier {
  private readonly applier: LogApplier;

  /** @param target registry to apply to @param policy gap policy (replicas: `'hold'`) */
  constructor(
    private readonly target: ClockedRegistry,
    policy: GapPolicy = 'hold',
  ) {
    this.applier = new LogApplier(target.registry, { lastSeq: target.registry.logSeq, onGapPolicy: policy });
  }

  /** Last applied sequence number. */
  get lastSeq(): bigint {
    return this.applier.lastSeq;
  }

  /** Counters of the underlying {@link LogApplier}. */
  get stats(): LogApplier['stats'] {
    return this.applier.stats;
  }

  /** Apply one entry (see `ApplyResult`). */
  apply(msg: WireMessage): ApplyResult {
    this.target.clock.ms = nsToMs(msg.timestampNs);
    const r = this.applier.apply(msg);
    if (r.status === 'applied' || r.status === 'failed') this.target.registry.logSeq = this.applier.lastSeq;
    return r;
  }
}
