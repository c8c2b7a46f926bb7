/**
 * Discovery fuzz suite (issue 12 "Deliver"): structure-aware mutations of every shipped payload
 * format. Seeds are small slices of the shipped payloads in the data folder (a few records each,
 * the top-level structure kept); mutations: truncation, type swaps, huge numbers and strings,
 * over-long decimals, deep nesting, forbidden keys at any depth, lone UTF-16 surrogates,
 * invalid UTF-8 bytes (decoded as `readFile(…, 'utf8')` does), CSV quoting faults, column-count
 * faults, removed and duplicated records.
 *
 * Every case must end in one of: a typed file-level `RegistryError`; or per record exactly one
 * of accepted / skipped / rejected-with-a-known-code, where accepted records equal the independent
 * reference (`helpers/reference-discovery.ts`: its own parse, plain JSONata, noble BLAKE3 ids),
 * registration (`loadPayload` into a Map-backed target) registers exactly the accepted records'
 * instruments and nothing of a rejected record, and `Object.prototype` is untouched. A hang fails
 * through vitest's timeout (every evaluation is bounded, see `src/discovery/compile.ts`).
 *
 * Case count: `INSTREG_DISCOVERY_FUZZ_RUNS` (default {@link DEFAULT_RUNS}: each case runs the
 * engine twice (discover, loadPayload) and the JSONata reference once, 5-10 ms a case on this
 * shared 2-core machine, so 2 500 cases are what fits in about 30 s of `npm test`, not 100 000);
 * `npm run test:fuzz` runs 1 000 000 (hours; progress is printed every 10 000 cases).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { dataDir } from '../src/config.js';
import { discover, loadMappings, loadPayload, type DiscoveryResult, type LoadedMapping } from '../src/discovery/engine.js';
import { RegistryError } from '../src/errors.js';
import { FakeTarget } from './helpers/fake-target.js';
import { referenceDiscover, type RefOutcome } from './helpers/reference-discovery.js';

const DEFAULT_RUNS = 2_500;
const env = Number(process.env.INSTREG_DISCOVERY_FUZZ_RUNS ?? '');
const RUNS = Number.isFinite(env) && env > 0 ? Math.floor(env) : DEFAULT_RUNS;

/** One shipped file per payload format. */
const FILES: Record<string, string> = {
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

/** Codes a record may be rejected with. */
const RECORD_CODES = new Set([
  'MalformedRecord',
  'ForbiddenKey',
  'LimitExceeded',
  'DecodeError',
  'ExpressionError',
  'ExpressionLimit',
  'NoInstrument',
  'DuplicateRecord',
  'DependencyRejected',
  'InvalidField',
  'InvalidEnum',
  'InvalidIdentifier',
  'FieldTooLong',
  'DuplicateSymbol',
  'HashCollision',
]);

interface Format {
  mapping: LoadedMapping;
  /** JSON: the parsed file; CSV: preamble + header lines and data lines. */
  json?: unknown;
  csv?: { head: string[]; rows: string[] };
}

const formats: Format[] = [];
let target: FakeTarget;
let cases = 0;
let accepted = 0;
let rejectedRecords = 0;
let fileFailures = 0;
let timeLimited = 0;

beforeAll(async () => {
  target = await FakeTarget.create();
  const mappings = await loadMappings();
  for (const [name, file] of Object.entries(FILES)) {
    const mapping = mappings.find((m) => m.name === name);
    if (!mapping) throw new Error(`no mapping ${name}`);
    const text = readFileSync(join(dataDir(), file), 'utf8');
    if (mapping.format === 'json') formats.push({ mapping, json: JSON.parse(text) });
    else {
      const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
      const h = (mapping.csv?.skipLines ?? 0) + 1;
      formats.push({ mapping, csv: { head: lines.slice(0, h), rows: lines.slice(h).filter((l) => l.trim() !== '') } });
    }
  }
});

/** Shrink a JSON payload: arrays and big objects keep only `k` elements picked by `pick`. */
function slice(v: unknown, pick: () => number, k: number, depth = 0): unknown {
  if (Array.isArray(v)) {
    const n = Math.min(k, v.length);
    const out: unknown[] = [];
    for (let i = 0; i < n; i++) out.push(slice(v[pick() % v.length], pick, k, depth + 1));
    return out;
  }
  if (v !== null && typeof v === 'object') {
    const keys = Object.keys(v);
    const chosen = keys.length > 40 ? Array.from({ length: Math.min(k, keys.length) }, () => keys[pick() % keys.length]!) : keys;
    const out: Record<string, unknown> = {};
    for (const key of chosen) out[key] = slice((v as Record<string, unknown>)[key], pick, k, depth + 1);
    return out;
  }
  return v;
}

type Op = { op: number; at: number; n: number; s: string };
const opArb: fc.Arbitrary<Op> = fc.record({ op: fc.nat(16), at: fc.nat(), n: fc.nat(), s: fc.string({ maxLength: 8 }) });

const HUGE = ['1e400', '-1e400', '123456789012345678901234567890', '1e-400', '18446744073709551616', '0.1' + '0'.repeat(300), '9'.repeat(200)];
const LONE = ['\uD800', '\uDC00', 'A\uDBFFB', '\uDFFF\uD800'];

/** Markers replaced in the serialised text (deep values are built as text: JSON.stringify recurses). */
const DEEP = /"@@DEEP(\d+)@@"|"@@PROTO(\d):(\d+)@@"/g;

/** Collect paths to every node of a tree (bounded). */
function paths(v: unknown, out: Array<Array<string | number>> = [], p: Array<string | number> = []): Array<Array<string | number>> {
  if (out.length > 400) return out;
  out.push(p);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, out, [...p, i]));
  else if (v !== null && typeof v === 'object') for (const k of Object.keys(v)) paths((v as Record<string, unknown>)[k], out, [...p, k]);
  return out;
}

