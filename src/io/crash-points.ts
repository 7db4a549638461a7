/**
 * Named crash points, for tests only: the process kills itself (SIGKILL, as
 * `kill -9` would) at the Nth crash point it reaches, so a test can crash a
 * run at every state write and file write in turn, deterministically, and
 * check that resuming converges (test/e2e-crash.test.ts).
 *
 *   BATCHMATTER_CRASH_TRACE=<file>  append each point reached to <file>, one name a line
 *   BATCHMATTER_CRASH_AT=<n>        be killed on reaching the nth point (counting from 1)
 *
 * Neither is set in normal use, and then a crash point costs one comparison.
 */
import { appendFileSync } from 'node:fs';

export type CrashPoint =
  /** Right before the state file is replaced, and right after. */
  | 'state:before-write'
  | 'state:after-write'
  /** Right before a content file is replaced with its edited text, and right after (before the state records it). */
  | 'file:before-write'
  | 'file:after-write'
  /** Between the scan cache's two files. */
  | 'scan-cache:between-writes';

const trace = process.env.BATCHMATTER_CRASH_TRACE;
const at = Number(process.env.BATCHMATTER_CRASH_AT) || 0;
let reached = 0;

export function crashPoint(name: CrashPoint): void {
  if (!trace && !at) return;
  reached++;
  if (trace) appendFileSync(trace, `${name}\n`);
  if (reached === at) process.kill(process.pid, 'SIGKILL');
}
