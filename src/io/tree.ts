import { existsSync, statSync, type Stats as Stat } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fg from 'fast-glob';
import type { FileProblem } from '../core/problem.js';
import { needsOf, type ExcerptSpec } from '../core/needs.js';
import type { FrontMatterFormat } from '../frontmatter/read.js';
import { emptyScanCache, fresh, SCAN_CACHE_VERSION, type CacheEntry, type ExcerptStore, type ScanCache } from './scan-cache.js';
import type { ReadOutcome, ScannedFile } from './scan-parse.js';
import type { ScanChunk } from './scan-worker.js';

export type { ScannedFile } from './scan-parse.js';

/**
 * A file the scan could not take: `skipped` on purpose (binary, too large, a symlink out of the root; a warning),
 * `unreadable`, or its `front-matter` broken (the reason starts with `line:col`).
 */
export type ScanProblem = FileProblem<'skipped' | 'unreadable' | 'front-matter'>;

export interface ScanOptions {
  include: string[];
  exclude: string[];
  /** Files larger than this many bytes are skipped. */
  maxFileSize: number;
}

export interface ScanResult {
  files: ScannedFile[];
  diagnostics: ScanProblem[];
  /** How many paths the globs matched, readable or not. */
  matched: number;
  /** What this scan learnt, for the next one; `reread` files were read (the rest came from the cache). */
  cache: ScanCache;
  reread: number;
  /** Of those, the files parsed: the others were the very text the cache had, under a new stat. */
  parsed: number;
  /** Worker threads that parsed the `reread` files (0: this thread did). */
  threads: number;
}

export interface ScanContext {
  /** Which excerpts each file needs: the tasks' specs (plain data, so worker threads can decide it too). */
  needs: ExcerptSpec[];
  cache?: ScanCache;
  /**
   * Worker threads for parsing when at least WORKER_MIN files must be read;
   * 0 parses in this thread. Default: see defaultWorkers.
   */
  workers?: number;
  /** Called as files are read and parsed (not for files the cache answers). */
  onProgress?(done: number, total: number): void;
}

/** Below this many files to read, starting workers (~0.2 s each to load the parsers) costs more than it saves. */
export const WORKER_MIN = 400;
const CHUNK = 50;
const WORKER_SCRIPT = new URL('./scan-worker.js', import.meta.url);

/**
 * BATCHMATTER_SCAN_WORKERS, else one worker per core but one (at most 4), and
 * none on two cores or fewer: there, two parsing threads contend for caches and
 * the garbage collector's helper threads, and `npm run bench` measured no gain
 * (5.4 s either way over 10,000 files) for 30 MB more memory.
 */
function defaultWorkers(env: NodeJS.ProcessEnv = process.env): number {
  const configured = env.BATCHMATTER_SCAN_WORKERS;
  if (configured !== undefined && /^\d+$/.test(configured)) return Number(configured);
  const cores = availableParallelism();
  return cores > 2 ? Math.min(cores - 1, 4) : 0;
}

/** write-file-atomic's temporary name for `file`: `file.<32-bit number>`. */
const TEMP_SUFFIX = /\.\d{1,10}$/;

/**
 * What the globs match: regular files, plus symlinks, which are resolved by
 * the caller; and the temporary files an interrupted write left beside them.
 */
function listContent(root: string, { include, exclude }: ScanOptions): { entries: Array<{ rel: string; link: boolean }>; leftovers: string[] } {
  // Synchronous, like the stats below: nothing else runs meanwhile, and it skips the callbacks (10,000 files: 63 ms against 79 ms).
  const found = fg.sync([...include, ...include.map((pattern) => `${pattern}.+([0-9])`)], {
    cwd: root,
    ignore: ['**/node_modules/**', ...exclude],
    onlyFiles: false,
    objectMode: true,
    dot: false,
    // Never descend into a symlinked folder: it may lead outside the root, or back up into a loop.
    followSymbolicLinks: false,
  });
  const matched = found
    .filter((e) => e.dirent.isFile() || e.dirent.isSymbolicLink())
    .map((e) => ({ rel: e.path, link: e.dirent.isSymbolicLink() }))
    .sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  // `post.md.1234567` beside `post.md`: a leftover, whichever pattern matched it.
  const names = new Set(matched.map((e) => e.rel));
  const isLeftover = (e: { rel: string; link: boolean }) => !e.link && TEMP_SUFFIX.test(e.rel) && names.has(e.rel.replace(TEMP_SUFFIX, ''));
  return { entries: matched.filter((e) => !isLeftover(e)), leftovers: matched.filter(isLeftover).map((e) => e.rel) };
}

