/**
 * Renders `docs/kinds.md`, the human-readable table of every kind's fields, from the kind
 * descriptors (`layout/kinds.ts`), so the documentation cannot drift from the code:
 * `npm run docs:kinds` rewrites it and `test/kinds-doc.test.ts` fails when it is stale.
 *
 * @module
 */
import { KINDS, type KindDescriptor, type KindField } from '../../layout/kinds.js';

function typeOf(f: KindField): string {
  if (f.type === 'enum') return `enum (${Object.keys(f.codes ?? {}).join(' \\| ')})`;
  if (f.type === 'str') return f.format && f.format !== 'text' ? `str (${f.format})` : `str (≤ ${f.max ?? 255} B)`;
  if ((f.type === 'u32' || f.type === 'u8') && (f.min !== undefined || f.max !== undefined)) return `${f.type} ${f.min ?? 0}..${f.max}`;
  return f.type;
}

function flags(f: KindField): string {
  const out: string[] = [];
  if (f.required) out.push('required');
  if (f.mutable) out.push('mutable');
  if (f.type === 'id') out.push('reference');
  if (f.positive) out.push('> 0');
  if (f.index) out.push(`index ${f.index}`);
  return out.join(', ');
}

/**
 * The Markdown text of `docs/kinds.md`.
 * @returns the document, ending with a newline
 * @example
 * writeFileSync('docs/kinds.md', renderKindsMarkdown());
 */
export function renderKindsMarkdown(): string {
  const lines = [
    '# Instrument kinds',
    '',
    '<!-- Generated from layout/kinds.ts by `npm run docs:kinds`; test/kinds-doc.test.ts checks it is current. -->',
    '',
    'Every kind has the common fields (symbol, venue, source, status, name, price/size decimals, tick size, lot size,',
    'min/max quantity, maker/taker fee, created/updated time; `src/model/types.ts` `CommonFields`). The fields below are',
    "the kind's own, in detail-blob and wire order. `reference` fields name another live instrument (referential",
    'integrity, `src/writer/refs.ts`); `index` fields are secondary-index keys; `mutable` fields may change with',
    '`updateInstrument`; the identity is hashed into the id (`docs/adr/0001-listing-identity.md`).',
    '',
  ];
  for (const [name, d] of Object.entries(KINDS) as Array<[string, KindDescriptor]>) {
    lines.push(`## ${name} (code ${d.code})`, '', d.doc, '');
    lines.push(`- Identity: ${d.identity.map((alt) => alt.join(' + ')).join('; else ')}`);
    lines.push(`- Venue + symbol unique among live listings: ${d.symbolUnique ? 'yes' : 'no'}`);
    const kindIdx = [d.addressIndexed ? 'ADDRESS (chain id + address)' : '', d.pair ? `PAIR and ASSET (${d.pair.join(', ')})` : ''].filter(Boolean);
    if (kindIdx.length) lines.push(`- Kind indexes: ${kindIdx.join('; ')}`);
    lines.push('');
    if (d.fields.length === 0) {
      lines.push('No fields of its own.', '');
      continue;
    }
    lines.push('| # | field | type | rules | meaning |', '|---|---|---|---|---|');
    d.fields.forEach((f, i) => lines.push(`| ${i} | \`${f.name}\` | ${typeOf(f)} | ${flags(f)} | ${f.doc} |`));
    lines.push('');
  }
  return lines.join('\n');
}
