import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { initCommand } from '../src/commands/init.js';
import { parseFrontMatter } from '../src/frontmatter/read.js';
import { runCli } from './helpers/cli.js';

const yaml = (title: string) => `---\ntitle: ${title}\ndate: 2025-01-02\n---\n\nA post about ${title.toLowerCase()}, the theme, the deploy and what we learnt on the way there.\n`;
const toml = (title: string) => `+++\ntitle = "${title}"\ndate = 2025-01-02\n+++\n\nA post about ${title.toLowerCase()}, the theme, the deploy and what we learnt on the way there.\n`;

function skeleton(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'batchmatter-site-'));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

/** Each generator's own layout: its config file, its content folder, and files that must not be taken for posts. */
const SITES: Array<{ generator: string; files: Record<string, string>; root: string; planned: string[]; format?: 'toml' }> = [
  {
    generator: 'Starlight',
    files: { 'astro.config.mjs': "import starlight from '@astrojs/starlight';\nexport default { integrations: [starlight({ title: 'Docs' })] };\n", 'src/content/docs/guides/start.mdx': yaml('Start'), 'src/content/docs/index.md': yaml('Home'), 'README.md': '# readme\n' },
    root: 'src/content/docs',
    planned: ['guides/start.mdx', 'index.md'],
  },
  {
    generator: 'Astro',
    files: { 'astro.config.ts': 'export default {};\n', 'src/content/blog/first.md': yaml('First'), 'src/content/blog/second.mdx': yaml('Second'), 'README.md': '# readme\n' },
    root: 'src/content',
    planned: ['blog/first.md', 'blog/second.mdx'],
  },
  {
    generator: 'Hugo',
    files: { 'hugo.toml': "baseURL = 'https://example.org/'\ntitle = 'Blog'\n", 'archetypes/default.md': '+++\ntitle = \'{{ replace .File.ContentBaseName "-" " " | title }}\'\ndate = {{ .Date }}\ndraft = true\n+++\n', 'content/posts/one.md': toml('One'), 'content/posts/bare.md': 'A page written without front matter about the build, the cache and the deploy.\n', 'themes/x/README.md': '# theme\n' },
    root: 'content',
    planned: ['posts/bare.md', 'posts/one.md'],
    format: 'toml',
  },
  {
    generator: 'Zola',
    files: { 'config.toml': 'base_url = "https://example.org"\ncompile_sass = false\n\n[markdown]\nhighlight_code = true\n', 'content/blog/_index.md': '+++\ntitle = "Blog"\nsort_by = "date"\n+++\n', 'content/blog/first.md': toml('First'), 'templates/index.html': '<html></html>\n' },
    root: 'content',
    planned: ['blog/first.md'],
    format: 'toml',
  },
  {
    // A content folder alone (as in a repository of docs pages): Hugo's and Zola's sections have an _index.md.
    generator: 'Hugo or Zola',
    files: { '_index.md': toml('Docs'), 'guide/_index.md': toml('Guide'), 'guide/install.md': toml('Install') },
    root: '.',
    planned: ['_index.md', 'guide/_index.md', 'guide/install.md'],
    format: 'toml',
  },
  {
    generator: 'Jekyll',
    files: { '_config.yml': 'title: Blog\ncollections: [docs]\n', '_posts/2024-01-01-hello.markdown': yaml('Hello'), '_posts/2024-02-01-again.md': yaml('Again'), '_docs/intro.md': yaml('Intro'), '_includes/note.md': 'A note.\n', 'README.md': '# readme\n', '_site/old.md': yaml('Built') },
    root: '.',
    planned: ['_docs/intro.md', '_posts/2024-01-01-hello.markdown', '_posts/2024-02-01-again.md'],
  },
  {
    generator: 'Docusaurus',
    files: { 'docusaurus.config.js': 'module.exports = {};\n', 'docs/intro.md': yaml('Intro'), 'blog/2024-01-01-welcome.mdx': yaml('Welcome'), 'README.md': '# readme\n' },
    root: '.',
    planned: ['blog/2024-01-01-welcome.mdx', 'docs/intro.md'],
  },
  {
    generator: 'Eleventy',
    files: { 'eleventy.config.js': 'export default function () { return { dir: { input: "src", output: "_site" } }; }\n', 'src/posts/first.md': yaml('First'), 'README.md': '# readme\n' },
    root: 'src',
    planned: ['posts/first.md'],
  },
  {
    generator: 'Nextra',
    files: { 'next.config.mjs': "import nextra from 'nextra';\nexport default nextra({})({});\n", 'package.json': '{ "dependencies": { "next": "15", "nextra": "4" } }\n', 'content/index.mdx': yaml('Home'), 'content/guide.mdx': yaml('Guide'), 'README.md': '# readme\n' },
    root: 'content',
    planned: ['guide.mdx', 'index.mdx'],
  },
  {
    generator: 'Next.js',
    files: { 'next.config.js': 'module.exports = {};\n', 'pages/index.tsx': 'export default () => null;\n', 'posts/hello.md': yaml('Hello'), 'README.md': '# readme\n' },
    root: 'posts',
    planned: ['hello.md'],
  },
  {
    generator: 'VitePress',
    files: { 'docs/.vitepress/config.mts': 'export default {};\n', 'docs/.vitepress/theme/notes.md': '# not a page\n', 'docs/index.md': yaml('Home'), 'docs/guide/start.md': yaml('Start'), 'README.md': '# readme\n' },
    root: 'docs',
    planned: ['guide/start.md', 'index.md'],
  },
];