function getAt(root: unknown, p: Array<string | number>): unknown {
  let cur = root;
  for (const s of p) cur = (cur as Record<string | number, unknown>)[s];
  return cur;
}

/** Apply one tree mutation in place (root replaced through the holder). */
function mutateTree(holder: { root: unknown }, o: Op): void {
  const ps = paths(holder.root);
  const p = ps[o.at % ps.length]!;
  const parent = p.length === 0 ? holder : (getAt(holder.root, p.slice(0, -1)) as Record<string | number, unknown>);
  const key = p.length === 0 ? 'root' : p[p.length - 1]!;
  const cur = (parent as Record<string | number, unknown>)[key];
  const set = (v: unknown): void => {
    (parent as Record<string | number, unknown>)[key] = v;
  };
  switch (o.op % 12) {
    case 0: // delete
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else if (p.length > 0) delete (parent as Record<string, unknown>)[key as string];
      break;
    case 1: // type swap
      set(
        [cur === null ? 'null' : typeof cur === 'string' ? Number(cur) || 0 : typeof cur === 'number' ? String(cur) : cur, [], {}, true, null, 0, ''][o.n % 7],
      );
      break;
    case 2: // huge number
      set([Number.MAX_VALUE, -Number.MAX_VALUE, 2 ** 64, -0, 1e-320, Number.MAX_SAFE_INTEGER + 2][o.n % 6]);
      break;
    case 3: // huge string / over-long decimal
      set([HUGE[o.n % HUGE.length], 'x'.repeat(300 + (o.n % 20_000)), `${o.s}${'\u00e9'.repeat(300)}`][o.n % 3]);
      break;
    case 4: // deep nesting (spliced into the text after serialisation, see DEEP)
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
      if (typeof cur === 'string') set([` ${cur} `, cur.toLowerCase(), cur.toUpperCase(), '', '-', 'n/a'][o.n % 6]);
      break;
    case 9: // random short string
      set(o.s);
      break;
    case 10: // numeric string edge cases
      set(['0', '0.0', '00001', '.5', '5.', '1e5', '-1', '0x10', 'NaN', 'Infinity'][o.n % 10]);
      break;
    default: // non-object record
      set([1, 'x', null, [1, 2], true][o.n % 5]);
  }
}

/** Text-level mutations: truncation, invalid UTF-8 bytes. */
function mutateText(text: string, o: Op): string {
  switch (o.op % 4) {
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
      ][o.n % 5]!;
      return Buffer.concat([b.subarray(0, at), bad, b.subarray(at)]).toString('utf8');
    }
    case 2:
      return `\uFEFF${text}`;
    default:
      return text;
  }
}

