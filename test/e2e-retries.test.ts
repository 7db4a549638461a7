import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../src/emulator/index.js';
import { copyExample } from './helpers/cli.js';
import { inProcess } from './helpers/inprocess.js';

/**
 * Retries that can change the outcome: a re-ask keeps quoting the refused
 * answer however many attempts get no answer, and an answer cut off at
 * max_tokens is asked again with room to finish.
 */
let emulator: RunningEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

// Batches even for a few requests, quick polls, and no wait before a create answered with a 5xx is given up on.
const batched = (c: string) =>
  c.replace("batch: { maxRequests: 2000, pollInterval: '30s', maxRetries: 2, syncBelow: 10 }", "batch: { maxRequests: 2000, pollInterval: '100ms', maxRetries: 2, syncBelow: 1, answeredCreateWindow: '0s' }");
const readState = (dir: string) => JSON.parse(readFileSync(path.join(dir, '.batchmatter/state.json'), 'utf8'));

describe('retries', () => {
  it('a re-ask that got no answer (its create refused with 529) still quotes the refused answer: no request is sent twice', async () => {
    // Each round of answers too long, and each round different (a model's would be): A, then B, then C.
    const tooLong = (round: string) => `Answer ${round}, far too long for a meta description. ${'It goes on and on. '.repeat(12)}`.trim();
    emulator = await startEmulator({
      batchDurationMs: 0,
      faults: {
        rules: [
          ...['A', 'B', 'C'].map((round) => ({ promptIncludes: '<excerpt>', outcome: 'text' as const, text: tooLong(round), times: 3 })),
          // The first re-ask's batch is refused, overloaded.
          { endpoint: 'create', promptIncludes: '<previous_answer>', outcome: 'http_error', status: 529, times: 1 },
        ],
      },
    });
    const dir = copyExample(batched);
    const env = { ANTHROPIC_BASE_URL: emulator.url, ANTHROPIC_API_KEY: 'test-key' };
    const run = await inProcess(dir, env)(['run', '--task', 'description', '--limit', '3']);
    expect(run.code, run.stderr + run.stdout).toBe(1); // every answer too long: failed for good, after the retries
    // Three answered rounds of 3 (the first ask and maxRetries 2; the refused batch was neither billed nor counted),
    // each request new: the round after the refused batch quotes answer A again, not the first prompt.
    const billed = emulator.ledger();
    expect(billed).toHaveLength(9);
    expect(new Set(billed.map((e) => e.prompt_digest)).size).toBe(9);
    const items = Object.values(readState(dir).items as Record<string, { status: string; rejected?: string; error?: string }>);
    expect(items).toHaveLength(3);
    for (const item of items) expect(item).toMatchObject({ status: 'failed', rejected: tooLong('C'), error: expect.stringMatching(/^expected at most 160 characters/) });
  });

  it('an answer cut off at max_tokens is asked again with twice the room, up to four times the task\'s', async () => {
    // Every answer is cut off: the retries must each send more room, never the same request again.
    emulator = await startEmulator({ batchDurationMs: 0, faults: { rules: [{ promptIncludes: '<excerpt>', outcome: 'max_tokens' }] } });
    const dir = copyExample(batched);
    const env = { ANTHROPIC_BASE_URL: emulator.url, ANTHROPIC_API_KEY: 'test-key' };
    const run = await inProcess(dir, env)(['run', '--task', 'description', '--limit', '2']);
    expect(run.code, run.stderr + run.stdout).toBe(1);
    const billed = emulator.ledger();
    expect(billed).toHaveLength(6);
    expect(new Set(billed.map((e) => e.prompt_digest)).size).toBe(6);
    const items = Object.values(readState(dir).items as Record<string, { status: string; error?: string; retryable?: boolean; maxTokens?: number }>);
    // 120 (the task's), then 240, then 480: cut off at the largest allowed, it is reported, not asked again.
    for (const item of items) expect(item).toMatchObject({ status: 'failed', maxTokens: 480, retryable: false, error: 'answer cut off at max_tokens (480), the most this task allows (4 × its maxTokens of 120)' });
  });

  it('a refusal is asked once more, then reported', async () => {
    emulator = await startEmulator({ batchDurationMs: 0, faults: { rules: [{ promptIncludes: '<excerpt>', outcome: 'refusal' }] } });
    const dir = copyExample(batched);
    const env = { ANTHROPIC_BASE_URL: emulator.url, ANTHROPIC_API_KEY: 'test-key' };
    const run = await inProcess(dir, env)(['run', '--task', 'description', '--limit', '2']);
    expect(run.code, run.stderr + run.stdout).toBe(1);
    expect(emulator.ledger()).toHaveLength(4);
    expect(run.stdout).toMatch(/^failed permanently:\n {2}2 files: the model refused twice; rephrase the prompt, or exclude the files: /m);
  });
});
