import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { judgeLanguage, loadIdentifier, type Identifier } from '../src/core/identify.js';
import { needsIdentifier, pageLanguage } from '../src/core/language.js';
import { languageTag, languageVars, localeOfPath, sourceCandidates } from '../src/core/locale.js';
import { buildParams, templateVars } from '../src/core/request.js';
import { compileTemplate } from '../src/core/template.js';
import { checkText } from '../src/core/validate.js';
import { validateConfig } from '../src/config/validate.js';
import { repoRoot } from './helpers/cli.js';
import { makeTask } from './helpers/task.js';
import { answer } from '../src/emulator/model.js';
import { parseFaultPlan } from '../src/emulator/faults.js';
import { plan } from '../src/core/plan.js';
import { checkFiles } from '../src/core/check.js';
import { emptyState } from '../src/core/state.js';
import { parseScanned } from '../src/io/scan-parse.js';

let identifier: Identifier;
beforeAll(async () => {
  identifier = await loadIdentifier();
});

const FRENCH = 'Starlight vous aide à créer une documentation claire et rapide, avec une recherche intégrée, la navigation et la prise en charge de plusieurs langues.';
const ENGLISH = 'Starlight helps you build clear, fast documentation with built-in search, navigation and support for many languages.';

describe('a page\'s language', () => {
  it('comes from the front matter first, then the path, then the default locale, then the identifier', () => {
    const i18n = {};
    expect(pageLanguage({ rel: 'fr/guide.md', data: { lang: 'de' } }, i18n)).toEqual({ code: 'de', from: 'front-matter' });
    expect(pageLanguage({ rel: 'guide.md', data: { locale: 'pt_br' } }, i18n)).toEqual({ code: 'pt-BR', from: 'front-matter' });
    expect(pageLanguage({ rel: 'zh-cn/guide.md', data: {} }, i18n)).toEqual({ code: 'zh-CN', from: 'path' });
    expect(pageLanguage({ rel: 'src/content/docs/ja/guides/a.mdx', data: {} }, i18n)).toEqual({ code: 'ja', from: 'path' });
    expect(pageLanguage({ rel: 'content/fr/post.md', data: {} }, i18n)).toEqual({ code: 'fr', from: 'path' });
    expect(pageLanguage({ rel: 'i18n/de/docusaurus-plugin-content-docs/intro.md', data: {} }, i18n)).toEqual({ code: 'de', from: 'path' });
    expect(pageLanguage({ rel: 'posts/hello.fr.md', data: {} }, i18n)).toEqual({ code: 'fr', from: 'path' });
    expect(pageLanguage({ rel: 'guide.md', data: {} }, { defaultLocale: 'en' })).toEqual({ code: 'en', from: 'config' });
    expect(pageLanguage({ rel: 'guide.md', data: {} }, i18n, identifier, FRENCH)).toEqual({ code: 'fr', from: 'identified' });
    // Too short to tell: unknown, not guessed.
    expect(pageLanguage({ rel: 'guide.md', data: {} }, i18n, identifier, 'Install Starlight')).toBeUndefined();
    // A value that names no language is passed over.
    expect(pageLanguage({ rel: 'es/a.md', data: { lang: 'markdown' } }, i18n)).toEqual({ code: 'es', from: 'path' });
  });

  it('takes a bare code for a locale folder only at the top or under a content folder, unless the config lists the locales', () => {
    expect(localeOfPath('posts/it/budget.md', {})).toBeUndefined();
    expect(localeOfPath('posts/it/budget.md', { locales: ['it', 'en'] })).toMatchObject({ locale: 'it', tag: 'it', kind: 'folder', index: 1 });
    expect(localeOfPath('docs/guide.md', {})).toBeUndefined();
    expect(localeOfPath('fr/guide.md', { locales: ['de'] })).toBeUndefined();
    expect(languageTag('root')).toBeUndefined();
    expect(languageTag('zh-cn')).toBe('zh-CN');
  });

  it('finds a translation\'s source at the same path in the default locale', () => {
    expect(sourceCandidates('fr/guides/a.md', { defaultLocale: 'en' })).toEqual(['en/guides/a.md', 'guides/a.md']);
    expect(sourceCandidates('content/fr/a.md', { defaultLocale: 'en' })).toEqual(['content/en/a.md', 'content/a.md']);
    expect(sourceCandidates('posts/a.fr.md', { defaultLocale: 'en' })).toEqual(['posts/a.en.md', 'posts/a.md']);
    expect(sourceCandidates('en/a.md', { defaultLocale: 'en' })).toEqual([]);
    expect(sourceCandidates('guides/a.md', { defaultLocale: 'en' })).toEqual([]);
  });

  it('names the language in English and in itself for the templates', () => {
    expect(languageVars({ code: 'ja', from: 'path' })).toEqual({ lang: 'ja', languageName: 'Japanese', languageNativeName: '日本語', nonEnglish: true });
    expect(languageVars({ code: 'en-GB', from: 'path' })).toMatchObject({ nonEnglish: false });
    expect(languageVars(undefined)).toEqual({ lang: '', languageName: '', languageNativeName: '', nonEnglish: false });
  });
});

