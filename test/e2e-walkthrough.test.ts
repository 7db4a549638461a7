import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFrontMatter } from '../src/frontmatter/read.js';
import { runCli } from './helpers/cli.js';

const POSTS = 30;
const TOPICS = ['the build cache', 'custom domains', 'image resizing', 'preview deploys', 'edge functions', 'redirect rules'];

/** A fresh blog as a person has it before batchmatter: a Hugo site whose posts have titles and no descriptions. */
function blog(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'batchmatter-walkthrough-'));
  writeFileSync(path.join(dir, 'hugo.toml'), "baseURL = 'https://blog.example.org/'\ntitle = 'Our blog'\n");
  for (let i = 0; i < POSTS; i++) {
    const topic = TOPICS[i % TOPICS.length]!;
    const file = path.join(dir, 'content/posts', `${2020 + (i % 5)}`, `post-${i}.md`);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `---\ntitle: "Notes on ${topic}, part ${i}"\ndate: 2024-01-${String((i % 28) + 1).padStart(2, '0')}\n---\n\nThis post is about ${topic}: what we changed, why the old way was slow, and how to turn the new behaviour on for your own site in a few minutes.\n\nWe measured it on a hundred sites before shipping it.\n`);
  }
  return dir;
}

const descriptions = (dir: string) => {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < POSTS; i++) {
    const rel = `content/posts/${2020 + (i % 5)}/post-${i}.md`;
    out[rel] = parseFrontMatter(readFileSync(path.join(dir, rel), 'utf8')).data.description;
  }
  return out;
};

/** The README's "Use it on your own site", step by step, on a fresh blog, against the embedded emulator. */
describe("the README's walkthrough", () => {
  it('init → plan → run --limit 20 → diff → reject and again → run → review page → apply', async () => {
    const dir = blog();
    const cli = async (...args: string[]) => {
      const result = await runCli(args, dir);
      return { ...result, out: result.stdout + result.stderr };
    };

    // 1. init finds the site and writes the config, the template and the .gitignore line.
    const init = await cli('init');
    expect(init.code, init.out).toBe(0);
    expect(init.stdout).toMatch(/^wrote batch\.config\.ts, templates\/description\.hbs, \.gitignore \(\.batchmatter\/\)$/m);
    expect(readFileSync(path.join(dir, 'batch.config.ts'), 'utf8')).toContain("root: 'content',");

    // 3. plan: what would be sent and what it costs; --prompts shows one file's prompt.
    const plan = await cli('plan', '--offline');
    expect(plan.code, plan.out).toBe(0);
    expect(plan.stdout).toMatch(new RegExp(`^description: ${POSTS} request(?:\\(s\\)|s) to send$`, 'm'));
    const prompt = await cli('plan', '--offline', '--prompts', 'content/posts/2020/post-0.md');
    expect(prompt.stdout).toMatch(/^--- description: content\/posts\/2020\/post-0\.md \(/m);
    expect(prompt.stdout).toContain('Title: Notes on the build cache, part 0');

    // 4. run --limit 20: a sample of 20; diff shows their answers; nothing is written yet.
    const sample = await cli('run', '--offline', '--limit', '20');
    expect(sample.code, sample.out).toBe(0);
    const diff = await cli('diff', '--offline');
    const sampled = [...diff.stdout.matchAll(/^\+\+\+ b\/(\S+)$/gm)].map((m) => m[1]!).sort();
    expect(sampled).toHaveLength(20);
    expect(Object.values(descriptions(dir)).every((d) => d === undefined)).toBe(true);
    // Not right yet: reject them with a reason, and run the same sample again.
    const reject = await cli('reject', '--offline', '--task', 'description', '--reason', 'name the feature');
    expect(reject.code, reject.out).toBe(0);
    const again = await cli('run', '--offline', '--limit', '20');
    expect(again.code, again.out).toBe(0);
    const rediff = await cli('diff', '--offline');
    expect([...rediff.stdout.matchAll(/^\+\+\+ b\/(\S+)$/gm)].map((m) => m[1]!).sort()).toEqual(sampled);

    // 5. run for the whole site, the review page, then apply.
    const all = await cli('run', '--offline');
    expect(all.code, all.out).toBe(0);
    const review = await cli('diff', '--offline', '--format', 'html', '--out', 'review.html');
    expect(review.code, review.out).toBe(0);
    expect(review.stdout).toMatch(new RegExp(`^wrote review\\.html: ${POSTS} proposed, 0 failed, 0 stale$`, 'm'));
    const page = readFileSync(path.join(dir, 'review.html'), 'utf8');
    expect(page.match(/<article class="entry"/g)).toHaveLength(POSTS);
    expect(page).toContain('What the model read');
    expect(page).not.toMatch(/\bsrc=|<link\b/);

    const apply = await cli('apply', '--offline');
    expect(apply.code, apply.out).toBe(0);
    expect(apply.stdout).toMatch(new RegExp(`^applied ${POSTS} file\\(s\\)$`, 'm'));
    const written = descriptions(dir);
    for (const [file, description] of Object.entries(written)) expect(typeof description, file).toBe('string');
    const check = await cli('check', '--offline');
    expect(check.code, check.out).toBe(0);
  });
});
