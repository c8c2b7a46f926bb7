/**
 * Output helpers of the CLI: JSON conversion of instruments (bigint ids as 0x-prefixed 16-digit hex,
 * {@link Fixed} values as exact decimal strings) and cli-table3 tables.
 *
 * @module
 */
import { REFERENCE_FIELD_NAMES } from '../writer/refs.js';
import { createRequire } from 'node:module';
import type TableType from 'cli-table3';
import { formatId } from '../id/halves.js';
import { formatFixed } from '../model/fixed.js';
import type { Fixed, Instrument } from '../model/types.js';
import { toJsonValue, type Json } from '../json.js';
import type { VenueInfo } from '../venues/types.js';

/** cli-table3, loaded on first use (it is not needed by `--version`, `--help` or `--json`). */
let tableClass: typeof TableType | undefined;
function Table(): typeof TableType {
  return (tableClass ??= createRequire(import.meta.url)('cli-table3') as typeof TableType);
}

/** Fields printed first, in this order; the rest follow in the instrument's own order. */
const LEADING_FIELDS = ['id', 'kind', 'symbol', 'venue'] as const;
/** Fields holding ms-since-epoch timestamps (shown as ISO dates in tables). */
const TIME_FIELDS = new Set(['createdAt', 'updatedAt', 'expiry']);
/** Fields holding references to other instruments. */
const REF_FIELDS = REFERENCE_FIELD_NAMES;

export type { Json } from '../json.js';

/** The library's JSON conversion (`src/json.ts`): bigint ids as hex, fixed-point values as decimal strings. */
export const toJson = toJsonValue;

/**
 * JSON object of an instrument: `id` (0x + 16 hex digits), `kind`, `symbol`, `venue`, then every
 * populated field (reference ids as hex strings, fixed-point values as decimal strings).
 */
export function instrumentToJson(inst: Instrument): { [key: string]: Json } {
  const src = inst as unknown as Record<string, unknown>;
  const out: { [key: string]: Json } = {};
  for (const k of LEADING_FIELDS) out[k] = toJson(src[k]);
  for (const [k, v] of Object.entries(src)) if (!(k in out) && v !== undefined) out[k] = toJson(v);
  return out;
}

/** Text of a field value for a table cell (timestamps as ISO dates, references resolved by `describeRef`). */
export function cellText(field: string, value: unknown, describeRef?: (id: bigint) => string | undefined): string {
  if (value === undefined || value === null) return '';
  if (TIME_FIELDS.has(field) && typeof value === 'number') return `${new Date(value).toISOString()} (${value})`;
  if (REF_FIELDS.has(field) && typeof value === 'bigint') {
    const d = describeRef?.(value);
    return d ? `${formatId(value)} (${d})` : formatId(value);
  }
  if (field === 'legs' && Array.isArray(value)) {
    return value
      .map(
        (l: { id: bigint; weight: Fixed; negative?: boolean }) =>
          `${l.negative ? '-' : '+'}${formatFixed(l.weight)} × ${describeRef?.(l.id) ?? formatId(l.id)}`,
      )
      .join(', ');
  }
  const j = toJson(value);
  return typeof j === 'string' ? j : JSON.stringify(j);
}

/** A cli-table3 table with a header row (no colours, so output is the same on a TTY and in a pipe). */
export function newTable(head: string[], opts: { colAligns?: Array<'left' | 'right' | 'center'> } = {}): TableType.Table {
  return new (Table())({ head, style: { head: [], border: [], compact: true }, ...(opts.colAligns ? { colAligns: opts.colAligns } : {}) });
}

/**
 * Vertical field/value table of one instrument (every populated field).
 *
 * @param describeRef renders a referenced instrument id (e.g. `ASSET:BTC`), or undefined if unknown
 */
export function instrumentTable(inst: Instrument, describeRef?: (id: bigint) => string | undefined): string {
  const t = new (Table())({ style: { head: [], border: [], compact: true }, wordWrap: true, colWidths: [16, 72] });
  const src = inst as unknown as Record<string, unknown>;
  const keys = [...LEADING_FIELDS, ...Object.keys(src).filter((k) => !(LEADING_FIELDS as readonly string[]).includes(k))];
  for (const k of keys) {
    const v = src[k];
    if (v === undefined) continue;
    t.push({ [k]: cellText(k, v, describeRef) });
  }
  return t.toString();
}

/** Two-column count table (`label`, `unit`) in the order given, with a total row when `total` is given. */
export function countTable(label: string, rows: Array<[string, number]>, total?: number, unit = 'instruments'): string {
  const t = newTable([label, unit], { colAligns: ['left', 'right'] });
  for (const [k, n] of rows) t.push([k, n]);
  if (total !== undefined) t.push(['total', total]);
  return t.toString();
}

/** Format a fee in bps (`10`, `-0.5`), or `''` when absent. */
export function formatBps(v: number | undefined): string {
  return v === undefined ? '' : String(Math.round(v * 100) / 100);
}

/** The venue attributes the `venues` command shows, as JSON data (absent attributes omitted). */
export function venueAttributes(v: Readonly<VenueInfo> | undefined): { [key: string]: Json } {
  if (!v) return { known: false };
  return toJson({
    known: true,
    name: v.name,
    country: v.country,
    mic: v.mic,
    operatingMic: v.operatingMic,
    type: v.type,
    makerFeeBps: v.makerFeeBps,
    takerFeeBps: v.takerFeeBps,
    status: v.status,
    chainId: v.chainId,
  }) as { [key: string]: Json };
}

/** Print a JSON value on stdout (2-space indented). */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(toJson(value), null, 2)}\n`);
}
