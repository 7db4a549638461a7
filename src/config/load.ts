import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ConfigError, UserError } from '../errors.js';
import { parseFieldPath } from '../frontmatter/field-path.js';
import { digest } from '../core/hash.js';
import { projectTag } from '../core/custom-id.js';
import { compileTemplate, sameForEveryFile, templateProblems, templateVariables, TemplateError, type RenderFn } from '../core/template.js';
import type { ResolvedConfig, TaskConfig } from './schema.js';
import type { Task } from '../core/task.js';
import type { CompiledSchema } from '../core/output-schema.js';
import type { TaskLanguage } from '../core/task.js';
import { identifier } from '../core/identify.js';
import { validateConfig } from './validate.js';

export const CONFIG_NAMES = ['batch.config.ts', 'batch.config.mts', 'batch.config.js', 'batch.config.mjs'];

export type { Task } from '../core/task.js';

export interface Project {
  configFile: string;
  dir: string;
  config: ResolvedConfig;
  contentRoot: string;
  statePath: string;
  /** Names this project in its custom_ids (see core/custom-id.ts). */
  tag: string;
  tasks: Task[];
}

/**
 * The config file: `--config`, else the first of CONFIG_NAMES in `cwd` or the
 * folders above it, up to the repository's root (the folder with `.git`), so
 * a command run in a subfolder of the site finds the site's config.
 */
export function findConfig(cwd: string, explicit?: string): string {
  if (!statSync(cwd, { throwIfNoEntry: false })?.isDirectory()) throw new UserError(`--cwd: ${cwd} is not a folder`);
  if (explicit) {
    const file = path.resolve(cwd, explicit);
    const found = statSync(file, { throwIfNoEntry: false });
    if (!found) throw new UserError(`config file not found: ${file}`);
    if (found.isDirectory()) throw new UserError(`--config: ${file} is a folder; name the config file in it`);
    return file;
  }
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    for (const name of CONFIG_NAMES) {
      const file = path.join(dir, name);
      if (existsSync(file)) return file;
    }
    if (existsSync(path.join(dir, '.git')) || path.dirname(dir) === dir) break;
  }
  throw new UserError(`no ${CONFIG_NAMES[0]} in ${cwd} or the folders above it; run "batchmatter init" to create one, or pass --config`);
}

/** The package's own entry, so `import { defineConfig } from 'batchmatter'` works without installing it twice. */
const selfEntry = ['../index.js', '../index.ts'].map((p) => fileURLToPath(new URL(p, import.meta.url))).find((f) => existsSync(f));

/*
 * Node's own loader reads a JavaScript config, and a TypeScript one where Node
 * strips types (22.18+, 23.6+): ~0.1 s sooner than loading jiti, on every run.
 * jiti (loaded only then) reads the rest: TypeScript on older Node, syntax
 * type stripping leaves out (enums), ESM syntax in a CommonJS package on old
 * Node, and `from 'batchmatter'` where the package is not installed beside the
 * config, which jiti resolves to this copy.
 */
const JS = new Set(['.js', '.mjs', '.cjs']);
const TS = new Set(['.ts', '.mts', '.cts']);
const JITI_READS = new Set(['ERR_MODULE_NOT_FOUND', 'ERR_UNKNOWN_FILE_EXTENSION', 'ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX', 'ERR_INVALID_TYPESCRIPT_SYNTAX', 'ERR_UNSUPPORTED_NODE_MODULES_TYPE_STRIPPING', 'ERR_REQUIRE_ESM']);

function nodeReads(file: string): boolean {
  const ext = path.extname(file);
  return JS.has(ext) || (TS.has(ext) && Boolean((process.features as { typescript?: unknown }).typescript));
}

async function importModule(file: string): Promise<Record<string, unknown>> {
  try {
    if (nodeReads(file)) {
      try {
        return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
      } catch (error) {
        if (!(error instanceof SyntaxError || JITI_READS.has((error as NodeJS.ErrnoException | null)?.code ?? ''))) throw error;
      }
    }
    const { createJiti } = await import('jiti');
    const jiti = createJiti(import.meta.url, { alias: selfEntry ? { batchmatter: selfEntry } : {}, moduleCache: false, fsCache: false });
    return await jiti.import<Record<string, unknown>>(file);
  } catch (error) {
    // The first lines: a syntax error's position (file:line:col) is on the second.
    const lines = (error instanceof Error ? error.message : String(error)).split('\n').map((l) => l.trim()).filter(Boolean);
    throw new ConfigError(file, [`could not load: ${lines.slice(0, 3).join(' ') || String(error)}`]);
  }
}

/** The config a file exports by default; a file without one, or exporting nothing usable, is a config error saying so. */
async function importConfig(file: string): Promise<unknown> {
  const module = await importModule(file);
  if (!('default' in module)) throw new ConfigError(file, ['no default export: write export default defineConfig({ … }) (or export default { … })']);
  if (module.default === null || module.default === undefined) throw new ConfigError(file, [`the default export is ${String(module.default)}, not a config object`]);
  return module.default;
}

