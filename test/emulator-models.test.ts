import Anthropic, { APIError } from '@anthropic-ai/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { KNOWN_MODELS } from '../src/core/models.js';
import { startEmulator, type EmulatorOptions, type FaultRule, type RunningEmulator } from '../src/emulator/index.js';
import { collect, waitEnded } from './helpers/emulator.js';

const running: RunningEmulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.close()));
});

async function start(opts: EmulatorOptions = {}): Promise<{ emulator: RunningEmulator; client: Anthropic }> {
  const emulator = await startEmulator({ batchDurationMs: 40, faults: { rules: [] }, ...opts });
  running.push(emulator);
  return { emulator, client: new Anthropic({ apiKey: 'test-key', baseURL: emulator.url, maxRetries: 0 }) };
}

const params = (model: string, text = 'Describe prompt caching in one line.') => ({ model, max_tokens: 100, messages: [{ role: 'user' as const, content: text }] });

/** The API's 404 for a model it does not know, as the SDK raises it. */
async function expectUnknownModel(call: Promise<unknown>, name: string) {
  const error = await call.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(Anthropic.NotFoundError);
  expect((error as APIError).error).toMatchObject({ type: 'error', error: { type: 'not_found_error', message: `model: ${name}` } });
}

describe('emulator: the Models API through the real SDK', () => {
  it('lists the known models newest first, in the API shape, and pages like the batches list', async () => {
    const { client } = await start();
    const ids = KNOWN_MODELS.map((m) => m.id);
    const first = await client.models.list({ limit: 3 });
    expect(first.data.map((m) => m.id)).toEqual(ids.slice(0, 3));
    expect(first).toMatchObject({ has_more: true, first_id: ids[0], last_id: ids[2] });
    const haiku = await client.models.retrieve('claude-haiku-4-5-20251001');
    expect(haiku).toMatchObject({ type: 'model', id: 'claude-haiku-4-5-20251001', display_name: 'Claude Haiku 4.5', created_at: '2025-10-01T00:00:00Z', line: 'haiku' });

    const all = [];
    for await (const model of client.models.list({ limit: 2 })) all.push(model);
    expect(all.map((m) => m.id)).toEqual(ids);
    for (const [i, m] of all.entries()) expect(m.display_name).toBe(KNOWN_MODELS[i]!.displayName);
    // Newest first by created_at too: it never rises down the list.
    const times = all.map((m) => Date.parse(m.created_at));
    expect(times.every((t, i) => Number.isFinite(t) && (i === 0 || t <= times[i - 1]!))).toBe(true);

    expect((await client.models.list({ limit: 2, after_id: ids[4]! })).data.map((m) => m.id)).toEqual(ids.slice(5, 7));
    expect((await client.models.list({ limit: 2, before_id: ids[4]! })).data.map((m) => m.id)).toEqual(ids.slice(2, 4));
    await expect(client.models.list({ limit: 0 })).rejects.toBeInstanceOf(Anthropic.BadRequestError);
  });

  it('retrieves the model an alias or an id resolves to; an unknown name is 404 not_found_error', async () => {
    const { client } = await start();
    expect(await client.models.retrieve('claude-haiku-4-5')).toMatchObject({ id: 'claude-haiku-4-5-20251001', display_name: 'Claude Haiku 4.5' });
    expect(await client.models.retrieve('claude-sonnet-4-5')).toMatchObject({ id: 'claude-sonnet-4-5-20250929' });
    // No dated id is known for these: the alias is the id.
    expect(await client.models.retrieve('claude-opus-4-8')).toMatchObject({ id: 'claude-opus-4-8', display_name: 'Claude Opus 4.8', line: 'opus' });
    await expectUnknownModel(client.models.retrieve('claude-haiku-4.5'), 'claude-haiku-4.5');
    await expectUnknownModel(client.models.retrieve('Claude-Haiku-4-5'), 'Claude-Haiku-4-5');
  });

  it('also knows the names given in options.models, listed before the known ones', async () => {
    const { client } = await start({ models: ['my-fine-model', 'claude-haiku-4-5'] });
    expect(await client.models.retrieve('my-fine-model')).toMatchObject({ type: 'model', id: 'my-fine-model', display_name: 'my-fine-model' });
    const ids = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toEqual(['my-fine-model', ...KNOWN_MODELS.map((m) => m.id)]);
    const message = await client.messages.create(params('my-fine-model'));
    expect(message.model).toBe('my-fine-model');
  });
});

