import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { localesIn, localesInScript } from '../src/core/site-locales.js';
import { runCli } from './helpers/cli.js';
import { testdir } from './helpers/testdir.js';

// The shape of Starlight's own docs/astro.config.mjs: a root locale and folders, inside the starlight() call.
const STARLIGHT = `import starlight from '@astrojs/starlight';
import { defineConfig } from 'astro/config';

export const locales = {
  root: { label: 'English', lang: 'en' },
  de: { label: 'Deutsch', lang: 'de' },
  'zh-cn': { label: '简体中文', lang: 'zh-CN' },
  'pt-br': { label: 'Português do Brasil', lang: 'pt-BR' },
};

export default defineConfig({
  integrations: [starlight({ title: 'Starlight', defaultLocale: 'root', locales, social: [] })],
});
`;

describe('the locales a site generator declares', () => {
  it('reads Starlight, Astro, Docusaurus and Hugo configs without running them', () => {
    expect(localesInScript(STARLIGHT)).toEqual({ defaultLocale: 'en', locales: ['de', 'zh-cn', 'pt-br'] });
    expect(localesInScript("export default defineConfig({ integrations: [starlight({ defaultLocale: 'en', locales: { en: { label: 'English' }, fr: { label: 'Français' } } })] });")).toEqual({ defaultLocale: 'en', locales: ['en', 'fr'] });
    expect(localesInScript("export default defineConfig({ i18n: { defaultLocale: 'en', locales: ['en', 'es', 'pt-br'] } });")).toEqual({ defaultLocale: 'en', locales: ['en', 'es', 'pt-br'] });
    expect(localesIn('docusaurus.config.js', "module.exports = { i18n: { defaultLocale: 'fr', locales: ['fr', 'en'] } };")).toEqual({ defaultLocale: 'fr', locales: ['fr', 'en'] });
    expect(localesIn('hugo.toml', "defaultContentLanguage = 'en'\n[languages.en]\nweight = 1\n[languages.de]\nweight = 2\n")).toEqual({ defaultLocale: 'en', locales: ['en', 'de'] });
    expect(localesIn('hugo.yaml', 'languages:\n  en: {}\n  ja: {}\n')).toEqual({ defaultLocale: 'en', locales: ['en', 'ja'] });
  });

  it('gives nothing for a config without locales, one it cannot parse, or names it would not write into a config', () => {
    expect(localesInScript("export default defineConfig({ site: 'https://example.com' });")).toBeUndefined();
    expect(localesInScript('export default defineConfig({ i18n: { locales: ')).toBeUndefined();
    expect(localesInScript("export default { i18n: { defaultLocale: 'en', locales: [\"en'); process.exit(1); ('\"] } };")).toBeUndefined();
    expect(localesIn('hugo.toml', "title = 'One language'\n")).toBeUndefined();
  });

  it('init writes them into the starter config, which then plans each page in its language', async () => {
    const dir = testdir({
      'astro.config.mjs': STARLIGHT,
      'src/content/docs/index.md': '---\ntitle: Welcome\n---\n\nStarlight helps you build documentation websites with search, navigation and many languages.\n',
      'src/content/docs/de/index.md': '---\ntitle: Willkommen\n---\n\nStarlight hilft dir, Dokumentationswebsites mit Suche, Navigation und vielen Sprachen zu erstellen.\n',
    });
    mkdirSync(path.join(dir, '.git'));
    const init = await runCli(['init'], dir);
    expect(init.code, init.stderr).toBe(0);
    const config = readFileSync(path.join(dir, 'batch.config.ts'), 'utf8');
    expect(config).toContain("  // Found by init in astro.config.mjs: each page's language comes from its locale folder (see docs/i18n.md).\n  i18n: { defaultLocale: 'en', locales: ['de', 'zh-cn', 'pt-br'] },\n");
    const plan = await runCli(['plan', '--offline'], dir);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain('description: 2 request(s) to send\n  by language: de 1, en 1\n');
    const prompts = await runCli(['plan', '--offline', '--prompts', 'src/content/docs/de/index.md', 'src/content/docs/index.md'], dir);
    expect(prompts.stdout, prompts.stderr).toContain('- write it in German (Deutsch), the language of the article');
    expect(prompts.stdout.match(/- write it in/g)).toHaveLength(1); // not on the English page
  });
});
