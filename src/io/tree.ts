import { readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import fg from 'fast-glob';
import pLimit from 'p-limit';
import { digest } from '../core/hash.js';
import { FrontMatterError, parseFrontMatter, type ParsedFile } from '../frontmatter/read.js';

export interface ScannedFile {
  /** Path relative to the content root, with `/` separators. */
  rel: string;
  abs: string;
  /** Digest of the whole file: the stale guard compares it before any write. */
  hash: string;
  mdx: boolean;
  parsed?: ParsedFile;
  /** `line:col message` when the front matter could not be read. */
  error?: string;
}

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

export function parseScanned(rel: string, abs: string, text: string): ScannedFile {
  const file: ScannedFile = { rel, abs, hash: digest(text), mdx: rel.endsWith('.mdx') };
  try {
    file.parsed = parseFrontMatter(text);
  } catch (error) {
    if (!(error instanceof FrontMatterError)) throw error;
    file.error = error.line !== undefined ? `${error.line}:${error.column ?? 1} ${error.message}` : error.message;
  }
  return file;
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
export async function scanTree(root: string, options: ScanOptions): Promise<ScanResult> {
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
          const { size } = await stat(abs);
          if (size > options.maxFileSize) {
            skip(rel, `${formatSize(size)} is over content.maxFileSize (${formatSize(options.maxFileSize)}); skipped`);
            return undefined;
          }
          const bytes = await readFile(abs);
          const refused = refuseBytes(bytes);
          if (refused) {
            skip(rel, refused);
            return undefined;
          }
          return parseScanned(rel, abs, bytes.toString('utf8'));
        } catch (error) {
          diagnostics.push({ file: rel, message: `could not read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` });
          return undefined;
        }
      }),
    ),
  );
  for (const f of files) if (f?.error) diagnostics.push({ file: f.rel, message: f.error });
  diagnostics.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return { files: files.filter((f): f is ScannedFile => f !== undefined), diagnostics, matched: entries.length };
}

/** `path:line:col message` for front matter errors, `path: reason` for skipped files. */
export const formatDiagnostic = (d: Diagnostic) => `${d.file}${d.warning || !/^\d+:\d+ /.test(d.message) ? ': ' : ':'}${d.message}`;

/** Diagnostics that make a run end with exit code 1 (warnings do not). */
export const errorsIn = (diagnostics: Diagnostic[]) => diagnostics.filter((d) => !d.warning);
