import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ItemState } from '../src/core/state.js';
import { renderHtml } from '../src/report/html.js';
import { toReportModel } from '../src/report/model.js';
import { random } from './helpers/random.js';
import { makeTask } from './helpers/task.js';

const CHROMIUM = '/usr/bin/chromium';
const POSTS = 8000;
const REVIEWS = 2000;
/** A word in one file's body only: a search for it finds that card by what the model read. */
const NEEDLE = 'quokkamarmalade';
const postFile = (i: number) => `posts/${2016 + (i % 9)}/post-${String(i).padStart(5, '0')}.md`;
const NEEDLE_FILE = postFile(4321);

const WORDS = 'cache deploy build edge origin header asset route preview branch domain certificate redirect rewrite function log metric image font script style page feed sitemap'.split(' ');

/** A site of 10,000 entries in every state the page shows: proposed, failed and stale; text and JSON. */
function site() {
  const rand = random(7);
  const sentence = () => {
    const n = 8 + Math.floor(rand() * 14);
    const words = Array.from({ length: n }, () => WORDS[Math.floor(rand() * WORDS.length)]!);
    return `${words.join(' ').replace(/^./, (c) => c.toUpperCase())}.`;
  };
  const paragraph = () => Array.from({ length: 4 }, sentence).join(' ');
  const description = makeTask('description', { field: 'description', include: 'posts/**', output: { type: 'text', maxLength: 160 } });
  const schema = {
    type: 'object',
    properties: { sentiment: { type: 'string', enum: ['positive', 'neutral', 'negative'] }, urgency: { type: 'string', enum: ['high', 'medium', 'low'] }, main_issue: { type: 'string' } },
    required: ['sentiment', 'urgency', 'main_issue'],
  };
  const sentiment = makeTask('sentiment', { field: 'analysis', include: 'reviews/**', output: { type: 'json', schema } }, '<review>{{excerpt}}</review>');
  const items: Record<string, ItemState> = {};
  const texts: Record<string, string> = {};
  const base = { planHash: 'p', requestHash: 'r', attempts: 1 };
  for (let i = 0; i < POSTS; i++) {
    const file = postFile(i);
    const body = [paragraph(), paragraph(), paragraph(), paragraph()].join('\n\n');
    texts[file] = `---\ntitle: "Post ${i}: ${sentence()}"\n---\n\n${file === NEEDLE_FILE ? `${NEEDLE} ` : ''}${body}\n`;
    const status = i % 97 === 0 ? 'failed' : i % 89 === 0 ? 'stale' : 'succeeded';
    const value = sentence().slice(0, 40 + Math.floor(rand() * 120));
    items[`description:${file}`] = { ...base, task: 'description', file, status, ...(status === 'failed' ? { error: 'expected at most 160 characters, got 171' } : { value }) } as ItemState;
  }
  for (let i = 0; i < REVIEWS; i++) {
    const file = `reviews/review-${String(i).padStart(5, '0')}.md`;
    texts[file] = `---\nrating: ${1 + (i % 5)}\n---\n\n${paragraph()}\n`;
    const value = { sentiment: ['positive', 'neutral', 'negative'][i % 3], urgency: ['high', 'medium', 'low'][Math.floor(rand() * 3)], main_issue: sentence() };
    items[`sentiment:${file}`] = { ...base, task: 'sentiment', file, status: 'succeeded', value } as ItemState;
  }
  return toReportModel({ tasks: [description, sentiment], items, texts, generatedAt: '2026-01-01T00:00:00.000Z', command: { pathPrefix: 'content/' } });
}

