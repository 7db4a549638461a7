import { readFileSync } from 'node:fs';
import path from 'node:path';
import fg from 'fast-glob';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../src/emulator/index.js';
import { copyExample, runCli, spawnCli } from './helpers/cli.js';

/**
 * kill -9 at 20 moments spread over a run (scan, submit, poll, collect, apply),
 * resuming each time: the files end as an uninterrupted run leaves them, and no
 * request is billed twice.
 */
// A kill between recording the intent and sending create() leaves nothing to find: with the emulator listing
// new batches at once, a few seconds of looking stand in for the default ten minutes.
const fastPolls = (config: string) => config.replace("pollInterval: '30s',", "pollInterval: '100ms', lostCreateWindow: '3s',");
const content = (dir: string) => new Map(fg.sync('examples/blog/**/*.{md,mdx}', { cwd: dir }).sort().map((f) => [f, readFileSync(path.join(dir, f), 'utf8')]));

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator({ batchDurationMs: 400 });
});
afterAll(async () => {
  await emulator.close();
});

describe('kill -9 at any moment', () => {
  it('converges to the files of an uninterrupted run, with nothing billed twice', async () => {
    const env = { ANTHROPIC_BASE_URL: emulator.url, ANTHROPIC_API_KEY: 'test-key' };
    // Its own state path, so its own project tag: the interrupted copy must not take the clean run's answers as
    // those of a batch its lost state forgot (see pipeline/adopt.ts), which would leave it nothing to pay for.
    const clean = copyExample((c) => fastPolls(c).replace("state: '.batchmatter/state.json'", "state: '.batchmatter/clean.json'"));
    const started = Date.now();
    expect((await runCli(['run', '--apply'], clean, env)).code).toBe(0);
    // The kills are spread over the time a whole run takes here: fixed moments would fall after the
    // work is done on a fast machine, and every resumed run has less left to do.
    const cleanMs = Date.now() - started;
    const expected = content(clean);
    const billedBefore = emulator.ledger().length;

    const dir = copyExample(fastPolls);
    const kills: number[] = [];
    for (let i = 0; i < 20; i++) {
      // 40 ms … 0.8 × a clean run after start: from config loading and scanning to collecting and applying
      // (a resumed run finds the batch its killed predecessors made already running, or ended).
      const delay = 40 + Math.round((i * 0.8 * cleanMs) / 19);
      const child = spawnCli(['run', '--apply'], dir, env);
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      const timer = setTimeout(() => child.kill('SIGKILL'), delay);
      const code = await exited;
      clearTimeout(timer);
      if (code === null) kills.push(delay);
    }
    expect(kills.length).toBeGreaterThanOrEqual(8); // most runs really were killed part-way
    const last = await runCli(['run', '--apply'], dir, env);
    expect(last.code, last.stderr + last.stdout).toBe(0);
    expect(content(dir)).toEqual(expected);

    // Every prompt of the interrupted project billed once: the same 32 prompts as the clean run.
    const billed = emulator.ledger().slice(billedBefore).map((e) => e.prompt_digest);
    expect(new Set(billed).size).toBe(billed.length);
    expect(billed).toHaveLength(32);
  }, 180_000);
});
