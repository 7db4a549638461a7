import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fg from 'fast-glob';
import { describe, expect, it } from 'vitest';
import { startEmulator } from '../src/emulator/index.js';
import { copyExample, runCli } from './helpers/cli.js';

/**
 * kill -9 at every state write and every file write of a run, in turn
 * (the named crash points of src/io/crash-points.ts), resuming each time:
 * the files end as an uninterrupted run leaves them, and no prompt is billed
 * twice. Which points a run reaches is read from a traced run, so every one
 * is visited on any machine, however fast.
 */
// Six files over both tasks, sent as one batch (not synchronously), polled often. A create() killed before its
// answer was recorded is found by list(), which the emulator answers at once; one killed before it was sent is
// given up at once rather than after the default ten minutes.
const small = (config: string) =>
  config
    .replace("include: 'posts/**/*.{md,mdx}',\n      field: 'description'", "include: 'posts/guides/*.{md,mdx}',\n      field: 'description'")
    .replace("include: 'reviews/**/*.md',", "include: 'reviews/2025-09-1*.md',")
    .replace("pollInterval: '30s', maxRetries: 2, syncBelow: 10", "pollInterval: '50ms', maxRetries: 2, syncBelow: 1, lostCreateWindow: '0s'");
const content = (dir: string) => new Map(fg.sync('examples/blog/**/*.{md,mdx}', { cwd: dir }).sort().map((f) => [f, readFileSync(path.join(dir, f), 'utf8')]));

/**
 * The crash points worth a run each: every state write, and of the files written between two state writes
 * (each alike: read, checked, replaced) the first and the last.
 */
function distinct(points: string[]): { name: string; at: number }[] {
  const keep: { name: string; at: number }[] = [];
  points.forEach((name, i) => {
    const group = (j: number) => points[j]?.startsWith('file:') ?? false;
    if (!name.startsWith('file:')) keep.push({ name, at: i + 1 });
    // The first file write of its group (before and after), and the last.
    else if (!group(i - 1) || !group(i - 2) || !group(i + 1) || !group(i + 2)) keep.push({ name, at: i + 1 });
  });
  return keep;
}

/** A run of `run --apply` on a fresh copy against its own emulator; `crashAt` kills it at that crash point. */
async function crashedThenResumed(crashAt: number): Promise<{ crashed: boolean; resumed: number; files: Map<string, string>; billed: string[] }> {
  const emulator = await startEmulator({ batchDurationMs: 0 });
  try {
    const dir = copyExample(small);
    const env = { ANTHROPIC_BASE_URL: emulator.url, ANTHROPIC_API_KEY: 'test-key' };
    const crashed = await runCli(['run', '--apply'], dir, { ...env, BATCHMATTER_CRASH_AT: String(crashAt) });
    const resumed = await runCli(['run', '--apply'], dir, env);
    if (resumed.code !== 0) throw new Error(`crash point ${crashAt}: resumed run exited ${resumed.code}\n${resumed.stderr}${resumed.stdout}`);
    // A crash code of 0 means the run ended before reaching the point: the trace and this run disagree.
    return { crashed: crashed.code !== 0, resumed: resumed.code, files: content(dir), billed: emulator.ledger().map((e) => e.prompt_digest) };
  } finally {
    await emulator.close();
  }
}

describe('kill -9 at every crash point', () => {
  it('converges to the files of an uninterrupted run, with nothing billed twice', async () => {
    const emulator = await startEmulator({ batchDurationMs: 0 });
    const clean = copyExample(small);
    const trace = path.join(mkdtempSync(path.join(tmpdir(), 'batchmatter-trace-')), 'points');
    const run = await runCli(['run', '--apply'], clean, { ANTHROPIC_BASE_URL: emulator.url, ANTHROPIC_API_KEY: 'test-key', BATCHMATTER_CRASH_TRACE: trace });
    await emulator.close();
    expect(run.code, run.stderr + run.stdout).toBe(0);
    const expected = content(clean);
    const prompts = emulator.ledger().map((e) => e.prompt_digest).sort();
    expect(prompts).toHaveLength(6);

    const points = readFileSync(trace, 'utf8').trim().split('\n');
    // Every kind of point is reached: state writes around create() and collection, each file's write, the scan cache.
    expect(new Set(points)).toEqual(new Set(['state:before-write', 'state:after-write', 'file:before-write', 'file:after-write', 'scan-cache:between-writes']));

    // Two at a time: each case runs two CLI processes against its own emulator, mostly waiting on each other.
    const failures: string[] = [];
    const cases = distinct(points);
    expect(cases.length).toBeGreaterThan(10);
    for (let i = 0; i < cases.length; i += 2) {
      await Promise.all(
        cases.slice(i, i + 2).map(async ({ name, at }) => {
          const result = await crashedThenResumed(at);
          const where = `crash point ${at} (${name})`;
          if (!result.crashed) failures.push(`${where}: the run was not killed there`);
          if (JSON.stringify([...result.files]) !== JSON.stringify([...expected])) failures.push(`${where}: the files differ from an uninterrupted run's`);
          // The same prompts as the uninterrupted run, each billed once.
          if (JSON.stringify(result.billed.sort()) !== JSON.stringify(prompts)) failures.push(`${where}: billed ${result.billed.length} prompts, ${new Set(result.billed).size} distinct, not the clean run's 6`);
        }),
      );
    }
    expect(failures).toEqual([]);
  }, 300_000);
});
