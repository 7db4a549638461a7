import type { PlannedRequest } from './plan.js';

export interface Price {
  /** USD per million input tokens, standard (synchronous) API. */
  input: number;
  /** USD per million output tokens, standard API. */
  output: number;
}

/** Standard prices; the Batches API charges half. Overridable with `prices` in the config. */
export const DEFAULT_PRICES: Record<string, Price> = {
  'claude-haiku-4-5': { input: 1, output: 5 },
  'claude-sonnet-4-5': { input: 3, output: 15 },
  'claude-sonnet-4-6': { input: 3, output: 15 },
  'claude-opus-4-5': { input: 5, output: 25 },
  'claude-opus-4-6': { input: 5, output: 25 },
  'claude-opus-4-7': { input: 5, output: 25 },
  'claude-opus-4-8': { input: 5, output: 25 },
};

export const BATCH_DISCOUNT = 0.5;

export function priceOf(model: string, overrides: Record<string, Price>): Price | undefined {
  if (overrides[model]) return overrides[model];
  if (DEFAULT_PRICES[model]) return DEFAULT_PRICES[model];
  // Dated snapshots (claude-haiku-4-5-20251001) cost what their alias costs.
  const alias = Object.keys(DEFAULT_PRICES).find((name) => model.startsWith(`${name}-`));
  return alias ? DEFAULT_PRICES[alias] : undefined;
}

/** Rough local token count: about four characters a token for English prose. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

export interface CostEstimate {
  task: string;
  requests: number;
  inputTokens: number;
  outputTokens: number;
  /** USD with the Batches API; undefined when the model has no known price. */
  batchUsd?: number;
  syncUsd?: number;
}

/** Pure: estimated tokens and cost per task. Output is estimated as half of max_tokens. */
export function estimateCost(requests: PlannedRequest[], overrides: Record<string, Price>): CostEstimate[] {
  const byTask = new Map<string, CostEstimate & { unpriced: boolean }>();
  for (const r of requests) {
    const e = byTask.get(r.task) ?? { task: r.task, requests: 0, inputTokens: 0, outputTokens: 0, batchUsd: 0, syncUsd: 0, unpriced: false };
    const input = estimateTokens(JSON.stringify({ system: r.params.system, messages: r.params.messages, tools: r.params.tools }));
    const output = Math.ceil(r.params.max_tokens / 2);
    e.requests++;
    e.inputTokens += input;
    e.outputTokens += output;
    const price = priceOf(r.params.model, overrides);
    if (!price) e.unpriced = true;
    else {
      const usd = (input * price.input + output * price.output) / 1e6;
      e.syncUsd! += usd;
      e.batchUsd! += usd * BATCH_DISCOUNT;
    }
    byTask.set(r.task, e);
  }
  return [...byTask.values()].map(({ unpriced, ...e }) => (unpriced ? { task: e.task, requests: e.requests, inputTokens: e.inputTokens, outputTokens: e.outputTokens } : e));
}

/**
 * Pure: why submitting these requests would break the budget, if it would.
 * A model without a known price cannot be checked, so it is refused too.
 */
export function budgetProblem(requests: PlannedRequest[], overrides: Record<string, Price>, mode: 'batch' | 'sync', maxUsd: number): string | undefined {
  const estimate = estimateCost(requests, overrides);
  const unpriced = estimate.filter((e) => e.batchUsd === undefined).map((e) => e.task);
  if (unpriced.length) return `no price is known for the model of task ${unpriced.join(', ')}, so the budget of $${maxUsd} cannot be checked; add it to "prices"`;
  const total = estimate.reduce((sum, e) => sum + (mode === 'batch' ? e.batchUsd! : e.syncUsd!), 0);
  if (total > maxUsd) return `the estimated cost, $${total.toFixed(4)} (${mode === 'batch' ? 'Batches API' : 'synchronous API'}), is over the budget of $${maxUsd}`;
  return undefined;
}
