/**
 * Snapshot temp files (issue 12 item 4): created exclusively, without following links, under an
 * unpredictable name; temp files of dead writers removed before a write; a symlink at the snapshot
 * path is replaced, its target untouched.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSnapshotHeader, writeSnapshot } from '../src/snapshot/index.js';
import { InstrumentRegistry } from '../src/writer/registry.js';

let dir: string;
let reg: InstrumentRegistry;
const VICTIM = 'precious data\n';

/** A pid that belonged to a process that has exited (so no process has it now, barring reuse). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'instreg-snap-tmp-'));
  reg = await InstrumentRegistry.create({ initialCapacity: 64 });
  reg.registerInstrument({ kind: 'currency', symbol: 'BTC', venue: 'ASSET', source: 'cex', status: 'active' });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('snapshot temp files', () => {
  it('a symlink planted at <file>.tmp-<pid> (the old predictable name) is not written through', async () => {
    const file = join(dir, 'a.snap');
    const victim = join(dir, 'victim.txt');
    writeFileSync(victim, VICTIM);
    symlinkSync(victim, `${file}.tmp-${process.pid}`);
    await writeSnapshot(reg, file);
    expect(readFileSync(victim, 'utf8')).toBe(VICTIM);
    expect(readSnapshotHeader(file).instruments).toBe(1);
  });

  it('the temp file has an unpredictable name and is a fresh regular file', async () => {
    const file = join(dir, 'b.snap');
    const seen: string[] = [];
    for (let i = 0; i < 2; i++) {
      await writeSnapshot(reg, file, {
        testHooks: {
          afterChunk: (_w, _t, tmp) => {
            if (!seen.includes(tmp)) seen.push(tmp);
            expect(lstatSync(tmp).isFile()).toBe(true);
          },
        },
      });
    }
    expect(seen).toHaveLength(2);
    for (const t of seen) expect(t).toMatch(new RegExp(`b\\.snap\\.tmp-${process.pid}-[0-9a-f]{16}$`));
    expect(seen[0]).not.toBe(seen[1]);
  });

  it('temp files of dead writers are removed at the start of a write, even one that then fails', async () => {
    const file = join(dir, 'c.snap');
    const dead = deadPid();
    const victim = join(dir, 'victim-c.txt');
    writeFileSync(victim, VICTIM);
    const stale = [`${file}.tmp-${dead}`, `${file}.tmp-${dead}-00112233aabbccdd`];
    writeFileSync(stale[0]!, 'half a snapshot');
    symlinkSync(victim, stale[1]!);
    const mine = `${file}.tmp-${process.pid}-feedfacefeedface`; // a live writer's (this process): kept
    writeFileSync(mine, 'in progress');
    await expect(
      writeSnapshot(reg, file, {
        testHooks: {
          beforeRename: () => {
            throw new Error('disk gone');
          },
        },
      }),
    ).rejects.toThrow('disk gone');
    for (const s of stale) expect(existsSync(s) || lstatSync(s, { throwIfNoEntry: false }) !== undefined, s).toBe(false);
    expect(existsSync(mine)).toBe(true);
    expect(readFileSync(victim, 'utf8')).toBe(VICTIM);
    // the failed write left no temp file of its own and no snapshot
    expect(
      readdirSync(dir)
        .filter((n) => n.startsWith('c.snap'))
        .sort(),
    ).toEqual([`c.snap.tmp-${process.pid}-feedfacefeedface`]);
  });

  it('a symlink at the snapshot path is replaced by the snapshot; its target is left as it was', async () => {
    const file = join(dir, 'd.snap');
    const target = join(dir, 'target.txt');
    writeFileSync(target, VICTIM);
    symlinkSync(target, file);
    await writeSnapshot(reg, file);
    expect(lstatSync(file).isSymbolicLink()).toBe(false);
    expect(readSnapshotHeader(file).instruments).toBe(1);
    expect(readFileSync(target, 'utf8')).toBe(VICTIM);
  });
});
