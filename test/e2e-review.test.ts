import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFrontMatter } from '../src/frontmatter/read.js';
import { copyExample } from './helpers/cli.js';
import { inProcess } from './helpers/inprocess.js';

const FILE = 'posts/2024/edge-cache-deep-dive.md';

interface Entry {
  file: string;
  task: string;
  status: string;
  proposed?: unknown;
  reason?: string;
}

async function entries(dir: string): Promise<Entry[]> {
  return JSON.parse((await inProcess(dir)(['diff', '--offline', '--format', 'json'])).stdout).entries;
}

describe('reject: a reviewer sends answers back', () => {
  it('the rejected answer is not applied, and the next run asks again quoting it and the reason', async () => {
    const dir = copyExample();
    expect((await inProcess(dir)(['run', '--offline'])).code).toBe(0);
    const first = (await entries(dir)).find((e) => e.file === FILE && e.task === 'description')!;
    expect(first.status).toBe('proposed');

    const bare = await inProcess(dir)(['reject', '--offline']);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(/reject: name the files \(paths or globs\) or the task \(--task\) whose answers to reject/);

    const reject = await inProcess(dir)(['reject', '--offline', `examples/blog/${FILE}`, '--reason', 'too generic: name what the cache keeps']);
    expect(reject.code, reject.stderr).toBe(0);
    expect(reject.stdout.trim().split('\n')).toEqual([
      'rejected 1 answer(s); the next "run" or "sync" asks for them again, quoting each one and your reason:',
      `  examples/blog/${FILE}  description`,
    ]);
    const after = (await entries(dir)).find((e) => e.file === FILE && e.task === 'description')!;
    expect(after).toMatchObject({ status: 'failed', reason: 'rejected in review: too generic: name what the cache keeps' });
    expect((await inProcess(dir)(['diff', '--offline'])).stdout).not.toContain(`+++ b/examples/blog/${FILE}`);

    const plan = await inProcess(dir)(['plan', '--offline', '--json']);
    expect(JSON.parse(plan.stdout).requests).toEqual([{ task: 'description', file: FILE, retry: true }]);
    expect((await inProcess(dir)(['plan', '--offline'])).stdout).toMatch(/^description: 1 request\(s\) to send \(1 asked again after a failed or refused answer\)$/m);

    const run = await inProcess(dir)(['run', '--offline', '--apply']);
    expect(run.code, run.stderr + run.stdout).toBe(0);
    const written = parseFrontMatter(readFileSync(path.join(dir, 'examples/blog', FILE), 'utf8')).data.description;
    expect(typeof written).toBe('string');
    // The emulator, like a model shown its refused answer, says something else.
    expect(written).not.toBe(first.proposed);

    // Written answers are the file's now: editing or deleting the field is how to change them.
    const late = await inProcess(dir)(['reject', '--offline', `examples/blog/${FILE}`]);
    expect(late.stdout).toMatch(/^no answer waiting for apply there: nothing rejected$/m);
  });

  it('an answer rejected after its file was edited is asked again quoting it, paid once, and not handed back', async () => {
    const dir = copyExample();
    const reviews = path.join(dir, 'examples/blog/reviews');
    // A copy of a review: its request is identical, so its answer is taken from the original's (reusedFrom).
    const original = readFileSync(path.join(reviews, '2025-09-12-ios-jsmith.md'), 'utf8');
    writeFileSync(path.join(reviews, '2025-09-13-ios-copy.md'), original.replace('author: jsmith', 'author: copy'));
    expect((await inProcess(dir)(['run', '--offline'])).code).toBe(0);
    for (const file of ['posts/2024/image-pipeline.mdx', 'reviews/2025-09-13-ios-copy.md']) {
      const abs = path.join(dir, 'examples/blog', file);
      writeFileSync(abs, readFileSync(abs, 'utf8').replace(/^---\n/, '---\nextra: edited after the answer\n'));
    }
    const before = JSON.parse(readFileSync(path.join(dir, '.batchmatter/state.offline.json'), 'utf8')).items;
    expect(before['sentiment:reviews/2025-09-13-ios-copy.md'].reusedFrom).toBe('sentiment:reviews/2025-09-12-ios-jsmith.md');
    const rejected = await inProcess(dir)(['reject', '--offline', 'examples/blog/posts/2024/image-pipeline.mdx', 'examples/blog/reviews/2025-09-13-ios-copy.md', '--reason', 'say something else']);
    expect(JSON.parse((await inProcess(dir)(['reject', '--offline', '--json', 'examples/blog/posts/2024/image-pipeline.mdx'])).stdout).rejected).toEqual([]);
    expect(rejected.stdout).toMatch(/^rejected 2 answer\(s\)/);
    // sync alone sends them (it used to skip an edited file's retry and say so forever).
    const sync = await inProcess(dir)(['sync', '--offline']);
    expect(sync.code, sync.stderr + sync.stdout).toBe(0);
    const items = JSON.parse(readFileSync(path.join(dir, '.batchmatter/state.offline.json'), 'utf8')).items;
    expect(items['description:posts/2024/image-pipeline.mdx'].status).toBe('succeeded');
    expect(items['description:posts/2024/image-pipeline.mdx'].value).not.toBe(before['description:posts/2024/image-pipeline.mdx'].value);
    expect(items['sentiment:reviews/2025-09-13-ios-copy.md']).toMatchObject({ status: 'succeeded' });
    expect(items['sentiment:reviews/2025-09-13-ios-copy.md'].reusedFrom).toBeUndefined();
    const ledger = JSON.parse(readFileSync(path.join(dir, '.batchmatter/emulator.json'), 'utf8')).ledger as Array<{ prompt_digest: string }>;
    expect(new Set(ledger.map((e) => e.prompt_digest)).size).toBe(ledger.length);
  });

  it('--task rejects every answer of a task waiting for apply, and leaves the other tasks\' alone', async () => {
    const dir = copyExample();
    expect((await inProcess(dir)(['run', '--offline'])).code).toBe(0);
    const reject = await inProcess(dir)(['reject', '--offline', '--task', 'sentiment', '--json']);
    expect(reject.code).toBe(0);
    expect(JSON.parse(reject.stdout).rejected).toHaveLength(15);
    const now = await entries(dir);
    expect(now.filter((e) => e.task === 'sentiment').every((e) => e.status === 'failed')).toBe(true);
    expect(now.filter((e) => e.task === 'description').every((e) => e.status === 'proposed')).toBe(true);
    const plan = JSON.parse((await inProcess(dir)(['plan', '--offline', '--json'])).stdout);
    expect(plan.requests.map((r: { task: string }) => r.task)).toEqual(Array(15).fill('sentiment'));
  });
});

