/**
 * Issue 12: every public failure path is a `RegistryError` subclass with a code.
 *
 * The walk is driven by the runtime export lists of the package entry points (`instreg`,
 * `instreg/reader`, `instreg/layout`): every export needs an entry in the case tables
 * (`test/helpers/api-cases-*.ts`), and every public method of an exported class (read from its
 * TypeScript source, so private, protected and `@internal` members are left out) needs one too,
 * so a new export or method without cases fails here. Each case calls the export with invalid
 * arguments (or calls a closed object) and must throw or reject with a `RegistryError` whose
 * `code` is a member of the `RegistryErrorCode` union as written in `src/errors.ts`.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EventEmitter } from 'node:events';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as layoutEntry from '../layout/index.js';
import * as mainEntry from '../src/index.js';
import * as readerEntry from '../src/reader/index.js';
import { coreCases } from './helpers/api-cases-core.js';
import { discoveryCases } from './helpers/api-cases-discovery.js';
import { CONSTANTS, layoutCases } from './helpers/api-cases-layout.js';
import { readerCases } from './helpers/api-cases-reader.js';
import { serviceCases } from './helpers/api-cases-service.js';
import { wireCases } from './helpers/api-cases-wire.js';
import { makeFixtures, type Fixtures } from './helpers/api-fixtures.js';
import {
  classMembers,
  documentedCodes,
  isClass,
  isPublicMember,
  runtimeMethods,
  runtimeStatics,
  type Call,
  type Entry,
  type Member,
} from './helpers/api-walk.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const CODES = documentedCodes(root);
const CLASSES = classMembers(root);
/** Prototypes where the walk of a class's methods stops (not instreg code). */
const STOP = new Set<object>([Object.prototype, Error.prototype, EventEmitter.prototype]);
/** Longest a single case may take to settle (a hang is a failure, not a timeout of the file). */
const SETTLE_MS = 3_000;

let fx: Fixtures;
let entries: Record<string, Entry>;

beforeAll(async () => {
  fx = await makeFixtures();
  const tables = [coreCases(fx), readerCases(fx), wireCases(fx), serviceCases(fx), discoveryCases(fx)];
  entries = {};
  for (const t of tables) {
    for (const [k, v] of Object.entries(t)) {
      if (k in entries) throw new Error(`two case tables define ${k}`);
      entries[k] = v;
    }
  }
  for (const [k, reason] of Object.entries(CONSTANTS)) {
    if (k in entries) throw new Error(`${k} is both a constant and a case`);
    entries[k] = { allow: `constant: ${reason}` };
  }
});

afterAll(async () => {
  await fx?.close();
});

type Outcome = { kind: 'threw'; error: unknown } | { kind: 'returned'; value: unknown } | { kind: 'hung' };

async function run(call: Call): Promise<Outcome> {
  try {
    let v = call();
    if (v !== null && typeof v === 'object' && typeof (v as { then?: unknown }).then === 'function') {
      let timer: NodeJS.Timeout | undefined;
      const hung = new Promise<typeof HUNG>((resolve) => (timer = setTimeout(() => resolve(HUNG), SETTLE_MS)));
      try {
        v = await Promise.race([v as Promise<unknown>, hung]);
      } finally {
        clearTimeout(timer);
      }
      if (v === HUNG) return { kind: 'hung' };
    }
    await closeQuietly(v);
    return { kind: 'returned', value: v };
  } catch (error) {
    return { kind: 'threw', error };
  }
}
const HUNG = Symbol('hung');

/** A case that wrongly succeeded may have opened something (a service, a client, a pool): close it. */
async function closeQuietly(v: unknown): Promise<void> {
  const close = v !== null && typeof v === 'object' ? (v as { close?: unknown }).close : undefined;
  if (typeof close === 'function') await Promise.resolve(close.call(v)).catch(() => undefined);
}

function describeError(e: unknown): string {
  if (e instanceof Error) return `${e.constructor.name}${'code' in e ? ` code=${String((e as { code: unknown }).code)}` : ''}: ${e.message.slice(0, 160)}`;
  return `non-Error ${typeof e}: ${String(e).slice(0, 80)}`;
}

function show(v: unknown): string {
  try {
    return mainEntry.stringifyJson(v).slice(0, 120);
  } catch {
    return typeof v;
  }
}

