/**
 * Fuzz cases of the discovery fuzz suite: one shipped payload file per format, small base
 * payloads sliced from it (a few records each, the top-level structure kept, built once per run
 * seed), and structure-aware mutations of a base: truncation, type swaps, huge numbers (as values
 * and as raw JSON literals) and strings, over-long decimals, deep nesting, forbidden keys at any
 * depth, lone UTF-16 surrogates, invalid UTF-8 bytes (decoded as `readFile(…, 'utf8')` does),
 * CSV quoting faults, column-count faults, header faults, removed and duplicated records.
 *
 * A case is `{ format, base, tree, text }` (see {@link caseArb}); {@link FuzzPayloads.build}
 * turns it into the payload text deterministically.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { dataDir } from '../../src/config.js';
import { loadMappings, type LoadedMapping } from '../../src/discovery/engine.js';
import { eventIndex } from '../../src/discovery/evm.js';

/** One shipped file per payload format (mapping name → file in the data folder). */
export const FUZZ_FILES: Readonly<Record<string, string>> = {
  tokenlist: 'uniswap_default_tokenlist_v22.21.0.json',
  'evm-getlogs-uniswap': 'eth_mainnet_eth_getLogs_blocks_13000000-13000001.json',
  'evm-receipts-uniswap': 'eth_mainnet_ots_univ3_factory_first_txs_PoolCreated.json',
  'ishares-holdings': 'ishares_IWV_holdings_2021-01.csv',
  'alpaca-v2-assets': 'alpaca_v2_assets_2019-07-09.json',
  'binance-spot-exchangeinfo': 'binance_spot_exchangeInfo_2024-09-08.json',
  'binance-usdm-exchangeinfo': 'binance_usdm_fapi_exchangeInfo_2025-03-06.json',
  'bybit-v5-linear': 'bybit_v5_instruments-info_linear_2026-08-09.json',
  'bybit-v5-spot': 'bybit_v5_instruments-info_spot_2026-08-09.json',
  'coinbase-advanced-products': 'coinbase_advanced_market_products_2026-08-09.json',
  'coinbase-exchange-products': 'coinbase_exchange_products_2021-04-17.json',
  'kraken-assetpairs': 'kraken_public_AssetPairs_2021-04-17.json',
  'xetra-all-tradable-instruments': 'xetra_t7-xetr-allTradableInstruments_2019-11-08.csv',
};

/** One mutation step; its fields are read modulo what each mutation needs. */
export interface Op {
  op: number;
  at: number;
  n: number;
  s: string;
}

/** A fuzz case: which format and base payload, then tree (or CSV) mutations and a text mutation. */
export interface FuzzCase {
  format: number;
  base: number;
  tree: Op[];
  text?: Op;
}

const opArb: fc.Arbitrary<Op> = fc.record({ op: fc.nat(63), at: fc.nat(), n: fc.nat(), s: fc.string({ maxLength: 8 }) });

/** The case arbitrary: up to 3 tree mutations, and a text mutation in 3 cases of 4. */
export const caseArb: fc.Arbitrary<FuzzCase> = fc.record({
  format: fc.nat(),
  base: fc.nat(),
  tree: fc.array(opArb, { maxLength: 3 }),
  text: fc.option(opArb, { freq: 3, nil: undefined }),
});

/** A payload format: its mapping and the shipped file it is fuzzed from. */
export interface FuzzFormat {
  name: string;
  mapping: LoadedMapping;
  /** JSON: the parsed file. */
  json?: unknown;
  /** CSV: preamble + header lines, and the data lines. */
  csv?: { head: string[]; rows: string[] };
}

/** A base payload: JSON as text (parsed again per mutated case), CSV as lines. */
interface Base {
  text: string;
  csv?: { head: string[]; rows: string[] };
}

/** A small deterministic PRNG (mulberry32) for building the base payloads of a run seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** `k` distinct indices of `0..n-1` (all when `n <= k`), in ascending order. */
function sample(n: number, k: number, pick: () => number): number[] {
  if (n <= k) return Array.from({ length: n }, (_, i) => i);
  const idx = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + (pick() % (n - i));
    [idx[i], idx[j]] = [idx[j]!, idx[i]!];
  }
  return idx.slice(0, k).sort((a, b) => a - b);
}

/**
 * Shrink a JSON payload: an array holding objects keeps `k` distinct elements (record lists,
 * receipts, filters), an object of more than 100 keys (a map of records) `k` distinct entries; arrays of scalars or
 * of arrays (log topics, fee tiers) stay whole, so the records kept are records as published.
 */