describe("when: 'invalid'", () => {
  it('rewrites a human value that breaks the rules, in place and nothing else, and keeps the ones that pass', async () => {
    const dir = copyExample((config) => config.replace("field: 'description',", "field: 'description',\n      when: 'invalid',"));
    const welcome = path.join(dir, 'examples/blog/posts/welcome.md');
    const original = readFileSync(welcome, 'utf8');
    const broken = original.replace(/^description: .*$/m, 'description: "In this article we say hello."  # written in a hurry');
    writeFileSync(welcome, broken);

    const check = await inProcess(dir)(['check', '--offline', '--task', 'description']);
    expect(check.stdout).toMatch(/^examples\/blog\/posts\/welcome\.md {2}description {2}expected at least 40 characters, got 29; must not start with "In this article"$/m);
    expect(check.stdout).toMatch(/1 value\(s\) breaking a rule: "batchmatter run" rewrites them \(when: 'invalid'\)/);

    const plan = JSON.parse((await inProcess(dir)(['plan', '--offline', '--json', '--task', 'description'])).stdout);
    const files = plan.requests.map((r: { file: string }) => r.file);
    expect(files).toContain('posts/welcome.md');
    // The other human descriptions pass the rules and stay.
    expect(plan.skipped.filter((s: { reason: string }) => s.reason === 'has-value')).toHaveLength(7);

    const run = await inProcess(dir)(['run', '--offline', '--apply', '--task', 'description']);
    expect(run.code, run.stderr + run.stdout).toBe(0);
    const after = readFileSync(welcome, 'utf8');
    const value = parseFrontMatter(after).data.description as string;
    expect(value).not.toMatch(/^In this article/);
    // Only the value changed: same line, its comment kept, every other byte as it was.
    const [pre, post] = broken.split('"In this article we say hello."');
    expect(after.startsWith(pre!)).toBe(true);
    expect(after.endsWith(post!)).toBe(true);
    expect((await inProcess(dir)(['check', '--offline', '--task', 'description'])).code).toBe(0);
  });
});

describe('the review page\'s commands', () => {
  it('name the config when it is not found by itself, and paths from its folder: the command runs as written there', async () => {
    const dir = copyExample();
    mkdirSync(path.join(dir, 'cfg'));
    writeFileSync(
      path.join(dir, 'cfg/site.config.mjs'),
      `export default { content: { root: '../examples/blog', include: ['posts/**/*.{md,mdx}'] }, state: '../.state/state.json', tasks: { description: { field: 'description', template: '../templates/description.hbs', output: { type: 'text', maxLength: 160 } } } };\n`,
    );
    const config = ['--config', 'cfg/site.config.mjs'];
    expect((await inProcess(dir)(['run', '--offline', ...config])).code).toBe(0);
    const model = JSON.parse((await inProcess(dir)(['diff', '--offline', '--format', 'json', ...config])).stdout);
    expect(model.command).toEqual({ pathPrefix: '../examples/blog/', config: 'site.config.mjs', offline: true });
    const file = model.entries[0].file as string;
    // What the page writes for one ticked entry, run in the config's folder.
    const apply = await inProcess(path.join(dir, 'cfg'))(['apply', '--offline', '--config', 'site.config.mjs', '--task', 'description', `${model.command.pathPrefix}${file}`]);
    expect(apply.code, apply.stderr).toBe(0);
    expect(apply.stdout).toMatch(/^applied 1 file\(s\)$/m);
    // The example's own config is found by itself: no --config in its commands.
    const plain = copyExample();
    expect((await inProcess(plain)(['run', '--offline'])).code).toBe(0);
    expect(JSON.parse((await inProcess(plain)(['diff', '--offline', '--format', 'json'])).stdout).command).toEqual({ pathPrefix: 'examples/blog/', offline: true });
    // Real answers' commands act on the real state: no --offline.
    expect(JSON.parse((await inProcess(plain)(['diff', '--format', 'json'])).stdout).command).toEqual({ pathPrefix: 'examples/blog/' });
  });
});
