/**
 * Issue 12 items 5 and 6: discovery's bounds, each reached and each ending in a typed error —
 * expression evaluation (recursive and non-terminating JSONata in a mapping), payload file size,
 * record nesting depth, forbidden keys at any depth, and the JSON error-position scanner on deep
 * nesting. Regression tests: on the previous code the recursive mapping hung the writer thread
 * (or died out of memory), `__proto__` below 64 levels was registered, and the scanner threw an
 * untyped RangeError.
 */
import { mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  EXPRESSION_LIMITS,
  MAX_LIMIT_HITS,
  MAX_PAYLOAD_BYTES,
  MAX_RECORD_DEPTH,
  discover,
  loadDirectory,
  loadPayload,
  prepareMapping,
} from '../src/discovery/engine.js';
import { jsonErrorOffset, parseJsonText } from '../src/discovery/parse.js';
import { RegistryError } from '../src/errors.js';
import { FakeTarget } from './helpers/fake-target.js';

/** A made-up format `{ "lim": 1, "rows": [...] }`; `let.x` is the expression under test. */
function mapping(letX: string) {
  return prepareMapping({
    name: 'limits-test',
    source: 'made up for tests',
    format: 'json',
    detect: { json: [{ path: 'lim', equals: 1 }] },
    records: 'rows',
    key: 's',
    let: { x: letX },
    instruments: [
      {
        as: 'c',
        kind: 'currency',
        fields: { symbol: 's', venue: { const: 'ASSET' }, source: { const: 'cex' }, status: { const: 'active' }, name: '$string($x)' },
      },
    ],
  });
}
const rows = (n: number, bad: (i: number) => boolean) => JSON.stringify({ lim: 1, rows: Array.from({ length: n }, (_, i) => ({ s: `C${i}`, bad: bad(i) })) });

async function rejection(p: Promise<unknown>): Promise<RegistryError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(RegistryError);
    return e as RegistryError;
  }
  throw new Error('did not throw');
}

function nested(depth: number, inner: string): string {
  return '{"a":'.repeat(depth) + inner + '}'.repeat(depth);
}

describe('expression evaluation is bounded', () => {
  const RECURSIVE = 'bad ? ($f := function($n) { $n + $f($n) }; $f(1)) : 0'; // non-tail: depth bound
  const ENDLESS = 'bad ? ($f := function($n) { $f($n + 1) }; $f(1)) : 0'; // tail call: time bound
  const DOUBLING = "bad ? ($f := function($s) { $f($s & $s) }; $f('ab')) : 0"; // string past V8's limit

  for (const [name, expr] of [
    ['non-terminating recursion (stack bound)', RECURSIVE],
    ['an endless tail-recursive loop (time bound)', ENDLESS],
    ['a string doubling without end', DOUBLING],
  ] as const) {
    it(`${name}: the few records that hit it are rejected ExpressionLimit, the rest load`, async () => {
      const t = await FakeTarget.create();
      const r = await discover(
        rows(10, (i) => i === 3 || i === 7),
        mapping(expr),
        t,
      );
      expect(r.rejected.map((x) => [x.record, x.code])).toStrictEqual([
        [3, 'ExpressionLimit'],
        [7, 'ExpressionLimit'],
      ]);
      expect(r.registrations.map((x) => x.symbol)).toStrictEqual(['C0', 'C1', 'C2', 'C4', 'C5', 'C6', 'C8', 'C9']);
    });
  }

  it(`a mapping whose expression hits a bound on ${MAX_LIMIT_HITS} records is refused for the file: LimitExceeded, nothing registered`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'instreg-limits-'));
    const file = join(dir, 'p.json');
    writeFileSync(
      file,
      rows(1000, () => true),
    );
    const t = await FakeTarget.create();
    const t0 = performance.now();
    const e = await rejection(loadPayload(file, t, [mapping(ENDLESS)]));
    expect(e.code).toBe('LimitExceeded');
    expect(e.message).toMatch(/refused.*3 records/);
    expect(t.byId.size).toBe(0);
    // bounded: MAX_LIMIT_HITS × the time bound, not 1000 × (or forever)
    expect(performance.now() - t0).toBeLessThan(MAX_LIMIT_HITS * EXPRESSION_LIMITS.timeoutMs * 20);
  });

  it('a non-terminating records expression refuses the file with LimitExceeded', async () => {
    const m = prepareMapping({ ...mapping('0'), records: '($f := function($n) { $n + $f($n) }; $f(1))' });
    const t = await FakeTarget.create();
    expect(
      (
        await rejection(
          discover(
            rows(1, () => false),
            m,
            t,
          ),
        )
      ).code,
    ).toBe('LimitExceeded');
  });
});

