import type { Message } from '@anthropic-ai/sdk/resources/messages';
import { describe, expect, it } from 'vitest';
import { baseId, CUSTOM_ID_PATTERN, customId, projectOf, projectTag } from '../src/core/custom-id.js';
import { estimateCost, estimateInputTokens } from '../src/core/cost.js';
import { buildParams } from '../src/core/request.js';
import { compileTemplate, sameForEveryFile } from '../src/core/template.js';
import { judgeResult } from '../src/core/validate.js';
import { chunkRequests } from '../src/pipeline/submit.js';
import type { PlannedRequest } from '../src/core/plan.js';
import { makeTask } from './helpers/task.js';

const description = makeTask('description', {
  field: 'description',
  output: { type: 'text', maxLength: 40, minLength: 10, singleLine: true, forbidPrefixes: ['In this article'] },
});
const sentiment = makeTask('sentiment', {
  field: 'analysis',
  output: {
    type: 'json',
    schema: { type: 'object', properties: { sentiment: { enum: ['positive', 'negative'] }, issue: { type: ['string', 'null'] } }, required: ['sentiment', 'issue'], additionalProperties: false },
  },
});

function message(content: Message['content'], stop_reason: Message['stop_reason'] = 'end_turn'): Message {
  return { id: 'msg_1', type: 'message', role: 'assistant', model: 'm', content, stop_reason, stop_sequence: null, usage: { input_tokens: 1, output_tokens: 1 } } as Message;
}
const text = (t: string, stop: Message['stop_reason'] = 'end_turn') => ({ type: 'succeeded' as const, message: message([{ type: 'text', text: t, citations: null }], stop) });

describe('judgeResult', () => {
  it('accepts a valid text answer, trimmed', () => {
    expect(judgeResult(description, text('  A fine short description.\n'))).toEqual({ ok: true, value: 'A fine short description.', notes: [] });
  });

  it.each([
    ['x'.repeat(41), 'expected at most 40 characters, got 41'],
    ['too short', 'expected at least 10 characters, got 9'],
    ['two lines\nare not one', 'expected a single line, got several'],
    ['in this Article we look', 'must not start with "In this article"'],
    ['   ', 'empty answer'],
    ['In this article\nwe look at it all', 'expected a single line, got several; must not start with "In this article"'],
  ])('rejects %j', (answer, reason) => {
    expect(judgeResult(description, text(answer))).toMatchObject({ ok: false, reason, retryable: true });
  });

  it('counts characters, not UTF-16 units', () => {
    expect(judgeResult(description, text('😀'.repeat(40))).ok).toBe(true);
  });

  it('never accepts an answer cut at max_tokens or a refusal', () => {
    expect(judgeResult(description, text('A fine short description.', 'max_tokens'))).toMatchObject({ ok: false, reason: /max_tokens/ });
    expect(judgeResult(description, text('A fine short description.', 'refusal'))).toMatchObject({ ok: false, reason: 'the model refused' });
  });

  it('maps errored, expired and canceled; invalid requests are not retried blindly', () => {
    const errored = (type: string) => ({ type: 'errored' as const, error: { type: 'error' as const, request_id: null, error: { type, message: 'boom' } } }) as never;
    expect(judgeResult(description, errored('overloaded_error'))).toEqual({ ok: false, reason: 'API error overloaded_error: boom', retryable: true });
    expect(judgeResult(description, errored('invalid_request_error'))).toMatchObject({ retryable: false });
    expect(judgeResult(description, { type: 'expired' })).toMatchObject({ ok: false, retryable: true });
    expect(judgeResult(description, { type: 'canceled' })).toMatchObject({ ok: false, retryable: true });
  });

  it('validates the tool input of JSON tasks on our side', () => {
    const call = (input: unknown) => ({ type: 'succeeded' as const, message: message([{ type: 'tool_use', id: 't', name: 'record_sentiment', input, caller: undefined } as never], 'tool_use') });
    expect(judgeResult(sentiment, call({ sentiment: 'negative', issue: null }))).toEqual({ ok: true, value: { sentiment: 'negative', issue: null }, notes: [] });
    expect(judgeResult(sentiment, call({ sentiment: 'angry', issue: null }))).toMatchObject({ ok: false, reason: /sentiment: must be equal to one of the allowed values/ });
    expect(judgeResult(sentiment, text('I cannot tell.'))).toMatchObject({ ok: false, reason: /expected a record_sentiment tool call, got text/, answer: 'I cannot tell.' });
  });

  it('takes JSON from a fence or from prose when the model answered in text, and still checks the schema', () => {
    expect(judgeResult(sentiment, text('Here it is:\n```json\n{"sentiment":"negative","issue":"crash"}\n```'))).toEqual({
      ok: true,
      value: { sentiment: 'negative', issue: 'crash' },
      notes: ['took the JSON object from a code fence in a text answer'],
    });
    expect(judgeResult(sentiment, text('Sure! {"sentiment":"positive","issue":null} Hope that helps.'))).toMatchObject({ ok: true, notes: ['took the JSON object from a text answer'] });
    expect(judgeResult(sentiment, text('{"sentiment":"negative"}'))).toMatchObject({ ok: false, reason: /schema/, answer: '{"sentiment":"negative"}' });
  });

  it.each([
    ['"A fine short description."', 'A fine short description.', ['removed the quotes around the answer']],
    ['“A fine short description.”', 'A fine short description.', ['removed the quotes around the answer']],
    ['Meta description: A fine short description.', 'A fine short description.', ['removed the label "Meta description:"']],
    ['**Description:** "A fine short description."', 'A fine short description.', ['removed the label "**Description:**"', 'removed the quotes around the answer']],
    ['SEO description - A fine short description.', 'A fine short description.', ['removed the label "SEO description -"']],
    ['Description-driven specs.', 'Description-driven specs.', []],
    ['Summary—cache hit ratios.', 'Summary—cache hit ratios.', []],
    ['Summary — cache hit ratios.', 'cache hit ratios.', ['removed the label "Summary —"']],
  ])('repairs %j and reports it', (answer, value, notes) => {
    expect(judgeResult(description, text(answer))).toEqual({ ok: true, value, notes });
  });

  it.each([
    ['"Quoted" first, then more.'],
    ['Descriptions matter: a fine one here.'],
  ])('leaves %j alone', (answer) => {
    expect(judgeResult(description, text(answer))).toMatchObject({ ok: true, value: answer, notes: [] });
  });

  it('rejects answers matching forbidPatterns, keeping the answer for the re-ask', () => {
    const task = makeTask('d', { field: 'description', output: { type: 'text', forbidPatterns: ['click here', /\bTODO\b/] } });
    expect(judgeResult(task, text('Please Click Here for more.'))).toEqual({ ok: false, reason: 'must not match /click here/iu', retryable: true, answer: 'Please Click Here for more.' });
    expect(judgeResult(task, text('TODO write this'))).toMatchObject({ ok: false, reason: 'must not match /\\bTODO\\b/' });
    expect(judgeResult(task, text('Fine.'))).toMatchObject({ ok: true });
  });
});

