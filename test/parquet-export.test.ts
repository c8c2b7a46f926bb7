/**
 * Parquet export (src/export/parquet.ts, written with hyparquet-writer) read back with an independent
 * reader, DuckDB (@duckdb/node-api): every row of every partition equals the registry's instrument,
 * field by field, with ids and decimals checked by the test's own conversions.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMappings, loadPayload } from '../src/discovery/index.js';
import { exportParquet, type ParquetExport } from '../src/export/parquet.js';
import type { Instrument } from '../src/model/types.js';
import { InstrumentRegistry } from '../src/writer/registry.js';
import { DATA } from './helpers/cli.js';
import { oneOfEachKind } from './helpers/instruments.js';

const COINBASE = 'coinbase_exchange_products_2021-04-17.json';

let dir: string;
let instruments: Instrument[];
let out: ParquetExport;

const hex = (id: bigint): string => `0x${id.toString(16).padStart(16, '0')}`;

/** Exact decimal text → (digits, scale), independent of model/fixed.ts. */
function decimal(text: string): { digits: bigint; scale: number } {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) throw new Error(`not a decimal: ${text}`);
  const frac = m[3] ?? '';
  return { digits: BigInt(`${m[1]}${m[2]}${frac}`), scale: frac.length };
}

/** Assert a value read from Parquet equals the registry's value (see the export's type table). */
function expectSame(field: string, got: unknown, want: unknown): void {
  if (want === undefined || want === null) {
    expect(got, field).toBeNull();
    return;
  }
  if (typeof want === 'bigint') {
    expect(got, field).toBe(hex(want));
    return;
  }
  if (typeof want === 'object' && want !== null && 'raw' in want && 'scale' in want) {
    const w = want as { raw: bigint; scale: number };
    const g = decimal(got as string);
    // equal values: g.digits / 10^g.scale == w.raw / 10^w.scale
    expect(g.digits * 10n ** BigInt(w.scale), `${field} = ${String(got)}`).toBe(w.raw * 10n ** BigInt(g.scale));
    return;
  }
  if (Array.isArray(want)) {
    const arr = (typeof got === 'string' ? JSON.parse(got) : got) as unknown[];
    expect(arr, field).toHaveLength(want.length);
    want.forEach((w, i) => {
      for (const [k, v] of Object.entries(w as object)) expectSame(`${field}[${i}].${k}`, (arr[i] as Record<string, unknown>)[k] ?? null, v);
    });
    return;
  }
  expect(got, field).toBe(want);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'instreg-parquet-'));
  const reg = await InstrumentRegistry.create({ initialCapacity: 1024 });
  for (const inst of oneOfEachKind()) reg.registerInstrument(inst);
  await loadPayload(join(DATA, COINBASE), reg, await loadMappings());
  instruments = reg
    .reader()
    .all()
    .map((v) => v.toObject());
  out = await exportParquet(instruments, join(dir, 'out'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('Parquet export', () => {
  it('one file per (venue, kind), Hive-style paths, every instrument in exactly one', () => {
    const expected = new Map<string, number>();
    for (const i of instruments) expected.set(`${i.venue}/${i.kind}`, (expected.get(`${i.venue}/${i.kind}`) ?? 0) + 1);
    expect(new Map(out.partitions.map((p) => [`${p.venue}/${p.kind}`, p.rows]))).toEqual(expected);
    for (const p of out.partitions) expect(relative(out.dir, p.file).split(sep)).toEqual([`venue=${p.venue}`, `kind=${p.kind}`, 'instruments.parquet']);
    expect(out.rows).toBe(instruments.length);
    expect(new Set(instruments.map((i) => i.kind)).size).toBeGreaterThanOrEqual(9);
    expect(readFileSync(out.partitions[0]!.file).subarray(0, 4).toString()).toBe('PAR1');
  });

  it('DuckDB reads every row back equal to the registry, field by field', async () => {
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    const byId = new Map(instruments.map((i) => [hex(i.id), i]));
    let rows = 0;
    try {
      for (const p of out.partitions) {
        const file = p.file.replace(/'/g, "''");
        const cols = (await c.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${file}', hive_partitioning = false)`)).getRows() as Array<[string, string]>;
        const types = new Map(cols.map(([n, t]) => [n, t]));
        expect(types.get('id')).toBe('VARCHAR');
        for (const f of ['createdAt', 'updatedAt', 'expiry']) if (types.has(f)) expect(types.get(f), f).toBe('TIMESTAMP');
        const select = cols
          .map(([n, t]) => (t === 'TIMESTAMP' ? `epoch_ms("${n}")::DOUBLE AS "${n}"` : t === 'BIGINT' ? `"${n}"::DOUBLE AS "${n}"` : `"${n}"`))
          .join(', ');
        const got = (await c.runAndReadAll(`SELECT ${select} FROM read_parquet('${file}', hive_partitioning = false)`)).getRowObjectsJson() as Array<
          Record<string, unknown>
        >;
        expect(got).toHaveLength(p.rows);
        for (const row of got) {
          const want = byId.get(row['id'] as string);
          expect(want, `row ${String(row['id'])}`).toBeDefined();
          expect([want!.venue, want!.kind]).toEqual([p.venue, p.kind]);
          const src = want as unknown as Record<string, unknown>;
          for (const f of Object.keys(src)) {
            expect(types.has(f) || src[f] === undefined, `column ${f} in ${p.file}`).toBe(true);
          }
          for (const [n] of cols) expectSame(`${p.venue}/${p.kind} ${String(row['id'])} ${n}`, row[n] ?? null, src[n]);
          byId.delete(row['id'] as string);
          rows++;
        }
      }
    } finally {
      c.closeSync();
    }
    expect(rows).toBe(instruments.length);
    expect([...byId.keys()]).toEqual([]);
  });
});