describe('the language rule', () => {
  it.each([
    [FRENCH, 'fr'],
    ['StarlightでMDXとMarkdocにコンポーネントを組み込む。', 'ja'],
    ['通过 Starlight 使用 MDX 和 Markdoc 中的组件', 'zh-CN'],
    ['Ketahui cara membuat situs dokumentasi baru dengan Starlight dan Astro.', 'id'],
    ['Aprenda a criar um novo site de documentação com o Starlight, passo a passo.', 'pt-BR'],
  ])('passes %s in %s', (text, lang) => {
    expect(judgeLanguage(identifier, text, lang)).toEqual({ ok: true });
  });

  it.each([
    [ENGLISH, 'fr', 'expected the answer in French (fr); it reads as English (en)'],
    [ENGLISH, 'ja', 'expected the answer in Japanese (ja); it reads as English (en)'],
    [FRENCH, 'de', 'expected the answer in German (de); it reads as French (fr)'],
    ['Starlightで新しいドキュメントサイトを作成する方法について学びます。', 'zh', 'expected the answer in Chinese (zh); it reads as Japanese (ja)'],
  ])('refuses %s for %s', (text, lang, reason) => {
    expect(judgeLanguage(identifier, text, lang)).toEqual({ ok: false, reason });
  });

  it('passes an answer too short to tell, saying its language was not checked', () => {
    expect(judgeLanguage(identifier, 'Install Starlight', 'fr')).toEqual({ ok: true, note: 'language not checked: too short to tell whether it is French' });
    expect(judgeLanguage(identifier, 'Обзор API плагинов Starlight.', 'ru')).toEqual({ ok: true, note: 'language not checked: too short to tell whether it is Russian' });
  });

  it('is checked with the other rules, and its reason is the one quoted back', () => {
    const { config } = validateConfig({ tasks: { d: { field: 'description', template: 't', output: { type: 'text', maxLength: 160, language: 'page' } } } });
    const spec = config!.tasks.d!.output;
    if (spec.type !== 'text') throw new Error('text task');
    expect(checkText(spec, ENGLISH, 'description', true, { identifier, expected: 'fr' })).toMatchObject({ ok: false, reason: 'expected the answer in French (fr); it reads as English (en)', answer: ENGLISH });
    expect(checkText(spec, FRENCH, 'description', true, { identifier, expected: 'fr' })).toEqual({ ok: true, value: FRENCH, notes: [] });
    expect(checkText(spec, FRENCH, 'description', true, { identifier, expected: undefined })).toEqual({ ok: true, value: FRENCH, notes: ["language not checked: the page's language is not known"] });
  });

  it('is a config error with a value that is neither "page" nor a language', () => {
    const { errors } = validateConfig({ tasks: { d: { field: 'description', template: 't', output: { type: 'text', language: 'french' } } } });
    expect(errors.join('\n')).toMatch(/tasks\.d\.output\.language.*expected "page" or a language code/);
  });
});

