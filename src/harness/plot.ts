/**
 * Hand-built SVG of the bench's latency distributions: percentile curves (x: percentile on the
 * usual HDR "nines" scale, 0 % … 99.99 %; y: ns per op on a log axis), instreg scenarios as solid
 * lines and baselines dashed, with a legend and a title naming machine, Node and dataset.
 * No browser or plotting library needed (render to PNG with e.g. `rsvg-convert`).
 *
 * - **Every series** in `r.curves` is drawn, whatever its name (known names get a readable label).
 * - **Legend p50** is the p50 of the series' own statistics (`p50Ns` of the matching entry under
 *   `results`, `baselines` or `extra`); when no entry matches, the curve is interpolated at
 *   exactly 50 % (log-linear between its two neighbouring points) and the label says `≈`.
 * - **Reference lines**: the floor row's p50 (a series whose name starts with `floor`) with the
 *   DESIGN target `byId ≤ 1.3× floor`, and `0.8× Map.get` (the "faster than Map<number>.get"
 *   target) when a Map baseline is present.
 * - The canvas grows to fit the legend (its width from the longest label, its height from the
 *   number of series), so nothing is cut off.
 *
 * @module
 */
import type { BenchResult } from './run.js';

/** Readable labels of the series the bench is known to produce; others are shown by name. */
const LABELS: Record<string, string> = {
  'byId.hot': 'instreg byId, hot set',
  'byId.random': 'instreg byId, random',
  'byIdProbe.hot': 'instreg byId key-only probe, hot',
  'bySymbol.hot': 'instreg venue+symbol, hot',
  'bySymbol.random': 'instreg venue+symbol, random',
  'byIsin.hot': 'instreg ISIN, hot',
  'byIsin.random': 'instreg ISIN, random',
  'byIdView.hot': 'instreg byId (view API), hot',
  'byIdView.random': 'instreg byId (view API), random',
  'bySymbolKey.hot': 'instreg venue+symbol, prepared key, hot',
  'bySymbolKey.random': 'instreg venue+symbol, prepared key, random',
  'bySymbolView.hot': 'instreg venue+symbol (view API), hot',
  'bySymbolView.random': 'instreg venue+symbol (view API), random',
  'byIsinView.hot': 'instreg ISIN (view API), hot',
  'byIsinView.random': 'instreg ISIN (view API), random',
  'mapString.random': 'Map<string>.get, random',
  'mapStringIsin.hot': 'Map<string>.get ISIN, hot',
  'mapStringIsin.random': 'Map<string>.get ISIN, random',
  'floor.hot': 'floor: minimal seqlock lookup, hot',
  'floor.random': 'floor: minimal seqlock lookup, random',
  'raw.hot': 'raw: plain loads, no seqlock, hot',
  'raw.random': 'raw: plain loads, no seqlock, random',
  'map.hot': 'thread-local Map.get, hot',
  'map.random': 'thread-local Map.get, random',
  'mapNumber.hot': 'Map<number>.get, hot',
  'mapNumber.random': 'Map<number>.get, random',
  'mapBigint.hot': 'Map<bigint>.get, hot',
  'mapBigint.random': 'Map<bigint>.get, random',
  'mapString.hot': 'Map<string>.get, hot',
  'lmdb.hot': 'lmdb-js get, hot',
  'lmdb.random': 'lmdb-js get, random',
  'postMessage.hot': 'postMessage RPC round trip',
  'piscinaTask.hot': 'one piscina task per lookup',
};

/** Series drawn solid (instreg itself); everything else is a baseline or reference (dashed). */
const INSTREG_PREFIXES = ['byId', 'byIdView', 'byIdProbe', 'bySymbol', 'bySymbolKey', 'bySymbolView', 'byIsin', 'byIsinView', 'byAddress', 'byCusip'];

