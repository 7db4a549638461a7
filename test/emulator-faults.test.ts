import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Anthropic, { APIError } from '@anthropic-ai/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type EmulatorData, type EmulatorOptions, type FaultRule, type LedgerEntry, type RunningEmulator } from '../src/emulator/index.js';
import { isLoopbackAddress, promptDigest } from '../src/emulator/ledger.js';
import { collect, waitEnded } from './helpers/emulator.js';

const running: RunningEmulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.close()));
});

async function start(opts: EmulatorOptions = {}, maxRetries = 0) {
  const emulator = await startEmulator({ batchDurationMs: 40, faults: { rules: [] }, ...opts });
  running.push(emulator);
  return { emulator, client: new Anthropic({ apiKey: 'test-key', baseURL: emulator.url, maxRetries }) };
}

const params = (text: string) => ({ model: 'claude-haiku-4-5', max_tokens: 100, messages: [{ role: 'user' as const, content: text }] });
const requests = (n: number, prefix = 'r') => Array.from({ length: n }, (_, i) => ({ custom_id: `${prefix}${i}`, params: params(`Request ${i} about caching.`) }));
const tempFile = () => path.join(mkdtempSync(path.join(tmpdir(), 'batchmatter-faults-')), 'emulator.json');

/** Runs one batch to its end; custom_id → result type. */
async function outcomes(client: Anthropic, batch: { custom_id: string; params: object }[]): Promise<Map<string, string>> {
  const created = await client.messages.batches.create({ requests: batch as never });
  await waitEnded(client, created.id);
  return new Map((await collect(client, created.id)).map((l) => [l.custom_id, l.result.type]));
}

const ids = (m: Map<string, string>, type: string) => [...m].filter(([, t]) => t === type).map(([id]) => id).sort();

describe('emulator faults: per-request rates', () => {
  it('errors or expires a seeded share of requests, the same custom_ids every time', async () => {
    const rules: FaultRule[] = [
      { customIdPattern: '^e', outcome: 'errored', errorType: 'overloaded_error', rate: 0.3, seed: 'one' },
      { customIdPattern: '^x', outcome: 'expired', rate: 0.3, seed: 'one' },
    ];
    const { client } = await start({ faults: { rules } });
    const batch = [...requests(50, 'e'), ...requests(50, 'x')];
    const first = await outcomes(client, batch);
    const errored = ids(first, 'errored');
    const expired = ids(first, 'expired');
    expect(errored.length).toBeGreaterThan(5);
    expect(errored.length).toBeLessThan(30);
    expect(errored.every((id) => id.startsWith('e'))).toBe(true);
    expect(expired.length).toBeGreaterThan(5);
    expect(expired.every((id) => id.startsWith('x'))).toBe(true);
    // Another batch, and another emulator with the same plan: the same decisions.
    expect(await outcomes(client, batch)).toEqual(first);
    const again = await start({ faults: { rules } });
    expect(await outcomes(again.client, batch)).toEqual(first);
    // Another seed: another share.
    const other = await start({ faults: { rules: [{ ...rules[0]!, seed: 'two' }] } });
    expect(ids(await outcomes(other.client, batch), 'errored')).not.toEqual(errored);
  });

  it('combines rate with times, and draws synchronous calls by their number', async () => {
    const { client } = await start({ faults: { rules: [{ outcome: 'errored', rate: 0.5, seed: 's', times: 3 }] } });
    const first = await outcomes(client, requests(40));
    expect(ids(first, 'errored')).toHaveLength(3);
    // The three uses are spent: synchronous calls now all succeed.
    for (let i = 0; i < 5; i++) expect((await client.messages.create(params('hello'))).type).toBe('message');

    const sync = await start({ faults: { rules: [{ outcome: 'http_error', status: 500, rate: 0.5, seed: 's' }] } });
    const results = [];
    for (let i = 0; i < 30; i++) results.push(await sync.client.messages.create(params('same prompt')).then(() => 'ok', (e: unknown) => (e as APIError).status));
    expect(results).toContain('ok');
    expect(results).toContain(500);
  });
});

