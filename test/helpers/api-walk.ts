/**
 * Harness of `test/api-errors.test.ts`: the table of invalid argument values, the case shapes,
 * the documented error-code union (read from the text of `src/errors.ts`, not from the code under
 * test) and the public members of a class (read from its TypeScript source, so `private`,
 * `protected` and `@internal` members are told apart from the public API).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

/** One call with invalid arguments (may return a promise). */
export type Call = () => unknown;

/**
 * The cases of one function, constructor or method.
 * - `throws`: each call must throw (or reject with) a `RegistryError` with a documented code.
 * - `misses`: lookups and type guards that answer "not found" / `false` for any input: each call
 *   must return the given value (deep-equal) and must not throw.
 * - `allow`: the member legitimately accepts anything; the reason says why.
 */
export interface Member {
  throws?: Record<string, Call>;
  misses?: Record<string, [Call, unknown]>;
  allow?: string;
}

/** The cases of one export. Class exports also list their static and public instance methods. */
export interface Entry extends Member {
  statics?: Record<string, Member>;
  methods?: Record<string, Member>;
}

/** A cross-section of invalid argument values. */
export const BAD = {
  undefined: undefined,
  null: null,
  NaN: NaN,
  negative: -1,
  fraction: 1.5,
  infinity: Infinity,
  huge: 2 ** 53,
  number: 42,
  bigint: 1n,
  u64: 2n ** 64n,
  negBigint: -1n,
  string: 'x',
  empty: '',
  long: 'A'.repeat(100_000),
  surrogate: 'A\uD800B',
  bool: true,
  object: {},
  proto: JSON.parse('{"__proto__":{"polluted":true}}') as unknown,
  array: [],
  fn: () => 0,
  symbol: Symbol('bad'),
} as const;

export type BadName = keyof typeof BAD;

/** Values that are not strings. */
export const NOT_STRING: BadName[] = ['undefined', 'null', 'number', 'bigint', 'bool', 'object', 'proto', 'array', 'fn', 'symbol'];
/** Values that are not strings, or strings no identifier, code or name can be. */
export const BAD_STRING: BadName[] = [...NOT_STRING, 'empty', 'long', 'surrogate'];
/** Values that are not non-negative safe integers. */
export const NOT_UINT: BadName[] = ['undefined', 'null', 'NaN', 'negative', 'fraction', 'infinity', 'string', 'bigint', 'object', 'symbol'];
/** Values that are not u64 bigints. */
export const NOT_U64: BadName[] = ['undefined', 'null', 'NaN', 'number', 'u64', 'negBigint', 'string', 'object', 'symbol'];
/** Values that are not objects at all. */
export const NOT_OBJECT: BadName[] = ['undefined', 'null', 'number', 'bigint', 'string', 'bool', 'symbol'];
/** Values that are not byte arrays. */
export const NOT_BYTES: BadName[] = ['undefined', 'null', 'number', 'string', 'object', 'proto', 'array', 'symbol'];
/** Values that are not functions. */
export const NOT_FUNCTION: BadName[] = ['undefined', 'null', 'number', 'string', 'object', 'symbol'];

/**
 * Cases calling `fn(...valid)` with argument `pos` replaced by each of `names`, labelled
 * `arg<pos>=<name>`. `valid` must be a valid argument list, so each case isolates one argument.
 */
export function sweep(fn: (...args: never[]) => unknown, valid: readonly unknown[], pos: number, names: readonly BadName[]): Record<string, Call> {
  const out: Record<string, Call> = {};
  for (const name of names) {
    const args = [...valid];
    args[pos] = BAD[name];
    out[`arg${pos}=${name}`] = () => (fn as (...a: unknown[]) => unknown)(...args);
  }
  return out;
}

/** Merge case tables; a label used by an earlier table gets the table's position as a prefix (`2:null`), so no case is lost. */
export function all(...tables: Array<Record<string, Call>>): Record<string, Call> {
  const out: Record<string, Call> = {};
  tables.forEach((t, i) => {
    for (const [k, v] of Object.entries(t)) out[k in out ? `${i + 1}:${k}` : k] = v;
  });
  return out;
}

