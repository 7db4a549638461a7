import type { z } from 'zod';
import { configSchema, type ResolvedConfig } from './schema.js';
import { languageTag } from '../core/locale.js';

export interface ConfigValidation {
  config?: ResolvedConfig;
  /** `path: message` lines. */
  errors: string[];
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => {
    if (typeof key === 'number') return `${out}[${key}]`;
    return out ? `${out}.${String(key)}` : String(key);
  }, '');
}

function formatIssue(issue: z.core.$ZodIssue): string {
  const path = formatPath(issue.path) || '(config)';
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => `${path === '(config)' ? key : `${path}.${key}`}: unknown key`).join('\n');
  }
  // A bad record key (a task name): zod's own words are "Invalid key in record"; the key's rule says more.
  if (issue.code === 'invalid_key') return `${path}: ${issue.issues.map((i) => i.message).join('; ') || issue.message}`;
  return `${path}: ${issue.message}`;
}

/** Pure: validate a loaded config object. The loader only reads and calls this. */
export function validateConfig(input: unknown): ConfigValidation {
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    return { errors: parsed.error.issues.flatMap((issue) => formatIssue(issue).split('\n')) };
  }
  const errors: string[] = [];
  const config = parsed.data;
  if (Object.keys(config.tasks).length === 0) errors.push('tasks: define at least one task');
  for (const [name, task] of Object.entries(config.tasks)) {
    const out = task.output;
    if (out.type === 'text' && out.minLength !== undefined && out.maxLength !== undefined && out.minLength > out.maxLength) {
      errors.push(`tasks.${name}.output.minLength: must not exceed maxLength (${out.maxLength})`);
    }
    if (out.type === 'text' && out.language !== undefined && out.language !== 'page' && !languageTag(out.language)) {
      errors.push(`tasks.${name}.output.language: expected "page" or a language code such as "fr" or "pt-BR", got "${out.language}"`);
    }
  }
  const fallback = config.i18n?.defaultLocale;
  if (fallback !== undefined && !languageTag(fallback)) errors.push(`i18n.defaultLocale: expected a language code such as "en" or "pt-BR", got "${fallback}"`);
  return errors.length ? { errors } : { config, errors };
}
