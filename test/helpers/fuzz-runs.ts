/**
 * Run counts for the wire fuzz/property tests. `npm test` runs ≥ 100 000 cases in total;
 * `INSTREG_FUZZ_RUNS=<total>` scales every property proportionally for a long run.
 */
const DEFAULT_TOTAL = 100_000;
const env = Number(process.env.INSTREG_FUZZ_RUNS ?? '');
/** Total case budget of the wire property tests. */
export const FUZZ_TOTAL = Number.isFinite(env) && env > 0 ? Math.floor(env) : DEFAULT_TOTAL;

/** Number of runs for a property that gets `share` (0..1) of the budget. */
export function runs(share: number): number {
  return Math.max(1, Math.round(FUZZ_TOTAL * share));
}
