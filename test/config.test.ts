import { describe, expect, it } from 'vitest';
import { loadProject } from '../src/config/load.js';
import { validateConfig } from '../src/config/validate.js';
import { ConfigError } from '../src/errors.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from './helpers/cli.js';
import { testdir } from './helpers/testdir.js';

const task = { field: 'description', template: 't.hbs', output: { type: 'text', maxLength: 160 } };

describe('validateConfig', () => {
  it('fills defaults', () => {
    const { config, errors } = validateConfig({ tasks: { description: task } });
    expect(errors).toEqual([]);
    expect(config?.state).toBe('.batchmatter/state.json');
    expect(config?.model).toBe('claude-haiku-4-5');
    expect(config?.batch).toEqual({ maxRequests: 2000, pollInterval: 30_000, maxRetries: 2, syncBelow: 10, syncConcurrency: 4, stallTimeout: 120_000, lostCreateWindow: 600_000, answeredCreateWindow: 15_000 });
    expect(config?.tasks.description?.when).toBe('missing');
    expect(config?.tasks.description?.excerpt.maxChars).toBe(1000);
  });

  it('names the path of a misspelled key', () => {
    const { errors } = validateConfig({ tasks: { description: { ...task, feild: 'x' } } });
    expect(errors).toContain('tasks.description.feild: unknown key');
  });

  it('says what a task name, a glob list and a size must be', () => {
    expect(validateConfig({ tasks: { 'my task': task } }).errors).toEqual(['tasks.my task: task names are letters, digits, _ and -']);
    expect(validateConfig({ content: { include: 5 }, tasks: { d: task } }).errors).toEqual(['content.include: expected a glob like "posts/**/*.md", or a list of them']);
    expect(validateConfig({ content: { include: [] }, tasks: { d: task } }).errors).toEqual(['content.include: name at least one glob; without any, nothing is scanned']);
    expect(validateConfig({ content: { maxFileSize: '0MB' }, tasks: { d: task } }).errors).toEqual(['content.maxFileSize: expected a size above zero, got "0MB"']);
  });

  it('names the path of a bad value', () => {
    const { errors } = validateConfig({ batch: { maxRequests: 200_000 }, tasks: { description: task } });
    expect(errors.join('\n')).toMatch(/^batch\.maxRequests: /m);
  });

  it('drops a leading ./ from globs, which would otherwise come back in every path', () => {
    const { config } = validateConfig({ content: { include: './posts/**/*.md', exclude: ['./drafts/**'] }, tasks: { d: { ...task, include: ['././posts/*.md'] } } });
    expect(config?.content.include).toEqual(['posts/**/*.md']);
    expect(config?.content.exclude).toEqual(['drafts/**']);
    expect(config?.tasks.d?.include).toEqual(['posts/*.md']);
  });

  it('parses durations', () => {
    expect(validateConfig({ batch: { pollInterval: '2m' }, tasks: { d: task } }).config?.batch.pollInterval).toBe(120_000);
    expect(validateConfig({ batch: { pollInterval: 45 }, tasks: { d: task } }).config?.batch.pollInterval).toBe(45_000);
    expect(validateConfig({ batch: { pollInterval: 'soon' }, tasks: { d: task } }).errors[0]).toMatch(/^batch\.pollInterval: expected a duration/);
  });

  it('rejects a bad field path and minLength over maxLength', () => {
    expect(validateConfig({ tasks: { d: { ...task, field: 'seo..description' } } }).errors[0]).toMatch(/^tasks\.d\.field: /);
    expect(validateConfig({ tasks: { d: { ...task, output: { type: 'text', minLength: 10, maxLength: 5 } } } }).errors).toEqual([
      'tasks.d.output.minLength: must not exceed maxLength (5)',
    ]);
  });

  it('rejects dependsOn naming no task, and tasks that depend on each other in a circle', () => {
    expect(validateConfig({ tasks: { d: { ...task, dependsOn: ['nope'] } } }).errors).toEqual(['tasks.d.dependsOn[0]: no task named "nope"']);
    expect(validateConfig({ tasks: { a: { ...task, dependsOn: ['b'] }, b: { ...task, dependsOn: ['c'] }, c: { ...task, dependsOn: ['a'] } } }).errors).toEqual([
      'tasks.a.dependsOn: tasks depend on each other in a circle: a → b → c → a',
    ]);
    expect(validateConfig({ tasks: { a: { ...task }, b: { ...task, dependsOn: ['a'] } } }).errors).toEqual([]);
  });
});

