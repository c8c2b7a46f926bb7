/**
 * Payload readers: JSON (with exact error positions) and CSV (csv-parse, with preamble,
 * delimiter and BOM handling). A payload that cannot be read at all raises
 * `RegistryError('ParseError')` naming the file and the line/column.
 *
 * @module
 */
import { parse as parseCsv } from 'csv-parse/sync';
import { argInt, argOptions, argString } from '../args.js';
import { RegistryError } from '../errors.js';
import type { CsvOptions } from './mapping.js';

/**
 * Line and column (both 1-based) of a character offset.
 * @throws {RegistryError} `InvalidArgument` if `text` is not a string or `offset` not an integer ≥ 0.
 */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  argString(text, 'text');
  argInt(offset, 'offset');
  let line = 1;
  let last = -1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      last = i;
    }
  }
  return { line, column: offset - last };
}

/**
 * Offset of the first JSON syntax error in `text` (a small RFC 8259 scanner, used only after
 * `JSON.parse` failed, because V8's messages do not always carry a position). Iterative: the
 * open arrays and objects are an explicit stack, so any nesting depth is scanned without
 * touching the call stack.
 * @throws {RegistryError} `InvalidArgument` if `text` is not a string.
 */
export function jsonErrorOffset(text: string): number {
  argString(text, 'text');
  let i = 0;
  const n = text.length;
  const ws = (): void => {
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13) i++;
      else return;
    }
  };
  const bad = (): never => {
    throw i;
  };
  const str = (): void => {
    i++;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 34) {
        i++;
        return;
      }
      if (c < 32) bad();
      if (c === 92) {
        i++;
        if (text[i] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) bad();
          i += 5;
        } else if ('"\\/bfnrt'.includes(text[i] ?? 'x')) i++;
        else bad();
      } else i++;
    }
    bad();
  };
  /** Scalars; returns '[' or '{' (after consuming it) when a container opens. */
  const scalarOrOpen = (): '[' | '{' | undefined => {
    ws();
    const c = text[i];
    if (c === '{' || c === '[') {
      i++;
      return c;
    }
    if (c === '"') str();
    else if (c !== undefined && /[-0-9]/.test(c)) {
      const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
      if (!m) bad();
      i += m![0].length;
    } else if (text.startsWith('true', i)) i += 4;
    else if (text.startsWith('false', i)) i += 5;
    else if (text.startsWith('null', i)) i += 4;
    else bad();
    return undefined;
  };
  const key = (): void => {
    ws();
    if (text[i] !== '"') bad();
    str();
    ws();
    if (text[i] !== ':') bad();
    i++;
  };
  const stack: Array<'[' | '{'> = [];
  try {
    // Parse one value; after each value, close containers / expect separators.
    let open = scalarOrOpen();
    for (;;) {
      if (open !== undefined) {
        ws();
        const close = open === '[' ? ']' : '}';
        if (text[i] === close) {
          i++;
        } else {
          stack.push(open);
          if (open === '{') key();
          open = scalarOrOpen();
          continue;
        }
      }
      // a value just ended
      if (stack.length === 0) break;
      ws();
      const top = stack[stack.length - 1];
      if (text[i] === ',') {
        i++;
        if (top === '{') key();
        open = scalarOrOpen();
        continue;
      }
      if (text[i] === (top === '[' ? ']' : '}')) {
        i++;
        stack.pop();
        open = undefined;
        continue;
      }
      bad();
    }
    ws();
    if (i < n) bad();
  } catch (e) {
    if (typeof e === 'number') return e;
    throw e;
  }
  return n;
}

/**
 * Parse JSON text (a leading BOM is ignored). `__proto__` keys stay plain own data properties
 * (JSON.parse semantics), so nothing is polluted.
 * @throws {RegistryError} `ParseError`: `<file>: invalid JSON at line L, column C (offset O): …`;
 *   `InvalidArgument` if `text` or `file` is not a string.
 */
export function parseJsonText(text: string, file = '<payload>'): unknown {
  argString(text, 'text');
  argString(file, 'file');
  const t = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return JSON.parse(t);
  } catch (e) {
    const off = jsonErrorOffset(t);
    const { line, column } = lineColumn(t, off);
    const near = JSON.stringify(t.slice(Math.max(0, off - 20), off + 20));
    throw new RegistryError('ParseError', `${file}: invalid JSON at line ${line}, column ${column} (offset ${off}) near ${near}: ${(e as Error).message}`);
  }
}

