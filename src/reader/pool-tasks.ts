/**
 * The boundary of the reader pool (`pool.ts`): {@link checkReaderTask} validates a task on the
 * calling thread, before it is posted, and {@link toWireError} / {@link fromWireError} carry a
 * worker's {@link RegistryError} back across the thread boundary with its code (structured clone
 * turns every Error subclass into a plain `Error` and drops `code`).
 *
 * @module
 */
import { RegistryError, type RegistryErrorCode } from '../errors.js';
import type { ReaderTask } from './pool.js';

/** A {@link RegistryError} as plain, structured-clonable data. */
export interface WireRegistryError {
  readonly instregError: true;
  readonly code: RegistryErrorCode;
  /** The message without its `code: ` prefix. */
  readonly detail: string;
  readonly field: string | undefined;
}

function bad(message: string): never {
  throw new RegistryError('InvalidArgument', `reader pool task: ${message}`);
}

function isPair(p: unknown): boolean {
  return Array.isArray(p) && p.length === 2 && typeof p[0] === 'string' && typeof p[1] === 'string';
}

function isHalf(v: unknown): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 32;
}

/**
 * Check the shape of a {@link ReaderTask}.
 * @throws {RegistryError} `InvalidArgument` for anything that is not one of the task shapes.
 */
export function checkReaderTask(task: unknown): ReaderTask {
  if (typeof task !== 'object' || task === null) bad(`must be an object, got ${task === null ? 'null' : typeof task}`);
  const t = task as Record<string, unknown>;
  switch (t['op']) {
    case 'ping':
      break;
    case 'ids':
      if (!(t['ids'] instanceof BigUint64Array)) bad('ids must be a BigUint64Array');
      break;
    case 'symbols':
      if (!Array.isArray(t['pairs']) || !t['pairs'].every(isPair)) bad('pairs must be an array of [venue, symbol] string pairs');
      break;
    case 'idHalves':
      if (!isHalf(t['lo']) || !isHalf(t['hi'])) bad('lo and hi must be 32-bit integers');
      break;
    case 'module':
      if (typeof t['module'] !== 'string' || t['module'] === '') bad('module must be a module URL or specifier');
      if (typeof t['fn'] !== 'string' || t['fn'] === '') bad('fn must be the name of an export of the module');
      break;
    default:
      bad(`unknown op ${typeof t['op'] === 'string' ? JSON.stringify(t['op']) : typeof t['op']} (ids, symbols, idHalves, ping, module)`);
  }
  return task as ReaderTask;
}

/** Worker side: a RegistryError as plain data; anything else unchanged. */
export function toWireError(e: unknown): unknown {
  if (!(e instanceof RegistryError)) return e;
  const prefix = `${e.code}: `;
  const detail = e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message;
  return { instregError: true, code: e.code, detail, field: e.field } satisfies WireRegistryError;
}

/** Calling side: a RegistryError again from {@link toWireError}'s data; anything else unchanged. */
export function fromWireError(e: unknown): unknown {
  if (typeof e !== 'object' || e === null || (e as WireRegistryError).instregError !== true) return e;
  const w = e as WireRegistryError;
  return new RegistryError(w.code, `reader worker: ${w.detail}`, w.field);
}
