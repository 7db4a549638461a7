import { nearest } from './words.js';

/**
 * The Claude models batchmatter knows, as the Models API names them, and the
 * lookups on them: what a name resolves to, and which known name a near miss
 * was meant to be (`claude-haiku-4.5` → `claude-haiku-4-5`).
 */

export interface KnownModel {
  /** The name users write: `claude-haiku-4-5`. */
  alias: string;
  /** What the alias resolves to: its dated snapshot where one is known, else the alias itself. */
  id: string;
  /** As the Models API shows it. */
  displayName: string;
}

/** Newest first, the Models API's order. Only dates that are known: an id without one is its alias. */
export const KNOWN_MODELS: readonly KnownModel[] = [
  { alias: 'claude-opus-4-8', id: 'claude-opus-4-8', displayName: 'Claude Opus 4.8' },
  { alias: 'claude-opus-4-7', id: 'claude-opus-4-7', displayName: 'Claude Opus 4.7' },
  { alias: 'claude-sonnet-4-6', id: 'claude-sonnet-4-6', displayName: 'Claude Sonnet 4.6' },
  { alias: 'claude-opus-4-6', id: 'claude-opus-4-6', displayName: 'Claude Opus 4.6' },
  { alias: 'claude-opus-4-5', id: 'claude-opus-4-5-20251101', displayName: 'Claude Opus 4.5' },
  { alias: 'claude-haiku-4-5', id: 'claude-haiku-4-5-20251001', displayName: 'Claude Haiku 4.5' },
  { alias: 'claude-sonnet-4-5', id: 'claude-sonnet-4-5-20250929', displayName: 'Claude Sonnet 4.5' },
];

/**
 * The id a model name resolves to: an alias → its id, a known id → itself, a
 * name in `extra` (models the user priced themselves) → itself. Exact names
 * only, as the API matches them; undefined when unknown.
 */
export function resolveModel(name: string, extra: readonly string[] = []): string | undefined {
  const known = KNOWN_MODELS.find((m) => m.alias === name || m.id === name);
  if (known) return known.id;
  return extra.includes(name) ? name : undefined;
}

/** Every name that resolves: each alias, each id that differs from it, then `extra`. */
export function knownModelNames(extra: readonly string[] = []): string[] {
  return [...new Set([...KNOWN_MODELS.flatMap((m) => [m.alias, m.id]), ...extra])];
}

/** Edits a near miss may be from what was meant: a typo, a dropped or doubled character. */
const MAX_DISTANCE = 2;

/** Case and separators are how model names are most often mistyped: `Claude Haiku 4.5` reads as `claude-haiku-4-5`. */
const normalise = (name: string) => name.trim().toLowerCase().replace(/[\s._-]+/g, '-');

/**
 * The candidate a near-miss model name was meant to be (`claude-haiku-4.5`,
 * `Claude-Haiku-4-5`, `claude-haku-4-5`, `haiku-4-5` → `claude-haiku-4-5`):
 * the nearest after normalising case and separators, within a small edit
 * distance; the first in `candidates` on a tie. Undefined when nothing is
 * close, or when `name` is itself a candidate (nothing to correct).
 */
export function suggestModel(name: string, candidates: readonly string[] = knownModelNames()): string | undefined {
  if (candidates.includes(name)) return undefined;
  const wanted = normalise(name);
  return nearest(wanted.startsWith('claude-') ? [wanted] : [wanted, `claude-${wanted}`], candidates, MAX_DISTANCE, normalise);
}