function mutateCsv(head: string[], rows: string[], delim: string, o: Op): string[] {
  const r = [...rows];
  const i = r.length === 0 ? 0 : o.at % r.length;
  const cols = (r[i] ?? '').split(delim);
  const c = cols.length === 0 ? 0 : o.n % cols.length;
  switch (o.op % 10) {
    case 0: // drop a field (column count)
      cols.splice(c, 1);
      break;
    case 1: // add a field
      cols.splice(c, 0, o.s);
      break;
    case 2: // unbalanced quote
      cols[c] = `"${cols[c] ?? ''}`;
      break;
    case 3: // quoted field with delimiter and escaped quotes
      cols[c] = `"${o.s}${delim}""x"""`;
      break;
    case 4: // huge field / long decimal
      cols[c] = [HUGE[o.n % HUGE.length]!, 'y'.repeat(300 + (o.n % 20_000))][o.n % 2]!;
      break;
    case 5: // lone surrogate
      cols[c] = (cols[c] ?? '') + LONE[o.n % LONE.length];
      break;
    case 6: // duplicate row
      r.splice(i, 0, r[i] ?? '');
      return [...head, ...r];
    case 7: // whitespace-only row
      r.splice(i, 0, ['   ', '\u00a0', delim.repeat(3)][o.n % 3]!);
      return [...head, ...r];
    case 8: {
      // header column renamed to a forbidden key
      const h = [...head];
      const hc = h[h.length - 1]!.split(delim);
      hc[o.n % hc.length] = ['__proto__', 'constructor', 'prototype'][o.n % 3]!;
      h[h.length - 1] = hc.join(delim);
      return [...h, ...r];
    }
    default:
      cols[c] = o.s;
  }
  r[i] = cols.join(delim);
  return [...head, ...r];
}

const caseArb = fc.record({
  format: fc.nat(),
  seed: fc.array(fc.nat(), { minLength: 8, maxLength: 8 }),
  k: fc.integer({ min: 1, max: 3 }),
  tree: fc.array(opArb, { maxLength: 3 }),
  text: fc.option(opArb, { freq: 3, nil: undefined }),
});

function build(c: { format: number; seed: number[]; k: number; tree: Op[]; text?: Op }): { f: Format; text: string } {
  const f = formats[c.format % formats.length]!;
  let s = 0;
  const pick = (): number => c.seed[s++ % c.seed.length]! + s * 7919;
  let text: string;
  if (f.json !== undefined) {
    const holder = { root: slice(f.json, pick, c.k) };
    for (const o of c.tree) mutateTree(holder, o);
    text = (JSON.stringify(holder.root) ?? 'null').replace(DEEP, (_all, d?: string, k?: string, pd?: string) => {
      if (d !== undefined) return '{"n":'.repeat(Number(d)) + '1' + '}'.repeat(Number(d));
      const inner = `{"${['__proto__', 'constructor', 'prototype'][Number(k)]}":{"polluted":true}}`;
      return '[{"n":'.repeat(Number(pd)) + inner + '}]'.repeat(Number(pd));
    });
  } else {
    const { head, rows } = f.csv!;
    let lines = [...head, ...Array.from({ length: c.k }, () => rows[pick() % rows.length]!)];
    for (const o of c.tree) lines = mutateCsv(head, lines.slice(head.length), f.mapping.csv?.delimiter ?? ',', o);
    text = lines.join('\n');
  }
  if (c.text) text = mutateText(text, c.text);
  return { f, text };
}

const protoKeys = (): string => Object.getOwnPropertyNames(Object.prototype).sort().join(',');

