/**
 * Argument checks of the public API: each throws a {@link RegistryError} with code
 * `InvalidArgument` naming the argument, so a wrong type fails with a typed error at the boundary
 * instead of a `TypeError` (or a silently wrong answer) further in. And {@link ioError}: a
 * file-system or socket failure as an {@link IoError}.
 *
 * @module
 */
import { IoError, RegistryError } from './errors.js';

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'number' || typeof v === 'boolean') return `${typeof v} ${String(v)}`;
  return typeof v;
}

function fail(name: string, want: string, v: unknown): never {
  throw new RegistryError('InvalidArgument', `${name} must be ${want}, got ${describe(v)}`);
}

/** An options argument: `undefined` (→ `{}`) or a non-array object. */
export function argOptions<T extends object>(v: T | undefined, name = 'options'): T {
  if (v === undefined) return {} as T;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(name, 'an object', v);
  return v;
}

/** A non-array object. */
export function argObject<T>(v: T, name: string): T {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(name, 'an object', v);
  return v;
}

/** An array. */
export function argArray<T>(v: readonly T[], name: string): readonly T[] {
  if (!Array.isArray(v)) fail(name, 'an array', v);
  return v;
}

/** A string (`nonEmpty`: at least one character). */
export function argString(v: unknown, name: string, nonEmpty = false): string {
  if (typeof v !== 'string') fail(name, 'a string', v);
  if (nonEmpty && v === '') fail(name, 'a non-empty string', v);
  return v;
}

/** A path: a non-empty string. */
export function argPath(v: unknown, name: string): string {
  return argString(v, name, true);
}

/** A function, or `undefined` when `optional`. */
export function argFunction<T>(v: T, name: string, optional = false): T {
  if (optional && v === undefined) return v;
  if (typeof v !== 'function') fail(name, 'a function', v);
  return v;
}

/** An integer in `min..max` (default: 0..2^53 − 1). */
export function argInt(v: unknown, name: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) fail(name, `an integer in ${min}..${max}`, v);
  return v;
}

/** A duration in ms: a finite number ≥ 0 (`Infinity` too when `infinite`). */
export function argMs(v: unknown, name: string, infinite = false): number {
  if (typeof v !== 'number' || !(v >= 0) || (!infinite && v === Infinity)) fail(name, `a number of ms ≥ 0${infinite ? ' (Infinity allowed)' : ''}`, v);
  return v;
}

/** A count or size: a number ≥ 0 (`Infinity` allowed: no bound). */
export function argCount(v: unknown, name: string): number {
  if (typeof v !== 'number' || !(v >= 0)) fail(name, 'a number ≥ 0 (Infinity allowed)', v);
  return v;
}

/** A u64: a bigint in 0..2^64 − 1. */
export function argU64(v: unknown, name: string): bigint {
  if (typeof v !== 'bigint') fail(name, 'a bigint', v);
  if (v < 0n || v > 0xffffffffffffffffn) throw new RegistryError('InvalidArgument', `${name} ${v} is outside 0..2^64-1`);
  return v;
}

/**
 * A failure of `node:fs` or `node:net` (an error with an errno `code` such as `ENOENT`) as an
 * {@link IoError} saying what was being done; a {@link RegistryError} or any other value is
 * returned unchanged.
 */
export function ioError(e: unknown, what: string): unknown {
  if (e instanceof RegistryError) return e;
  const code = (e as NodeJS.ErrnoException | null)?.code;
  if (e instanceof Error && typeof code === 'string' && /^E[A-Z0-9]+$/.test(code)) return new IoError(`${what}: ${e.message}`, e as NodeJS.ErrnoException);
  return e;
}
