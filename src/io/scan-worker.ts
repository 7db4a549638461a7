import { needsOf, type ExcerptNeeds, type ExcerptSpec } from '../core/needs.js';
import { parseBytes, readBytes, type ReadOutcome } from './scan-parse.js';

/**
 * A scan worker (run by tinypool): reads and parses a chunk of files. The
 * tasks' excerpt specs arrive with every chunk (a few hundred bytes), and the
 * matchers built from them are kept for the next chunk with the same specs.
 */
export interface ScanChunk {
  specs: ExcerptSpec[];
  /** `known`: the digest the scan cache has for the file, whose stat no longer matches (see parseBytes). */
  files: Array<{ rel: string; abs: string; known?: string | undefined }>;
}

let compiled: { key: string; needs: ExcerptNeeds } | undefined;

export default function scanChunk({ specs, files }: ScanChunk): ReadOutcome[] {
  const key = JSON.stringify(specs);
  if (compiled?.key !== key) compiled = { key, needs: needsOf(specs) };
  const { needs } = compiled;
  // One file at a time: the pool's other workers are the parallelism, and one
  // file's text at a time keeps memory flat.
  return files.map(({ rel, abs, known }) => parseBytes(rel, abs, readBytes(abs), needs, known));
}
