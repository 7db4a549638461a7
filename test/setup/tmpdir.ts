import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * Every test's temporary directories (and the CLI processes' they spawn) go
 * under one directory per run, removed at the end unless KEEP_TEST_DIRS is set
 * (to look at a failing test's files or the HTML report's screenshot).
 */
export default function setup(): () => void {
  const root = mkdtempSync(path.join(tmpdir(), 'batchmatter-tests-'));
  process.env.TMPDIR = root;
  return () => {
    if (process.env.KEEP_TEST_DIRS) console.log(`test files kept in ${root}`);
    else rmSync(root, { recursive: true, force: true });
  };
}
