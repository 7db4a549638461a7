import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLog } from '../src/io/log.js';
import { openSession } from '../src/pipeline/session.js';
import { renderHtml } from '../src/report/html.js';
import { buildReportModel, type ReportModel } from '../src/report/model.js';
import { cliEnv, copyExample, repoRoot, runCli } from './helpers/cli.js';

const CHROMIUM = '/usr/bin/chromium';
const XSS_VALUE = '<img src=x onerror=alert(1)></script><script>alert(2)</script> Find the slow step in a Lumen build with traces.';
const XSS_FILE = 'posts/<img src=x onerror=alert(3)>.md';
const XSS_TITLE = 'Custom domains </script><script>alert("title")</script> & <b>HTTPS certificates</b> that renew themselves';
const LONG_VALUE =
  'The Lumen edge cache answers about 97% of requests without touching the origin, because every asset is named after its content; here is how it handles the files that cannot be named that way.';
const faults = {
  rules: [
    // Refused by forbidPrefixes on every attempt: a permanent failure.
    { promptIncludes: 'Path: posts/guides/getting-started.md', outcome: 'text', text: 'In this article you will learn how to deploy your first Lumen site in ten minutes.' },
    // Label and quotes: repaired before validation.
    { promptIncludes: 'Path: posts/guides/redirects-and-rewrites.md', outcome: 'text', text: 'Description: "Redirect and rewrite rules for Lumen sites: status codes, wildcards and testing them before a deploy."' },
    // Valid, and hostile: it must render as text.
    { promptIncludes: 'Path: posts/guides/debugging-slow-builds.mdx', outcome: 'text', text: XSS_VALUE },
    // Valid under this test's 200-character limit, longer than a search engine shows.
    { promptIncludes: 'Path: posts/2024/edge-cache-deep-dive.md', outcome: 'text', text: LONG_VALUE },
  ],
};

