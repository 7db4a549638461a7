import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fg from 'fast-glob';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseFrontMatter } from '../src/frontmatter/read.js';
import { startEmulator, type RunningEmulator } from '../src/emulator/index.js';
import { createSite, describeNight, git, protectMain, pushAsPerson, remoteBranches, remoteFile, runNight } from './helpers/workflow.js';

/**
 * The nightly workflow in commit mode, where the content push can fail: the
 * batch ids and answers reach the next night on the state branch, whatever
 * becomes of the push, and nothing is paid for twice.
 */
let emulator: RunningEmulator;
// One emulator per test: each site's batches are its own, and no test can take another's (see pipeline/adopt.ts).
beforeEach(async () => {
  // Batches end as soon as they are made: whether a night collects is decided by MAX_WAIT alone, not by timing.
  emulator = await startEmulator({ batchDurationMs: 0 });
});
afterEach(async () => {
  await emulator?.close();
});

const POSTS_WITHOUT_DESCRIPTION = 17;
const REVIEWS = 15;

/** Several nights each run a dozen commands: a ceiling for a loaded machine, not a timing. */
const NIGHTS_TIMEOUT = 300_000;

describe('the nightly workflow, commit mode', () => {
  it('keeps the batch and its answers across a protected branch and a push made during the run; nothing is bought twice', async () => {
    const site = await createSite();
    protectMain(site);
    const billedBefore = emulator.ledger().length;

    // Night 1: submits and stops waiting at once; the content push has nothing to do, the state branch gets the batch.
    const night1 = await runNight(site, { apiUrl: emulator.url, env: { MAX_WAIT: '0s' } });
    expect(night1.failed, describeNight(night1)).toBe(false);
    expect(night1.runCode).toBe('3');
    expect(remoteBranches(site)).toEqual(['batchmatter-state', 'main']);
    const stateAfter1 = JSON.parse(remoteFile(site, '.batchmatter/state.json', 'batchmatter-state')!);
    const batchIds = Object.values(stateAfter1.jobs as Record<string, { batchId?: string }>).map((j) => j.batchId);
    expect(batchIds).toHaveLength(1);

    // Night 2: collects night 1's batch and applies it, but the push to the protected branch is refused: the job is red.
    const night2 = await runNight(site, { apiUrl: emulator.url, env: { MAX_WAIT: '5m' } });
    expect(night2.runCode, describeNight(night2)).toBe('0');
    expect(night2.failed).toBe(true);
    const commitStep = night2.steps.find((s) => s.name === 'Commit, or update the pull request')!;
    expect(commitStep.code).toBe(1);
    expect(commitStep.output).toMatch(/::error::Could not push to main \(a protected branch/);
    expect(night2.steps.find((s) => s.name === 'Save the state after writing')).toBeUndefined(); // skipped after the failure
    expect(remoteFile(site, 'examples/blog/posts/2024/release-notes.md')).not.toMatch(/^description:/m);
    // The state branch holds the answers, not yet applied: the next night writes them.
    const stateAfter2 = JSON.parse(remoteFile(site, '.batchmatter/state.json', 'batchmatter-state')!);
    const statuses = Object.values(stateAfter2.items as Record<string, { status: string }>).map((i) => i.status);
    expect(statuses).toHaveLength(POSTS_WITHOUT_DESCRIPTION + REVIEWS);
    expect(new Set(statuses)).toEqual(new Set(['succeeded']));
    expect(Object.values(stateAfter2.jobs as Record<string, { batchId?: string }>).map((j) => j.batchId)).toEqual(batchIds);

    // Night 3: the branch is open again, and a person pushes while the run works: the commit is rebased onto it.
    protectMain(site, false);
    const night3 = await runNight(site, {
      apiUrl: emulator.url,
      before: { 'Commit, or update the pull request': () => pushAsPerson(site, { 'NOTES.md': 'pushed during the run\n' }) },
    });
    expect(night3.failed, describeNight(night3)).toBe(false);
    const log = git(site.origin, 'log', '--format=%an: %s', 'main').split('\n');
    expect(log.slice(0, 2)).toEqual(['batchmatter[bot]: batchmatter: front matter from the nightly run', "A Person: a person's change"]);
    const changed = git(site.origin, 'diff', '--name-only', 'main~2', 'main').split('\n').sort();
    expect(changed.filter((f) => f.startsWith('examples/blog/posts/'))).toHaveLength(POSTS_WITHOUT_DESCRIPTION);
    expect(changed.filter((f) => f.startsWith('examples/blog/reviews/'))).toHaveLength(REVIEWS);
    expect(changed).not.toContain('.batchmatter/state.json'); // the state lives on its own branch, never in content commits
    expect(typeof parseFrontMatter(remoteFile(site, 'examples/blog/posts/2024/release-notes.md')!).data.description).toBe('string');
    const stateAfter3 = JSON.parse(remoteFile(site, '.batchmatter/state.json', 'batchmatter-state')!);
    expect(new Set(Object.values(stateAfter3.items as Record<string, { status: string }>).map((i) => i.status))).toEqual(new Set(['applied']));
    // One commit on the state branch, replaced at each save: its history does not grow every clone.
    expect(git(site.origin, 'rev-list', '--count', 'batchmatter-state')).toBe('1');
    // The review page is written where the artifact step uploads it from, and the summary says so.
    expect(night3.reviewPage).toMatch(/^<!doctype html>/);
    expect(night3.summary).toMatch(/^### description: `description` in 17 file\(s\)$/m);
    // The cache step keeps what batchmatter wrote beside the state file as a cache, and nothing else.
    const cache = site.workflow.steps.find((s) => s.uses?.startsWith('actions/cache@'));
    expect(fg.sync(String(cache?.with?.path), { cwd: night3.dir, dot: true }).sort()).toEqual(['.batchmatter/scan-cache.excerpts.json', '.batchmatter/scan-cache.json']);

    // Every prompt billed once, in night 1's batch.
    const billed = emulator.ledger().slice(billedBefore);
    expect(billed).toHaveLength(POSTS_WITHOUT_DESCRIPTION + REVIEWS);
    expect(new Set(billed.map((e) => e.prompt_digest)).size).toBe(billed.length);
    expect(new Set(billed.map((e) => e.batch_id))).toEqual(new Set(batchIds));

    // A fourth night finds nothing to do and commits nothing.
    const tip = git(site.origin, 'rev-parse', 'main');
    const night4 = await runNight(site, { apiUrl: emulator.url });
    expect(night4.failed, describeNight(night4)).toBe(false);
    expect(git(site.origin, 'rev-parse', 'main')).toBe(tip);
    expect(emulator.ledger().length - billedBefore).toBe(billed.length);
  }, NIGHTS_TIMEOUT);

  it('runs batchmatter as the project installed it, with the current Node LTS and actions', async () => {
    const site = await createSite();
    const text = readFileSync(path.join(site.person, '.github/workflows/batchmatter.yml'), 'utf8');
    // Never a bare npx, which would fetch whatever package holds the name with the API key in its environment.
    const commands = text.split('\n').filter((l) => !l.trim().startsWith('#')).map((l) => l.replace(/ # .*$/, ''));
    expect(commands.filter((l) => /\bnpx\b/.test(l))).toEqual([]);
    // Every batchmatter command goes through $BM, which the first step sets to the installed copy.
    const unquoted = commands.map((l) => l.replace(/'[^']*'|"[^"]*"/g, "''"));
    expect(unquoted.filter((l) => /\bbatchmatter (?:run|sync|submit|state|diff|apply|proposal|check)\b/.test(l))).toEqual([]);
    expect(unquoted.filter((l) => /\$BM (?:run|state|diff|apply|proposal)\b/.test(l)).length).toBeGreaterThanOrEqual(8);
    expect(text).toMatch(/^ {10}bm=\.\/node_modules\/\.bin\/batchmatter$/m);
    // The package manager comes from the lock file.
    const detect = site.workflow.steps.find((s) => s.name === 'Package manager')!.run!;
    const cases: Array<[string[], string, string, string]> = [
      [['package-lock.json'], 'npm', 'npm ci', './node_modules/.bin/batchmatter'],
      [['pnpm-lock.yaml'], 'pnpm', 'pnpm install --frozen-lockfile', './node_modules/.bin/batchmatter'],
      [['yarn.lock'], 'yarn', 'yarn install --frozen-lockfile', './node_modules/.bin/batchmatter'],
      [['yarn.lock', '.yarnrc.yml'], 'yarn', 'yarn install --immutable', 'yarn run batchmatter'],
      [['bun.lock'], 'bun', 'bun install --frozen-lockfile', './node_modules/.bin/batchmatter'],
    ];
    for (const [files, name, install, bm] of cases) {
      const dir = mkdtempSync(path.join(tmpdir(), 'batchmatter-pm-'));
      for (const file of files) writeFileSync(path.join(dir, file), '');
      const [output, env] = [path.join(dir, 'out'), path.join(dir, 'env')];
      execFileSync('bash', ['-eo', 'pipefail', '-c', detect], { cwd: dir, env: { ...process.env, GITHUB_OUTPUT: output, GITHUB_ENV: env } });
      expect([readFileSync(output, 'utf8'), readFileSync(env, 'utf8')], files.join(' ')).toEqual([`name=${name}\n`, `INSTALL=${install}\nBM=${bm}\n`]);
    }
    const steps = (parse(text) as { jobs: Record<string, { steps: Array<{ uses?: string; with?: Record<string, string> }> }> }).jobs.batchmatter!.steps;
    expect(steps.find((s) => s.uses?.startsWith('actions/setup-node@'))?.with?.['node-version']).toBe('lts/*');
    const majors = Object.fromEntries(steps.filter((s) => s.uses).map((s) => s.uses!.split('@')));
    expect(majors).toMatchObject({ 'actions/checkout': 'v6', 'actions/setup-node': 'v6', 'actions/cache': 'v6', 'actions/upload-artifact': 'v7' });
  }, NIGHTS_TIMEOUT);
});
