/**
 * Single-thread lookup micro-benchmark: the reader's key probe and probe + one field, against a
 * thread-local `Map` keyed by a number (the fastest JS baseline) and by a BigInt id (what
 * `instreg bench` uses), on a 4096-instrument hot set in tables of 4 096 and 1 000 000 instruments.
 * Loop of 2 M lookups per timer pair; third of three repetitions reported.
 *
 * Run: `npm run build && node dist/bench/lookup.bench.js`
 */
import os from 'node:os';
import { RegistryReader } from '../src/reader/reader.js';
import { InstrumentView } from '../src/reader/view.js';
import { InstrumentRegistry } from '../src/writer/registry.js';

const HOT = 4096;
const OPS = 2_000_000;

console.log(`lookup.bench — ${os.cpus()[0]?.model ?? 'cpu'}, ${os.cpus().length} cores, Node ${process.version} ${process.platform}/${process.arch}`);
for (const n of [4096, 1_000_000]) {
  const reg = await InstrumentRegistry.create({ initialCapacity: n });
  const lo = new Uint32Array(n);
  const hi = new Uint32Array(n);
  const big: bigint[] = [];
  for (let i = 0; i < n; i++) {
    const { id } = reg.registerInstrument({ kind: 'currency', symbol: `C${i}`, venue: 'ASSET', source: 'cex', status: 'active' });
    lo[i] = Number(id & 0xffffffffn);
    hi[i] = Number(id >> 32n);
    big.push(id);
  }
  const reader = RegistryReader.attach(reg.handle);
  const view = new InstrumentView(reader);
  const hot = new Uint32Array(HOT);
  for (let i = 0; i < HOT; i++) hot[i] = (Math.imul(i, 2654435761) >>> 0) % n; // spread over the table
  const byNumber = new Map<number, { kind: string }>();
  const byBigint = new Map<bigint, { kind: string }>();
  for (let i = 0; i < HOT; i++) {
    byNumber.set(lo[hot[i]!]!, { kind: 'currency' });
    byBigint.set(big[hot[i]!]!, { kind: 'currency' });
  }
  const scenarios: Record<string, (i: number) => number> = {
    'instreg key probe (getByIdHalves)': (i) => reader.getByIdHalves(lo[i]!, hi[i]!, view)!.slot,
    'instreg probe + kind (line copy)': (i) => reader.getByIdHalves(lo[i]!, hi[i]!, view)!.kindCode,
    'Map<number>.get + kind': (i) => byNumber.get(lo[i]!)!.kind.length,
    'Map<bigint>.get + kind': (i) => byBigint.get(big[i]!)!.kind.length,
  };
  for (const [name, f] of Object.entries(scenarios)) {
    let ns = 0;
    let sink = 0;
    for (let rep = 0; rep < 3; rep++) {
      const t0 = process.hrtime.bigint();
      for (let k = 0; k < OPS; k++) sink += f(hot[k & (HOT - 1)]!);
      ns = Number(process.hrtime.bigint() - t0) / OPS;
    }
    console.log(`${String(n).padStart(8)} instruments, hot ${HOT}: ${name.padEnd(36)} ${ns.toFixed(1).padStart(6)} ns/lookup${sink === 0 ? ' (!)' : ''}`);
  }
}
