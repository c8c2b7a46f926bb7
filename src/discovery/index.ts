/**
 * Instrument discovery from venue payloads, driven by mapping files (`mappings/*.json`).
 * See `engine.ts` for the pipeline and `docs/mappings.md` for the mapping format.
 *
 * @module
 */
export * from './engine.js';
export { parseJsonText, parseCsvPayload, jsonErrorOffset, lineColumn } from './parse.js';
export { convertValue, CONVERSION_NAMES } from './convert.js';
