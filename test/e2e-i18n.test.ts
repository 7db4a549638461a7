import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../src/emulator/index.js';
import { judgeLanguage, loadIdentifier, type Identifier } from '../src/core/identify.js';
import { repoRoot } from './helpers/cli.js';
import { inProcess } from './helpers/inprocess.js';
import { testdir } from './helpers/testdir.js';

/**
 * A multilingual site end to end, with the real SDK against the emulator: an answer in the wrong language is
 * asked again and never written, and a translation's prompt carries its source page's answer.
 */
let emulator: RunningEmulator | undefined;
let identifier: Identifier;
beforeAll(async () => {
  identifier = await loadIdentifier();
});
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

const page = (title: string, body: string, extra = '') => `---\ntitle: ${title}\n${extra}---\n\n${body}\n`;
const EN_BODY = 'Starlight is a full-featured documentation theme built on top of the Astro framework. This guide will help you get started with a new project. See the manual setup instructions to add Starlight to an existing Astro project.';
const FR_BODY = 'Starlight est un thème de documentation complet construit sur le framework Astro. Ce guide vous aidera à démarrer un nouveau projet. Consultez les instructions de configuration manuelle pour ajouter Starlight à un projet Astro existant.';

// Batches even for a few requests; each batch ends as soon as it is made, so nothing waits on the machine's speed.
const config = (extra = '') => `export default {
  content: { root: 'docs' },
  ${extra}
  batch: { pollInterval: '100ms', syncBelow: 0, maxRetries: 2 },
  tasks: {
    description: {
      field: 'description',
      template: 'description.hbs',
      maxTokens: 120,
      output: { type: 'text', maxLength: 160, singleLine: true, language: 'page' },
    },
  },
};
`;
const readState = (dir: string) => JSON.parse(readFileSync(path.join(dir, '.batchmatter/state.json'), 'utf8')) as { items: Record<string, { status: string; value?: string; error?: string; lang?: string; rejected?: string }> };
const descriptionOf = (dir: string, rel: string) => /^description: (.*)$/m.exec(readFileSync(path.join(dir, 'docs', rel), 'utf8'))?.[1];

function site(files: Record<string, string>, extra = ''): string {
  const dir = testdir({ 'batch.config.mjs': config(extra), ...Object.fromEntries(Object.entries(files).map(([rel, text]) => [`docs/${rel}`, text])) });
  copyFileSync(path.join(repoRoot, 'templates/description.hbs'), path.join(dir, 'description.hbs'));
  return dir;
}

