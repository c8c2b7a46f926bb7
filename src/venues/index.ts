/**
 * Venues: the ISO 10383 MIC list, crypto exchanges, DEXs and chains, in one {@link VenueRegistry}.
 *
 * @module
 */
export { ExecutionCriteria, VENUE_CODE_RE, VENUE_STATUSES, isTradableStatus } from './types.js';
export type { TradingHours, VenueInfo, VenueStatus, VenueType } from './types.js';
export { MIC_CSV_COLUMNS, MIC_CSV_FILE, findMicList, loadMicList, looksLikeMicList } from './mic.js';
export type { RejectedRow } from './mic.js';
export { CRYPTO_VENUES_FILE, checkVenueInfo, loadCryptoVenues } from './crypto.js';
export type { CryptoVenues } from './crypto.js';
export { VenueRegistry, defaultVenueRegistry } from './registry.js';
export type { VenueListing, VenueRegistryOptions, VenueStatusListener } from './registry.js';
