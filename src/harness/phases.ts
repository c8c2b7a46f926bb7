/**
 * The bench's phase plan: which scenarios run, in which order, and their time windows. Every
 * scenario runs once per round, round-robin, for `rounds` rounds, so slow drifts of the machine
 * (other load, the writer's pace) spread over every scenario alike; a scenario's windows
 * accumulate into one histogram per reader.
 *
 * @module
 */
import { HOT_API_SCENARIOS, ISIN_SCENARIOS, MAP_SCENARIOS, type BatchedScenario } from './bodies.js';
import type { PhaseWindow, ReaderPhase } from './reader-task.js';
import type { Pattern } from './streams.js';

/** Batched scenarios in round-robin order, with the patterns each runs. */
export const SCENARIO_ORDER: ReadonlyArray<readonly [BatchedScenario, readonly Pattern[]]> = [
  ['floor', ['hot', 'random']],
  ['raw', ['hot', 'random']],
  ['byId', ['hot', 'random']],
  ['byIdView', ['hot', 'random']],
  ['byIdProbe', ['hot']],
  ['bySymbolKey', ['hot', 'random']],
  ['bySymbol', ['hot', 'random']],
  ['bySymbolView', ['hot', 'random']],
  ['byIsin', ['hot', 'random']],
  ['byIsinView', ['hot', 'random']],
  ['mapNumber', ['hot', 'random']],
  ['mapBigint', ['hot', 'random']],
  ['mapString', ['hot', 'random']],
  ['mapStringIsin', ['hot', 'random']],
];

/** What runs (inputs of {@link planPhases}). */
export interface PhasePlanInput {
  durationSec: number;
  rounds: number;
  hotApi: boolean;
  maps: boolean;
  isins: boolean;
  probe: boolean;
  lmdb: boolean;
  postMessage: boolean;
  /** The piscina baseline takes one share after the reader windows. */
  piscinaTask: boolean;
}

/** The plan: scenario windows (relative to the start time) and the length of one share, ns. */
export interface PhasePlan {
  scenarios: number;
  phases: PhaseWindow[];
  /** One scenario's total time (lmdb scenarios get half), ns. */
  unitNs: number;
}

/** Plan the windows: `durationSec` split evenly over the scenarios (lmdb half a share each), each share over the rounds. */
export function planPhases(o: PhasePlanInput): PhasePlan {
  const names: Array<[ReaderPhase, number]> = [];
  for (const [sc, patterns] of SCENARIO_ORDER) {
    if (!o.hotApi && HOT_API_SCENARIOS.includes(sc)) continue;
    if (!o.maps && MAP_SCENARIOS.includes(sc)) continue;
    if (!o.isins && ISIN_SCENARIOS.includes(sc)) continue;
    if (sc === 'byIdProbe' && !o.probe) continue;
    for (const p of patterns) names.push([`${sc}.${p}`, 1]);
  }
  if (o.lmdb) names.push(['lmdb.hot', 0.5], ['lmdb.random', 0.5]);
  if (o.postMessage) names.push(['postMessage.hot', 1]);
  const shares = names.reduce((a, [, w]) => a + w, 0) + (o.piscinaTask ? 1 : 0);
  const unitNs = (o.durationSec * 1e9) / shares;
  const phases: PhaseWindow[] = [];
  let offset = 0;
  for (let round = 0; round < o.rounds; round++) {
    for (const [name, w] of names) {
      const d = (unitNs * w) / o.rounds;
      phases.push({ name, offsetNs: Math.round(offset), durationNs: Math.round(d) });
      offset += d;
    }
  }
  return { scenarios: names.length, phases, unitNs };
}
