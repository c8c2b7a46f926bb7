/**
 * Child processes of `bench/service.bench.ts`:
 * - `echo SOCKET`: raw Unix-socket echo server (the ratio base for round trips);
 * - `writer DIR FSYNC`: the writer service;
 * - `replica SOCKET|nats://URL OUT`: a replica that records (seq, apply wall time ns) for every
 *   applied entry and writes them to OUT on SIGTERM.
 * Each prints `ready` on stdout.
 *
 * @module
 */
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { openReplica } from '../src/replica/index.js';
import { nowNs } from '../src/service/apply.js';
import { WriterService } from '../src/service/writer-service.js';

const [mode, a, b] = process.argv.slice(2);
if (mode === 'echo') {
  createServer((s) => s.on('data', (d) => s.write(d))).listen(a!, () => process.stdout.write('ready\n'));
} else if (mode === 'writer') {
  const fsync = b === 'always' ? 'always' : { groupMs: Number(b!.replace('group:', '')) };
  const svc = await WriterService.start({ dir: a!, fsync, snapshotEveryMs: 0, snapshotEveryEntries: 0 });
  process.stdout.write('ready\n');
  process.on('SIGTERM', () => void svc.close().then(() => process.exit(0)));
} else if (mode === 'replica') {
  const replica = await openReplica(a!.startsWith('nats://') ? { url: a! } : { socket: a! });
  const seqs: number[] = [];
  const times: number[] = [];
  replica.state.on('applied', (seq: bigint) => {
    seqs.push(Number(seq));
    times.push(Number(nowNs() / 1000n));
  });
  process.stdout.write('ready\n');
  process.on('SIGTERM', () => {
    writeFileSync(b!, JSON.stringify({ seqs, times }));
    process.exit(0);
  });
}
