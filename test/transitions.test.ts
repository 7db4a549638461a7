import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { emptyState, type ItemState, type ItemStatus, type JobState, type JobStatus, type StateData } from '../src/core/state.js';
import * as t from '../src/core/transitions.js';

const ITEM_STATUSES: (ItemStatus | 'new')[] = ['new', 'submitted', 'succeeded', 'failed', 'applied', 'proposed', 'declined', 'stale'];
const JOB_STATUSES: (JobStatus | 'new')[] = ['new', 'creating', 'in_progress', 'ended', 'collected', 'rejected'];
const KEY = 'description:a.md';
const request = { key: KEY, task: 'description', file: 'a.md', planHash: 'p1', requestHash: 'r1', attempts: 1 };

/** A state holding one job in `jobStatus` and the item KEY (unless `new`) in `status`, sent in that job. */
function stateWith(status: ItemStatus | 'new', jobStatus: JobStatus | 'new' = 'in_progress'): { state: StateData; job: JobState } {
  const state = emptyState();
  const job: JobState = { id: 'job_1', kind: 'batch', status: jobStatus === 'new' ? 'creating' : jobStatus, createdAt: '2026-12-01T00:00:00Z', requests: { c1: KEY }, collected: 0, batchId: 'msgbatch_1' };
  if (jobStatus !== 'new') state.jobs[job.id] = job;
  if (status !== 'new') {
    state.items[KEY] = { task: 'description', file: 'a.md', planHash: 'p1', requestHash: 'r1', status, attempts: 1, job: 'job_1', customId: 'c1', ...(status === 'submitted' ? {} : { value: 'An answer.' }) };
  }
  return { state, job };
}

/** Each item transition, run on the item KEY. */
const ITEM_RUN: Record<t.ItemTransition, (state: StateData, job: JobState) => void> = {
  submit: (state, job) => t.submitItem(state, request, job, 'c2'),
  reuse: (state) => t.reuseAnswer(state, request, 'Reused.', 'description:b.md'),
  answer: (state) => t.answerItem(state.items[KEY]!, { ok: true, value: 'Fine.', notes: [] }),
  release: (state) => t.releaseItem(state.items[KEY]!, 'lost', 'refund'),
  forget: (state) => t.forgetItem(state, KEY),
  reject: (state) => t.rejectItem(state.items[KEY]!, 'too long'),
  apply: (state) => t.writtenItem(state.items[KEY]!, 'h2', false),
  propose: (state) => t.writtenItem(state.items[KEY]!, 'h2', true),
  markStale: (state) => t.markStale(state.items[KEY]!),
  refuseWrite: (state) => t.refuseWrite(state.items[KEY]!, 'would not round-trip'),
  settle: (state) => t.settleItem(state.items[KEY]!, 'merged', { hash: 'h3', value: 'Merged.' }),
};

describe('item transitions: every transition from every status', () => {
  for (const [name, spec] of Object.entries(t.ITEM_TRANSITIONS) as [t.ItemTransition, (typeof t.ITEM_TRANSITIONS)[t.ItemTransition]][]) {
    for (const from of ITEM_STATUSES) {
      const allowed = (spec.from as readonly string[]).includes(from);
      it(`${name} from ${from}: ${allowed ? `to ${spec.to.join(' or ')}` : 'refused'}`, () => {
        const { state, job } = stateWith(from);
        // A status a transition cannot start from is absent or not the item's: it must be refused, not half-done.
        if (from === 'new' && !allowed) {
          expect(() => ITEM_RUN[name](state, job)).toThrow();
          return;
        }
        const before = structuredClone(state);
        if (!allowed) {
          expect(() => ITEM_RUN[name](state, job)).toThrow(t.IllegalTransition);
          expect(state).toEqual(before);
          return;
        }
        ITEM_RUN[name](state, job);
        expect(spec.to as readonly string[]).toContain(state.items[KEY]?.status ?? 'new');
      });
    }
  }
});

