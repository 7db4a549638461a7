import type { ModelInfo, ModelLine } from '@anthropic-ai/sdk/resources/models';
import { KNOWN_MODELS, resolveModel } from '../core/models.js';
import { HttpError } from './http.js';
import { isObject } from './params.js';

/** The date in a dated snapshot id: claude-haiku-4-5-20251001 → 2025-10-01. */
const SNAPSHOT_DATE = /-(\d{4})(\d{2})(\d{2})$/;
const dateOf = (id: string) => SNAPSHOT_DATE.exec(id)?.slice(1).join('-');

/**
 * The API shows each model's release time; for an id without a date the
 * emulator knows none and shows the newest known one, so created_at never
 * rises down the newest-first list.
 */
const NEWEST_KNOWN_DATE = KNOWN_MODELS.map((m) => dateOf(m.id)).find((d) => d !== undefined)!;

function info(id: string, displayName: string): ModelInfo {
  const line = /^claude-(haiku|sonnet|opus)-/.exec(id)?.[1] as ModelLine | undefined;
  return {
    type: 'model',
    id,
    display_name: displayName,
    created_at: `${dateOf(id) ?? NEWEST_KNOWN_DATE}T00:00:00Z`,
    line: line ?? null,
    lifecycle: 'active',
    capabilities: null,
    max_input_tokens: null,
    max_tokens: null,
    deprecated_at: null,
    retires_at: null,
  };
}

/** Every model, newest first: the user's extra names batchmatter does not know (taken as newer), then the known ones. */
export function listModels(extra: readonly string[]): ModelInfo[] {
  const unknown = [...new Set(extra)].filter((name) => resolveModel(name) === undefined);
  return [...unknown.map((name) => info(name, name)), ...KNOWN_MODELS.map((m) => info(m.id, m.displayName))];
}

const notFound = (name: string) => new HttpError(404, 'not_found_error', `model: ${name}`);

/** The model an id or alias resolves to; 404 not_found_error for any other name, as the API answers. */
export function findModel(name: string, extra: readonly string[]): ModelInfo {
  const id = resolveModel(name, extra);
  const model = id === undefined ? undefined : listModels(extra).find((m) => m.id === id);
  if (!model) throw notFound(name);
  return model;
}

/** The API's refusal of a Messages body that names a model it does not know (a missing model is paramsProblem's). */
export function unknownModel(params: unknown, extra: readonly string[]): HttpError | undefined {
  const model = isObject(params) ? params.model : undefined;
  return typeof model === 'string' && model !== '' && resolveModel(model, extra) === undefined ? notFound(model) : undefined;
}
