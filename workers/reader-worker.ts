/**
 * Piscina worker of {@link createReaderPool} (`src/reader/pool.ts`): attaches to the registry
 * ONCE, from `workerData.handle`, and serves {@link ReaderTask}s with that reader. It never
 * writes registry shared memory.
 *
 * @module
 */
import { threadId } from 'node:worker_threads';
import { workerData } from 'piscina';
import type { Instrument } from '../src/model/types.js';
import { RegistryError } from '../src/errors.js';
import type { ReaderTask, ReaderTaskContext } from '../src/reader/pool.js';
import { toWireError } from '../src/reader/pool-tasks.js';
import { RegistryReader } from '../src/reader/reader.js';
import { InstrumentView } from '../src/reader/view.js';

const { handle } = workerData as { handle: ReaderTaskContext['handle'] };
const reader = RegistryReader.attach(handle);
const view = new InstrumentView(reader);
const ctx: ReaderTaskContext = { reader, handle, threadId };
const modules = new Map<string, Promise<Record<string, unknown>>>();

/**
 * Serve one task (see {@link ReaderTask}). A RegistryError leaves as plain data with its code
 * (`toWireError`); the pool turns it back into a RegistryError.
 */
export default async function serve(task: ReaderTask): Promise<unknown> {
  try {
    return await serveTask(task);
  } catch (e) {
    throw toWireError(e);
  }
}

async function serveTask(task: ReaderTask): Promise<unknown> {
  switch (task.op) {
    case 'ping':
      return threadId;
    case 'idHalves':
      // One lookup (the piscina-task-per-lookup baseline): probe + read the kind (line 0 copy).
      return reader.getByIdHalves(task.lo, task.hi, view)?.kind ?? null;
    case 'ids': {
      const out: Array<Instrument | null> = [];
      for (const id of task.ids) out.push(reader.getById(id, view)?.toObject() ?? null);
      return out;
    }
    case 'symbols':
      return task.pairs.map(([venue, symbol]) => reader.getBySymbol(venue, symbol, view)?.toObject() ?? null);
    case 'module': {
      let mod = modules.get(task.module);
      if (!mod) modules.set(task.module, (mod = import(task.module) as Promise<Record<string, unknown>>));
      let exports: Record<string, unknown>;
      try {
        exports = await mod;
      } catch (e) {
        modules.delete(task.module);
        throw new RegistryError('InvalidArgument', `cannot import ${task.module}: ${(e as Error).message}`);
      }
      const fn = exports[task.fn];
      if (typeof fn !== 'function') throw new RegistryError('InvalidArgument', `${task.module} has no export ${task.fn}`);
      return await (fn as (c: ReaderTaskContext, a: unknown) => unknown)(ctx, task.args);
    }
    default:
      throw new RegistryError('InvalidArgument', `unknown reader task ${(task as { op: string }).op}`);
  }
}
