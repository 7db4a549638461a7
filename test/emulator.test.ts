import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Anthropic, { APIError } from '@anthropic-ai/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type EmulatorData, type EmulatorOptions, type RunningEmulator } from '../src/emulator/index.js';
import { collect, waitEnded } from './helpers/emulator.js';

const running: RunningEmulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.close()));
});

async function start(opts: EmulatorOptions = {}): Promise<{ emulator: RunningEmulator; client: Anthropic }> {
  const emulator = await startEmulator({ batchDurationMs: 60, faults: { rules: [] }, ...opts });
  running.push(emulator);
  return { emulator, client: new Anthropic({ apiKey: 'test-key', baseURL: emulator.url, maxRetries: 0 }) };
}

const params = (text: string, extra: Record<string, unknown> = {}) => ({
  model: 'claude-haiku-4-5',
  max_tokens: 200,
  messages: [{ role: 'user' as const, content: text }],
  ...extra,
});
const article = (body: string) => `Write a description, at most 80 characters.\n<excerpt>\n${body}\n</excerpt>`;

const tempFile = () => path.join(mkdtempSync(path.join(tmpdir(), 'batchmatter-emulator-')), 'emulator.json');

describe('emulator: batches through the real SDK', () => {
  it('creates, polls, and streams results matched by custom_id, in an order other than the request order', async () => {
    // Long enough that the "not ended yet" checks below still see it in progress on a loaded machine.
    const { client, emulator } = await start({ batchDurationMs: 1000 });
    const ids = ['a-1', 'b_2', 'c3', 'd4', 'e5'];
    const requests = ids.map((id, i) => ({ custom_id: id, params: params(article(`Post number ${i} explains how to tune PostgreSQL autovacuum for busy tables.`)) }));
    requests.push({ custom_id: 'no-max', params: { model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'hi' }] } as never });
    requests.push({ custom_id: 'sampling', params: params('hi', { temperature: 0.2 }) });
    const created = await client.messages.batches.create({ requests });
    expect(created).toMatchObject({ type: 'message_batch', processing_status: 'in_progress', results_url: null, ended_at: null, archived_at: null });
    expect(created.id).toMatch(/^msgbatch_/);
    expect(created.request_counts).toEqual({ processing: 7, succeeded: 0, errored: 0, canceled: 0, expired: 0 });
    expect(Date.parse(created.expires_at) - Date.parse(created.created_at)).toBe(24 * 3600 * 1000);
    await expect(client.messages.batches.results(created.id)).rejects.toThrow(/results_url/);

    const ended = await waitEnded(client, created.id);
    expect(ended.request_counts).toEqual({ processing: 0, succeeded: 5, errored: 2, canceled: 0, expired: 0 });
    expect(ended.results_url).toBe(`${emulator.url}/v1/messages/batches/${created.id}/results`);

    const lines = await collect(client, created.id);
    expect(lines.map((l) => l.custom_id)).not.toEqual(requests.map((r) => r.custom_id));
    const byId = new Map(lines.map((l) => [l.custom_id, l.result]));
    expect([...byId.keys()].sort()).toEqual(requests.map((r) => r.custom_id).sort());
    const ok = byId.get('c3');
    expect(ok?.type).toBe('succeeded');
    if (ok?.type === 'succeeded') {
      expect(ok.message).toMatchObject({ type: 'message', role: 'assistant', stop_reason: 'end_turn', model: 'claude-haiku-4-5' });
      const block = ok.message.content[0];
      expect(block?.type === 'text' && block.text).toMatch(/^Post number 2 explains how to tune PostgreSQL.*\.$/);
    }
    for (const id of ['no-max', 'sampling']) {
      const result = byId.get(id);
      expect(result).toMatchObject({ type: 'errored', error: { type: 'error', error: { type: 'invalid_request_error' } } });
    }
    // A second download gives the same lines: results are computed once and stored.
    expect(await collect(client, created.id)).toEqual(lines);
  });

  it('lists newest first and auto-paginates with the SDK', async () => {
    const { client } = await start();
    const made: string[] = [];
    for (let i = 0; i < 5; i++) made.push((await client.messages.batches.create({ requests: [{ custom_id: `r${i}`, params: params('x') }] })).id);
    const first = await client.messages.batches.list({ limit: 2 });
    expect(first.data.map((b) => b.id)).toEqual([made[4], made[3]]);
    expect(first.has_more).toBe(true);
    expect(first.first_id).toBe(made[4]);
    expect(first.last_id).toBe(made[3]);
    const all: string[] = [];
    for await (const batch of client.messages.batches.list({ limit: 2 })) all.push(batch.id);
    expect(all).toEqual([...made].reverse());
    const newer = await client.messages.batches.list({ limit: 2, before_id: made[1]! });
    expect(newer.data.map((b) => b.id)).toEqual([made[3], made[2]]);
    await expect(client.messages.batches.list({ limit: 1001 })).rejects.toBeInstanceOf(Anthropic.BadRequestError);
  });

  it('cancels: canceling, then ended with the unprocessed requests canceled', async () => {
    let now = Date.parse('2026-11-01T10:00:00Z');
    const { client } = await start({ now: () => now, batchDurationMs: 10_000 });
    const requests = Array.from({ length: 10 }, (_, i) => ({ custom_id: `r${i}`, params: params('hello') }));
    const untouched = await client.messages.batches.create({ requests });
    const halfway = await client.messages.batches.create({ requests });
    const canceled = await client.messages.batches.cancel(untouched.id);
    expect(canceled.processing_status).toBe('canceling');
    expect(canceled.cancel_initiated_at).toBe('2026-11-01T10:00:00.000Z');
    now += 5_000;
    await client.messages.batches.cancel(halfway.id);
    expect((await client.messages.batches.retrieve(untouched.id)).request_counts).toMatchObject({ processing: 0, canceled: 10, succeeded: 0 });
    now += 2_000;
    const partial = await client.messages.batches.retrieve(halfway.id);
    expect(partial.processing_status).toBe('ended');
    expect(partial.request_counts).toMatchObject({ succeeded: 5, canceled: 5 });
    expect((await collect(client, halfway.id)).filter((l) => l.result.type === 'canceled')).toHaveLength(5);
  });

  it('deletes only ended batches; unknown ids are 404', async () => {
    // Long enough to still be in progress at the first delete on a loaded machine; waitEnded allows about 3 s.
    const { client } = await start({ batchDurationMs: 1000 });
    const batch = await client.messages.batches.create({ requests: [{ custom_id: 'one', params: params('x') }] });
    await expect(client.messages.batches.delete(batch.id)).rejects.toBeInstanceOf(Anthropic.BadRequestError);
    await waitEnded(client, batch.id);
    expect(await client.messages.batches.delete(batch.id)).toEqual({ id: batch.id, type: 'message_batch_deleted' });
    const missing = await client.messages.batches.retrieve(batch.id).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(Anthropic.NotFoundError);
    expect(missing).toMatchObject({ status: 404, type: 'not_found_error' });
    expect((missing as APIError).requestID).toMatch(/^req_/);
    await expect(client.messages.batches.cancel('msgbatch_nope')).rejects.toBeInstanceOf(Anthropic.NotFoundError);
  });

  it('validates the envelope at create time: custom_id format and uniqueness, size', async () => {
    const { client, emulator } = await start();
    const create = (requests: { custom_id: string; params: object }[]) => client.messages.batches.create({ requests: requests as never });
    const bad = await create([{ custom_id: 'ok', params: {} }, { custom_id: 'posts/a.md', params: {} }]).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(Anthropic.BadRequestError);
    expect(bad).toMatchObject({ type: 'invalid_request_error' });
    expect((bad as Error).message).toContain('posts/a.md');
    await expect(create([{ custom_id: 'x'.repeat(65), params: {} }])).rejects.toBeInstanceOf(Anthropic.BadRequestError);
    await expect(create([{ custom_id: 'dup', params: {} }, { custom_id: 'dup', params: {} }])).rejects.toThrow(/duplicate custom_id 'dup'/);
    await expect(create([])).rejects.toBeInstanceOf(Anthropic.BadRequestError);
    const huge = Array.from({ length: 100_001 }, (_, i) => ({ custom_id: `r${i}`, params: {} }));
    await expect(create(huge)).rejects.toMatchObject({ status: 413, type: 'request_too_large' });
    const noAuth = await fetch(`${emulator.url}/v1/messages/batches`);
    expect(noAuth.status).toBe(401);
    expect(await noAuth.json()).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
    const viaApiKey = await fetch(`${emulator.url}/v1/messages/batches`, { headers: { 'x-api-key': 'k' } });
    expect(viaApiKey.status).toBe(200);
    expect((await client.messages.batches.list()).data).toEqual([]);
  });
});