/** Run one member's cases; failures are returned as lines. */
async function check(where: string, m: Member): Promise<string[]> {
  const out: string[] = [];
  for (const [label, call] of Object.entries(m.throws ?? {})) {
    const r = await run(call);
    if (r.kind === 'hung') out.push(`${where} [${label}]: did not settle within ${SETTLE_MS} ms`);
    else if (r.kind === 'returned') out.push(`${where} [${label}]: accepted (returned ${show(r.value)})`);
    else if (!(r.error instanceof mainEntry.RegistryError)) out.push(`${where} [${label}]: untyped ${describeError(r.error)}`);
    else if (typeof r.error.code !== 'string' || !CODES.has(r.error.code))
      out.push(`${where} [${label}]: code ${String(r.error.code)} is not a documented RegistryErrorCode`);
  }
  for (const [label, [call, expected]] of Object.entries(m.misses ?? {})) {
    const r = await run(call);
    if (r.kind === 'threw') out.push(`${where} [${label}]: should answer ${show(expected)}, threw ${describeError(r.error)}`);
    else if (r.kind === 'hung') out.push(`${where} [${label}]: did not settle`);
    else if (!isDeepStrictEqual(r.value, expected)) out.push(`${where} [${label}]: answered ${show(r.value)}, expected ${show(expected)}`);
  }
  if (!m.allow && !m.throws && !m.misses) out.push(`${where}: entry has no cases and no allow reason`);
  return out;
}

/** Coverage problems of one class export: static and public instance methods without an entry (or entries for no method). */
function classCoverage(name: string, cls: abstract new (...a: never[]) => unknown, e: Entry): string[] {
  const out: string[] = [];
  const pub = (n: string, isStatic: boolean) => {
    const v = isPublicMember(CLASSES, name, n);
    if (v === undefined) out.push(`${name}${isStatic ? '.' : '#'}${n}: not found in the TypeScript source`);
    return v === true;
  };
  const statics = runtimeStatics(cls).filter((n) => pub(n, true));
  const methods = runtimeMethods(cls, STOP).filter((n) => pub(n, false));
  for (const n of statics) if (!e.statics?.[n]) out.push(`${name}.${n}: public static method without cases`);
  for (const n of methods) if (!e.methods?.[n]) out.push(`${name}#${n}: public method without cases`);
  for (const n of Object.keys(e.statics ?? {})) if (!statics.includes(n)) out.push(`${name}.${n}: cases for a static method that is not public API`);
  for (const n of Object.keys(e.methods ?? {})) if (!methods.includes(n)) out.push(`${name}#${n}: cases for a method that is not public API`);
  return out;
}

describe('public API: invalid arguments fail with a typed RegistryError', () => {
  it('reads the documented code union from src/errors.ts', () => {
    expect(CODES.has('InvalidArgument')).toBe(true);
    expect(CODES.has('LimitExceeded')).toBe(true);
    expect(CODES.size).toBeGreaterThan(20);
  });

  it('has an entry for every export of instreg, instreg/reader and instreg/layout, and for every public method', () => {
    const problems: string[] = [];
    for (const [k, v] of Object.entries(mainEntry)) {
      const e = entries[k];
      if (!e) {
        problems.push(`instreg: export ${k} (${typeof v}) has no entry`);
        continue;
      }
      if (e.allow?.startsWith('constant:') && typeof v === 'function') problems.push(`instreg: ${k} is a function, not a constant`);
      if (isClass(v)) problems.push(...classCoverage(k, v, e));
    }
    for (const [k, v] of Object.entries(readerEntry)) {
      if (k === 'layout') continue; // the layout namespace, walked below
      if ((mainEntry as Record<string, unknown>)[k] !== v)
        problems.push(`instreg/reader: export ${k} is not the same object as instreg's ${k}: give it its own entry`);
    }
    expect(Object.keys(readerEntry.layout).sort()).toEqual(Object.keys(layoutEntry).sort());
    const lc = layoutCases();
    for (const [k, v] of Object.entries(layoutEntry)) {
      if (typeof v === 'function') {
        if (!lc[k]) problems.push(`instreg/layout: function ${k} has no entry`);
      } else if (!['number', 'string', 'object'].includes(typeof v)) {
        problems.push(`instreg/layout: ${k} is a ${typeof v}, neither a function nor a constant`);
      }
    }
    for (const k of Object.keys(entries)) if (!(k in mainEntry)) problems.push(`case entry ${k} names no export of instreg`);
    expect(problems).toEqual([]);
  });

  it('every case of every export throws (or rejects with) a RegistryError with a documented code', async () => {
    const problems: string[] = [];
    let cases = 0;
    const visit = async (where: string, m: Member) => {
      cases += Object.keys(m.throws ?? {}).length + Object.keys(m.misses ?? {}).length;
      problems.push(...(await check(where, m)));
    };
    for (const [k, e] of Object.entries(entries)) {
      await visit(k, e);
      for (const [n, m] of Object.entries(e.statics ?? {})) await visit(`${k}.${n}`, m);
      for (const [n, m] of Object.entries(e.methods ?? {})) await visit(`${k}#${n}`, m);
    }
    for (const [k, m] of Object.entries(layoutCases())) await visit(`layout.${k}`, m);
    expect(problems).toEqual([]);
    expect(cases).toBeGreaterThan(2000);
  });
});
