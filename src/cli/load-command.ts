/**
 * `instreg load [PATH…]`: discover and register instruments from payload files and folders
 * (default: the data folder), then print a summary (tables, or one JSON object with `--json`).
 * `--snapshot FILE` also writes a crash-safe snapshot of the loaded registry (`writeSnapshot`),
 * which `get --snapshot FILE` and `venues --snapshot FILE` start from.
 *
 * @module
 */
import type { Command } from 'commander';
import type { InstrumentKind, InstrumentSource } from '../model/types.js';
import type { RegistryMetrics } from '../writer/registry.js';
import { CliError, EXIT_DATA, EXIT_USAGE } from './cli-error.js';
import { countTable, newTable, printJson } from './format.js';
import { checkSnapshotOption, globalOptions, type GlobalOptions } from './options.js';
import { oneLine } from './cli-error.js';
import type { Session } from './session.js';

/** Per-file line of a {@link LoadSummary}. */
export interface FileSummary {
  file: string;
  path: string;
  mapping: string;
  /** Records in the payload. */
  seen: number;
  /** Instruments the payload yields (after de-duplication within the file). */
  instruments: number;
  /** Added or changed by this file. */
  registered: number;
  added: number;
  updated: number;
  /** Already held unchanged ("already present": from an earlier file, or the same listing a placeholder deferred to). */
  unchanged: number;
  /** Records skipped by the mapping's rules, total and by code. */
  skipped: number;
  skippedBy: Record<string, number>;
  /** Records rejected, total and by reason code. */
  rejected: number;
  rejectedBy: Record<string, number>;
  /** The subset of `rejectedBy` the registry refused when registering, by code. */
  refusedBy: Record<string, number>;
  /** Values of fields the kind does not store, dropped because the mapping declares them ignorable (`ignoreFields`), by field. */
  ignoredFields: Record<string, number>;
}

/**
 * Totals over every loaded file. Each counter has the name of the registry metric it equals
 * (`registry.getMetrics()`, see {@link LoadSummary.registry}): `added` / `updated` / `unchanged` =
 * `outcomes.*`, `refused` = `failuresByCode`, and `files`, `recordsSeen`, `skipped`, `rejected`,
 * `ignoredFields` = `discovery.*`.
 */
export interface LoadTotals {
  files: number;
  recordsSeen: number;
  added: number;
  updated: number;
  unchanged: number;
  skipped: Record<string, number>;
  rejected: Record<string, number>;
  refused: Record<string, number>;
  /** By mapping, then field. */
  ignoredFields: Record<string, Record<string, number>>;
}

/** Rejected records of one reason code, over all files. */
export interface RejectSummary {
  code: string;
  count: number;
  /** One example: file, record key and the reason text. */
  example?: { file: string; key?: string; reason: string };
}

/** The snapshot `instreg load --snapshot FILE` wrote. */
export interface SnapshotSummary {
  /** Absolute path of the snapshot. */
  file: string;
  /** File size in bytes. */
  bytes: number;
  /** Live instruments captured. */
  instruments: number;
  /** Wall time of the write (hashing, writing, fsync and rename), ms. */
  writeMs: number;
}

/** What `instreg load` reports (the `--json` object). */
export interface LoadSummary {
  dataDir: string;
  paths: string[];
  elapsedMs: number;
  /** Live instruments in the registry. */
  instruments: number;
  byKind: Partial<Record<InstrumentKind, number>>;
  bySource: Partial<Record<InstrumentSource, number>>;
  /** Top venues by instrument count, then one `others` entry (when there are more venues). */
  byVenue: Array<{ venue: string; instruments: number; venues?: number }>;
  /** Distinct venue codes holding instruments. */
  venueCount: number;
  /** Mappings used: how many shipped ones, and every user mapping (`--mappings`, `INSTREG_MAPPINGS_DIR`) with the shipped file it replaces. */
  mappings: { shipped: number; user: Array<{ name: string; file: string; replaces?: string }> };
  files: FileSummary[];
  totals: LoadTotals;
  rejectsByReason: RejectSummary[];
  ignored: Array<{ file: string; reason: string }>;
  failed: Array<{ file: string; error: string }>;
  venueRegistry: { venues: number; chains: number };
  /** The registry's metrics after the load (`getMetrics()`); its counters equal {@link LoadSummary.totals}. */
  registry: Pick<
    RegistryMetrics,
    'capacity' | 'generation' | 'heapBytes' | 'collisions' | 'registrationFailures' | 'outcomes' | 'failuresByCode' | 'discovery'
  >;
  /** The snapshot written (`--snapshot FILE` only). */
  snapshot?: SnapshotSummary;
}