function slice(v: unknown, pick: () => number, k: number): unknown {
  if (Array.isArray(v)) {
    if (!v.some((x) => x !== null && typeof x === 'object' && !Array.isArray(x))) return v.map((x) => slice(x, pick, k));
    return sample(v.length, k, pick).map((i) => slice(v[i], pick, k));
  }
  if (v !== null && typeof v === 'object') {
    const keys = Object.keys(v);
    const chosen = keys.length > 100 ? sample(keys.length, k, pick).map((i) => keys[i]!) : keys;
    const out: Record<string, unknown> = {};
    for (const key of chosen) out[key] = slice((v as Record<string, unknown>)[key], pick, k);
    return out;
  }
  return v;
}

/**
 * The shipped eth_getLogs file (blocks 13000000-13000001) holds no log of the events the EVM
 * mappings declare; the getLogs format also gets the receipts file's PoolCreated / PairCreated
 * logs, as a second request/response pair, so its cases reach the log decoder and the templates.
 */
function withPoolLogs(getLogs: unknown, receipts: unknown, m: LoadedMapping): unknown {
  const events = eventIndex(m.abis ?? []);
  const logs: unknown[] = [];
  for (const pair of receipts as Array<{ response: { result: { receipts: Array<{ logs: Array<{ topics: string[] }> }> } } }>)
    for (const r of pair.response.result.receipts) for (const l of r.logs) if (events.has(String(l.topics[0]).toLowerCase())) logs.push(l);
  const root = getLogs as Array<{ request: unknown; response: Record<string, unknown> }>;
  return [...root, { request: root[0]!.request, response: { ...root[0]!.response, result: logs } }];
}

const HUGE = ['1e400', '-1e400', '123456789012345678901234567890', '1e-400', '18446744073709551616', '0.1' + '0'.repeat(300), '9'.repeat(200)];
/** Raw JSON number literals (no JavaScript value serialises to them). */
const RAW_NUMBERS = [
  '1e400',
  '-1e400',
  '-0',
  '-0.0',
  '1e-400',
  '123456789012345678901234567890',
  '18446744073709551616',
  '0.30000000000000004',
  '1E2',
  '5e-324',
];
const LONE = ['\uD800', '\uDC00', 'A\uDBFFB', '\uDFFF\uD800'];
const NUMERIC_STRINGS = ['0', '0.0', '00001', '.5', '5.', '1e5', '-1', '0x10', 'NaN', 'Infinity', '1_000', '١٢٣'];
const FORBIDDEN = ['__proto__', 'constructor', 'prototype'];

/** Markers replaced in the serialised text (deep values are built as text: JSON.stringify recurses). */
const MARKERS = /"@@DEEP(\d+)@@"|"@@PROTO(\d):(\d+)@@"|"@@NUM(\d+)@@"/g;

/** The nodes of a tree in preorder (at most 401), each as its parent and key; the root's parent is the holder. */
function nodes(holder: { root: unknown }): Array<[Record<string | number, unknown>, string | number]> {
  const out: Array<[Record<string | number, unknown>, string | number]> = [[holder, 'root']];
  const walk = (v: unknown): void => {
    if (v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length && out.length <= 400; i++) {
        out.push([v as unknown as Record<number, unknown>, i]);
        walk(v[i]);
      }
    } else {
      for (const k of Object.keys(v)) {
        if (out.length > 400) return;
        out.push([v as Record<string, unknown>, k]);
        walk((v as Record<string, unknown>)[k]);
      }
    }
  };
  walk(holder.root);
  return out;
}

/** Apply one tree mutation in place (the root is replaced through the holder). */
function mutateTree(holder: { root: unknown }, o: Op): void {
  const all = nodes(holder);
  const [parent, key] = all[o.at % all.length]!;
  const isRoot = parent === (holder as unknown);
  const cur = parent[key];
  const set = (v: unknown): void => {
    parent[key] = v;
  };
  switch (o.op % 13) {
    case 0: // delete
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else if (!isRoot) delete parent[key];
      break;
    case 1: // type swap
      set(
        [cur === null ? 'null' : typeof cur === 'string' ? Number(cur) || 0 : typeof cur === 'number' ? String(cur) : cur, [], {}, true, null, 0, ''][o.n % 7],
      );
      break;
    case 2: // huge number value
      set([Number.MAX_VALUE, -Number.MAX_VALUE, 2 ** 64, -0, 1e-320, Number.MAX_SAFE_INTEGER + 2][o.n % 6]);
      break;
    case 3: // huge string / over-long decimal
      set([HUGE[o.n % HUGE.length], 'x'.repeat(300 + (o.n % 20_000)), `${o.s}${'\u00e9'.repeat(300)}`][o.n % 3]);
      break;
    case 4: // deep nesting (spliced into the text after serialisation, see MARKERS)
      set(`@@DEEP${[10, 62, 63, 64, 65, 200, 3_000][o.n % 7]}@@`);
      break;
    case 5: // forbidden key at some depth
      set(`@@PROTO${o.n % 3}:${[0, 1, 5, 30, 61, 62, 63, 64, 90, 3_000][o.n % 10]}@@`);
      break;
    case 6: // lone surrogate in a string
      set(
        typeof cur === 'string' ? cur.slice(0, o.n % (cur.length + 1)) + LONE[o.n % LONE.length] + cur.slice(o.n % (cur.length + 1)) : LONE[o.n % LONE.length],
      );
      break;
    case 7: // duplicate an array element / record
      if (Array.isArray(parent)) parent.splice(Number(key), 0, structuredClone(cur));
      break;
    case 8: // whitespace and case
      if (typeof cur === 'string') set([` ${cur} `, cur.toLowerCase(), cur.toUpperCase(), '', '-', 'n/a', `${cur}\u0000`][o.n % 7]);
      break;
    case 9: // random short string
      set(o.s);
      break;
    case 10: // numeric string edge cases
      set(NUMERIC_STRINGS[o.n % NUMERIC_STRINGS.length]);
      break;
    case 11: // raw number literal (spliced into the text, see MARKERS)
      set(`@@NUM${o.n % RAW_NUMBERS.length}@@`);
      break;
    default: // non-object record
      set([1, 'x', null, [1, 2], true][o.n % 5]);
  }
}

