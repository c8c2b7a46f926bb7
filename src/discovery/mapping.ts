/**
 * Declarative mapping files: the schema, its validation, and loading `mappings/*.json`.
 *
 * A mapping describes ONE source format (e.g. Binance `GET /api/v3/exchangeInfo`):
 * how to recognise a payload, where its records are, which instruments each record
 * yields and how every field is extracted (a JSONata expression) and converted
 * (a pipeline of generic conversions). The discovery engine (`engine.ts`) contains no
 * venue-specific code: a new venue format needs only a new mapping file.
 * The format is documented with a full example in `docs/mappings.md`; its types are in
 * `mapping-types.ts` (re-exported here).
 *
 * @module
 */
import { INSTRUMENT_FIELD_NAMES } from '../model/types.js';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import jsonata from 'jsonata';
import { parseAbiItem, type AbiEvent } from 'viem';
import { KIND_CODES } from '../../layout/codes.js';
import { userMappingsDirs } from '../config.js';
import { argArray, argPath, argString } from '../args.js';
import { RegistryError } from '../errors.js';
import { CONVERSION_NAMES } from './convert.js';
import type { LoadedMapping, Mapping } from './mapping-types.js';
import { parseJsonText } from './parse.js';

export type { CsvOptions, DetectCondition, DetectSpec, FieldSpec, InstrumentTemplate, LoadedMapping, Mapping, SkipRule, TableSpec } from './mapping-types.js';

/** Field names an instrument template may set (every field of `InstrumentInput`, from the kind descriptors). */
export const INSTRUMENT_FIELDS = INSTRUMENT_FIELD_NAMES;

const NAME_RE = /^[A-Za-z][A-Za-z0-9_]*$/;

function fail(where: string, msg: string): never {
  throw new RegistryError('ParseError', `mapping ${where}: ${msg}`);
}

function checkExpr(expr: unknown, where: string): void {
  if (typeof expr !== 'string' || expr.trim() === '') fail(where, 'must be a non-empty JSONata expression string');
  try {
    jsonata(expr);
  } catch (e) {
    const err = e as { message?: string; position?: number; token?: string };
    fail(where, `invalid JSONata at position ${err.position ?? '?'}: ${err.message ?? String(e)} in ${JSON.stringify(expr)}`);
  }
}

function checkSteps(steps: unknown, where: string, tables: Set<string>): void {
  const list = Array.isArray(steps) ? steps : [steps];
  list.forEach((s, i) => {
    const w = `${where}.convert[${i}]`;
    if (typeof s === 'string') {
      if (!CONVERSION_NAMES.has(s)) fail(w, `unknown conversion ${JSON.stringify(s)} (known: ${[...CONVERSION_NAMES].join(', ')})`);
      return;
    }
    if (typeof s !== 'object' || s === null) fail(w, 'must be a conversion name or object');
    const o = s as Record<string, unknown>;
    const table = o.map ?? o.alias ?? o.lookup;
    if (table !== undefined) {
      if (typeof table !== 'string' || !tables.has(table)) fail(w, `unknown table ${JSON.stringify(table)}`);
      return;
    }
    if (typeof o.template === 'string') return;
    for (const op of ['multiply', 'divide'] as const) {
      if (op in o) {
        if (
          typeof o[op] !== 'string' ||
          !/^-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(o[op] as string) ||
          (op === 'divide' && /^-?[0.]+([eE].*)?$/.test(o[op] as string))
        ) {
          fail(w, `"${op}" must be a decimal string${op === 'divide' ? ' other than zero' : ''}`);
        }
        return;
      }
    }
    fail(w, `unknown conversion object ${JSON.stringify(s)}`);
  });
}

function checkCondition(c: unknown, where: string): void {
  if (typeof c !== 'object' || c === null) fail(where, 'must be an object');
  const o = c as Record<string, unknown>;
  if (Array.isArray(o.anyOf)) {
    o.anyOf.forEach((x, i) => checkCondition(x, `${where}.anyOf[${i}]`));
    return;
  }
  if (typeof o.path !== 'string') fail(where, '"path" (string) or "anyOf" is required');
}

/**
 * Validate a mapping object (already merged with its `extends` parent) and return it unchanged.
 * @throws {RegistryError} `ParseError` naming the offending property, e.g.
 *   `mapping kraken-assetpairs.instruments[2].fields.tickSize: unknown conversion "decimall"`.
 */