/** Cases calling `fn(v)` for each `[label, v]`. */
export function each(fn: (v: never) => unknown, values: Record<string, unknown>): Record<string, Call> {
  const out: Record<string, Call> = {};
  for (const [label, v] of Object.entries(values)) out[label] = () => (fn as (x: unknown) => unknown)(v);
  return out;
}

/** The members of the `RegistryErrorCode` union, read from the source text of `src/errors.ts`. */
export function documentedCodes(root: string): Set<string> {
  const text = readFileSync(join(root, 'src', 'errors.ts'), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
  const m = /export type RegistryErrorCode =([\s\S]*?);/.exec(text);
  if (!m) throw new Error('RegistryErrorCode union not found in src/errors.ts');
  return new Set([...m[1]!.matchAll(/'([A-Za-z]+)'/g)].map((x) => x[1]!));
}

interface ClassInfo {
  /** Member name → whether it is public API (not private, protected or `@internal`). */
  members: Map<string, boolean>;
  parent: string | undefined;
}

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...tsFiles(p));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Every class declared in `src/` and `layout/`, by name, with the visibility of its members. */
export function classMembers(root: string): Map<string, ClassInfo> {
  const classes = new Map<string, ClassInfo>();
  for (const file of [...tsFiles(join(root, 'src')), ...tsFiles(join(root, 'layout'))]) {
    const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      if (ts.isClassDeclaration(node) && node.name) {
        const members = new Map<string, boolean>();
        for (const m of node.members) {
          if (!m.name || !(ts.isIdentifier(m.name) || ts.isPrivateIdentifier(m.name))) continue;
          const mods = ts.canHaveModifiers(m) ? (ts.getModifiers(m) ?? []) : [];
          const hidden =
            ts.isPrivateIdentifier(m.name) ||
            mods.some((x) => x.kind === ts.SyntaxKind.PrivateKeyword || x.kind === ts.SyntaxKind.ProtectedKeyword) ||
            ts.getJSDocTags(m).some((t) => t.tagName.text === 'internal') ||
            /@internal\b/.test(m.getFullText().slice(0, m.getLeadingTriviaWidth()));
          const name = m.name.text;
          members.set(name, (members.get(name) ?? false) || !hidden);
        }
        const ext = node.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0]?.expression;
        classes.set(node.name.text, { members, parent: ext && ts.isIdentifier(ext) ? ext.text : undefined });
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return classes;
}

/** Whether `name` is a public member of class `cls` or of one of its instreg superclasses. */
export function isPublicMember(classes: Map<string, ClassInfo>, cls: string, name: string): boolean | undefined {
  for (let c: string | undefined = cls; c; c = classes.get(c)?.parent) {
    const v = classes.get(c)?.members.get(name);
    if (v !== undefined) return v;
  }
  return undefined;
}

/** Own prototype members of a runtime class and its instreg superclasses that take arguments (methods, setters). */
export function runtimeMethods(cls: abstract new (...a: never[]) => unknown, stop: ReadonlySet<object>): string[] {
  const out = new Set<string>();
  for (let p = cls.prototype as object | null; p && !stop.has(p); p = Object.getPrototypeOf(p) as object | null) {
    for (const name of Object.getOwnPropertyNames(p)) {
      if (name === 'constructor') continue;
      const d = Object.getOwnPropertyDescriptor(p, name)!;
      if (typeof d.value === 'function' || d.set) out.add(name);
    }
  }
  return [...out];
}

/** Static methods of a runtime class. */
export function runtimeStatics(cls: object): string[] {
  return Object.getOwnPropertyNames(cls).filter(
    (n) => !['length', 'name', 'prototype'].includes(n) && typeof (cls as Record<string, unknown>)[n] === 'function',
  );
}

/** Whether `v` is a class (not a plain function). */
export function isClass(v: unknown): v is abstract new (...a: never[]) => unknown {
  return typeof v === 'function' && /^class[\s{]/.test(Function.prototype.toString.call(v));
}
