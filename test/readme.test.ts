/**
 * The README's TypeScript snippets compile under `strict` and run. Every ```ts block is written to
 * `.readme-check/` inside the package (so `import … from 'instreg'` resolves to this package's own
 * `exports`, i.e. the dist/ that `pretest` built): a block whose first line is `// NAME.js: …` becomes
 * `NAME.ts`, the others `snippet-N.ts`. They are type-checked together with tsc (strict, NodeNext),
 * compiled, and the first snippet is run; its output must show the looked-up instrument.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from './helpers/cli.js';

const exec = promisify(execFile);
const OUT = join(ROOT, '.readme-check');
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

/** The ```ts blocks of a Markdown text, in order. */
export function tsBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
}

afterAll(() => rmSync(OUT, { recursive: true, force: true }));

describe('README snippets', () => {
  it('compile under strict and run', async () => {
    const blocks = tsBlocks(readFileSync(join(ROOT, 'README.md'), 'utf8'));
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    rmSync(OUT, { recursive: true, force: true });
    mkdirSync(OUT);
    const names = blocks.map((b, i) => /^\/\/ ([\w-]+)\.js:/.exec(b)?.[1] ?? `snippet-${i}`);
    blocks.forEach((b, i) => writeFileSync(join(OUT, `${names[i]}.ts`), b));
    const args = [
      '--strict',
      '--noEmitOnError',
      '--module',
      'nodenext',
      '--moduleResolution',
      'nodenext',
      '--target',
      'es2022',
      '--types',
      'node',
      '--skipLibCheck',
      '--rootDir',
      OUT,
      '--outDir',
      OUT,
    ];
    const tsc = await exec(process.execPath, [TSC, ...args, ...names.map((n) => join(OUT, `${n}.ts`))], { cwd: OUT }).catch(
      (e: { stdout: string; stderr: string }) => e,
    );
    expect(`${tsc.stdout}${tsc.stderr}`).toBe('');
    const run = await exec(process.execPath, [join(OUT, `${names[0]}.js`)], { cwd: OUT, timeout: 60_000 });
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('BTCUSDT');
  }, 120_000);
});
