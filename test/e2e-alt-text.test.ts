import { copyFileSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseFrontMatter } from '../src/frontmatter/read.js';
import { copyExample } from './helpers/cli.js';
import { inProcess } from './helpers/inprocess.js';

const CHROMIUM = '/usr/bin/chromium';
const ALT = ['--config', 'examples/alt-text.config.ts'];
const COVERED = ['posts/2024/introducing-build-traces.md', 'posts/2024/migrating-from-jekyll.md', 'posts/2024/team-offsite-lisbon.md', 'posts/2025/log-drains-ga.md'];

/** The repository's example with its alt-text config, sent as a batch (not the synchronous API) so the batch path is the one tested. */
function example(): string {
  const dir = copyExample();
  const config = path.join(dir, 'examples/alt-text.config.ts');
  writeFileSync(config, readFileSync(config, 'utf8').replace("state: '.batchmatter/alt-text.json',", "state: '.batchmatter/alt-text.json',\n  batch: { syncBelow: 0, pollInterval: '100ms' },"));
  return dir;
}

const blog = (dir: string, rel: string) => path.join(dir, 'examples/blog', rel);

describe('alt text for the example blog covers, through the CLI and the emulator', () => {
  let dir: string;
  beforeAll(async () => {
    dir = example();
  });

  it('plan counts the images and what they cost, and the files skipped with their reason', async () => {
    const result = await inProcess(dir)(['plan', '--offline', '--json', ...ALT]);
    expect(result.code, result.stderr).toBe(0);
    const plan = JSON.parse(result.stdout);
    expect(plan.requests.map((r: { file: string }) => r.file).sort()).toEqual(COVERED);
    const reasons = (task: string) => plan.skipped.filter((s: { task: string; reason: string }) => s.task === task && s.reason !== 'no-image').map((s: { file: string; reason: string }) => [s.file, s.reason]);
    expect(reasons('heroAlt')).toEqual([
      ['posts/2025/open-sourcing-the-lumen-cli.md', 'image-remote'],
      ['posts/2025/rum-sampling.mdx', 'image-format'],
    ]);
    // 960 × 540, 800 × 420, and 2400 × 1600 sent at 1568 × 1045: (w × h) / 750 each.
    const hero = plan.estimate.find((e: { task: string }) => e.task === 'heroAlt');
    expect(hero.images).toEqual({ count: 3, tokens: 692 + 448 + 2185 });
    expect(hero.inputTokens).toBeGreaterThan(3325);
    expect(plan.estimate.find((e: { task: string }) => e.task === 'coverAlt').images).toEqual({ count: 1, tokens: 547 });

    const text = await inProcess(dir)(['plan', '--offline', ...ALT]);
    expect(text.stdout).toContain('skipped 1: have a remote image (a URL): not sent');
    expect(text.stdout).toContain('posts/2025/rum-sampling.mdx: /covers/rum-sampling.svg: .svg is not a format the API takes (JPEG, PNG, GIF, WebP)');
    expect(text.stdout).toMatch(/heroAlt: 3 requests, ~\d+ input .*~3325 of the input for 3 images/);
  });

  it('check asks alt text only of files that name an image, and says which ones run cannot fill', async () => {
    const result = await inProcess(dir)(['check', '--offline', '--json', ...ALT]);
    expect(result.code).toBe(1);
    const findings = JSON.parse(result.stdout).findings.map((f: { file: string; field: string; kind: string }) => [f.file, f.field, f.kind]);
    expect(findings).toEqual([
      ['posts/2024/introducing-build-traces.md', 'heroImageAlt', 'missing'],
      ['posts/2024/migrating-from-jekyll.md', 'heroImageAlt', 'missing'],
      ['posts/2024/team-offsite-lisbon.md', 'heroImageAlt', 'missing'],
      ['posts/2025/log-drains-ga.md', 'cover.alt', 'missing'],
      ['posts/2025/open-sourcing-the-lumen-cli.md', 'heroImageAlt', 'image-not-sent'],
      ['posts/2025/rum-sampling.mdx', 'heroImageAlt', 'image-not-sent'],
    ]);
  });

  it('--max-cost refuses before anything is sent, counting the image tokens', async () => {
    // $0.0026 as a batch with the images' ~3,900 tokens; without them, text alone, it would be under $0.001.
    const refused = await inProcess(dir)(['run', '--offline', '--max-cost', '0.002', ...ALT]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/over the budget of \$0\.002/);
    // Nothing recorded as sent: no job in the (offline) state.
    const state = path.join(dir, 'examples/.batchmatter/alt-text.offline.json');
    expect(existsSync(state) ? Object.keys(JSON.parse(readFileSync(state, 'utf8')).jobs) : []).toEqual([]);
  });

  it('runs as a batch, validates the answers, and apply writes only the alt fields', async () => {
    const before = Object.fromEntries(COVERED.map((rel) => [rel, readFileSync(blog(dir, rel), 'utf8')]));
    const run = await inProcess(dir)(['run', '--offline', ...ALT]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout + run.stderr).toMatch(/submitted batch msgbatch_/);
    const applied = await inProcess(dir)(['apply', '--offline', ...ALT]);
    expect(applied.code, applied.stderr).toBe(0);
    for (const rel of COVERED) {
      const text = readFileSync(blog(dir, rel), 'utf8');
      const data = parseFrontMatter(text).data as { heroImageAlt?: string; cover?: { alt?: string } };
      const alt = rel.includes('log-drains') ? data.cover?.alt : data.heroImageAlt;
      expect(alt, rel).toMatch(/^[A-Z][^\n]{14,124}$/);
      expect(alt).not.toMatch(/image of|picture of|\.(png|jpe?g)/i);
      // Nothing else changed: the file is the old one plus one line.
      const line = rel.includes('log-drains') ? `  alt: ${alt}\n` : `heroImageAlt: ${alt}\n`;
      expect(text.replace(line, '')).toBe(before[rel]);
    }
    // The emulator reads the pictures: the Lisbon cover is mostly orange, the Jekyll one (stored sideways) is wide once turned upright.
    expect(parseFrontMatter(readFileSync(blog(dir, COVERED[2]!), 'utf8')).data.heroImageAlt).toMatch(/orange/);
    expect(parseFrontMatter(readFileSync(blog(dir, COVERED[1]!), 'utf8')).data.heroImageAlt).toMatch(/^Landscape .*red/);
  });
});

