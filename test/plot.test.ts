/**
 * The benchmark plot (src/harness/plot.ts) on the recorded full report: legend p50 = the report's own
 * p50, every series drawn (also ones the plot has never heard of), floor and target lines, legend
 * inside the canvas.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderPlot } from '../src/harness/plot.js';
import type { BenchResult } from '../src/harness/run.js';
import { ROOT } from './helpers/cli.js';

const recorded = JSON.parse(readFileSync(join(ROOT, 'bench', 'results', 'bench-full.json'), 'utf8')) as BenchResult & Record<string, any>;

/** The recorded report plus a floor row and a series no label table knows. */
function withExtraSeries(): BenchResult {
  const r = structuredClone(recorded) as any;
  const floorCurve = r.curves['byId.hot'].map(([p, ns]: [number, number]) => [p, Math.round(ns * 0.8)]);
  r.curves['floor.hot'] = floorCurve;
  r.baselines.floor = { ...r.baselines.map, p50Ns: 123 };
  r.curves['mystery.hot'] = r.curves['mapBigint.hot'].map(([p, ns]: [number, number]) => [p, ns * 3]);
  r.baselines.mystery = { ...r.baselines.map, p50Ns: 777 };
  return r as BenchResult;
}

const texts = (svg: string): Array<{ x: number; text: string }> =>
  [...svg.matchAll(/<text x="([\d.]+)"([^>]*)>([^<]*)<\/text>/g)]
    .filter((m) => !m[2]!.includes('text-anchor')) // left-aligned text: it extends to the right of x
    .map((m) => ({ x: Number(m[1]), text: m[3]!.replace(/&amp;/g, '&') }));

describe('bench plot', () => {
  it('legend p50 is the report p50 (not the first curve point at or above 50 %)', () => {
    // the recorded report, with its p50 moved off every curve point so the two cannot coincide
    const r = structuredClone(recorded) as any;
    const curve = r.curves['byId.hot'] as Array<[number, number]>;
    const firstAbove = curve.find(([p]) => p >= 50)![1];
    let p50 = firstAbove + 1;
    while (curve.some(([, ns]) => ns === p50)) p50++;
    r.results.byId.hot.p50Ns = p50;
    const svg = renderPlot(r as BenchResult);
    expect(svg).toContain(`instreg byId, hot set (${p50} ns)`);
    expect(svg).not.toContain(`instreg byId, hot set (${firstAbove} ns)`);
    expect(svg).toContain(`floor: minimal seqlock lookup, hot (${recorded.baselines.floor.hot.p50Ns} ns)`);
    expect(svg).toContain(`instreg byId key-only probe, hot (${recorded.extra.byIdProbeHot.p50Ns} ns)`);
  });

  it('draws every series of the report, with floor and target lines', () => {
    const r = withExtraSeries();
    const svg = renderPlot(r);
    expect((svg.match(/<polyline /g) ?? []).length).toBe(Object.keys(r.curves).length);
    expect(svg).toContain('mystery.hot (777 ns)');
    expect(svg).toContain('floor: minimal seqlock lookup, hot (123 ns)');
    expect(svg).toContain('floor p50 123 ns');
    expect(svg).toContain(`target byId ≤ 1.3× floor (${Math.round(1.3 * 123 * 10) / 10} ns)`);
    expect(svg).toContain(`target byId ≤ 0.8× Map&lt;number&gt;.get (${Math.round(0.8 * (r as any).baselines.mapNumber.hot.p50Ns * 10) / 10} ns)`);
  });

  it('the legend fits in the canvas', () => {
    const svg = renderPlot(withExtraSeries());
    const [, w, h] = /<svg [^>]*width="(\d+)" height="(\d+)"/.exec(svg)!.map(Number);
    for (const t of texts(svg)) expect(t.x + t.text.length * 6, t.text).toBeLessThanOrEqual(w!);
    const ys = [...svg.matchAll(/<text x="[\d.]+" y="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(Math.max(...ys)).toBeLessThanOrEqual(h!);
  });
});