/** Text-level mutations: truncation, a cut in the middle, invalid UTF-8 bytes, BOM, CRLF. */
function mutateText(text: string, o: Op): string {
  switch (o.op % 6) {
    case 0:
      return text.slice(0, o.n % (text.length + 1));
    case 1: {
      const b = Buffer.from(text, 'utf8');
      const at = o.n % (b.length + 1);
      const bad = [
        Buffer.from([0xff]),
        Buffer.from([0xc3]),
        Buffer.from([0xed, 0xa0, 0x80]),
        Buffer.from([0xe2, 0x82]),
        Buffer.from([0xf8, 0x88, 0x80, 0x80, 0x80]),
        Buffer.from([0xc0, 0xaf]),
      ][o.n % 6]!;
      return Buffer.concat([b.subarray(0, at), bad, b.subarray(at)]).toString('utf8');
    }
    case 2:
      return `\uFEFF${text}`;
    case 3: {
      const at = o.n % (text.length + 1);
      return text.slice(0, at) + text.slice(at + 1 + (o.at % 64));
    }
    case 4:
      return text.replace(/\n/g, '\r\n');
    default:
      return text;
  }
}

/** Split a CSV line into raw fields (quotes kept), respecting quoted delimiters. */
function splitFields(line: string, delim: string, quote: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inQ = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === quote) inQ = !inQ;
    if (c === delim && !inQ) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

/** Apply one CSV mutation to the head (preamble + header) and rows, in place. */
function mutateCsv(csv: { head: string[]; rows: string[] }, delim: string, quote: string, o: Op): void {
  const r = csv.rows;
  const i = r.length === 0 ? 0 : o.at % r.length;
  const cols = splitFields(r[i] ?? '', delim, quote);
  const c = o.n % cols.length;
  const q = (s: string): string => `${quote}${s}${quote}`;
  switch (o.op % 16) {
    case 0: // drop a field (column count)
      cols.splice(c, 1);
      break;
    case 1: // add a field
      cols.splice(c, 0, o.s);
      break;
    case 2: // unbalanced quote
      cols[c] = `${quote}${cols[c]}`;
      break;
    case 3: // quoted field with the delimiter and escaped quotes
      cols[c] = q(`${o.s}${delim}${quote}${quote}x${quote}${quote}`);
      break;
    case 4: // huge field / long decimal
      cols[c] = [HUGE[o.n % HUGE.length]!, 'y'.repeat(300 + (o.n % 20_000))][o.n % 2]!;
      break;
    case 5: // lone surrogate
      cols[c] = cols[c] + LONE[o.n % LONE.length];
      break;
    case 6: // duplicate row
      r.splice(i, 0, r[i] ?? '');
      return;
    case 7: // whitespace-only or delimiter-only row
      r.splice(i, 0, ['   ', '\u00a0', delim.repeat(3), delim.repeat(cols.length - 1)][o.n % 4]!);
      return;
    case 8: {
      // a header column renamed to a forbidden key, emptied, or duplicated
      const h = csv.head.length - 1;
      const hc = splitFields(csv.head[h]!, delim, quote);
      const k = o.n % hc.length;
      hc[k] = [...FORBIDDEN, '', ` ${hc[k]} `, hc[(k + 1) % hc.length]!][o.n % 6]!;
      csv.head[h] = hc.join(delim);
      return;
    }
    case 9: // quoted field with a line break inside
      cols[c] = q(`${o.s}\n${o.s}`);
      break;
    case 10: // a quote inside an unquoted field
      cols[c] = `${o.s}${quote}${o.s}`;
      break;
    case 11: // numeric edge cases, quoted or not
      cols[c] = o.n % 2 ? NUMERIC_STRINGS[o.n % NUMERIC_STRINGS.length]! : q(NUMERIC_STRINGS[o.n % NUMERIC_STRINGS.length]!);
      break;
    case 12: // remove the row
      r.splice(i, 1);
      return;
    case 13: // text after a closing quote
      cols[c] = `${q(o.s)}x`;
      break;
    case 14: // padding and case
      cols[c] = [` ${cols[c]} `, cols[c]!.toLowerCase(), '', '-', 'n/a'][o.n % 5]!;
      break;
    default:
      cols[c] = o.s;
  }
  r[i] = cols.join(delim);
}