function readTemplate(dir: string, file: string, key: string, errors: string[], task: TaskConfig): { render: RenderFn; source: string } | undefined {
  const full = path.resolve(dir, file);
  let source: string;
  try {
    source = readFileSync(full, 'utf8');
  } catch {
    errors.push(`${key}: template file not found: ${path.relative(dir, full) || full}`);
    return undefined;
  }
  try {
    const render = compileTemplate(source, path.relative(dir, full));
    const { type: _type, ...output } = task.output as Record<string, unknown>;
    const problems = templateProblems(source, { output, tasks: task.dependsOn });
    for (const problem of problems) errors.push(`${key}: template ${path.relative(dir, full)} ${problem}`);
    return problems.length ? undefined : { render, source };
  } catch (error) {
    errors.push(`${key}: ${error instanceof TemplateError ? error.message : String(error)}`);
    return undefined;
  }
}

/** What `Task.fingerprint` digests; RegExps count by their source, a zod schema by its JSON Schema. */
export function taskFingerprint(parts: { name: string; config: TaskConfig; model: string; maxTokens: number; template: string; system?: string | undefined; schema?: CompiledSchema | undefined; i18n?: unknown }): string {
  const { config, schema, ...rest } = parts;
  const output = config.output.type === 'json' ? { type: 'json', schema: schema?.jsonSchema ?? null } : config.output;
  const json = JSON.stringify({ ...rest, field: config.field, excerpt: config.excerpt, output, version: REQUEST_FORMAT }, (_key, value: unknown) => (value instanceof RegExp ? String(value) : value));
  return digest(json);
}

/** Bump when the way requests are built changes, so remembered request digests are not trusted across it. */
const REQUEST_FORMAT = 1;

/** The variables that show a page's language (see core/language.ts languageVars) or its source page's answers. */
const LANGUAGE_VARIABLES = ['lang', 'languageName', 'languageNativeName', 'nonEnglish', 'source'];

/** What a task needs to know each page's language, when its prompt shows it or its rules check it. */
function taskLanguage(read: ReadonlySet<string>, task: TaskConfig, config: ResolvedConfig): TaskLanguage | undefined {
  if (!LANGUAGE_VARIABLES.some((name) => read.has(name)) && !(task.output.type === 'text' && task.output.language)) return undefined;
  return { i18n: config.i18n ?? {}, identifier, readsSource: read.has('source') };
}

export async function loadProject(cwd: string, explicit?: string): Promise<Project> {
  const configFile = findConfig(cwd, explicit);
  const dir = path.dirname(configFile);
  const { config, errors } = validateConfig(await importConfig(configFile));
  if (!config) throw new ConfigError(configFile, errors);

  const tasks: Task[] = [];
  const problems: string[] = [];
  for (const [name, taskConfig] of Object.entries(config.tasks)) {
    const key = `tasks.${name}`;
    const template = readTemplate(dir, taskConfig.template, `${key}.template`, problems, taskConfig);
    const system = taskConfig.system ? readTemplate(dir, taskConfig.system, `${key}.system`, problems, taskConfig) : undefined;
    let schema: CompiledSchema | undefined;
    if (taskConfig.output.type === 'json') {
      try {
        // Loaded for JSON tasks only: the JSON Schema validator is a fifth of the CLI's code.
        const { compileOutputSchema } = await import('../core/output-schema.js');
        schema = compileOutputSchema(taskConfig.output.schema);
      } catch (error) {
        problems.push(`${key}.output.schema: ${(error as Error).message}`);
      }
    }
    if (!template) continue;
    const model = taskConfig.model ?? config.model;
    const maxTokens = taskConfig.maxTokens ?? config.maxTokens;
    const read = new Set([...templateVariables(template.source), ...(system ? templateVariables(system.source) : [])]);
    const language = taskLanguage(read, taskConfig, config);
    if (language?.readsSource && !config.i18n?.defaultLocale) problems.push(`${key}.template: reads {{source.…}}, the same page in the default locale; set i18n.defaultLocale (and i18n.locales) to say which that is`);
    tasks.push({
      name,
      config: taskConfig,
      fieldPath: parseFieldPath(taskConfig.field),
      model,
      maxTokens,
      include: taskConfig.include ?? config.content.include,
      render: template.render,
      ...(system ? { system: system.render } : {}),
      readsExcerpt: templateVariables(template.source).has('excerpt') || (system !== undefined && templateVariables(system.source).has('excerpt')),
      ...(system ? { systemShared: sameForEveryFile(system.source) } : {}),
      ...(schema ? { schema } : {}),
      ...(language ? { language } : {}),
      fingerprint: taskFingerprint({ name, config: taskConfig, model, maxTokens, template: template.source, system: system?.source, schema, ...(language ? { i18n: config.i18n ?? {} } : {}) }),
    });
  }
  if (problems.length) throw new ConfigError(configFile, problems);

  return {
    configFile,
    dir,
    config,
    contentRoot: path.resolve(dir, config.content.root),
    statePath: path.resolve(dir, config.state),
    tag: projectTag(path.relative(dir, path.resolve(dir, config.content.root)).split(path.sep).join('/'), path.relative(dir, path.resolve(dir, config.state)).split(path.sep).join('/')),
    tasks,
  };
}