describe('emulator faults: HTTP errors on any endpoint', () => {
  it('answers the chosen status on every endpoint, in the API error shape', async () => {
    // An ended batch to call on, made before the faults are switched on (a restart on the same data).
    const dataFile = tempFile();
    const seeded = await start({ dataFile, batchDurationMs: 0 });
    const ended = await seeded.client.messages.batches.create({ requests: requests(2) });
    await waitEnded(seeded.client, ended.id);
    await seeded.emulator.close();
    const calls: Record<string, (c: Anthropic) => Promise<unknown>> = {
      create: (c) => c.messages.batches.create({ requests: requests(1) }),
      retrieve: (c) => c.messages.batches.retrieve(ended.id),
      list: (c) => c.messages.batches.list(),
      results: (c) => collect(c, ended.id),
      cancel: (c) => c.messages.batches.cancel(ended.id),
      delete: (c) => c.messages.batches.delete(ended.id),
      messages: (c) => c.messages.create(params('hi')),
      count_tokens: (c) => c.messages.countTokens({ model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'hi' }] }),
    };
    const statuses = [500, 529, 503, 429, 500, 529, 429, 500];
    const rules = Object.keys(calls).map((endpoint, i): FaultRule => ({ endpoint: endpoint as FaultRule['endpoint'], outcome: 'http_error', status: statuses[i]!, times: 1 }));
    const { client } = await start({ dataFile, faults: { rules } });
    for (const [i, [endpoint, call]] of Object.entries(calls).entries()) {
      const error = await call(client).then(() => undefined, (e: unknown) => e);
      expect(error, endpoint).toBeInstanceOf(Anthropic.APIError);
      expect((error as APIError).status, endpoint).toBe(statuses[i]);
      if (statuses[i] === 529) expect(error, endpoint).toBeInstanceOf(Anthropic.OverloadedError);
    }
    // Each rule had one use: every call works now (delete last, it removes the batch).
    for (const call of Object.values(calls)) await call(client);
  });

  it('sends retry-after as asked, which the SDK honours; the body is {type, error, request_id}', async () => {
    const { emulator } = await start({ faults: { rules: [{ endpoint: 'list', outcome: 'http_error', status: 429, retryAfter: 1, times: 2 }] } });
    const raw = await fetch(`${emulator.url}/v1/messages/batches`, { headers: { 'x-api-key': 'k' } });
    expect(raw.status).toBe(429);
    expect(raw.headers.get('retry-after')).toBe('1');
    expect(raw.headers.get('retry-after-ms')).toBeNull();
    const body = (await raw.json()) as { request_id: string };
    expect(body).toEqual({ type: 'error', error: { type: 'rate_limit_error', message: expect.any(String) }, request_id: raw.headers.get('request-id') });
    expect(body.request_id).toMatch(/^req_/);

    const client = new Anthropic({ apiKey: 'k', baseURL: emulator.url, maxRetries: 1 });
    const started = Date.now();
    expect((await client.messages.batches.list()).data).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('refuses a create before storing it, unless accepted: true (then the batch exists)', async () => {
    const { client } = await start({
      faults: {
        rules: [
          { endpoint: 'create', outcome: 'http_error', status: 529, times: 1 },
          { endpoint: 'create', promptIncludes: 'KEEP', outcome: 'http_error', status: 500, accepted: true, times: 1 },
        ],
      },
    });
    await expect(client.messages.batches.create({ requests: requests(3) })).rejects.toBeInstanceOf(Anthropic.OverloadedError);
    expect((await client.messages.batches.list()).data).toHaveLength(0);
    await expect(client.messages.batches.create({ requests: [{ custom_id: 'k', params: params('KEEP me') }] })).rejects.toBeInstanceOf(Anthropic.InternalServerError);
    const listed = (await client.messages.batches.list()).data;
    expect(listed).toHaveLength(1);
    expect(listed[0]?.request_counts.processing).toBe(1);
  });
});