function sum(o: Record<string, number>): number {
  return Object.values(o).reduce((a, b) => a + b, 0);
}

function addInto(into: Record<string, number>, from: Readonly<Record<string, number>>): void {
  for (const [k, n] of Object.entries(from)) into[k] = (into[k] ?? 0) + n;
}

/** Totals of a session's loaded files (see {@link LoadTotals}). */
export function loadTotals(files: Session['report']['files']): LoadTotals {
  const t: LoadTotals = { files: 0, recordsSeen: 0, added: 0, updated: 0, unchanged: 0, skipped: {}, rejected: {}, refused: {}, ignoredFields: {} };
  for (const f of files) {
    t.files++;
    t.recordsSeen += f.recordsSeen;
    t.added += f.added;
    t.updated += f.updated;
    t.unchanged += f.unchanged;
    addInto(t.skipped, f.skipped);
    addInto(t.rejected, f.rejected);
    addInto(t.refused, f.refused);
    if (Object.keys(f.ignoredFields).length > 0) addInto((t.ignoredFields[f.mapping] ??= {}), f.ignoredFields);
  }
  return t;
}

function sortedCounts<K extends string>(m: Map<K, number>): Array<[K, number]> {
  return [...m.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
}

/**
 * Summarise a session's load: counts by kind, source and venue (scanning the registry through its
 * reader), per-file statistics and rejects by reason.
 *
 * @param top venues listed by name in `byVenue` (the rest are folded into `others`); 0 = all
 */
export function summarize(session: Session, top = 10): LoadSummary {
  const kinds = new Map<InstrumentKind, number>();
  const sources = new Map<InstrumentSource, number>();
  const venues = new Map<string, number>();
  const all = session.reader.all();
  for (const v of all) {
    kinds.set(v.kind, (kinds.get(v.kind) ?? 0) + 1);
    sources.set(v.source, (sources.get(v.source) ?? 0) + 1);
    const code = v.venue;
    venues.set(code, (venues.get(code) ?? 0) + 1);
  }
  const venueRows = sortedCounts(venues);
  const shown = top > 0 ? venueRows.slice(0, top) : venueRows;
  const rest = venueRows.slice(shown.length);
  const byVenue: LoadSummary['byVenue'] = shown.map(([venue, instruments]) => ({ venue, instruments }));
  if (rest.length > 0) byVenue.push({ venue: 'others', venues: rest.length, instruments: rest.reduce((a, [, n]) => a + n, 0) });

  const rejects = new Map<string, RejectSummary>();
  for (const f of session.report.files) {
    for (const [code, n] of Object.entries(f.rejected)) {
      const r = rejects.get(code) ?? { code, count: 0 };
      r.count += n;
      if (!r.example) {
        const ex = f.rejects.find((x) => x.code === code);
        if (ex) r.example = { file: f.file, ...(ex.key !== undefined ? { key: ex.key } : {}), reason: ex.reason };
      }
      rejects.set(code, r);
    }
  }
  const m = session.registry.getMetrics();
  return {
    dataDir: session.dataDir,
    paths: session.report.paths,
    elapsedMs: Math.round(session.report.elapsedMs),
    instruments: all.length,
    byKind: Object.fromEntries(sortedCounts(kinds)),
    bySource: Object.fromEntries(sortedCounts(sources)),
    byVenue,
    venueCount: venues.size,
    mappings: {
      shipped: session.mappings.filter((x) => !x.user).length,
      user: session.mappings
        .filter((x) => x.user)
        .map((x) => ({ name: x.name, file: x.file ?? '', ...(x.replaces !== undefined ? { replaces: x.replaces } : {}) })),
    },
    files: session.report.files.map((f) => ({
      file: f.file,
      path: f.path,
      mapping: f.mapping,
      seen: f.recordsSeen,
      instruments: f.instruments,
      registered: f.registered,
      added: f.added,
      updated: f.updated,
      unchanged: f.unchanged,
      skipped: sum(f.skipped),
      skippedBy: { ...f.skipped },
      rejected: sum(f.rejected),
      rejectedBy: { ...f.rejected },
      refusedBy: { ...f.refused },
      ignoredFields: { ...f.ignoredFields },
    })),
    totals: loadTotals(session.report.files),
    rejectsByReason: [...rejects.values()].sort((a, b) => b.count - a.count || (a.code < b.code ? -1 : 1)),
    ignored: session.report.ignored,
    failed: session.report.failed,
    venueRegistry: { venues: session.venues.size, chains: session.venues.chains().length },
    registry: {
      capacity: m.capacity,
      generation: m.generation,
      heapBytes: m.heapBytes,
      collisions: m.collisions,
      registrationFailures: m.registrationFailures,
      outcomes: m.outcomes,
      failuresByCode: m.failuresByCode,
      discovery: m.discovery,
    },
  };
}

/** Render a {@link LoadSummary} as text tables. */
export function summaryText(s: LoadSummary): string {
  const out: string[] = [];
  out.push(
    `Loaded ${s.instruments} instruments on ${s.venueCount} venues from ${s.files.length} files in ${(s.elapsedMs / 1000).toFixed(1)} s` +
      ` (venue registry: ${s.venueRegistry.venues} venues, ${s.venueRegistry.chains} chains)`,
  );
  out.push('', 'By kind', countTable('kind', Object.entries(s.byKind), s.instruments));
  out.push('', 'By source', countTable('source', Object.entries(s.bySource), s.instruments));
  out.push(
    '',
    'By venue',
    countTable(
      'venue',
      s.byVenue.map((v) => [v.venues !== undefined ? `others (${v.venues} venues)` : v.venue, v.instruments]),
      s.instruments,
    ),
  );

  const ft = newTable(['file', 'seen', 'registered', 'unchanged', 'skipped', 'rejected'], {
    colAligns: ['left', 'right', 'right', 'right', 'right', 'right'],
  });
  const skips = new Map<string, number>();
  for (const f of s.files) {
    ft.push([f.file, f.seen, f.registered, f.unchanged, f.skipped, f.rejected]);
    for (const [k, n] of Object.entries(f.skippedBy)) skips.set(k, (skips.get(k) ?? 0) + n);
  }
  if (s.mappings.user.length > 0) {
    const ut = newTable(['user mapping', 'file', 'replaces shipped']);
    for (const u of s.mappings.user) ut.push([u.name, u.file, u.replaces ?? '']);
    out.push('', `Mappings: ${s.mappings.shipped} shipped, ${s.mappings.user.length} from user folders`, ut.toString());
  }
  out.push('', 'Files', ft.toString());
  const t = s.totals;
  const refused = sum(t.refused);
  out.push(
    `Totals: ${t.recordsSeen} records seen in ${t.files} file${t.files === 1 ? '' : 's'}; instruments ${t.added} added, ${t.updated} updated, ${t.unchanged} unchanged (already present);` +
      ` ${sum(t.skipped)} records skipped, ${sum(t.rejected)} rejected (${refused} of them refused by the registry)`,
  );

  if (skips.size > 0) out.push('', 'Skipped by rule', countTable('rule', sortedCounts(skips), undefined, 'records'));
  if (s.rejectsByReason.length > 0) {
    const rt = newTable(['reason', 'records', 'example'], { colAligns: ['left', 'right', 'left'] });
    for (const r of s.rejectsByReason) {
      const ex = r.example ? `${r.example.file}${r.example.key !== undefined ? ` [${r.example.key}]` : ''}: ${r.example.reason}` : '';
      rt.push([r.code, r.count, ex.length > 110 ? `${ex.slice(0, 109)}…` : ex]);
    }
    out.push('', 'Rejects by reason', rt.toString());
  }
  const ignoredFields = Object.entries(s.totals.ignoredFields).flatMap(([m, fields]) => Object.entries(fields).map(([f, n]) => [m, f, n] as const));
  if (ignoredFields.length > 0) {
    const it = newTable(['mapping', 'ignored field', 'values'], { colAligns: ['left', 'left', 'right'] });
    for (const row of ignoredFields) it.push([...row]);
    out.push('', "Ignored fields (not stored by the kind; declared in the mapping's ignoreFields)", it.toString());
  }
  if (s.ignored.length > 0) {
    const it = newTable(['ignored file', 'why']);
    for (const i of s.ignored) it.push([i.file, i.reason.length > 100 ? `${i.reason.slice(0, 99)}…` : i.reason]);
    out.push('', 'Ignored', it.toString());
  }
  if (s.snapshot) {
    const sn = s.snapshot;
    out.push('', `Snapshot: ${sn.file} (${(sn.bytes / 1048576).toFixed(1)} MiB, ${sn.instruments} instruments) written in ${sn.writeMs.toFixed(0)} ms`);
  }
  if (s.failed.length > 0) {
    const ft2 = newTable(['failed file', 'error']);
    for (const f of s.failed) ft2.push([f.file, f.error]);
    out.push('', 'Failed', ft2.toString());
  }
  return `${out.join('\n')}\n`;
}

/**
 * Print a summary (JSON or tables) and warnings; failed files end the program with exit code 3.
 *
 * @param snapshot the snapshot written after the load, if any (added to the summary)
 */
export function reportLoad(session: Session, opts: GlobalOptions, top: number, snapshot?: SnapshotSummary): LoadSummary {
  for (const w of session.warnings) process.stderr.write(`instreg: warning: ${w}\n`);
  const s = summarize(session, top);
  if (snapshot) s.snapshot = snapshot;
  if (opts.json) printJson(s);
  else process.stdout.write(summaryText(s));
  if (s.failed.length > 0) {
    for (const f of s.failed.slice(1)) process.stderr.write(`instreg: ${f.error}\n`);
    const more = s.failed.length > 1 ? ` (and ${s.failed.length - 1} more failed files)` : '';
    throw new CliError(`${s.failed[0]!.error}${more}`, EXIT_DATA);
  }
  return s;
}

/** Parse the `--top` option. */
export function parseTop(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0) throw new CliError(`--top: expected a non-negative integer, got ${JSON.stringify(text)}`, EXIT_USAGE);
  return n;
}

