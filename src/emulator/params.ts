/** Reading a Messages API body as untrusted JSON: its texts, its size in tokens, and what the API would reject. */
import { imagesProblem, imageTokens } from './images.js';

export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Text of a `content`/`system` value: a string or an array of blocks, of which only text blocks count. */
export function blockText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((block) => (isObject(block) && block.type === 'text' && typeof block.text === 'string' ? block.text : ''))
    .filter(Boolean)
    .join('\n');
}

function messages(params: unknown): Json[] {
  return isObject(params) && Array.isArray(params.messages) ? params.messages.filter(isObject) : [];
}

/** Every user message's text; fault markers are looked for here. */
export function userText(params: unknown): string {
  return messages(params)
    .filter((m) => m.role === 'user')
    .map((m) => blockText(m.content))
    .join('\n');
}

/** The prompt the model answers: batchmatter's templates put the work in the last user message. */
export function lastUserText(params: unknown): string {
  const last = messages(params).filter((m) => m.role === 'user').at(-1);
  return last ? blockText(last.content) : '';
}

export function systemText(params: unknown): string {
  return isObject(params) ? blockText(params.system) : '';
}

/** The usual rule of thumb, about four characters a token; only ever an estimate. */
export function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

export function countInputTokens(params: unknown): number {
  const tools = isObject(params) && Array.isArray(params.tools) ? JSON.stringify(params.tools) : '';
  const turns = messages(params).map((m) => blockText(m.content));
  return estimateTokens([systemText(params), ...turns, tools].join('\n')) + imageTokens(params);
}

/** anthropic-version from which sampling parameters are refused; the SDK 1.x default. */
export const SAMPLING_REMOVED_IN = '2026-10-21';
const SAMPLING = ['temperature', 'top_p', 'top_k'] as const;

/**
 * Why the API would refuse this body, or null. Batches call it when a request
 * runs (so a bad one comes back `errored`), the synchronous endpoint up front.
 */
export function paramsProblem(params: unknown, version: string | null): string | null {
  if (!isObject(params)) return 'params: Input should be an object';
  if (typeof params.model !== 'string' || !params.model) return 'model: Field required';
  const maxTokens = params.max_tokens;
  if (maxTokens === undefined) return 'max_tokens: Field required';
  if (typeof maxTokens !== 'number' || !Number.isInteger(maxTokens) || maxTokens < 1) return 'max_tokens: Input should be a positive integer';
  if (params.messages === undefined) return 'messages: Field required';
  if (!Array.isArray(params.messages) || params.messages.length === 0) return 'messages: at least one message is required';
  for (const [i, m] of params.messages.entries()) {
    if (!isObject(m) || (m.role !== 'user' && m.role !== 'assistant')) return `messages.${i}.role: Input should be 'user' or 'assistant'`;
    if (typeof m.content !== 'string' && !Array.isArray(m.content)) return `messages.${i}.content: Input should be a string or a list of content blocks`;
  }
  if (params.system !== undefined && typeof params.system !== 'string' && !Array.isArray(params.system)) return 'system: Input should be a string or a list of text blocks';
  const images = imagesProblem(params);
  if (images) return images;
  if ((version ?? SAMPLING_REMOVED_IN) >= SAMPLING_REMOVED_IN) {
    const used = SAMPLING.find((key) => params[key] !== undefined);
    if (used) return `${used}: not supported with anthropic-version ${version ?? SAMPLING_REMOVED_IN}; remove it from the request`;
  }
  if (params.stream === true) return 'stream: streaming is not supported here';
  const tools = params.tools === undefined ? [] : params.tools;
  if (!Array.isArray(tools) || !tools.every((t) => isObject(t) && typeof t.name === 'string')) return 'tools: Input should be a list of tools with a name';
  const choice = params.tool_choice;
  if (isObject(choice) && choice.type === 'tool' && !tools.some((t) => isObject(t) && t.name === choice.name)) {
    return `tool_choice: tool '${String(choice.name)}' is not in tools`;
  }
  const format = isObject(params.output_config) ? params.output_config.format : undefined;
  if (isObject(format) && format.type === 'json_schema' && !isObject(format.schema)) return 'output_config.format.schema: Field required';
  return null;
}