describe('emulator faults: lost answers and cut streams', () => {
  it('a create whose answer is lost: the SDK sees a connection error, the batch exists once', async () => {
    const dataFile = tempFile();
    const { client } = await start({ dataFile, faults: { rules: [{ endpoint: 'create', outcome: 'disconnect', times: 1 }] } });
    const lost = await client.messages.batches.create({ requests: requests(4) }).catch((e: unknown) => e);
    expect(lost).toBeInstanceOf(Anthropic.APIConnectionError);
    const listed = (await client.messages.batches.list()).data;
    expect(listed).toHaveLength(1);
    expect(listed[0]?.request_counts.processing).toBe(4);
    expect((JSON.parse(readFileSync(dataFile, 'utf8')) as EmulatorData).creates).toHaveLength(1);
    // The next create answers normally.
    await client.messages.batches.create({ requests: requests(1) });
    expect((await client.messages.batches.list()).data).toHaveLength(2);
  });

  it('a synchronous answer lost on the way back is billed, and billed again when the SDK retries', async () => {
    const { client, emulator } = await start({ faults: { rules: [{ endpoint: 'messages', outcome: 'disconnect', times: 1 }] } }, 1);
    const message = await client.messages.create(params('Describe the cache.'));
    expect(message.type).toBe('message');
    const ledger = emulator.ledger();
    expect(ledger).toHaveLength(2);
    expect(ledger.map((e) => e.prompt_digest)).toEqual([promptDigest(params('Describe the cache.')), promptDigest(params('Describe the cache.'))]);
  });

  it('cuts a results stream after N lines once; the next download is whole', async () => {
    const { client } = await start({ faults: { rules: [{ endpoint: 'results', outcome: 'disconnect', afterLines: 3, times: 1 }] } });
    const batch = await client.messages.batches.create({ requests: requests(10) });
    await waitEnded(client, batch.id);
    const partial: string[] = [];
    const cut = await (async () => {
      for await (const line of await client.messages.batches.results(batch.id)) partial.push(line.custom_id);
    })().catch((e: unknown) => e);
    expect(cut).toBeInstanceOf(TypeError);
    expect((cut as Error).message).toBe('terminated');
    expect(partial).toHaveLength(3);
    const whole = await collect(client, batch.id);
    expect(whole).toHaveLength(10);
    expect(whole.slice(0, 3).map((l) => l.custom_id)).toEqual(partial);
  });

  it('cuts right after the headers with afterLines 0 (the default)', async () => {
    const { client } = await start({ faults: { rules: [{ endpoint: 'results', outcome: 'disconnect', times: 1 }] } });
    const batch = await client.messages.batches.create({ requests: requests(2) });
    await waitEnded(client, batch.id);
    await expect(collect(client, batch.id)).rejects.toThrow('terminated');
    expect(await collect(client, batch.id)).toHaveLength(2);
  });
});

describe('emulator faults: results retention and slow batches', () => {
  it('results 404 after ended_at + resultsRetentionMs; retrieve still works', async () => {
    let now = Date.parse('2026-11-01T10:00:00Z');
    const { client } = await start({ now: () => now, batchDurationMs: 1000, resultsRetentionMs: 5000 });
    const batch = await client.messages.batches.create({ requests: requests(2) });
    now += 1000;
    expect((await client.messages.batches.retrieve(batch.id)).processing_status).toBe('ended');
    now += 4999;
    expect(await collect(client, batch.id)).toHaveLength(2);
    now += 1;
    const gone = await collect(client, batch.id).catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(Anthropic.NotFoundError);
    expect(gone).toMatchObject({ status: 404, type: 'not_found_error' });
    expect((await client.messages.batches.retrieve(batch.id)).results_url).toMatch(/\/results$/);
  });

  it('takes resultsRetentionMs from the plan and the batch duration from BATCHMATTER_EMULATOR_BATCH_MS', async () => {
    let now = Date.parse('2026-11-01T10:00:00Z');
    process.env.BATCHMATTER_EMULATOR_FAULTS = JSON.stringify({ rules: [], resultsRetentionMs: 0 });
    process.env.BATCHMATTER_EMULATOR_BATCH_MS = '5000';
    try {
      const emulator = await startEmulator({ now: () => now });
      running.push(emulator);
      const client = new Anthropic({ apiKey: 'k', baseURL: emulator.url, maxRetries: 0 });
      const batch = await client.messages.batches.create({ requests: requests(1) });
      now += 4999;
      expect((await client.messages.batches.retrieve(batch.id)).processing_status).toBe('in_progress');
      now += 1;
      expect((await client.messages.batches.retrieve(batch.id)).processing_status).toBe('ended');
      await expect(collect(client, batch.id)).rejects.toBeInstanceOf(Anthropic.NotFoundError);
    } finally {
      delete process.env.BATCHMATTER_EMULATOR_FAULTS;
      delete process.env.BATCHMATTER_EMULATOR_BATCH_MS;
    }
  });
});

