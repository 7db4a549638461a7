import type { ContentBlock, Message, MessageCreateParamsNonStreaming, StopReason } from '@anthropic-ai/sdk/resources/messages';
import { stableId } from './ids.js';
import type { CacheEffect } from './prompt-cache.js';
import { countInputTokens, estimateTokens, isObject, lastUserText, systemText, type Json } from './params.js';
import { altText, imageSizes, type ImageFacts } from './images.js';
import { fillSchema } from './schema-fill.js';
import { describe, readLimits } from './summary.js';
import { contentOf, cutAtWord, instructionsOf } from './text.js';
import { wrongLanguageAnswer } from './language.js';

/** How a fault rule bends an answer: exact text (bad model output), a forced cut, or a refusal. */
export interface AnswerOverride {
  text?: string;
  truncate?: boolean;
  /** The model declines: a short text and stop_reason `refusal`. */
  refuse?: boolean;
  /** A text answer in a language the page is not in (see language.ts). */
  wrongLanguage?: boolean;
  serviceTier?: 'standard' | 'batch';
  /** What the prompt cache did for this request (see prompt-cache.ts): that prefix is billed as a write or a read, not as input. */
  cache?: CacheEffect | undefined;
  /** The request's images with their colours, read when it came in (see images.ts describeImages). */
  images?: ImageFacts[] | undefined;
}

type Plan = { kind: 'text'; text: string } | { kind: 'tool'; name: string; input: Json };

/** The tool the request forces (`tool_choice` tool, or any → the first), with its input schema. */
function forcedTool(params: Json): { name: string; schema: unknown } | undefined {
  const tools = Array.isArray(params.tools) ? params.tools.filter(isObject) : [];
  const choice = isObject(params.tool_choice) ? params.tool_choice : undefined;
  const tool =
    choice?.type === 'tool' ? tools.find((t) => t.name === choice.name)
    : choice?.type === 'any' ? tools[0]
    : undefined;
  return tool && typeof tool.name === 'string' ? { name: tool.name, schema: tool.input_schema } : undefined;
}

function jsonFormat(params: Json): unknown {
  const format = isObject(params.output_config) ? params.output_config.format : undefined;
  return isObject(format) && format.type === 'json_schema' ? format.schema : undefined;
}

function plan(params: Json, override: AnswerOverride): Plan {
  if (override.text !== undefined) return { kind: 'text', text: override.text };
  const prompt = lastUserText(params);
  const ctx = { content: contentOf(prompt), instructions: `${systemText(params)}\n${instructionsOf(prompt)}` };
  const tool = forcedTool(params);
  if (tool) {
    const input = fillSchema(tool.schema, ctx);
    return { kind: 'tool', name: tool.name, input: isObject(input) ? input : { value: input } };
  }
  const schema = jsonFormat(params);
  if (schema !== undefined) return { kind: 'text', text: JSON.stringify(fillSchema(schema, ctx)) };
  if (override.wrongLanguage) return { kind: 'text', text: wrongLanguageAnswer(ctx.content, readLimits(ctx.instructions).maxChars) };
  // A request with images asks about them (alt text, a caption): answered from their shape and colours.
  const images = override.images ?? imageSizes(params);
  if (images.length) return { kind: 'text', text: altText(images, readLimits(ctx.instructions).maxChars) };
  const title = /^title:\s*(.+)$/im.exec(ctx.instructions)?.[1] ?? '';
  const previous = /<previous_answer>([\s\S]*?)<\/previous_answer>/.exec(prompt)?.[1]?.trim();
  return { kind: 'text', text: describe(ctx.content || title, readLimits(ctx.instructions), previous) };
}

/** A tool input cut where the token budget runs out: the keys that fit, as a streamed answer would stop. */
function partialInput(input: Json, budgetChars: number): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(input)) {
    if (JSON.stringify({ ...out, [key]: value }).length > budgetChars) break;
    out[key] = value;
  }
  return out;
}

/** The answer within `max_tokens`: over budget (or forced by a fault), cut mid-way with stop_reason max_tokens. */
function render(answer: Plan, maxTokens: number, truncate: boolean, seed: string): { content: ContentBlock[]; stop: StopReason; output: number } {
  const size = answer.kind === 'text' ? answer.text.length : JSON.stringify(answer.input).length;
  const cut = truncate || estimateTokens(answer.kind === 'text' ? answer.text : JSON.stringify(answer.input)) > maxTokens;
  const budget = truncate ? Math.min(maxTokens * 4, Math.floor(size / 2)) : maxTokens * 4;
  if (answer.kind === 'text') {
    const text = cut ? cutAtWord(answer.text, budget) : answer.text;
    return { content: [{ type: 'text', text, citations: null }], stop: cut ? 'max_tokens' : 'end_turn', output: estimateTokens(text) };
  }
  const input = cut ? partialInput(answer.input, budget) : answer.input;
  const block: ContentBlock = { type: 'tool_use', id: stableId('toolu_', seed), name: answer.name, input, caller: { type: 'direct' } };
  return { content: [block], stop: cut ? 'max_tokens' : 'tool_use', output: estimateTokens(JSON.stringify(input)) + 10 };
}

function cacheUsage(input: number, cache: CacheEffect | undefined) {
  if (!cache) return { input_tokens: input, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, cache_creation: null };
  const written = cache.kind === 'write' ? cache.tokens : 0;
  return {
    input_tokens: Math.max(0, input - cache.tokens),
    cache_creation_input_tokens: written,
    cache_read_input_tokens: cache.kind === 'read' ? cache.tokens : 0,
    cache_creation: { ephemeral_5m_input_tokens: cache.ttl === '5m' ? written : 0, ephemeral_1h_input_tokens: cache.ttl === '1h' ? written : 0 },
  };
}

const REFUSAL: { content: ContentBlock[]; stop: StopReason; output: number } = { content: [{ type: 'text', text: 'I can\'t help with that.', citations: null }], stop: 'refusal', output: 7 };

/** The offline model with a fault's override applied. Never throws: a body the API refuses is the caller's check. */
export function answer(params: unknown, override: AnswerOverride = {}): Message {
  const body = isObject(params) ? params : {};
  const seed = JSON.stringify(body);
  const maxTokens = typeof body.max_tokens === 'number' && body.max_tokens > 0 ? body.max_tokens : 1024;
  const { content, stop, output } = override.refuse ? REFUSAL : render(plan(body, override), maxTokens, override.truncate ?? false, seed);
  return {
    id: stableId('msg_', seed),
    type: 'message',
    role: 'assistant',
    model: typeof body.model === 'string' ? body.model : 'unknown',
    content,
    stop_reason: stop,
    stop_sequence: null,
    stop_details: null,
    container: null,
    diagnostics: null,
    usage: {
      ...cacheUsage(countInputTokens(body), override.cache),
      output_tokens: output,
      inference_geo: null,
      output_tokens_details: null,
      server_tool_use: null,
      service_tier: override.serviceTier ?? 'standard',
      speed: null,
    },
  };
}

/**
 * The deterministic offline "model": an extractive description for text
 * prompts, a schema-true object (with a lexicon reading of reviews) for forced
 * tool use and JSON output. Same params, same answer.
 */
export function respond(params: MessageCreateParamsNonStreaming): Message {
  return answer(params);
}
