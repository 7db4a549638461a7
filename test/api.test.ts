import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { apply, check, diff, plan, reject, run, startEmulator, submit, UserError } from '../src/index.js';
import { copyExample, repoRoot } from './helpers/cli.js';

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
    const state = JSON.parse(readFileSync(path.join(cwd, '.batchmatter/state.offline.json'), 'utf8'));
    const files = Object.values(state.items as Record<string, { file: string }>).map((i) => i.file);
    expect(files.length).toBeGreaterThan(0);
    expect(files.every((f) => f.startsWith('posts/2024/'))).toBe(true);

    const [first, ...rest] = files;
    expect((await reject({ cwd, offline: true, paths: [`examples/blog/${first}`], reason: 'too generic' })).data.rejected).toEqual([{ task: 'description', file: first }]);
    const written = await apply({ cwd, offline: true });
    expect(written.data.written).toEqual([...rest].sort());
    const gate = await check({ cwd, offline: true, paths: ['examples/blog/posts/2024'] });
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

  it('stays out of its host: no signal listeners left, nothing on stderr without onMessage, the key and endpoint of its env option', async () => {
    const cwd = copyExample();
    writeFileSync(path.join(cwd, 'examples/blog/posts/broken.md'), '---\ntitle: "unclosed\n---\nBody.\n');
    const signals = () => ['SIGTERM', 'SIGINT', 'SIGHUP'].map((s) => process.listenerCount(s));
    const before = signals();
    const written: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string | Uint8Array) => (written.push(String(chunk)), true)) as typeof process.stderr.write;
    let result;
    try {
      result = await plan({ cwd, offline: true });
    } finally {
      process.stderr.write = write;
    }
    expect(result.exitCode).toBe(1);
    expect(written).toEqual([]);
    expect(signals()).toEqual(before);
    // A host that handles SIGTERM with once() keeps running: nothing batchmatter loads may listen for signals and re-raise one.
    const host = `
      import { status } from ${JSON.stringify(path.join(repoRoot, 'dist/index.js'))};
      process.once('SIGTERM', () => setTimeout(() => console.log('still here'), 100));
      await status({ cwd: ${JSON.stringify(cwd)} });
      process.kill(process.pid, 'SIGTERM');
      setTimeout(() => {}, 300);`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', host], { encoding: 'utf8' });
    expect([child.status, child.stdout.trim()], child.stderr).toEqual([0, 'still here']);

    // The key and the endpoint come from `env`, not from process.env.
    const emulator = await startEmulator({ batchDurationMs: 100 });
    try {
      const env = { ANTHROPIC_API_KEY: 'library-key-0123456789', ANTHROPIC_BASE_URL: emulator.url };
      const sent = await submit({ cwd, env, tasks: ['sentiment'], limit: 2 });
      expect(sent.text, sent.text).toMatch(/2 request\(s\) answered synchronously/);
      expect(emulator.ledger()).toHaveLength(2);
    } finally {
      await emulator.close();
    }
  });

  it('checks diff\'s format and out as the CLI does; out is relative to cwd', async () => {
    const cwd = copyExample();
    await expect(diff({ cwd, format: 'nope' as never })).rejects.toThrow(/--format: expected one of unified, markdown, json, html, got "nope"/);
    await expect(diff({ cwd, out: 'x.txt' })).rejects.toThrow(/--out: write a report with --format html, markdown or json/);
    await expect(plan({ cwd, offline: true, tasks: 'description' as never })).rejects.toThrow(/tasks: expected an array of strings/);
    await expect(run({ cwd, offline: true, maxWaitMs: Number.NaN })).rejects.toThrow(/maxWaitMs: expected a number of milliseconds/);
    const report = await diff({ cwd, format: 'json', out: 'review.json' });
    expect(report.data.out).toBe(path.join(cwd, 'review.json'));
    expect(existsSync(path.join(cwd, 'review.json'))).toBe(true);
  });
});

