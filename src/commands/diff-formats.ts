import path from 'node:path';
import { UserError } from '../errors.js';

/** The forms `diff --format` writes (its own module so the CLI can list them without loading the diff code). */
export const DIFF_FORMATS = ['unified', 'markdown', 'json', 'html'] as const;
export type DiffFormat = (typeof DIFF_FORMATS)[number];

/** `--format`, `--out` and `--max-chars` checked (from the CLI or code alike); `out` relative to the folder the command runs in. */
export function diffOptions(format: unknown, out: unknown, cwd: string, maxChars?: unknown): { format: DiffFormat; out?: string; maxChars?: number } {
  const known = DIFF_FORMATS.find((f) => f === (format ?? 'unified'));
  if (!known) throw new UserError(`--format: expected one of ${DIFF_FORMATS.join(', ')}, got "${String(format)}"`);
  if (maxChars !== undefined) {
    const n = Number(maxChars);
    if (known !== 'markdown') throw new UserError('--max-chars: only --format markdown is cut to a length');
    if (!/^\d+$/.test(String(maxChars).trim()) || n < 1000) throw new UserError(`--max-chars: expected a whole number of characters, at least 1000, got "${String(maxChars)}"`);
    return { ...diffOptions(format, out, cwd), maxChars: n };
  }
  if (out === undefined) return { format: known };
  if (typeof out !== 'string' || !out) throw new UserError(`--out: expected a file name, got ${JSON.stringify(out)}`);
  if (known === 'unified') throw new UserError('--out: write a report with --format html, markdown or json; the unified diff goes to stdout');
  return { format: known, out: path.resolve(cwd, out) };
}