let browser: Browser;
let file: string;
let html: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)`);
  const model = site();
  expect(model.entries).toHaveLength(POSTS + REVIEWS);
  html = renderHtml(model);
  file = path.join(mkdtempSync(path.join(tmpdir(), 'batchmatter-scale-')), 'review.html');
  writeFileSync(file, html);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

const shownText = (page: Page) => page.locator('#shown').textContent();
/** The cards of a task's section in page order, as [data-len or data-urgency, status]. */
const order = (page: Page, task: string, key: 'len' | 'urgency') =>
  page.$$eval(`section[data-task="${task}"] > .entry`, (cards, k) => cards.map((c) => [Number((c as HTMLElement).dataset[k] ?? 'NaN'), (c as HTMLElement).dataset.status, c.id] as const), key);

describe('the review page with 10,000 entries', () => {
  it('is one offline file; search and sort work over every entry (its size and timings printed)', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const requests: string[] = [];
    const errors: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('pageerror', (e) => errors.push(e.message));
    const url = pathToFileURL(file).href;
    await page.goto(url);
    // Measured, printed, not asserted: they depend on the machine.
    const timing = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
      const paint = performance.getEntriesByName('first-contentful-paint')[0];
      return { firstPaint: Math.round(paint?.startTime ?? -1), domContentLoaded: Math.round(nav.domContentLoadedEventEnd) };
    });
    expect(await page.locator('.entry').count()).toBe(POSTS + REVIEWS);
    expect(await shownText(page)).toBe(`Showing ${POSTS + REVIEWS} of ${POSTS + REVIEWS} entries`);

    // Search reads what the model read too: one word of one file's body finds that card alone.
    const searchStart = Date.now();
    await page.locator('#q').fill(NEEDLE);
    await page.waitForFunction(() => document.getElementById('shown')!.textContent!.startsWith('Showing 1 '));
    const searchMs = Date.now() - searchStart;
    console.log(
      `review page, ${POSTS + REVIEWS} entries: ${(statSync(file).size / 1e6).toFixed(1)} MB; first contentful paint ${timing.firstPaint} ms, DOMContentLoaded ${timing.domContentLoaded} ms; first search ${searchMs} ms (120 ms of it the pause after typing)`,
    );
    expect(await shownText(page)).toBe(`Showing 1 of ${POSTS + REVIEWS} entries`);
    expect(await page.locator('.entry:visible code').first().textContent()).toBe(NEEDLE_FILE);
    // By file name, with the task filter on top.
    await page.locator('#q').fill('review-0001');
    await page.waitForFunction(() => document.getElementById('shown')!.textContent!.startsWith('Showing 10 '));
    await page.getByRole('button', { name: 'description', exact: true }).click();
    expect(await shownText(page)).toBe(`Showing 0 of ${POSTS + REVIEWS} entries`);
    await page.getByRole('group', { name: 'Task' }).getByRole('button', { name: 'all' }).click();
    await page.locator('#q').fill('');
    await page.waitForFunction((n) => document.getElementById('shown')!.textContent === `Showing ${n} of ${n} entries`, POSTS + REVIEWS);

    const listed = await order(page, 'description', 'len');
    await page.locator('#sort').selectOption('len-desc');
    const longest = (await order(page, 'description', 'len')).map(([n]) => n);
    expect(longest).toHaveLength(POSTS);
    expect(longest.every((n, i) => i === 0 || longest[i - 1]! >= n)).toBe(true);
    expect(longest[0]).toBeGreaterThan(longest.at(-1)!);
    await page.locator('#sort').selectOption('len-asc');
    const shortest = (await order(page, 'description', 'len')).map(([n]) => n).filter((n) => n >= 0);
    expect(shortest.every((n, i) => i === 0 || shortest[i - 1]! <= n)).toBe(true);
    await page.locator('#sort').selectOption('status');
    const statuses = (await order(page, 'description', 'len')).map(([, s]) => s);
    expect(statuses.indexOf('proposed')).toBeGreaterThan(statuses.lastIndexOf('stale'));
    expect(statuses.indexOf('stale')).toBeGreaterThan(statuses.lastIndexOf('failed'));
    expect(statuses[0]).toBe('failed');
    await page.locator('#sort').selectOption('urgency');
    const urgency = (await order(page, 'sentiment', 'urgency')).map(([n]) => n);
    expect(urgency).toHaveLength(REVIEWS);
    expect(urgency.every((n, i) => i === 0 || urgency[i - 1]! <= n)).toBe(true);
    expect(new Set(urgency)).toEqual(new Set([0, 1, 2]));
    await page.locator('#sort').selectOption('');
    expect(await order(page, 'description', 'len')).toEqual(listed);

    expect(errors).toEqual([]);
    expect(requests).toEqual([url]);
    expect(html).not.toMatch(/<(link|img|iframe)\b|\bsrc=|https?:\/\/(?!www\.w3\.org)/);
    await page.close();
  }, 120_000);
});