describe('emulator: synchronous Messages API', () => {
  it('answers messages.create, refuses invalid params with 400, counts tokens', async () => {
    const { client } = await start();
    const message = await client.messages.create(params(article('Vite makes front-end builds fast by serving native ES modules in development.')));
    expect(message.id).toMatch(/^msg_/);
    expect(message.content).toEqual([{ type: 'text', text: 'Vite makes front-end builds fast by serving native ES modules in development.', citations: null }]);
    expect(message.usage).toMatchObject({ cache_creation_input_tokens: 0, cache_read_input_tokens: 0 });
    expect(message.usage.input_tokens).toBeGreaterThan(10);
    await expect(client.messages.create(params('x', { top_k: 5 }))).rejects.toBeInstanceOf(Anthropic.BadRequestError);

    const short = await client.messages.countTokens({ model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'a'.repeat(400) }] });
    const long = await client.messages.countTokens({ model: 'claude-haiku-4-5', system: 's'.repeat(400), messages: [{ role: 'user', content: 'a'.repeat(400) }] });
    expect(short.input_tokens).toBeGreaterThanOrEqual(100);
    expect(long.input_tokens).toBeGreaterThanOrEqual(short.input_tokens + 100);

    const cut = await client.messages.create({ ...params(article('word '.repeat(100))), max_tokens: 3 });
    expect(cut.stop_reason).toBe('max_tokens');
  });

  it('answers forced tool use with a schema-true sentiment object', async () => {
    const { client } = await start();
    const input_schema = {
      type: 'object' as const,
      properties: {
        sentiment: { type: 'string', enum: ['positive', 'negative', 'neutral'] },
        main_issue: { anyOf: [{ type: 'string' }, { type: 'null' }] },
        feature_request: { type: ['string', 'null'] },
        urgency: { type: 'string', enum: ['high', 'medium', 'low'] },
      },
      required: ['sentiment', 'main_issue', 'feature_request', 'urgency'],
      additionalProperties: false,
    };
    const review = 'Rating: 1 / 5\n<review>The app crashes every time I open a PDF and I lost my notes. Please add cloud backup.</review>';
    const message = await client.messages.create({ ...params(review), tools: [{ name: 'record_analysis', input_schema }], tool_choice: { type: 'tool', name: 'record_analysis' } });
    expect(message.stop_reason).toBe('tool_use');
    expect(message.content).toHaveLength(1);
    expect(message.content[0]).toMatchObject({
      type: 'tool_use',
      name: 'record_analysis',
      input: { sentiment: 'negative', urgency: 'high', feature_request: 'cloud backup' },
    });
    const input = (message.content[0] as { input: { main_issue: string } }).input;
    expect(input.main_issue).toMatch(/crashes/);
  });
});

