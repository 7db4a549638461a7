import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFrontMatter } from '../src/frontmatter/read.js';
import { startEmulator, type RunningEmulator } from '../src/emulator/index.js';
import { copyExample } from './helpers/cli.js';
import { inProcess } from './helpers/inprocess.js';

/**
 * Offline and online never mix: the emulator's answers live in a state of
 * their own, so an online command never applies, reuses or bills them.
 */
const ONLINE = 'A real answer from the online API, long enough to pass.';
let emulator: RunningEmulator;
beforeAll(async () => {
  // Every description the online API writes says so, to tell it from the offline emulator's answer.
  emulator = await startEmulator({ batchDurationMs: 0, faults: { rules: [{ promptIncludes: '<excerpt>', outcome: 'text', text: ONLINE }] } });
});
afterAll(async () => {
  await emulator?.close();
});

const fast = (c: string) => c.replace("pollInterval: '30s'", "pollInterval: '100ms'");
const description = (dir: string, file: string) => parseFrontMatter(readFileSync(path.join(dir, 'examples/blog', file), 'utf8')).data.description;

describe('offline answers kept apart from real ones', () => {
  it('after run --offline, an online run sends everything, and only online answers are applied and counted', async () => {
    const dir = copyExample(fast);
    const env = { ANTHROPIC_BASE_URL: emulator.url, ANTHROPIC_API_KEY: 'test-key' };
    expect((await inProcess(dir)(['run', '--offline'])).code).toBe(0);
    expect(existsSync(path.join(dir, '.batchmatter/state.offline.json'))).toBe(true);
    expect(existsSync(path.join(dir, '.batchmatter/state.json'))).toBe(false);

    // Online, the offline answers do not exist: everything is sent, nothing is "ready".
    const plan = JSON.parse((await inProcess(dir, env)(['plan', '--json'])).stdout);
    expect(plan.requests).toHaveLength(32);
    expect((await inProcess(dir, env)(['diff'])).stdout.trim()).toBe('no proposed changes');
    const before = emulator.ledger().length;
    const run = await inProcess(dir, env)(['run', '--apply']);
    expect(run.code, run.stderr).toBe(0);
    expect(emulator.ledger().length - before).toBe(32);
    expect(description(dir, 'posts/2024/release-notes.md')).toBe(ONLINE);

    // cost counts what was paid online only; the emulator's spend is its own.
    const cost = JSON.parse((await inProcess(dir, env)(['cost', '--json'])).stdout);
    const offline = JSON.parse((await inProcess(dir)(['cost', '--offline', '--json'])).stdout);
    const requests = (report: { tasks: Array<{ spend: { requests: number } }> }) => report.tasks.reduce((n, t) => n + t.spend.requests, 0);
    expect(requests(cost)).toBe(32);
    expect(requests(offline)).toBe(32);
    expect(cost.tasks).not.toEqual(offline.tasks);
  });

  it('an online command takes a file holding the emulator\'s applied answer for a problem, not an answer', async () => {
    const dir = copyExample(fast);
    const env = { ANTHROPIC_BASE_URL: emulator.url, ANTHROPIC_API_KEY: 'test-key' };
    expect((await inProcess(dir)(['run', '--offline', '--apply'])).code).toBe(0);
    const placeholder = description(dir, 'posts/2024/release-notes.md');
    expect(typeof placeholder).toBe('string');

    const check = await inProcess(dir, env)(['check']);
    expect(check.code).toBe(1);
    expect(check.stdout).toMatch(/^examples\/blog\/posts\/2024\/release-notes\.md {2}description {2}holds the offline emulator's placeholder answer \(written by "apply --offline"\), not a real one; restore the file \(git checkout\) or delete the field$/m);
    expect(check.stdout).toMatch(/32 value\(s\) written by "apply --offline" from the emulator: restore those files \(git checkout\) before publishing/);
    // With --offline, they are the emulator's own answers: nothing to report.
    expect((await inProcess(dir)(['check', '--offline'])).code).toBe(0);

    const before = emulator.ledger().length;
    const run = await inProcess(dir, env)(['run', '--apply']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/posts\/2024\/release-notes\.md {2}description {2}holds the offline emulator's placeholder answer/);
    expect(emulator.ledger().length).toBe(before); // nothing bought, nothing overwritten
    expect(description(dir, 'posts/2024/release-notes.md')).toBe(placeholder);
  });
});