function fromCache(rel: string, abs: string, entry: CacheEntry, store: ExcerptStore): ScannedFile {
  let excerpts: Map<number, string> | undefined;
  const file: ScannedFile = {
    rel,
    abs,
    hash: entry.hash,
    mdx: rel.endsWith('.mdx'),
    // Read from the excerpt store only when a request is rendered.
    get excerpts() {
      return (excerpts ??= new Map(store.get(rel) ?? []));
    },
  };
  if (entry.data) file.data = entry.data;
  if (entry.format) file.format = entry.format;
  if (entry.error !== undefined) file.error = entry.error;
  if (entry.requests) file.memo = entry.requests;
  return file;
}

function toCache(file: ScannedFile, st: { size: number; mtimeMs: number; ino: number }): CacheEntry {
  return {
    size: st.size,
    mtimeMs: st.mtimeMs,
    ino: st.ino,
    hash: file.hash,
    ...(file.data ? { data: file.data } : {}),
    ...(file.format ? { format: file.format } : {}),
    ...(file.error !== undefined ? { error: file.error } : {}),
    excerpts: [...file.excerpts.keys()],
  };
}

const formatSize = (bytes: number) => (bytes >= 1024 ** 2 ? `${(bytes / 1024 ** 2).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`);

/**
 * Reads and parses every content file. A symlink is followed only to a file
 * inside the root, and then read (and later written) under its target's path,
 * once. Unreadable files become diagnostics; the scan goes on.
 */
