import { describe, expect, it } from 'vitest';
import { checkFiles } from '../src/core/check.js';
import { plan, problemSkips } from '../src/core/plan.js';
import { emptyState, itemKey, type ItemState } from '../src/core/state.js';
import { parseScanned } from '../src/io/scan-parse.js';
import { makeTask } from './helpers/task.js';

const description = makeTask('description', { include: 'posts/**', field: 'description', output: { type: 'text', maxLength: 160 } });
const file = (rel: string, text: string) => parseScanned(rel, `/site/${rel}`, text, () => [1000]);

const posts = [
  file('posts/a.md', '---\ntitle: A\n---\nAlpha body.\n'),
  file('posts/b.md', '---\ntitle: B\ndescription: Written by a human.\n---\nBeta body.\n'),
  file('posts/c.md', '---\ntitle: C\ndescription: ""\n---\nGamma body.\n'),
  file('reviews/r.md', '---\nrating: 2\n---\nMeh.\n'),
  file('posts/broken.md', '---\ntitle: [unclosed\n---\nx\n'),
];

describe('plan', () => {
  it('plans only missing fields in the files the task includes, and says why others are skipped', () => {
    const result = plan([description], posts, emptyState(), { maxRetries: 2 });
    expect(result.requests.map((r) => r.file)).toEqual(['posts/a.md', 'posts/c.md']);
    expect(result.skips.map((s) => [s.file, s.reason])).toEqual([
      ['posts/b.md', 'has-value'],
      ['posts/broken.md', 'unreadable'],
    ]);
  });

  it('reports a key that differs only in case instead of adding a second one, unless told to ignore it', () => {
    const files = [file('posts/d.md', '---\ntitle: D\nDescription: Human.\n---\nx\n'), file('posts/e.md', '---\ntitle: E\nSEO:\n  Description: Human.\n---\nx\n')];
    const nested = makeTask('seo', { include: 'posts/**', field: 'SEO.description', output: { type: 'text' } });
    const result = plan([description, nested], files, emptyState(), { maxRetries: 2 });
    expect(result.requests.map((r) => `${r.task} ${r.file}`)).toEqual(['description posts/e.md', 'seo posts/d.md']);
    expect(result.skips.map((s) => [s.task, s.file, s.reason, s.detail?.replace(/;.*/, '')])).toEqual([
      ['description', 'posts/d.md', 'case-variant', 'has "Description", which differs from "description" only in case'],
      ['seo', 'posts/e.md', 'case-variant', 'has "SEO.Description", which differs from "SEO.description" only in case'],
    ]);
    const lenient = makeTask('description', { include: 'posts/**', field: 'description', caseVariants: 'ignore', output: { type: 'text' } });
    expect(plan([lenient], files, emptyState(), { maxRetries: 2 }).requests.map((r) => r.file)).toEqual(['posts/d.md', 'posts/e.md']);
  });

  it('renders the template with front matter and excerpt into a Messages body', () => {
    const [request] = plan([description], posts, emptyState(), { maxRetries: 2 }).requests;
    expect(request?.params).toEqual({
      model: 'claude-haiku-4-5',
      max_tokens: 400,
      messages: [{ role: 'user', content: 'Title: A\n<excerpt>Alpha body.</excerpt>' }],
    });
    expect(request?.planHash).toBe(posts[0]?.hash);
  });

  it('skips work in flight, answered, applied or failed for good; retries what may still succeed', () => {
    const state = emptyState();
    const base = (file: string, status: ItemState['status'], extra: Partial<ItemState> = {}): ItemState => ({
      task: 'description',
      file,
      planHash: posts.find((p) => p.rel === file)!.hash,
      requestHash: 'x',
      status,
      attempts: 1,
      ...extra,
    });
    state.items[itemKey('description', 'posts/a.md')] = base('posts/a.md', 'submitted');
    state.items[itemKey('description', 'posts/c.md')] = base('posts/c.md', 'failed', { retryable: true, attempts: 1 });
    let result = plan([description], posts, state, { maxRetries: 2 });
    expect(result.requests.map((r) => [r.file, r.attempts])).toEqual([['posts/c.md', 1]]);
    expect(result.skips.find((s) => s.file === 'posts/a.md')?.reason).toBe('in-flight');

    state.items[itemKey('description', 'posts/c.md')] = base('posts/c.md', 'failed', { retryable: true, attempts: 3, error: 'too long' });
    result = plan([description], posts, state, { maxRetries: 2 });
    expect(result.requests).toEqual([]);
    expect(result.skips.find((s) => s.file === 'posts/c.md')).toMatchObject({ reason: 'failed-permanently', detail: 'too long' });

    state.items[itemKey('description', 'posts/c.md')] = base('posts/c.md', 'failed', { retryable: false, attempts: 1 });
    expect(plan([description], posts, state, { maxRetries: 2 }).requests).toEqual([]);
  });

  it('plans again, from scratch, when the file changed since the last attempt', () => {
    const state = emptyState();
    state.items[itemKey('description', 'posts/a.md')] = {
      task: 'description', file: 'posts/a.md', planHash: 'old', requestHash: 'x', status: 'succeeded', attempts: 1, value: 'v',
    };
    const [request] = plan([description], posts, state, { maxRetries: 2 }).requests.filter((r) => r.file === 'posts/a.md');
    expect(request?.attempts).toBe(0);
  });

  it('retriesOnly leaves new files alone', () => {
    expect(plan([description], posts, emptyState(), { maxRetries: 2, retriesOnly: true }).requests).toEqual([]);
  });

  it('a when:always task skips only files unchanged since apply', () => {
    const always = makeTask('summary', { field: 'summary', when: 'always', output: { type: 'text' } });
    const state = emptyState();
    const a = posts[0]!;
    state.items[itemKey('summary', a.rel)] = { task: 'summary', file: a.rel, planHash: 'p', requestHash: 'x', status: 'applied', attempts: 1, appliedHash: a.hash };
    const result = plan([always], [a, posts[1]!], state, { maxRetries: 2 });
    expect(result.requests.map((r) => r.file)).toEqual(['posts/b.md']);
    expect(result.skips).toEqual([{ task: 'summary', file: 'posts/a.md', reason: 'up-to-date' }]);
  });

  it('reports a template variable the file lacks, per file', () => {
    const strict = makeTask('d', { field: 'description', output: { type: 'text' } }, 'About {{subtitle}}');
    const result = plan([strict], [posts[0]!], emptyState(), { maxRetries: 2 });
    expect(result.skips[0]).toMatchObject({ reason: 'template-error', detail: 'template d.hbs: references "subtitle" on line 1, which this file does not have; wrap what uses it in {{#if subtitle}}…{{/if}} to leave it out where it is missing' });
  });

  it('forces the tool for JSON tasks', () => {
    const sentiment = makeTask('sentiment', { field: 'analysis', output: { type: 'json', schema: { type: 'object', properties: { s: { type: 'string' } } } } }, '{{excerpt}}');
    const [request] = plan([sentiment], [posts[3]!], emptyState(), { maxRetries: 2 }).requests;
    expect(request?.params.tool_choice).toEqual({ type: 'tool', name: 'record_sentiment' });
    expect(request?.params.tools?.[0]).toMatchObject({ name: 'record_sentiment', input_schema: { type: 'object' } });
  });

  it('sends identical requests once, and answers a request identical to an answered one from the state', () => {
    const twins = [file('posts/x.md', '---\ntitle: Same\n---\nSame body.\n'), file('posts/y.md', '---\ntitle: Same\nauthor: other\n---\nSame body.\n')];
    const first = plan([description], twins, emptyState(), { maxRetries: 2 });
    expect(first.requests.map((r) => r.file)).toEqual(['posts/x.md']);
    expect(first.skips).toEqual([{ task: 'description', file: 'posts/y.md', reason: 'same-request', detail: "same request as posts/x.md's: sent once, its answer used for both" }]);
    expect(first.reused).toEqual([]);

    // While x is in flight, y still waits for it rather than being sent.
    const sent = first.requests[0]!;
    const inFlight = emptyState();
    inFlight.items[sent.key] = { task: 'description', file: 'posts/x.md', planHash: sent.planHash, requestHash: sent.requestHash, status: 'submitted', attempts: 1 };
    const waiting = plan([description], twins, inFlight, { maxRetries: 2 });
    expect(waiting.requests).toEqual([]);
    expect(waiting.skips.map((s) => [s.file, s.reason])).toEqual([['posts/x.md', 'in-flight'], ['posts/y.md', 'same-request']]);

    // Once answered, y takes x's answer; nothing is sent.
    const answered = emptyState();
    answered.items[sent.key] = { ...inFlight.items[sent.key]!, status: 'succeeded', value: 'A shared description.' };
    const next = plan([description], twins, answered, { maxRetries: 2 });
    expect(next.requests).toEqual([]);
    expect(next.reused).toEqual([
      { key: itemKey('description', 'posts/y.md'), task: 'description', file: 'posts/y.md', planHash: twins[1]!.hash, requestHash: sent.requestHash, value: 'A shared description.', from: sent.key },
    ]);

    // A failed answer is not shared: y is sent on its own.
    const failed = emptyState();
    failed.items[sent.key] = { ...inFlight.items[sent.key]!, status: 'failed', error: 'too long', retryable: false };
    expect(plan([description], twins, failed, { maxRetries: 2 }).requests.map((r) => r.file)).toEqual(['posts/y.md']);
  });

  it('asks again when an answer it wrote was removed from the file, rather than reusing it', () => {
    const [request] = plan([description], [posts[0]!], emptyState(), { maxRetries: 2 }).requests;
    const state = emptyState();
    // Applied, then deleted by hand: the file is back to its old text, with another hash than after apply.
    state.items[request!.key] = { task: 'description', file: 'posts/a.md', planHash: request!.planHash, requestHash: request!.requestHash, status: 'applied', attempts: 1, value: 'Rejected.', appliedHash: 'after-apply' };
    const again = plan([description], [posts[0]!], state, { maxRetries: 2 });
    expect(again.reused).toEqual([]);
    expect(again.requests.map((r) => r.file)).toEqual(['posts/a.md']);
  });

  it('refuses, per file, a second task writing the same field or one inside it; disjoint globs are fine', () => {
    const other = makeTask('other', { include: 'posts/**', field: 'description', output: { type: 'text' } }, 'Other {{excerpt}}');
    const inside = makeTask('seo', { field: 'description.seo', output: { type: 'text' } }, 'Seo {{excerpt}}');
    const reviews = makeTask('reviewdesc', { include: 'reviews/**', field: 'description', output: { type: 'text' } }, 'R {{excerpt}}');
    const result = plan([description, other, inside, reviews], posts, emptyState(), { maxRetries: 2 });
    expect(result.requests.map((r) => `${r.task} ${r.file}`)).toEqual(['description posts/a.md', 'description posts/c.md', 'seo reviews/r.md']);
    const taken = result.skips.filter((s) => s.reason === 'field-taken');
    // reviewdesc meets seo, which writes inside description, in reviews/r.md.
    expect(taken.map((s) => `${s.task} ${s.file}`)).toEqual(['other posts/a.md', 'other posts/b.md', 'other posts/c.md', 'other posts/broken.md', 'seo posts/a.md', 'seo posts/b.md', 'seo posts/c.md', 'seo posts/broken.md', 'reviewdesc reviews/r.md']);
    expect(taken[0]?.detail).toBe('task description fills description in this file too; give the tasks different fields, or include globs that do not overlap');
    expect(problemSkips(result)).toHaveLength(9);
  });

  it('skips a file whose body has no prose when the prompt shows the body; a prompt without it still goes', () => {
    const landing = file('posts/landing.md', '---\ntitle: Landing\n---\n\n<div class="hero">\n  <h1>Fast builds</h1>\n</div>\n');
    const empty = file('posts/list.md', '---\ntitle: Posts\nlayout: list\n---\n');
    const result = plan([description], [landing, empty, posts[0]!], emptyState(), { maxRetries: 2 });
    expect(result.requests.map((r) => r.file)).toEqual(['posts/a.md']);
    expect(result.skips.map((s) => [s.file, s.reason])).toEqual([['posts/landing.md', 'no-prose'], ['posts/list.md', 'no-prose']]);
    expect(problemSkips(result)).toEqual([]);
    const titleOnly = makeTask('description', { include: 'posts/**', field: 'description', output: { type: 'text' } }, 'Describe the page titled {{title}}.');
    expect(plan([titleOnly], [landing, empty], emptyState(), { maxRetries: 2 }).requests).toHaveLength(2);
  });

  it("when: 'invalid' also replaces a value that breaks the task's rules, and keeps one that passes", () => {
    const strict = makeTask('description', { include: 'posts/**', field: 'description', when: 'invalid', output: { type: 'text', maxLength: 40, forbidPrefixes: ['In this article'] } });
    const files = [
      file('posts/fine.md', '---\ntitle: F\ndescription: Short and to the point.\n---\nBody.\n'),
      file('posts/long.md', `---\ntitle: L\ndescription: ${'Far too long for the limit, '.repeat(3)}\n---\nBody.\n`),
      file('posts/filler.md', '---\ntitle: I\ndescription: In this article we say hello.\n---\nBody.\n'),
      file('posts/none.md', '---\ntitle: N\n---\nBody.\n'),
    ];
    const result = plan([strict], files, emptyState(), { maxRetries: 2 });
    expect(result.requests.map((r) => r.file)).toEqual(['posts/long.md', 'posts/filler.md', 'posts/none.md']);
    expect(result.skips.map((s) => [s.file, s.reason])).toEqual([['posts/fine.md', 'has-value']]);
    expect(checkFiles([strict], files, emptyState()).map((f) => [f.file, f.kind])).toEqual([
      ['posts/filler.md', 'replaced'],
      ['posts/long.md', 'replaced'],
      ['posts/none.md', 'missing'],
    ]);
    // The default, `missing`, never touches a value, broken or not: those are the author's.
    expect(plan([description], files, emptyState(), { maxRetries: 2 }).requests.map((r) => r.file)).toEqual(['posts/none.md']);
  });

  it('does not buy an answer that could never be written: a step of the field holds a value or a list', () => {
    const seo = makeTask('seo', { include: 'posts/**', field: 'seo.description', output: { type: 'text' } });
    const files = [
      file('posts/text.md', '---\ntitle: T\nseo: just a string\n---\nBody.\n'),
      file('posts/list.md', '---\ntitle: L\nseo: [a, b]\n---\nBody.\n'),
      file('posts/blank.md', '---\ntitle: B\nseo:\n---\nBody.\n'),
      file('posts/map.md', '---\ntitle: M\nseo:\n  canonical: /m\n---\nBody.\n'),
    ];
    const result = plan([seo], files, emptyState(), { maxRetries: 2 });
    expect(result.requests.map((r) => r.file)).toEqual(['posts/blank.md', 'posts/map.md']);
    expect(problemSkips(result).map((s) => [s.file, s.reason])).toEqual([
      ['posts/text.md', 'cannot add seo.description: seo is a value, not a map; make it a map, or give the task another field'],
      ['posts/list.md', 'cannot add seo.description: seo is a list, not a map; make it a map, or give the task another field'],
    ]);
    expect(checkFiles([seo], files, emptyState()).map((f) => [f.file, f.kind])).toEqual([
      ['posts/blank.md', 'missing'],
      ['posts/list.md', 'broken'],
      ['posts/map.md', 'missing'],
      ['posts/text.md', 'broken'],
    ]);
  });

  it("a chained task waits while the value it builds on is one its own when: 'invalid' task is replacing", () => {
    const strict = makeTask('description', { include: 'posts/**', field: 'description', when: 'invalid', output: { type: 'text', forbidPrefixes: ['In this article'] } });
    const summary = makeTask('summary', { include: 'posts/**', field: 'summary', output: { type: 'text' } }, 'After {{tasks.description}}: <excerpt>{{excerpt}}</excerpt>');
    summary.config.dependsOn = ['description']; // makeTask checks a config of one task, which cannot name another
    const files = [file('posts/filler.md', '---\ntitle: I\ndescription: In this article we say hello.\n---\nBody.\n'), file('posts/fine.md', '---\ntitle: F\ndescription: Hello, briefly.\n---\nBody.\n')];
    const result = plan([strict, summary], files, emptyState(), { maxRetries: 2 });
    expect(result.requests.map((r) => `${r.task} ${r.file}`)).toEqual(['description posts/filler.md', 'summary posts/fine.md']);
    expect(result.skips).toContainEqual(expect.objectContaining({ task: 'summary', file: 'posts/filler.md', reason: 'waiting' }));
  });

  it("check says what run will not mend, as plan decides it: a case variant, no prose, a value changed by hand after apply", () => {
    const strict = makeTask('description', { include: 'posts/**', field: 'description', when: 'invalid', output: { type: 'text', minLength: 10 } });
    const files = [
      file('posts/caps.md', '---\ntitle: C\nDescription: Written in another case.\n---\nBody text.\n'),
      file('posts/bare.md', '---\ntitle: B\ndescription: short\n---\n\n<div>only markup</div>\n'),
      file('posts/hand.md', '---\ntitle: H\ndescription: tiny\n---\nBody text.\n'),
      file('posts/fix.md', '---\ntitle: F\ndescription: tiny\n---\nBody text.\n'),
    ];
    // hand.md was answered and applied, and a person then shortened the value (the prompt does not read it: the same request).
    const state = emptyState();
    const [asked] = plan([strict], [files[2]!], emptyState(), { maxRetries: 2 }).requests;
    state.items[itemKey('description', 'posts/hand.md')] = { task: 'description', file: 'posts/hand.md', planHash: 'h', requestHash: asked!.requestHash, status: 'applied', attempts: 1, value: 'What batchmatter wrote, long enough.' };
    expect(checkFiles([strict], files, state).map((f) => [f.file, f.kind])).toEqual([
      ['posts/bare.md', 'broken'],
      ['posts/caps.md', 'case-variant'],
      ['posts/fix.md', 'replaced'],
      ['posts/hand.md', 'broken'],
    ]);
    // And plan agrees: only fix.md is sent.
    expect(plan([strict], files, state, { maxRetries: 2 }).requests.map((r) => r.file)).toEqual(['posts/fix.md']);
  });

  it('check tells a missing field run fills from one it skips for want of prose', () => {
    const landing = file('posts/landing.md', '---\ntitle: Landing\n---\n\n<div class="hero">\n  <h1>Fast builds</h1>\n</div>\n');
    expect(checkFiles([description], [landing, posts[0]!], emptyState()).map((f) => [f.file, f.kind])).toEqual([
      ['posts/a.md', 'missing'],
      ['posts/landing.md', 'no-prose'],
    ]);
    const titleOnly = makeTask('description', { include: 'posts/**', field: 'description', output: { type: 'text' } }, 'Describe the page titled {{title}}.');
    expect(checkFiles([titleOnly], [landing], emptyState()).map((f) => f.kind)).toEqual(['missing']);
  });

  it('reuses a stale answer (its file edited where the prompt does not look before apply) instead of paying again', () => {
    const [request] = plan([description], [posts[0]!], emptyState(), { maxRetries: 2 }).requests;
    const state = emptyState();
    state.items[request!.key] = { task: 'description', file: 'posts/a.md', planHash: 'before-the-edit', requestHash: request!.requestHash, status: 'stale', attempts: 1, value: 'Paid for once.' };
    const again = plan([description], [posts[0]!], state, { maxRetries: 2 });
    expect(again.requests).toEqual([]);
    expect(again.reused.map((r) => [r.file, r.value])).toEqual([['posts/a.md', 'Paid for once.']]);
  });

  it('a when:always field a person corrected after apply is theirs while nothing the prompt reads changes', () => {
    const always = makeTask('description', { include: 'posts/**', field: 'description', when: 'always', output: { type: 'text' } });
    const original = file('posts/a.md', '---\ntitle: A\n---\nAlpha body.\n');
    const [request] = plan([always], [original], emptyState(), { maxRetries: 2 }).requests;
    const state = emptyState();
    state.items[request!.key] = { task: 'description', file: 'posts/a.md', planHash: original.hash, requestHash: request!.requestHash, status: 'applied', attempts: 1, value: 'Machine words.', appliedHash: 'after-apply' };
    // The prompt reads the title and the excerpt, not the description: the same request as the one answered.
    const corrected = file('posts/a.md', '---\ntitle: A\ndescription: A person\'s better words.\n---\nAlpha body.\n');
    const result = plan([always], [corrected], state, { maxRetries: 2 });
    expect([result.requests, result.reused]).toEqual([[], []]);
    expect(result.skips).toMatchObject([{ file: 'posts/a.md', reason: 'edited-by-hand' }]);
    // Edited elsewhere, the answer still in place: nothing to do either.
    const touched = file('posts/a.md', '---\ntitle: A\ndescription: Machine words.\ntags: [x]\n---\nAlpha body.\n');
    expect(plan([always], [touched], state, { maxRetries: 2 }).skips).toMatchObject([{ reason: 'up-to-date' }]);
    // What the prompt reads changed: asked again.
    const rewritten = file('posts/a.md', '---\ntitle: A\ndescription: A person\'s better words.\n---\nA new body.\n');
    expect(plan([always], [rewritten], state, { maxRetries: 2 }).requests.map((r) => r.file)).toEqual(['posts/a.md']);
  });

  it('remembers what it rendered: an unchanged file plans from the memo, with the same digest and, when asked, the same body', () => {
    const first = plan([description], posts, emptyState(), { maxRetries: 2 });
    expect(first.learned.map((l) => l.file)).toEqual(['posts/a.md', 'posts/c.md']);
    const remembered = posts.map((f) => ({ ...f, memo: first.learned.filter((l) => l.file === f.rel).map((l) => [l.task, l.memo.fp, l.memo.requestHash, l.memo.inputTokens] as const) }));
    const second = plan([description], remembered, emptyState(), { maxRetries: 2 });
    expect(second.learned).toEqual([]);
    expect(second.requests.map((r) => [r.file, r.requestHash, r.inputTokens])).toEqual(first.requests.map((r) => [r.file, r.requestHash, r.inputTokens]));
    expect(second.requests[0]!.params).toEqual(first.requests[0]!.params);

    // Another template is another fingerprint: rendered again.
    const reworded = makeTask('description', { include: 'posts/**', field: 'description', output: { type: 'text', maxLength: 160 } }, 'Describe {{title}}: {{excerpt}}');
    const third = plan([reworded], remembered, emptyState(), { maxRetries: 2 });
    expect(third.learned.map((l) => l.file)).toEqual(['posts/a.md', 'posts/c.md']);
    expect(third.requests[0]!.requestHash).not.toBe(first.requests[0]!.requestHash);
    // So is a memo that does not match the file any more.
    const stale = remembered.map((f) => ({ ...f, memo: f.memo.map(([t, , h, n]) => [t, 'other', h, n] as const) }));
    expect(plan([description], stale, emptyState(), { maxRetries: 2 }).learned).toHaveLength(2);
  });
});


