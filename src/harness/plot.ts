/**
 * Hand-built SVG of the bench's latency distributions: percentile curves (x: percentile on the
 * usual HDR "nines" scale, 0 % … 99.99 %; y: ns per op on a log axis), instreg scenarios as solid
 * lines and baselines dashed, with a legend and a title naming machine, Node and dataset.
 * No browser or plotting library needed.
 *
 * @module
 */
import type { BenchResult } from './run.js';

interface Series {
  key: string;
  label: string;
  color: string;
  dashed: boolean;
}

const SERIES: Series[] = [
  { key: 'floor.hot', label: 'floor (seqlock, 1 field), hot', color: '#000000', dashed: true },
  { key: 'floor.random', label: 'floor, random', color: '#757575', dashed: true },
  { key: 'byId.hot', label: 'instreg byId (readById), hot', color: '#1b5e20', dashed: false },
  { key: 'byId.random', label: 'instreg byId (readById), random', color: '#66bb6a', dashed: false },
  { key: 'byIdView.hot', label: 'instreg byId (view), hot', color: '#33691e', dashed: false },
  { key: 'byIdView.random', label: 'instreg byId (view), random', color: '#9ccc65', dashed: false },
  { key: 'bySymbolKey.hot', label: 'instreg symbol, prepared key, hot', color: '#0d47a1', dashed: false },
  { key: 'bySymbol.hot', label: 'instreg symbol, string, hot', color: '#1976d2', dashed: false },
  { key: 'bySymbolView.hot', label: 'instreg symbol (view), hot', color: '#64b5f6', dashed: false },
  { key: 'byIsin.hot', label: 'instreg ISIN, hot', color: '#6a1b9a', dashed: false },
  { key: 'byIsinView.hot', label: 'instreg ISIN (view), hot', color: '#ba68c8', dashed: false },
  { key: 'mapNumber.hot', label: 'Map<number>.get, hot', color: '#616161', dashed: true },
  { key: 'mapBigint.hot', label: 'Map<bigint>.get, hot', color: '#9e9e9e', dashed: true },
  { key: 'lmdb.hot', label: 'lmdb-js get, hot', color: '#e65100', dashed: true },
  { key: 'postMessage.hot', label: 'postMessage RPC round trip', color: '#c62828', dashed: true },
  { key: 'piscinaTask.hot', label: 'one piscina task per lookup', color: '#ad1457', dashed: true },
];

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function nsLabel(ns: number): string {
  if (ns < 1e3) return `${ns} ns`;
  if (ns < 1e6) return `${ns / 1e3} µs`;
  if (ns < 1e9) return `${ns / 1e6} ms`;
  return `${ns / 1e9} s`;
}

/** Render the SVG (a complete standalone document) for a bench result. */
export function renderPlot(r: BenchResult): string {
  const W = 1000;
  const H = 600;
  const left = 80;
  const right = 300;
  const top = 70;
  const bottom = 60;
  const pw = W - left - right;
  const ph = H - top - bottom;
  const series = SERIES.filter((s) => (r.curves[s.key]?.length ?? 0) > 0);
  let minNs = Infinity;
  let maxNs = 0;
  for (const s of series) {
    for (const [, ns] of r.curves[s.key]!) {
      if (ns > 0) minNs = Math.min(minNs, ns);
      maxNs = Math.max(maxNs, ns);
    }
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
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="12">`);
  out.push(`<rect x="0" y="0" width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(`<text x="${W / 2}" y="26" text-anchor="middle" font-size="17" font-weight="bold">instreg lookup latency vs baselines (ns per op, lower is better)</text>`);
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
    [90, '90%'],
    [99, '99%'],
    [99.9, '99.9%'],
    [99.99, '99.99%'],
  ];
  xt.push([50, '50%']);
  for (const [p, label] of xt) {
    const x = xOf(p);
    out.push(`<line x1="${x.toFixed(1)}" y1="${top}" x2="${x.toFixed(1)}" y2="${top + ph}" stroke="#e4e4e4"/>`);
    out.push(`<text x="${x.toFixed(1)}" y="${top + ph + 18}" text-anchor="middle">${label}</text>`);
  }
  out.push(`<rect x="${left}" y="${top}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`);
  out.push(`<text x="${left + pw / 2}" y="${H - 16}" text-anchor="middle" font-size="13">percentile</text>`);
  out.push(`<text transform="translate(20 ${top + ph / 2}) rotate(-90)" text-anchor="middle" font-size="13">latency per op (log scale)</text>`);
  // Curves.
  for (const s of series) {
    const pts = r.curves[s.key]!.map(([p, ns]) => `${xOf(p).toFixed(1)},${yOf(ns).toFixed(1)}`).join(' ');
    out.push(`<polyline points="${pts}" fill="none" stroke="${s.color}" stroke-width="${s.dashed ? 2 : 2.5}"${s.dashed ? ' stroke-dasharray="7 4"' : ''}/>`);
  }
  // Legend (with p50 per series).
  const lx = left + pw + 20;
  out.push(`<text x="${lx}" y="${top + 4}" font-weight="bold">scenario (p50)</text>`);
  series.forEach((s, i) => {
    const y = top + 24 + i * 22;
    const p50 = r.curves[s.key]!.find(([p]) => p >= 50)?.[1] ?? 0;
    out.push(`<line x1="${lx}" y1="${y - 4}" x2="${lx + 28}" y2="${y - 4}" stroke="${s.color}" stroke-width="2.5"${s.dashed ? ' stroke-dasharray="7 4"' : ''}/>`);
    out.push(`<text x="${lx + 36}" y="${y}">${esc(`${s.label} (${nsLabel(Math.round(p50))})`)}</text>`);
  });
  const ny = top + 24 + series.length * 22 + 14;
  const noteLines = [
    'solid: instreg (shared memory, lock-free)',
    'dashed: baselines',
    `instreg and Map: batches of ${r.batch} ops,`,
    'per-op = batch time / batch size;',
    'lmdb, RPC: each op timed alone',
    `torn reads: ${r.tornReads}`,
  ];
  noteLines.forEach((t, i) => out.push(`<text x="${lx}" y="${ny + i * 16}" fill="#555" font-size="11">${esc(t)}</text>`));
  out.push(`</svg>`);
  return out.join('\n') + '\n';
}
