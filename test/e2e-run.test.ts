import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fg from 'fast-glob';
import { diffLines } from 'diff';
import { describe, expect, it } from 'vitest';
import { parseFrontMatter } from '../src/frontmatter/read.js';
import { setField } from '../src/frontmatter/yaml-edit.js';
import { cliEnv, copyChainedExample, copyExample, repoRoot, runCli } from './helpers/cli.js';
import { inProcess } from './helpers/inprocess.js';

const FIELD_LINE = /^(\s*)(description|analysis|sentiment|main_issue|feature_request|urgency):/;

function snapshot(root: string): Map<string, string> {
  const files = fg.sync(['**/*.md', '**/*.mdx'], { cwd: root });
  return new Map(files.map((f) => [f, readFileSync(path.join(root, f), 'utf8')]));
}

/** Everything but the task's field is byte-identical: removed lines are only an empty old value, added lines only the field. */
function expectOnlyFieldChanged(file: string, before: string, after: string, field: string): void {
  const parsedBefore = parseFrontMatter(before);
  const parsedAfter = parseFrontMatter(after);
  expect(parsedAfter.body, file).toBe(parsedBefore.body);
  const { [field]: _a, ...restAfter } = parsedAfter.data;
  const { [field]: _b, ...restBefore } = parsedBefore.data;
  expect(restAfter, file).toEqual(restBefore);
  for (const part of diffLines(before, after)) {
    if (!part.added && !part.removed) continue;
    for (const line of part.value.split(/\r?\n/).filter(Boolean)) {
      expect(line, `${file}: unexpected ${part.added ? 'added' : 'removed'} line`).toMatch(FIELD_LINE);
      if (part.removed) expect(line, file).toMatch(/^description:\s*(""|'')?\s*$/);
    }
  }
}

