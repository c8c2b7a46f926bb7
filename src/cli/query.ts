/**
 * Parsing of the QUERY argument of `instreg get` and `instreg venues` into a typed query.
 * Parsing is purely syntactic (no registry needed), so a malformed query is rejected before
 * any data is loaded. Chain codes (`ETHEREUM:0x…`) are resolved later, against the venue registry.
 *
 * @module
 */
import { parseId } from '../id/halves.js';
import { isValidCusip } from '../identifiers/cusip.js';
import { isValidIsin } from '../identifiers/isin.js';
import type { VenueRegistry } from '../venues/registry.js';
import { CliError, EXIT_USAGE } from './cli-error.js';

/** An instrument id (`0x` + 1..16 hex digits, or exactly 16 hex digits). */
export interface IdQuery {
  type: 'id';
  id: bigint;
}

/** A venue listing: `VENUE:SYMBOL`. */
export interface SymbolQuery {
  type: 'symbol';
  venue: string;
  symbol: string;
}

/** An ISO 6166 ISIN (valid check digit), upper-cased. */
export interface IsinQuery {
  type: 'isin';
  isin: string;
}

/** A CUSIP (valid check digit), upper-cased. */
export interface CusipQuery {
  type: 'cusip';
  cusip: string;
}

/** A contract on a chain: `CHAIN:ADDRESS`; `chain` is a chain id or a chain venue code (resolved later). */
export interface AddressQuery {
  type: 'address';
  chain: number | string;
  address: string;
}

/** A bare asset or token ticker (`BTC`, `USDC`), upper-cased; `venues` only. */
export interface AssetQuery {
  type: 'asset';
  code: string;
}

/** What `instreg get` accepts. */
export type GetQuery = IdQuery | SymbolQuery | IsinQuery | CusipQuery | AddressQuery;

/** What `instreg venues` accepts. */
export type VenuesQuery = IsinQuery | AddressQuery | AssetQuery | IdQuery;

