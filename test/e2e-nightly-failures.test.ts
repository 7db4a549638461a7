import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseFrontMatter } from '../src/frontmatter/read.js';
import { startEmulator, type RunningEmulator } from '../src/emulator/index.js';
import { closedPort } from './helpers/emulator.js';
import { createSite, describeNight, git, remoteBranches, remoteFile, runNight, type NightResult } from './helpers/workflow.js';

/**
 * The nightly workflow when things go wrong: a state lost between submit and
 * collect is recovered from the API, and what needs a person (an unreachable
 * API, an invalid request, an unknown model, a glob that matches nothing)
 * exits with its own code and turns the job red.
 */
let emulator: RunningEmulator;
// One emulator per test: each site's batches are its own, and no test can take another's (see pipeline/adopt.ts).
beforeEach(async () => {
  emulator = await startEmulator({ batchDurationMs: 0 });
});
afterEach(async () => {
  await emulator?.close();
});


const runStep = (night: NightResult) => night.steps.find((s) => s.name === 'Submit, collect and validate')!;
const failStep = (night: NightResult) => night.steps.find((s) => s.name === 'Fail when a person is needed');

/** Several nights each run a dozen commands: a ceiling for a loaded machine, not a timing. */
const NIGHTS_TIMEOUT = 300_000;

describe('the nightly workflow when things go wrong', () => {
  it('recovers a lost state from the API: every file filled, nothing billed twice', async () => {
    const site = await createSite();
    const billedBefore = emulator.ledger().length;
    const night1 = await runNight(site, { apiUrl: emulator.url, env: { MAX_WAIT: '0s' } });
    expect([night1.failed, night1.runCode], describeNight(night1)).toEqual([false, '3']);
    // The state is lost between submit and collect: the branch deleted, and no run artifact to fall back on.
    git(site.origin, 'branch', '-D', 'batchmatter-state');
    expect(remoteBranches(site)).toEqual(['main']);

    const night2 = await runNight(site, { apiUrl: emulator.url });
    expect(night2.failed, describeNight(night2)).toBe(false);
    expect(runStep(night2).output).toMatch(/batch msgbatch_\w+ \(32 requests, created [^)]+\) is this project's but was not in the state file: taken back/);
    const posts = git(site.origin, 'diff', '--name-only', 'main~1', 'main').split('\n').filter((f) => f.startsWith('examples/blog/'));
    expect(posts).toHaveLength(32);
    for (const file of posts.filter((f) => f.includes('/posts/'))) expect(typeof parseFrontMatter(remoteFile(site, file)!).data.description, file).toBe('string');
    const billed = emulator.ledger().slice(billedBefore);
    expect(billed).toHaveLength(32);
    expect(new Set(billed.map((e) => e.batch_id)).size).toBe(1);
  }, NIGHTS_TIMEOUT);

  it('an unreachable API: exit 4, one line for the 32 identical errors, and a red job', async () => {
    const site = await createSite();
    const night = await runNight(site, { apiUrl: `http://127.0.0.1:${await closedPort()}` });
    expect(night.runCode, describeNight(night)).toBe('4');
    expect(night.failed).toBe(true);
    const output = runStep(night).output;
    expect(output).toMatch(/^ {2}32 files: batch create refused: Connection error\. \(connect ECONNREFUSED [^)]*\): \S+, \S+, \S+ and 29 more$/m);
    expect(output.match(/ECONNREFUSED/g)!.length).toBeLessThan(6);
    expect(output).toMatch(/the API could not be reached: all \d+ call\(s\) failed/);
    expect(failStep(night)!.output).toMatch(/::error::batchmatter: the Anthropic API could not be reached/);
    // The state was saved all the same: the next night resumes, nothing lost.
    expect(remoteBranches(site)).toContain('batchmatter-state');
  }, NIGHTS_TIMEOUT);

  it('a request the API refuses as invalid: exit 5, never sent again unchanged', async () => {
    const refusing = await startEmulator({ batchDurationMs: 0, faults: { rules: [{ endpoint: 'create', outcome: 'http_error', status: 400, errorType: 'invalid_request_error' }] } });
    try {
      const site = await createSite();
      for (const night of [1, 2]) {
        const result = await runNight(site, { apiUrl: refusing.url });
        expect(result.runCode, `night ${night}\n${describeNight(result)}`).toBe('5');
        expect(result.failed).toBe(true);
        expect(failStep(result)!.output).toMatch(/::error::batchmatter: the API refused a request as invalid \(HTTP 400\)/);
      }
      // One create on the first night, none on the second: refused requests wait for a change, not a loop.
      const creates = await fetch(`${refusing.url}/v1/messages/batches?limit=100`, { headers: { 'x-api-key': 'k', 'anthropic-version': '2023-06-01' } });
      expect(((await creates.json()) as { data: unknown[] }).data).toHaveLength(0);
      const state = JSON.parse(remoteFile(site, '.batchmatter/state.json', 'batchmatter-state')!);
      const jobs = Object.values(state.jobs as Record<string, { status: string }>);
      expect(jobs.map((j) => j.status)).toEqual(['rejected']);
    } finally {
      await refusing.close();
    }
  }, NIGHTS_TIMEOUT);

  it('an unknown model: exit 6 before anything is sent, naming the model meant', async () => {
    const site = await createSite((c) => c.replace("model: 'claude-haiku-4-5'", "model: 'claude-haiku-4.5'").replace('export default defineConfig({', "export default defineConfig({\n  model: 'claude-haiku-4.5',"));
    const before = emulator.ledger().length;
    const night = await runNight(site, { apiUrl: emulator.url });
    expect(night.runCode, describeNight(night)).toBe('6');
    expect(night.failed).toBe(true);
    expect(runStep(night).output).toMatch(/model: "claude-haiku-4\.5" is not a model: the API does not know it \(404 not_found_error\); did you mean "claude-haiku-4-5"\? Nothing was sent\./);
    expect(emulator.ledger().length).toBe(before);
  }, NIGHTS_TIMEOUT);

  it('a task whose glob matches no file: a config error (exit 2) that stops the job', async () => {
    const site = await createSite((c) => c.replace("include: 'posts/**/*.{md,mdx}',", "include: 'blgo/**/*.{md,mdx}',"));
    const night = await runNight(site, { apiUrl: emulator.url });
    expect(night.runCode, describeNight(night)).toBe('2');
    expect(night.failed).toBe(true);
    expect(runStep(night).output).toMatch(/tasks\.description\.include: blgo\/\*\*\/\*\.\{md,mdx\} matches none of the 40 content file\(s\) under content\.root \(examples\/blog\); fix the glob, or remove the task/);
  }, NIGHTS_TIMEOUT);
});
