/**
 * `instreg venues QUERY`: every venue an ISIN, an asset (`BTC`) or a token (`CHAIN:0xADDR` or a
 * token symbol) trades on, with each listing's symbol and the venue's attributes from the venue
 * registry (name, country, MIC, type, fees, status). With `--snapshot FILE` the instruments come
 * from a snapshot instead of the payloads (the venue registry is still read from the data folder).
 *
 * - ISIN: its listings (`reader.getByIsin`).
 * - Asset code: the CEX pairs and pools having the `currency` instrument (venue `ASSET`, symbol = code)
 *   as a leg (`reader.findByAsset`), plus the tokens with that symbol on every known chain and the
 *   DEX pools holding them.
 * - `CHAIN:ADDRESS`: the token's symbol, then as for a token symbol.
 * - An id: a currency or token as above, a listing with an ISIN as for its ISIN, anything else itself.
 *
 * @module
 */
import type { Command } from 'commander';
import { ASSET_VENUE, type Instrument } from '../model/types.js';
import type { InstrumentView } from '../reader/view.js';
import { CliError, EXIT_NOT_FOUND } from './cli-error.js';
import { formatBps, newTable, printJson, toJson, venueAttributes, type Json } from './format.js';
import { checkSnapshotOption, globalOptions } from './options.js';
import { describeQuery, parseVenuesQuery, resolveChainId, type VenuesQuery } from './query.js';
import type { ReaderSession } from './session.js';

/** How a listing involves what was asked for. */
export type ListingRole = 'listing' | 'base' | 'quote' | 'token' | 'token0' | 'token1';

/** One instrument through which the queried thing trades. */
export interface Listing {
  venue: string;
  symbol: string;
  id: bigint;
  kind: Instrument['kind'];
  role: ListingRole;
  /** Futures: `future` (dated) or `perpetual`. */
  contractType?: string;
  /** DEX pools: chain of the pool. */
  chainId?: number;
}

/** The listings on one venue, with the venue's attributes. */
export interface VenueListings {
  venue: string;
  attributes: { [key: string]: Json };
  listings: Listing[];
}

function listingOf(v: InstrumentView, role: ListingRole): Listing {
  const inst = v.toObject();
  const l: Listing = { venue: inst.venue, symbol: inst.symbol, id: inst.id, kind: inst.kind, role };
  if (inst.kind === 'future') l.contractType = inst.contractType;
  if (inst.kind === 'dexPool' || inst.kind === 'token') l.chainId = inst.chainId;
  return l;
}

/** CEX pairs and DEX pools with `asset` as a leg. */
function legListings(session: ReaderSession, asset: bigint): Listing[] {
  return session.reader.findByAsset(asset).map((v) => {
    const d = v.detail;
    const role: ListingRole = d.baseId === asset ? 'base' : d.quoteId === asset ? 'quote' : d.token0Id === asset ? 'token0' : 'token1';
    return listingOf(v, role);
  });
}

/** Tokens with `symbol` on every known chain, and the pools holding them. */
function tokenListings(session: ReaderSession, symbol: string): Listing[] {
  const out: Listing[] = [];
  const codes = new Set(session.venues.chains().map(([, code]) => code));
  for (const code of codes) {
    const t = session.reader.getBySymbol(code, symbol);
    if (!t || t.kind !== 'token') continue;
    out.push(listingOf(t, 'token'));
    out.push(...legListings(session, t.id));
  }
  return out;
}

/** Listings of an asset code: its currency's pairs and pools, and same-symbol tokens. */
function assetListings(session: ReaderSession, code: string): Listing[] {
  const out: Listing[] = [];
  const cur = session.reader.getBySymbol(ASSET_VENUE, code);
  if (cur && cur.kind === 'currency') out.push(...legListings(session, cur.id));
  out.push(...tokenListings(session, code));
  return out;
}

function isinListings(session: ReaderSession, isin: string): Listing[] {
  return session.reader.getByIsin(isin).map((v) => listingOf(v, 'listing'));
}

/**
 * Every listing of what a `venues` query names (de-duplicated by id).
 *
 * @throws {CliError} exit code 2 when an address query names an unknown chain.
 */
