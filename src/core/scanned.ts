import type { FrontMatterFormat } from '../frontmatter/read.js';

/** One content file as the scan read it. */
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
  /** Requests planned for this file before, as [task, fingerprint, request digest, input tokens, page language?] (from the scan cache; see RequestMemo). */
  memo?: ReadonlyArray<readonly [string, string, string, number, string?]>;
}
