import { readFile } from 'node:fs/promises';
import writeFileAtomic from 'write-file-atomic';
import type { ScannedFile } from './scan-parse.js';

/**
 * What the last scan learnt about each file, keyed by its path: enough to plan
 * without reading it again while its size, mtime and inode are unchanged. It
 * is only a cache: a missing or unreadable one means a full scan, never an error.
 */
export type CacheEntry = Pick<ScannedFile, 'hash' | 'data' | 'format' | 'error'> & {
  size: number;
  mtimeMs: number;
  ino: number;
  /**
   * Excerpts computed so far, as [maxChars, text] pairs: not an object keyed by
   * maxChars, because V8 stores a key like "1000" as an array index and gives
   * every such object a 1,000-slot backing store (80 MB over 10,000 files).
   */
  excerpts: Array<[number, string]>;
  /** Requests planned from this file, as [task, fingerprint, request digest, input tokens] (see RequestMemo). */
  requests?: Array<[string, string, string, number]>;
};

export interface ScanCache {
  version: 2;
  /** When it was written: a file modified in the same instant may not show it in its mtime, so it is re-read. */
  writtenAt: number;
  entries: Record<string, CacheEntry>;
}

export const emptyScanCache = (): ScanCache => ({ version: 2, writtenAt: 0, entries: {} });

export async function readScanCache(file: string): Promise<ScanCache> {
  try {
    const cache = JSON.parse(await readFile(file, 'utf8')) as ScanCache;
    return cache.version === 2 && typeof cache.entries === 'object' && cache.entries !== null ? cache : emptyScanCache();
  } catch {
    return emptyScanCache();
  }
}

export async function writeScanCache(file: string, cache: ScanCache): Promise<void> {
  await writeFileAtomic(file, JSON.stringify(cache));
}

/** Mtimes this close to the cache's writing are not trusted (a write in the same clock tick leaves the mtime unchanged). */
const RACY_MS = 2000;

export function fresh(entry: CacheEntry | undefined, stat: { size: number; mtimeMs: number; ino: number }, writtenAt: number): entry is CacheEntry {
  return entry !== undefined && entry.size === stat.size && entry.mtimeMs === stat.mtimeMs && entry.ino === stat.ino && stat.mtimeMs < writtenAt - RACY_MS;
}
