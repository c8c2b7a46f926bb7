/**
 * Registration cost breakdown, single writer thread: validation, id derivation (WASM BLAKE3 vs
 * the @noble/hashes reference), detail-blob encoding, UTF-8 encoding (TextEncoder vs the ASCII
 * fast path in src/model/utf8.ts), and whole `registerInstrument` calls on a fresh registry.
 * 200 000 CEX pairs; second of two passes reported (the first warms the JIT).
 *
 * Run: `npm run build && node dist/bench/registration.bench.js`
 */
import os from 'node:os';
import { IdDeriver, deriveIdReference } from '../src/id/derive.js';
import type { InstrumentInput } from '../src/model/types.js';
import { utf8Bytes } from '../src/model/utf8.js';
import { validateInstrument } from '../src/model/validate.js';
import { encodeDetail } from '../src/shm/detail.js';
import { InstrumentRegistry } from '../src/writer/registry.js';

const N = 200_000;
console.log(
  `registration.bench — ${os.cpus()[0]?.model ?? 'cpu'}, ${os.cpus().length} cores, Node ${process.version} ${process.platform}/${process.arch}; ${N} CEX pairs`,
);
const inputs: InstrumentInput[] = [];
for (let i = 0; i < N; i++) {
  inputs.push({
    kind: 'cexPair',
    symbol: `SYM${i}`,
    venue: `V${i % 50}`,
    source: 'cex',
    status: 'active',
    baseId: BigInt(i + 1),
    quoteId: BigInt((i % 1000) + 7),
    tickSize: { raw: 1n, scale: 2 },
    lotSize: { raw: 1n, scale: 5 },
    makerFeeBps: 10,
    takerFeeBps: 10,
  });
}
const valid = inputs.map(validateInstrument);
const deriver = await IdDeriver.create();
const encoder = new TextEncoder();

function time(name: string, n: number, f: (i: number) => unknown): void {
  let us = 0;
  for (let pass = 0; pass < 2; pass++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) f(i);
    us = ((performance.now() - t0) * 1000) / n;
  }
  console.log(`  ${name.padEnd(44)} ${us.toFixed(3).padStart(8)} µs/op   ${(1 / us).toFixed(3)} M ops/s`);
}

time('validateInstrument', N, (i) => validateInstrument(inputs[i]!));
time('id derivation, hash-wasm BLAKE3', N, (i) => deriver.deriveValidated(valid[i]!));
time('id derivation, @noble/hashes BLAKE3 (reference)', N / 10, (i) => deriveIdReference(valid[i]!));
time('encodeDetail', N, (i) => encodeDetail(valid[i]!));
time('UTF-8 of a symbol, TextEncoder.encode', N, (i) => encoder.encode(valid[i]!.symbol));
time('UTF-8 of a symbol, ASCII fast path (utf8Bytes)', N, (i) => utf8Bytes(valid[i]!.symbol));
for (const pass of ['new', 'unchanged']) {
  const reg = await InstrumentRegistry.create({ initialCapacity: N, requireReferences: false });
  if (pass === 'unchanged') for (const x of inputs) reg.registerInstrument(x);
  const t0 = performance.now();
  for (const x of inputs) reg.registerInstrument(x);
  const us = ((performance.now() - t0) * 1000) / N;
  console.log(`  registerInstrument (${pass.padEnd(9)}, fresh table)         ${us.toFixed(3).padStart(8)} µs/op   ${(1 / us).toFixed(3)} M ops/s`);
}