describe('input limits', () => {
  it(`a payload file over ${MAX_PAYLOAD_BYTES} bytes is refused before it is read (loadPayload throws, loadDirectory lists it as failed)`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'instreg-limits-'));
    const big = join(dir, 'big.json');
    writeFileSync(big, '');
    truncateSync(big, MAX_PAYLOAD_BYTES + 1); // sparse: no disk space used, no read attempted
    writeFileSync(
      join(dir, 'ok.json'),
      rows(2, () => false),
    );
    const t = await FakeTarget.create();
    const e = await rejection(loadPayload(big, t, [mapping('0')]));
    expect(e.code).toBe('LimitExceeded');
    expect(e.message).toContain(`the limit is ${MAX_PAYLOAD_BYTES} bytes`);
    const res = await loadDirectory(dir, t, { mappings: [mapping('0')] });
    expect(res.failed.map((f) => f.file)).toStrictEqual(['big.json']);
    expect(res.failed[0]!.error).toMatch(/^LimitExceeded/);
    expect(res.files.map((f) => [f.file, f.registered])).toStrictEqual([['ok.json', 2]]);
  });

  it(`records nesting up to ${MAX_RECORD_DEPTH} levels load; deeper ones are rejected LimitExceeded (also 100 000 levels, no stack overflow)`, async () => {
    const t = await FakeTarget.create();
    // record = level 1; {"s":..,"x": nested(d)} puts the innermost value at level d + 2
    const payload = `{"lim":1,"rows":[{"s":"OK","x":${nested(MAX_RECORD_DEPTH - 2, '1')}},{"s":"DEEP","x":${nested(MAX_RECORD_DEPTH - 1, '{}')}},{"s":"VERYDEEP","x":${nested(100_000, '1')}}]}`;
    const r = await discover(payload, mapping('0'), t);
    expect(r.registrations.map((x) => x.symbol)).toStrictEqual(['OK']);
    expect(r.rejected.map((x) => [x.record, x.code])).toStrictEqual([
      [1, 'LimitExceeded'],
      [2, 'LimitExceeded'],
    ]);
  });

  it('__proto__ / constructor / prototype are rejected at any depth (the old check stopped at 64 levels)', async () => {
    const t = await FakeTarget.create();
    for (const [depth, key] of [
      [10, '__proto__'],
      [40, 'constructor'],
      [63, 'prototype'],
      [80, '__proto__'],
      [5000, '__proto__'],
    ] as const) {
      const payload = `{"lim":1,"rows":[{"s":"P${depth}","x":${nested(depth, `{"${key}":{"polluted":true}}`)}}]}`;
      const r = await discover(payload, mapping('0'), t);
      expect(r.registrations, `${key} at depth ${depth}`).toStrictEqual([]);
      expect(['ForbiddenKey', 'LimitExceeded']).toContain(r.rejected[0]!.code);
      if (depth < MAX_RECORD_DEPTH - 2) expect(r.rejected[0]!.code).toBe('ForbiddenKey');
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('broken JSON nested 1 000 000 deep is a ParseError with its position, not a RangeError', () => {
    const text = `${'['.repeat(1_000_000)}x`;
    expect(jsonErrorOffset(text)).toBe(1_000_000);
    let e: unknown;
    try {
      parseJsonText(text, 'deep.json');
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(RegistryError);
    expect((e as RegistryError).code).toBe('ParseError');
    expect((e as Error).message).toContain('offset 1000000');
  });
});