describe('batchmatter run --offline --apply over examples/blog', () => {
  it('fills every post description and every review analysis, changing nothing else; a second run sends nothing', async () => {
    const dir = copyExample();
    const content = path.join(dir, 'examples/blog');
    const before = snapshot(content);

    const plan = await inProcess(dir)(['plan', '--offline']);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/description: \d+ request\(s\) to send/);
    expect(plan.stdout).toMatch(/total: \$[\d.]+ with the Batches API/);

    expect(JSON.parse((await inProcess(dir)(['plan', '--offline', '--json'])).stdout).route).toBe('batch');

    const counted = await inProcess(dir)(['plan', '--offline', '--count-tokens']);
    expect(counted.stdout).toMatch(/estimate \(input counted by the count_tokens endpoint\):/);
    const countedInput = /^ {2}description: 17 requests, ~(\d+) input/m.exec(counted.stdout)?.[1];

    const run = await inProcess(dir)(['run', '--offline', '--apply']);
    expect(run.code, run.stderr + run.stdout).toBe(0);
    expect(run.stderr).toMatch(/submitted batch msgbatch_/);
    const totals = await runCli(['report', '--offline', 'sentiment'], dir);
    expect(totals.code).toBe(0);
    expect(totals.stdout).toMatch(/^sentiment: 15 of 15 file\(s\) have analysis$/m);
    const counts = /^ {2}sentiment: (\d+) positive, (\d+) negative, (\d+) neutral$/m.exec(totals.stdout)!.slice(1).map(Number);
    expect(counts.reduce((a, b) => a + b)).toBe(15);
    expect(totals.stdout).toMatch(/^high urgency:\n(?: {2}.+\n)* {2}examples\/blog\/reviews\/2025-10-05-android-pkumar\.md {2}\S/m);
    expect((await runCli(['report', '--offline', 'description'], dir)).code).toBe(2);
    expect((await runCli(['report', '--offline'], dir)).code).toBe(2);
    const cost = await inProcess(dir)(['cost', '--offline']);
    expect(cost.stdout).toMatch(/^ {2}\d{4}-\d\d-\d\d \d\d:\d\d batch msgbatch_\w+: 32 answered, \d+ in \+ \d+ out, \$0\.\d{4} \(synchronous: \$0\.\d{4}\)$/m);
    expect(cost.stdout).toMatch(/^ {2}description: 17 answered/m);
    // What count_tokens said before is what the answers' usage says after.
    expect(/^ {2}description: 17 answered, (\d+) in/m.exec(cost.stdout)?.[1]).toBe(countedInput);
    expect(cost.stdout).toMatch(/^total: \$0\.\d{4} spent; the synchronous API would have cost \$0\.\d{4}, saved \$0\.\d{4}$/m);
    expect((await inProcess(dir)(['status', '--offline', '--stats'])).stdout).toMatch(/batch completion \(created → ended, 1 batch\(es\)\): median [\d.]+ s, p75 [\d.]+ s, max [\d.]+ s/);

    const after = snapshot(content);
    let posts = 0;
    let reviews = 0;
    for (const [file, text] of after) {
      const data = parseFrontMatter(text).data;
      if (file.startsWith('posts/')) {
        posts++;
        const description = data.description as string;
        expect(typeof description, file).toBe('string');
        expect(description.length, file).toBeLessThanOrEqual(160);
        expect(description, file).not.toMatch(/[\r\n]/);
        expect(description, file).not.toMatch(/^(in this article|this guide)/i);
        if (before.get(file) !== text) expectOnlyFieldChanged(file, before.get(file)!, text, 'description');
      } else if (file.startsWith('reviews/')) {
        reviews++;
        expect(data.analysis, file).toMatchObject({ sentiment: expect.stringMatching(/^(positive|negative|neutral)$/), urgency: expect.stringMatching(/^(high|medium|low)$/) });
        expectOnlyFieldChanged(file, before.get(file)!, text, 'analysis');
      }
    }
    expect(posts).toBeGreaterThanOrEqual(20);
    expect(reviews).toBeGreaterThanOrEqual(10);
    // Human-written descriptions are never overwritten.
    for (const [file, text] of before) {
      const d = parseFrontMatter(text).data.description;
      if (typeof d === 'string' && d.trim()) expect(after.get(file), file).toBe(text);
    }

    const again = await inProcess(dir)(['run', '--offline', '--apply']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).not.toMatch(/submitted batch/);
    expect(again.stderr + again.stdout).toMatch(/nothing to submit/);
    expect(snapshot(content)).toEqual(after);

    const status = await inProcess(dir)(['status', '--offline', '--json']);
    const report = JSON.parse(status.stdout);
    expect(report.inFlight).toEqual([]);
    expect(report.items.description.applied).toBeGreaterThan(0);
  });

  it('prices a plan of fewer than batch.syncBelow requests at the synchronous rate it will be sent at', async () => {
    const dir = copyExample((c) => c.replace('syncBelow: 10', 'syncBelow: 40'));
    const plan = await inProcess(dir)(['plan', '--offline']);
    const total = /^ {2}total: \$([\d.]+) through the synchronous API, where 32 request\(s\) go \(fewer than batch\.syncBelow = 40\); as a batch \$([\d.]+)$/m.exec(plan.stdout);
    expect(total, plan.stdout).not.toBeNull();
    expect(Number(total![1])).toBeCloseTo(2 * Number(total![2]), 3);
    expect(JSON.parse((await inProcess(dir)(['plan', '--offline', '--json'])).stdout).route).toBe('sync');
    const submit = await inProcess(dir)(['submit', '--offline']);
    expect(submit.stderr).toMatch(/sending 32 request\(s\) through the synchronous Messages API/);
  });

  it('caches a long system prompt: the first request writes it, the others read it, and cost prices both', async () => {
    const dir = copyExample((c) => c.replace("template: 'templates/description.hbs',", "template: 'templates/description.hbs',\n      system: 'templates/style.hbs',"));
    // Over Haiku's 4,096-token minimum (about 16,400 characters), and the same for every file.
    const rule = 'Write for readers who skim: lead with the concrete benefit, name the product, avoid hype words. ';
    writeFileSync(path.join(dir, 'templates/style.hbs'), `You write meta descriptions for the Lumen blog.\n${rule.repeat(220)}`);
    // Hits are best-effort, so the estimate prices every request's prefix as a cache write: an upper bound.
    const estimate = JSON.parse((await inProcess(dir)(['plan', '--offline', '--json'])).stdout).estimate.find((e: { task: string }) => e.task === 'description');
    expect(estimate.cacheWriteTokens).toBeGreaterThan(17 * 4096);
    const run = await inProcess(dir)(['run', '--offline']);
    expect(run.code, run.stderr).toBe(0);
    const state = JSON.parse(readFileSync(path.join(dir, '.batchmatter/state.offline.json'), 'utf8'));
    const usages = Object.values(state.items as Record<string, { task: string; usage: Record<string, number> }>).filter((i) => i.task === 'description').map((i) => i.usage);
    expect(usages).toHaveLength(17);
    const writes = usages.filter((u) => u.cache_creation_input_tokens! > 0);
    const reads = usages.filter((u) => u.cache_read_input_tokens! > 0);
    expect([writes.length, reads.length]).toEqual([1, 16]);
    const prefix = writes[0]!.cache_creation_input_tokens!;
    expect(prefix).toBeGreaterThanOrEqual(4096);
    expect(reads.every((u) => u.cache_read_input_tokens === prefix)).toBe(true);
    // Haiku: $1 input, $5 output, $2 a 1-hour cache write, $0.10 a read, per million; a batch costs half.
    // Zero cache counts are not kept in the state.
    const expected = usages.reduce((sum, u) => sum + (u.input_tokens! * 1 + u.output_tokens! * 5 + (u.cache_creation_input_tokens ?? 0) * 2 + (u.cache_read_input_tokens ?? 0) * 0.1) / 1e6 / 2, 0);
    const cost = await inProcess(dir)(['cost', '--offline', '--json']);
    const spend = JSON.parse(cost.stdout).tasks.find((t: { label: string }) => t.label === 'description').spend;
    expect(spend).toMatchObject({ requests: 17, cacheWriteTokens: prefix, cacheReadTokens: 16 * prefix });
    expect(spend.usd).toBeCloseTo(expected, 10);
    expect((await inProcess(dir)(['cost', '--offline'])).stdout).toMatch(new RegExp(`^ {2}description: 17 answered, \\d+ in \\+ \\d+ out \\(cache: ${prefix} written, ${16 * prefix} read\\), `, 'm'));
  });

  it('does not mark a system prompt that differs per file: every request would pay a cache write and none would read it', async () => {
    const dir = copyExample((c) => c.replace("template: 'templates/description.hbs',", "template: 'templates/description.hbs',\n      system: 'templates/style.hbs',"));
    const rule = 'Write for readers who skim: lead with the concrete benefit, name the product, avoid hype words. ';
    writeFileSync(path.join(dir, 'templates/style.hbs'), `You describe the page titled {{title}} for the Lumen blog.\n${rule.repeat(220)}`);
    const plan = JSON.parse((await inProcess(dir)(['plan', '--offline', '--json'])).stdout);
    expect(plan.estimate.find((e: { task: string }) => e.task === 'description').cacheWriteTokens).toBeUndefined();
    expect((await inProcess(dir)(['run', '--offline'])).code).toBe(0);
    const spend = JSON.parse((await inProcess(dir)(['cost', '--offline', '--json'])).stdout).tasks.find((t: { label: string }) => t.label === 'description').spend;
    expect(spend).toMatchObject({ requests: 17, cacheWriteTokens: 0, cacheReadTokens: 0 });
  });

  it('diff shows the proposed change and apply refuses a file edited since planning', async () => {
    const dir = copyExample();
    const run = await inProcess(dir)(['run', '--offline']);
    expect(run.code, run.stderr).toBe(0);
    const diff = await inProcess(dir)(['diff', '--offline']);
    expect(diff.code).toBe(0);
    expect(diff.stdout).toMatch(/^\+\+\+ b\/examples\/blog\/posts\/.+\.mdx?$/m);
    expect(diff.stdout).toMatch(/^\+description: /m);
    expect(diff.stdout).not.toMatch(/\x1b\[/); // no colour when piped
    const markdown = await inProcess(dir)(['diff', '--offline', '--format', 'markdown']);
    expect(markdown.stdout).toMatch(/^### description: `description` in 17 file\(s\)\n\n\| file \| current \| proposed \| length \|\n\|---\|---\|---\|---\|$/m);
    expect(markdown.stdout).toMatch(/^\| `examples\/blog\/posts\/about-this-blog\.md` \| — \| [^|]+ \| \d+ \/ 160 \|$/m);
    expect(markdown.stdout).toMatch(/^\| `examples\/blog\/reviews\/2025-10-03-ios-jsmith\.md` \| — \| `\{"sentiment":"negative",[^|]*\}` \| {2}\|$/m);
    expect((await inProcess(dir)(['diff', '--offline', '--format', 'yaml'])).code).toBe(2);
    const json = JSON.parse((await inProcess(dir)(['diff', '--offline', '--format', 'json'])).stdout);
    const about = json.entries.find((e: { file: string }) => e.file === 'posts/about-this-blog.md');
    expect(about).toMatchObject({ task: 'description', field: 'description', status: 'proposed', limits: { maxLength: 160 } });
    expect(markdown.stdout).toContain(`| \`examples/blog/posts/about-this-blog.md\` | — | ${about.proposed} |`);
    const html = await inProcess(dir)(['diff', '--offline', '--format', 'html', '--out', 'review.html']);
    expect(html.code, html.stderr).toBe(0);
    expect(html.stdout).toMatch(/^wrote .*review\.html: 32 proposed, 0 failed, 0 stale$/m);
    const page = readFileSync(path.join(dir, 'review.html'), 'utf8');
    expect(page).toMatch(/^<!doctype html>/);
    expect(page).toContain('<code>posts/about-this-blog.md</code>');

    const status = JSON.parse((await inProcess(dir)(['status', '--offline', '--json'])).stdout);
    expect(status.items.description.succeeded).toBeGreaterThan(0);
    const edited = fg.sync('examples/blog/posts/**/*.md', { cwd: dir }).find((f) => !/description:/.test(readFileSync(path.join(dir, f), 'utf8')))!;
    const abs = path.join(dir, edited);
    const humanText = `${readFileSync(abs, 'utf8')}\nA paragraph the author added after planning.\n`;
    writeFileSync(abs, humanText);

    const apply = await inProcess(dir)(['apply', '--offline']);
    expect(apply.code).toBe(0);
    expect(apply.stdout).toMatch(/stale/);
    expect(apply.stdout).toContain(edited.replace('examples/blog/', ''));
    expect(readFileSync(abs, 'utf8')).toBe(humanText);
  });

  it('an apply killed after writing a file but before recording it finishes as applied, not stale', async () => {
    const dir = copyExample();
    expect((await inProcess(dir)(['run', '--offline'])).code).toBe(0);
    const statePath = path.join(dir, '.batchmatter/state.offline.json');
    const state = JSON.parse(readFileSync(statePath, 'utf8'));
    const [key, item] = Object.entries(state.items as Record<string, { file: string; status: string; value: string }>).find(([k]) => k.startsWith('description:'))!;
    // What the killed apply left behind: the file written, the state not yet saved.
    const abs = path.join(dir, 'examples/blog', item.file);
    writeFileSync(abs, setField(readFileSync(abs, 'utf8'), ['description'], item.value));
    const written = readFileSync(abs, 'utf8');

    const apply = await inProcess(dir)(['apply', '--offline']);
    expect(apply.code, apply.stdout).toBe(0);
    expect(apply.stdout).not.toMatch(/stale/);
    expect(readFileSync(abs, 'utf8')).toBe(written);
    expect(JSON.parse(readFileSync(statePath, 'utf8')).items[key].status).toBe('applied');
  });

  it('check gates CI: exit 1 listing what is missing or breaks the rules, 0 once the run has filled it', async () => {
    const dir = copyExample();
    const human = path.join(dir, 'examples/blog/posts/welcome.md');
    writeFileSync(human, readFileSync(human, 'utf8').replace(/^description: .*$/m, 'description: In this article we say hello.'));
    const before = await inProcess(dir)(['check', '--offline']);
    expect(before.code).toBe(1);
    expect(before.stdout).toMatch(/^examples\/blog\/posts\/2024\/release-notes\.md {2}description {2}missing$/m);
    expect(before.stdout).toMatch(/^examples\/blog\/reviews\/2025-10-03-ios-jsmith\.md {2}analysis {2}missing$/m);
    expect(before.stdout).toMatch(/^examples\/blog\/posts\/welcome\.md {2}description {2}expected at least 40 characters, got 29; must not start with "In this article"$/m);
    expect(before.stdout).toMatch(/^32 field\(s\) missing: "batchmatter run" fills them; 1 value\(s\) breaking a rule: fix them, or delete them to have them written again$/m);
    expect((await inProcess(dir)(['run', '--offline', '--apply'])).code).toBe(0);
    const after = await inProcess(dir)(['check', '--offline']);
    // A human value is never overwritten, so the gate keeps pointing at it.
    expect(after.code).toBe(1);
    expect(after.stdout.trim().split('\n')).toEqual([
      'examples/blog/posts/welcome.md  description  expected at least 40 characters, got 29; must not start with "In this article"',
      '1 value(s) breaking a rule: fix them, or delete them to have them written again',
    ]);
    writeFileSync(human, readFileSync(human, 'utf8').replace(/^description: .*$/m, 'description: A human description that is long enough to pass.'));
    const fixed = await inProcess(dir)(['check', '--offline']);
    expect(fixed.code, fixed.stdout).toBe(0);
    expect(fixed.stdout).toMatch(/all 40 file\(s\) pass/);
  });

  it('shows a live status line while waiting on a terminal, and none when piped or under CI', async () => {
    const dir = copyExample();
    const bin = path.join(repoRoot, 'bin/batchmatter.js');
    // `script` gives the CLI a real pseudo-terminal.
    const onTty = (cwd: string, ci: string) =>
      new Promise<string>((resolve) => {
        const env = cliEnv({ BATCHMATTER_EMULATOR_BATCH_MS: '1500', CI: ci, TERM: 'xterm' });
        execFile('script', ['-qc', `"${process.execPath}" "${bin}" run --offline`, '/dev/null'], { cwd, env }, (_e, stdout) => resolve(stdout));
      });
    const watched = await onTty(dir, 'false');
    expect(watched).toMatch(/waiting for 1 batch: 0\/32 done · \d+s/);
    expect(watched).toMatch(/\x1b\[2K/); // the line is cleared before the next message
    expect(await onTty(copyExample(), 'true')).not.toMatch(/waiting for 1 batch:/);
    const piped = await runCli(['run', '--offline'], copyExample(), { BATCHMATTER_EMULATOR_BATCH_MS: '1500' });
    expect(piped.stderr).not.toMatch(/waiting for 1 batch:/);
  });

  it('runs a chained task after the task it depends on, as a second batch, with its answer in the prompt', async () => {
    const dir = copyChainedExample();

    const plan = await inProcess(dir)(['plan', '--offline']);
    expect(plan.code, plan.stderr).toBe(0);
    // One post already has a summary written by a person: its description can go at once.
    expect(plan.stdout).toMatch(/^description: 1 request\(s\) to send\n {2}skipped 16: wait for an answer they build on first \(another task's, or the source page's\)$/m);

    const run = await inProcess(dir)(['run', '--offline', '--apply']);
    expect(run.code, run.stderr + run.stdout).toBe(0);
    expect(run.stderr).toMatch(/16 request\(s\) of chained tasks are ready/);
    const state = JSON.parse(readFileSync(path.join(dir, '.batchmatter/state.offline.json'), 'utf8'));
    const jobs = Object.values(state.jobs as Record<string, { id: string; createdAt: string; requests: Record<string, string> }>).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    expect(jobs).toHaveLength(2);
    expect(Object.values(jobs[1]!.requests).every((key) => key.startsWith('description:'))).toBe(true);
    // The summary now in the file is the one the description request was built on.
    const file = path.join(dir, 'examples/blog/posts/2024/release-notes.md');
    const data = parseFrontMatter(readFileSync(file, 'utf8')).data;
    expect(typeof data.summary).toBe('string');
    expect(typeof data.description).toBe('string');
  });

  it('sends identical requests once and shares the answer; a file edited outside its prompt keeps its answer, and a hand-corrected field stays', async () => {
    const dir = copyExample();
    const reviews = path.join(dir, 'examples/blog/reviews');
    // The same review posted twice (another author and date, which the prompt does not include).
    const original = readFileSync(path.join(reviews, '2025-09-12-ios-jsmith.md'), 'utf8');
    writeFileSync(path.join(reviews, '2025-09-13-ios-jsmith2.md'), original.replace('author: jsmith', 'author: jsmith2').replace('date: 2025-09-12', 'date: 2025-09-13'));

    const plan = await inProcess(dir)(['plan', '--offline']);
    expect(plan.stdout).toMatch(/^sentiment: 15 request\(s\) to send\n {2}skipped 1: same request as another file: answered once, shared$/m);

    const run = await inProcess(dir)(['run', '--offline', '--apply']);
    expect(run.code, run.stderr + run.stdout).toBe(0);
    expect(run.stderr).toMatch(/1 request\(s\) identical to one answered before: its answer reused, nothing sent/);
    const state = JSON.parse(readFileSync(path.join(dir, '.batchmatter/state.offline.json'), 'utf8'));
    const sent = Object.values(state.jobs as Record<string, { requests: Record<string, string> }>).flatMap((j) => Object.values(j.requests));
    expect(sent.filter((key) => key.startsWith('sentiment:'))).toHaveLength(15);
    const copies = ['2025-09-12-ios-jsmith.md', '2025-09-13-ios-jsmith2.md'].map((f) => parseFrontMatter(readFileSync(path.join(reviews, f), 'utf8')).data.analysis);
    expect(copies[0]).toMatchObject({ sentiment: 'positive' });
    expect(copies[1]).toEqual(copies[0]);
    expect(Object.values(state.items as Record<string, { reusedFrom?: string }>).filter((i) => i.reusedFrom)).toHaveLength(1);
    expect((await inProcess(dir)(['cost', '--offline'])).stdout).toMatch(/^1 answer\(s\) taken from identical requests answered before: not sent, not billed$/m);

    // The two-run pattern: submit tonight, sync later; the sync hands the answer to the copy too.
    const cron = copyExample();
    const cronReviews = path.join(cron, 'examples/blog/reviews');
    writeFileSync(path.join(cronReviews, '2025-09-13-ios-jsmith2.md'), original.replace('author: jsmith', 'author: jsmith2'));
    expect((await inProcess(cron)(['submit', '--offline'])).code).toBe(3);
    // The emulator's batches take 300 ms here: once they have passed, one sync finds the batch ended.
    inProcess(cron).clock.advance(300);
    const sync = await inProcess(cron)(['sync', '--offline']);
    expect(sync.code, sync.stderr).toBe(0);
    expect(sync.stderr).toMatch(/1 request\(s\) identical to one answered before: its answer reused, nothing sent/);
    const cronState = JSON.parse(readFileSync(path.join(cron, '.batchmatter/state.offline.json'), 'utf8'));
    expect(cronState.items['sentiment:reviews/2025-09-13-ios-jsmith2.md']).toMatchObject({ status: 'succeeded', reusedFrom: 'sentiment:reviews/2025-09-12-ios-jsmith.md' });

    // An edit the prompt does not include changes the file, not the request: its answer stands, nothing is sent;
    // and a person's correction of the field itself is not undone by handing the old answer back.
    const always = copyExample((config) => config.replace("field: 'analysis',", "field: 'analysis',\n      when: 'always',"));
    expect((await inProcess(always)(['run', '--offline', '--apply'])).code).toBe(0);
    const jobsBefore = Object.keys(JSON.parse(readFileSync(path.join(always, '.batchmatter/state.offline.json'), 'utf8')).jobs).length;
    const file = path.join(always, 'examples/blog/reviews/2025-09-12-ios-jsmith.md');
    writeFileSync(file, readFileSync(file, 'utf8').replace('author: jsmith', 'author: J. Smith'));
    const again = await inProcess(always)(['run', '--offline', '--apply']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^applied 0 file\(s\)$/m);
    const corrected = readFileSync(file, 'utf8').replace(/urgency: \w+/, 'urgency: high');
    writeFileSync(file, corrected);
    const replan = await inProcess(always)(['plan', '--offline']);
    expect(replan.stdout).toMatch(/^ {2}skipped 1: changed by hand since apply \(left as they are\)$/m);
    expect((await inProcess(always)(['run', '--offline', '--apply'])).code).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(corrected);
    const after = JSON.parse(readFileSync(path.join(always, '.batchmatter/state.offline.json'), 'utf8'));
    expect(Object.keys(after.jobs)).toHaveLength(jobsBefore);
  });

  it('reports a template variable a file lacks as path, field and variable, goes on with the other files, and exits 1', async () => {
    const dir = copyExample();
    const template = path.join(dir, 'templates/sentiment.hbs');
    writeFileSync(template, readFileSync(template, 'utf8').replace('Platform: {{platform}}', 'Platform: {{platform}}\nVersion: {{version}}'));
    // Two reviews without a version.
    const lacking = fg.sync('examples/blog/reviews/*.md', { cwd: dir }).sort().slice(0, 2);
    for (const file of lacking) writeFileSync(path.join(dir, file), readFileSync(path.join(dir, file), 'utf8').replace(/^version: .*\n/m, ''));
    const plan = await inProcess(dir)(['plan', '--offline']);
    expect(plan.code).toBe(1);
    const run = await inProcess(dir)(['run', '--offline', '--apply']);
    expect(run.code).toBe(1);
    const line = readFileSync(template, 'utf8').split('\n').indexOf('Version: {{version}}') + 1;
    for (const file of lacking) {
      expect(run.stderr).toContain(`${file}  analysis  template templates/sentiment.hbs: references "version" on line ${line}, which this file does not have; wrap what uses it in {{#if version}}…{{/if}}`);
      expect(parseFrontMatter(readFileSync(path.join(dir, file), 'utf8')).data.analysis).toBeUndefined();
    }
    const done = fg.sync('examples/blog/reviews/*.md', { cwd: dir }).filter((f) => !lacking.includes(f));
    expect(done.length).toBeGreaterThan(0);
    for (const file of done) expect(parseFrontMatter(readFileSync(path.join(dir, file), 'utf8')).data.analysis).toMatchObject({ sentiment: expect.any(String) });
  });

  it('init writes a starter project that plans, runs offline and puts the description under the title', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'batchmatter-init-'));
    // A Hugo-style site: init finds content/ and ignores batchmatter's folder in git.
    mkdirSync(path.join(dir, 'content'));
    const post = '---\ntitle: Hello\ndate: 2025-01-02\ntags: [a]\n---\n\nA first post about setting up the blog, the theme and the deploy.\n';
    writeFileSync(path.join(dir, 'content/hello.md'), post);
    writeFileSync(path.join(dir, '.gitignore'), 'node_modules');
    const init = await runCli(['init'], dir);
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toMatch(/^wrote batch\.config\.ts, templates\/description\.hbs, \.gitignore \(\.batchmatter\/\)\nnext: check content\.root \('content'\)/);
    expect(readFileSync(path.join(dir, 'batch.config.ts'), 'utf8')).toMatch(/\/\/ found by init: content\/ holds Markdown \(Hugo, Zola or Nuxt Content\).*\n {4}root: 'content',/);
    expect(readFileSync(path.join(dir, '.gitignore'), 'utf8')).toMatch(/^node_modules\n# batchmatter: .*\n\.batchmatter\/\n$/);
    expect((await runCli(['init'], dir)).code).toBe(2); // never overwrites without --force
    expect(readFileSync(path.join(dir, '.gitignore'), 'utf8').match(/\.batchmatter\//g)).toHaveLength(1);
    const plan = await inProcess(dir)(['plan', '--offline']);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/^description: 1 request\(s\) to send$/m);
    const run = await inProcess(dir)(['run', '--offline', '--apply']);
    expect(run.code, run.stderr).toBe(0);
    const after = readFileSync(path.join(dir, 'content/hello.md'), 'utf8');
    const description = parseFrontMatter(after).data.description as string;
    expect(description.length).toBeGreaterThan(10);
    expect(after).toBe(post.replace('title: Hello\n', `title: Hello\ndescription: ${description}\n`));

    // Starlight's docs, and a Jekyll site's _posts with .markdown files, are found too.
    for (const [folder, file, root] of [['src/content/docs/guides', 'a.mdx', 'src/content/docs'], ['_posts', '2020-01-01-hello.markdown', '_posts']] as const) {
      const site = mkdtempSync(path.join(tmpdir(), 'batchmatter-init-'));
      mkdirSync(path.join(site, folder), { recursive: true });
      writeFileSync(path.join(site, folder, file), post);
      const found = await runCli(['init', '--json'], site);
      expect(JSON.parse(found.stdout)).toMatchObject({ exitCode: 0, root });
      expect((await inProcess(site)(['plan', '--offline', '--json'])).stdout).toContain(file);
    }
  });
});