const PALETTE = [
  '#1b5e20',
  '#0d47a1',
  '#6a1b9a',
  '#00838f',
  '#66bb6a',
  '#64b5f6',
  '#ba68c8',
  '#4db6ac',
  '#e65100',
  '#c62828',
  '#ad1457',
  '#616161',
  '#8d6e63',
  '#f9a825',
  '#9e9e9e',
  '#283593',
  '#ef6c00',
  '#5d4037',
  '#7cb342',
  '#d81b60',
];

interface Series {
  key: string;
  label: string;
  color: string;
  dashed: boolean;
  /** p50 in ns, and whether it came from the statistics (exact) or the curve (interpolated). */
  p50: number;
  exact: boolean;
}

interface Stats {
  p50Ns: number;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function nsLabel(ns: number): string {
  const r = (x: number) => String(Math.round(x * 10) / 10);
  if (ns < 1e3) return `${r(ns)} ns`;
  if (ns < 1e6) return `${r(ns / 1e3)} µs`;
  if (ns < 1e9) return `${r(ns / 1e6)} ms`;
  return `${r(ns / 1e9)} s`;
}

/** Every statistics object (`{ p50Ns, … }`) under `results`, `baselines` and `extra`, by dotted path without the section name. */
function statsIndex(r: BenchResult): Map<string, Stats> {
  const out = new Map<string, Stats>();
  const walk = (o: unknown, path: string[]): void => {
    if (typeof o !== 'object' || o === null) return;
    if (typeof (o as Stats).p50Ns === 'number') {
      out.set(path.join('.'), o as Stats);
      return;
    }
    for (const [k, v] of Object.entries(o)) walk(v, [...path, k]);
  };
  const rec = r as unknown as Record<string, unknown>;
  for (const section of ['results', 'baselines', 'extra']) walk(rec[section], []);
  return out;
}

/** The statistics of a curve: `byId.hot` → results.byId.hot, `map.hot` → baselines.map, `byIdProbe.hot` → extra.byIdProbeHot. */
function statsFor(index: Map<string, Stats>, key: string): Stats | undefined {
  const [name = key, mode] = key.split('.');
  const camel = mode ? `${name}${mode[0]!.toUpperCase()}${mode.slice(1)}` : name;
  return index.get(key) ?? (mode === 'hot' ? index.get(name) : undefined) ?? index.get(camel);
}

/** The curve's value at exactly `pct`, interpolated log-linearly between its neighbouring points. */
function curveAt(curve: ReadonlyArray<readonly [number, number]>, pct: number): number {
  const i = curve.findIndex(([p]) => p >= pct);
  if (i < 0) return curve[curve.length - 1]?.[1] ?? 0;
  const [p1, v1] = curve[i]!;
  if (p1 === pct || i === 0) return v1;
  const [p0, v0] = curve[i - 1]!;
  const t = (pct - p0) / (p1 - p0);
  return v0 > 0 && v1 > 0 ? Math.exp(Math.log(v0) + t * (Math.log(v1) - Math.log(v0))) : v0 + t * (v1 - v0);
}

/** Render the SVG (a complete standalone document) for a bench result. */
export function renderPlot(r: BenchResult): string {
  const index = statsIndex(r);
  const keys = Object.keys(r.curves)
    .filter((k) => (r.curves[k]?.length ?? 0) > 0)
    .sort((a, b) => {
      const ia = INSTREG_PREFIXES.includes(a.split('.')[0]!) ? 0 : 1;
      const ib = INSTREG_PREFIXES.includes(b.split('.')[0]!) ? 0 : 1;
      return ia - ib || a.localeCompare(b);
    });
  const series: Series[] = keys.map((key, i) => {
    const st = statsFor(index, key);
    return {
      key,
      label: LABELS[key] ?? key,
      color: PALETTE[i % PALETTE.length]!,
      dashed: !INSTREG_PREFIXES.includes(key.split('.')[0]!),
      p50: st ? st.p50Ns : curveAt(r.curves[key]!, 50),
      exact: st !== undefined,
    };
  });
  const floor = series.find((s) => s.key.startsWith('floor') && s.key.endsWith('.hot')) ?? series.find((s) => s.key.startsWith('floor'));
  const map = series.find((s) => s.key === 'mapNumber.hot') ?? series.find((s) => s.key === 'map.hot');
  const refs: Array<{ ns: number; label: string; color: string }> = [];
  if (floor) {
    refs.push({ ns: floor.p50, label: `floor p50 ${nsLabel(floor.p50)}`, color: '#000000' });
    refs.push({ ns: 1.3 * floor.p50, label: `target byId ≤ 1.3× floor (${nsLabel(1.3 * floor.p50)})`, color: '#b71c1c' });
  }
  if (map)
    refs.push({
      ns: 0.8 * map.p50,
      label: `target byId ≤ 0.8× ${map.key === 'map.hot' ? 'Map.get' : 'Map<number>.get'} (${nsLabel(0.8 * map.p50)})`,
      color: '#4e342e',
    });

  const legendLines = [...series.map((s) => `${s.label} (${s.exact ? '' : '≈'}${nsLabel(s.p50)})`), ...refs.map((x) => x.label)];
  const noteLines = [
    'solid: instreg (shared memory, lock-free); dashed: baselines',
    'dotted: floor and DESIGN targets (p50-based)',
    `instreg and Map: batches of ${r.batch} ops, per-op = batch time / batch size`,
    'lmdb, RPC: each op timed alone',
    `torn reads: ${r.tornReads}`,
    ...(floor ? [] : ['no floor row in this report: floor/1.3× lines not drawn']),
  ];
  const CHAR_W = 6.6; // px per character at 12 px Helvetica (generous)
  const left = 80;
  const top = 70;
  const bottom = 60;
  const pw = 620;
  const legendW = 20 + 36 + Math.ceil(Math.max(...legendLines.map((l) => l.length), ...noteLines.map((l) => l.length * 0.92), 20) * CHAR_W) + 20;
  const legendH = 24 + legendLines.length * 22 + 14 + noteLines.length * 16 + 20;
  const ph = Math.max(470, legendH - 10);
  const W = left + pw + legendW;
  const H = top + ph + bottom;

  let minNs = Infinity;
  let maxNs = 0;
  for (const s of series) {
    for (const [, ns] of r.curves[s.key]!) {
      if (ns > 0) minNs = Math.min(minNs, ns);
      maxNs = Math.max(maxNs, ns);
    }
  }
  for (const ref of refs) {
    minNs = Math.min(minNs, ref.ns);
    maxNs = Math.max(maxNs, ref.ns);
  }
  if (!Number.isFinite(minNs)) {
    minNs = 1;
    maxNs = 1000;
  }
  const d0 = Math.floor(Math.log10(minNs));
  const d1 = Math.max(d0 + 1, Math.ceil(Math.log10(maxNs)));
  const X_MAX = 4; // 99.99 %
  const xOf = (pct: number) => left + (Math.min(X_MAX, pct >= 100 ? X_MAX : -Math.log10(1 - pct / 100)) / X_MAX) * pw;
  const yOf = (ns: number) => top + ph - ((Math.log10(Math.max(ns, 10 ** d0)) - d0) / (d1 - d0)) * ph;
  const m = r.machine;
  const out: string[] = [];
  out.push(`<?xml version="1.0" encoding="UTF-8"?>`);
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
  );
  out.push(`<rect x="0" y="0" width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(
    `<text x="${W / 2}" y="26" text-anchor="middle" font-size="17" font-weight="bold">instreg lookup latency vs baselines (ns per op, lower is better)</text>`,
  );
  out.push(
    `<text x="${W / 2}" y="46" text-anchor="middle" font-size="12" fill="#444">${esc(
      `${m.cpu}, ${m.cores} cores, Node ${m.node} — ${r.dataset.instruments.toLocaleString('en-US')} instruments, ${r.readers} readers, writer ${r.writeRatePerSec} upd/s, ${r.durationSec}s, ${r.startedAt.slice(0, 10)}`,
    )}</text>`,
  );
  // Grid and axes.
  for (let d = d0; d <= d1; d++) {
    const y = yOf(10 ** d);
    out.push(`<line x1="${left}" y1="${y.toFixed(1)}" x2="${left + pw}" y2="${y.toFixed(1)}" stroke="#dddddd"/>`);
    out.push(`<text x="${left - 8}" y="${(y + 4).toFixed(1)}" text-anchor="end">${esc(nsLabel(10 ** d))}</text>`);
    if (d < d1) {
      for (const k of [2, 5]) {
        const yk = yOf(k * 10 ** d);
        out.push(`<line x1="${left}" y1="${yk.toFixed(1)}" x2="${left + pw}" y2="${yk.toFixed(1)}" stroke="#f1f1f1"/>`);
      }
    }
  }
  const xt: Array<[number, string]> = [
    [0, '0%'],
    [50, '50%'],
    [90, '90%'],
    [99, '99%'],
    [99.9, '99.9%'],
    [99.99, '99.99%'],
  ];
  for (const [p, label] of xt) {
    const x = xOf(p);
    out.push(`<line x1="${x.toFixed(1)}" y1="${top}" x2="${x.toFixed(1)}" y2="${top + ph}" stroke="#e4e4e4"/>`);
    out.push(`<text x="${x.toFixed(1)}" y="${top + ph + 18}" text-anchor="middle">${label}</text>`);
  }
  out.push(`<rect x="${left}" y="${top}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`);
  out.push(`<text x="${left + pw / 2}" y="${H - 16}" text-anchor="middle" font-size="13">percentile</text>`);
  out.push(`<text transform="translate(20 ${top + ph / 2}) rotate(-90)" text-anchor="middle" font-size="13">latency per op (log scale)</text>`);
  // Reference lines (floor, targets); labelled in the legend (close lines would overlap in the plot).
  for (const ref of refs) {
    const y = yOf(ref.ns).toFixed(1);
    out.push(`<line x1="${left}" y1="${y}" x2="${left + pw}" y2="${y}" stroke="${ref.color}" stroke-width="1.2" stroke-dasharray="2 3"/>`);
  }
  // Curves.
  for (const s of series) {
    const pts = r.curves[s.key]!.map(([p, ns]) => `${xOf(p).toFixed(1)},${yOf(ns).toFixed(1)}`).join(' ');
    out.push(`<polyline points="${pts}" fill="none" stroke="${s.color}" stroke-width="${s.dashed ? 2 : 2.5}"${s.dashed ? ' stroke-dasharray="7 4"' : ''}/>`);
  }
  // Legend (with the p50 of each series).
  const lx = left + pw + 20;
  out.push(`<text x="${lx}" y="${top + 4}" font-weight="bold">scenario (p50)</text>`);
  series.forEach((s, i) => {
    const y = top + 24 + i * 22;
    out.push(
      `<line x1="${lx}" y1="${y - 4}" x2="${lx + 28}" y2="${y - 4}" stroke="${s.color}" stroke-width="2.5"${s.dashed ? ' stroke-dasharray="7 4"' : ''}/>`,
    );
    out.push(`<text x="${lx + 36}" y="${y}">${esc(legendLines[i]!)}</text>`);
  });
  refs.forEach((ref, j) => {
    const y = top + 24 + (series.length + j) * 22;
    out.push(`<line x1="${lx}" y1="${y - 4}" x2="${lx + 28}" y2="${y - 4}" stroke="${ref.color}" stroke-width="1.5" stroke-dasharray="2 3"/>`);
    out.push(`<text x="${lx + 36}" y="${y}">${esc(ref.label)}</text>`);
  });
  const ny = top + 24 + legendLines.length * 22 + 14;
  noteLines.forEach((t, i) => out.push(`<text x="${lx}" y="${ny + i * 16}" fill="#555" font-size="11">${esc(t)}</text>`));
  out.push(`</svg>`);
  return out.join('\n') + '\n';
}
