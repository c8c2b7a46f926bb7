/**
 * The shared venue table: venue code ↔ u16 index. The writer appends; readers keep a
 * private Map they refresh when the published count grows. Entries are immutable.
 *
 * @module
 */
import { CTL, VENUE_CODE_MAX, VENUE_CODE_OFFSET, VENUE_ENTRY_SIZE, VENUE_LEN_OFFSET, VENUE_MAX_COUNT } from '../../layout/index.js';
import { RegistryError } from '../errors.js';

/** Writer side: interns venue codes. */
export class VenueTableWriter {
  private readonly index = new Map<string, number>();
  private readonly codes: string[] = [];
  constructor(
    private readonly sab: SharedArrayBuffer,
    private readonly ctl: Int32Array,
  ) {
    const r = new VenueTableReader(sab, ctl);
    r.refresh();
    for (const [code, i] of r.entries()) {
      this.index.set(code, i);
      this.codes[i] = code;
    }
  }

  /** Index of a venue code, `undefined` if never interned. */
  get(code: string): number | undefined {
    return this.index.get(code);
  }

  /** Code of a venue index. */
  code(index: number): string {
    const c = this.codes[index];
    if (c === undefined) throw new RegistryError('InvalidField', `unknown venue index ${index}`);
    return c;
  }

  /**
   * Index of a venue code, interning it if new. The code must be validated ASCII ≤ 16 bytes.
   * @throws {RegistryError} `CapacityExceeded` past 65535 venues.
   */
  intern(code: string): number {
    const found = this.index.get(code);
    if (found !== undefined) return found;
    const i = this.codes.length;
    if (i >= VENUE_MAX_COUNT) throw new RegistryError('CapacityExceeded', 'venue table full');
    if (code.length > VENUE_CODE_MAX) throw new RegistryError('FieldTooLong', `venue code ${code}`);
    const end = (i + 1) * VENUE_ENTRY_SIZE;
    if (end > this.sab.byteLength) this.sab.grow(Math.min(this.sab.maxByteLength, Math.max(end, this.sab.byteLength * 2)));
    const u8 = new Uint8Array(this.sab);
    const base = i * VENUE_ENTRY_SIZE;
    new DataView(this.sab).setUint32(base + VENUE_LEN_OFFSET, code.length, true);
    for (let k = 0; k < code.length; k++) u8[base + VENUE_CODE_OFFSET + k] = code.charCodeAt(k);
    this.codes.push(code);
    this.index.set(code, i);
    Atomics.store(this.ctl, CTL.VENUE_COUNT, i + 1); // publish (release)
    return i;
  }

  /** Can {@link intern} take `code` (known already, or room for one more)? */
  hasRoomFor(code: string): boolean {
    return this.index.has(code) || this.codes.length < VENUE_MAX_COUNT;
  }

  /** Number of venues. */
  get size(): number {
    return this.codes.length;
  }
}

/** Reader side: a private code ↔ index cache over the shared table. */
export class VenueTableReader {
  private readonly byCode = new Map<string, number>();
  private readonly codes: string[] = [];
  constructor(
    private readonly sab: SharedArrayBuffer,
    private readonly ctl: Int32Array,
  ) {}

  /** Pull in entries published since the last call. */
  refresh(): void {
    const n = Atomics.load(this.ctl, CTL.VENUE_COUNT); // acquire: entries < n are complete
    if (n <= this.codes.length) return;
    const u8 = new Uint8Array(this.sab);
    const dv = new DataView(this.sab);
    for (let i = this.codes.length; i < n; i++) {
      const base = i * VENUE_ENTRY_SIZE;
      const len = dv.getUint32(base + VENUE_LEN_OFFSET, true);
      let code = '';
      for (let k = 0; k < len; k++) code += String.fromCharCode(u8[base + VENUE_CODE_OFFSET + k]!);
      this.codes.push(code);
      this.byCode.set(code, i);
    }
  }

  /** Index of a venue code, or -1. */
  indexOf(code: string): number {
    let i = this.byCode.get(code);
    if (i === undefined) {
      this.refresh();
      i = this.byCode.get(code);
    }
    return i ?? -1;
  }

  /** Code of a venue index (refreshing if it is newer than the cache). */
  code(index: number): string {
    if (index >= this.codes.length) this.refresh();
    return this.codes[index] ?? `#${index}`;
  }

  /** All `[code, index]` pairs known so far. */
  entries(): IterableIterator<[string, number]> {
    this.refresh();
    return this.byCode.entries();
  }
}
