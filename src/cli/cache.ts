/**
 * The CLI's cache snapshot: `get` and `venues` start from a snapshot of the registry built from the
 * data folder, so a lookup does not re-parse every payload.
 *
 * **Key.** XXH64 over: every regular file of the data folder (name, device, inode, size, mtime and
 * an XXH64 of its content; an entry that cannot be read contributes its error code), every file
 * under the package's `mappings/` (name and content hash), every file under each user mapping
 * folder (`--mappings DIR`, `INSTREG_MAPPINGS_DIR`: the folder, then each file's name and content
 * hash), `LAYOUT_VERSION`, `IDENTITY_VERSION` and the package version. Any change to any of those gives another key, so a stale cache is never
 * read; the cache is rebuilt on the next lookup and older cache files are removed.
 *
 * Content hashes are remembered in `content-index.json` by file identity (path, device, inode,
 * size, mtime and ctime in ns, as git's index does): a file whose identity is unchanged is not
 * re-read. Any write to a file changes its ctime, which no user tool can set back, so a changed
 * file is always re-hashed.
 *
 * **Files** (in {@link cacheDir}, default `$XDG_CACHE_HOME/instreg` or `~/.cache/instreg`):
 * `registry-<key>.snap` (a crash-safe snapshot, `writeSnapshot`) and `registry-<key>.json`
 * (the venue registry and the load warnings, written atomically after the snapshot). A cache
 * that cannot be read or written is never an error: the lookup loads the payloads and warns.
 *
 * @module
 */
import { mkdirSync, readFileSync, readdirSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LAYOUT_VERSION } from '../../layout/control.js';
import { repoRoot } from '../config.js';
import { IDENTITY_VERSION } from '../id/identity.js';
import { RegistryReader } from '../reader/reader.js';
import { digestOf, loadSnapshotChecksum } from '../snapshot/checksum.js';
import { readSnapshotSync } from '../snapshot/read.js';
import type { VenueInfo } from '../venues/types.js';
import { VenueRegistry } from '../venues/registry.js';
import type { LoadReport, ReaderSession, Session } from './session.js';

/** Cache format version (bump when the side-car JSON changes). */
export const CACHE_FORMAT = 1;

/** The venue side-car (read only when a command needs venue attributes or chains). */
interface CachedVenues {
  /** Every venue (`VenueRegistry.all()`), the MIC entries they shadow, the chain table. */
  all: VenueInfo[];
  shadowed: VenueInfo[];
  chains: Array<[number, string]>;
}

/** The side-car JSON next to a cache snapshot. */
interface CacheMeta {
  format: number;
  key: string;
  dataDir: string;
  /** Files of the load that failed, and warnings (replayed on every warm lookup). */
  failed: LoadReport['failed'];
  /** Identity (device, inode, size, mtime, ctime in ns) of the snapshot file as written and fsynced. */
  snapshotIdentity: string;
  ignored: LoadReport['ignored'];
  warnings: string[];
}

function packageVersion(root: string): string {
  try {
    return (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: string }).version ?? '0';
  } catch {
    return '0';
  }
}

function fileIdentity(path: string): string {
  const st = statSync(path, { bigint: true });
  return `${st.dev} ${st.ino} ${st.size} ${st.mtimeNs} ${st.ctimeNs}`;
}

function hex(n: bigint): string {
  return n.toString(16).padStart(16, '0');
}

/** Content hashes by file identity (see the module doc). */
interface ContentIndex {
  /** Identity line → XXH64 of the content (hex). */
  known: Map<string, string>;
  /** The entries used in this run (written back when `changed`). */
  used: Map<string, string>;
  changed: boolean;
}

const INDEX_FILE = 'content-index.json';

function readIndex(dir: string | false): ContentIndex {
  const idx: ContentIndex = { known: new Map(), used: new Map(), changed: false };
  if (dir === false) return idx;
  try {
    const o = JSON.parse(readFileSync(join(dir, INDEX_FILE), 'utf8')) as { format?: number; entries?: Record<string, string> };
    if (o.format === CACHE_FORMAT && o.entries) for (const [k, v] of Object.entries(o.entries)) if (/^[0-9a-f]{16}$/.test(v)) idx.known.set(k, v);
  } catch {
    /* no index yet, or unreadable: hash every file */
  }
  return idx;
}

function writeIndex(dir: string, idx: ContentIndex): void {
  if (!idx.changed) return;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tmp = join(dir, `${INDEX_FILE}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`);
    writeFileSync(tmp, JSON.stringify({ format: CACHE_FORMAT, entries: Object.fromEntries(idx.used) }), { flag: 'wx', mode: 0o600 });
    renameSync(tmp, join(dir, INDEX_FILE));
  } catch {
    /* the index only saves time */
  }
}

/** Lines describing every regular file below `dir` (recursively for `recursive`), sorted by name. */
function fileLines(dir: string, recursive: boolean, withIdentity: boolean, idx: ContentIndex): string[] {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch (e) {
    return [`${dir} !${(e as NodeJS.ErrnoException).code ?? 'ERR'}`];
  }
  const out: string[] = [];
  for (const name of names) {
    if (name.startsWith('.')) continue;
    const path = join(dir, name);
    try {
      const st = statSync(path, { bigint: true });
      if (st.isDirectory()) {
        if (recursive) out.push(...fileLines(path, true, withIdentity, idx));
        continue;
      }
      if (!st.isFile()) continue;
      const identity = `${path} ${st.dev} ${st.ino} ${st.size} ${st.mtimeNs} ${st.ctimeNs}`;
      let content = idx.known.get(identity);
      if (content === undefined) {
        content = hex(digestOf([readFileSync(path)]));
        idx.changed = true;
      }
      idx.used.set(identity, content);
      out.push(withIdentity ? `${identity} ${content}` : `${path} ${content}`);
    } catch (e) {
      out.push(`${path} !${(e as NodeJS.ErrnoException).code ?? 'ERR'}`);
    }
  }
  return out;
}

