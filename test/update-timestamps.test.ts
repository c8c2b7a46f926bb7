/**
 * `updateInstrument(id, { updatedAt })` is honoured or refused, never ignored: a caller-given
 * `updatedAt` (integer ms, not before `createdAt`) is stored, otherwise the registry clock's now;
 * the writer service logs the effective value, so a restart (log replay) and a replica hold the
 * same `updatedAt` as the writer, even when the replay runs at another time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { connectWriter } from '../src/client/writer-client.js';
import { ValidationError } from '../src/errors.js';
import type { InstrumentInput } from '../src/model/types.js';
import { RemoteError } from '../src/service/errors.js';
import { DurableLog } from '../src/service/log-file.js';
import { WriterService } from '../src/service/writer-service.js';
import { decodeMessage } from '../src/wire/codec.js';
import { LogApplier, LogWriter } from '../src/wire/log.js';
import { InstrumentRegistry } from '../src/writer/registry.js';

const cur = (symbol: string, extra: Partial<InstrumentInput> = {}): InstrumentInput =>
  ({ kind: 'currency', symbol, venue: 'ASSET', source: 'cex', status: 'active', ...extra }) as InstrumentInput;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('updateInstrument and updatedAt (in process)', () => {
  it('honours a given updatedAt, including a patch of nothing else; otherwise sets the clock now', async () => {
    let now = 1_000;
    const reg = await InstrumentRegistry.create({ now: () => now });
    const { id } = reg.registerInstrument(cur('X'));
    expect(reg.getById(id)).toMatchObject({ createdAt: 1_000, updatedAt: 1_000 });

    now = 2_000;
    expect(reg.updateInstrument(id, { updatedAt: 5_000 })).toBe(5_000);
    expect(reg.getById(id)!.updatedAt).toBe(5_000);
    expect(reg.reader().getById(id)!.updatedAt).toBe(5_000); // readers see it too

    now = 3_000;
    expect(reg.updateInstrument(id, { status: 'active' })).toBe(3_000); // a touch: nothing else changes
    expect(reg.getById(id)).toMatchObject({ status: 'active', updatedAt: 3_000, createdAt: 1_000 });

    now = 4_000;
    expect(reg.updateInstrument(id, { status: 'halted', updatedAt: 1_000 })).toBe(1_000); // = createdAt is allowed
    expect(reg.getById(id)).toMatchObject({ status: 'halted', updatedAt: 1_000 });
  });

  it('refuses an updatedAt before createdAt or not an integer with a typed ValidationError and writes nothing', async () => {
    const reg = await InstrumentRegistry.create({ now: () => 10_000 });
    const { id } = reg.registerInstrument(cur('Y'));
    const before = reg.getById(id);
    for (const bad of [9_999, 10_000.5, Number.NaN, Infinity, 2 ** 53]) {
      let err: unknown;
      try {
        reg.updateInstrument(id, { status: 'halted', updatedAt: bad });
      } catch (e) {
        err = e;
      }
      expect(err, String(bad)).toBeInstanceOf(ValidationError);
      expect(err).toMatchObject({ code: 'InvalidField', field: 'updatedAt' });
    }
    expect(reg.getById(id)).toEqual(before);
    expect(reg.getMetrics().failuresByCode.InvalidField).toBe(5);
  });

  it('a log framed with the effective updatedAt replays to the same record at any later time', async () => {
    let now = 1_000;
    const writer = await InstrumentRegistry.create({ now: () => now });
    const log = new LogWriter();
    const frames: Uint8Array[] = [];
    const { id } = writer.registerInstrument(cur('Z'));
    frames.push(log.register(cur('Z', { createdAt: 1_000, updatedAt: 1_000 })));
    now = 2_000;
    const eff = writer.updateInstrument(id, { status: 'halted' });
    frames.push(log.update(id, { status: 'halted', updatedAt: eff }));
    frames.push(log.update(id, { updatedAt: writer.updateInstrument(id, { updatedAt: 7_000 }) }));

    const replica = await InstrumentRegistry.create({ now: () => 99_999 }); // replays much later
    new LogApplier(replica).applyAll(frames.map((f) => decodeMessage(f)));
    expect(replica.getById(id)).toEqual(writer.getById(id));
    expect(replica.getById(id)).toMatchObject({ status: 'halted', createdAt: 1_000, updatedAt: 7_000 });
  });
});

describe('updatedAt over the writer service (socket, durable log, restart)', () => {
  it('a given updatedAt is acknowledged and survives a restart; one without is logged as the writer set it; a bad one is refused typed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'instreg-upd-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const svc = await WriterService.start({ dir, snapshotEveryMs: 0, onWarning: () => undefined });
    let open = true;
    cleanups.push(async () => {
      if (open) await svc.close();
    });
    const w = await connectWriter({ socket: svc.socketPath });
    const a = await w.register(cur('BTC'));
    const created = svc.core.target.registry.getById(a.id)!.createdAt!;
    await w.update(a.id, { status: 'halted', updatedAt: created + 123_456 });
    const b = await w.register(cur('ETH'));
    await w.update(b.id, { status: 'halted' }); // no updatedAt: the writer's clock
    await w.update(a.id, { updatedAt: created + 200_000 }); // nothing but updatedAt
    let refused: unknown;
    try {
      await w.update(a.id, { updatedAt: created - 1 });
    } catch (e) {
      refused = e;
    }
    expect(refused).toBeInstanceOf(RemoteError);
    expect(refused).toMatchObject({ code: 'InvalidField' });
    await w.close();
    const reg = svc.core.target.registry;
    const wa = reg.getById(a.id)!;
    const wb = reg.getById(b.id)!;
    expect(wa).toMatchObject({ status: 'halted', updatedAt: created + 200_000 });
    expect(wb.updatedAt).toBeGreaterThanOrEqual(wb.createdAt!);
    await svc.close();
    open = false;

    // every update frame in the durable log carries the effective updatedAt
    const updates: Array<{ id: bigint; updatedAt: number | undefined }> = [];
    const peek = DurableLog.open(dir, {
      onEntry: (m) => {
        if (m.type === 'instrumentUpdate') updates.push({ id: m.id, updatedAt: m.patch.updatedAt });
      },
    });
    await peek.close();
    expect(updates).toEqual([
      { id: a.id, updatedAt: created + 123_456 },
      { id: b.id, updatedAt: wb.updatedAt },
      { id: a.id, updatedAt: created + 200_000 },
    ]);

    // the restart replays the log at another time: the same updatedAt values
    await new Promise((r) => setTimeout(r, 20));
    const again = await WriterService.start({ dir, snapshotEveryMs: 0, onWarning: () => undefined });
    cleanups.push(() => again.close());
    expect(again.startReport.replayed).toBe(5);
    expect(again.core.target.registry.getById(a.id)).toEqual(wa);
    expect(again.core.target.registry.getById(b.id)).toEqual(wb);
  });
});