describe('plan: the nightly loop\'s states', () => {
  const a = posts[0]!;
  const requestOf = (files = [a]) => plan([description], files, emptyState(), { maxRetries: 2 }).requests[0]!;
  const item = (extra: Partial<ItemState>): ItemState => ({ task: 'description', file: 'posts/a.md', planHash: a.hash, requestHash: requestOf().requestHash, status: 'succeeded', attempts: 1, value: 'An answer.', ...extra });
  const planWith = (it: ItemState, options: { offlineValues?: Map<string, unknown> } = {}, files = [a]) => {
    const state = emptyState();
    state.items[itemKey('description', it.file)] = it;
    return plan([description], files, state, { maxRetries: 2, ...options });
  };

  it('a proposed answer (an open pull request) is neither bought again nor taken for a hand edit; moved files get it back free', () => {
    expect(planWith(item({ status: 'proposed', appliedHash: 'branch' })).skips).toEqual([{ task: 'description', file: 'posts/a.md', reason: 'proposed' }]);
    // The default branch's file changed where the prompt does not look: the same request, its own answer handed back.
    const moved = file('posts/a.md', '---\ntitle: A\ntags: [x]\n---\nAlpha body.\n');
    const result = planWith(item({ status: 'proposed' }), {}, [moved]);
    expect(result.requests).toEqual([]);
    expect(result.reused).toMatchObject([{ key: 'description:posts/a.md', value: 'An answer.', from: 'description:posts/a.md' }]);
  });

  it('a declined answer is not bought again while the request is the same, and is when it changes; its value is never reused', () => {
    expect(planWith(item({ status: 'declined' })).skips).toMatchObject([{ file: 'posts/a.md', reason: 'declined' }]);
    const rewritten = file('posts/a.md', '---\ntitle: A\n---\nAlpha body, rewritten with more to say.\n');
    expect(planWith(item({ status: 'declined' }), {}, [rewritten]).requests.map((r) => r.file)).toEqual(['posts/a.md']);
    // Another file with the identical request does not take the declined answer.
    const twin = file('posts/twin.md', '---\ntitle: A\n---\nAlpha body.\n');
    const state = emptyState();
    state.items[itemKey('description', 'posts/a.md')] = item({ status: 'declined' });
    expect(plan([description], [a, twin], state, { maxRetries: 2 }).reused).toEqual([]);
  });

  it('a request the API refused as invalid waits for a change to the request, not only to the file', () => {
    const refused = item({ status: 'failed', retryable: false, errorKind: 'invalid-request', error: 'batch create refused: 400', value: undefined });
    expect(planWith(refused).skips).toMatchObject([{ reason: 'failed-permanently', detail: 'batch create refused: 400' }]);
    expect(planWith({ ...refused, requestHash: 'a request sent with another template' }).requests.map((r) => r.file)).toEqual(['posts/a.md']);
  });

  it('a field holding the emulator\'s applied answer is a problem to restore, never an answer', () => {
    const written = file('posts/a.md', '---\ntitle: A\ndescription: Placeholder from the emulator.\n---\nAlpha body.\n');
    const offlineValues = new Map([['description:posts/a.md', 'Placeholder from the emulator.']]);
    const result = plan([description], [written], emptyState(), { maxRetries: 2, offlineValues });
    expect(result.skips).toMatchObject([{ reason: 'offline-answer' }]);
    expect(problemSkips(result)).toHaveLength(1);
    expect(checkFiles([description], [written], emptyState(), undefined, offlineValues)).toMatchObject([{ file: 'posts/a.md', kind: 'offline-answer' }]);
    // A person's own value in that field is theirs.
    const human = file('posts/a.md', '---\ntitle: A\ndescription: A person wrote this.\n---\nAlpha body.\n');
    expect(plan([description], [human], emptyState(), { maxRetries: 2, offlineValues }).skips).toMatchObject([{ reason: 'has-value' }]);
  });
});
