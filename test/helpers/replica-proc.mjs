// Replica in its own process: node replica-proc.mjs SOCKET
// stdin commands: "dump FILE" writes every live record (JSON, bigints as strings) and prints "dumped SEQ".
import { writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { openReplica } from '../../dist/src/replica/index.js';

const replica = await openReplica({ socket: process.argv[2] });
process.stdout.write(`ready ${replica.appliedSeq}\n`);
for await (const line of createInterface({ input: process.stdin })) {
  const [cmd, arg, waitSeq] = line.trim().split(' ');
  if (cmd === 'dump') {
    if (waitSeq) await replica.waitFor(BigInt(waitSeq), 30_000);
    const all = replica
      .reader()
      .all()
      .map((v) => v.toObject());
    writeFileSync(
      arg,
      JSON.stringify(all, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x)),
    );
    process.stdout.write(`dumped ${replica.appliedSeq}\n`);
  }
}
