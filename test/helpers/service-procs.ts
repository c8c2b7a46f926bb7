/**
 * Helpers for the service fault tests: spawn the writer / replica helper processes, wait for
 * their ready line, a real nats-server with JetStream on an ephemeral loopback port, canonical
 * record dumps.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const here = new URL('.', import.meta.url).pathname;

/** Canonical text of a record list: bigints tagged, keys sorted, sorted by id. */
export function canonical(records: ReadonlyArray<Record<string, unknown>>): string[] {
  const text = (v: unknown) =>
    JSON.stringify(v, (_k, x: unknown) => {
      if (typeof x === 'bigint') return `${x}n`;
      if (x !== null && typeof x === 'object' && !Array.isArray(x))
        return Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)));
      return x;
    });
  return records.map(text).sort();
}

/** Spawn a helper and resolve with its first stdout line matching `ready`. */
export function spawnReady(script: string, args: string[], ready: RegExp, timeoutMs = 20_000): Promise<{ child: ChildProcess; line: string }> {
  const child = spawn(process.execPath, [join(here, script), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${script} not ready in ${timeoutMs} ms: ${err}`)), timeoutMs);
    const rl = createInterface({ input: child.stdout! });
    rl.on('line', (line) => {
      if (ready.test(line)) {
        clearTimeout(t);
        resolve({ child, line });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`${script} exited ${code}: ${err}`));
    });
  });
}

/** Kill with SIGKILL and wait for the exit. */
export function killHard(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

/** A free loopback TCP port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

/** A real nats-server with JetStream, started and stopped by the test. */
export class NatsServer {
  child: ChildProcess | undefined;
  readonly storeDir = mkdtempSync(join(tmpdir(), 'instreg-nats-'));
  constructor(readonly port: number) {}

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  /** Start (fails with a clear message when the binary is missing). */
  async start(): Promise<void> {
    const which = spawnSync('sh', ['-c', 'command -v nats-server']);
    if (which.status !== 0) throw new Error('nats-server is not installed: apt-get update && apt-get install -y nats-server (see .ci/run)');
    this.child = spawn('nats-server', ['-js', '-a', '127.0.0.1', '-p', String(this.port), '-sd', this.storeDir], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`nats-server did not start: ${log}`)), 15_000);
      this.child!.stderr!.on('data', (d: Buffer) => {
        log += d.toString();
        if (log.includes('Server is ready')) {
          clearTimeout(t);
          resolve();
        }
      });
      this.child!.once('exit', (c) => reject(new Error(`nats-server exited ${c}: ${log}`)));
    });
  }

  /** Stop (SIGTERM, then wait). */
  async stop(): Promise<void> {
    const c = this.child;
    this.child = undefined;
    if (!c || c.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill('SIGTERM');
    });
  }
}