/** Each job transition, run on job_1 (or a new job). */
const JOB_RUN: Record<t.JobTransition, (state: StateData, job: JobState) => void> = {
  open: (state) => t.openJob(state, 'job_1', 'batch', '2026-12-02T00:00:00Z'),
  created: (_, job) => t.jobCreated(job, { id: 'msgbatch_2', request_counts: { processing: 1, succeeded: 0, errored: 0, canceled: 0, expired: 0 } }),
  unanswered: (_, job) => t.createUnanswered(job, 'socket hang up'),
  refused: (state, job) => t.jobRefused(state, job, '400', 'refused'),
  notMine: (_, job) => t.jobNotMine(job),
  polled: (_, job) => t.jobPolled(job, { processing: 0, succeeded: 1, errored: 0, canceled: 0, expired: 0 }, '2026-12-02T01:00:00Z'),
  collected: (state, job) => t.jobCollected(state, job, 'no result'),
  gone: (state, job) => t.jobGone(state, job, 'results expired'),
  adopt: (state) => t.adoptJob(state, 'job_1', { id: 'msgbatch_9', created_at: '2026-12-02T00:00:00Z', request_counts: { processing: 0, succeeded: 1, errored: 0, canceled: 0, expired: 0 } }),
};

describe('job transitions: every transition from every status', () => {
  for (const [name, spec] of Object.entries(t.JOB_TRANSITIONS) as [t.JobTransition, (typeof t.JOB_TRANSITIONS)[t.JobTransition]][]) {
    for (const from of JOB_STATUSES) {
      const allowed = (spec.from as readonly string[]).includes(from);
      // Only open and adopt make a job; the others take one, so they cannot be asked of a job that does not exist.
      if (from === 'new' && !allowed && name !== 'open' && name !== 'adopt') continue;
      it(`${name} from ${from}: ${allowed ? `to ${spec.to.join(' or ')}` : 'refused'}`, () => {
        const { state, job } = stateWith('submitted', from);
        const before = structuredClone(state);
        if (!allowed) {
          expect(() => JOB_RUN[name](state, from === 'new' ? job : state.jobs.job_1!)).toThrow(t.IllegalTransition);
          expect(state).toEqual(before);
          return;
        }
        JOB_RUN[name](state, from === 'new' ? job : state.jobs.job_1!);
        expect(spec.to as readonly string[]).toContain(state.jobs.job_1!.status);
      });
    }
  }
});