describe('emulator: unknown models are refused as the API refuses them', () => {
  it('answers Messages and count_tokens with 404 before any work: nothing billed, no fault use spent', async () => {
    const { client, emulator } = await start({ faults: { rules: [{ outcome: 'errored', errorType: 'overloaded_error', times: 1 }] } });
    await expectUnknownModel(client.messages.create(params('claude-haiku-4.5')), 'claude-haiku-4.5');
    await expectUnknownModel(client.messages.countTokens(params('claude-haku-4-5')), 'claude-haku-4-5');
    expect(emulator.ledger()).toEqual([]);
    // The fault rule's one use is still there for the first known-model call.
    await expect(client.messages.create(params('claude-haiku-4-5'))).rejects.toBeInstanceOf(Anthropic.InternalServerError);
    // An alias or a dated id works, and the answer names the model as the request did.
    expect((await client.messages.create(params('claude-haiku-4-5'))).model).toBe('claude-haiku-4-5');
    expect((await client.messages.create(params('claude-haiku-4-5-20251001'))).model).toBe('claude-haiku-4-5-20251001');
    expect((await client.messages.countTokens(params('claude-opus-4-8'))).input_tokens).toBeGreaterThan(0);
    expect(emulator.ledger()).toHaveLength(2);
  });

  it('accepts a batch, then errors each request for an unknown model (not_found_error, never billed)', async () => {
    const { client, emulator } = await start({ faults: { rules: [{ customIdPattern: '^typo-text$', outcome: 'text', text: 'billed?' }] } });
    const created = await client.messages.batches.create({
      requests: [
        { custom_id: 'known', params: params('claude-sonnet-4-6') },
        { custom_id: 'typo', params: params('claude-sonnet-4.6') },
        // A fault's answer does not rescue a model that does not exist.
        { custom_id: 'typo-text', params: params('gpt-4o') },
      ],
    });
    expect(created.request_counts.processing).toBe(3);
    const ended = await waitEnded(client, created.id);
    expect(ended.request_counts).toMatchObject({ succeeded: 1, errored: 2 });
    const results = new Map((await collect(client, created.id)).map((l) => [l.custom_id, l.result]));
    expect(results.get('known')).toMatchObject({ type: 'succeeded', message: { model: 'claude-sonnet-4-6' } });
    expect(results.get('typo')).toEqual({ type: 'errored', error: { type: 'error', error: { type: 'not_found_error', message: 'model: claude-sonnet-4.6' }, request_id: null } });
    expect(results.get('typo-text')).toMatchObject({ type: 'errored', error: { error: { type: 'not_found_error', message: 'model: gpt-4o' } } });
    expect(emulator.ledger().map((e) => e.custom_id)).toEqual(['known']);
  });
});

describe('emulator: fault rules on the Models endpoints', () => {
  it('answers models_list and models_retrieve with the chosen HTTP error, then normally', async () => {
    const rules: FaultRule[] = [
      { endpoint: 'models_list', outcome: 'http_error', status: 529, times: 1 },
      { endpoint: 'models_retrieve', outcome: 'http_error', status: 500, times: 1 },
    ];
    const { client } = await start({ faults: { rules } });
    await expect(client.models.list()).rejects.toBeInstanceOf(Anthropic.OverloadedError);
    await expect(client.models.retrieve('claude-haiku-4-5')).rejects.toBeInstanceOf(Anthropic.InternalServerError);
    expect((await client.models.list()).data.length).toBe(KNOWN_MODELS.length);
    expect((await client.models.retrieve('claude-haiku-4-5')).id).toBe('claude-haiku-4-5-20251001');
  });

  it('drops the connection on a disconnect rule', async () => {
    const { client } = await start({ faults: { rules: [{ endpoint: 'models_retrieve', outcome: 'disconnect', times: 1 }] } });
    await expect(client.models.retrieve('claude-haiku-4-5')).rejects.toBeInstanceOf(Anthropic.APIConnectionError);
    expect((await client.models.retrieve('claude-haiku-4-5')).id).toBe('claude-haiku-4-5-20251001');
  });

  it.each([
    [{ endpoint: 'models_list', outcome: 'http_error', promptIncludes: 'x' }, /rules\.0\.promptIncludes: models_list calls carry no prompt/],
    [{ endpoint: 'models_retrieve', outcome: 'http_error', customIdPattern: 'x' }, /rules\.0\.customIdPattern/],
    [{ endpoint: 'models_retrieve', outcome: 'errored' }, /rules\.0\.outcome: with endpoint, outcome must be http_error or disconnect/],
    [{ endpoint: 'models', outcome: 'http_error' }, /rules\.0\.endpoint/],
  ])('refuses the plan %j', async (rule, message) => {
    await expect(startEmulator({ faults: { rules: [rule as FaultRule] } })).rejects.toThrow(message);
  });
});
