/**
 * Every byte layout of instreg, declared once. Code and tests import offsets from here.
 * Human-readable tables: `layout/SPEC.md`.
 *
 * @module
 */
export * from './sizes.js';
export * from './codes.js';
export * from './control.js';
export * from './record.js';
export * from './region.js';
export * from './heap.js';
export * from './venue.js';
export * from './kinds.js';
export * from './detail.js';
export * from './wire.js';
export * from './events.js';
export * from './snapshot.js';
