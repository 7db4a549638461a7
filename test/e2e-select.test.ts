import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fg from 'fast-glob';
import { describe, expect, it } from 'vitest';
import { digest } from '../src/core/hash.js';
import { parseFrontMatter } from '../src/frontmatter/read.js';
import { copyChainedExample, copyExample, runCli } from './helpers/cli.js';
import { inProcess } from './helpers/inprocess.js';

const POSTS = 'examples/blog/posts';

/** Content files (relative to the content root) whose text differs from the copy's start. */
function changedFiles(dir: string, before: Map<string, string>): string[] {
  const root = path.join(dir, 'examples/blog');
  return fg.sync(['**/*.md', '**/*.mdx'], { cwd: root }).filter((f) => readFileSync(path.join(root, f), 'utf8') !== before.get(f)).sort();
}

function snapshot(dir: string): Map<string, string> {
  const root = path.join(dir, 'examples/blog');
  return new Map(fg.sync(['**/*.md', '**/*.mdx'], { cwd: root }).map((f) => [f, readFileSync(path.join(root, f), 'utf8')]));
}

/** Item keys of every request sent so far, from the state's submissions. */
function sentKeys(dir: string): string[] {
  const state = JSON.parse(readFileSync(path.join(dir, '.batchmatter/state.offline.json'), 'utf8'));
  return Object.values(state.jobs as Record<string, { requests: Record<string, string> }>).flatMap((j) => Object.values(j.requests));
}