describe('emulator: the ledger of billed requests', () => {
  it('lists succeeded batch requests and answered sync calls, once, with stable digests; persisted; served on loopback', async () => {
    const dataFile = tempFile();
    const { client, emulator } = await start({ dataFile, faults: { rules: [{ customIdPattern: '^r1$', outcome: 'expired' }] } });
    const batch = await client.messages.batches.create({
      requests: [...requests(3), { custom_id: 'bad', params: { ...params('x'), temperature: 1 } as never }],
    });
    await waitEnded(client, batch.id);
    await collect(client, batch.id);
    await collect(client, batch.id); // downloads are not billing events
    // Same params, other key order: same digest.
    const reordered = { messages: [{ content: 'Request 0 about caching.', role: 'user' as const }], max_tokens: 100, model: 'claude-haiku-4-5' };
    await client.messages.create(reordered);
    await expect(client.messages.create({ ...params('y'), top_k: 3 } as never)).rejects.toBeInstanceOf(Anthropic.BadRequestError);

    const ledger = emulator.ledger();
    expect(ledger.map((e) => [e.kind, e.custom_id, e.batch_id]).sort()).toEqual([
      ['batch', 'r0', batch.id],
      ['batch', 'r2', batch.id],
      ['sync', null, null],
    ]);
    const digestOf = (e: LedgerEntry | undefined) => e?.prompt_digest;
    expect(digestOf(ledger.find((e) => e.custom_id === 'r0'))).toBe(digestOf(ledger.find((e) => e.kind === 'sync')));
    expect(digestOf(ledger[0])).toMatch(/^[0-9a-f]{64}$/);
    expect(ledger.every((e) => !Number.isNaN(Date.parse(e.at)))).toBe(true);

    const served = await fetch(`${emulator.url}/_emulator/ledger`);
    expect(served.status).toBe(200);
    expect(await served.json()).toEqual({ data: ledger });
    expect((await fetch(`${emulator.url}/_emulator/nothing`)).status).toBe(404);
    expect((JSON.parse(readFileSync(dataFile, 'utf8')) as EmulatorData).ledger).toEqual(ledger);
    await emulator.close();
    const restarted = await start({ dataFile });
    expect(restarted.emulator.ledger()).toEqual(ledger);
    expect(isLoopbackAddress('::ffff:127.0.0.1')).toBe(true);
    expect(isLoopbackAddress('192.168.1.4')).toBe(false);
  });
});

describe('emulator faults: the plan is checked', () => {
  it.each([
    [{ endpoint: 'retrieve', outcome: 'errored' }, /rules\.0\.outcome: with endpoint, outcome must be http_error or disconnect/],
    [{ outcome: 'disconnect' }, /rules\.0\.outcome: disconnect needs an endpoint/],
    [{ endpoint: 'retrieve', outcome: 'http_error', promptIncludes: 'x' }, /rules\.0\.promptIncludes: retrieve calls carry no prompt/],
    [{ endpoint: 'messages', outcome: 'http_error', customIdPattern: 'x' }, /rules\.0\.customIdPattern/],
    [{ endpoint: 'create', outcome: 'disconnect', afterLines: 2 }, /rules\.0\.afterLines/],
    [{ endpoint: 'retrieve', outcome: 'http_error', accepted: true }, /rules\.0\.accepted/],
    [{ outcome: 'expired', retryAfter: 1 }, /rules\.0\.retryAfter/],
    [{ outcome: 'errored', seed: 'x' }, /rules\.0\.seed: only used with rate/],
    [{ outcome: 'errored', rate: 1.5 }, /rules\.0\.rate/],
    [{ endpoint: 'upload', outcome: 'http_error' }, /rules\.0\.endpoint/],
  ])('refuses %j', async (rule, message) => {
    await expect(startEmulator({ faults: { rules: [rule as FaultRule] } })).rejects.toThrow(message);
  });
});
