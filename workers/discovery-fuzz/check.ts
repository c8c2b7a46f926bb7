/**
 * The check of one discovery fuzz case: the payload is loaded (`loadPayload`) into a real
 * {@link InstrumentRegistry} (shared memory, one per batch of cases, emptied after each case) and
 * evaluated by the independent reference (`reference.ts`). The case passes when:
 *
 * - nothing but a `RegistryError` escapes; a payload refused whole is refused with `ParseError` /
 *   `LimitExceeded`, registers nothing, and is one the reference cannot read (or whose records
 *   reach an evaluation bound);
 * - otherwise every record is exactly one of skipped (same skip codes and counts as the
 *   reference), rejected with a known record code (every record the reference rejects; a
 *   `ForbiddenKey` / `LimitExceeded` one in that class), or accepted; a record the reference
 *   accepts is rejected only as a duplicate of an earlier record that the reference shows (same
 *   id / same venue + symbol), or at the wall-clock evaluation bound;
 * - the registry then holds exactly the instruments of the accepted records (decoded from shared
 *   memory, field by field equal to the reference's, ids from the @noble/hashes reference), plus
 *   at most shared dependencies of a record the registry refused; nothing of a rejected record;
 * - `Object.prototype` is untouched.
 *
 * A violation throws {@link FuzzFailure}; counts per format are kept in {@link FormatStats}.
 *
 * @module
 */
import { isDeepStrictEqual, inspect } from 'node:util';
import { loadPayload, type LoadedMapping, type SourceStats } from '../../src/discovery/engine.js';
import { RegistryError } from '../../src/errors.js';
import { symbolIsUnique, type InstrumentInput } from '../../src/model/types.js';
import { InstrumentRegistry } from '../../src/writer/registry.js';
import { RefMemo, referenceDiscover, type RefOutcome } from './reference.js';

