import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseFrontMatter } from '../src/frontmatter/read.js';
import { startEmulator, type RunningEmulator } from '../src/emulator/index.js';
import { createSite, describeNight, ghCalls, git, mergePullRequest, pullRequests, pushAsPerson, remoteBranches, remoteFile, runNight, setGh, type Site } from './helpers/workflow.js';

/**
 * Pull-request mode, as the bots people trust do it: one branch and one pull
 * request, updated in place; answers in an open pull request neither bought
 * again nor taken for a person's edits; merged means applied; closed unmerged
 * means a person turned those answers down.
 */
let emulator: RunningEmulator;
// One emulator per test: each site's batches are its own, and no test can take another's (see pipeline/adopt.ts).
beforeEach(async () => {
  emulator = await startEmulator({ batchDurationMs: 0 });
});
afterEach(async () => {
  await emulator?.close();
});

const PR = { MODE: 'pull-request' };
const post = (title: string) => `---\ntitle: ${title}\ndate: 2026-12-01\n---\n${title} is a post about edge caches, build times and how the two meet on a busy release day, with the numbers.\n`;
const description = (site: Site, file: string, ref = 'main') => parseFrontMatter(remoteFile(site, `examples/blog/${file}`, ref) ?? '').data.description;
const state = (site: Site) => JSON.parse(remoteFile(site, '.batchmatter/state.json', 'batchmatter-state')!) as { items: Record<string, { status: string; file: string }> };
const count = (site: Site, status: string) => Object.values(state(site).items).filter((i) => i.status === status).length;

/** Several nights each run a dozen commands: a ceiling for a loaded machine, not a timing. */
const NIGHTS_TIMEOUT = 300_000;

describe('the nightly workflow, pull-request mode', () => {
  it('keeps one pull request up to date over nights, buys nothing twice, and learns from a merge and a close', async () => {
    const site = await createSite();
    const billedBefore = emulator.ledger().length;
    const billed = () => emulator.ledger().slice(billedBefore);

    // Night 1: every answer bought and proposed in one pull request; the default branch is not touched.
    const main = git(site.origin, 'rev-parse', 'main');
    const night1 = await runNight(site, { apiUrl: emulator.url, env: PR });
    expect(night1.failed, describeNight(night1)).toBe(false);
    expect(git(site.origin, 'rev-parse', 'main')).toBe(main);
    expect(remoteBranches(site)).toEqual(['batchmatter-state', 'batchmatter/nightly', 'main']);
    expect(pullRequests(site)).toMatchObject([{ number: 1, state: 'OPEN', head: 'batchmatter/nightly', base: 'main' }]);
    expect(typeof description(site, 'posts/roadmap.mdx', 'batchmatter/nightly')).toBe('string');
    expect(description(site, 'posts/roadmap.mdx')).toBeUndefined();
    expect(count(site, 'proposed')).toBe(32);
    const body = pullRequests(site)[0]!.body;
    expect(body.length).toBeLessThan(65_536);
    expect(body).toContain('https://github.example/owner/site/actions/runs/1'); // where the review page artifact is
    expect(body).toMatch(/^### description: `description` in 17 file\(s\)$/m);
    expect(billed()).toHaveLength(32);

    // Night 2, the pull request still open, and a person adds a post: one more answer, the same pull request updated.
    pushAsPerson(site, { 'examples/blog/posts/2026/new-cache.md': post('A new cache') });
    const night2 = await runNight(site, { apiUrl: emulator.url, env: PR });
    expect(night2.failed, describeNight(night2)).toBe(false);
    expect(billed()).toHaveLength(33);
    expect(pullRequests(site)).toHaveLength(1);
    expect(typeof description(site, 'posts/2026/new-cache.md', 'batchmatter/nightly')).toBe('string');
    expect(typeof description(site, 'posts/roadmap.mdx', 'batchmatter/nightly')).toBe('string'); // still proposed, written again
    expect(git(site.origin, 'rev-list', '--count', 'main..batchmatter/nightly')).toBe('1'); // rebuilt on the new main
    expect(pullRequests(site)[0]!.body).toMatch(/^### description: `description` in 18 file\(s\)$/m);

    // Night 3, nothing new: nothing bought, nothing pushed, nothing taken for a person's edit.
    const branch = git(site.origin, 'rev-parse', 'batchmatter/nightly');
    const night3 = await runNight(site, { apiUrl: emulator.url, env: PR });
    expect(night3.failed, describeNight(night3)).toBe(false);
    expect(billed()).toHaveLength(33);
    expect(git(site.origin, 'rev-parse', 'batchmatter/nightly')).toBe(branch);
    expect(night3.steps.find((s) => s.name === 'Submit, collect and validate')!.output).not.toMatch(/changed by hand|asked again/);
    expect(ghCalls(site).filter(([group, verb]) => group === 'pr' && verb === 'create')).toHaveLength(1);
    expect(ghCalls(site).filter(([group, verb]) => group === 'pr' && verb === 'edit').length).toBeGreaterThanOrEqual(2);
    expect(count(site, 'proposed')).toBe(33);

    // Merged: the next night counts those answers as applied, buys nothing and opens nothing.
    mergePullRequest(site, 1);
    const night4 = await runNight(site, { apiUrl: emulator.url, env: PR });
    expect(night4.failed, describeNight(night4)).toBe(false);
    expect(count(site, 'applied')).toBe(33);
    expect(billed()).toHaveLength(33);
    expect(pullRequests(site)).toHaveLength(1);

    // Two new posts: a second pull request, which a person closes unmerged.
    pushAsPerson(site, { 'examples/blog/posts/2026/one.md': post('Post one'), 'examples/blog/posts/2026/two.md': post('Post two') });
    const night5 = await runNight(site, { apiUrl: emulator.url, env: PR });
    expect(night5.failed, describeNight(night5)).toBe(false);
    expect(billed()).toHaveLength(35);
    expect(pullRequests(site).map((p) => [p.number, p.state])).toEqual([
      [1, 'MERGED'],
      [2, 'OPEN'],
    ]);
    setGh(site, (db) => (db.prs.find((p) => p.number === 2)!.state = 'CLOSED'));
    const night6 = await runNight(site, { apiUrl: emulator.url, env: PR });
    expect(night6.failed, describeNight(night6)).toBe(false);
    // Turned down: not written, not bought again, no new pull request.
    expect(description(site, 'posts/2026/one.md')).toBeUndefined();
    expect(description(site, 'posts/2026/two.md')).toBeUndefined();
    expect(count(site, 'declined')).toBe(2);
    expect(billed()).toHaveLength(35);
    expect(pullRequests(site)).toHaveLength(2);
    expect(new Set(billed().map((e) => e.prompt_digest)).size).toBe(35);
  }, NIGHTS_TIMEOUT);

  it('names the repository setting when GitHub refuses to let the workflow open a pull request', async () => {
    const site = await createSite();
    setGh(site, (db) => (db.refuseCreate = true));
    const night = await runNight(site, { apiUrl: emulator.url, env: PR });
    expect(night.failed).toBe(true);
    const step = night.steps.find((s) => s.name === 'Commit, or update the pull request')!;
    expect(step.output).toMatch(/::error::Could not open the pull request\. .*Settings > Actions > General > Workflow permissions > 'Allow GitHub Actions to create and approve pull requests'/);
    // The answers wait in the saved state, still unapplied: the next night proposes them without buying them again.
    expect(count(site, 'succeeded')).toBe(32);
  }, NIGHTS_TIMEOUT);
});