describe('what transitions keep and release', () => {
  it('a request on its way is never submitted again: nothing is paid twice', () => {
    const { state, job } = stateWith('submitted');
    expect(() => t.submitItem(state, request, job, 'c2')).toThrow(/does not start from submitted/);
  });

  it('the refused answer and its reason outlive any number of attempts that got no answer', () => {
    const { state, job } = stateWith('submitted');
    t.answerItem(state.items[KEY]!, { ok: false, reason: 'longer than 160 characters', retryable: true, answer: 'A far too long answer.', nextMaxTokens: 400 });
    for (let attempt = 0; attempt < 3; attempt++) {
      t.submitItem(state, { ...request, attempts: state.items[KEY]!.attempts }, job, `c${attempt + 2}`);
      if (attempt === 0) t.releaseItem(state.items[KEY]!, 'batch create refused: 529', 'refund');
      else t.answerItem(state.items[KEY]!, { ok: false, reason: attempt === 1 ? 'API error api_error' : 'the request expired', retryable: true });
    }
    expect(state.items[KEY]).toMatchObject({ rejected: 'A far too long answer.', rejectedReason: 'longer than 160 characters', maxTokens: 400 });
  });

  it('a valid answer clears what the failed attempts had taught', () => {
    const { state } = stateWith('submitted');
    Object.assign(state.items[KEY]!, { rejected: 'x', rejectedReason: 'y', maxTokens: 400, refusals: 1, errorKind: 'invalid-request' });
    t.answerItem(state.items[KEY]!, { ok: true, value: 'Good.', notes: ['removed the quotes around the answer'] });
    expect(state.items[KEY]).toEqual(expect.objectContaining({ status: 'succeeded', value: 'Good.', notes: ['removed the quotes around the answer'] }));
    for (const gone of ['rejected', 'rejectedReason', 'maxTokens', 'refusals', 'errorKind', 'error', 'retryable']) expect(state.items[KEY]).not.toHaveProperty(gone);
  });

  it('release gives the attempt back only when nothing was answered', () => {
    const refunded = stateWith('submitted').state.items[KEY]!;
    t.releaseItem(refunded, 'create refused', 'refund');
    expect(refunded).toMatchObject({ status: 'failed', attempts: 0, retryable: true });
    const spent = stateWith('submitted').state.items[KEY]!;
    t.releaseItem(spent, 'interrupted', 'spent');
    expect(spent).toMatchObject({ status: 'failed', attempts: 1, retryable: true });
    const invalid = stateWith('submitted').state.items[KEY]!;
    t.releaseItem(invalid, 'create refused: 400', 'refund', 'invalid-request');
    expect(invalid).toMatchObject({ status: 'failed', attempts: 0, retryable: false, errorKind: 'invalid-request' });
  });

  it('each job transition that ends a job releases only the items still waiting on that request', () => {
    for (const [end, attempts] of [['refused', 0], ['collected', 1], ['gone', 0]] as const) {
      const { state } = stateWith('submitted');
      state.items['description:b.md'] = { ...state.items[KEY]!, file: 'b.md', customId: 'c9', status: 'succeeded', value: 'Kept.' };
      state.jobs.job_1!.requests.c9 = 'description:b.md';
      const job = state.jobs.job_1!;
      if (end !== 'collected') job.status = end === 'refused' ? 'creating' : 'ended';
      JOB_RUN[end](state, job);
      expect(state.items[KEY], end).toMatchObject({ status: 'failed', attempts, retryable: true });
      expect(state.items['description:b.md'], end).toMatchObject({ status: 'succeeded', value: 'Kept.' });
    }
  });

  it('rejecting restores a full set of retries and quotes the answer', () => {
    const { state } = stateWith('succeeded');
    state.items[KEY]!.attempts = 3;
    t.rejectItem(state.items[KEY]!, 'too bland');
    expect(state.items[KEY]).toMatchObject({ status: 'failed', attempts: 0, rejected: 'An answer.', rejectedReason: 'rejected in review: too bland' });
    expect(state.items[KEY]).not.toHaveProperty('value');
  });
});

describe('the state changes only through the transitions module', () => {
  // Assignments to, and deletions of, the state's fields, items and jobs.
  const MUTATION =
    /\b(item|job|items\[[^\]]+\]!?|jobs\[[^\]]+\]!?|data|state)\.(status|error|retryable|attempts|value|notes|rejected|rejectedReason|maxTokens|refusals|usage|appliedHash|batchId|counts|collected|recovered|adopted|resultsMissing|notMine|spent|canceledByUser|createStatus|endedAt|seenBatches|waitingSince|items|jobs)\s*(=[^=]|\+\+|\+=)|delete (item|job|data|state)[.[]|delete (items|jobs)\[|Object\.assign\((item|job)\b|(items|jobs)\[[^\]]+\] = /;
  const src = path.join(import.meta.dirname, '..', 'src');
  const files = readdirSync(src, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts') && !f.startsWith('emulator') && f !== path.join('core', 'transitions.ts'));

  it('finds a mutation where there is one', () => {
    expect(MUTATION.test("    job.status = 'collected';")).toBe(true);
    expect(MUTATION.test('      Object.assign(item, { status: "failed" });')).toBe(true);
    expect(MUTATION.test('  delete items[key];')).toBe(true);
    expect(MUTATION.test("  if (item.status === 'submitted') return;")).toBe(false);
  });

  it('finds none outside it (the emulator keeps its own state)', () => {
    const found = files.flatMap((f) =>
      readFileSync(path.join(src, f), 'utf8')
        .split('\n')
        .flatMap((line, i) => (MUTATION.test(line) ? [`src/${f}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(found).toEqual([]);
  });
});
