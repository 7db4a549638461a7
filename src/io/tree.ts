import { readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import fg from 'fast-glob';
import pLimit from 'p-limit';
import { digest } from '../core/hash.js';
import { excerpt } from '../core/excerpt.js';
import { FrontMatterError, parseFrontMatter, type FrontMatterFormat } from '../frontmatter/read.js';
import { emptyScanCache, fresh, type CacheEntry, type ScanCache } from './scan-cache.js';

export interface ScannedFile {
  /** Path relative to the content root, with `/` separators. */
  rel: string;
  abs: string;
  /** Digest of the whole file: the stale guard compares it before any write. */
  hash: string;
  mdx: boolean;
  /** The front matter as plain data; absent when it could not be read (see `error`). */
  data?: Record<string, unknown>;
  format?: FrontMatterFormat;
  /** `line:col message` when the front matter could not be read. */
  error?: string;
  /** Plain-text excerpts of the body by maxChars: only those a task needs for this file. */
  excerpts: Map<number, string>;
}

/** The excerpt lengths some task will need for a file, given its front matter (none when every field is filled). */
export type ExcerptNeeds = (rel: string, data: Record<string, unknown>) => number[];

export interface Diagnostic {
  file: string;
  message: string;
  /** A file skipped on purpose (binary, too large, a symlink out of the root): reported, not a failure. */
  warning?: boolean;
}

export interface ScanOptions {
  include: string[];
  exclude: string[];
  /** Files larger than this many bytes are skipped. */
  maxFileSize: number;
}

export interface ScanResult {
  files: ScannedFile[];
  diagnostics: Diagnostic[];
  /** How many paths the globs matched, readable or not. */
  matched: number;
  /** What this scan learnt, for the next one; `reread` files were read (the rest came from the cache). */
  cache: ScanCache;
  reread: number;
}

export interface ScanContext {
  needs: ExcerptNeeds;
  cache?: ScanCache;
}

/** What the globs match: regular files, plus symlinks, which are resolved by the caller. */
async function listContent(root: string, { include, exclude }: ScanOptions): Promise<Array<{ rel: string; link: boolean }>> {
  const entries = await fg(include, {
    cwd: root,
    ignore: ['**/node_modules/**', ...exclude],
    onlyFiles: false,
    objectMode: true,
    dot: false,
    // Never descend into a symlinked folder: it may lead outside the root, or back up into a loop.
    followSymbolicLinks: false,
  });
  return entries
    .filter((e) => e.dirent.isFile() || e.dirent.isSymbolicLink())
    .map((e) => ({ rel: e.path, link: e.dirent.isSymbolicLink() }))
    .sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
}

/** Parses one file's text: its front matter, and the excerpts `needs` asks for (the body itself is not kept). */
export function parseScanned(rel: string, abs: string, text: string, needs: ExcerptNeeds = () => []): ScannedFile {
  const file: ScannedFile = { rel, abs, hash: digest(text), mdx: rel.endsWith('.mdx'), excerpts: new Map() };
  try {
    const parsed = parseFrontMatter(text);
    file.data = parsed.data;
    file.format = parsed.format;
    for (const maxChars of new Set(needs(rel, parsed.data))) file.excerpts.set(maxChars, excerpt(parsed.body, { maxChars, mdx: file.mdx }));
  } catch (error) {
    if (!(error instanceof FrontMatterError)) throw error;
    file.error = error.line !== undefined ? `${error.line}:${error.column ?? 1} ${error.message}` : error.message;
  }
  return file;
}

function fromCache(rel: string, abs: string, entry: CacheEntry): ScannedFile {
  const file: ScannedFile = { rel, abs, hash: entry.hash, mdx: rel.endsWith('.mdx'), excerpts: new Map(Object.entries(entry.excerpts).map(([k, v]) => [Number(k), v])) };
  if (entry.data) file.data = entry.data;
  if (entry.format) file.format = entry.format;
  if (entry.error !== undefined) file.error = entry.error;
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
    excerpts: Object.fromEntries(file.excerpts),
  };
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Why a file's bytes are not a text file we may edit, if they are not. */
function refuseBytes(bytes: Buffer): string | undefined {
  // Nothing to describe, and no front matter to keep: leave it for its author.
  if (bytes.every((b) => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d)) return 'empty file; skipped';
  // Git's heuristic: a NUL byte in the first 8000 bytes means binary.
  if (bytes.subarray(0, 8000).includes(0)) return 'binary content; skipped';
  try {
    utf8.decode(bytes);
  } catch {
    return 'not valid UTF-8; skipped (convert it to UTF-8 to include it)';
  }
  return undefined;
}

const formatSize = (bytes: number) => (bytes >= 1024 ** 2 ? `${(bytes / 1024 ** 2).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`);

/**
 * Reads and parses every content file. A symlink is followed only to a file
 * inside the root, and then read (and later written) under its target's path,
 * once. Unreadable files become diagnostics; the scan goes on.
 */
export async function scanTree(root: string, options: ScanOptions, { needs, cache = emptyScanCache() }: ScanContext = { needs: () => [] }): Promise<ScanResult> {
  const next: ScanCache = { version: 1, writtenAt: Date.now(), entries: {} };
  let reread = 0;
  const entries = await listContent(root, options);
  const realRoot = await realpath(root);
  const diagnostics: Diagnostic[] = [];
  const skip = (file: string, message: string) => diagnostics.push({ file, message, warning: true });

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

  const limit = pLimit(32);
  const files = await Promise.all(
    [...targets].sort().map((rel) =>
      limit(async () => {
        const abs = path.join(root, rel);
        try {
          const st = await stat(abs);
          if (st.size > options.maxFileSize) {
            skip(rel, `${formatSize(st.size)} is over content.maxFileSize (${formatSize(options.maxFileSize)}); skipped`);
            return undefined;
          }
          const cached = cache.entries[rel];
          if (fresh(cached, st, cache.writtenAt) && (cached.data ? needs(rel, cached.data) : []).every((m) => String(m) in cached.excerpts)) {
            next.entries[rel] = cached;
            return fromCache(rel, abs, cached);
          }
          reread++;
          const bytes = await readFile(abs);
          const refused = refuseBytes(bytes);
          if (refused) {
            skip(rel, refused);
            return undefined;
          }
          const file = parseScanned(rel, abs, bytes.toString('utf8'), needs);
          next.entries[rel] = toCache(file, st);
          return file;
        } catch (error) {
          diagnostics.push({ file: rel, message: `could not read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` });
          return undefined;
        }
      }),
    ),
  );
  for (const f of files) if (f?.error) diagnostics.push({ file: f.rel, message: f.error });
  diagnostics.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return { files: files.filter((f): f is ScannedFile => f !== undefined), diagnostics, matched: entries.length, cache: next, reread };
}

/** `path:line:col message` for front matter errors, `path: reason` for skipped files. */
export const formatDiagnostic = (d: Diagnostic) => `${d.file}${d.warning || !/^\d+:\d+ /.test(d.message) ? ': ' : ':'}${d.message}`;

/** Diagnostics that make a run end with exit code 1 (warnings do not). */
export const errorsIn = (diagnostics: Diagnostic[]) => diagnostics.filter((d) => !d.warning);

/** The front matter format most files use ('yaml' when none has any): what a file without front matter gets. */
export function dominantFormat(formats: Iterable<FrontMatterFormat | undefined>): 'yaml' | 'toml' | 'json' {
  const counts = { yaml: 0, toml: 0, json: 0 };
  for (const f of formats) if (f && f !== 'none') counts[f]++;
  return counts.toml > counts.yaml && counts.toml >= counts.json ? 'toml' : counts.json > counts.yaml && counts.json > counts.toml ? 'json' : 'yaml';
}
