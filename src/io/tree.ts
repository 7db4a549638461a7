import { readFile } from 'node:fs/promises';
import path from 'node:path';
import fg from 'fast-glob';
import pLimit from 'p-limit';
import { digest } from '../core/hash.js';
import { FrontMatterError, parseFrontMatter, type ParsedFile } from '../frontmatter/read.js';

export interface ScannedFile {
  /** Path relative to the content root, with `/` separators. */
  rel: string;
  abs: string;
  text: string;
  hash: string;
  mdx: boolean;
  parsed?: ParsedFile;
  /** `line:col message` when the front matter could not be read. */
  error?: string;
}

export interface Diagnostic {
  file: string;
  message: string;
}

export async function listContent(root: string, include: string[], exclude: string[]): Promise<string[]> {
  const files = await fg(include, {
    cwd: root,
    ignore: ['**/node_modules/**', ...exclude],
    onlyFiles: true,
    dot: false,
    // A symlink could lead outside the content root, where we must never write.
    followSymbolicLinks: false,
  });
  return files.sort();
}

export function parseScanned(rel: string, abs: string, text: string): ScannedFile {
  const file: ScannedFile = { rel, abs, text, hash: digest(text), mdx: rel.endsWith('.mdx') };
  try {
    file.parsed = parseFrontMatter(text);
  } catch (error) {
    if (!(error instanceof FrontMatterError)) throw error;
    file.error = error.line !== undefined ? `${error.line}:${error.column ?? 1} ${error.message}` : error.message;
  }
  return file;
}

/** Reads and parses every content file. Unreadable files become diagnostics; the scan goes on. */
export async function scanTree(
  root: string,
  include: string[],
  exclude: string[],
): Promise<{ files: ScannedFile[]; diagnostics: Diagnostic[] }> {
  const rels = await listContent(root, include, exclude);
  const limit = pLimit(32);
  const diagnostics: Diagnostic[] = [];
  const files = await Promise.all(
    rels.map((rel) =>
      limit(async () => {
        const abs = path.join(root, rel);
        try {
          return parseScanned(rel, abs, await readFile(abs, 'utf8'));
        } catch (error) {
          diagnostics.push({ file: rel, message: `could not read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` });
          return undefined;
        }
      }),
    ),
  );
  for (const f of files) if (f?.error) diagnostics.push({ file: f.rel, message: f.error });
  return { files: files.filter((f): f is ScannedFile => f !== undefined), diagnostics };
}