export function findListings(session: ReaderSession, q: VenuesQuery): Listing[] {
  let found: Listing[];
  switch (q.type) {
    case 'isin':
      found = isinListings(session, q.isin);
      break;
    case 'asset':
      found = assetListings(session, q.code);
      break;
    case 'address': {
      const hits = session.reader.getByAddress(resolveChainId(session.venues, q.chain, q.address), q.address);
      found = [];
      for (const h of hits) {
        if (h.kind === 'token') found.push(...tokenListings(session, h.symbol));
        else found.push(listingOf(h, 'listing'));
      }
      break;
    }
    case 'id': {
      const v = session.reader.getById(q.id);
      found = [];
      if (!v) break;
      const inst = v.toObject();
      if (inst.kind === 'currency') found = assetListings(session, inst.symbol);
      else if (inst.kind === 'token') found = tokenListings(session, inst.symbol);
      else if ((inst.kind === 'stock' || inst.kind === 'etf') && inst.isin) found = isinListings(session, inst.isin);
      else found = [listingOf(v, 'listing')];
      break;
    }
  }
  const seen = new Set<bigint>();
  return found.filter((l) => !seen.has(l.id) && seen.add(l.id));
}

/** Group listings by venue (venues sorted by code, listings by symbol), with venue attributes. */
export function groupByVenue(session: ReaderSession, listings: readonly Listing[]): VenueListings[] {
  const groups = new Map<string, Listing[]>();
  for (const l of listings) {
    const g = groups.get(l.venue);
    if (g) g.push(l);
    else groups.set(l.venue, [l]);
  }
  return [...groups.entries()]
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([venue, ls]) => ({
      venue,
      attributes: venueAttributes(session.venues.get(venue)),
      listings: ls.sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0)),
    }));
}

const MAX_SYMBOLS_SHOWN = 6;

function str(v: Json | undefined): string {
  return v === undefined || v === null ? '' : String(v);
}

/** Text table of venues and their listings. */
export function venuesText(title: string, groups: readonly VenueListings[]): string {
  const t = newTable(['venue', 'name', 'country', 'MIC', 'type', 'maker/taker bps', 'status', 'listings'], {
    colAligns: ['left', 'left', 'left', 'left', 'left', 'right', 'left', 'left'],
  });
  for (const g of groups) {
    const a = g.attributes;
    const fees =
      a.makerFeeBps !== undefined || a.takerFeeBps !== undefined
        ? `${formatBps(a.makerFeeBps as number | undefined)}/${formatBps(a.takerFeeBps as number | undefined)}`
        : '';
    const syms = g.listings.slice(0, MAX_SYMBOLS_SHOWN).map((l) => (l.role === 'listing' || l.role === 'token' ? l.symbol : `${l.symbol} (${l.role})`));
    const more = g.listings.length > MAX_SYMBOLS_SHOWN ? `, … (+${g.listings.length - MAX_SYMBOLS_SHOWN}; --json for all)` : '';
    const name = a.known === false ? '(not in the venue registry)' : str(a.name);
    t.push([
      g.venue,
      name.length > 40 ? `${name.slice(0, 39)}…` : name,
      str(a.country),
      str(a.mic),
      str(a.type),
      fees,
      str(a.status),
      `${g.listings.length}: ${syms.join(', ')}${more}`,
    ]);
  }
  const n = groups.reduce((s, g) => s + g.listings.length, 0);
  return `${title}: ${n} listings on ${groups.length} venues\n${t.toString()}\n`;
}

/** Add `venues QUERY` to the program. */
export function registerVenuesCommand(program: Command): void {
  program
    .command('venues')
    .description('every venue an ISIN, asset (BTC) or token (CHAIN:0xADDR or symbol) trades on, with venue attributes')
    .argument('<query>', 'ISIN, asset or token symbol, CHAIN:0xADDRESS or instrument id')
    .option('--snapshot <file>', 'start from a snapshot (instreg load --snapshot FILE) instead of loading the payloads')
    .action(async (query: string, cmdOpts: { snapshot?: string }, cmd: Command) => {
      const q = parseVenuesQuery(query);
      const g = globalOptions(cmd);
      const { openQuerySession } = await import('./session.js');
      const session = await openQuerySession(q, {
        dataDir: g.dataDir,
        progress: g.progress,
        snapshot: checkSnapshotOption(cmdOpts.snapshot),
        cache: g.cache,
        mappingsDirs: g.mappingsDirs,
      });
      const listings = findListings(session, q);
      if (listings.length === 0) throw new CliError(`no listing found for ${describeQuery(q)}`, EXIT_NOT_FOUND);
      const groups = groupByVenue(session, listings);
      if (g.json) {
        printJson({
          query: describeQuery(q),
          listings: listings.length,
          venues: groups.map((v) => ({ venue: v.venue, ...v.attributes, listings: v.listings.map((l) => toJson(l)) })),
        });
        return;
      }
      process.stdout.write(venuesText(describeQuery(q), groups));
    });
}