describe('the default template', () => {
  const template = readFileSync(path.join(repoRoot, 'templates/description.hbs'), 'utf8');
  // The template as it was before it knew languages: the same without its language block.
  const before = template.replace(/\{\{#if nonEnglish\}\}\n[^\n]*\n\{\{\/if\}\}\n/, '');
  const task = makeTask('description', { field: 'description', output: { type: 'text', maxLength: 160, singleLine: true } }, template);
  const withLanguage = { ...task, language: { i18n: {}, identifier: undefined as unknown as Identifier, readsSource: false } };
  const vars = (code: string) => templateVars(withLanguage, { data: { title: 'Guide' }, excerpt: 'Body.', path: `${code}/guide.md`, language: { code, from: 'path' } });

  it('renders an English page\'s prompt as before, so its request digest, and answers already bought, stay the same', () => {
    const old = makeTask('description', { field: 'description', output: { type: 'text', maxLength: 160, singleLine: true } }, before);
    const oldParams = buildParams(old, templateVars(old, { data: { title: 'Guide' }, excerpt: 'Body.', path: 'en/guide.md' }));
    expect(before).not.toBe(template);
    expect(buildParams(withLanguage, vars('en'))).toEqual(oldParams);
    expect(compileTemplate(template, 't')(vars('en-US'))).toBe(compileTemplate(before, 't')(vars('en-US')));
  });

  it('asks for the page\'s language on other pages', () => {
    expect(compileTemplate(template, 't')(vars('ja'))).toContain('- write it in Japanese (日本語), the language of the article\n');
  });
});

describe('the emulator', () => {
  const ask = (content: string, fault?: 'wrong_language') =>
    answer({ model: 'claude-haiku-4-5', max_tokens: 200, messages: [{ role: 'user', content: `Write a description in at most 160 characters.\n<excerpt>\n${content}\n</excerpt>` }] }, fault ? { wrongLanguage: true } : {});
  const textOf = (m: ReturnType<typeof answer>) => m.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
  const JAPANESE = 'Starlightは、Astroの上に構築された、フル機能のドキュメント向けテーマです。このガイドは、あなたが新しいプロジェクトを始める手助けをします。';

  it('answers in the language of the page it is shown', () => {
    expect(judgeLanguage(identifier, textOf(ask(FRENCH)), 'fr')).toEqual({ ok: true });
    const japanese = textOf(ask(JAPANESE));
    expect(japanese).toBe('Starlightは、Astroの上に構築された、フル機能のドキュメント向けテーマです。このガイドは、あなたが新しいプロジェクトを始める手助けをします。');
    expect(judgeLanguage(identifier, japanese, 'ja')).toEqual({ ok: true });
  });

  it('answers in another language when told to (fault outcome wrong_language), within the prompt\'s limit', () => {
    for (const [content, lang] of [[FRENCH, 'fr'], [JAPANESE, 'ja'], [ENGLISH, 'en']] as const) {
      const wrong = textOf(ask(content, 'wrong_language'));
      expect(judgeLanguage(identifier, wrong, lang)).toMatchObject({ ok: false });
      expect([...wrong].length).toBeLessThanOrEqual(160);
    }
    expect(() => parseFaultPlan({ rules: [{ promptIncludes: 'French', outcome: 'wrong_language' }] }, 'test')).not.toThrow();
  });
});

describe('needsIdentifier', () => {
  const task = (when: 'missing' | 'invalid', i18n = {}) => ({
    ...makeTask('description', { field: 'description', when, output: { type: 'text', language: 'page' } }, '{{lang}} {{excerpt}}'),
    language: { i18n, identifier: undefined as unknown as Identifier, readsSource: false },
  });
  const filled = { rel: 'a.md', data: { description: 'Done.' } };
  const empty = { rel: 'a.md', data: {} };

  it('loads the identifier only for a page to ask about whose language nothing names, or a value a language rule judges', () => {
    expect(needsIdentifier([task('missing')], [filled])).toBe(false);
    expect(needsIdentifier([task('missing')], [empty])).toBe(true);
    expect(needsIdentifier([task('missing')], [{ rel: 'fr/a.md', data: {} }])).toBe(false);
    expect(needsIdentifier([task('missing', { defaultLocale: 'en' })], [empty])).toBe(false);
    expect(needsIdentifier([task('invalid', { defaultLocale: 'en' })], [filled])).toBe(true);
    expect(needsIdentifier([makeTask('description', { field: 'description', output: { type: 'text' } })], [empty])).toBe(false);
  });
});

describe('plan and check with a language rule', () => {
  const file = (rel: string, text: string) => parseScanned(rel, `/site/${rel}`, text, () => [1000]);
  const withLanguage = (when: 'missing' | 'invalid') => ({
    ...makeTask('description', { field: 'description', when, output: { type: 'text', maxLength: 200, language: 'page' } }, 'Write it in {{languageName}}.\nTitle: {{title}}\n<excerpt>{{excerpt}}</excerpt>'),
    language: { i18n: { defaultLocale: 'en' }, identifier, readsSource: false },
  });
  const files = [
    file('fr/wrong.md', `---\ntitle: A\ndescription: ${ENGLISH}\n---\n${FRENCH}\n`),
    file('fr/right.md', `---\ntitle: B\ndescription: ${FRENCH}\n---\n${FRENCH}\n`),
    file('fr/new.md', `---\ntitle: C\n---\n${FRENCH}\n`),
    file('guide.md', `---\ntitle: D\n---\n${ENGLISH}\n`),
  ];

  it('replaces a value in the wrong language (when: invalid), asks each page in its own, and check reports the value', () => {
    const result = plan([withLanguage('invalid')], files, emptyState(), { maxRetries: 2 });
    expect(result.requests.map((r) => [r.file, r.lang])).toEqual([['fr/wrong.md', 'fr'], ['fr/new.md', 'fr'], ['guide.md', 'en']]);
    expect(result.requests.find((r) => r.file === 'fr/new.md')!.params.messages[0]!.content).toMatch(/^Write it in French\./);
    expect(checkFiles([withLanguage('missing')], files, emptyState()).map((f) => [f.file, f.kind, f.reason])).toEqual([
      ['fr/new.md', 'missing', 'missing'],
      ['fr/wrong.md', 'broken', 'expected the answer in French (fr); it reads as English (en)'],
      ['guide.md', 'missing', 'missing'],
    ]);
  });

  it('remembers a page\'s language with its request, so an unchanged page is not identified again', () => {
    const task = withLanguage('missing');
    const page = file('guide.md', `---\ntitle: D\n---\n${FRENCH}\n`);
    const first = plan([{ ...task, language: { ...task.language, i18n: {} } }], [page], emptyState(), { maxRetries: 2 });
    expect(first.requests.map((r) => r.lang)).toEqual(['fr']);
    const [learned] = first.learned;
    expect(learned?.memo.lang).toBe('fr');
    const remembered = { ...page, memo: [[learned!.task, learned!.memo.fp, learned!.memo.requestHash, learned!.memo.inputTokens, 'fr'] as const] };
    const blind = { ...task, language: { i18n: {}, readsSource: false, identifier: { identify: () => { throw new Error('identified again'); } } } };
    expect(plan([blind], [remembered], emptyState(), { maxRetries: 2 }).requests.map((r) => [r.lang, r.requestHash])).toEqual([['fr', learned!.memo.requestHash]]);
  });

  it('never replaces a hand-written translation, but rewrites a source page like any other (when: always)', () => {
    const translating = {
      ...makeTask('description', { field: 'description', when: 'always', output: { type: 'text' } }, '{{#if source.description}}From: {{source.description}}{{/if}}\nTitle: {{title}}\n<excerpt>{{excerpt}}</excerpt>'),
      language: { i18n: { defaultLocale: 'en', locales: ['en', 'fr'] }, identifier, readsSource: true },
    };
    const pages = [file('en/a.md', `---\ntitle: A\ndescription: Hand-written.\n---\n${ENGLISH}\n`), file('fr/a.md', `---\ntitle: A\ndescription: Écrit à la main.\n---\n${FRENCH}\n`)];
    const result = plan([translating], pages, emptyState(), { maxRetries: 2 });
    expect(result.requests.map((r) => r.file)).toEqual(['en/a.md']);
    expect(result.skips).toEqual([{ task: 'description', file: 'fr/a.md', reason: 'has-value', detail: 'a translation written by hand: never replaced' }]);
  });
});
