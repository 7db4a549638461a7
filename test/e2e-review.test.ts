import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFrontMatter } from '../src/frontmatter/read.js';
import { copyExample, runCli } from './helpers/cli.js';

const FILE = 'posts/2024/edge-cache-deep-dive.md';

interface Entry {
  file: string;
  task: string;
  status: string;
  proposed?: unknown;
  reason?: string;
}

async function entries(dir: string): Promise<Entry[]> {
  return JSON.parse((await runCli(['diff', '--format', 'json'], dir)).stdout).entries;
}

describe('reject: a reviewer sends answers back', () => {
  it('the rejected answer is not applied, and the next run asks again quoting it and the reason', async () => {
    const dir = copyExample();
    expect((await runCli(['run', '--offline'], dir)).code).toBe(0);
    const first = (await entries(dir)).find((e) => e.file === FILE && e.task === 'description')!;
    expect(first.status).toBe('proposed');

    const bare = await runCli(['reject'], dir);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(/reject: name the files \(paths or globs\) or the task \(--task\) whose answers to reject/);

    const reject = await runCli(['reject', `examples/blog/${FILE}`, '--reason', 'too generic: name what the cache keeps'], dir);
    expect(reject.code, reject.stderr).toBe(0);
    expect(reject.stdout.trim().split('\n')).toEqual([
      'rejected 1 answer(s); the next "run" or "sync" asks for them again, quoting each one and your reason:',
      `  ${FILE}  description`,
    ]);
    const after = (await entries(dir)).find((e) => e.file === FILE && e.task === 'description')!;
    expect(after).toMatchObject({ status: 'failed', reason: 'rejected in review: too generic: name what the cache keeps' });
    expect((await runCli(['diff'], dir)).stdout).not.toContain(`+++ b/${FILE}`);

    const plan = await runCli(['plan', '--offline', '--json'], dir);
    expect(JSON.parse(plan.stdout).requests).toEqual([{ task: 'description', file: FILE, retry: true }]);
    expect((await runCli(['plan', '--offline'], dir)).stdout).toMatch(/^description: 1 request\(s\) to send \(1 asked again after a failed or refused answer\)$/m);

    const run = await runCli(['run', '--offline', '--apply'], dir);
    expect(run.code, run.stderr + run.stdout).toBe(0);
    const written = parseFrontMatter(readFileSync(path.join(dir, 'examples/blog', FILE), 'utf8')).data.description;
    expect(typeof written).toBe('string');
    // The emulator, like a model shown its refused answer, says something else.
    expect(written).not.toBe(first.proposed);

    // Written answers are the file's now: editing or deleting the field is how to change them.
    const late = await runCli(['reject', `examples/blog/${FILE}`], dir);
    expect(late.stdout).toMatch(/^no answer waiting for apply there: nothing rejected$/m);
  });

  it('--task rejects every answer of a task waiting for apply, and leaves the other tasks\' alone', async () => {
    const dir = copyExample();
    expect((await runCli(['run', '--offline'], dir)).code).toBe(0);
    const reject = await runCli(['reject', '--task', 'sentiment', '--json'], dir);
    expect(reject.code).toBe(0);
    expect(JSON.parse(reject.stdout).rejected).toHaveLength(15);
    const now = await entries(dir);
    expect(now.filter((e) => e.task === 'sentiment').every((e) => e.status === 'failed')).toBe(true);
    expect(now.filter((e) => e.task === 'description').every((e) => e.status === 'proposed')).toBe(true);
    const plan = JSON.parse((await runCli(['plan', '--offline', '--json'], dir)).stdout);
    expect(plan.requests.map((r: { task: string }) => r.task)).toEqual(Array(15).fill('sentiment'));
  });
});

describe("when: 'invalid'", () => {
  it('rewrites a human value that breaks the rules, in place and nothing else, and keeps the ones that pass', async () => {
    const dir = copyExample((config) => config.replace("field: 'description',", "field: 'description',\n      when: 'invalid',"));
    const welcome = path.join(dir, 'examples/blog/posts/welcome.md');
    const original = readFileSync(welcome, 'utf8');
    const broken = original.replace(/^description: .*$/m, 'description: "In this article we say hello."  # written in a hurry');
    writeFileSync(welcome, broken);

    const check = await runCli(['check', '--task', 'description'], dir);
    expect(check.stdout).toMatch(/^posts\/welcome\.md {2}description {2}expected at least 40 characters, got 29; must not start with "In this article"$/m);
    expect(check.stdout).toMatch(/1 value\(s\) breaking a rule: "batchmatter run" rewrites them \(when: 'invalid'\)/);

    const plan = JSON.parse((await runCli(['plan', '--offline', '--json', '--task', 'description'], dir)).stdout);
    const files = plan.requests.map((r: { file: string }) => r.file);
    expect(files).toContain('posts/welcome.md');
    // The other human descriptions pass the rules and stay.
    expect(plan.skipped.filter((s: { reason: string }) => s.reason === 'has-value')).toHaveLength(7);

    const run = await runCli(['run', '--offline', '--apply', '--task', 'description'], dir);
    expect(run.code, run.stderr + run.stdout).toBe(0);
    const after = readFileSync(welcome, 'utf8');
    const value = parseFrontMatter(after).data.description as string;
    expect(value).not.toMatch(/^In this article/);
    // Only the value changed: same line, its comment kept, every other byte as it was.
    const [pre, post] = broken.split('"In this article we say hello."');
    expect(after.startsWith(pre!)).toBe(true);
    expect(after.endsWith(post!)).toBe(true);
    expect((await runCli(['check', '--task', 'description'], dir)).code).toBe(0);
  });
});
