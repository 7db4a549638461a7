import type { PlannedRequest, RequestParams } from './planned.js';
import { imageOfBlock, imageTokens, MAX_EDGE } from './images.js';
import type { Spend } from './state.js';

export interface Price {
  /** USD per million input tokens, standard (synchronous) API. */
  input: number;
  /** USD per million output tokens, standard API. */
  output: number;
  /** USD per million tokens written to the prompt cache with the 5-minute TTL. @default 1.25 × input */
  cacheWrite?: number;
  /** USD per million tokens written to the prompt cache with the 1-hour TTL, which batchmatter's system prompts use. @default 2 × input */
  cacheWrite1h?: number;
  /** USD per million tokens read from the prompt cache. @default 0.1 × input */
  cacheRead?: number;
}

const model = (input: number, output: number, cacheWrite: number, cacheWrite1h: number, cacheRead: number): Price => ({ input, output, cacheWrite, cacheWrite1h, cacheRead });

/** Standard prices; the Batches API charges half (the cache discounts stack). Overridable with `prices` in the config. */
export const DEFAULT_PRICES: Record<string, Price> = {
  'claude-haiku-4-5': model(1, 5, 1.25, 2, 0.1),
  'claude-sonnet-4-5': model(3, 15, 3.75, 6, 0.3),
  'claude-sonnet-4-6': model(3, 15, 3.75, 6, 0.3),
  'claude-opus-4-5': model(5, 25, 6.25, 10, 0.5),
  'claude-opus-4-6': model(5, 25, 6.25, 10, 0.5),
  'claude-opus-4-7': model(5, 25, 6.25, 10, 0.5),
  'claude-opus-4-8': model(5, 25, 6.25, 10, 0.5),
};

export const BATCH_DISCOUNT = 0.5;

/** How a submission is sent: as a batch, or (being few) through the synchronous Messages API. */
export type Route = 'batch' | 'sync';

/** Fewer requests than `syncBelow` are not worth a batch's wait: they go through the synchronous API. */
export const routeOf = (requests: number, syncBelow: number): Route => (requests < syncBelow ? 'sync' : 'batch');

export function priceOf(model: string, overrides: Record<string, Price>): Price | undefined {
  // The user's table first, by exact name and then by alias, so an override is never beaten by a built-in price.
  for (const table of [overrides, DEFAULT_PRICES]) {
    if (Object.hasOwn(table, model)) return table[model];
    // Dated snapshots (claude-haiku-4-5-20251001) cost what their alias costs; the longest alias is the closest.
    const alias = Object.keys(table).filter((name) => model.startsWith(`${name}-`)).sort((a, b) => b.length - a.length)[0];
    if (alias) return table[alias];
  }
  return undefined;
}

/** Rough local token count: about four characters a token for English prose. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/**
 * The local estimate of a request's input tokens: what it sends as system prompt, messages and tools, ~4 characters
 * a token; an image, width × height / 750 (one this process did not build, as the largest the API keeps).
 */
export function estimateInputTokens(params: RequestParams): number {
  let images = 0;
  const text = JSON.stringify({ system: params.system, messages: params.messages, tools: params.tools }, (_key, value: unknown) => {
    if (!value || typeof value !== 'object' || (value as { type?: unknown }).type !== 'image') return value;
    const image = imageOfBlock(value);
    images += image ? imageTokens(image.width, image.height) : imageTokens(MAX_EDGE, MAX_EDGE);
    return undefined;
  });
  return estimateTokens(text) + images;
}

/** Where a task's expected output comes from. */
export type OutputBasis = { from: 'answers'; answers: number } | { from: 'maxLength'; maxLength: number } | { from: 'maxTokens' };

export interface OutputGuess {
  /** Expected output tokens of one request (never more than its max_tokens). */
  tokens: number;
  basis: OutputBasis;
}

/** Answers a task needs before their mean stands for its next ones. */
const MIN_ANSWERS = 5;
/** Characters a token, for an output bounded by maxLength: generous (English prose runs nearer 4), as an estimate before spending should be. */
const CHARS_PER_OUTPUT_TOKEN = 3;

/**
 * Pure: the output tokens one request of a task is expected to cost: the mean
 * of the task's answers so far (its `spent` totals, from 5 answers on), else
 * what its `maxLength` allows a text answer, else half of `max_tokens`.
 */
export function expectedOutput(task: { maxTokens: number; maxLength?: number | undefined }, spent: Pick<Spend, 'requests' | 'outputTokens'> | undefined): OutputGuess {
  if (spent && spent.requests >= MIN_ANSWERS) {
    return { tokens: Math.min(task.maxTokens, Math.ceil(spent.outputTokens / spent.requests)), basis: { from: 'answers', answers: spent.requests } };
  }
  if (task.maxLength !== undefined) {
    return { tokens: Math.min(task.maxTokens, Math.ceil(task.maxLength / CHARS_PER_OUTPUT_TOKEN)), basis: { from: 'maxLength', maxLength: task.maxLength } };
  }
  return { tokens: Math.ceil(task.maxTokens / 2), basis: { from: 'maxTokens' } };
}

