import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A real temporary directory holding the given files (changesets' testdir). */
export function testdir(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'batchmatter-test-'));
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
  return dir;
}
