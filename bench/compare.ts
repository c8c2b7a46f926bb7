/**
 * Before/after table of two `instreg bench --json` results: every row's p50, its ratio to the
 * floor row and to `Map<number>` of the same pattern *within its own run*, as Markdown. Rows
 * are matched by label (in the order of the later run); a row measured in only one run shows
 * `-` in the other.
 *
 * Run: `npm run build && node dist/bench/compare.js BEFORE.json AFTER.json [> table.md]`
 */
import { readFileSync } from 'node:fs';
import { costRatio, fmtNs, fmtRatio, reportRows } from '../src/harness/report.js';
import type { BenchResult, LatencyStats } from '../src/harness/result.js';

const [beforeFile, afterFile] = process.argv.slice(2);
if (!beforeFile || !afterFile) {
  console.error('usage: node dist/bench/compare.js BEFORE.json AFTER.json');
  process.exit(2);
}
const load = (f: string) => JSON.parse(readFileSync(f, 'utf8')) as BenchResult;
const runs = [load(beforeFile), load(afterFile)];

interface Cell {
  s: LatencyStats;
  floor: number | undefined;
  map: number | undefined;
}
const byLabel = new Map<string, Array<Cell | undefined>>();
// Table order: the later run's rows (usually a superset), then rows only the earlier run has.
for (const row of [...reportRows(runs[1]!), ...reportRows(runs[0]!)]) if (!byLabel.has(row.label)) byLabel.set(row.label, [undefined, undefined]);
runs.forEach((r, k) => {
  for (const row of reportRows(r)) {
    const cells = byLabel.get(row.label) ?? [undefined, undefined];
    cells[k] = { s: row.s, floor: costRatio(row.s, r.baselines.floor[row.pattern]), map: costRatio(row.s, r.baselines.mapNumber[row.pattern]) };
    byLabel.set(row.label, cells);
  }
});

const head = (r: BenchResult, name: string) =>
  `- ${name}: ${r.startedAt}, ${r.machine.cpu} (${r.machine.cores} cores), Node ${r.machine.node}, load avg ${r.machine.loadAvg1.join('→')}, ` +
  `${r.dataset.instruments} instruments, ${r.readers} reader(s), ${r.mode} mode, hot API ${r.hotApi ? 'yes' : 'no'}, torn reads ${r.tornReads}, lookup misses ${r.checks.lookupMisses ?? '-'}`;
console.log(head(runs[0]!, 'before'));
console.log(head(runs[1]!, 'after'));
console.log('');
console.log('| scenario | before p50 | × floor | × Map<number> | after p50 | × floor | × Map<number> |');
console.log('|---|---|---|---|---|---|---|');
for (const [label, cells] of byLabel) {
  const c = cells.map((x) => (x ? [fmtNs(x.s.p50Ns), fmtRatio(x.floor), fmtRatio(x.map)] : ['-', '-', '-'])).flat();
  console.log(`| ${label} | ${c.join(' | ')} |`);
}
const reg = runs.map((r) => `${Math.round(r.registration.perSec / 1000)} k/s`);
console.log(`| registration (one at a time, incl. id) | ${reg[0]} | | | ${reg[1]} | | |`);
