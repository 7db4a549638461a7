import { describe, expect, it } from 'vitest';
import { settleItem as settleProposal } from '../src/core/transitions.js';
import type { ItemState } from '../src/core/state.js';
import { copyExample, runCli } from './helpers/cli.js';

const proposed = (): ItemState => ({ task: 'description', file: 'a.md', planHash: 'h0', requestHash: 'r', status: 'proposed', attempts: 1, value: 'The answer.', appliedHash: 'branch' });

describe('settling a pull request of proposed answers', () => {
  it('merged: applied where the file holds the field (the answer or a reviewer\'s edit of it), declined where the merge left it out', () => {
    const kept = proposed();
    expect(settleProposal(kept, 'merged', { hash: 'h1', value: 'The answer.' })).toBe('applied');
    expect(kept).toMatchObject({ status: 'applied', appliedHash: 'h1', value: 'The answer.' });
    const edited = proposed();
    expect(settleProposal(edited, 'merged', { hash: 'h2', value: 'A reviewer made it better.' })).toBe('applied');
    const dropped = proposed();
    expect(settleProposal(dropped, 'merged', { hash: 'h3', value: undefined })).toBe('declined');
    expect(dropped.appliedHash).toBeUndefined();
    expect(settleProposal(proposed(), 'merged', undefined)).toBe('declined'); // the file is gone
  });

  it('closed unmerged: declined, the answer kept for the record', () => {
    const item = proposed();
    expect(settleProposal(item, 'closed', { hash: 'h1', value: 'The answer.' })).toBe('declined');
    expect(item).toMatchObject({ status: 'declined', value: 'The answer.' });
  });
});

describe('diff --max-chars', () => {
  it('keeps a markdown body under the limit, tables whole, and says how many rows it left out', async () => {
    const dir = copyExample((c) => c.replace("pollInterval: '30s'", "pollInterval: '100ms'"));
    expect((await runCli(['run', '--offline'], dir)).code).toBe(0);
    const full = (await runCli(['diff', '--offline', '--format', 'markdown'], dir)).stdout.trimEnd();
    expect(full.length).toBeGreaterThan(3000);
    const cut = (await runCli(['diff', '--offline', '--format', 'markdown', '--max-chars', '3000'], dir)).stdout.trimEnd();
    expect(cut.length).toBeLessThanOrEqual(3000);
    expect(cut).toMatch(/^### description: `description` in 17 file\(s\)$/m);
    expect(cut).toMatch(/^### sentiment: `analysis` in 15 file\(s\)$/m);
    const shown = cut.split('\n').filter((l) => l.startsWith('| `')).length;
    const omitted = Number(/^_(\d+) more row\(s\) not shown here, to stay within 3000 characters: the review page lists every one\._$/m.exec(cut)?.[1]);
    expect(shown + omitted).toBe(32);
    expect(cut.split('\n').filter((l) => l.startsWith('| `')).every((row) => full.includes(row))).toBe(true);
    // Under the limit, nothing changes.
    expect((await runCli(['diff', '--offline', '--format', 'markdown', '--max-chars', '65536'], dir)).stdout.trimEnd()).toBe(full);
    expect((await runCli(['diff', '--offline', '--format', 'markdown', '--max-chars', '10'], dir)).stderr).toMatch(/--max-chars: expected a whole number of characters, at least 1000, got "10"/);
    expect((await runCli(['diff', '--offline', '--format', 'html', '--max-chars', '5000'], dir)).stderr).toMatch(/--max-chars: only --format markdown is cut to a length/);
  });

  it('an unknown model offline: exit 6 before anything is sent, naming the model meant', async () => {
    const dir = copyExample((c) => c.replace("model: 'claude-haiku-4-5'", "model: 'claude-haiku-45'"));
    const run = await runCli(['run', '--offline'], dir);
    expect([run.code, run.stderr.trim()]).toEqual([6, 'batchmatter: model: "claude-haiku-45" is not a model: batchmatter does not know it (offline, the embedded emulator takes the models batchmatter knows and those priced in "prices"); did you mean "claude-haiku-4-5"? Nothing was sent.']);
  });
});