/** Remove a leading UTF-8 BOM. */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** The header columns of a CSV payload (the line after `skipLines` preamble lines), or `undefined`. */
export function csvHeader(text: string, opts: CsvOptions = {}): string[] | undefined {
  const t = stripBom(text);
  let start = 0;
  for (let k = 0; k < (opts.skipLines ?? 0); k++) {
    const nl = t.indexOf('\n', start);
    if (nl < 0) return undefined;
    start = nl + 1;
  }
  const end = t.indexOf('\n', start);
  const line = t.slice(start, end < 0 ? t.length : end).replace(/\r$/, '');
  try {
    const rows = parseCsv(line, { delimiter: opts.delimiter ?? ',', quote: opts.quote ?? '"', relax_quotes: true }) as string[][];
    return rows[0]?.map((c) => c.trim());
  } catch {
    return undefined;
  }
}

const BLANK_RE = /^\s*$/;

/** A row of only whitespace fields (e.g. a trailing NBSP line). */
function blankRow(record: string[]): boolean {
  for (const f of record) if (!BLANK_RE.test(f)) return false;
  return true;
}

/** One CSV data row: its fields by header column, and its 1-based line in the file. */
export interface CsvRow {
  record: Record<string, string>;
  line: number;
  /** Set when the row has a different number of fields than the header. */
  malformed?: string;
}

/**
 * Parse a CSV payload: BOM removed, `skipLines` preamble lines skipped, first remaining line is
 * the header, then `skipAfterHeader` rows that are not data are dropped. Rows consisting only of whitespace (e.g. a trailing NBSP line) are ignored; rows
 * with a wrong field count are returned with `malformed` set (the engine rejects them).
 * Records are built with `Object.fromEntries`, so a `__proto__` column is an own property.
 * @throws {RegistryError} `ParseError` with the line number for unreadable CSV (e.g. an unclosed quote)
 *   or CSV options csv-parse refuses; `InvalidArgument` if `text` or `file` is not a string, `opts`
 *   not an object, or `skipLines` / `skipAfterHeader` not an integer ≥ 0.
 */
export function parseCsvPayload(text: string, opts: CsvOptions = {}, file = '<payload>'): { header: string[]; rows: CsvRow[] } {
  argString(text, 'text');
  argOptions(opts);
  argString(file, 'file');
  if (opts.skipLines !== undefined) argInt(opts.skipLines, 'skipLines');
  if (opts.skipAfterHeader !== undefined) argInt(opts.skipAfterHeader, 'skipAfterHeader');
  const t = stripBom(text);
  let rows: Array<{ record: string[]; info: { lines: number } }>;
  try {
    rows = parseCsv(t, {
      delimiter: opts.delimiter ?? ',',
      quote: opts.quote ?? '"',
      from_line: (opts.skipLines ?? 0) + 1,
      relax_column_count: true,
      skip_empty_lines: true,
      info: true,
    }) as unknown as Array<{ record: string[]; info: { lines: number } }>;
  } catch (e) {
    const err = e as { message?: string; lines?: number; column?: unknown };
    throw new RegistryError('ParseError', `${file}: invalid CSV at line ${err.lines ?? '?'}: ${err.message ?? String(e)}`);
  }
  if (rows.length === 0) throw new RegistryError('ParseError', `${file}: CSV has no header line (after ${opts.skipLines ?? 0} preamble lines)`);
  const header = rows[0].record.map((c) => c.trim());
  // Assignment is safe (and cheaper than Object.fromEntries) unless a column would hit the prototype.
  const plainHeader = !header.some((h) => h === '__proto__' || h === 'constructor' || h === 'prototype');
  const out: CsvRow[] = [];
  for (let r = 1 + (opts.skipAfterHeader ?? 0); r < rows.length; r++) {
    const { record, info } = rows[r];
    if (blankRow(record)) continue;
    let rec: Record<string, string>;
    if (plainHeader) {
      rec = {};
      for (let i = 0; i < header.length; i++) rec[header[i]] = record[i] ?? '';
    } else rec = Object.fromEntries(header.map((h, i) => [h, record[i] ?? '']));
    const row: CsvRow = { record: rec, line: info.lines };
    if (record.length !== header.length) row.malformed = `${record.length} fields, header has ${header.length}`;
    out.push(row);
  }
  return { header, rows: out };
}
