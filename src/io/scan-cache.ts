import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import type { ScannedFile } from './scan-parse.js';
import { writeChunksAtomic } from './write-chunks.js';
import { crashPoint } from './crash-points.js';

/**
 * What the last scan learnt about each file, keyed by its path: enough to plan
 * without reading it again while its size, mtime and inode are unchanged. It
 * is only a cache: a missing or unreadable one means a full scan, never an error.
 */
export type CacheEntry = Pick<ScannedFile, 'hash' | 'data' | 'format' | 'error'> & {
  size: number;
  mtimeMs: number;
  ino: number;
  /** The excerpt lengths computed so far; their texts are in the excerpt store. */
  excerpts: number[];
  /** Requests planned from this file, as [task, fingerprint, request digest, input tokens, page language?] (see RequestMemo). */
  requests?: Array<[string, string, string, number, string?]>;
};

/**
 * Excerpt texts by file, as [maxChars, text] pairs (not an object keyed by
 * maxChars: V8 stores a key like "1000" as an array index and gives every such
 * object a 1,000-slot backing store, 80 MB over 10,000 files).
 */
export interface ExcerptStore {
  get(rel: string): Array<[number, string]> | undefined;
}

/**
 * Bumped whenever what a scan derives from a file changes (the excerpt's
 * rules, the front matter reader's), so a cache from an older batchmatter is
 * dropped instead of serving excerpts (and requests planned from them) that
 * this one would not make. 4: site generators' syntax left out of excerpts.
 * 5: requests mark the system prompt for the cache only when it is the same for every file, and
 * multi-line site syntax is left out of excerpts. 6: excerpts resolve references defined past the
 * prefix read, leave out tables and nested directive fences, read MDX cut inside an element as
 * MDX, and cut long tight lists between items. 7: a definition with a Liquid or Hugo destination
 * stays one, Hugo's `code-…` shortcodes are left out with their code, and a long quote is cut
 * between its paragraphs. 8: a code-… shortcode whose closing tag is past the prefix read is
 * still left out with its code.
 */
export const SCAN_CACHE_VERSION = 8;

export interface ScanCache {
  version: typeof SCAN_CACHE_VERSION;
  /** When it was written: a file modified in the same instant may not show it in its mtime, so it is re-read. */
  writtenAt: number;
  entries: Record<string, CacheEntry>;
  /**
   * Kept in a second file (`<cache>.excerpts.json`), read only when an
   * excerpt is wanted: a plan of unchanged files needs none (its requests are
   * remembered), and the texts are most of the cache's bytes.
   */
  excerpts: ExcerptStore;
  /** Tells the two files apart from another pair's: both carry it. */
  excerptsId: string;
}

const NO_EXCERPTS: ExcerptStore = { get: () => undefined };

export const emptyScanCache = (): ScanCache => ({ version: SCAN_CACHE_VERSION, writtenAt: 0, entries: {}, excerpts: NO_EXCERPTS, excerptsId: '' });

const excerptsFile = (file: string) => file.replace(/\.json$/, '') + '.excerpts.json';

/** The excerpts file's id, from its first bytes (it is written first: `{"id":"…",`). */
function excerptsIdOf(file: string): string | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const head = Buffer.alloc(64);
    const n = readSync(fd, head, 0, head.length, 0);
    return /^\{"id":"([0-9a-f]+)"/.exec(head.subarray(0, n).toString('utf8'))?.[1];
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Loads the excerpt texts on the first get(). */
function lazyExcerpts(file: string): ExcerptStore {
  let texts: Record<string, Array<[number, string]>> | undefined;
  return {
    get(rel) {
      if (!texts) {
        try {
          texts = (JSON.parse(readFileSync(file, 'utf8')) as { entries: Record<string, Array<[number, string]>> }).entries;
        } catch {
          texts = {}; // gone since the id was checked: the plan reports the missing excerpt
        }
      }
      return texts[rel];
    },
  };
}

export async function readScanCache(file: string): Promise<ScanCache> {
  try {
    // Synchronous: nothing else runs meanwhile, and one read skips fs/promises' thread-pool round trips.
    const cache = JSON.parse(readFileSync(file, 'utf8')) as Omit<ScanCache, 'excerpts'>;
    if (cache.version !== SCAN_CACHE_VERSION || typeof cache.entries !== 'object' || cache.entries === null) return emptyScanCache();
    // A crash between the two writes, or a file removed by hand: start over rather than plan from excerpts of other text.
    if (excerptsIdOf(excerptsFile(file)) !== cache.excerptsId) return emptyScanCache();
    return { ...cache, excerpts: lazyExcerpts(excerptsFile(file)) };
  } catch {
    return emptyScanCache();
  }
}

/**
 * Writes the cache: the excerpt texts first (when `excerptsChanged`), under a
 * new id, then the entries naming that id, so a crash in between leaves a pair
 * that does not match and the next scan starts over.
 */
export async function writeScanCache(file: string, cache: ScanCache, excerptsChanged: boolean): Promise<void> {
  let { excerptsId } = cache;
  if (excerptsChanged || !excerptsId) {
    excerptsId = randomBytes(8).toString('hex');
    writeChunksAtomic(excerptsFile(file), objectChunks(`{"id":"${excerptsId}","entries":`, cache.entries, (rel) => cache.excerpts.get(rel) ?? []));
    crashPoint('scan-cache:between-writes');
  }
  const { version, writtenAt } = cache;
  writeChunksAtomic(file, objectChunks(`{"version":${version},"writtenAt":${writtenAt},"excerptsId":"${excerptsId}","entries":`, cache.entries, (rel) => cache.entries[rel]));
  cache.excerptsId = excerptsId;
}

/** `head`, then `{"key":value,…}` of each of `keys`' values, then `}`: the JSON in pieces, one file at a time. */
function* objectChunks(head: string, keys: Record<string, unknown>, value: (key: string) => unknown): Generator<string> {
  yield `${head}{`;
  let comma = '';
  for (const key of Object.keys(keys)) {
    yield `${comma}${JSON.stringify(key)}:${JSON.stringify(value(key))}`;
    comma = ',';
  }
  yield '}}';
}

/** Mtimes this close to the cache's writing are not trusted (a write in the same clock tick leaves the mtime unchanged). */
const RACY_MS = 2000;

export function fresh(entry: CacheEntry | undefined, stat: { size: number; mtimeMs: number; ino: number }, writtenAt: number): entry is CacheEntry {
  return entry !== undefined && entry.size === stat.size && entry.mtimeMs === stat.mtimeMs && entry.ino === stat.ino && stat.mtimeMs < writtenAt - RACY_MS;
}