describe('prompt caching', () => {
  it('marks a system prompt long enough to be cached, and leaves a short one a plain string', () => {
    const base = makeTask('description', { field: 'description', output: { type: 'text' } });
    const withSystem = (text: string, model = 'claude-haiku-4-5') => ({ ...base, model, system: compileTemplate(text, 'system.hbs'), systemShared: sameForEveryFile(text) });
    const long = 'Write for developers. '.repeat(800); // ~4,400 tokens at 4 characters a token
    expect(buildParams(withSystem(long), { title: 'T', excerpt: 'E' }).system).toEqual([
      { type: 'text', text: long.trim(), cache_control: { type: 'ephemeral', ttl: '1h' } },
    ]);
    expect(buildParams(withSystem('Short house style.'), { title: 'T', excerpt: 'E' }).system).toBe('Short house style.');
    // Sonnet caches from about 1,024 tokens, Haiku only from about 4,096.
    const medium = 'Write for developers. '.repeat(250);
    expect(buildParams(withSystem(medium), { title: 'T', excerpt: 'E' }).system).toBe(medium.trim());
    expect(Array.isArray(buildParams(withSystem(medium, 'claude-sonnet-4-6'), { title: 'T', excerpt: 'E' }).system)).toBe(true);
  });

  it('leaves unmarked a system prompt that differs per file: each request would pay a cache write (2x input) and none would read it', () => {
    const base = makeTask('description', { field: 'description', output: { type: 'text', maxLength: 160 } });
    const long = 'Write for developers. '.repeat(800);
    for (const perFile of ['Page: {{title}}. ', 'Page: {{data.title}}. ', '{{#each tags}}{{this}} {{/each}}', 'Root: {{@root.title}}. ']) {
      const task = { ...base, system: compileTemplate(perFile + long, 'system.hbs'), systemShared: sameForEveryFile(perFile + long) };
      expect(typeof buildParams(task, { title: 'T', excerpt: 'E', data: { title: 'T' }, tags: ['a'] }).system, perFile).toBe('string');
    }
    // The task's own settings are the same for every file: still cached.
    const shared = 'At most {{output.maxLength}} characters for {{field}}. ' + long;
    expect(Array.isArray(buildParams({ ...base, system: compileTemplate(shared, 'system.hbs'), systemShared: sameForEveryFile(shared) }, { title: 'T', excerpt: 'E', output: { maxLength: 160 }, field: 'description' }).system)).toBe(true);
  });

  it('counts a JSON task\'s tool definition in the cached prefix, which it precedes', () => {
    const schema = { type: 'object', properties: Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`property_${i}`, { type: 'string', description: 'A property the model fills in with a sentence about the review. '.repeat(2) }])) };
    const json = makeTask('analysis', { field: 'analysis', output: { type: 'json', schema } });
    const system = 'Write for developers. '.repeat(120); // ~660 tokens alone: under Sonnet's 1,024
    const task = { ...json, model: 'claude-sonnet-4-6', system: compileTemplate(system, 'system.hbs'), systemShared: true };
    expect(Array.isArray(buildParams(task, { title: 'T', excerpt: 'E' }).system)).toBe(true);
    expect(typeof buildParams({ ...task, schema: undefined }, { title: 'T', excerpt: 'E' }).system).toBe('string');
  });
});

