import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import fg from 'fast-glob';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ExitCode, UserError } from '../errors.js';
import { detectSite, type SiteGuess } from './init-site.js';
import type { CommandResult } from './result.js';
import { LOCALE_CONFIGS, localesIn, type SiteLocales } from '../core/site-locales.js';

const packageTemplates = fileURLToPath(new URL('../../templates/', import.meta.url));

const list = (items: readonly string[]) => `[${items.map((i) => `'${i}'`).join(', ')}]`;

const starter = (site: SiteGuess, i18n?: { file: string; locales: SiteLocales }) => `import { defineConfig } from 'batchmatter';

export default defineConfig({
  content: {
    // ${site.why}
    root: '${site.root}',
    include: ${list(site.include)},${site.exclude.length ? `\n    exclude: ${list(site.exclude)},` : ''}${
  site.frontMatterFormat ? `\n    // A page without front matter gets a ${site.frontMatterFormat.toUpperCase()} block (+++), as ${site.generator} writes them.\n    frontMatterFormat: '${site.frontMatterFormat}',` : ''
}
  },${
    i18n
      ? `
  // Found by init in ${i18n.file}: each page's language comes from its locale folder (see docs/i18n.md).
  i18n: { defaultLocale: '${i18n.locales.defaultLocale}', locales: ${list(i18n.locales.locales)} },`
      : ''
  }
  tasks: {
    description: {
      field: 'description',
      // New descriptions go right under the ${site.insertAfter.join(' (or the ')}${site.insertAfter.length > 1 ? ')' : ''}, where people write them by hand.
      insertAfter: ${list(site.insertAfter)},
      // Only where a page has none; 'invalid' also rewrites those that break the rules below.
      when: 'missing',
      template: 'templates/description.hbs',
      maxTokens: 120,
      output: {
        type: 'text',
        maxLength: 160,
        singleLine: true,
        forbidPrefixes: ['In this article', 'This guide'],
        // In the page's own language (see docs/i18n.md).
        language: 'page',
      },
    },
  },
});
`;

const WORKFLOWS = { github: { from: 'ci/github.yml', to: '.github/workflows/batchmatter.yml' } } as const;

/** `init --ci github`: the nightly workflow only; never overwrites without --force. */
async function initCi(dir: string, ci: string, force: boolean): Promise<CommandResult> {
  if (!(ci in WORKFLOWS)) throw new UserError(`--ci: expected ${Object.keys(WORKFLOWS).join(' or ')}, got "${ci}"`);
  const { from, to } = WORKFLOWS[ci as keyof typeof WORKFLOWS];
  const target = path.join(dir, to);
  if (existsSync(target) && !force) throw new UserError(`${to} already exists; pass --force to overwrite`);
  await mkdir(path.dirname(target), { recursive: true });
  await copyFile(path.join(packageTemplates, from), target);
  return {
    exitCode: ExitCode.ok,
    data: { written: [to] },
    text: `wrote ${to}\nnext: add the repository secret ANTHROPIC_API_KEY, choose MODE at the top of the file (commit, or pull-request: then turn on Settings > Actions > General > "Allow GitHub Actions to create and approve pull requests"), and commit it. The state travels on the branch batchmatter-state: leave it unprotected`,
  };
}

/**
 * Where site generators keep their content, most specific first: Starlight, Astro's content collections,
 * Hugo, Zola and Nuxt Content, Docusaurus and MkDocs, Jekyll's posts, and plain folders.
 */
const CONTENT_ROOTS: ReadonlyArray<[string, string]> = [
  ['src/content/docs', 'Starlight'],
  ['src/content', 'Astro content collections'],
  ['content', 'Hugo, Zola or Nuxt Content'],
  ['docs', 'Docusaurus or MkDocs'],
  ['_posts', 'Jekyll'],
  ['posts', 'a posts folder'],
  ['blog', 'a blog folder'],
];

const ALL_MARKDOWN = ['**/*.md', '**/*.mdx', '**/*.markdown'];

/**
 * The site: recognised from its generator's own files (see init-site.ts), else the first of CONTENT_ROOTS
 * holding Markdown, else the project folder itself, with a comment saying what to edit.
 */
export function findSite(dir: string): SiteGuess {
  const site = detectSite(dir);
  if (site) return site;
  const plain = { include: ALL_MARKDOWN, exclude: [], insertAfter: ['title'] };
  for (const [root, generator] of CONTENT_ROOTS) {
    const found = fg.sync(['**/*.{md,mdx,markdown}'], { cwd: path.join(dir, root), deep: 4, ignore: ['**/node_modules/**'] });
    if (found.length) return { ...plain, root, why: `found by init: ${root}/ holds Markdown (${generator}); change it if your posts live elsewhere` };
  }
  return { ...plain, root: '.', why: 'init found no site generator and no usual content folder (content/, src/content/, docs/, _posts/…): set the folder that holds your posts' };
}

/** The languages the site generator's config declares (Starlight, Astro, Docusaurus, Hugo), read, never run. */
async function findSiteLocales(dir: string): Promise<{ file: string; locales: SiteLocales } | undefined> {
  for (const file of LOCALE_CONFIGS) {
    const full = path.join(dir, file);
    if (!existsSync(full)) continue;
    const locales = localesIn(file, await readFile(full, 'utf8'));
    if (locales) return { file, locales };
  }
  return undefined;
}

/** Ignores the folder beside the state (caches, locks, offline answers) in .gitignore: the state travels on its own branch. */
async function ignoreStateFolder(dir: string): Promise<boolean> {
  const file = path.join(dir, '.gitignore');
  const text = existsSync(file) ? await readFile(file, 'utf8') : '';
  if (/^\/?\.batchmatter\/?$/m.test(text)) return false;
  await writeFile(file, `${text}${text && !text.endsWith('\n') ? '\n' : ''}# batchmatter: caches, locks and offline answers (the state travels on its own branch, see "batchmatter state")\n.batchmatter/\n`);
  return true;
}