describe('--task, path arguments and --limit', () => {
  it('--limit sends a sample spread over each task\'s files, the same one each time; later runs send the rest, none twice', async () => {
    const dir = copyExample();
    const plan = await inProcess(dir)(['plan', '--offline', '--limit', '3', '--json']);
    expect(plan.code, plan.stderr).toBe(0);
    const planned = JSON.parse(plan.stdout);
    expect(planned.held).toEqual({ description: 14, sentiment: 12 });
    const posts = planned.requests.filter((r: { task: string }) => r.task === 'description').map((r: { file: string }) => r.file);
    // The three posts whose paths have the lowest digests: spread over the tree, and the same sample the next time.
    const all: string[] = JSON.parse((await inProcess(dir)(['plan', '--offline', '--json'])).stdout).requests.filter((r: { task: string }) => r.task === 'description').map((r: { file: string }) => r.file);
    expect(posts).toEqual([...all].sort((a, b) => (digest(a) < digest(b) ? -1 : 1)).slice(0, 3).sort());
    expect(JSON.parse((await inProcess(dir)(['plan', '--offline', '--limit', '3', '--json'])).stdout).requests).toEqual(planned.requests);
    // The estimate prices the sample.
    expect(planned.estimate.map((e: { task: string; requests: number }) => [e.task, e.requests])).toEqual([['description', 3], ['sentiment', 3]]);
    expect((await inProcess(dir)(['plan', '--offline', '--limit', '3'])).stdout).toMatch(/^description: 3 request\(s\) to send \(a sample: 14 more wait for a later run, --limit\)$/m);

    const before = snapshot(dir);
    const sample = await inProcess(dir)(['run', '--offline', '--task', 'description', '--limit', '2', '--apply']);
    expect(sample.code, sample.stderr + sample.stdout).toBe(0);
    expect(changedFiles(dir, before)).toHaveLength(2);
    expect(changedFiles(dir, before).every((f) => f.startsWith('posts/'))).toBe(true);
    expect(sentKeys(dir)).toHaveLength(2);

    const second = await inProcess(dir)(['run', '--offline', '--task', 'description', '--limit', '2', '--apply']);
    expect(second.code, second.stderr + second.stdout).toBe(0);
    expect(changedFiles(dir, before)).toHaveLength(4);

    const rest = await inProcess(dir)(['run', '--offline', '--apply']);
    expect(rest.code, rest.stderr + rest.stdout).toBe(0);
    const sent = sentKeys(dir);
    expect(sent).toHaveLength(17 + 15);
    expect(new Set(sent).size).toBe(sent.length);
  });

  it('a --limit sample stays a sample: a chained task follows for the sample\'s files only', async () => {
    const dir = copyChainedExample();

    const run = await inProcess(dir)(['run', '--offline', '--task', 'summary,description', '--limit', '3']);
    expect(run.code, run.stderr + run.stdout).toBe(0);
    const sent = sentKeys(dir);
    const summaries = sent.filter((k) => k.startsWith('summary:')).map((k) => k.slice('summary:'.length));
    const descriptions = sent.filter((k) => k.startsWith('description:')).map((k) => k.slice('description:'.length));
    expect(summaries).toHaveLength(3);
    // The chained task follows for the sample's posts that lack a description, and for the one post whose summary a person wrote.
    const lacking = summaries.filter((f) => !parseFrontMatter(readFileSync(path.join(dir, 'examples/blog', f), 'utf8')).data.description);
    expect(lacking.length).toBeGreaterThan(0);
    expect(descriptions.filter((f) => summaries.includes(f)).sort()).toEqual(lacking.sort());
    expect(descriptions.filter((f) => !summaries.includes(f))).toHaveLength(1);
  });

  it('--limit n is at most n per task in a run, chained rounds included; a resumed run waits for its sample instead of sending another', async () => {
    // Besides the chain, a task of its own over the same posts: its sample is other posts than the summaries'.
    const chained = copyChainedExample();
    const configFile = path.join(chained, 'batch.config.ts');
    writeFileSync(configFile, readFileSync(configFile, 'utf8').replace('  tasks: {', "  tasks: {\n    keywords: { include: 'posts/**/*.{md,mdx}', field: 'keywords', template: 'templates/summary.hbs', output: { type: 'text', maxLength: 300 } },"));
    expect((await inProcess(chained)(['run', '--offline', '--limit', '2'])).code).toBe(0);
    const sent: Record<string, number> = {};
    for (const key of sentKeys(chained)) sent[key.split(':')[0]!] = (sent[key.split(':')[0]!] ?? 0) + 1;
    expect(sent, JSON.stringify(sent)).toMatchObject({ summary: 2, keywords: 2, sentiment: 2 });
    expect(sent.description).toBeLessThanOrEqual(2);

    // Batches that take a while, and a run that stops waiting: the next run resumes the same sample.
    const slow = copyExample((c) => c.replace('syncBelow: 10', 'syncBelow: 0'));
    const env = { BATCHMATTER_EMULATOR_BATCH_MS: '2500' };
    expect((await inProcess(slow, env)(['run', '--offline', '--task', 'description', '--limit', '2', '--max-wait', '0'])).code).toBe(3);
    const resumed = await inProcess(slow, env)(['run', '--offline', '--task', 'description', '--limit', '2']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(sentKeys(slow)).toHaveLength(2);
  });

  it('path arguments: diff, apply and check cover only the files named; run only sends for them', async () => {
    const dir = copyExample();
    const before = snapshot(dir);
    const run = await inProcess(dir)(['run', '--offline', `${POSTS}/2024`, 'examples/blog/reviews/*ios*']);
    expect(run.code, run.stderr + run.stdout).toBe(0);
    const sent = sentKeys(dir);
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.every((k) => k.startsWith('description:posts/2024/') || /^sentiment:reviews\/[^/]*ios/.test(k))).toBe(true);
    expect(changedFiles(dir, before)).toEqual([]);

    const one = sent.find((k) => k.startsWith('description:'))!.slice('description:'.length);
    const diff = await inProcess(dir)(['diff', '--offline', `examples/blog/${one}`]);
    expect(diff.code).toBe(0);
    expect(diff.stdout.match(/^\+\+\+ /gm)).toHaveLength(1);
    expect(diff.stdout).toContain(`+++ b/examples/blog/${one}`);

    // From inside the content root, paths are relative to where the command runs, as a shell gives them.
    const apply = await inProcess(dir)(['apply', '--offline', '--cwd', path.join(dir, 'examples/blog'), '--config', path.join(dir, 'batch.config.ts'), one]);
    expect(apply.code, apply.stderr + apply.stdout).toBe(0);
    expect(apply.stdout).toMatch(/^applied 1 file\(s\)$/m);
    expect(changedFiles(dir, before)).toEqual([one]);
    expect(typeof parseFrontMatter(readFileSync(path.join(dir, 'examples/blog', one), 'utf8')).data.description).toBe('string');

    const check = await inProcess(dir)(['check', '--offline', '--task', 'description', `examples/blog/${one}`]);
    expect(check.code, check.stdout).toBe(0);
    expect(check.stdout).toMatch(/^all 1 file\(s\) pass$/m);
    const others = await inProcess(dir)(['check', '--offline', '--task', 'sentiment']);
    expect(others.code).toBe(1);
    expect(others.stdout).not.toMatch(/description/);

    const rest = await inProcess(dir)(['apply', '--offline', '--task', 'sentiment']);
    expect(rest.code).toBe(0);
    const changed = changedFiles(dir, before);
    expect(changed.filter((f) => f.startsWith('reviews/')).length).toBeGreaterThan(0);
    expect(changed.filter((f) => f.startsWith('posts/'))).toEqual([one]);
  });

  it('refuses what would select nothing by mistake, with exit 2 and nothing done', async () => {
    const dir = copyExample();
    const cases: Array<[string[], RegExp]> = [
      [['plan', '--task', 'descripton'], /--task: no task named "descripton"; the config has description, sentiment/],
      [['run', '--offline', '--task', 'description', `${POSTS}/nope.md`], /"examples\/blog\/posts\/nope\.md": no such file or folder/],
      [['apply', `${POSTS}/nope.md`], /"examples\/blog\/posts\/nope\.md": no such file or folder/],
      [['reject', `${POSTS}/nope.md`], /"examples\/blog\/posts\/nope\.md": no such file or folder/],
      [['plan', 'batch.config.ts'], /"batch\.config\.ts" is outside the content root \(examples\/blog\)/],
      [['check', 'examples/blog/reviews/*.mdx'], /"examples\/blog\/reviews\/\*\.mdx": no content file there/],
      [['submit', '--offline', '--limit', '0'], /--limit: expected a whole number of requests per task, at least 1, got "0"/],
      [['status', 'posts'], /unexpected argument "posts"/],
    ];
    for (const [args, message] of cases) {
      // Flags and arguments the CLI parses (a count, an argument a command takes none of) go through the bin.
      const parsing = args.includes('--limit') || args[0] === 'status';
      const result = parsing ? await runCli(args, dir) : await inProcess(dir)(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toMatch(message);
    }
    expect(() => readFileSync(path.join(dir, '.batchmatter/state.json'))).toThrow();
    expect(() => readFileSync(path.join(dir, '.batchmatter/state.offline.json'))).toThrow();
  });
});
