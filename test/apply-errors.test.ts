import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLog } from '../src/io/log.js';
import { computeEdits, writeEdits } from '../src/pipeline/edits.js';
import { openSession } from '../src/pipeline/session.js';
import { copyExample, runCli } from './helpers/cli.js';

describe('apply when a file cannot be written', () => {
  it('reports that file, writes the others, and keeps its answers waiting', async () => {
    const dir = copyExample();
    expect((await runCli(['run', '--offline'], dir)).code).toBe(0);
    const session = await openSession({ cwd: dir, offline: true, env: {}, log: createLog({ quiet: true }), lock: true });
    try {
      const edits = await computeEdits(session);
      // A folder gone between the diff and the write (a checkout switching branches, a cleanup job): the write fails.
      const lost = edits.find((e) => e.file.startsWith('reviews/'))!;
      rmSync(path.join(dir, 'examples/blog/reviews'), { recursive: true });
      const result = await writeEdits(session, edits);
      const reviews = edits.filter((e) => e.file.startsWith('reviews/')).length;
      expect(result.failed).toHaveLength(reviews);
      expect(result.failed).toContain(`examples/blog/${lost.file}  not written: no such file or folder (ENOENT); the answer waits for the next apply`);
      expect(result.written).toHaveLength(edits.length - reviews);
      const state = JSON.parse(readFileSync(path.join(dir, '.batchmatter/state.offline.json'), 'utf8'));
      expect(state.items[lost.keys[0]!].status).toBe('succeeded');
      expect(Object.values(state.items as Record<string, { status: string }>).filter((i) => i.status === 'applied')).toHaveLength(edits.length - reviews);
    } finally {
      await session.close();
    }
  });
});
