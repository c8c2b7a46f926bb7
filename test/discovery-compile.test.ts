/**
 * The compiled fast path of mapping expressions (`src/discovery/compile.ts`) against JSONata
 * itself: for every expression of every shipped mapping and a set of extra expressions, on
 * random records built around the fields those expressions read, the closure either defers
 * (FALLBACK) or gives exactly JSONata's result.
 */
import fc from 'fast-check';
import jsonata from 'jsonata';
import { describe, expect, it } from 'vitest';
import { FALLBACK, compileExpr } from '../src/discovery/compile.js';
import { loadMappings } from '../src/discovery/mapping.js';
import { runs } from './helpers/fuzz-runs.js';

const EXTRA = [
  'a',
  'a.b',
  'a.b.c',
  '`x y`',
  "a & '-' & b",
  'a = b',
  'a != b',
  "a = 'x'",
  'a and b',
  'a or b',
  "a ? b : 'no'",
  'a ? b',
  "a in ['x', 'y', 1, true, null]",
  '$not(a)',
  '$exists(a.b)',
  '$string(a)',
  '$lowercase(a)',
  '$uppercase(a)',
  '$substring(a, 1, 2)',
  '$substring(a, -2)',
  '$substring(a, 0, 10)',
  "$contains(a, 'x')",
  '$lookup($tables.t, a)',
  "list[k = 'x']",
  "list[k = 'x'].v",
  '$v.b',
  '$v',
  '(a)',
  "(a = 'x' ? 'y' : b)",
];

interface Case {
  expr: string;
  lets: string[];
}

async function cases(): Promise<Case[]> {
  const out: Case[] = [];
  for (const m of await loadMappings()) {
    const lets = Object.keys(m.let ?? {});
    const add = (e: string | undefined): void => {
      if (typeof e === 'string') out.push({ expr: e, lets });
    };
    add(m.key);
    for (const e of Object.values(m.let ?? {})) add(e);
    for (const s of m.skip ?? []) add(s.when);
    for (const t of m.instruments ?? []) {
      add(t.when);
      for (const spec of Object.values(t.fields)) add(typeof spec === 'string' ? spec : 'expr' in spec ? spec.expr : undefined);
    }
  }
  for (const e of EXTRA) out.push({ expr: e, lets: ['v'] });
  return out;
}

/** Field names the expressions read (identifiers and back-quoted names). */
function namesOf(expr: string): string[] {
  const names = new Set<string>();
  for (const m of expr.matchAll(/`([^`]+)`|([A-Za-z_][A-Za-z0-9_]*)/g)) names.add(m[1] ?? m[2]!);
  return [...names];
}

const scalar = fc.oneof(
  fc.constantFrom('x', 'y', '', 'active', 'CS', 'ETF', 'PERPETUAL', 'Equity', 'Futures', '.d', 'XXBT.d', 'true', '0', 'PRICE_FILTER', 'LOT_SIZE', 'SPOT'),
  fc.string({ maxLength: 6 }),
  fc.integer({ min: -5, max: 5 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
);
const leaf: fc.Arbitrary<unknown> = fc.oneof({ weight: 6, arbitrary: scalar }, { weight: 1, arbitrary: fc.array(scalar, { maxLength: 3 }) });

function recordArb(names: string[]): fc.Arbitrary<Record<string, unknown>> {
  const inner = fc.dictionary(fc.constantFrom(...names, 'k', 'v', 'b', 'c'), leaf, { maxKeys: 4 });
  const value = fc.oneof({ weight: 5, arbitrary: leaf }, { weight: 2, arbitrary: inner }, { weight: 1, arbitrary: fc.array(inner, { maxLength: 3 }) });
  return fc.dictionary(fc.constantFrom(...names, 'a'), value, { maxKeys: names.length + 1 });
}

describe('compiled mapping expressions agree with JSONata', () => {
  it('on random records, every expression of every shipped mapping and the extra set', async () => {
    const all = await cases();
    expect(all.length).toBeGreaterThan(100);
    let native = 0;
    let decided = 0;
    for (const { expr, lets } of all) {
      const c = compileExpr(expr, new Set(lets));
      if (!c.native) continue;
      native++;
      const ref = jsonata(expr);
      const names = namesOf(expr);
      await fc.assert(
        fc.asyncProperty(
          recordArb(names),
          fc.option(recordArb(names), { nil: undefined }),
          fc.dictionary(fc.constantFrom('x', 'y', 'CS'), scalar),
          async (rec, v, t) => {
            const vars = { tables: { t: Object.assign(Object.create(null), t) }, v };
            const got = c.native!(rec, vars);
            if (got === FALLBACK) return;
            decided++;
            let want: unknown;
            try {
              want = await ref.evaluate(rec, vars);
            } catch (e) {
              throw new Error(`${expr}: closure gave ${JSON.stringify(got)} where JSONata throws ${(e as Error).message} on ${JSON.stringify(rec)}`, {
                cause: e,
              });
            }
            expect(got, `${expr} on ${JSON.stringify(rec)}`).toStrictEqual(want);
          },
        ),
        { numRuns: Math.max(50, Math.round(runs(0.0002))) },
      );
    }
    // Most shipped expressions are in the subset, and the closures decided most cases.
    expect(native).toBeGreaterThan(all.length * 0.8);
    expect(decided).toBeGreaterThan(native * 10);
  });

  it('expressions outside the subset have no closure and stay on JSONata', () => {
    for (const e of ['$match(a, /x/)', 'a[0]', '$sum(a)', 'a + 1', '($x := a; $x)', '**.a', 'a.b[0]', '$f(a)', '$not(a)']) {
      const c = compileExpr(e, new Set(e === '$not(a)' ? ['not'] : []));
      expect(c.native, e).toBeUndefined();
    }
  });
});
