/**
 * Format detection (`can_parse`): which mapping, if any, fits a payload. Synchronous and
 * declarative: JSON mappings list path conditions, CSV mappings list required header columns.
 *
 * @module
 */
import { argArray, argString } from '../args.js';
import { RegistryError } from '../errors.js';
import type { DetectCondition, Mapping } from './mapping.js';
import { csvHeader, stripBom } from './parse.js';

let cache: { text: string; value: unknown; ok: boolean } | undefined;

/**
 * Parse JSON once per payload text (detection and discovery of the same text share it).
 * @returns `{ ok: false }` when the text is not JSON.
 */
export function cachedJson(text: string): { ok: boolean; value: unknown } {
  if (cache && cache.text === text) return cache;
  let value: unknown;
  let ok = true;
  try {
    value = JSON.parse(stripBom(text));
  } catch {
    ok = false;
  }
  cache = { text, value, ok };
  return cache;
}

/**
 * Value at a dot path (`symbols.0.filters`); own properties only; `*` is the first element of an
 * array or the first entry of an object (`result.*.pair_decimals`). `found: false` when absent.
 */
export function getPath(root: unknown, path: string): { found: boolean; value: unknown } {
  let cur = root;
  for (const seg of path.split('.').filter((s) => s !== '')) {
    if (cur === null || typeof cur !== 'object') return { found: false, value: undefined };
    if (seg === '*') {
      const vals = Array.isArray(cur) ? cur : Object.values(cur);
      if (vals.length === 0) return { found: false, value: undefined };
      cur = vals[0];
    } else if (Array.isArray(cur)) {
      if (!/^\d+$/.test(seg) || Number(seg) >= cur.length) return { found: false, value: undefined };
      cur = cur[Number(seg)];
    } else {
      if (!Object.prototype.hasOwnProperty.call(cur, seg)) return { found: false, value: undefined };
      cur = (cur as Record<string, unknown>)[seg];
    }
  }
  return { found: true, value: cur };
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/**
 * Every value at a dot path where a `?` segment stands for ANY element of an array (or entry of
 * an object): `symbols.?.contractType` yields the `contractType` of every symbol. Other segments
 * as in {@link getPath}. At most `limit` values are collected.
 */
export function getPathAll(root: unknown, path: string, limit = 100_000): unknown[] {
  let cur: unknown[] = [root];
  for (const seg of path.split('.').filter((x) => x !== '')) {
    const next: unknown[] = [];
    for (const v of cur) {
      if (seg === '?') {
        if (v !== null && typeof v === 'object') for (const x of Array.isArray(v) ? v : Object.values(v)) if (next.length < limit) next.push(x);
        continue;
      }
      const r = getPath(v, seg);
      if (r.found && next.length < limit) next.push(r.value);
    }
    cur = next;
  }
  return cur;
}

function holdsOn(value: unknown, c: { type?: string; equals?: unknown }): boolean {
  if (c.type !== undefined && typeOf(value) !== c.type) return false;
  if (c.equals !== undefined && value !== c.equals) return false;
  return true;
}

/**
 * Whether one detection condition holds on a parsed payload. With a `?` segment in the path
 * the condition holds when SOME matching value satisfies it (`absent`: when none exists).
 */
export function conditionHolds(root: unknown, c: DetectCondition): boolean {
  if ('anyOf' in c) return c.anyOf.some((x) => conditionHolds(root, x));
  if (c.path.split('.').includes('?')) {
    const vals = getPathAll(root, c.path);
    if (c.absent) return vals.length === 0;
    return vals.some((v) => holdsOn(v, c));
  }
  const { found, value } = getPath(root, c.path);
  if (c.absent) return !found;
  if (!found) return false;
  return holdsOn(value, c);
}

/** Whether a mapping fits a payload. */
export function mappingFits(m: Mapping, text: string, fileName?: string): boolean {
  const lower = fileName?.toLowerCase();
  if (m.format === 'json') {
    if (lower && /\.(csv|tsv|txt)$/.test(lower)) return false;
    const j = cachedJson(text);
    if (!j.ok) return false;
    if (m.detect.firstLine !== undefined && !new RegExp(m.detect.firstLine).test(stripBom(text).split('\n', 1)[0])) return false;
    return (m.detect.json ?? []).every((c) => conditionHolds(j.value, c));
  }
  if (lower && lower.endsWith('.json')) return false;
  const t = stripBom(text);
  if (m.detect.firstLine !== undefined && !new RegExp(m.detect.firstLine).test(t.slice(0, 2000).split('\n', 1)[0].replace(/\r$/, ''))) return false;
  const header = csvHeader(t.slice(0, 1 << 16), m.csv);
  if (!header) return false;
  const cols = new Set(header);
  return (m.detect.csvHeader ?? []).every((c) => cols.has(c));
}

/** A mapping as detection reads it: an object with a `detect` object. */
function checkDetectable(m: unknown, name: string): void {
  if (typeof m !== 'object' || m === null || typeof (m as Mapping).detect !== 'object' || (m as Mapping).detect === null) {
    throw new RegistryError('InvalidArgument', `${name} must be a mapping (an object with a detect object)`);
  }
}

/**
 * How specific a mapping's detection is: the number of conditions it checks.
 * @throws {RegistryError} `InvalidArgument` if `m` is not a mapping.
 */
export function specificity(m: Mapping): number {
  checkDetectable(m, 'mapping');
  return (m.detect.json?.length ?? 0) + (m.detect.csvHeader?.length ?? 0) + (m.detect.firstLine !== undefined ? 1 : 0);
}

/** What {@link detectPayload} found: the mapping that wins and the others that also fit. */
export interface Detection<M extends Mapping> {
  mapping: M | undefined;
  /** Names of the other mappings whose detection also holds (empty when unambiguous). */
  ambiguous: string[];
}

/**
 * Every mapping that fits a payload, and the winner: the most specific one (most detection
 * conditions), the first in the order given among equally specific ones. The others are
 * reported, so a newer schema of a known venue that an older mapping also reads is visible.
 * @throws {RegistryError} `InvalidArgument` if `payloadText` is not a string, `fileName` neither a
 *   string nor `undefined`, or `mappings` not an array of mappings.
 */
export function detectPayload<M extends Mapping>(payloadText: string, fileName: string | undefined, mappings: readonly M[]): Detection<M> {
  argString(payloadText, 'payloadText');
  if (fileName !== undefined) argString(fileName, 'fileName');
  argArray(mappings, 'mappings');
  mappings.forEach((m, i) => checkDetectable(m, `mappings[${i}]`));
  const fits = mappings.filter((m) => mappingFits(m, payloadText, fileName));
  let best: M | undefined;
  for (const m of fits) if (!best || specificity(m) > specificity(best)) best = m;
  return { mapping: best, ambiguous: fits.filter((m) => m !== best).map((m) => m.name) };
}

/**
 * Pick the mapping that fits a payload (the seed's `can_parse`): the most specific one whose
 * detection holds (see {@link detectPayload}, which also names the other candidates). Mappings
 * flagged `ignore` also match (the caller then skips the file).
 *
 * @param fileName optional; `.json` excludes CSV mappings and `.csv` excludes JSON ones
 * @returns the mapping, or `undefined` when none fits (unknown or garbage payload)
 * @throws {RegistryError} `InvalidArgument` as {@link detectPayload}
 */
export function detectFormat<M extends Mapping>(payloadText: string, fileName: string | undefined, mappings: readonly M[]): M | undefined {
  return detectPayload(payloadText, fileName, mappings).mapping;
}