describe('re-asking', () => {
  it('quotes the refused answer and the reason in the retried prompt', () => {
    const task = makeTask('description', { field: 'description', output: { type: 'text' } });
    const params = buildParams(task, { title: 'T', excerpt: 'E' }, { answer: 'In this article we look', reason: 'must not start with "In this article"' });
    const prompt = params.messages[0]!.content as string;
    expect(prompt).toMatch(/^Title: T\n<excerpt>E<\/excerpt>\n\nA previous answer/);
    expect(prompt).toContain('<previous_answer>\nIn this article we look\n</previous_answer>\nWhy it was refused: must not start with "In this article".');
    expect(buildParams(task, { title: 'T', excerpt: 'E' }).messages[0]!.content).toBe('Title: T\n<excerpt>E</excerpt>');
  });
});

describe('custom ids, chunks, cost', () => {
  it('derives API-valid custom_ids from the request, never from the path, and knows its own project by them', () => {
    const tag = projectTag('examples/blog', '.batchmatter/state.json');
    const ids = Array.from({ length: 5000 }, (_, i) => customId(tag, i % 2 ? 'description' : 'sentiment', `hash${i}`));
    expect(new Set(ids).size).toBe(5000);
    for (const id of ids) {
      expect(id).toMatch(CUSTOM_ID_PATTERN);
      expect(projectOf(id)).toBe(tag);
    }
    // The same request, the same id: a batch found without the state file maps back by planning again.
    expect(customId(tag, 'description', 'hash1')).toBe(ids[1]);
    expect(customId(tag, 'sentiment', 'hash1')).not.toBe(ids[1]);
    const twice = customId(tag, 'description', 'hash1', 7);
    expect(twice).toMatch(CUSTOM_ID_PATTERN);
    expect([projectOf(twice), baseId(twice)]).toEqual([tag, ids[1]]);
    expect(projectTag('site/content', '.batchmatter/state.json')).not.toBe(tag);
    expect(projectOf('other_0')).toBeUndefined();
    expect(projectOf('bm_a1b2c3d4e5f6_0')).toBeUndefined(); // the old nonce form: not a request's digest
  });

  const request = (i: number, size = 10, model = 'claude-haiku-4-5'): PlannedRequest => {
    const params = { model, max_tokens: 100, messages: [{ role: 'user' as const, content: 'x'.repeat(size) }] };
    return { key: `t:${i}`, task: 't', file: `${i}.md`, planHash: 'h', requestHash: 'r', attempts: 0, reasks: false, params, model, maxTokens: 100, inputTokens: estimateInputTokens(params) };
  };

  it('splits by count and by bytes', () => {
    expect(chunkRequests(Array.from({ length: 5 }, (_, i) => request(i)), 2).map((c) => c.length)).toEqual([2, 2, 1]);
    expect(chunkRequests(Array.from({ length: 4 }, (_, i) => request(i, 1000)), 100, 2500).map((c) => c.length)).toEqual([2, 2]);
  });

  it('estimates batch cost at half the synchronous price', () => {
    const [estimate] = estimateCost([request(1, 4000), request(2, 4000)], {});
    expect(estimate?.requests).toBe(2);
    expect(estimate?.batchUsd).toBeCloseTo(estimate!.syncUsd! / 2, 10);
    expect(estimate?.outputTokens).toBe(100);
    expect(estimateCost([request(1, 10, 'unknown-model')], {})[0]?.batchUsd).toBeUndefined();
  });
});