/** The formats of the suite and the base payloads of one run seed. */
export class FuzzPayloads {
  private readonly bases: Array<Map<number, Base>>;

  private constructor(
    readonly formats: readonly FuzzFormat[],
    /** Base payloads per format (a case picks `base % basesPerFormat`). */
    readonly basesPerFormat: number,
    private readonly seed: number,
  ) {
    this.bases = formats.map(() => new Map());
  }

  /**
   * Load the mappings and the shipped files from the data folder.
   * @param seed run seed (base payloads are sliced from it)
   * @param basesPerFormat distinct base payloads per format
   */
  static async load(seed: number, basesPerFormat: number): Promise<FuzzPayloads> {
    const mappings = await loadMappings();
    const formats: FuzzFormat[] = [];
    for (const [name, file] of Object.entries(FUZZ_FILES)) {
      const mapping = mappings.find((m) => m.name === name);
      if (!mapping) throw new Error(`no mapping ${name}`);
      const text = readFileSync(join(dataDir(), file), 'utf8');
      if (mapping.format === 'json') {
        let json = JSON.parse(text) as unknown;
        if (name === 'evm-getlogs-uniswap')
          json = withPoolLogs(json, JSON.parse(readFileSync(join(dataDir(), FUZZ_FILES['evm-receipts-uniswap']!), 'utf8')), mapping);
        formats.push({ name, mapping, json });
      } else {
        const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
        const h = (mapping.csv?.skipLines ?? 0) + 1;
        formats.push({ name, mapping, csv: { head: lines.slice(0, h), rows: lines.slice(h).filter((l) => l.trim() !== '') } });
      }
    }
    return new FuzzPayloads(formats, basesPerFormat, seed);
  }

  /** Base payload `b` of format `fi`: 1-3 records sliced from the shipped file, sliced once. */
  private base(fi: number, b: number): Base {
    const hit = this.bases[fi]!.get(b);
    if (hit) return hit;
    const f = this.formats[fi]!;
    const rnd = prng((this.seed ^ Math.imul(fi + 1, 0x9e3779b1) ^ Math.imul(b + 1, 0x85ebca77)) >>> 0);
    const k = 1 + (b % 3);
    let base: Base;
    if (f.json !== undefined) base = { text: JSON.stringify(slice(f.json, rnd, k)) };
    else {
      const { head, rows } = f.csv!;
      const csv = { head: [...head], rows: Array.from({ length: k }, () => rows[rnd() % rows.length]!) };
      base = { text: [...csv.head, ...csv.rows].join('\n'), csv };
    }
    this.bases[fi]!.set(b, base);
    return base;
  }

  /** The payload text of a case, and its format. */
  build(c: FuzzCase): { f: FuzzFormat; text: string } {
    const fi = c.format % this.formats.length;
    const f = this.formats[fi]!;
    const base = this.base(fi, c.base % this.basesPerFormat);
    let text = base.text;
    if (c.tree.length > 0) {
      if (base.csv) {
        const csv = { head: [...base.csv.head], rows: [...base.csv.rows] };
        for (const o of c.tree) mutateCsv(csv, f.mapping.csv?.delimiter ?? ',', f.mapping.csv?.quote ?? '"', o);
        text = [...csv.head, ...csv.rows].join('\n');
      } else {
        const holder = { root: JSON.parse(base.text) as unknown };
        for (const o of c.tree) mutateTree(holder, o);
        text = JSON.stringify(holder.root) ?? 'null';
        if (text.includes('"@@'))
          text = text.replace(MARKERS, (_all, d?: string, k?: string, pd?: string, num?: string) => {
            if (d !== undefined) return '{"n":'.repeat(Number(d)) + '1' + '}'.repeat(Number(d));
            if (num !== undefined) return RAW_NUMBERS[Number(num)]!;
            const inner = `{"${FORBIDDEN[Number(k)]}":{"polluted":true}}`;
            return '[{"n":'.repeat(Number(pd)) + inner + '}]'.repeat(Number(pd));
          });
      }
    }
    if (c.text) text = mutateText(text, c.text);
    return { f, text };
  }
}
