/**
 * One batch of discovery fuzz cases (`fc.assert` over {@link caseArb}, each case built by
 * `FuzzPayloads` and checked by `FuzzChecker`), run in a worker thread (`worker.ts`) or in the
 * test process (replays, the unmutated seeds).
 *
 * @module
 */
import fc from 'fast-check';
import { caseArb, FuzzPayloads } from './cases.js';
import { FuzzChecker, type FormatStats } from './check.js';

/** What one batch runs. */
export interface BatchOptions {
  /** Run seed: the base payloads are sliced from it. */
  seed: number;
  /** fast-check seed of this batch's cases. */
  fcSeed: number;
  /** Cases to run. */
  runs: number;
  /** Distinct base payloads per format. */
  basesPerFormat: number;
  /** fast-check replay path (with `fcSeed`) of a reported counterexample. */
  path?: string;
  /** Called every `progressEvery` cases with the cases done so far. */
  onProgress?: (cases: number) => void;
  progressEvery?: number;
}

/** What one batch did. */
export interface BatchResult {
  stats: Record<string, FormatStats>;
  /** fast-check's report of the first failing case (shrunk), with its seed and path. */
  failure?: string;
  /** Records the reference took from its memo / evaluated. */
  memoHits: number;
  memoMisses: number;
  /** Wall time of the cases, ms. */
  ms: number;
}

/** Base payloads per format for a run of `runs` cases: about 50 cases per base, at least 64. */
export function basesFor(runs: number, formats: number): number {
  return Math.max(64, Math.ceil(runs / formats / 50));
}

/** Run one batch. Never throws for a failing case: it is returned in `failure`. */
export async function runBatch(o: BatchOptions): Promise<BatchResult> {
  const payloads = await FuzzPayloads.load(o.seed, o.basesPerFormat);
  const checker = new FuzzChecker();
  for (const f of payloads.formats) checker.statsOf(f.name);
  let done = 0;
  const every = o.progressEvery ?? 10_000;
  const t0 = performance.now();
  let failure: string | undefined;
  try {
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        const t = performance.now();
        const { f, text } = payloads.build(c);
        checker.statsOf(f.name).ms.build += performance.now() - t;
        await checker.check(f.mapping, text);
        if (++done % every === 0) o.onProgress?.(done);
      }),
      { numRuns: o.runs, seed: o.fcSeed, includeErrorInReport: true, ...(o.path !== undefined ? { path: o.path, endOnFailure: true } : {}) },
    );
  } catch (e) {
    failure = (e as Error)?.message ?? String(e);
  }
  return {
    stats: Object.fromEntries(checker.stats),
    ...(failure !== undefined ? { failure } : {}),
    memoHits: checker.memo.hits,
    memoMisses: checker.memo.misses,
    ms: performance.now() - t0,
  };
}