describe('multilingual sites', () => {
  it('an answer in the wrong language is asked again, quoting it and why, and only the answer in the page\'s language is written', async () => {
    // The default template asks French pages for French ("write it in French (français)"): the first answer is English.
    // Asked again with the reason quoted, the emulator answers as a model told why would.
    const FIXED = 'Démarrez un nouveau projet de documentation avec Starlight, ou ajoutez-le à un projet Astro existant.';
    emulator = await startEmulator({
      batchDurationMs: 0,
      faults: {
        rules: [
          { promptIncludes: '<previous_answer>\nA practical walkthrough of the setup', outcome: 'text', text: `${FIXED}` },
          { promptIncludes: 'write it in French', outcome: 'wrong_language', times: 1 },
        ],
      },
    });
    const dir = site({ 'fr/demarrer.md': page('Démarrer', FR_BODY), 'demarrer.md': page('Getting started', EN_BODY) });
    const before = readFileSync(path.join(dir, 'docs/fr/demarrer.md'), 'utf8');
    const run = await inProcess(dir, { ANTHROPIC_BASE_URL: emulator.url, ANTHROPIC_API_KEY: 'test-key' })(['run', '--apply']);
    expect(run.code, run.stderr + run.stdout).toBe(0);
    // Two asked, one asked again: three billed, each a different request.
    const billed = emulator.ledger();
    expect(billed).toHaveLength(3);
    expect(new Set(billed.map((e) => e.prompt_digest)).size).toBe(3);
    const fr = readState(dir).items['description:fr/demarrer.md']!;
    expect(fr).toMatchObject({ status: 'applied', lang: 'fr', attempts: 2 });
    const written = descriptionOf(dir, 'fr/demarrer.md')!;
    expect(written).toBe(FIXED);
    expect(fr.value).toBe(FIXED);
    expect(judgeLanguage(identifier, written, 'fr')).toEqual({ ok: true });
    // Only the field was added: the rest of the file is as it was.
    expect(readFileSync(path.join(dir, 'docs/fr/demarrer.md'), 'utf8')).toBe(before.replace('title: Démarrer\n', `title: Démarrer\ndescription: ${written}\n`));
    expect(judgeLanguage(identifier, descriptionOf(dir, 'demarrer.md')!, 'en')).toEqual({ ok: true });
  });

  it('an answer that stays in the wrong language is reported after the retries, and nothing is written', async () => {
    emulator = await startEmulator({ batchDurationMs: 0, faults: { rules: [{ promptIncludes: 'write it in French', outcome: 'wrong_language' }] } });
    const dir = site({ 'fr/demarrer.md': page('Démarrer', FR_BODY) });
    const before = readFileSync(path.join(dir, 'docs/fr/demarrer.md'), 'utf8');
    const run = await inProcess(dir, { ANTHROPIC_BASE_URL: emulator.url, ANTHROPIC_API_KEY: 'test-key' })(['run', '--apply']);
    expect(run.code, run.stderr + run.stdout).toBe(1);
    expect(emulator.ledger()).toHaveLength(3); // asked, and asked again twice (maxRetries)
    expect(readState(dir).items['description:fr/demarrer.md']).toMatchObject({ status: 'failed', rejected: expect.stringMatching(/^A practical walkthrough/), error: 'expected the answer in French (fr); it reads as English (en)' });
    expect(run.stdout).toContain('expected the answer in French (fr); it reads as English (en)');
    expect(readFileSync(path.join(dir, 'docs/fr/demarrer.md'), 'utf8')).toBe(before);
  });

  it('a template reading {{source.…}} without i18n.defaultLocale is a config error naming the key', async () => {
    const dir = site({ 'fr/start.md': page('Démarrer', FR_BODY) });
    writeFileSync(path.join(dir, 'description.hbs'), 'From: {{source.description}}\n<excerpt>{{excerpt}}</excerpt>\n');
    const planned = await inProcess(dir)(['plan']);
    expect(planned.code).toBe(2);
    expect(planned.stderr).toContain('tasks.description.template: reads {{source.…}}, the same page in the default locale; set i18n.defaultLocale');
  });

  it('a translation\'s prompt carries its source page\'s answer, after it; a hand-written translation is never replaced', async () => {
    const EN_ANSWER = 'Create a Starlight documentation site in minutes, or add Starlight to an Astro project you already have.';
    const FR_ANSWER = 'Créez un site de documentation Starlight en quelques minutes, ou ajoutez Starlight à un projet Astro existant.';
    emulator = await startEmulator({
      batchDurationMs: 0,
      faults: {
        rules: [
          // The English page's answer; then, for a prompt that shows it, its translation.
          { promptIncludes: 'Path: en/start.md', outcome: 'text', text: EN_ANSWER },
          { promptIncludes: `Source description: ${EN_ANSWER}`, outcome: 'text', text: FR_ANSWER },
        ],
      },
    });
    const handWritten = page('Guide', FR_BODY, 'description: Un guide écrit à la main, qui ne doit pas changer.\n');
    const dir = site(
      {
        'en/start.md': page('Getting started', EN_BODY),
        'fr/start.md': page('Démarrer', FR_BODY),
        'en/guide.md': page('Guide', EN_BODY),
        'fr/guide.md': handWritten,
      },
      "i18n: { defaultLocale: 'en', locales: ['en', 'fr'] },",
    );
    const template = path.join(dir, 'description.hbs');
    // Rewritten whatever is in the file (when: 'always'), so only the hand-written rule keeps fr/guide.md.
    const configFile = path.join(dir, 'batch.config.mjs');
    writeFileSync(configFile, readFileSync(configFile, 'utf8').replace("field: 'description',", "field: 'description',\n      when: 'always',"));
    writeFileSync(template, readFileSync(template, 'utf8').replace('Title: {{title}}', '{{#if source.description}}\nSource description: {{source.description}}\nTranslate it rather than write another.\n{{/if}}\nTitle: {{title}}'));

    const planned = await inProcess(dir, { ANTHROPIC_BASE_URL: emulator.url, ANTHROPIC_API_KEY: 'test-key' })(['plan']);
    expect(planned.code, planned.stderr + planned.stdout).toBe(0);
    // Both in one language: no count per language.
    expect(planned.stdout).toContain('description: 2 request(s) to send\n  skipped');
    expect(planned.stdout).toContain("skipped 1: wait for an answer they build on first (another task's, or the source page's)");
    expect(planned.stdout).toContain('fr/guide.md: a translation written by hand: never replaced');

    const run = await inProcess(dir, { ANTHROPIC_BASE_URL: emulator.url, ANTHROPIC_API_KEY: 'test-key' })(['run', '--apply']);
    expect(run.code, run.stderr + run.stdout).toBe(0);
    expect(run.stderr).toContain('1 request(s) of chained tasks are ready');
    expect(descriptionOf(dir, 'en/start.md')).toBe(EN_ANSWER);
    // Only the prompt that showed the English answer gets this one.
    expect(descriptionOf(dir, 'fr/start.md')).toBe(FR_ANSWER);
    expect(readFileSync(path.join(dir, 'docs/fr/guide.md'), 'utf8')).toBe(handWritten);
    // en/start, en/guide, then fr/start: the hand-written translation was not asked for.
    expect(emulator.ledger()).toHaveLength(3);
    expect(Object.keys(readState(dir).items).sort()).toEqual(['description:en/guide.md', 'description:en/start.md', 'description:fr/start.md']);
  });
});
