/**
 * The change-event feed: a single-writer broadcast ring in a SharedArrayBuffer.
 *
 * The protocol is the one of Agrona's `BroadcastTransmitter` / `BroadcastReceiver`
 * (real-logic/agrona, `org.agrona.concurrent.broadcast`): the transmitter advances a
 * *tail-intent* counter, writes the record, then advances the *tail* counter; a receiver
 * copies a record out, then re-reads the tail intent to check that the writer had not yet
 * started overwriting the slot while it copied. Unlike Agrona's receiver, which silently
 * skips ahead when lapped, an {@link EventConsumer} that fell a full ring behind throws a
 * {@link LappedError} (sticky until {@link EventConsumer.resync}), so lost events are never
 * silent.
 *
 * Consumers make **zero writes to shared memory**: their cursor, scratch copy and fence cell
 * are private. Waiting (`Atomics.waitAsync` on the ring's NOTIFY word) is not a write.
 *
 * Memory ordering (see `layout/SPEC-events.md`): the writer stores the intent, the payload
 * and the tail with `Atomics.store` (sequentially consistent); the consumer loads the tail
 * with `Atomics.load`, copies the record (default: every word with `Atomics.load`, which is
 * correct per the ECMAScript memory model; optionally plain loads followed by a private
 * read-don't-modify-write fence, Boehm's scheme), then loads the tail intent with `Atomics.load`.
 *
 * Byte layout: `layout/events.ts`. Split by role: `protocol.ts` (ring creation, header check,
 * counters, {@link LappedError}), `writer.ts` ({@link EventWriter}), `consumer.ts`
 * ({@link EventConsumer}), `view.ts` ({@link EventView}, record decoding); this module is the
 * public entry point and re-exports them.
 *
 * @module
 */
export { createEventRing, LappedError } from './protocol.js';
export { EventWriter, type EventWriterOptions } from './writer.js';
export { EventConsumer, type EventConsumerOptions, type EventConsumerStats } from './consumer.js';
export { EventView } from './view.js';