export async function scanTree(root: string, options: ScanOptions, context: ScanContext = { needs: [] }): Promise<ScanResult> {
  const { needs, cache = emptyScanCache(), onProgress } = context;
  // Texts of the files read now; the rest stay where the old cache has them.
  const texts = new Map<string, Array<[number, string]>>();
  const next: ScanCache = { version: SCAN_CACHE_VERSION, writtenAt: Date.now(), entries: {}, excerpts: { get: (rel) => texts.get(rel) ?? cache.excerpts.get(rel) }, excerptsId: cache.excerptsId };
  const { entries, leftovers } = listContent(root, options);
  const realRoot = await realpath(root);
  const diagnostics: ScanProblem[] = [];
  const skip = (file: string, message: string) => diagnostics.push({ file, reason: message, kind: 'skipped', severity: 'warning' });
  const unreadable = (file: string, code: string) => diagnostics.push({ file, reason: `could not read: ${code}`, kind: 'unreadable' });
  // A kill during a write can leave one; the file it was for is whole (the write renames or never happens).
  for (const rel of leftovers) skip(rel, `temporary file of an interrupted write to ${rel.replace(TEMP_SUFFIX, '')}, which is intact; safe to delete`);

  // Regular files first, so a symlink to one of them is recognised whichever sorts first.
  const targets = new Set(entries.filter((e) => !e.link).map((e) => e.rel));
  for (const { rel } of entries.filter((e) => e.link)) {
    const real = await realpath(path.join(root, rel)).catch(() => undefined);
    if (!real) {
      skip(rel, 'broken symlink; skipped');
      continue;
    }
    const target = path.relative(realRoot, real);
    if (target.startsWith('..') || path.isAbsolute(target)) {
      skip(rel, 'symlink to a file outside the content root; skipped (batchmatter never writes outside the root)');
      continue;
    }
    const targetRel = target.split(path.sep).join('/');
    if (targets.has(targetRel)) skip(rel, `symlink to ${targetRel}, which is processed under its own name`);
    else if ((await stat(real)).isFile()) targets.add(targetRel);
  }

  // Every file is stat'ed; only those the cache cannot answer are read. Both
  // synchronously: nothing else runs meanwhile, and statSync is ~3.5× faster
  // than fs/promises' stat here (10,000 files: 83 ms against 297 ms).
  const decide = needsOf(needs);
  const found = new Map<string, ScannedFile>();
  // `cached`: what the cache knew of a file whose stat changed; it still stands if the text is the same.
  const toRead: Array<{ rel: string; abs: string; st: Stat; cached?: CacheEntry | undefined }> = [];
  // Paths from the glob are already normal, with `/`: joining them by hand skips path.join's normalising (10,000 files: ~20 ms).
  const prefix = path.join(root, path.sep);
  for (const rel of targets) {
    const abs = path.sep === '/' ? prefix + rel : path.join(root, rel);
    let st: Stat;
    try {
      st = statSync(abs);
    } catch (error) {
      unreadable(rel, (error as NodeJS.ErrnoException).code ?? (error as Error).message);
      continue;
    }
    if (st.size > options.maxFileSize) {
      skip(rel, `${formatSize(st.size)} is over content.maxFileSize (${formatSize(options.maxFileSize)}); skipped`);
      continue;
    }
    const cached = cache.entries[rel];
    const complete = cached !== undefined && (cached.data ? decide(rel, cached.data) : []).every((m) => cached.excerpts.includes(m));
    if (complete && fresh(cached, st, cache.writtenAt)) {
      next.entries[rel] = cached;
      found.set(rel, fromCache(rel, abs, cached, cache.excerpts));
    } else toRead.push({ rel, abs, st, cached: complete ? cached : undefined });
  }

  const settle = (item: { rel: string; abs: string; st: Stat; cached?: CacheEntry | undefined }, outcome: ReadOutcome) => {
    if ('same' in outcome) {
      // Read and hashed, not parsed: the cache's reading stands, under the new stat.
      const entry: CacheEntry = { ...item.cached!, size: item.st.size, mtimeMs: item.st.mtimeMs, ino: item.st.ino };
      next.entries[item.rel] = entry;
      found.set(item.rel, fromCache(item.rel, item.abs, entry, cache.excerpts));
    } else if ('refused' in outcome) skip(item.rel, outcome.refused);
    else if ('failed' in outcome) unreadable(item.rel, outcome.failed);
    else {
      next.entries[item.rel] = toCache(outcome.file, item.st);
      texts.set(item.rel, [...outcome.file.excerpts]);
      found.set(item.rel, outcome.file);
    }
  };
  const workers = context.workers ?? defaultWorkers();
  let threads = 0;
  // Run from the TypeScript sources (the tests), the worker script is not built: parse here.
  if (toRead.length >= WORKER_MIN && workers > 0 && existsSync(fileURLToPath(WORKER_SCRIPT))) {
    threads = await readInWorkers(toRead, needs, workers, settle, onProgress);
  } else if (toRead.length > 0) {
    // Loaded only when there is something to parse: the parsers are most of the CLI's code.
    const { readBytes, parseBytes } = await import('./scan-parse.js');
    let done = 0;
    for (const item of toRead) {
      settle(item, parseBytes(item.rel, item.abs, readBytes(item.abs), decide, item.cached?.hash));
      onProgress?.(++done, toRead.length);
      // Let a status line (and, offline, the embedded emulator) have the event loop now and then.
      if (done % 200 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
  }

  const files = [...targets].sort().flatMap((rel) => found.get(rel) ?? []);
  for (const f of files) if (f.error) diagnostics.push({ file: f.rel, reason: f.error, kind: 'front-matter' });
  diagnostics.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return { files, diagnostics, matched: entries.length, cache: next, reread: toRead.length, parsed: texts.size, threads };
}

/** Reads and parses `items` in a pool of worker threads, in chunks, settling each chunk as it comes back. */
async function readInWorkers<T extends { rel: string; abs: string; cached?: CacheEntry | undefined }>(
  items: T[],
  specs: ExcerptSpec[],
  workers: number,
  settle: (item: T, outcome: ReadOutcome) => void,
  onProgress?: (done: number, total: number) => void,
): Promise<number> {
  const { Tinypool } = await import('tinypool');
  const threads = Math.min(workers, Math.ceil(items.length / CHUNK));
  const pool = new Tinypool({
    filename: WORKER_SCRIPT.href,
    minThreads: threads,
    maxThreads: threads,
    // Not the parent's flags: a worker refuses many (--input-type, --expose-gc).
    execArgv: [],
    // A worker holds one chunk at a time: a small heap makes it collect early instead of growing.
    resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 16 },
  });
  let done = 0;
  try {
    const chunks: T[][] = [];
    for (let i = 0; i < items.length; i += CHUNK) chunks.push(items.slice(i, i + CHUNK));
    await Promise.all(
      chunks.map(async (chunk) => {
        const task: ScanChunk = { specs, files: chunk.map(({ rel, abs, cached }) => ({ rel, abs, known: cached?.hash })) };
        const outcomes = (await pool.run(task)) as ReadOutcome[];
        chunk.forEach((item, i) => settle(item, outcomes[i]!));
        onProgress?.((done += chunk.length), items.length);
      }),
    );
  } finally {
    await pool.destroy();
  }
  return threads;
}

/** The front matter format most files use ('yaml' when none has any): what a file without front matter gets. */
export function dominantFormat(formats: Iterable<FrontMatterFormat | undefined>): 'yaml' | 'toml' | 'json' {
  const counts = { yaml: 0, toml: 0, json: 0 };
  for (const f of formats) if (f && f !== 'none') counts[f]++;
  return counts.toml > counts.yaml && counts.toml >= counts.json ? 'toml' : counts.json > counts.yaml && counts.json > counts.toml ? 'json' : 'yaml';
}