export function validateMapping(m: unknown, label = 'mapping'): Mapping {
  if (typeof m !== 'object' || m === null || Array.isArray(m)) fail(label, 'must be a JSON object');
  const o = m as Mapping;
  const where = typeof o.name === 'string' ? o.name : label;
  if (typeof o.name !== 'string' || !/^[a-z0-9][a-z0-9._-]*$/.test(o.name)) fail(where, '"name" must be lower-case [a-z0-9._-]');
  if (typeof o.source !== 'string' || o.source === '') fail(where, '"source" (the cited API) is required');
  if (o.format !== 'json' && o.format !== 'csv') fail(where, '"format" must be "json" or "csv"');
  if (typeof o.detect !== 'object' || o.detect === null) fail(where, '"detect" is required');
  if (o.format === 'json' && (!Array.isArray(o.detect.json) || o.detect.json.length === 0)) fail(`${where}.detect`, 'a JSON mapping needs "json" conditions');
  if (o.format === 'csv' && (!Array.isArray(o.detect.csvHeader) || o.detect.csvHeader.length === 0))
    fail(`${where}.detect`, 'a CSV mapping needs "csvHeader" columns');
  o.detect.json?.forEach((c, i) => checkCondition(c, `${where}.detect.json[${i}]`));
  if (o.detect.firstLine !== undefined) {
    try {
      new RegExp(o.detect.firstLine);
    } catch {
      fail(`${where}.detect.firstLine`, 'invalid regular expression');
    }
  }
  if (o.csv !== undefined) {
    if (o.csv.delimiter !== undefined && (typeof o.csv.delimiter !== 'string' || o.csv.delimiter.length === 0))
      fail(`${where}.csv.delimiter`, 'must be a non-empty string');
    if (o.csv.skipLines !== undefined && (!Number.isInteger(o.csv.skipLines) || o.csv.skipLines < 0)) fail(`${where}.csv.skipLines`, 'must be an integer ≥ 0');
    if (o.csv.skipAfterHeader !== undefined && (!Number.isInteger(o.csv.skipAfterHeader) || o.csv.skipAfterHeader < 0))
      fail(`${where}.csv.skipAfterHeader`, 'must be an integer ≥ 0');
  }
  if (o.ignore !== undefined) {
    if (typeof o.ignore !== 'string') fail(`${where}.ignore`, 'must be a string (the reason)');
    return o;
  }
  if (o.records !== undefined) checkExpr(o.records, `${where}.records`);
  if (o.key !== undefined) checkExpr(o.key, `${where}.key`);
  if (o.missing !== undefined && (!Array.isArray(o.missing) || o.missing.some((x) => typeof x !== 'string')))
    fail(`${where}.missing`, 'must be an array of strings');
  const tables = new Set(Object.keys(o.tables ?? {}));
  for (const [t, spec] of Object.entries(o.tables ?? {})) {
    if (!NAME_RE.test(t)) fail(`${where}.tables`, `bad table name ${JSON.stringify(t)}`);
    if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) fail(`${where}.tables.${t}`, 'must be an object or { "file": … }');
  }
  for (const [v, e] of Object.entries(o.let ?? {})) {
    if (!NAME_RE.test(v) || v.startsWith('__') || v === 'tables') fail(`${where}.let`, `bad variable name ${JSON.stringify(v)}`);
    checkExpr(e, `${where}.let.${v}`);
  }
  (o.events ?? []).forEach((sig, i) => {
    try {
      const item = parseAbiItem(sig) as { type?: string };
      if (item.type !== 'event') throw new Error('not an event');
    } catch (e) {
      fail(`${where}.events[${i}]`, `not a Solidity event signature: ${(e as Error).message.split('\n')[0]}`);
    }
  });
  if (o.ignoreFields !== undefined) {
    if (!Array.isArray(o.ignoreFields)) fail(`${where}.ignoreFields`, 'must be an array of instrument field names');
    o.ignoreFields.forEach((f, i) => {
      if (typeof f !== 'string' || !INSTRUMENT_FIELDS.has(f)) fail(`${where}.ignoreFields[${i}]`, `${JSON.stringify(f)} is not an instrument field`);
    });
  }
  (o.skip ?? []).forEach((s, i) => {
    checkExpr(s?.when, `${where}.skip[${i}].when`);
    if (typeof s.code !== 'string' || s.code === '') fail(`${where}.skip[${i}].code`, 'is required');
  });
  if (!Array.isArray(o.instruments) || o.instruments.length === 0) fail(where, '"instruments" must list at least one template');
  const seen = new Set<string>();
  o.instruments.forEach((t, i) => {
    const w = `${where}.instruments[${i}]`;
    if (typeof t !== 'object' || t === null) fail(w, 'must be an object');
    if (typeof t.as !== 'string' || !NAME_RE.test(t.as) || seen.has(t.as)) fail(`${w}.as`, 'must be a unique name');
    if (!Object.prototype.hasOwnProperty.call(KIND_CODES, t.kind)) fail(`${w}.kind`, `must be one of ${Object.keys(KIND_CODES).join(', ')}`);
    if (t.when !== undefined) checkExpr(t.when, `${w}.when`);
    if (typeof t.fields !== 'object' || t.fields === null) fail(`${w}.fields`, 'is required');
    for (const [f, spec] of Object.entries(t.fields)) {
      const fw = `${w}.fields.${f}`;
      if (!INSTRUMENT_FIELDS.has(f)) fail(fw, `not an instrument field (kind is set by "kind")`);
      if (typeof spec === 'string') checkExpr(spec, fw);
      else if (typeof spec !== 'object' || spec === null) fail(fw, 'must be a JSONata string or { const | ref | expr }');
      else if ('const' in spec) {
        if (!['string', 'number', 'boolean'].includes(typeof spec.const)) fail(fw, '"const" must be a scalar');
      } else if ('ref' in spec) {
        if (!seen.has(spec.ref)) fail(fw, `"ref" must name an EARLIER template (known: ${[...seen].join(', ') || 'none'})`);
      } else if ('expr' in spec) {
        checkExpr(spec.expr, fw);
        if (spec.convert !== undefined) checkSteps(spec.convert, fw, tables);
      } else fail(fw, 'must have "const", "ref" or "expr"');
    }
    seen.add(t.as);
  });
  return o;
}

