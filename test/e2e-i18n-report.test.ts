import { copyFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../src/emulator/index.js';
import { repoRoot } from './helpers/cli.js';
import { inProcess } from './helpers/inprocess.js';
import { testdir } from './helpers/testdir.js';

/** plan, diff, cost and the review page count and filter a multilingual site's answers by page language. */
let emulator: RunningEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

const CHROMIUM = '/usr/bin/chromium';
const page = (title: string, body: string) => `---\ntitle: ${title}\n---\n\n${body}\n`;
const config = `export default {
  content: { root: 'docs' },
  batch: { pollInterval: '100ms', syncBelow: 0 },
  tasks: {
    description: { field: 'description', template: 'description.hbs', maxTokens: 120, output: { type: 'text', maxLength: 160, singleLine: true, language: 'page' } },
  },
};
`;

describe('a multilingual site\'s review', () => {
  it('counts answers and spending per page language, marks an answer too short to tell, and filters the review page by language', async () => {
    // The German page's answer is a name and a word: too short to tell its language (read as English), so it passes, marked.
    emulator = await startEmulator({ batchDurationMs: 0, faults: { rules: [{ promptIncludes: 'Path: de/start.md', outcome: 'text', text: 'Starlight: Astro-Theme' }] } });
    const dir = testdir({
      'batch.config.mjs': config,
      'docs/start.md': page('Getting started', 'Starlight is a full-featured documentation theme built on top of the Astro framework. This guide will help you get started with a new project.'),
      'docs/fr/start.md': page('Démarrer', 'Starlight est un thème de documentation complet construit sur le framework Astro. Ce guide vous aidera à démarrer un nouveau projet.'),
      'docs/de/start.md': page('Erste Schritte', 'Starlight ist ein voll ausgestattetes Dokumentations-Theme, das auf dem Astro-Framework aufbaut. Diese Anleitung hilft dir beim Start eines neuen Projekts.'),
    });
    copyFileSync(path.join(repoRoot, 'templates/description.hbs'), path.join(dir, 'description.hbs'));
    const env = { ANTHROPIC_BASE_URL: emulator.url, ANTHROPIC_API_KEY: 'test-key' };

    const planned = await inProcess(dir, env)(['plan']);
    expect(planned.stdout).toContain('description: 3 request(s) to send\n  by language: de 1, en 1, fr 1\n');
    const run = await inProcess(dir, env)(['run']);
    expect(run.code, run.stderr + run.stdout).toBe(0);

    const diff = await inProcess(dir, env)(['diff']);
    expect(diff.stdout).toContain('language not checked (worth a look):\n  docs/de/start.md  description  language not checked: too short to tell whether it is German');
    expect(diff.stdout).toContain('proposed by page language: de 1, en 1, fr 1');
    const cost = await inProcess(dir, env)(['cost']);
    expect(cost.stdout).toMatch(/per page language:\n {2}de: 1 answered, .*\n {2}en: 1 answered, .*\n {2}fr: 1 answered, /);

    const out = path.join(dir, 'review.html');
    expect((await inProcess(dir, env)(['diff', '--format', 'html', '--out', out])).code).toBe(0);
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)`);
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    try {
      const tab = await browser.newPage();
      await tab.goto(pathToFileURL(out).href);
      const visible = () => tab.locator('.entry:visible h3').allTextContents();
      expect((await visible()).sort()).toEqual(['de/start.md', 'fr/start.md', 'start.md']);
      // The note is the language rule's, not a repair.
      await expect(tab.locator('.entry', { hasText: 'de/start.md' }).locator('.notes').allTextContents()).resolves.toEqual(['Languagelanguage not checked: too short to tell whether it is German']);
      await tab.getByRole('group', { name: 'Language' }).getByRole('button', { name: 'fr' }).click();
      expect(await visible()).toEqual(['fr/start.md']);
      await expect(tab.locator('#shown').textContent()).resolves.toBe('Showing 1 of 3 entries');
      await tab.getByRole('group', { name: 'Language' }).getByRole('button', { name: 'all' }).click();
      expect(await visible()).toHaveLength(3);
    } finally {
      await browser.close();
    }
  });
});