describe('init recognises the site generator', () => {
  it.each(SITES)('$generator: content root, includes and front matter format from its own files; plan finds the posts only', async ({ generator, files, root, planned, format }) => {
    const dir = skeleton(files);
    const result = await initCommand(dir, false);
    expect(result.data).toMatchObject({ root, generator });
    expect(result.data.frontMatterFormat).toBe(format);
    expect(result.text).toContain(`found for a ${generator} site`);
    const config = readFileSync(path.join(dir, 'batch.config.ts'), 'utf8');
    expect(config).toContain(`// found by init: a ${generator} site`);
    expect(config).toContain(`root: '${root}',`);
    expect(readFileSync(path.join(dir, '.gitignore'), 'utf8')).toMatch(/^\.batchmatter\/$/m);

    const plan = await runCli(['plan', '--offline', '--json'], dir);
    expect(plan.code, plan.stderr + plan.stdout).toBe(0);
    expect(JSON.parse(plan.stdout).requests.map((r: { file: string }) => r.file).sort()).toEqual(planned);
  });

  it('a Hugo site that writes TOML gets a TOML block where a page has none, under the title elsewhere', async () => {
    const site = SITES.find((s) => s.generator === 'Hugo')!;
    const dir = skeleton({ ...site.files, 'content/posts/yaml.md': yaml('Yaml') });
    await initCommand(dir, false);
    expect(readFileSync(path.join(dir, 'batch.config.ts'), 'utf8')).toMatch(/frontMatterFormat: 'toml',[\s\S]*insertAfter: \['title', 'date'\],/);
    const run = await runCli(['run', '--offline', '--apply'], dir);
    expect(run.code, run.stderr + run.stdout).toBe(0);
    const bare = readFileSync(path.join(dir, 'content/posts/bare.md'), 'utf8');
    expect(bare).toMatch(/^\+\+\+\ndescription = ".+"\n\+\+\+\n/);
    expect(bare.endsWith(site.files['content/posts/bare.md']!)).toBe(true);
    // Existing blocks keep their own format: YAML stays YAML, with the field under the title.
    const yamlPost = readFileSync(path.join(dir, 'content/posts/yaml.md'), 'utf8');
    expect(yamlPost).toMatch(/^---\ntitle: Yaml\ndescription: .+\ndate: 2025-01-02\n---\n/);
    expect(typeof parseFrontMatter(readFileSync(path.join(dir, 'content/posts/one.md'), 'utf8')).data.description).toBe('string');
  });

  it('without a generator, a usual content folder, else the project folder with what to edit', async () => {
    const plain = skeleton({ 'blog/a.md': yaml('A') });
    expect((await initCommand(plain, false)).data).toMatchObject({ root: 'blog', generator: null });
    const bare = skeleton({ 'notes.txt': 'x' });
    const result = await initCommand(bare, false);
    expect(result.data).toMatchObject({ root: '.', generator: null });
    expect(result.text).toContain('set content.root to the folder of your posts');
    expect(readFileSync(path.join(bare, 'batch.config.ts'), 'utf8')).toContain('init found no site generator');
  });
});