const VENUE_RE = /^[A-Z0-9_.-]{1,16}$/;
const EVM_ADDRESS_RE = /^0x[0-9a-fA-F]{40}$/;
/** Non-EVM addresses (e.g. Solana base58): too long to be a symbol (symbols are at most 32 bytes). */
const LONG_ADDRESS_RE = /^[0-9A-Za-z]{33,64}$/;
const ISIN_SHAPE_RE = /^[A-Z]{2}[A-Z0-9]{9}[0-9]$/;
const CUSIP_SHAPE_RE = /^[0-9A-Z*@#]{8}[0-9]$/;
const ID_RE = /^(?:0x[0-9a-fA-F]{1,16}|[0-9a-fA-F]{16})$/;
const ASSET_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/;

const GET_FORMS = 'an id (0x + up to 16 hex digits), VENUE:SYMBOL, an ISIN, a CUSIP or CHAIN:0xADDRESS';
const VENUES_FORMS = 'an ISIN, an asset or token symbol (BTC, USDC), CHAIN:0xADDRESS or an instrument id';

/** Longest excerpt of user input echoed in an error message (characters). */
export const ECHO_MAX = 60;

/** `text` as a JSON string literal, cut to {@link ECHO_MAX} characters (`…` and the full length when cut). */
export function echo(text: string): string {
  if (text.length <= ECHO_MAX) return JSON.stringify(text);
  return `${JSON.stringify(text.slice(0, ECHO_MAX))}… (${text.length} characters)`;
}

function malformed(text: string, why: string): CliError {
  return new CliError(`malformed query ${echo(text)}: ${why}`, EXIT_USAGE);
}

/** `VENUE:SYMBOL` or `CHAIN:ADDRESS`; undefined when `text` has no colon. */
function parseColon(text: string): SymbolQuery | AddressQuery | undefined {
  const i = text.indexOf(':');
  if (i < 0) return undefined;
  const left = text.slice(0, i).trim();
  const right = text.slice(i + 1).trim();
  if (left === '' || right === '') throw malformed(text, 'expected VENUE:SYMBOL or CHAIN:ADDRESS with both parts non-empty');
  if (/^\d+$/.test(left)) {
    const chainId = Number(left);
    if (!Number.isSafeInteger(chainId) || chainId <= 0) throw malformed(text, `chain id ${left} is not a positive integer`);
    if (!EVM_ADDRESS_RE.test(right) && !LONG_ADDRESS_RE.test(right)) throw malformed(text, `${echo(right)} is not a contract address (0x + 40 hex digits)`);
    return { type: 'address', chain: chainId, address: right };
  }
  const venue = left.toUpperCase();
  if (!VENUE_RE.test(venue)) throw malformed(text, `${echo(left)} is not a venue or chain code (1-16 of A-Z 0-9 _ . -)`);
  if (EVM_ADDRESS_RE.test(right) || LONG_ADDRESS_RE.test(right)) return { type: 'address', chain: venue, address: right };
  if (Buffer.byteLength(right, 'utf8') > 32) throw malformed(text, 'symbol longer than 32 bytes');
  return { type: 'symbol', venue, symbol: right };
}

/** ISIN or CUSIP by shape; a right shape with a wrong check digit is malformed. */
function parseSecurityId(text: string): IsinQuery | CusipQuery | undefined {
  const up = text.toUpperCase();
  if (ISIN_SHAPE_RE.test(up)) {
    if (!isValidIsin(up)) throw malformed(text, 'looks like an ISIN but its check digit is wrong');
    return { type: 'isin', isin: up };
  }
  if (CUSIP_SHAPE_RE.test(up)) {
    if (!isValidCusip(up)) throw malformed(text, 'looks like a CUSIP but its check digit is wrong');
    return { type: 'cusip', cusip: up };
  }
  return undefined;
}

function parseIdText(text: string): IdQuery | undefined {
  if (!ID_RE.test(text)) return undefined;
  const id = parseId(text);
  return id === undefined ? undefined : { type: 'id', id };
}

/**
 * Parse the QUERY of `instreg get`.
 *
 * @param text the argument as typed
 * @returns the typed query
 * @throws {CliError} exit code 2 ({@link EXIT_USAGE}) with a one-line reason when `text` is none of
 *   an id, `VENUE:SYMBOL`, an ISIN, a CUSIP or `CHAIN:ADDRESS`, or an identifier's check digit is wrong.
 */
export function parseGetQuery(text: string): GetQuery {
  const t = text.trim();
  if (t === '') throw malformed(text, `empty; expected ${GET_FORMS}`);
  const colon = parseColon(t);
  if (colon) return colon;
  const id = parseIdText(t);
  if (id) return id;
  if (EVM_ADDRESS_RE.test(t)) throw malformed(text, 'an address needs its chain: CHAIN:0xADDRESS (e.g. ETHEREUM:0x… or 1:0x…)');
  if (/^0x/i.test(t)) throw malformed(text, 'an id is 0x followed by 1 to 16 hex digits');
  const sec = parseSecurityId(t);
  if (sec) return sec;
  throw malformed(text, `expected ${GET_FORMS} (assets are ASSET:CODE, e.g. ASSET:BTC)`);
}

/**
 * Parse the QUERY of `instreg venues`.
 *
 * @param text the argument as typed
 * @returns the typed query: an ISIN, `CHAIN:ADDRESS`, an instrument id, or else an asset / token symbol
 * @throws {CliError} exit code 2 ({@link EXIT_USAGE}) when `text` is none of those (e.g. `VENUE:SYMBOL`,
 *   an ISIN-shaped string with a wrong check digit, characters no ticker has).
 */
export function parseVenuesQuery(text: string): VenuesQuery {
  const t = text.trim();
  if (t === '') throw malformed(text, `empty; expected ${VENUES_FORMS}`);
  const colon = parseColon(t);
  if (colon?.type === 'address') return colon;
  if (colon) throw malformed(text, `VENUE:SYMBOL names one listing; expected ${VENUES_FORMS}`);
  if (/^0x/i.test(t)) {
    const id = parseIdText(t);
    if (id) return id;
    if (EVM_ADDRESS_RE.test(t)) throw malformed(text, 'an address needs its chain: CHAIN:0xADDRESS');
    throw malformed(text, 'an id is 0x followed by 1 to 16 hex digits');
  }
  const up = t.toUpperCase();
  if (ISIN_SHAPE_RE.test(up)) {
    if (!isValidIsin(up)) throw malformed(text, 'looks like an ISIN but its check digit is wrong');
    return { type: 'isin', isin: up };
  }
  if (ASSET_RE.test(t)) return { type: 'asset', code: up };
  throw malformed(text, `expected ${VENUES_FORMS}`);
}

/** One-line description of a query, for messages (`ISIN US0378331005`, `BINANCE:BTCUSDT`). */
export function describeQuery(q: GetQuery | VenuesQuery): string {
  switch (q.type) {
    case 'id':
      return `id 0x${q.id.toString(16).padStart(16, '0')}`;
    case 'symbol':
      return `${q.venue}:${q.symbol}`;
    case 'isin':
      return `ISIN ${q.isin}`;
    case 'cusip':
      return `CUSIP ${q.cusip}`;
    case 'address':
      return `address ${q.address} on chain ${q.chain}`;
    case 'asset':
      return `asset ${q.code}`;
  }
}

/**
 * Resolve the chain of an {@link AddressQuery} to a chain id: a number is taken as is, a code
 * (`ETHEREUM`, `POLYGON`) is looked up among the venue registry's chains.
 *
 * @param address the queried address, for the message when `chain` is a venue (`BINANCE:<40 letters>`
 *   is an over-long symbol, not an address).
 * @throws {CliError} exit code 2 when the code names no known chain.
 */
export function resolveChainId(venues: VenueRegistry, chain: number | string, address?: string): number {
  if (typeof chain === 'number') return chain;
  const found = venues.chains().find(([, code]) => code === chain);
  if (found) return found[0];
  const v = venues.get(chain);
  if (v?.type === 'chain' && v.chainId !== undefined) return v.chainId;
  if (v !== undefined && address !== undefined && !/^0x/i.test(address)) {
    // VENUE:<33..64 letters> parses as a non-EVM address; on a venue it is an over-long symbol
    throw new CliError(
      `malformed query ${echo(`${chain}:${address}`)}: ${chain} is a venue, not a chain, and a symbol is at most 32 bytes (this one is ${Buffer.byteLength(address, 'utf8')})`,
      EXIT_USAGE,
    );
  }
  const known = venues
    .chains()
    .map(([, code]) => code)
    .slice(0, 12)
    .join(', ');
  throw new CliError(`malformed query: ${JSON.stringify(chain)} is not a known chain (a chain id number or a chain code such as ${known}, …)`, EXIT_USAGE);
}
