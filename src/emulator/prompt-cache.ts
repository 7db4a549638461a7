import { createHash } from 'node:crypto';
import { blockText, estimateTokens, isObject, type Json } from './params.js';

/**
 * The API's prompt cache, as far as a bill shows it: a prefix that ends at a
 * block marked `cache_control` (tools first, then the system prompt) and is at
 * least the model's minimum long is written on first use (priced by its TTL)
 * and read by the requests that share it while the entry lives; each read
 * renews it. Shorter prefixes are silently not cached, as the API does. Real
 * hits inside a batch are best-effort; here every request after the first hits.
 */

/** Prefix digest → when its entry expires (ms). Kept with the emulator's data. */
export type PromptCache = Record<string, number>;

export interface CacheEffect {
  /** Tokens of the cached prefix, billed as a cache write or a cache read instead of input. */
  tokens: number;
  kind: 'write' | 'read';
  ttl: '5m' | '1h';
}

const TTL_MS = { '5m': 5 * 60_000, '1h': 60 * 60_000 } as const;

/** The shortest prefix a model caches, in tokens (Sonnet: 1,024; Haiku and Opus: 4,096). */
const minimumFor = (model: string) => (/sonnet/.test(model) ? 1024 : 4096);

const marked = (block: unknown): block is Json & { cache_control: Json } => isObject(block) && isObject(block.cache_control);

/** The cacheable prefix of a body: tools and system blocks up to the last one marked, with its TTL; undefined when nothing is marked. */
function prefixOf(params: Json): { parts: unknown[]; ttl: '5m' | '1h' } | undefined {
  const blocks = [...(Array.isArray(params.tools) ? params.tools : []), ...(Array.isArray(params.system) ? params.system : [])];
  const last = blocks.findLastIndex(marked);
  if (last < 0) return undefined;
  const control = (blocks[last] as { cache_control: Json }).cache_control;
  return { parts: blocks.slice(0, last + 1), ttl: control.ttl === '1h' ? '1h' : '5m' };
}

/** What the cache does for one request answered at `now`, recording the write or renewing the entry it reads. */
export function useCache(cache: PromptCache, params: unknown, now: number): CacheEffect | undefined {
  if (!isObject(params) || typeof params.model !== 'string') return undefined;
  const prefix = prefixOf(params);
  if (!prefix) return undefined;
  const text = prefix.parts.map((part) => (isObject(part) && part.type === 'text' ? blockText([part]) : JSON.stringify(part))).join('\n');
  const tokens = estimateTokens(text);
  if (tokens < minimumFor(params.model)) return undefined;
  const key = createHash('sha256').update(JSON.stringify([params.model, prefix.parts])).digest('hex');
  const kind = (cache[key] ?? 0) > now ? 'read' : 'write';
  cache[key] = now + TTL_MS[prefix.ttl];
  return { tokens, kind, ttl: prefix.ttl };
}
