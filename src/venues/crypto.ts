/**
 * Loader for the crypto / on-chain venue table shipped in `mappings/venues/crypto-venues.json`.
 *
 * @module
 */
import { RegistryError, ValidationError } from '../errors.js';
import { VENUE_CODE_RE, VENUE_STATUSES, type VenueInfo, type VenueStatus, type VenueType } from './types.js';

/** Path of the shipped crypto venue table, relative to the repository root. */
export const CRYPTO_VENUES_FILE = 'mappings/venues/crypto-venues.json';

/** What {@link loadCryptoVenues} returns. */
export interface CryptoVenues {
  /** Venues in file order (CEXs, DEXs, chains). */
  venues: VenueInfo[];
  /** Chain id → code of the `chain` venue for that chain. */
  chains: Map<number, string>;
}

const TYPES: readonly VenueType[] = ['exchange', 'cex', 'dex', 'chain', 'other'];
const STRING_KEYS = ['name', 'country', 'city', 'timeZone', 'feesSource', 'website', 'acronym', 'lei', 'marketCategory'] as const;
const ALLOWED_KEYS = new Set<string>([
  'code',
  'status',
  'type',
  'mic',
  'operatingMic',
  'segment',
  'tradingHours',
  'makerFeeBps',
  'takerFeeBps',
  'latencyMs',
  'liquidityScore',
  'reliability',
  'chainId',
  'chainIds',
  'testnet',
  ...STRING_KEYS,
]);
const HHMM_RE = /^([01][0-9]|2[0-3]):[0-5][0-9]$/;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function bad(field: string, msg: string): never {
  throw new ValidationError('InvalidField', field, msg);
}

function chainIdOk(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n > 0;
}

/**
 * Check one venue object (from JSON or user code) and return a clean {@link VenueInfo}.
 * Unknown keys are rejected so that typos do not silently drop data.
 *
 * @param v the candidate venue.
 * @param field path used in error messages (e.g. `venues[3]`).
 * @throws {ValidationError} `InvalidField` (or `InvalidEnum` for `status`/`type`) naming the offending
 *   field: code not matching `/^[A-Z0-9_.-]{1,16}$/`, empty name, fee not finite, latency < 0,
 *   liquidity score or reliability outside 0..1, trading hours not `HH:MM`, bad chain id, unknown key.
 */
export function checkVenueInfo(v: unknown, field = 'venue'): VenueInfo {
  if (!isObject(v)) bad(field, 'must be an object');
  for (const k of Object.keys(v)) if (!ALLOWED_KEYS.has(k)) bad(`${field}.${k}`, 'unknown venue field');
  if (typeof v['code'] !== 'string' || !VENUE_CODE_RE.test(v['code']))
    bad(`${field}.code`, `${JSON.stringify(v['code'])} does not match /^[A-Z0-9_.-]{1,16}$/`);
  for (const k of STRING_KEYS) {
    if (v[k] !== undefined && (typeof v[k] !== 'string' || v[k] === '')) bad(`${field}.${k}`, 'must be a non-empty string');
  }
  if (v['name'] === undefined) bad(`${field}.name`, 'is required');
  if (!VENUE_STATUSES.includes(v['status'] as VenueStatus)) {
    throw new ValidationError('InvalidEnum', `${field}.status`, `${JSON.stringify(v['status'])} is not one of ${VENUE_STATUSES.join(', ')}`);
  }
  if (!TYPES.includes(v['type'] as VenueType)) {
    throw new ValidationError('InvalidEnum', `${field}.type`, `${JSON.stringify(v['type'])} is not one of ${TYPES.join(', ')}`);
  }
  for (const k of ['mic', 'operatingMic'] as const) {
    if (v[k] !== undefined && (typeof v[k] !== 'string' || !/^[A-Z0-9]{4}$/.test(v[k]))) bad(`${field}.${k}`, 'must be 4 chars of [A-Z0-9]');
  }
  if (v['segment'] !== undefined && v['segment'] !== 'OPRT' && v['segment'] !== 'SGMT') bad(`${field}.segment`, "must be 'OPRT' or 'SGMT'");
  for (const k of ['makerFeeBps', 'takerFeeBps'] as const) {
    if (v[k] !== undefined && (typeof v[k] !== 'number' || !Number.isFinite(v[k]))) bad(`${field}.${k}`, 'must be a finite number of basis points');
  }
  if (v['latencyMs'] !== undefined && (typeof v['latencyMs'] !== 'number' || !Number.isFinite(v['latencyMs']) || v['latencyMs'] < 0)) {
    bad(`${field}.latencyMs`, 'must be a finite number ≥ 0 (milliseconds)');
  }
  for (const k of ['liquidityScore', 'reliability'] as const) {
    const x = v[k];
    if (x !== undefined && (typeof x !== 'number' || !(x >= 0 && x <= 1))) bad(`${field}.${k}`, 'must be a number in 0..1');
  }
  const th = v['tradingHours'];
  if (th !== undefined) {
    if (!isObject(th) || typeof th['open'] !== 'string' || typeof th['close'] !== 'string' || !HHMM_RE.test(th['open']) || !HHMM_RE.test(th['close'])) {
      bad(`${field}.tradingHours`, "must be { open: 'HH:MM', close: 'HH:MM' }");
    }
  }
  if (v['chainId'] !== undefined && !chainIdOk(v['chainId'])) bad(`${field}.chainId`, 'must be a positive safe integer');
  if (v['chainIds'] !== undefined && (!Array.isArray(v['chainIds']) || !v['chainIds'].every(chainIdOk))) {
    bad(`${field}.chainIds`, 'must be an array of positive safe integers');
  }
  if (v['testnet'] !== undefined && typeof v['testnet'] !== 'boolean') bad(`${field}.testnet`, 'must be a boolean');
  const out = { ...v } as unknown as VenueInfo;
  if (out.tradingHours) out.tradingHours = { open: out.tradingHours.open, close: out.tradingHours.close };
  if (out.chainIds) out.chainIds = [...out.chainIds];
  return out;
}