describe('emulator: persistence and faults', () => {
  it('keeps batches across a restart with the same dataFile, and logs create calls', async () => {
    const dataFile = tempFile();
    const first = await start({ dataFile, batchDurationMs: 80 });
    const batch = await first.client.messages.batches.create({ requests: [{ custom_id: 'keep', params: params(article('Persisted batches survive restarts of the emulator process.')) }] });
    await first.emulator.close();

    const second = await start({ dataFile, batchDurationMs: 80 });
    expect((await waitEnded(second.client, batch.id)).request_counts.succeeded).toBe(1);
    const lines = await collect(second.client, batch.id);
    await second.emulator.close();

    const third = await start({ dataFile });
    expect(await collect(third.client, batch.id)).toEqual(lines);
    const data = JSON.parse(readFileSync(dataFile, 'utf8')) as EmulatorData;
    expect(data.creates).toEqual([{ at: expect.any(String), batchId: batch.id, requests: 1 }]);
    expect(data.batches[0]?.results).toHaveLength(1);
  });

  it('applies fault rules to the first N matching requests, counted across batches and restarts', async () => {
    const dataFile = tempFile();
    const faults = {
      rules: [
        { customIdPattern: '^flaky', outcome: 'errored' as const, errorType: 'overloaded_error', times: 1 },
        { promptIncludes: 'BAD-OUTPUT', outcome: 'text' as const, text: 'Sure! Here is a description: "x"' },
        { customIdPattern: '^gone', outcome: 'expired' as const },
      ],
    };
    const run = async () => {
      const { client, emulator } = await start({ dataFile, faults });
      const batch = await client.messages.batches.create({
        requests: [
          { custom_id: 'flaky-1', params: params('hello') },
          { custom_id: 'marker', params: params('hello BAD-OUTPUT') },
          { custom_id: 'gone-1', params: params('hello') },
        ],
      });
      await waitEnded(client, batch.id);
      const byId = new Map((await collect(client, batch.id)).map((l) => [l.custom_id, l.result]));
      await emulator.close();
      return byId;
    };
    const once = await run();
    expect(once.get('flaky-1')).toMatchObject({ type: 'errored', error: { error: { type: 'overloaded_error' } } });
    expect(once.get('marker')).toMatchObject({ type: 'succeeded', message: { content: [{ type: 'text', text: 'Sure! Here is a description: "x"' }] } });
    expect(once.get('gone-1')).toEqual({ type: 'expired' });
    const again = await run();
    expect(again.get('flaky-1')?.type).toBe('succeeded');
  });

  it('http_error faults: a retried sync call succeeds; a 5xx on create still made the batch (the duplicate risk)', async () => {
    const { emulator } = await start({
      faults: {
        rules: [
          { promptIncludes: 'SYNC-FLAKY', outcome: 'http_error', status: 529, times: 1 },
          { promptIncludes: 'CREATE-LOST', outcome: 'http_error', status: 500, times: 1 },
        ],
      },
    });
    const client = new Anthropic({ apiKey: 'test-key', baseURL: emulator.url, maxRetries: 1 });
    expect((await client.messages.create(params('SYNC-FLAKY hello'))).type).toBe('message');
    const batch = await client.messages.batches.create({ requests: [{ custom_id: 'a', params: params('CREATE-LOST') }] });
    const ids: string[] = [];
    for await (const b of client.messages.batches.list()) ids.push(b.id);
    expect(ids).toHaveLength(2);
    expect(ids[0]).toBe(batch.id);
  });

  it('reads the fault plan from BATCHMATTER_EMULATOR_FAULTS when none is given', async () => {
    process.env.BATCHMATTER_EMULATOR_FAULTS = JSON.stringify({ rules: [{ outcome: 'http_error', status: 429, times: 1 }] });
    try {
      const emulator = await startEmulator();
      running.push(emulator);
      const client = new Anthropic({ apiKey: 'k', baseURL: emulator.url, maxRetries: 0 });
      await expect(client.messages.create(params('x'))).rejects.toBeInstanceOf(Anthropic.RateLimitError);
      expect((await client.messages.create(params('x'))).type).toBe('message');
      process.env.BATCHMATTER_EMULATOR_FAULTS = '{"rules":[{"outcome":"explode"}]}';
      await expect(startEmulator()).rejects.toThrow(/fault plan/);
    } finally {
      delete process.env.BATCHMATTER_EMULATOR_FAULTS;
    }
  });
});
