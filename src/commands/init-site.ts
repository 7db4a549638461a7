import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fg from 'fast-glob';

/** What `init` writes for a site: where its content is, which files, and how new front matter looks. */
export interface SiteGuess {
  /** The generator, as the config's comment names it; undefined when none was recognised. */
  generator?: string;
  root: string;
  include: string[];
  exclude: string[];
  /** The format of a block added to a file with no front matter, when the site has one of its own. */
  frontMatterFormat?: 'toml';
  insertAfter: string[];
  /** The config's comment on `root`: what was found, or what to edit. */
  why: string;
}

const read = (file: string): string => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
};
const first = (dir: string, names: readonly string[]) => names.find((n) => existsSync(path.join(dir, n)));
const CONFIG_EXTS = ['mjs', 'js', 'ts', 'mts', 'cjs', 'cts'];
const configOf = (dir: string, base: string) => first(dir, CONFIG_EXTS.map((ext) => `${base}.${ext}`));
/** Whether package.json lists `name` among its dependencies or devDependencies. */
const dependsOn = (dir: string, name: string): boolean => {
  try {
    const pkg = JSON.parse(read(path.join(dir, 'package.json'))) as { dependencies?: object; devDependencies?: object };
    return [pkg.dependencies, pkg.devDependencies].some((deps) => typeof deps === 'object' && deps !== null && name in deps);
  } catch {
    return false;
  }
};

/** Include globs for the Markdown extensions present under `root` (in the folders `under`); the first glob when none match yet. */
function includes(dir: string, root: string, exts: readonly string[], under: readonly string[] = ['**']): string[] {
  const cwd = path.join(dir, root);
  const globs = under.flatMap((u) => exts.map((ext) => `${u}/*.${ext}`));
  const present = globs.filter((g) => fg.sync(g, { cwd, ignore: ['**/node_modules/**'], deep: 8 }).length > 0);
  return present.length ? present : globs.slice(0, 1);
}

/** Most of the site's Markdown files open their front matter with `+++` (TOML). */
function writesToml(dir: string, root: string): boolean {
  const files = fg.sync('**/*.md', { cwd: path.join(dir, root), ignore: ['**/node_modules/**'], deep: 8 }).slice(0, 200);
  const archetype = read(path.join(dir, 'archetypes/default.md'));
  if (archetype) return archetype.trimStart().startsWith('+++');
  const toml = files.filter((f) => read(path.join(dir, root, f)).trimStart().startsWith('+++')).length;
  return files.length > 0 && toml * 2 > files.length;
}

const found = (generator: string, files: string) => `found by init: a ${generator} site, ${files}; change it if your posts live elsewhere`;

/**
 * Recognises a site generator from its own files (its config file, the folders it reads) and says where
 * its content is. Most specific first: Starlight before Astro, Zola before Hugo (both may have a
 * config.toml and content/), Nextra before Next.js.
 */
