import { describe, expect, it } from 'vitest';
import { copyExample, runCli } from './helpers/cli.js';

/** Seeing the prompts before paying for them: plan --prompts and plan --verbose. */
describe('plan --prompts', () => {
  it('prints each request as it will be sent, for the files named; --verbose lists the requests', async () => {
    const dir = copyExample();
    const post = 'examples/blog/posts/2024/release-notes.md';
    const review = 'examples/blog/reviews/2025-11-02-web-nadia.md';
    const plan = await runCli(['plan', '--offline', '--prompts', post, review], dir);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/^--- description: examples\/blog\/posts\/2024\/release-notes\.md \(claude-haiku-4-5, max_tokens 120\)\n\[user\]\n/m);
    expect(plan.stdout).toMatch(/^--- sentiment: examples\/blog\/reviews\/2025-11-02-web-nadia\.md \(claude-haiku-4-5, max_tokens 300, answered through the tool record_sentiment\)\n\[user\]\n/m);
    expect(plan.stdout).toContain('<review>\nLove the log drains and the audit log.');
    const json = JSON.parse((await runCli(['plan', '--offline', '--prompts', '--json', post], dir)).stdout);
    expect(json.prompts).toEqual([expect.objectContaining({ task: 'description', file: 'posts/2024/release-notes.md', model: 'claude-haiku-4-5', maxTokens: 120, user: expect.stringContaining('<excerpt>') })]);
    // Without --prompts, none; with --verbose, one line per request.
    expect((await runCli(['plan', '--offline', post], dir)).stdout).not.toContain('[user]');
    const verbose = await runCli(['plan', '--offline', '--verbose', '--limit', '1'], dir);
    expect(verbose.stdout).toMatch(/^requests:\n {2}description {2}\S+\n {2}sentiment {2}\S+$/m);
  });
});
