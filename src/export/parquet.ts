/**
 * Columnar export of a registry: one Apache Parquet file per (venue, kind) partition, laid out
 * Hive-style as `DIR/venue=<VENUE>/kind=<kind>/instruments.parquet` (DuckDB, Spark, pandas/pyarrow
 * and Polars read the partition columns from the path). Written with hyparquet-writer (snappy).
 *
 * **Schema** (one column per field present in the partition, in a fixed order: `id`, `kind`,
 * `symbol`, `venue`, then the other fields by name; every column nullable):
 *
 * | instreg value | Parquet column |
 * |---|---|
 * | ids (`id`, `baseId`, `quoteId`, …, any `bigint`) | `BYTE_ARRAY` UTF8: `0x` + 16 lower-case hex digits |
 * | fixed-point (`tickSize`, `strike`, …, any {@link Fixed}) | `BYTE_ARRAY` UTF8: the exact decimal (`formatFixed`) |
 * | `createdAt`, `updatedAt`, `expiry` (ms since the epoch) | `INT64` `TIMESTAMP_MILLIS` |
 * | `chainId` | `INT64` |
 * | `priceDecimals`, `sizeDecimals`, `feeTier` | `INT32` |
 * | other numbers (`makerFeeBps`, `takerFeeBps`, …) | `DOUBLE` |
 * | strings, enums | `BYTE_ARRAY` UTF8 |
 * | booleans | `BOOLEAN` |
 * | arrays / objects (`legs`) | `BYTE_ARRAY` JSON (ids and decimals as above, `src/json.ts`) |
 *
 * The file metadata carries `instreg.schema` = 1 and `instreg.rows`.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toJsonValue } from '../json.js';
import { formatId } from '../id/halves.js';
import { formatFixed } from '../model/fixed.js';
import type { Fixed, Instrument } from '../model/types.js';

/** Export format version (key `instreg.schema` in each file's key-value metadata). */
export const PARQUET_EXPORT_SCHEMA = 1;

/** File name inside each partition folder. */
export const PARQUET_FILE = 'instruments.parquet';

/** One written partition. */
export interface ParquetPartition {
  venue: string;
  kind: string;
  /** Absolute path of the file. */
  file: string;
  rows: number;
  /** Column names in file order. */
  columns: string[];
  bytes: number;
}

/** What {@link exportParquet} wrote. */
export interface ParquetExport {
  dir: string;
  rows: number;
  partitions: ParquetPartition[];
}

type ColumnType = 'ID' | 'DECIMAL' | 'TIMESTAMP' | 'INT64' | 'INT32' | 'DOUBLE' | 'STRING' | 'BOOLEAN' | 'JSON';

const LEADING = ['id', 'kind', 'symbol', 'venue'];
const TIMESTAMPS = new Set(['createdAt', 'updatedAt', 'expiry']);
const INT32 = new Set(['priceDecimals', 'sizeDecimals', 'feeTier']);
const INT64 = new Set(['chainId']);

function isFixed(v: unknown): v is Fixed {
  return typeof v === 'object' && v !== null && typeof (v as Fixed).raw === 'bigint' && typeof (v as Fixed).scale === 'number';
}

/** The column type of a field, from its name and a non-null sample value. */
function columnType(field: string, sample: unknown): ColumnType {
  if (typeof sample === 'bigint') return 'ID';
  if (isFixed(sample)) return 'DECIMAL';
  if (typeof sample === 'number') return TIMESTAMPS.has(field) ? 'TIMESTAMP' : INT64.has(field) ? 'INT64' : INT32.has(field) ? 'INT32' : 'DOUBLE';
  if (typeof sample === 'boolean') return 'BOOLEAN';
  if (typeof sample === 'string') return 'STRING';
  return 'JSON';
}

