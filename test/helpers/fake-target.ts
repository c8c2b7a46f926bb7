/**
 * A Map-backed stand-in for the writer's `InstrumentRegistry`, implementing the discovery
 * engine's `RegistrationTarget` (validate + derive id with the real `IdDeriver`, refuse a second
 * instrument on the same venue + symbol, report added / unchanged / updated).
 */
import { DuplicateSymbolError } from '../../src/errors.js';
import { IdDeriver, joinId } from '../../src/id/derive.js';
import { validateInstrument } from '../../src/model/validate.js';
import { symbolIsUnique, type InstrumentInput } from '../../src/model/types.js';
import type { RegistrationTarget } from '../../src/discovery/engine.js';

const replacer = (_k: string, v: unknown): unknown => (typeof v === 'bigint' ? `${v}n` : v);

/** Fake registry for discovery tests. */
export class FakeTarget implements RegistrationTarget {
  readonly byId = new Map<bigint, InstrumentInput>();
  readonly bySymbol = new Map<string, bigint>();
  private constructor(private readonly deriver: IdDeriver) {}

  static async create(): Promise<FakeTarget> {
    return new FakeTarget(await IdDeriver.create());
  }

  idOf(input: InstrumentInput): bigint {
    const v = validateInstrument(input);
    const d = this.deriver.derive(v);
    return joinId(d.idLo, d.idHi);
  }

  has(id: bigint): boolean {
    return this.byId.has(id);
  }

  registerInstrument(input: InstrumentInput, opts?: { placeholder?: boolean }): { id: bigint; outcome: 'added' | 'unchanged' | 'updated' } {
    const v = validateInstrument(input);
    const id = this.idOf(v);
    if (opts?.placeholder && this.byId.has(id)) return { id, outcome: 'unchanged' };
    const sk = `${v.venue}\u0000${v.symbol}`;
    const other = this.bySymbol.get(sk);
    if (other !== undefined && other !== id && symbolIsUnique(v.kind)) {
      // a placeholder defers to the same listing: same kind, no field other than status / name / timestamps in conflict
      const held = this.byId.get(other)! as unknown as Record<string, unknown>;
      const agree = Object.entries(v).every(
        ([k, x]) =>
          ['status', 'name', 'createdAt', 'updatedAt'].includes(k) ||
          held[k] === undefined ||
          JSON.stringify(held[k], replacer) === JSON.stringify(x, replacer),
      );
      if (opts?.placeholder && agree) return { id: other, outcome: 'unchanged' };
      throw new DuplicateSymbolError(v.venue, v.symbol, other);
    }
    const prev = this.byId.get(id);
    if (prev && JSON.stringify(prev, replacer) === JSON.stringify(v, replacer)) return { id, outcome: 'unchanged' };
    this.byId.set(id, v);
    this.bySymbol.set(sk, id);
    return { id, outcome: prev ? 'updated' : 'added' };
  }

  /** The instrument registered with this venue + symbol. */
  find(venue: string, symbol: string): InstrumentInput | undefined {
    const id = this.bySymbol.get(`${venue}\u0000${symbol}`);
    return id === undefined ? undefined : this.byId.get(id);
  }
}