async function check(f: Format, text: string): Promise<void> {
  cases++;
  const before = protoKeys();
  const m = f.mapping;
  const t = target;
  t.byId.clear();
  t.bySymbol.clear();
  let res: DiscoveryResult | undefined;
  try {
    res = await discover(text, m, t, { file: 'fuzz' });
  } catch (e) {
    if (!(e instanceof RegistryError)) throw new Error(`untyped error escaped discover: ${String(e)} (${(e as Error)?.stack})`, { cause: e });
    expect(['ParseError', 'LimitExceeded']).toContain(e.code);
    fileFailures++;
  }
  const ref = await referenceDiscover(text, m);
  if (!res) {
    // The engine refused the file: the reference could not parse it, or (limits) refused records.
    if (ref.kind === 'records') expect(ref.outcomes.some((o) => o.kind === 'rejected' && o.code === 'ExpressionLimit')).toBe(true);
  } else {
    expect(ref.kind, 'the reference could not parse what the engine parsed').toBe('records');
    const outcomes = (ref as { outcomes: RefOutcome[] }).outcomes;
    expect(res.recordsSeen).toBe(outcomes.length);
    // every record exactly once
    const status = new Map<number, string>();
    for (const r of res.records) status.set(r.record, 'accepted');
    for (const r of res.rejected) {
      expect(status.has(r.record), `record ${r.record} twice`).toBe(false);
      expect(RECORD_CODES, r.code).toContain(r.code);
      status.set(r.record, `rejected:${r.code}`);
    }
    const skippedTotal = Object.values(res.skipped).reduce((a, b) => a + b, 0);
    expect(status.size + skippedTotal).toBe(res.recordsSeen);
    const byRecord = new Map(res.records.map((r) => [r.record, r]));
    let skippedRef = 0;
    outcomes.forEach((o, i) => {
      const s = status.get(i);
      if (o.kind === 'skipped') {
        skippedRef++;
        expect(s, `record ${i}: reference skips ${o.code}`).toBeUndefined();
      } else if (o.kind === 'rejected') {
        expect(s, `record ${i}: reference rejects ${o.code}`).toMatch(/^rejected:/);
        if (o.code === 'ForbiddenKey' || o.code === 'LimitExceeded') expect(['rejected:ForbiddenKey', 'rejected:LimitExceeded']).toContain(s);
      } else if (s === 'rejected:ExpressionLimit') {
        // the engine's time bound is wall-clock: under load a record may reach it where the
        // (unbounded) reference finished; it is still a typed, counted reject
        timeLimited++;
      } else if (s === 'accepted') {
        const got = byRecord.get(i)!.instruments.map((g) => ({ as: g.as, id: g.id, input: g.input }));
        expect(got, `record ${i}`).toStrictEqual(o.instruments);
        accepted++;
      } else {
        // accepted by the reference, which does not de-duplicate across records
        expect(['rejected:DuplicateRecord', 'rejected:DuplicateSymbol']).toContain(s);
      }
      if (s?.startsWith('rejected:')) rejectedRecords++;
    });
    expect(skippedTotal).toBe(skippedRef);
    // Registration: exactly the emitted instruments of the records the target accepts, nothing of a rejected record.
    const st = await loadPayload('fuzz', t, [m], { source: { text, mapping: m }, maxRejects: Infinity });
    const refused = new Set(st.rejects.map((r) => r.record));
    const expected = new Map<bigint, unknown>();
    const sharedOfRefused = new Set<bigint>();
    for (const r of res.records) {
      for (const g of r.instruments) {
        if (!g.emit) continue;
        const shared = m.instruments.find((x) => x.as === g.as)?.shared === true;
        if (!refused.has(r.record)) expected.set(g.id, g.input);
        else if (shared)
          sharedOfRefused.add(g.id); // a valid dependency registered before the refusal may stay
        else expect(t.byId.has(g.id) && ![...expected.keys()].includes(g.id), `own instrument of refused record ${r.record} registered`).toBe(false);
      }
    }
    for (const id of t.byId.keys()) expect(expected.has(id) || sharedOfRefused.has(id), `unexpected registration ${id}`).toBe(true);
    for (const [id, inp] of expected) expect(t.byId.get(id)).toStrictEqual(inp);
  }
  expect(protoKeys()).toBe(before);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
}

describe(`discovery fuzz (${RUNS} cases over ${Object.keys(FILES).length} payload formats)`, () => {
  it('every unmutated seed loads and matches the reference', async () => {
    for (let fi = 0; fi < formats.length; fi++) {
      for (let k = 1; k <= 3; k++) {
        const { f, text } = build({ format: fi, seed: [1, 2, 3, 4, 5, 6, 7, 8], k, tree: [] });
        await check(f, text);
      }
    }
    expect(accepted).toBeGreaterThan(formats.length);
  });

  it(
    'mutated payloads end in reference-equal records or typed, counted rejects',
    async () => {
      await fc.assert(
        fc.asyncProperty(caseArb, async (c) => {
          const { f, text } = build(c);
          await check(f, text);
          if (cases % 10_000 === 0) console.log(`discovery fuzz: ${cases} cases…`);
        }),
        { numRuns: RUNS },
      );
      console.log(
        `discovery fuzz: ${cases} cases, ${accepted} records accepted and equal to the reference, ${rejectedRecords} records rejected with a typed code, ${fileFailures} payloads refused whole (typed), ${timeLimited} records at the time bound`,
      );
      expect(rejectedRecords).toBeGreaterThan(RUNS / 10);
      expect(accepted).toBeGreaterThan(RUNS / 10);
    },
    120_000 + RUNS * 50,
  );
});