function cell(type: ColumnType, v: unknown): unknown {
  if (v === undefined || v === null) return null;
  switch (type) {
    case 'ID':
      return formatId(v as bigint);
    case 'DECIMAL':
      return formatFixed(v as Fixed);
    case 'TIMESTAMP':
    case 'INT64':
      return BigInt(v as number);
    case 'JSON':
      return toJsonValue(v); // hyparquet-writer serialises JSON columns itself
    default:
      return v;
  }
}

const PARQUET_TYPE: Record<ColumnType, string> = {
  ID: 'STRING',
  DECIMAL: 'STRING',
  TIMESTAMP: 'TIMESTAMP',
  INT64: 'INT64',
  INT32: 'INT32',
  DOUBLE: 'DOUBLE',
  STRING: 'STRING',
  BOOLEAN: 'BOOLEAN',
  JSON: 'JSON',
};

/** A partition folder name component: the value with `/`, `\` and `=` percent-encoded (Hive style). */
function partName(v: string): string {
  return v.replace(/[%/\\=]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/**
 * Write instruments as Parquet, one file per (venue, kind) (see the module doc for the layout and
 * the schema). Existing partition files under `dir` are replaced (each written to a temp file, then
 * renamed); other files in `dir` are left alone.
 *
 * @param instruments the instruments (e.g. `reader.all().map((v) => v.toObject())`).
 * @param dir output folder (created if missing).
 * @returns the partitions written (sorted by venue, then kind) and the total row count.
 * @throws {Error} file-system errors from `node:fs` (the partition being written is not left half-written).
 * @example
 * ```ts
 * const out = await exportParquet(registry.reader().all().map((v) => v.toObject()), 'out/parquet');
 * // out/parquet/venue=BINANCE/kind=cexPair/instruments.parquet, …
 * ```
 */
export async function exportParquet(instruments: readonly Instrument[], dir: string): Promise<ParquetExport> {
  const { parquetWriteBuffer } = await import('hyparquet-writer');
  const groups = new Map<string, Instrument[]>();
  for (const inst of instruments) {
    const k = `${inst.venue}\u0000${inst.kind}`;
    let g = groups.get(k);
    if (!g) groups.set(k, (g = []));
    g.push(inst);
  }
  const partitions: ParquetPartition[] = [];
  for (const k of [...groups.keys()].sort()) {
    const rows = groups
      .get(k)!
      .slice()
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const [venue, kind] = k.split('\u0000') as [string, string];
    const samples = new Map<string, unknown>();
    for (const r of rows) for (const [f, v] of Object.entries(r)) if (v !== undefined && v !== null && !samples.has(f)) samples.set(f, v);
    const fields = [...LEADING.filter((f) => samples.has(f)), ...[...samples.keys()].filter((f) => !LEADING.includes(f)).sort()];
    const columnData = fields.map((name) => {
      const type = columnType(name, samples.get(name));
      return { name, type: PARQUET_TYPE[type], data: rows.map((r) => cell(type, (r as unknown as Record<string, unknown>)[name])), nullable: true };
    });
    const buf = parquetWriteBuffer({
      columnData: columnData as never,
      kvMetadata: [
        { key: 'instreg.schema', value: String(PARQUET_EXPORT_SCHEMA) },
        { key: 'instreg.rows', value: String(rows.length) },
      ],
      createdBy: 'instreg',
    });
    const folder = join(dir, `venue=${partName(venue)}`, `kind=${partName(kind)}`);
    mkdirSync(folder, { recursive: true });
    const file = join(folder, PARQUET_FILE);
    const tmp = `${file}.tmp-${process.pid}-${randomBytes(8).toString('hex')}`;
    try {
      writeFileSync(tmp, new Uint8Array(buf), { flag: 'wx' }); // exclusive: never through a planted link
      renameSync(tmp, file);
    } catch (e) {
      rmSync(tmp, { force: true });
      throw e;
    }
    partitions.push({ venue, kind, file, rows: rows.length, columns: fields, bytes: buf.byteLength });
  }
  return { dir, rows: instruments.length, partitions };
}