/** Writes a starter config and the description template (or, with --ci, a CI workflow); never overwrites without --force. */
export async function initCommand(cwd: string, force: boolean, ci?: string): Promise<CommandResult> {
  const dir = path.resolve(cwd);
  if (ci !== undefined) return initCi(dir, ci, force);
  const configFile = path.join(dir, 'batch.config.ts');
  const template = path.join(dir, 'templates', 'description.hbs');
  const existing = [configFile, template].filter((f) => existsSync(f));
  if (existing.length && !force) {
    throw new UserError(`${existing.map((f) => path.relative(dir, f)).join(', ')} already exist; pass --force to overwrite`);
  }
  await mkdir(path.dirname(template), { recursive: true });
  const site = findSite(dir);
  const { root } = site;
  const i18n = await findSiteLocales(dir);
  await writeFile(configFile, starter(site, i18n));
  await copyFile(path.join(packageTemplates, 'description.hbs'), template);
  const written = [configFile, template].map((f) => path.relative(dir, f));
  if (await ignoreStateFolder(dir)) written.push('.gitignore (.batchmatter/)');
  const check = root === '.' && !site.generator ? 'set content.root to the folder of your posts' : `check content.root ('${root}')${site.generator ? ` and include, found for a ${site.generator} site` : ''}`;
  return {
    exitCode: ExitCode.ok,
    data: { written, root, generator: site.generator ?? null, include: site.include, ...(site.frontMatterFormat ? { frontMatterFormat: site.frontMatterFormat } : {}), ...(i18n ? { i18n: i18n.locales } : {}) },
    text: `wrote ${written.join(', ')}\nnext: ${check}, then "batchmatter plan" (add --offline to try it without a key; "plan --prompts <file>" shows a prompt), and "batchmatter run --limit 20" to try the prompt on a sample before the whole site`,
  };
}