function resolveTables(m: Mapping, baseDir: string | undefined): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = Object.create(null);
  for (const [name, spec] of Object.entries(m.tables ?? {})) {
    let data: unknown = spec;
    if (typeof (spec as { file?: unknown }).file === 'string') {
      const s = spec as { file: string; path?: string; optional?: boolean };
      const p = resolve(baseDir ?? process.cwd(), s.file);
      if (!existsSync(p)) {
        if (s.optional) {
          out[name] = Object.create(null);
          continue;
        }
        fail(`${m.name}.tables.${name}`, `file not found: ${p}`);
      }
      data = parseJsonText(readFileSync(p, 'utf8'), p);
      for (const seg of (s.path ?? '').split('.').filter(Boolean)) {
        data =
          data !== null && typeof data === 'object' && Object.prototype.hasOwnProperty.call(data, seg) ? (data as Record<string, unknown>)[seg] : undefined;
      }
      if (typeof data !== 'object' || data === null || Array.isArray(data))
        fail(`${m.name}.tables.${name}`, `${s.file}${s.path ? ` at ${s.path}` : ''} is not an object`);
    }
    out[name] = Object.assign(Object.create(null), data as object);
  }
  return out;
}

/**
 * Validate a mapping object and resolve its tables and event ABIs, ready for `discover`.
 * Use this for mappings built in code; {@link loadMappings} does it for files.
 *
 * @param baseDir folder `tables.*.file` paths are relative to (default: the current directory)
 * @param parents mappings an `extends` may name
 * @throws {RegistryError} `ParseError` for an invalid mapping; `InvalidArgument` if `baseDir` is
 *   neither a string nor `undefined`, or `parents` not an array.
 */
export function prepareMapping(m: unknown, baseDir?: string, parents: Mapping[] = []): LoadedMapping {
  if (baseDir !== undefined) argString(baseDir, 'baseDir');
  argArray(parents, 'parents');
  let obj = m as Mapping;
  if (obj && typeof obj === 'object' && typeof obj.extends === 'string') {
    const parent = parents.find((p) => p.name === obj.extends);
    if (!parent) fail(String(obj.name), `extends unknown mapping ${JSON.stringify(obj.extends)}`);
    const { resolvedTables: _t, abis: _a, file: _f, ...plain } = parent as LoadedMapping;
    obj = { ...plain, ...obj, tables: { ...(plain.tables ?? {}), ...(obj.tables ?? {}) } };
  }
  const v = validateMapping(obj);
  return {
    ...v,
    resolvedTables: resolveTables(v, baseDir),
    abis: (v.events ?? []).map((s) => parseAbiItem(s) as AbiEvent),
  };
}

/**
 * The repository's `mappings/` folder: walks up from this module until a folder with
 * `package.json` is found (works from `src/` and from `dist/src/`).
 */
export function defaultMappingsDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'mappings');
    const up = dirname(dir);
    if (up === dir) throw new RegistryError('ParseError', 'cannot find the repository root (package.json) above the discovery module');
    dir = up;
  }
}

export { userMappingsDirs };