export interface CostEstimate {
  task: string;
  requests: number;
  inputTokens: number;
  outputTokens: number;
  /** Where the output estimate comes from; absent where no guess was given (half of max_tokens). */
  output?: OutputBasis;
  /** USD with the Batches API; undefined when the model has no known price. */
  batchUsd?: number;
  syncUsd?: number;
  /** Input tokens priced as prompt-cache writes (a cached system prompt, no hits counted). */
  cacheWriteTokens?: number;
  /** Images sent, and their share of inputTokens (tasks with `image`). */
  images?: { count: number; tokens: number };
}

export interface EstimateInputs {
  /** Input tokens by request key, from the count_tokens endpoint; else the local estimate. */
  counted?: Map<string, number> | undefined;
  /** Expected output per request, by task (see expectedOutput); else half of max_tokens. */
  output?: Map<string, OutputGuess> | undefined;
  /** Tokens of the prefix each request of a task marks for the prompt cache (tools and system prompt). */
  cachedPrefix?: Map<string, number> | undefined;
}

/** Pure: estimated tokens and cost per task. */
export function estimateCost(requests: PlannedRequest[], overrides: Record<string, Price>, { counted, output: guesses, cachedPrefix }: EstimateInputs = {}): CostEstimate[] {
  const byTask = new Map<string, CostEstimate & { unpriced: boolean }>();
  for (const r of requests) {
    const guess = guesses?.get(r.task);
    const e = byTask.get(r.task) ?? { task: r.task, requests: 0, inputTokens: 0, outputTokens: 0, ...(guess ? { output: guess.basis } : {}), batchUsd: 0, syncUsd: 0, unpriced: false };
    const input = counted?.get(r.key) ?? r.inputTokens;
    const output = Math.min(r.maxTokens, guess?.tokens ?? Math.ceil(r.maxTokens / 2));
    // Hits are best-effort, so the estimate counts none: every request writes the cached prefix (1-hour TTL).
    const written = Math.min(input, cachedPrefix?.get(r.task) ?? 0);
    e.requests++;
    e.inputTokens += input;
    e.outputTokens += output;
    if (written) e.cacheWriteTokens = (e.cacheWriteTokens ?? 0) + written;
    if (r.images) e.images = { count: (e.images?.count ?? 0) + r.images.count, tokens: (e.images?.tokens ?? 0) + r.images.tokens };
    const price = priceOf(r.model, overrides);
    if (!price) e.unpriced = true;
    else {
      const usd = ((input - written) * price.input + written * (price.cacheWrite1h ?? price.input * 2) + output * price.output) / 1e6;
      e.syncUsd! += usd;
      e.batchUsd! += usd * BATCH_DISCOUNT;
    }
    byTask.set(r.task, e);
  }
  return [...byTask.values()].map(({ unpriced, batchUsd, syncUsd, ...e }) => (unpriced ? e : { ...e, batchUsd, syncUsd }));
}

/**
 * Pure: why submitting these requests would break the budget, if it would.
 * A model without a known price cannot be checked, so it is refused too.
 */
export function budgetProblem(estimate: CostEstimate[], mode: Route, maxUsd: number): string | undefined {
  const unpriced = estimate.filter((e) => e.batchUsd === undefined).map((e) => e.task);
  if (unpriced.length) return `no price is known for the model of task ${unpriced.join(', ')}, so the budget of $${maxUsd} cannot be checked; add it to "prices"`;
  const total = estimate.reduce((sum, e) => sum + (mode === 'batch' ? e.batchUsd! : e.syncUsd!), 0);
  if (total > maxUsd) return `the estimated cost, $${total.toFixed(4)} (${mode === 'batch' ? 'Batches API' : 'synchronous API'}), is over the budget of $${maxUsd}`;
  return undefined;
}

/** The token counts of one answer, as the API reports them in `usage`. */
export interface UsageLike {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  /** Cache writes by TTL; without it, a write is taken as the 1-hour kind batchmatter asks for. */
  cache_creation?: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number } | null;
}

/** Pure: adds one answer's usage to a running spend; batch answers cost half. */
export function addUsage(spend: Spend | undefined, usage: UsageLike, price: Price | undefined, kind: 'batch' | 'sync'): Spend {
  const next: Spend = spend ? { ...spend } : { requests: 0, inputTokens: 0, outputTokens: 0, cacheWriteTokens: 0, cacheReadTokens: 0, usd: 0, syncUsd: 0 };
  const write = usage.cache_creation_input_tokens ?? 0;
  const read = usage.cache_read_input_tokens ?? 0;
  next.requests++;
  next.inputTokens += usage.input_tokens;
  next.outputTokens += usage.output_tokens;
  next.cacheWriteTokens += write;
  next.cacheReadTokens += read;
  if (!price || next.usd === undefined || next.syncUsd === undefined) {
    delete next.usd;
    delete next.syncUsd;
    return next;
  }
  const write5m = usage.cache_creation ? Math.min(write, usage.cache_creation.ephemeral_5m_input_tokens) : 0;
  const writeUsd = write5m * (price.cacheWrite ?? price.input * 1.25) + (write - write5m) * (price.cacheWrite1h ?? price.input * 2);
  const standard = (usage.input_tokens * price.input + usage.output_tokens * price.output + writeUsd + read * (price.cacheRead ?? price.input * 0.1)) / 1e6;
  next.syncUsd += standard;
  next.usd += kind === 'batch' ? standard * BATCH_DISCOUNT : standard;
  return next;
}