/**
 * Load the crypto venue table (`mappings/venues/crypto-venues.json` format):
 * `{ venues: VenueInfo[], chains: { "<chainId>": "<chain venue code>" } }`; other top-level keys
 * (`$comment`, …) are ignored.
 *
 * Fees in the file are public standard-tier figures with their `feesSource`; `latencyMs`,
 * `liquidityScore` and `reliability` are hand-set estimates, not measurements.
 *
 * @param json the file text, or the already parsed value.
 * @returns the venues and the chain-id table.
 * @throws {ValidationError} `InvalidField`/`InvalidEnum` for an invalid venue (see {@link checkVenueInfo}),
 *   a duplicate code, a `chains` key that is not a positive integer, or a `chains` value that is not
 *   the code of a `chain` venue in the file.
 * @throws {RegistryError} `ParseError` if `json` is a string that is not JSON.
 */
export function loadCryptoVenues(json: string | unknown): CryptoVenues {
  let doc: unknown = json;
  if (typeof json === 'string') {
    try {
      doc = JSON.parse(json);
    } catch (e) {
      throw new RegistryError('ParseError', `crypto venue file is not JSON: ${(e as Error).message}`);
    }
  }
  if (!isObject(doc) || !Array.isArray(doc['venues'])) bad('venues', 'crypto venue file must be an object with a venues array');
  const venues: VenueInfo[] = [];
  const byCode = new Map<string, VenueInfo>();
  doc['venues'].forEach((raw, i) => {
    const v = checkVenueInfo(raw, `venues[${i}]`);
    if (byCode.has(v.code)) bad(`venues[${i}].code`, `duplicate venue code ${v.code}`);
    byCode.set(v.code, v);
    venues.push(v);
  });
  const chains = new Map<number, string>();
  const rawChains = doc['chains'] ?? {};
  if (!isObject(rawChains)) bad('chains', 'must be an object mapping chain id to venue code');
  for (const [key, code] of Object.entries(rawChains)) {
    const id = Number(key);
    if (!/^[1-9][0-9]*$/.test(key) || !Number.isSafeInteger(id)) bad(`chains.${key}`, 'key must be a positive integer chain id');
    const venue = typeof code === 'string' ? byCode.get(code) : undefined;
    if (!venue || venue.type !== 'chain') bad(`chains.${key}`, `${JSON.stringify(code)} is not the code of a chain venue in this file`);
    if (venue.chainId !== undefined && venue.chainId !== id) bad(`chains.${key}`, `venue ${venue.code} has chainId ${venue.chainId}`);
    chains.set(id, venue.code);
  }
  return { venues, chains };
}