/**
 * The cache key of a data folder (see the module doc), 16 hex digits.
 *
 * @param dataDir the data folder (absolute).
 * @param dir the cache folder (its content index saves re-reading unchanged files), or `false`.
 * @param mappingsDirs user mapping folders loaded next to the shipped ones (absolute), in load order.
 */
export async function cacheKey(dataDir: string, dir: string | false = false, mappingsDirs: readonly string[] = []): Promise<string> {
  await loadSnapshotChecksum();
  const root = repoRoot();
  const idx = readIndex(dir);
  const lines = [
    `instreg-cache ${CACHE_FORMAT} layout ${LAYOUT_VERSION} identity ${IDENTITY_VERSION} package ${packageVersion(root)}`,
    `data ${dataDir}`,
    ...fileLines(dataDir, false, true, idx),
    'mappings',
    ...fileLines(join(root, 'mappings'), true, false, idx),
    ...mappingsDirs.flatMap((d) => [`user mappings ${d}`, ...fileLines(d, true, false, idx)]),
  ];
  if (dir !== false) writeIndex(dir, idx);
  return hex(digestOf([Buffer.from(lines.join('\n'), 'utf8')]));
}

/** Paths of the cache files of a key. */
export function cacheFiles(dir: string, key: string): { snapshot: string; meta: string; venues: string } {
  return { snapshot: join(dir, `registry-${key}.snap`), meta: join(dir, `registry-${key}.json`), venues: join(dir, `registry-${key}.venues.json`) };
}

function venuesFrom(meta: CachedVenues): VenueRegistry {
  const reg = new VenueRegistry();
  for (const v of meta.shadowed) reg.addVenue(v);
  for (const v of meta.all) reg.addVenue(v, { replace: true });
  for (const [chainId, code] of meta.chains) reg.setChain(chainId, code);
  return reg;
}

/**
 * Open a reader session from the cache, or undefined when there is no valid cache for `key`
 * (missing, unreadable or corrupt files are treated as a miss).
 */
export function openCachedSession(dir: string, key: string, dataDir: string): ReaderSession | undefined {
  const t0 = performance.now();
  const files = cacheFiles(dir, key);
  let meta: CacheMeta;
  try {
    meta = JSON.parse(readFileSync(files.meta, 'utf8')) as CacheMeta;
    if (meta.format !== CACHE_FORMAT || meta.key !== key) return undefined;
  } catch {
    return undefined;
  }
  let reader: RegistryReader;
  try {
    // The checksum guards against a file other than the one written here (torn, replaced, edited):
    // when the file's identity is the one recorded right after the fsync, it is that file, whole.
    const verify = fileIdentity(files.snapshot) !== meta.snapshotIdentity;
    reader = RegistryReader.attach(readSnapshotSync(files.snapshot, { verify }));
  } catch {
    return undefined;
  }
  const report: LoadReport = { paths: [dataDir], files: [], ignored: meta.ignored, failed: meta.failed, elapsedMs: performance.now() - t0 };
  let venues: VenueRegistry | undefined;
  return {
    dataDir,
    reader,
    // built on first use: a symbol or id lookup never needs the ~2,800 venues
    get venues(): VenueRegistry {
      venues ??= venuesFrom(JSON.parse(readFileSync(files.venues, 'utf8')) as CachedVenues);
      return venues;
    },
    report,
    warnings: meta.warnings,
  };
}

/** Write a file through an exclusively created temp file and a rename (never a partial file). */
function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    writeFileSync(tmp, text, { flag: 'wx', mode: 0o600 });
    renameSync(tmp, file);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      /* not created */
    }
    throw e;
  }
}

/**
 * Write the cache for `key` from a freshly loaded session, then remove the cache files of other
 * keys. Returns a warning instead of throwing when the cache cannot be written.
 */
export async function writeCache(dir: string, key: string, session: Session): Promise<string | undefined> {
  const files = cacheFiles(dir, key);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const { writeSnapshot } = await import('../snapshot/write.js');
    await writeSnapshot(session.registry, files.snapshot);
    const snapshotIdentity = fileIdentity(files.snapshot);
    const venues: CachedVenues = { all: session.venues.all(), shadowed: session.venues.shadowedMics(), chains: session.venues.chains() };
    writeAtomic(files.venues, JSON.stringify(venues));
    const meta: CacheMeta = {
      format: CACHE_FORMAT,
      key,
      dataDir: session.dataDir,
      failed: session.report.failed,
      snapshotIdentity,
      ignored: session.report.ignored,
      warnings: session.warnings,
    };
    writeAtomic(files.meta, JSON.stringify(meta));
  } catch (e) {
    return `cache ${dir}: not written: ${(e as Error).message.split('\n')[0]}`;
  }
  for (const name of readdirSync(dir)) {
    if (/^registry-[0-9a-f]{16}\.(snap|json|venues\.json)$/.test(name) && !name.includes(key)) {
      try {
        unlinkSync(join(dir, name));
      } catch {
        /* another process removed it */
      }
    }
  }
  return undefined;
}
