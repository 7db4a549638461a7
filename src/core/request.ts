import path from 'node:path';
import type { Tool } from '@anthropic-ai/sdk/resources/messages';
import type { Task } from './task.js';
import { estimateTokens } from './cost.js';
import { imageBlock, type PreparedImage } from './images.js';
import { languageVars, type PageLanguage } from './locale.js';

import type { RequestParams } from './planned.js';

export type { RequestParams };

/** The shortest prefix the model caches (shorter ones are silently not cached). */
export function minCacheableTokens(model: string): number {
  return /sonnet/.test(model) ? 1024 : 4096;
}

/** Name of the forced tool for JSON tasks. */
export function toolName(task: Task): string {
  return `record_${task.name.replace(/-/g, '_')}`;
}

/** `posts/2024/hello.md` → `hello`; `docs/setup/index.mdx` → `setup`. */
export function slugOf(rel: string): string {
  const base = path.posix.basename(rel).replace(/\.[^.]+$/, '');
  if (base === 'index' || base === 'README') return path.posix.basename(path.posix.dirname(rel)) || base;
  return base;
}

export interface TemplateVars {
  data: Record<string, unknown>;
  excerpt: string;
  path: string;
  /** Validated answers of the tasks this one depends on, by task name. */
  tasks?: Record<string, unknown>;
  /** The page's language, for a task that reads it (see core/language.ts). */
  language?: PageLanguage | undefined;
  /** The same page in the default locale: its answers by field name, for a task that reads `{{source.…}}`. */
  source?: Record<string, unknown>;
}

/** Builds the variables a template sees: front matter keys at top level and under `data`, plus ours. */
export function templateVars(task: Task, vars: TemplateVars): Record<string, unknown> {
  const { type: _type, ...limits } = task.config.output as Record<string, unknown>;
  return {
    ...vars.data,
    data: vars.data,
    excerpt: vars.excerpt,
    path: vars.path,
    slug: slugOf(vars.path),
    task: task.name,
    field: task.config.field,
    output: limits,
    tasks: vars.tasks ?? {},
    ...(task.language ? { ...languageVars(vars.language), ...(task.language.readsSource ? { source: vars.source ?? {} } : {}) } : {}),
  };
}

/** A retried request after an answer failed validation: what was answered and why it was refused. */
export interface Feedback {
  answer: string;
  reason: string;
}

/** Pure: the Messages API body for one file of one task. */
/** `maxTokens`: a retry's own (more room after a cut-off answer); the task's otherwise. `images` go before the prompt, as the API advises. */
export function buildParams(task: Task, vars: Record<string, unknown>, feedback?: Feedback, maxTokens = task.maxTokens, images: readonly PreparedImage[] = []): RequestParams {
  let prompt = task.render(vars).trim();
  if (feedback) {
    // Re-ask: the same prompt, plus the refused answer and the rule it broke.
    prompt += `\n\nA previous answer to this request was refused.\n<previous_answer>\n${feedback.answer}\n</previous_answer>\nWhy it was refused: ${feedback.reason}.\nAnswer again, following every rule above.`;
  }
  const params: RequestParams = {
    model: task.model,
    max_tokens: maxTokens,
    messages: [{ role: 'user', content: images.length ? [...images.map(imageBlock), { type: 'text', text: prompt }] : prompt }],
  };
  if (task.schema) {
    const name = toolName(task);
    params.tools = [
      {
        name,
        description: `Record the ${task.config.field} for this file.`,
        input_schema: task.schema.jsonSchema as Tool.InputSchema,
      },
    ];
    params.tool_choice = { type: 'tool', name };
  }
  if (task.system) {
    const system = task.system(vars).trim();
    // Marked for the cache when every request of the task sends the same one (it reads nothing of the file) and
    // the cached prefix, tools and then the system prompt, is long enough for the model: reads then cost a tenth
    // of input (the batch discount stacks). Otherwise each request would pay a cache write (2x input) for nothing.
    const prefix = estimateTokens(system) + (params.tools ? estimateTokens(JSON.stringify(params.tools)) : 0);
    params.system = task.systemShared && prefix >= minCacheableTokens(task.model) ? [{ type: 'text', text: system, cache_control: { type: 'ephemeral', ttl: '1h' } }] : system;
  }
  return params;
}