/** Codes a record may be rejected with. */
export const RECORD_CODES: ReadonlySet<string> = new Set([
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

/** Codes a whole payload may be refused with. */
export const FILE_CODES: ReadonlySet<string> = new Set(['ParseError', 'LimitExceeded']);

/** A violated property of the suite. */
export class FuzzFailure extends Error {}

/** Counts of one format. */
export interface FormatStats {
  cases: number;
  /** Payloads refused whole, by code (typed). */
  refused: Record<string, number>;
  /** Records in the payloads that were read. */
  records: number;
  /** Records accepted, their instruments registered and equal to the reference. */
  accepted: number;
  /** Records rejected, by code (typed, counted). */
  rejected: Record<string, number>;
  /** Records skipped by the mapping's rules. */
  skipped: number;
  /** Instruments registered (and checked against the reference). */
  registered: number;
  /** Records the reference accepts that met the wall-clock evaluation bound. */
  timeLimited: number;
  /** Wall time spent, ms: building the payload, loading it (engine + registry), the reference, comparing (incl. registry reads). */
  ms: { build: number; engine: number; reference: number; compare: number };
}

/** Empty counts. */
export function emptyStats(): FormatStats {
  return {
    cases: 0,
    refused: {},
    records: 0,
    accepted: 0,
    rejected: {},
    skipped: 0,
    registered: 0,
    timeLimited: 0,
    ms: { build: 0, engine: 0, reference: 0, compare: 0 },
  };
}

/** Add counts of `b` into `a`. */
export function addStats(a: FormatStats, b: FormatStats): void {
  for (const k of ['cases', 'records', 'accepted', 'skipped', 'registered', 'timeLimited'] as const) a[k] += b[k];
  for (const [c, n] of Object.entries(b.refused)) a.refused[c] = (a.refused[c] ?? 0) + n;
  for (const [c, n] of Object.entries(b.rejected)) a.rejected[c] = (a.rejected[c] ?? 0) + n;
  for (const k of ['build', 'engine', 'reference', 'compare'] as const) a.ms[k] += b.ms[k];
}

/** `Object.prototype`'s own properties and their values, as the process started. */
const PROTO = new Map(Reflect.ownKeys(Object.prototype).map((k) => [k, Object.getOwnPropertyDescriptor(Object.prototype, k)!]));
const protoChanged = (): boolean => {
  const keys = Reflect.ownKeys(Object.prototype);
  if (keys.length !== PROTO.size) return true;
  for (const k of keys) {
    const d = Object.getOwnPropertyDescriptor(Object.prototype, k)!;
    const p = PROTO.get(k);
    if (!p || d.value !== p.value || d.get !== p.get || d.set !== p.set) return true;
  }
  return false;
};

function fail(msg: string): never {
  throw new FuzzFailure(msg);
}

/** Cases per registry before a fresh one is made (tombstones, heap and venue table stay bounded). */
const CASES_PER_REGISTRY = 1_000;

/** Runs and checks cases (one per call of {@link check}); keeps a registry and the reference's memo. */
export class FuzzChecker {
  /** Counts by format name. */
  readonly stats = new Map<string, FormatStats>();
  /** The reference's outcomes of records seen (see `RefMemo`). */
  readonly memo = new RefMemo();
  private registry: InstrumentRegistry | undefined;
  private used = 0;
  private clean = false;

  /** Counts of a format (created on first use). */
  statsOf(name: string): FormatStats {
    let s = this.stats.get(name);
    if (!s) this.stats.set(name, (s = emptyStats()));
    return s;
  }

  /**
   * Load one payload with `m` and check it (see the module doc).
   * @throws {FuzzFailure} on any violation, with the payload (cut to 2 000 characters) in the message
   */
  async check(m: LoadedMapping, text: string): Promise<void> {
    if (!this.registry || !this.clean || this.used >= CASES_PER_REGISTRY) {
      this.registry = await InstrumentRegistry.create({ initialCapacity: 4096 });
      this.used = 0;
    }
    this.used++;
    this.clean = false;
    try {
      await this.run(m, text, this.registry);
    } catch (e) {
      const shown = JSON.stringify(text.length > 2000 ? `${text.slice(0, 2000)}…(${text.length} characters)` : text);
      if (e instanceof FuzzFailure) throw new FuzzFailure(`${m.name}: ${e.message}\npayload: ${shown}`);
      throw new FuzzFailure(`${m.name}: the check itself threw: ${(e as Error)?.stack ?? String(e)}\npayload: ${shown}`);
    }
    this.clean = true;
  }

  private async run(m: LoadedMapping, text: string, reg: InstrumentRegistry): Promise<void> {
    const stats = this.statsOf(m.name);
    stats.cases++;
    let t = performance.now();
    const tick = (k: keyof FormatStats['ms']): void => {
      const now = performance.now();
      stats.ms[k] += now - t;
      t = now;
    };
    let st: SourceStats | undefined;
    let refusal: RegistryError | undefined;
    try {
      st = await loadPayload('fuzz', reg, [m], { source: { text, mapping: m }, maxRejects: Infinity });
    } catch (e) {
      if (!(e instanceof RegistryError)) fail(`untyped error escaped loadPayload: ${(e as Error)?.stack ?? String(e)}`);
      if (!FILE_CODES.has(e.code)) fail(`payload refused with ${e.code} (expected ${[...FILE_CODES].join(' / ')}): ${e.message}`);
      refusal = e;
    }
    tick('engine');
    const ref = await referenceDiscover(text, m, this.memo);
    tick('reference');
    const held = reg.getMetrics().instruments;
    if (!st) {
      if (held !== 0) fail(`payload refused (${refusal!.code}) but ${held} instruments were registered`);
      if (ref.kind === 'records' && !ref.outcomes.some((o) => o.kind === 'rejected' && o.code === 'ExpressionLimit'))
        fail(`engine refused the payload (${refusal!.code}: ${refusal!.message}); the reference reads ${ref.outcomes.length} records`);
      stats.refused[refusal!.code] = (stats.refused[refusal!.code] ?? 0) + 1;
    } else {
      if (ref.kind !== 'records') fail('the reference could not parse what the engine loaded');
      this.compare(m, st, ref.outcomes, reg, held, stats);
    }
    if (protoChanged() || ({} as Record<string, unknown>).polluted !== undefined) fail('Object.prototype was changed');
    tick('compare');
  }

  private compare(m: LoadedMapping, st: SourceStats, O: RefOutcome[], reg: InstrumentRegistry, held: number, stats: FormatStats): void {
    if (st.recordsSeen !== O.length) fail(`engine saw ${st.recordsSeen} records, the reference ${O.length}`);
    stats.records += O.length;
    const engine = new Map<number, string>();
    for (const r of st.rejects) {
      if (!Number.isInteger(r.record) || r.record < 0 || r.record >= O.length) fail(`reject of record ${r.record} (of ${O.length})`);
      if (engine.has(r.record)) fail(`record ${r.record} rejected twice (${engine.get(r.record)}, ${r.code})`);
      if (!RECORD_CODES.has(r.code)) fail(`record ${r.record} rejected with unknown code ${r.code}: ${r.reason}`);
      if (typeof r.reason !== 'string' || r.reason === '') fail(`record ${r.record} rejected (${r.code}) without a reason`);
      engine.set(r.record, r.code);
    }
    if (Object.values(st.rejected).reduce((a, b) => a + b, 0) !== st.rejects.length)
      fail(`reject counts ${JSON.stringify(st.rejected)} do not add up to ${st.rejects.length} rejects`);
    const shared = new Set(m.instruments.filter((t) => t.shared).map((t) => t.as));
    const refSkipped: Record<string, number> = {};
    /** Instruments the registry must hold (first occurrence by id), and shared ones it may hold. */
    const expected = new Map<bigint, InstrumentInput>();
    const mayHold = new Map<bigint, InstrumentInput>();
    O.forEach((o, i) => {
      const e = engine.get(i);
      if (o.kind === 'skipped') {
        if (e !== undefined) fail(`record ${i}: the reference skips it (${o.code}), the engine rejects it (${e})`);
        refSkipped[o.code] = (refSkipped[o.code] ?? 0) + 1;
        return;
      }
      if (o.kind === 'rejected') {
        if (o.code === 'Untyped') fail(`record ${i}: the conversion or validation (shared with the engine) threw an untyped error`);
        if (e === undefined) fail(`record ${i}: the reference rejects it (${o.code}), the engine does not`);
        const scan = ['ForbiddenKey', 'LimitExceeded'];
        if (scan.includes(o.code) && !scan.includes(e)) fail(`record ${i}: the reference rejects it ${o.code}, the engine ${e}`);
        return;
      }
      if (e === undefined) {
        for (const g of o.instruments) if (!expected.has(g.id)) expected.set(g.id, g.input);
        stats.accepted++;
        return;
      }
      if (e === 'ExpressionLimit') stats.timeLimited++;
      else if (e === 'DuplicateRecord') {
        const own = o.instruments.filter((g) => !shared.has(g.as)).map((g) => g.id);
        if (!O.slice(0, i).some((p) => p.kind === 'accepted' && p.instruments.some((h) => own.includes(h.id))))
          fail(`record ${i}: rejected DuplicateRecord, but no earlier record has one of its instruments`);
      } else if (e === 'DuplicateSymbol') {
        const clash = (a: InstrumentInput, b: InstrumentInput, idA: bigint, idB: bigint): boolean =>
          a.venue === b.venue && a.symbol === b.symbol && idA !== idB && symbolIsUnique(a.kind);
        if (!O.slice(0, i).some((p) => p.kind === 'accepted' && p.instruments.some((h) => o.instruments.some((g) => clash(g.input, h.input, g.id, h.id)))))
          fail(`record ${i}: rejected DuplicateSymbol, but no earlier record lists another instrument on its venue + symbol`);
      } else fail(`record ${i}: the reference accepts it, the engine rejects it ${e} (${st.rejects.find((r) => r.record === i)?.reason})`);
      for (const g of o.instruments) if (shared.has(g.as) && !mayHold.has(g.id)) mayHold.set(g.id, g.input);
    });
    for (const code of new Set([...Object.keys(refSkipped), ...Object.keys(st.skipped)]))
      if ((st.skipped[code] ?? 0) !== (refSkipped[code] ?? 0)) fail(`skipped ${code}: engine ${st.skipped[code] ?? 0}, reference ${refSkipped[code] ?? 0}`);
    for (const n of Object.values(st.skipped)) stats.skipped += n;
    for (const c of engine.values()) stats.rejected[c] = (stats.rejected[c] ?? 0) + 1;

    // the registry: exactly the expected instruments (plus refused records' shared dependencies), equal to the reference
    const found: bigint[] = [];
    for (const [id, input] of expected) {
      const got = reg.getById(id);
      if (!got) fail(`instrument ${id} (${input.venue}:${input.symbol}) of an accepted record is not registered`);
      same(got, input, id);
      found.push(id);
    }
    for (const [id, input] of mayHold) {
      if (expected.has(id)) continue;
      const got = reg.getById(id);
      if (got) {
        same(got, input, id);
        found.push(id);
      }
    }
    if (held !== found.length) fail(`the registry holds ${held} instruments, the accepted records have ${found.length}`);
    if (st.added !== held) fail(`loadPayload counts ${st.added} added, the registry holds ${held}`);
    stats.registered += held;
    for (const id of found) reg.removeInstrument(id, { cascade: true }); // referrers go with what they refer to
    if (reg.getMetrics().instruments !== 0) fail('the registry is not empty after removing every instrument of the case');
  }
}

/** The decoded instrument equals the reference's (every field; only id and registry timestamps added). */
function same(got: object, want: InstrumentInput, id: bigint): void {
  const g = got as Record<string, unknown>;
  const w = want as unknown as Record<string, unknown>;
  if (g.id !== id) fail(`instrument ${id} decodes with id ${String(g.id)}`);
  for (const k of Object.keys(w)) {
    if (!isDeepStrictEqual(g[k], w[k])) fail(`instrument ${id} field ${k}: registered ${inspect(g[k])}, reference ${inspect(w[k])}`);
  }
  for (const k of Object.keys(g)) {
    if (!(k in w) && k !== 'id' && k !== 'createdAt' && k !== 'updatedAt')
      fail(`instrument ${id}: registered field ${k} = ${inspect(g[k])} is not in the reference`);
  }
}