/**
 * Write a crash-safe snapshot of the session's registry to `file` (`writeSnapshot`).
 *
 * @throws {CliError} exit code 3 ({@link EXIT_DATA}) when the file cannot be written.
 */
export async function saveSnapshot(session: Session, file: string): Promise<SnapshotSummary> {
  const t0 = performance.now();
  try {
    const { writeSnapshot } = await import('../snapshot/write.js');
    const info = await writeSnapshot(session.registry, file);
    return { file: info.file, bytes: info.bytes, instruments: info.instruments, writeMs: Math.round((performance.now() - t0) * 10) / 10 };
  } catch (e) {
    throw new CliError(`snapshot ${file}: cannot write: ${oneLine((e as Error).message)}`, EXIT_DATA);
  }
}

/** Add `load [PATH…]` to the program. */
export function registerLoadCommand(program: Command): void {
  program
    .command('load')
    .description('discover and register instruments from payload files and folders (default: the data folder), then print a summary')
    .argument('[paths...]', 'payload files or folders')
    .option('--top <n>', 'venues listed by name in the summary (0 = all)', '10')
    .option('--snapshot <file>', 'after loading, write a crash-safe snapshot of the registry to FILE')
    .action(async (paths: string[], cmdOpts: { top: string; snapshot?: string }, cmd: Command) => {
      const top = parseTop(cmdOpts.top);
      const snapshotFile = checkSnapshotOption(cmdOpts.snapshot);
      const g = globalOptions(cmd);
      const { openSession } = await import('./session.js');
      const session = await openSession({
        dataDir: g.dataDir,
        paths: paths.length > 0 ? paths : [g.dataDir],
        progress: g.progress,
        mappingsDirs: g.mappingsDirs,
      });
      const snapshot = snapshotFile !== undefined ? await saveSnapshot(session, snapshotFile) : undefined;
      reportLoad(session, g, top, snapshot);
    });
}
