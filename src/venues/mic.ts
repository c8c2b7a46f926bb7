/**
 * Loader for the ISO 10383 Market Identifier Code list (the official, fully quoted CSV
 * published by the ISO 10383 registration authority, SWIFT).
 *
 * @module
 */
import { closeSync, openSync, readSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import type { CsvError, Options, parse as Parse } from 'csv-parse/sync';
import { ConfigError } from '../errors.js';
import { RegistryError } from '../errors.js';
import { isMicFormat } from '../identifiers/index.js';
import type { VenueInfo, VenueStatus, VenueType } from './types.js';

/** csv-parse's synchronous parser, loaded on first use (readers of a cached registry never parse CSV). */
let csvParse: typeof Parse | undefined;
function parse(input: string, options: Options): unknown {
  csvParse ??= (createRequire(import.meta.url)('csv-parse/sync') as { parse: typeof Parse }).parse;
  return csvParse(input, options);
}

/**
 * File name of the ISO 10383 CSV in the shared data folder when this build was made. Informative
 * only: the list is found by its header row ({@link findMicList}), whatever the file is called.
 */
export const MIC_CSV_FILE = 'iso10383_mic_2025-05.csv';

/** Columns {@link loadMicList} reads; all must be present in the header (order does not matter). */
export const MIC_CSV_COLUMNS = [
  'MIC',
  'OPERATING MIC',
  'OPRT/SGMT',
  'MARKET NAME-INSTITUTION DESCRIPTION',
  'LEGAL ENTITY NAME',
  'LEI',
  'MARKET CATEGORY CODE',
  'ACRONYM',
  'ISO COUNTRY CODE (ISO 3166)',
  'CITY',
  'WEBSITE',
  'STATUS',
] as const;

/** ISO 10383 `STATUS` → {@link VenueStatus}. */
const STATUS_MAP: Readonly<Record<string, VenueStatus>> = { ACTIVE: 'active', EXPIRED: 'expired', UPDATED: 'updated' };

/** ISO 10383 market categories that are not execution venues. */
const NON_VENUE_CATEGORIES = new Set(['APPA', 'ARMS', 'CTPS', 'TRFS', 'OTHR']);

/** ISO 10383 market category → {@link VenueType}. */
function venueType(category: string): VenueType {
  if (category === 'CASP') return 'cex';
  if (NON_VENUE_CATEGORIES.has(category)) return 'other';
  return 'exchange';
}

/** A row of the MIC CSV that was not loaded, with its 1-based line number in the file. */
export interface RejectedRow {
  line: number;
  reason: string;
}

/**
 * Parse the ISO 10383 MIC CSV (parsed with `csv-parse`; a UTF-8 BOM is tolerated).
 *
 * Each row becomes a {@link VenueInfo} with `code = mic = MIC`, `operatingMic`, `segment`
 * (`OPRT`/`SGMT`), `name`, `country`, `city`, `status` (`ACTIVE`→`active`, `EXPIRED`→`expired`,
 * `UPDATED`→`updated`), `type` from the market category (`CASP`→`cex`; `APPA`, `ARMS`, `CTPS`,
 * `TRFS`, `OTHR`→`other`; everything else→`exchange`), plus `marketCategory`, `acronym`, `lei`,
 * `website` when non-empty. Empty cells become absent fields.
 *
 * Rows that cannot be used are returned in `rejected` rather than thrown: malformed CSV records,
 * a MIC or operating MIC that is not 4 chars of `[A-Z0-9]`, a `OPRT/SGMT` value other than those
 * two, an unknown `STATUS`, an empty name, or a MIC already seen earlier in the file.
 *
 * @param csvText the whole CSV file as text.
 * @returns loaded venues in file order, and the rejected rows with 1-based line numbers.
 * @throws {RegistryError} `ParseError` if the text has no header or the header lacks one of
 *   {@link MIC_CSV_COLUMNS}.
 */
export function loadMicList(csvText: string): { venues: VenueInfo[]; rejected: RejectedRow[] } {
  const rejected: RejectedRow[] = [];
  let rows: Array<{ record: string[]; line: number }>;
  try {
    const options: Options = {
      bom: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      on_skip: (err: CsvError | undefined) => {
        const line = typeof err?.['lines'] === 'number' ? err['lines'] : 0;
        rejected.push({ line, reason: `malformed CSV record: ${err?.message ?? 'unknown error'}` });
        return undefined;
      },
      info: true,
    };
    // With `info: true` csv-parse emits `{ record, info }` objects; its sync typings do not model that.
    const out = parse(csvText, options) as unknown as Array<{ record: string[]; info: { lines: number } }>;
    rows = out.map((r) => ({ record: r.record, line: r.info.lines }));
  } catch (e) {
    throw new RegistryError('ParseError', `ISO 10383 MIC CSV: ${(e as Error).message}`);
  }
  const header = rows.shift();
  if (!header) throw new RegistryError('ParseError', 'ISO 10383 MIC CSV: empty input, no header');
  const col = new Map<string, number>();
  header.record.forEach((name, i) => col.set(name.trim(), i));
  for (const c of MIC_CSV_COLUMNS) {
    if (!col.has(c)) throw new RegistryError('ParseError', `ISO 10383 MIC CSV: header lacks column ${JSON.stringify(c)}`);
  }
  const get = (rec: string[], c: (typeof MIC_CSV_COLUMNS)[number]): string => (rec[col.get(c)!] ?? '').trim();

  const venues: VenueInfo[] = [];
  const seen = new Map<string, number>();
  for (const { record, line } of rows) {
    const mic = get(record, 'MIC');
    const operatingMic = get(record, 'OPERATING MIC');
    const level = get(record, 'OPRT/SGMT');
    const name = get(record, 'MARKET NAME-INSTITUTION DESCRIPTION');
    const rawStatus = get(record, 'STATUS');
    const status = STATUS_MAP[rawStatus];
    let reason: string | undefined;
    if (!isMicFormat(mic)) reason = `MIC ${JSON.stringify(mic)} is not 4 chars of [A-Z0-9]`;
    else if (seen.has(mic)) reason = `duplicate MIC ${mic} (first on line ${seen.get(mic)})`;
    else if (operatingMic !== '' && !isMicFormat(operatingMic)) reason = `OPERATING MIC ${JSON.stringify(operatingMic)} is not 4 chars of [A-Z0-9]`;
    else if (level !== 'OPRT' && level !== 'SGMT') reason = `OPRT/SGMT is ${JSON.stringify(level)}, expected OPRT or SGMT`;
    else if (status === undefined) reason = `unknown STATUS ${JSON.stringify(rawStatus)} (expected ACTIVE, EXPIRED or UPDATED)`;
    else if (name === '') reason = 'empty MARKET NAME-INSTITUTION DESCRIPTION';
    if (reason !== undefined) {
      rejected.push({ line, reason });
      continue;
    }
    seen.set(mic, line);
    const category = get(record, 'MARKET CATEGORY CODE');
    const v: VenueInfo = { code: mic, mic, segment: level as 'OPRT' | 'SGMT', name, status: status!, type: venueType(category) };
    if (operatingMic !== '') v.operatingMic = operatingMic;
    const country = get(record, 'ISO COUNTRY CODE (ISO 3166)');
    if (country !== '') v.country = country;
    const city = get(record, 'CITY');
    if (city !== '') v.city = city;
    if (category !== '') v.marketCategory = category;
    const acronym = get(record, 'ACRONYM');
    if (acronym !== '') v.acronym = acronym;
    const lei = get(record, 'LEI');
    if (lei !== '') v.lei = lei;
    const website = get(record, 'WEBSITE');
    if (website !== '') v.website = website;
    venues.push(v);
  }
  rejected.sort((a, b) => a.line - b.line);
  return { venues, rejected };
}

/** Bytes read from the start of a candidate file to recognise the MIC CSV header. */
const MIC_SNIFF_BYTES = 4096;

/**
 * Whether `head` (the start of a file) is an ISO 10383 MIC CSV: its first line, once quotes and a
 * UTF-8 BOM are removed, names every column of {@link MIC_CSV_COLUMNS}. `false` for a non-string.
 */
export function looksLikeMicList(head: string): boolean {
  if (typeof head !== 'string') return false;
  const line = head.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  const cols = new Set(line.split(',').map((c) => c.trim().replace(/^"|"$/g, '').trim().toUpperCase()));
  return MIC_CSV_COLUMNS.every((c) => cols.has(c));
}

/**
 * Find the ISO 10383 MIC list in a data folder by content: the `.csv` files whose header row has
 * the MIC columns ({@link looksLikeMicList}); when several do, the last by name (the list's files
 * are named by publication date). Files that cannot be read are passed over.
 *
 * @param dataDir the data folder.
 * @returns absolute path of the MIC CSV.
 * @throws {ConfigError} `InvalidConfig` when `dataDir` is not a non-empty string, or the folder cannot be listed or holds no MIC list.
 */
export function findMicList(dataDir: string): string {
  if (typeof dataDir !== 'string' || dataDir === '')
    throw new ConfigError('dataDir', `the data folder must be a non-empty path, got ${typeof dataDir === 'string' ? '""' : typeof dataDir}`);
  let names: string[];
  try {
    names = readdirSync(dataDir).filter((n) => /\.csv$/i.test(n) && !n.startsWith('.'));
  } catch (e) {
    throw new ConfigError('dataDir', `${dataDir}: cannot list the data folder: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const found: string[] = [];
  const buf = Buffer.alloc(MIC_SNIFF_BYTES);
  for (const name of names.sort()) {
    const path = join(dataDir, name);
    let fd: number | undefined;
    try {
      fd = openSync(path, 'r');
      const n = readSync(fd, buf, 0, buf.length, 0);
      if (looksLikeMicList(buf.subarray(0, n).toString('utf8'))) found.push(path);
    } catch {
      /* unreadable, a directory, a dangling link: not the MIC list */
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }
  const last = found[found.length - 1];
  if (last === undefined)
    throw new ConfigError('dataDir', `${dataDir}: no ISO 10383 MIC list (a CSV whose header has ${MIC_CSV_COLUMNS.slice(0, 3).join(', ')}, …)`);
  return last;
}
