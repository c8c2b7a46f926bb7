/** docs/kinds.md is generated from the kind descriptors; a stale copy fails here (regenerate: `npm run docs:kinds`). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderKindsMarkdown } from '../src/model/kinds-doc.js';

describe('docs/kinds.md', () => {
  it('is current with layout/kinds.ts', () => {
    expect(readFileSync(new URL('../docs/kinds.md', import.meta.url), 'utf8')).toBe(renderKindsMarkdown());
  });
});
