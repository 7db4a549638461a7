import { describe, expect, it } from 'vitest';
import { addUsage, DEFAULT_PRICES, estimateCost, expectedOutput, priceOf } from '../src/core/cost.js';
import type { PlannedRequest } from '../src/core/plan.js';
import { completionStats, costReport } from '../src/core/report-cost.js';
import { emptyState, type JobState } from '../src/core/state.js';

const haiku = DEFAULT_PRICES['claude-haiku-4-5'];

describe('estimated output', () => {
  it('is the mean of the task\'s answers from 5 on, else what maxLength allows, else half of max_tokens; never over max_tokens', () => {
    expect(expectedOutput({ maxTokens: 400, maxLength: 160 }, { requests: 17, outputTokens: 554 })).toEqual({ tokens: 33, basis: { from: 'answers', answers: 17 } });
    expect(expectedOutput({ maxTokens: 400, maxLength: 160 }, { requests: 4, outputTokens: 554 })).toEqual({ tokens: 54, basis: { from: 'maxLength', maxLength: 160 } });
    expect(expectedOutput({ maxTokens: 40, maxLength: 160 }, undefined).tokens).toBe(40);
    expect(expectedOutput({ maxTokens: 300 }, undefined)).toEqual({ tokens: 150, basis: { from: 'maxTokens' } });
    expect(expectedOutput({ maxTokens: 20 }, { requests: 10, outputTokens: 1000 }).tokens).toBe(20);
  });

  it('prices each request with its task\'s guess', () => {
    const request = (task: string): PlannedRequest =>
      ({ key: `${task}:a.md`, task, file: 'a.md', planHash: 'h', requestHash: 'r', attempts: 0, params: {} as PlannedRequest['params'], model: 'claude-haiku-4-5', maxTokens: 400, inputTokens: 1000 }) as PlannedRequest;
    const output = new Map([['d', expectedOutput({ maxTokens: 400 }, { requests: 10, outputTokens: 500 })]]);
    const [d, s] = estimateCost([request('d'), request('d'), request('s')], {}, { output });
    expect(d).toMatchObject({ task: 'd', requests: 2, inputTokens: 2000, outputTokens: 100, output: { from: 'answers', answers: 10 } });
    expect(d!.syncUsd).toBeCloseTo((2000 * 1 + 100 * 5) / 1e6, 12);
    // No guess for the task: half of max_tokens.
    expect(s).toMatchObject({ task: 's', outputTokens: 200 });
    expect(s!.output).toBeUndefined();
  });
});

describe('prices', () => {
  it('a dated snapshot costs what its alias costs, and the user\'s price for the alias wins over the built-in one', () => {
    expect(priceOf('claude-haiku-4-5-20251001', {})).toEqual(haiku);
    const mine = { input: 100, output: 500 };
    expect(priceOf('claude-haiku-4-5-20251001', { 'claude-haiku-4-5': mine })).toBe(mine);
    expect(priceOf('claude-haiku-4-5', { 'claude-haiku-4-5': mine })).toBe(mine);
    expect(priceOf('my-fine-tune', {})).toBeUndefined();
    expect(priceOf('constructor', {})).toBeUndefined();
  });
});

describe('actual cost from usage', () => {
  it('prices input, output and cache tokens; a batch answer costs half', () => {
    const usage = { input_tokens: 1_000_000, output_tokens: 100_000, cache_creation_input_tokens: 200_000, cache_read_input_tokens: 1_000_000 };
    // 1 + 0.5 + 0.4 (a write without its TTL breakdown is the 1-hour kind batchmatter asks for: 2 × input) + 0.1 = 2.0 standard
    const sync = addUsage(undefined, usage, haiku, 'sync');
    expect(sync.usd).toBeCloseTo(2.0, 10);
    expect(sync.syncUsd).toBeCloseTo(2.0, 10);
    const batch = addUsage(undefined, usage, haiku, 'batch');
    expect(batch.usd).toBeCloseTo(1.0, 10);
    expect(batch.syncUsd).toBeCloseTo(2.0, 10);
    // With the breakdown, 5-minute writes cost 1.25 × input and 1-hour ones 2 ×: 150,000 × 1.25 + 50,000 × 2 = $0.2875.
    const split = addUsage(undefined, { ...usage, cache_creation: { ephemeral_5m_input_tokens: 150_000, ephemeral_1h_input_tokens: 50_000 } }, haiku, 'sync');
    expect(split.usd).toBeCloseTo(1 + 0.5 + 0.2875 + 0.1, 10);
    // An override without cache prices takes the multiples of its own input price.
    expect(addUsage(undefined, { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 1_000_000 }, { input: 3, output: 15 }, 'sync').usd).toBeCloseTo(6, 10);
    expect(addUsage(batch, usage, haiku, 'batch')).toMatchObject({ requests: 2, inputTokens: 2_000_000, cacheReadTokens: 2_000_000 });
  });

  it('keeps counting tokens but drops the price once a model has none', () => {
    const spend = addUsage(addUsage(undefined, { input_tokens: 10, output_tokens: 1 }, haiku, 'batch'), { input_tokens: 5, output_tokens: 1 }, undefined, 'batch');
    expect(spend).toEqual({ requests: 2, inputTokens: 15, outputTokens: 2, cacheWriteTokens: 0, cacheReadTokens: 0 });
  });

  it('reports per submission, per task and in total', () => {
    const state = emptyState();
    const job = (id: string, createdAt: string, spent: JobState['spent'], endedAt?: string): JobState => ({
      id, kind: 'batch', status: 'collected', batchId: `msgbatch_${id}`, createdAt, requests: {}, collected: 0, spent, ...(endedAt ? { endedAt } : {}),
    });
    const a = addUsage(undefined, { input_tokens: 1000, output_tokens: 100 }, haiku, 'batch');
    state.jobs.j2 = job('j2', '2026-01-02T00:00:00Z', { description: a }, '2026-01-02T00:10:00Z');
    state.jobs.j1 = job('j1', '2026-01-01T00:00:00Z', { description: a, sentiment: a }, '2026-01-01T00:02:00Z');
    state.jobs.j3 = job('j3', '2026-01-03T00:00:00Z', undefined, '2026-01-03T01:00:00Z');
    const report = costReport(state);
    expect(report.jobs.map((j) => [j.label, j.spend.requests])).toEqual([['j1', 2], ['j2', 1]]);
    expect(report.tasks.map((t) => [t.label, t.spend.requests])).toEqual([['description', 2], ['sentiment', 1]]);
    expect(report.total.usd).toBeCloseTo(3 * a.usd!, 12);
    expect(report.total.syncUsd).toBeCloseTo(2 * report.total.usd!, 12);
    expect(completionStats(state)).toEqual({ batches: 3, medianMs: 600_000, p75Ms: 3_600_000, maxMs: 3_600_000 });
  });
});
