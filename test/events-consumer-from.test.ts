/**
 * `EventConsumer`'s `from` option (issue 12 item 7): a start position beyond the ring's tail or
 * outside 0..2^53-1, or not a position at all, is a typed `ValidationError` with a code, not a
 * consumer that silently skips events or loses precision. Valid positions keep working.
 */
import { describe, expect, it } from 'vitest';
import { RegistryError, ValidationError } from '../src/errors.js';
import { createEventRing, EventConsumer, EventWriter } from '../src/events/ring.js';

function ringWith(events: number): SharedArrayBuffer {
  const sab = createEventRing(16);
  const w = new EventWriter(sab);
  for (let i = 0; i < events; i++) w.publish({ type: 'instrumentAdded', id: BigInt(i + 1), venue: 'X' });
  return sab;
}

function codeOf(f: () => unknown): { code: string; field: string | undefined } | string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    expect(e).toBeInstanceOf(RegistryError);
    return { code: (e as RegistryError).code, field: (e as RegistryError).field };
  }
  return 'did not throw';
}

describe('EventConsumer from', () => {
  it('rejects a position ahead of the tail', () => {
    const sab = ringWith(3); // tail = 3
    expect(codeOf(() => new EventConsumer(sab, { from: 4n }))).toEqual({ code: 'InvalidField', field: 'from' });
    expect(codeOf(() => new EventConsumer(sab, { from: 1000n }))).toEqual({ code: 'InvalidField', field: 'from' });
  });

  it('rejects positions outside 0..2^53-1 and non-positions', () => {
    const sab = ringWith(3);
    expect(codeOf(() => new EventConsumer(sab, { from: 1n << 60n }))).toEqual({ code: 'InvalidField', field: 'from' });
    expect(codeOf(() => new EventConsumer(sab, { from: 2n ** 53n }))).toEqual({ code: 'InvalidField', field: 'from' });
    expect(codeOf(() => new EventConsumer(sab, { from: -1n }))).toEqual({ code: 'InvalidField', field: 'from' });
    expect(codeOf(() => new EventConsumer(sab, { from: 'newest' as never }))).toEqual({ code: 'InvalidEnum', field: 'from' });
    expect(codeOf(() => new EventConsumer(sab, { from: 2 as never }))).toEqual({ code: 'InvalidEnum', field: 'from' });
  });

  it('accepts 0..tail: the tail itself reads the next event published', () => {
    const sab = ringWith(3);
    expect(new EventConsumer(sab, { from: 0n }).poll().map((e) => e.id)).toEqual([1n, 2n, 3n]);
    expect(new EventConsumer(sab, { from: 2n }).poll().map((e) => e.id)).toEqual([3n]);
    const atTail = new EventConsumer(sab, { from: 3n });
    expect(atTail.poll()).toEqual([]);
    new EventWriter(sab).publish({ type: 'instrumentRemoved', id: 9n, venue: 'X' });
    expect(atTail.poll().map((e) => [e.seq, e.id])).toEqual([[3n, 9n]]);
  });
});