let dir: string;
let model: ReportModel;
let reportFile: string;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium); .ci/run does this in CI`);
  dir = copyExample((config) => config.replace("field: 'description',", "field: 'description',\n      when: 'always',").replace('maxLength: 160', 'maxLength: 200'));
  const content = path.join(dir, 'examples/blog');
  const edit = (file: string, change: (text: string) => string) => writeFileSync(path.join(content, file), change(readFileSync(path.join(content, file), 'utf8')));
  // A human description over the limit, and a hostile title.
  edit('posts/welcome.md', (t) => t.replace(/^description: "(.*)"$/m, (_, d: string) => `description: "${d} ${d}"`));
  edit('posts/guides/custom-domains.md', (t) => t.replace(/^title: .*$/m, `title: '${XSS_TITLE}'`));
  writeFileSync(path.join(content, XSS_FILE), '---\ntitle: A file name is content too\n---\n\nFile names come from the content tree, so the report escapes them like every other value it shows.\n');

  const run = await runCli(['run', '--offline'], dir, { BATCHMATTER_EMULATOR_FAULTS: JSON.stringify(faults) });
  expect(run.code, run.stderr).toBe(1);
  // Edited after its request was planned: stale.
  edit('posts/2025/release-notes.md', (t) => `${t}\nOne more line.\n`);

  const session = await openSession({ cwd: dir, offline: true, env: {}, log: createLog({ quiet: true }) });
  try {
    model = await buildReportModel(session);
  } finally {
    await session.close();
  }
  reportFile = path.join(dir, 'report.html');
  writeFileSync(reportFile, renderHtml(model));
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}, 40_000);

afterAll(async () => {
  await browser?.close();
});

describe('renderHtml in headless Chromium', () => {
  it('shows every entry, snippets, filters, the sentiment chart; no errors, no network, no injected markup', async () => {
    const description = model.entries.filter((e) => e.task === 'description');
    const sentiment = model.entries.filter((e) => e.task === 'sentiment');
    expect(description).toHaveLength(26);
    expect(sentiment).toHaveLength(15);
    expect(model.tasks.map((t) => [t.task, t.counts])).toEqual([
      ['description', { proposed: 24, failed: 1, stale: 1 }],
      ['sentiment', { proposed: 15, failed: 0, stale: 0 }],
    ]);

    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const errors: string[] = [];
    const requests: string[] = [];
    const dialogs: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (r) => requests.push(r.url()));
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    const url = pathToFileURL(reportFile).href;
    await page.goto(url);

    expect(await page.title()).toBe('batchmatter review: 39 proposed changes');
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Front matter review');
    expect(await page.locator('.entry[data-task="description"]').count()).toBe(26);
    expect(await page.locator('.entry[data-task="sentiment"]').count()).toBe(15);
    expect(await page.locator('#shown').textContent()).toBe('Showing 41 of 41 entries');

    // The snippet: title cut to 60 + "…", description cut to at most 160 + "…".
    const cache = page.locator('.entry', { has: page.locator('code', { hasText: 'posts/2024/edge-cache-deep-dive.md' }) });
    const shown = (await cache.locator('.serp-desc').textContent())!;
    expect(shown.endsWith('…')).toBe(true);
    expect([...shown.slice(0, -1)].length).toBeLessThanOrEqual(160);
    expect(LONG_VALUE.startsWith(shown.slice(0, -1))).toBe(true);
    expect(await cache.locator('.serp-url').textContent()).toBe('posts › 2024 › edge-cache-deep-dive');
    expect(await cache.locator('.len.over').count()).toBe(0);
    const welcome = page.locator('.entry', { has: page.locator('code', { hasText: 'posts/welcome.md' }) });
    expect(await welcome.locator('.side').first().locator('.len.over').textContent()).toMatch(/^\d+ \/ 200 characters — \d+ over the limit$/);
    const failed = page.locator('.entry[data-status="failed"]');
    expect(await failed.locator('.reason').textContent()).toMatch(/^Failed: .*In this article/);
    expect(await page.locator('.entry[data-status="stale"] code').first().textContent()).toBe('posts/2025/release-notes.md');
    const repaired = page.locator('.entry', { has: page.locator('code', { hasText: 'posts/guides/redirects-and-rewrites.md' }) });
    expect(await repaired.locator('.notes li').allTextContents()).toEqual(['removed the label "Description:"', 'removed the quotes around the answer']);

    // Untrusted content stays text.
    const hostile = page.locator('.entry', { has: page.locator('code', { hasText: 'posts/guides/debugging-slow-builds.mdx' }) });
    expect(await hostile.locator('.side').nth(1).locator('.value').textContent()).toBe(XSS_VALUE);
    const domains = page.locator('.entry', { has: page.locator('code', { hasText: 'posts/guides/custom-domains.md' }) });
    expect(await domains.locator('.page-title').count()).toBe(0);
    const named = page.locator('.entry', { has: page.locator('code', { hasText: XSS_FILE }) });
    expect(await named.locator('.serp-url').textContent()).toBe('posts › <img src=x onerror=alert(3)>');
    const title = (await domains.locator('.serp-title').textContent())!;
    expect(title.endsWith('…') && [...title.slice(0, -1)].length <= 60 && XSS_TITLE.startsWith(title.slice(0, -1))).toBe(true);
    expect(await page.locator('img, b, main script').count()).toBe(0);
    expect(await page.locator('script').count()).toBe(1);

    // The sentiment chart counts the proposed answers; high urgency comes first.
    const counted = (property: string) => {
      const out: Record<string, number> = {};
      for (const e of sentiment) {
        const value = (e.proposed as Record<string, string>)[property]!;
        out[value] = (out[value] ?? 0) + 1;
      }
      return out;
    };
    for (const property of ['sentiment', 'urgency']) {
      const rows = page.locator(`.chart[data-property="${property}"] tr`);
      const shownCounts: Record<string, number> = {};
      for (const row of await rows.all()) {
        const n = Number(await row.locator('.num').textContent());
        if (n) shownCounts[(await row.locator('th').textContent())!] = n;
      }
      expect(shownCounts, property).toEqual(counted(property));
    }
    const high = counted('urgency').high ?? 0;
    expect(high).toBeGreaterThan(0);
    const urgencies = await page.locator('.entry[data-task="sentiment"] .side:nth-child(2) dt:text-is("urgency") + dd').allTextContents();
    expect(urgencies.slice(0, high).every((u) => u === 'high')).toBe(true);
    expect(urgencies.slice(high)).not.toContain('high');
    const urgentItems = page.locator('.urgent li');
    expect(await urgentItems.count()).toBe(high);
    expect(await urgentItems.first().locator('span').textContent()).toBe((sentiment[0]!.proposed as { main_issue: string }).main_issue);

    // Filters: by task, then by status.
    await page.getByRole('button', { name: 'sentiment', exact: true }).click();
    expect(await page.locator('.entry[data-task="description"]').first().isHidden()).toBe(true);
    expect(await page.locator('.entry[data-task="sentiment"]').first().isVisible()).toBe(true);
    expect(await page.locator('#shown').textContent()).toBe('Showing 15 of 41 entries');
    await page.getByRole('group', { name: 'Task' }).getByRole('button', { name: 'all' }).click();
    await page.getByRole('button', { name: 'failed', exact: true }).click();
    expect(await page.locator('.entry:visible').count()).toBe(1);
    expect(await failed.isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: 'failed', exact: true }).getAttribute('aria-pressed')).toBe('true');
    await page.getByRole('group', { name: 'Status' }).getByRole('button', { name: 'all' }).click();

    // Each card carries what the model read, collapsed: a review's text, a post's excerpt.
    const review = page.locator('.entry', { has: page.locator('code', { hasText: 'reviews/2025-11-02-web-nadia.md' }) });
    expect(await review.locator('details.input').getAttribute('open')).toBeNull();
    expect(await review.locator('details.input pre').isVisible()).toBe(false);
    await review.locator('details.input summary').click();
    expect(await review.locator('details.input pre').isVisible()).toBe(true);
    expect(await review.locator('details.input pre').textContent()).toBe('Love the log drains and the audit log. The settings pages are a bit confusing to navigate, so please add a search box.');
    expect(await cache.locator('details.input pre').textContent()).toMatch(/^The Lumen edge cache answers about 97% of requests without touching our origin/);

    const screenshot = path.join(dir, 'report.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    expect(readFileSync(screenshot).subarray(1, 4).toString()).toBe('PNG');
    expect(statSync(screenshot).size).toBeGreaterThan(50_000);
    console.log(`report: ${reportFile}\nscreenshot: ${screenshot}`);

    expect(errors).toEqual([]);
    expect(dialogs).toEqual([]);
    expect(requests).toEqual([url]);
    await page.close();
  });

  it('picking answers writes a reject (or apply) command per task that the shell runs as written, whatever the file names', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(pathToFileURL(reportFile).href);
    const act = page.locator('.act');
    expect(await act.isHidden()).toBe(true);
    // Failed and stale entries have nothing to act on.
    expect(await page.locator('.entry[data-status="failed"] .pick').count()).toBe(0);
    const entry = (file: string) => page.locator('.entry', { has: page.locator('code', { hasText: file }) });
    await entry(XSS_FILE).locator('.pick input').check();
    const review = model.entries.find((e) => e.task === 'sentiment')!;
    await entry(review.file).locator('.pick input').check();
    expect(await act.isVisible()).toBe(true);
    expect(await page.locator('#picked').textContent()).toBe('2 selected');
    const reason = `don't start with "Lumen"; name the feature`;
    await page.locator('#reason').fill(reason);
    const quote = (text: string) => `'${text.split("'").join(`'"'"'`)}'`;
    const lines = (await page.locator('#cmd').inputValue()).split('\n');
    expect(lines).toEqual([
      `npx batchmatter reject --offline --task 'description' ${quote(`examples/blog/${XSS_FILE}`)} --reason=${quote(reason)}`,
      `npx batchmatter reject --offline --task 'sentiment' ${quote(`examples/blog/${review.file}`)} --reason=${quote(reason)}`,
    ]);
    expect(await page.locator('label[for="cmd"]').textContent()).toBe('Run in the folder of batch.config.ts:');
    await page.getByRole('button', { name: 'apply only these' }).click();
    expect((await page.locator('#cmd').inputValue()).split('\n')[0]).toBe(`npx batchmatter apply --offline --task 'description' ${quote(`examples/blog/${XSS_FILE}`)}`);
    await page.getByRole('button', { name: 'reject: ask again' }).click();
    // A path or a reason starting with - must not read as an option.
    await entry(XSS_FILE).evaluate((e: HTMLElement) => (e.dataset.path = '-dash.md'));
    await page.locator('#reason').fill('--');
    expect((await page.locator('#cmd').inputValue()).split('\n')[0]).toBe(`npx batchmatter reject --offline --task 'description' './-dash.md' --reason='--'`);
    await entry(XSS_FILE).evaluate((e: HTMLElement, p: string) => (e.dataset.path = p), `examples/blog/${XSS_FILE}`);
    await page.locator('#reason').fill(reason);
    expect((await page.locator('#cmd').inputValue()).split('\n')).toEqual(lines);
    expect(errors).toEqual([]);

    // The commands do what they say: run by bash in the project folder, with the CLI in place of npx.
    const bin = path.join(repoRoot, 'bin/batchmatter.js');
    for (const line of lines) {
      const result = spawnSync('bash', ['-c', line.replace('npx batchmatter', `"${process.execPath}" "${bin}"`)], { cwd: dir, encoding: 'utf8', env: cliEnv() });
      expect(result.status, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/^rejected 1 answer\(s\)/);
    }
    const items = JSON.parse(readFileSync(path.join(dir, '.batchmatter/state.offline.json'), 'utf8')).items as Record<string, { status: string; error?: string }>;
    for (const key of [`description:${XSS_FILE}`, `sentiment:${review.file}`]) expect(items[key]).toMatchObject({ status: 'failed', error: `rejected in review: ${reason}` });
    expect(Object.values(items).filter((i) => i.error?.startsWith('rejected in review'))).toHaveLength(2);
    await page.getByRole('button', { name: 'Clear selection' }).click();
    expect(await act.isHidden()).toBe(true);
    await page.close();
  });

  it('shows every entry with JavaScript off; the filters stay hidden', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(pathToFileURL(reportFile).href);
    expect(await page.locator('.entry:visible').count()).toBe(41);
    expect(await page.locator('.filters').isHidden()).toBe(true);
    await context.close();
  });
});