describe('the image is part of what a request reads', () => {
  it('a changed image is asked again; the same image, never', async () => {
    const dir = example();
    expect((await inProcess(dir)(['run', '--offline', ...ALT])).code).toBe(0);
    const planned = async () => JSON.parse((await inProcess(dir)(['plan', '--offline', '--json', ...ALT])).stdout).requests.map((r: { file: string }) => r.file);
    expect(await planned()).toEqual([]);
    const cover = blog(dir, 'public/covers/lisbon-offsite.jpg');
    copyFileSync(cover, `${cover}.orig`);
    await sharp({ create: { width: 900, height: 500, channels: 3, background: '#2d8a4e' } }).jpeg().toFile(cover);
    expect(await planned()).toEqual(['posts/2024/team-offsite-lisbon.md']);
    // The same bytes as before (a new mtime): nothing to ask.
    copyFileSync(`${cover}.orig`, cover);
    expect(await planned()).toEqual([]);
  });
});

describe('the review page shows each image beside its alt text', () => {
  it('embeds thumbnails as data URIs that render in Chromium, offline and small', async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)`);
    const dir = example();
    expect((await inProcess(dir)(['run', '--offline', ...ALT])).code).toBe(0);
    const out = path.join(dir, 'review-alt.html');
    const written = await inProcess(dir)(['diff', '--offline', ...ALT, '--format', 'html', '--out', out]);
    expect(written.code, written.stderr).toBe(0);
    // Four thumbnails of at most 160 px: the page stays small.
    expect(statSync(out).size).toBeLessThan(60_000);

    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const errors: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('request', (r) => requests.push(r.url()));
      await page.goto(pathToFileURL(out).href);
      const entries = page.locator('.entry');
      expect(await entries.count()).toBe(4);
      for (let i = 0; i < 4; i++) {
        const entry = entries.nth(i);
        const img = entry.locator('.with-images .thumb img');
        expect(await img.count()).toBe(1);
        // Decoded: the CSP lets data: images in, and the bytes are a real image.
        const size = await img.evaluate((el: HTMLImageElement) => [el.complete, el.naturalWidth, el.naturalHeight, el.getAttribute('src')!.slice(0, 23)]);
        expect(size[0]).toBe(true);
        expect(size[1]).toBeGreaterThan(0);
        expect(Math.max(size[1] as number, size[2] as number)).toBeLessThanOrEqual(160);
        expect(size[3]).toBe('data:image/webp;base64,');
        // Beside the proposed text, not above or below it.
        const imgBox = (await img.boundingBox())!;
        const value = entry.locator('.compare .side').nth(1).locator('.value');
        const valueBox = (await value.boundingBox())!;
        expect(imgBox.x + imgBox.width).toBeLessThanOrEqual(valueBox.x);
        expect(imgBox.y).toBeLessThan(valueBox.y + valueBox.height);
        expect((await value.textContent())!.length).toBeGreaterThan(14);
      }
      // Alt text is not a search-result description: no snippet preview, the page title instead.
      expect(await page.locator('.serp').count()).toBe(0);
      expect(await page.locator('.page-title').first().textContent()).toBe('Introducing build traces');
      // The Jekyll cover, stored sideways, shows upright: wider than tall.
      const jekyll = page.locator('.entry', { has: page.locator('code', { hasText: 'migrating-from-jekyll.md' }) }).locator('.thumb img');
      const [w, h] = await jekyll.evaluate((el: HTMLImageElement) => [el.naturalWidth, el.naturalHeight]);
      expect(w).toBeGreaterThan(h!);
      expect(requests.filter((u) => !u.startsWith('file:') && !u.startsWith('data:'))).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