/**
 * Load and validate every `*.json` mapping in `dir` (not sub-folders: `mappings/venues/` is the
 * venue registry's), plus the mappings in `extraDirs` (user folders; by default
 * {@link userMappingsDirs}, i.e. `INSTREG_MAPPINGS_DIR`), so a new venue format needs no change to
 * the package. A user mapping with the name of a shipped one **replaces** it (e.g. a fixed or
 * newer version of a venue's format): the result says so in `replaces`, and the CLI reports it.
 * Mappings with `extends` are resolved after their parent (a user mapping may extend a shipped
 * one, or the user mapping that replaced it); `tables.*.file` paths are relative to the mapping's
 * own folder. A folder given twice is read once.
 *
 * @param dir default {@link defaultMappingsDir}
 * @returns mappings sorted by `priority` then name
 * @throws {RegistryError} `ParseError` naming the file and the offending property, a missing
 *   folder, or a mapping name defined twice in the shipped folder or twice among the user folders;
 *   `InvalidArgument` if `dir` is not a non-empty string or `extraDirs` not an array of them.
 * @example
 * const mappings = await loadMappings(undefined, ['/etc/instreg/mappings']);
 * mappings.filter((m) => m.replaces); // user mappings that replaced shipped ones
 */
export async function loadMappings(dir: string = defaultMappingsDir(), extraDirs: readonly string[] = userMappingsDirs()): Promise<LoadedMapping[]> {
  argPath(dir, 'dir');
  argArray(extraDirs, 'extraDirs').forEach((d, i) => argPath(d, `extraDirs[${i}]`));
  const shippedDir = resolve(dir);
  const raw: Array<{ file: string; dir: string; obj: Mapping; user: boolean }> = [];
  const folders = [shippedDir, ...new Set(extraDirs.map((d) => resolve(d)))].filter((d, i) => i === 0 || d !== shippedDir);
  for (const d of folders) {
    let files: string[];
    try {
      files = readdirSync(d)
        .filter((f) => f.endsWith('.json') && statSync(join(d, f)).isFile())
        .sort();
    } catch (e) {
      fail(d, `cannot read the mappings folder: ${(e as Error).message}`);
    }
    for (const f of files) {
      const p = join(d, f);
      let text: string;
      try {
        text = await readFile(p, 'utf8');
      } catch (e) {
        fail(p, `cannot read the mapping file: ${(e as Error).message}`);
      }
      const obj = parseJsonText(text, p) as Mapping;
      raw.push({ file: p, dir: d, obj, user: d !== shippedDir });
    }
  }
  const nameOf = (r: { obj: Mapping }): unknown => (r.obj !== null && typeof r.obj === 'object' ? r.obj.name : undefined);
  const shippedFile = new Map<unknown, string>();
  for (const r of raw) if (!r.user && !shippedFile.has(nameOf(r))) shippedFile.set(nameOf(r), r.file);
  const userFile = new Map<unknown, string>();
  for (const r of raw) {
    if (!r.user || typeof nameOf(r) !== 'string') continue;
    const other = userFile.get(nameOf(r));
    if (other !== undefined) fail(r.file, `duplicate mapping name ${String(nameOf(r))} (also ${other})`);
    userFile.set(nameOf(r), r.file);
  }
  const pending = raw.filter((r) => r.user || !userFile.has(nameOf(r)));
  const out: LoadedMapping[] = [];
  while (pending.length > 0) {
    const before = pending.length;
    for (let i = 0; i < pending.length; i++) {
      const { file, dir: base, obj, user } = pending[i];
      if (obj && typeof obj.extends === 'string' && !out.some((m) => m.name === obj.extends)) continue;
      try {
        const replaces = user ? shippedFile.get(nameOf(pending[i])) : undefined;
        out.push({ ...prepareMapping(obj, base, out), file, ...(user ? { user: true } : {}), ...(replaces !== undefined ? { replaces } : {}) });
      } catch (e) {
        if (e instanceof RegistryError) throw new RegistryError('ParseError', `${file}: ${e.message.replace(/^ParseError: /, '')}`);
        throw e;
      }
      pending.splice(i--, 1);
    }
    if (pending.length === before) fail(pending[0].file, `extends unknown mapping ${JSON.stringify(pending[0].obj.extends)}`);
  }
  const names = new Set<string>();
  for (const m of out) {
    if (names.has(m.name)) fail(m.file ?? m.name, `duplicate mapping name ${m.name}`);
    names.add(m.name);
  }
  return out.sort((a, b) => (a.priority ?? 50) - (b.priority ?? 50) || a.name.localeCompare(b.name));
}
