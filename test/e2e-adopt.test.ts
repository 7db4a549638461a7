import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../src/emulator/index.js';
import { copyExample, runCli } from './helpers/cli.js';

/**
 * A state file lost while its batch is still running: nothing new is sent
 * while a batch that may be this project's runs, and once it has ended its
 * answers are taken back instead of bought again. The emulator's clock is the
 * test's: a batch ends when the test says.
 */
let emulator: RunningEmulator;
// It starts at the real time: which batches may be lost is judged against when the state was last saved.
let clock = Date.now();
beforeAll(async () => {
  emulator = await startEmulator({ batchDurationMs: 60 * 60_000, now: () => clock });
});
afterAll(async () => {
  await emulator?.close();
});

const fast = (c: string) => c.replace("pollInterval: '30s'", "pollInterval: '100ms'");

describe('a batch the state lost', () => {
  it('holds new work back while it runs, then takes its answers: one batch, every prompt billed once', async () => {
    const dir = copyExample(fast);
    const env = { ANTHROPIC_BASE_URL: emulator.url, ANTHROPIC_API_KEY: 'test-key' };
    const submitted = await runCli(['submit'], dir, env);
    expect(submitted.code, submitted.stderr).toBe(3);
    rmSync(path.join(dir, '.batchmatter'), { recursive: true });

    // Still running, and not in any state: it may be this project's, so nothing is sent.
    const held = await runCli(['run', '--max-wait', '0s'], dir, env);
    expect(held.code, held.stderr).toBe(3);
    expect(held.stdout).toMatch(/^not sent: batch msgbatch_\w+ \(32 requests, created [\d-]+T[\d:.]+Z\) is not in the state file and still running; it may be this project's/m);
    const client = new Anthropic({ apiKey: 'k', baseURL: emulator.url, maxRetries: 0 });
    const list = async () => {
      const all = [];
      for await (const b of client.messages.batches.list({ limit: 100 })) all.push(b);
      return all;
    };
    expect(await list()).toHaveLength(1);

    clock += 2 * 60 * 60_000; // the batch ends
    const run = await runCli(['run', '--apply'], dir, env);
    expect(run.code, run.stderr + run.stdout).toBe(0);
    expect(run.stderr).toMatch(/is this project's but was not in the state file: taken back/);
    expect(run.stdout).toMatch(/^applied 32 file\(s\)$/m);
    expect(await list()).toHaveLength(1);
    const billed = emulator.ledger();
    expect(billed).toHaveLength(32);
    expect(new Set(billed.map((e) => e.prompt_digest)).size).toBe(32);

    // Another project's batch (other custom_ids) is looked at once, then passed over, and holds nothing back.
    const other = await client.messages.batches.create({ requests: [{ custom_id: 'someone_else_0', params: { model: 'claude-haiku-4-5', max_tokens: 20, messages: [{ role: 'user', content: 'Hi.' }] } }] });
    clock += 2 * 60 * 60_000;
    const sync = await runCli(['sync', '--json'], dir, env);
    expect(JSON.parse(sync.stdout)).toMatchObject({ exitCode: 0, adopted: [], heldBack: [] });
    const state = JSON.parse(readFileSync(path.join(dir, '.batchmatter/state.json'), 'utf8'));
    expect(state.seenBatches).toEqual([other.id]);
  });

  it('waits at most as long as the batches that were running when it began: a busy neighbour cannot stall it', async () => {
    // Another project (its own state path, so its own tag): the first test's answers are not its to take.
    const dir = copyExample((c) => fast(c).replace("state: '.batchmatter/state.json'", "state: '.batchmatter/other.json'"));
    const env = { ANTHROPIC_BASE_URL: emulator.url, ANTHROPIC_API_KEY: 'test-key' };
    const client = new Anthropic({ apiKey: 'k', baseURL: emulator.url, maxRetries: 0 });
    const neighbour = () =>
      client.messages.batches.create({ requests: Array.from({ length: 5 }, (_, i) => ({ custom_id: `neighbour_${i}`, params: { model: 'claude-haiku-4-5', max_tokens: 20, messages: [{ role: 'user', content: `Hi ${i}.` }] } })) });
    clock += 2 * 60 * 60_000;
    const first = await neighbour();
    // A first run with no state: a running batch of 5 requests could be a lost one of this project's.
    const held = await runCli(['run', '--max-wait', '0s', '--json'], dir, env);
    expect(JSON.parse(held.stdout)).toMatchObject({ exitCode: 3, submitted: { heldBack: [first.id] } });
    const before = emulator.ledger().length;
    // Its neighbour's next batch was made while this project sent nothing: it cannot be this project's.
    clock += 2 * 60 * 60_000;
    const second = await neighbour();
    const sent = await runCli(['run', '--max-wait', '0s', '--json'], dir, env);
    expect(JSON.parse(sent.stdout)).toMatchObject({ exitCode: 3, submitted: { submitted: 32 } });
    expect((await client.messages.batches.retrieve(second.id)).processing_status).toBe('in_progress');
    expect(JSON.parse(readFileSync(path.join(dir, '.batchmatter/other.json'), 'utf8')).waitingSince).toBeUndefined();
    clock += 2 * 60 * 60_000;
    const run = await runCli(['run', '--apply'], dir, env);
    expect(run.code, run.stderr + run.stdout).toBe(0);
    expect(run.stdout).toMatch(/^applied 32 file\(s\)$/m);
    const ours = emulator.ledger().slice(before).filter((e) => e.custom_id?.startsWith('bm_'));
    expect(ours).toHaveLength(32);
    expect(new Set(ours.map((e) => e.prompt_digest)).size).toBe(32);
  });
});