describe('loadProject', () => {
  it('loads a TypeScript config importing batchmatter, with zod schemas', async () => {
    const dir = testdir({
      'batch.config.ts': `import { defineConfig, z } from 'batchmatter';
export default defineConfig({
  content: { root: 'content' },
  tasks: {
    sentiment: { field: 'analysis', template: 't.hbs', output: { type: 'json', schema: z.object({ mood: z.enum(['up', 'down']) }) } },
  },
});`,
      't.hbs': 'Review: {{excerpt}}',
    });
    const project = await loadProject(dir);
    expect(project.contentRoot).toBe(`${dir}/content`);
    const [sentiment] = project.tasks;
    expect(sentiment?.schema?.jsonSchema).toMatchObject({ type: 'object', properties: { mood: { enum: ['up', 'down'] } } });
    expect(sentiment?.schema?.check({ mood: 'sideways' })).toHaveLength(1);
    expect(sentiment?.schema?.check({ mood: 'up' })).toEqual([]);
  });

  it('loads a plain export default object and a JSON Schema', async () => {
    const dir = testdir({
      'batch.config.mjs': `export default { tasks: { s: { field: 'a', template: 't.hbs', output: { type: 'json', schema: { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] } } } } };`,
      't.hbs': 'x',
    });
    const project = await loadProject(dir);
    expect(project.tasks[0]?.schema?.check({ n: 'one' })).toEqual(['n: must be integer']);
  });

  it('reports what in a template fails for every file alike once, as a config error: helpers, partials, unset limits, undeclared tasks, syntax', async () => {
    const site = (template: string, task = '') =>
      testdir({ 'batch.config.mjs': `export default { tasks: { d: { field: 'd', template: 't.hbs', output: { type: 'text' }${task} }, o: { field: 'o', template: 'o.hbs', output: { type: 'text' } } } };`, 't.hbs': template, 'o.hbs': 'x' });
    await expect(loadProject(site('About {{shout title}}'))).rejects.toThrow(/tasks\.d\.template: template t\.hbs uses the helper "shout"; only Handlebars' own \(if, unless, each, with, lookup, log\) are available/);
    await expect(loadProject(site('{{> header}}'))).rejects.toThrow(/uses a partial/);
    await expect(loadProject(site('At most {{output.maxLength}}.'))).rejects.toThrow(/uses \{\{output\.maxLength\}\}, but the task's output sets no maxLength/);
    await expect(loadProject(site('After {{tasks.o}}.'))).rejects.toThrow(/uses \{\{tasks\.o\}\}, but the task does not depend on o \(dependsOn\)/);
    await expect(loadProject(site('Describe {{title}'))).rejects.toThrow(/tasks\.d\.template: template t\.hbs: syntax error on line 1 \(Describe \{\{title\}\): a \{\{ is closed with a single \}: write \}\}$/m);
    // What each file may or may not have stays a per-file matter; built-in helpers and item names inside each are fine.
    const fine = await loadProject(site('{{#if draft}}d{{/if}}{{#each tags}}{{this}} {{name}}{{/each}} {{lookup data "title"}} {{tasks.o}} {{output.singleLine}}', ", dependsOn: ['o']"));
    expect(fine.tasks).toHaveLength(2);
  });

  it('refuses an output schema that does not describe an object, zod or JSON Schema, before anything is paid for', async () => {
    const zod = testdir({
      'batch.config.mjs': `import { z } from 'zod';\nexport default { tasks: { s: { field: 'a', template: 't.hbs', output: { type: 'json', schema: z.array(z.string()) } } } };`,
      't.hbs': 'x',
    });
    await expect(loadProject(zod)).rejects.toThrow(/tasks\.s\.output\.schema: the schema must describe an object \(z\.object\(\{ … \}\)\)/);
    const json = testdir({ 'batch.config.mjs': `export default { tasks: { s: { field: 'a', template: 't.hbs', output: { type: 'json', schema: { type: 'string' } } } } };`, 't.hbs': 'x' });
    await expect(loadProject(json)).rejects.toThrow(/tasks\.s\.output\.schema: a JSON Schema for a tool must have type "object"/);
  });

  it('reports a missing template and a broken config as ConfigError', async () => {
    const dir = testdir({ 'batch.config.ts': `export default { tasks: { d: { field: 'd', template: 'nope.hbs', output: { type: 'text' } } } };` });
    await expect(loadProject(dir)).rejects.toThrow(ConfigError);
    await expect(loadProject(dir)).rejects.toThrow(/tasks\.d\.template: template file not found: nope\.hbs/);
    const broken = testdir({ 'batch.config.ts': 'export default {' });
    await expect(loadProject(broken)).rejects.toThrow(/could not load/);
  });

  it('says what is wrong with a config that exports no config, does not parse, or is a folder; finds one in a folder above', async () => {
    const body = `{ tasks: { d: { field: 'd', template: 't.hbs', output: { type: 'text' } } } }`;
    const named = testdir({ 'batch.config.mjs': `export const tasks = ${body}.tasks;`, 't.hbs': 'x' });
    await expect(loadProject(named)).rejects.toThrow(/no default export: write export default defineConfig/);
    await expect(loadProject(testdir({ 'batch.config.mjs': 'export default null;' }))).rejects.toThrow(/the default export is null, not a config object/);
    const syntax = testdir({ 'batch.config.ts': 'export default {\n  tasks: {\n' });
    await expect(loadProject(syntax)).rejects.toThrow(new RegExp(`could not load: .*${path.join(syntax, 'batch.config.ts').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:0`));
    await expect(loadProject(testdir({ 'batch.config.mjs': 'throw null;' }))).rejects.toThrow(/could not load: null/);
    const folder = testdir({ 'conf/x': '' });
    await expect(loadProject(folder, 'conf')).rejects.toThrow(/--config: .*conf is a folder; name the config file in it/);
    await expect(loadProject(path.join(folder, 'missing'))).rejects.toThrow(/--cwd: .*missing is not a folder/);
    // From a folder inside the site, up to the repository's root.
    const site = testdir({ 'batch.config.mjs': `export default ${body};`, 't.hbs': 'x', 'content/posts/a.md': '', '.git/HEAD': '' });
    expect((await loadProject(path.join(site, 'content/posts'))).configFile).toBe(path.join(site, 'batch.config.mjs'));
    const repo = testdir({ '.git/HEAD': '', 'sub/x': '' });
    await expect(loadProject(path.join(repo, 'sub'))).rejects.toThrow(/no batch\.config\.ts in .*sub or the folders above it/);
  });

  // The built CLI under plain Node: Node's own loader first, jiti for what it cannot read.
  it('loads JavaScript configs with Node, and falls back to jiti for what Node cannot read', async () => {
    const config = (body: string) => `${body}\nexport default { content: { root: 'content' }, tasks: { d: { field: 'd', template: 't.hbs', output: { type: 'text' } } } };\n`;
    const site = (files: Record<string, string>) => testdir({ ...files, 't.hbs': 'x', 'content/a.md': '---\ntitle: A\n---\nBody.\n' });
    // Node itself: the config counts its evaluations.
    const plain = site({ 'batch.config.mjs': config(`import { appendFileSync } from 'node:fs';\nappendFileSync(new URL('./evaluated', import.meta.url), 'x');`) });
    expect((await runCli(['plan', '--offline'], plain)).code).toBe(0);
    expect(readFileSync(path.join(plain, 'evaluated'), 'utf8')).toBe('x');
    // `batchmatter` is not installed in the site: jiti resolves it to this package.
    const imports = site({ 'batch.config.mjs': config(`import { defineConfig } from 'batchmatter';\nif (typeof defineConfig !== 'function') throw new Error('no defineConfig');`) });
    expect((await runCli(['plan', '--offline'], imports)).code).toBe(0);
    // ESM syntax in a .js file of a CommonJS package.
    const esmInCjs = site({ 'package.json': '{"type":"commonjs"}', 'batch.config.js': config('') });
    expect((await runCli(['plan', '--offline'], esmInCjs)).code).toBe(0);
    // A config that throws is reported once, as a config error, and ran once.
    const throws = site({ 'batch.config.mjs': config(`import { appendFileSync } from 'node:fs';\nappendFileSync(new URL('./evaluated', import.meta.url), 'x');\nthrow new Error('set SITE_URL first');`) });
    const failed = await runCli(['plan', '--offline'], throws);
    expect(failed.code).toBe(2);
    expect(failed.stderr).toContain('could not load: set SITE_URL first');
    expect(failed.stderr).not.toMatch(/\bat .*:\d+:\d+/);
    expect(readFileSync(path.join(throws, 'evaluated'), 'utf8')).toBe('x');
  });
});
