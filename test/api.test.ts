import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { apply, check, plan, reject, run, UserError } from '../src/index.js';
import { copyExample } from './helpers/cli.js';

/** The commands as functions: the same work as the CLI's, returned instead of printed. */
describe('the library API', () => {
  it('plans a sample, runs one folder, and applies it, with progress lines to a callback', async () => {
    const cwd = copyExample();
    const sample = await plan({ cwd, offline: true, tasks: ['description'], limit: 3 });
    expect(sample.exitCode).toBe(0);
    expect(sample.data.requests).toHaveLength(3);
    expect(sample.data.held).toEqual({ description: 14 });
    expect(sample.text).toMatch(/^description: 3 request\(s\) to send \(a sample: 14 more wait/m);

    const lines: string[] = [];
    const done = await run({ cwd, offline: true, paths: ['examples/blog/posts/2024'], onMessage: (line) => lines.push(line) });
    expect(done.exitCode, done.text).toBe(0);
    expect(lines.join('\n')).toMatch(/answered synchronously|submitted batch/);
    const state = JSON.parse(readFileSync(path.join(cwd, '.batchmatter/state.json'), 'utf8'));
    const files = Object.values(state.items as Record<string, { file: string }>).map((i) => i.file);
    expect(files.length).toBeGreaterThan(0);
    expect(files.every((f) => f.startsWith('posts/2024/'))).toBe(true);

    const [first, ...rest] = files;
    expect((await reject({ cwd, paths: [`examples/blog/${first}`], reason: 'too generic' })).data.rejected).toEqual([{ task: 'description', file: first }]);
    const written = await apply({ cwd });
    expect(written.data.written).toEqual([...rest].sort());
    const gate = await check({ cwd, paths: ['examples/blog/posts/2024'] });
    expect(gate.exitCode).toBe(1);
    expect(gate.data.findings).toEqual([expect.objectContaining({ file: first, kind: 'missing' })]);
  });

  it('rejects with a UserError carrying the CLI\'s message, and nothing is done', async () => {
    const cwd = copyExample();
    const error = await plan({ cwd, offline: true, tasks: ['nope'] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toBe('--task: no task named "nope"; the config has description, sentiment');
    await expect(run({ cwd, offline: true, limit: 0 })).rejects.toThrow(/--limit: expected a whole number of requests per task, at least 1, got 0/);
    await expect(reject({ cwd })).rejects.toThrow(/reject: name the files/);
  });
});