export function detectSite(dir: string): SiteGuess | undefined {
  const titled = { exclude: [] as string[], insertAfter: ['title'] };
  const astro = configOf(dir, 'astro.config');
  if (astro) {
    const starlight = dependsOn(dir, '@astrojs/starlight') || read(path.join(dir, astro)).includes('@astrojs/starlight');
    const root = starlight ? 'src/content/docs' : existsSync(path.join(dir, 'src/content')) ? 'src/content' : 'src/pages';
    const generator = starlight ? 'Starlight' : 'Astro';
    return { generator, root, include: includes(dir, root, ['md', 'mdx']), ...titled, why: found(generator, `${astro} and ${root}/`) };
  }
  const zolaConfig = read(path.join(dir, 'config.toml'));
  if (/^\s*base_url\s*=/m.test(zolaConfig) && (/^\s*\[markdown\]/m.test(zolaConfig) || /^\s*compile_sass\s*=/m.test(zolaConfig) || /^\s*build_search_index\s*=/m.test(zolaConfig)) && existsSync(path.join(dir, 'content'))) {
    return { generator: 'Zola', root: 'content', include: ['**/*.md'], ...titled, frontMatterFormat: 'toml', why: found('Zola', 'config.toml with base_url and content/; Zola front matter is TOML') };
  }
  const hugo = first(dir, ['hugo.toml', 'hugo.yaml', 'hugo.yml', 'hugo.json']) ?? (existsSync(path.join(dir, 'content')) ? first(dir, ['config.toml', 'config.yaml', 'config.yml', 'config/_default/hugo.toml', 'config/_default/config.toml']) : undefined);
  if (hugo) {
    const toml = writesToml(dir, 'content');
    return {
      generator: 'Hugo',
      root: 'content',
      include: includes(dir, 'content', ['md', 'markdown']),
      ...titled,
      ...(toml ? { frontMatterFormat: 'toml' as const } : {}),
      insertAfter: ['title', 'date'],
      why: found('Hugo', `${hugo} and content/${toml ? '; its pages write TOML front matter' : ''}`),
    };
  }
  const docusaurus = configOf(dir, 'docusaurus.config');
  if (docusaurus) {
    const folders = ['docs', 'blog'].filter((f) => existsSync(path.join(dir, f)));
    return { generator: 'Docusaurus', root: '.', include: includes(dir, '.', ['md', 'mdx'], folders.length ? folders.map((f) => `${f}/**`) : ['docs/**']), ...titled, why: found('Docusaurus', `${docusaurus} with ${folders.join('/ and ') || 'docs'}/`) };
  }
  if (existsSync(path.join(dir, '_config.yml')) || existsSync(path.join(dir, '_config.toml'))) {
    // _posts, _drafts and collections (`_docs`): the underscore folders that hold Markdown, not Jekyll's own.
    const own = new Set(['_site', '_includes', '_layouts', '_data', '_sass', '_plugins']);
    const folders = fg
      .sync('_*', { cwd: dir, onlyDirectories: true, deep: 1 })
      .filter((f) => !own.has(f) && fg.sync('**/*.{md,markdown}', { cwd: path.join(dir, f), deep: 8 }).length > 0)
      .sort();
    const under = folders.length ? folders.map((f) => `${f}/**`) : ['_posts/**'];
    return {
      generator: 'Jekyll',
      root: '.',
      include: includes(dir, '.', ['md', 'markdown'], under),
      exclude: ['_site/**', 'vendor/**'],
      insertAfter: ['title'],
      why: found('Jekyll', `_config.yml with ${under.map((u) => u.slice(0, -3)).join(' and ')}/; add pages outside them to include if they need a description too`),
    };
  }
  // A content folder on its own (no generator config beside it): Hugo and Zola sections have an _index.md.
  if (existsSync(path.join(dir, '_index.md'))) {
    const isToml = writesToml(dir, '.');
    return {
      generator: 'Hugo or Zola',
      root: '.',
      include: includes(dir, '.', ['md', 'markdown']),
      ...titled,
      ...(isToml ? { frontMatterFormat: 'toml' as const } : {}),
      why: found('Hugo or Zola', `a content folder with _index.md${isToml ? '; its pages write TOML front matter' : ''}`),
    };
  }
  const eleventy = first(dir, ['.eleventy.js', '.eleventy.cjs', ...CONFIG_EXTS.map((ext) => `eleventy.config.${ext}`)]);
  if (eleventy) {
    // `dir: { input: "src" }` in the config, or the --input the build script passes; else the project folder.
    const input = /input\s*:\s*["'`]([^"'`]+)["'`]/.exec(read(path.join(dir, eleventy)))?.[1] ?? /--input[= ]["']?([^\s"']+)/.exec(read(path.join(dir, 'package.json')))?.[1] ?? '.';
    const root = input.replace(/^\.\/+/, '').replace(/\/+$/, '') || '.';
    return { generator: 'Eleventy', root, include: includes(dir, root, ['md']), exclude: root === '.' ? ['_site/**', 'node_modules/**'] : [], insertAfter: ['title'], why: found('Eleventy', `${eleventy}, input ${root}/`) };
  }
  const vitepress = ['.', 'docs', 'src'].find((d) => existsSync(path.join(dir, d, '.vitepress')));
  if (vitepress) {
    return { generator: 'VitePress', root: vitepress, include: includes(dir, vitepress, ['md']), exclude: ['.vitepress/**', 'node_modules/**'], insertAfter: ['title'], why: found('VitePress', `${vitepress === '.' ? '' : `${vitepress}/`}.vitepress/`) };
  }
  const next = configOf(dir, 'next.config');
  if (next) {
    const nextra = dependsOn(dir, 'nextra') || dependsOn(dir, 'nextra-theme-docs') || dependsOn(dir, 'nextra-theme-blog');
    const root = ['content', 'src/content', 'pages', 'src/pages', 'app', 'src/app', 'posts'].find((d) => existsSync(path.join(dir, d)) && fg.sync('**/*.{md,mdx}', { cwd: path.join(dir, d), deep: 8 }).length > 0);
    if (root) {
      const generator = nextra ? 'Nextra' : 'Next.js';
      return { generator, root, include: includes(dir, root, ['mdx', 'md']), ...titled, why: found(generator, `${next} and ${root}/`) };
    }
  }
  return undefined;
}
