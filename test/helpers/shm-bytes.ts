/** Every byte of a registry's shared memory, for tests that show an operation wrote nothing. */
import type { RegistryHandle } from '../../src/shm/handle.js';

/** The control, table, heap and venue buffers of `h`, base64, joined: equal strings ⇔ equal memory. */
export function allBytes(h: RegistryHandle): string {
  return [h.control, ...h.regions, ...h.heaps, h.venues].map((b) => Buffer.from(new Uint8Array(b, 0, b.byteLength)).toString('base64')).join('|');
}
