/**
 * The state machine: every change to the state's items and jobs is one of the
 * named transitions below, and nothing else in the code base changes them
 * (`npm test` checks that with a grep, test/transitions.test.ts walks every
 * transition from every status). Pure: no I/O, no clock (times are passed in).
 *
 * Each transition names the statuses it may start from and refuses any other
 * with an IllegalTransition: a program error, never a user's. The diagram and
 * the reasons are in docs/state-machine.md.
 */
import type { FailureKind, ItemState, ItemStatus, JobState, JobStatus, RequestCounts, Spend, StateData, Usage } from './state.js';

/** Enough of a refused answer to show the model what was wrong with it. */
export const MAX_REJECTED_CHARS = 2000;

/** A transition asked of an item or job in a status it does not start from: a bug in batchmatter. */
export class IllegalTransition extends Error {
  override name = 'IllegalTransition';
}

/** Item transitions: the statuses each may start from (`new`: no item yet) and may end in. */
export const ITEM_TRANSITIONS = {
  /** Sent (or about to be) in a job. Never from `submitted`: that request is already paid for or on its way. */
  submit: { from: ['new', 'failed', 'succeeded', 'applied', 'proposed', 'declined', 'stale'], to: ['submitted'] },
  /** Its request is identical to one answered before: that answer is taken, nothing is sent. */
  reuse: { from: ['new', 'failed', 'succeeded', 'applied', 'proposed', 'declined', 'stale'], to: ['succeeded'] },
  /** Its result arrived and was judged: valid, or failed with a reason and a retry rule. */
  answer: { from: ['submitted'], to: ['succeeded', 'failed'] },
  /** Its request got no answer (refused create, lost batch, results gone, interrupted): failed, to be retried. */
  release: { from: ['submitted'], to: ['failed'] },
  /** Canceled by the user (`cancel`): forgotten, planned again like any new request. */
  forget: { from: ['submitted'], to: ['new'] },
  /** A reviewer's "no": asked again, quoting it. */
  reject: { from: ['succeeded', 'stale', 'proposed', 'declined'], to: ['failed'] },
  /** Written to its file (or found there, written by an apply that was killed before recording it). */
  apply: { from: ['succeeded', 'proposed'], to: ['applied'] },
  /** Written to its file on a pull request's branch. */
  propose: { from: ['succeeded', 'proposed'], to: ['proposed'] },
  /** Its file changed since the request was planned: not written. */
  markStale: { from: ['succeeded', 'proposed'], to: ['stale'] },
  /** Cannot be written (its task is gone, the value would not round-trip): failed, not retried. */
  refuseWrite: { from: ['succeeded', 'proposed'], to: ['failed'] },
  /** Its pull request was merged or closed. */
  settle: { from: ['proposed'], to: ['applied', 'declined'] },
} as const satisfies Record<string, { from: readonly (ItemStatus | 'new')[]; to: readonly (ItemStatus | 'new')[] }>;

/** Job transitions: the statuses each may start from (`new`: no job yet) and may end in. */
export const JOB_TRANSITIONS = {
  /** Recorded before the API is called (write-ahead): a batch job as `creating`, a synchronous one as `in_progress`. */
  open: { from: ['new'], to: ['creating', 'in_progress'] },
  /** create() answered with the batch, or list() found the batch an unanswered create() made. */
  created: { from: ['creating'], to: ['in_progress'] },
  /** create() failed without a proof that nothing was made: stays `creating`, looked for before anything is sent again. */
  unanswered: { from: ['creating'], to: ['creating'] },
  /** create() was refused, or no batch appeared in time: nothing was made; its requests are released. */
  refused: { from: ['creating'], to: ['rejected'] },
  /** The batch list() matched by size and time proved not ours: looked for again. */
  notMine: { from: ['in_progress', 'ended'], to: ['creating'] },
  /** A poll: the batch's counts, and whether it ended. */
  polled: { from: ['in_progress'], to: ['in_progress', 'ended'] },
  /** Every result is stored (requests the results never named are released). */
  collected: { from: ['in_progress', 'ended'], to: ['collected'] },
  /** Its results are gone (past retention, or 404 pass after pass): its requests are released, to be sent again. */
  gone: { from: ['ended'], to: ['collected'] },
  /** A batch of this project's the state had lost, found and taken back. */
  adopt: { from: ['new'], to: ['ended'] },
} as const satisfies Record<string, { from: readonly (JobStatus | 'new')[]; to: readonly JobStatus[] }>;

export type ItemTransition = keyof typeof ITEM_TRANSITIONS;
export type JobTransition = keyof typeof JOB_TRANSITIONS;

function guard(kind: 'item' | 'job', name: string, from: readonly string[], status: string, what: string): void {
  if (!from.includes(status)) throw new IllegalTransition(`${kind} ${what}: "${name}" does not start from ${status} (only from ${from.join(', ')})`);
}
const itemGuard = (name: ItemTransition, item: ItemState | undefined, what: string) => guard('item', name, ITEM_TRANSITIONS[name].from, item?.status ?? 'new', what);
const jobGuard = (name: JobTransition, job: JobState | undefined, what: string) => guard('job', name, JOB_TRANSITIONS[name].from, job?.status ?? 'new', what);

// ------------------------------------------------------------------ items

/** What a planned request carries into its item. */
export interface RequestIdentity {
  key: string;
  task: string;
  file: string;
  planHash: string;
  requestHash: string;
  attempts: number;
  /** Digest of the images the request sends (tasks with `image`). */
  imageHash?: string;
  /** The page's language, for a task that knows it (see core/language.ts). */
  lang?: string | undefined;
}

/** What the attempts before taught the next ones: the answer refused and why, the room an answer needs, refusals. */
const RETRY_MEMORY = ['rejected', 'rejectedReason', 'maxTokens', 'refusals'] as const satisfies ReadonlyArray<keyof ItemState>;

/** submit: the request goes out as `customId` of `job`, its attempt counted; of its past only the retry memory is kept. */
export function submitItem(state: StateData, request: RequestIdentity, job: JobState, customId: string): ItemState {
  const previous = state.items[request.key];
  itemGuard('submit', previous, request.key);
  const { task, file, planHash, requestHash } = request;
  const item: ItemState = { task, file, planHash, requestHash, ...(request.imageHash ? { imageHash: request.imageHash } : {}), status: 'submitted', attempts: request.attempts + 1, job: job.id, customId, ...(request.lang ? { lang: request.lang } : {}) };
  for (const key of RETRY_MEMORY) if (previous?.[key] !== undefined) Object.assign(item, { [key]: previous[key] });
  state.items[request.key] = item;
  job.requests[customId] = request.key;
  return item;
}

/** reuse: the answer of an identical request (`from`) is taken. */
export function reuseAnswer(state: StateData, request: Omit<RequestIdentity, 'attempts'>, value: unknown, from: string): ItemState {
  const previous = state.items[request.key];
  itemGuard('reuse', previous, request.key);
  const { task, file, planHash, requestHash } = request;
  const item: ItemState = { task, file, planHash, requestHash, ...(request.imageHash ? { imageHash: request.imageHash } : {}), status: 'succeeded', attempts: previous?.attempts ?? 0, value, reusedFrom: from, ...(request.lang ? { lang: request.lang } : {}) };
  state.items[request.key] = item;
  return item;
}

/** The judgement of one result (see core/validate.ts judgeResult and retryAfter). */
export type Judgement =
  | { ok: true; value: unknown; notes: readonly string[] }
  | {
      ok: false;
      reason: string;
      retryable: boolean;
      /** The refused answer, quoted to the model next time; absent when no answer came (errored, expired). */
      answer?: string;
      kind?: FailureKind;
      /** The max_tokens the next attempt sends. */
      nextMaxTokens?: number;
      refusal?: boolean;
    };

/** answer: a result arrived for the item's request. Its usage, when it was answered, is recorded whatever the verdict. */
export function answerItem(item: ItemState, judgement: Judgement, usage?: Usage): void {
  itemGuard('answer', item, `${item.task}:${item.file}`);
  if (usage) item.usage = usage;
  if (judgement.ok) {
    item.status = 'succeeded';
    item.value = judgement.value;
    if (judgement.notes.length) item.notes = [...judgement.notes];
    else delete item.notes;
    for (const key of ['error', 'errorKind', 'retryable', 'rejected', 'rejectedReason', 'maxTokens', 'refusals'] as const) delete item[key];
    return;
  }
  item.status = 'failed';
  item.error = judgement.reason;
  item.retryable = judgement.retryable;
  if (judgement.nextMaxTokens) item.maxTokens = judgement.nextMaxTokens;
  if (judgement.refusal) item.refusals = (item.refusals ?? 0) + 1;
  if (judgement.kind) item.errorKind = judgement.kind;
  else delete item.errorKind;
  delete item.value;
  delete item.notes;
  // A new answer refused replaces the one quoted; no answer at all keeps it for the next attempt.
  if (judgement.answer) Object.assign(item, { rejected: judgement.answer.slice(0, MAX_REJECTED_CHARS), rejectedReason: judgement.reason });
}

/**
 * Whether a released attempt counts against the item's retries. `refund`: nothing was answered, or the answer
 * was lost, not wrong (create refused, no batch appeared, results gone before download): the attempt is given
 * back. `spent`: something may have been answered and paid for (a synchronous request interrupted, a result
 * missing from a complete download): the attempt counts, so a fault that repeats cannot repeat forever.
 */
export type AttemptRule = 'refund' | 'spent';

/** release: the item's request got no usable answer; it is sent again (unless `kind` says a person must act). */
export function releaseItem(item: ItemState, reason: string, attempt: AttemptRule, kind?: FailureKind): void {
  itemGuard('release', item, `${item.task}:${item.file}`);
  item.status = 'failed';
  item.error = reason;
  item.retryable = kind === undefined;
  if (kind) item.errorKind = kind;
  if (attempt === 'refund') item.attempts = Math.max(0, item.attempts - 1);
}

/** Releases each of the job's items still waiting on it (and on this very request). */
export function releaseJobItems(state: StateData, job: JobState, reason: string, attempt: AttemptRule, kind?: FailureKind): number {
  let released = 0;
  for (const [customId, key] of Object.entries(job.requests)) {
    const item = state.items[key];
    if (item?.job !== job.id || item.customId !== customId || item.status !== 'submitted') continue;
    releaseItem(item, reason, attempt, kind);
    released++;
  }
  return released;
}

/** forget: a request the user canceled is dropped from the state, as if never planned. */
export function forgetItem(state: StateData, key: string): void {
  itemGuard('forget', state.items[key], key);
  delete state.items[key];
}

/** Answers a reviewer can send back: validated and not yet written, gone stale, proposed, or declined. */
export const rejectable = (item: ItemState): boolean => (ITEM_TRANSITIONS.reject.from as readonly string[]).includes(item.status) && item.value !== undefined;

/**
 * reject: a reviewer's "no". Asked again on the next run, quoting the refused answer and the reason, with a full
 * set of retries: the reviewer asked for it, so earlier attempts do not count against it.
 */
export function rejectItem(item: ItemState, reason: string | undefined): void {
  itemGuard('reject', item, `${item.task}:${item.file}`);
  const answer = typeof item.value === 'string' ? item.value : JSON.stringify(item.value);
  item.status = 'failed';
  item.error = reason ? `rejected in review: ${reason}` : 'rejected in review';
  item.retryable = true;
  item.rejected = answer.slice(0, MAX_REJECTED_CHARS);
  item.rejectedReason = item.error;
  item.attempts = 0;
  delete item.value;
  delete item.notes;
}

/** apply / propose: the answer is in its file, whose digest is now `hash` (on the pull request's branch when proposed). */
export function writtenItem(item: ItemState, hash: string, propose: boolean): void {
  itemGuard(propose ? 'propose' : 'apply', item, `${item.task}:${item.file}`);
  item.status = propose ? 'proposed' : 'applied';
  item.appliedHash = hash;
}

/** markStale: the file changed since the request was planned; the answer is kept, not written. */
export function markStale(item: ItemState): void {
  itemGuard('markStale', item, `${item.task}:${item.file}`);
  item.status = 'stale';
}

/** refuseWrite: the answer cannot be written (its task is gone, the value would not round-trip); not retried. */
export function refuseWrite(item: ItemState, reason: string): void {
  itemGuard('refuseWrite', item, `${item.task}:${item.file}`);
  item.status = 'failed';
  item.error = reason;
  item.retryable = false;
}

/** What became of a pull request of proposed answers: merged into the default branch, or closed without it. */
export type ProposalOutcome = 'merged' | 'closed';

/**
 * settle: a proposed answer once its pull request is settled. Merged: applied when its file holds the field (the
 * answer, or what a reviewer made of it, which is theirs from now on), declined when the merge left it out.
 * Closed: declined. `file` is the file as it is now, when readable.
 */
export function settleItem(item: ItemState, outcome: ProposalOutcome, file: { hash: string; value: unknown } | undefined): 'applied' | 'declined' {
  itemGuard('settle', item, `${item.task}:${item.file}`);
  if (outcome === 'merged' && file && file.value !== undefined && file.value !== null && file.value !== '') {
    item.status = 'applied';
    item.appliedHash = file.hash;
  } else {
    item.status = 'declined';
    delete item.appliedHash;
  }
  return item.status;
}

// ------------------------------------------------------------------ jobs

/** open: a new job, recorded before the API is called; its items are then submitted to it (submitItem). */
export function openJob(state: StateData, id: string, kind: JobState['kind'], createdAt: string): JobState {
  jobGuard('open', state.jobs[id], id);
  const job: JobState = { id, kind, status: kind === 'batch' ? 'creating' : 'in_progress', createdAt, requests: {}, collected: 0 };
  state.jobs[id] = job;
  return job;
}

/** created: the job's batch exists; `recovered` when list() found it after create() went unanswered. */
export function jobCreated(job: JobState, batch: { id: string; request_counts: RequestCounts }, recovered = false): void {
  jobGuard('created', job, job.id);
  job.batchId = batch.id;
  job.status = 'in_progress';
  job.counts = batch.request_counts;
  if (recovered) job.recovered = true;
  delete job.error;
}

/** unanswered: create() failed without proof that no batch was made; `status` is the HTTP status when one came. */
export function createUnanswered(job: JobState, error: string, status?: number): void {
  jobGuard('unanswered', job, job.id);
  job.error = error;
  if (status !== undefined) job.createStatus = status;
}

/** refused: no batch was made; the job's items are released with their attempt given back. */
export function jobRefused(state: StateData, job: JobState, error: string, itemReason: string, kind?: FailureKind): void {
  jobGuard('refused', job, job.id);
  job.status = 'rejected';
  job.error = error;
  releaseJobItems(state, job, itemReason, 'refund', kind);
}

/** notMine: the batch matched by size and time was someone else's; remembered, and looked for again. */
export function jobNotMine(job: JobState): void {
  jobGuard('notMine', job, job.id);
  job.notMine = [...(job.notMine ?? []), job.batchId!];
  job.status = 'creating';
  delete job.batchId;
  delete job.recovered;
  delete job.counts;
}

/** The first of a recovered batch's results is ours: the match is confirmed. */
export function jobConfirmed(job: JobState): void {
  delete job.recovered;
}

/** polled: the batch's counts; ended when `endedAt` is given. */
export function jobPolled(job: JobState, counts: RequestCounts, endedAt?: string): void {
  jobGuard('polled', job, job.id);
  job.counts = counts;
  if (endedAt !== undefined) {
    job.status = 'ended';
    job.endedAt = endedAt;
  }
}

/** The results download answered 404 (`passes` times in a row), or answered at last (0). */
export function jobResultsMissing(job: JobState, passes: number): void {
  if (passes) job.resultsMissing = passes;
  else delete job.resultsMissing;
}

/** One more of the job's results is stored. */
export function jobStored(job: JobState): void {
  job.collected++;
}

/** What the job's answers for `task` have cost so far. */
export function jobCharged(job: JobState, task: string, spend: Spend, byLanguage?: [lang: string, spend: Spend]): void {
  job.spent = { ...job.spent, [task]: spend };
  if (byLanguage) job.spentByLanguage = { ...job.spentByLanguage, [byLanguage[0]]: byLanguage[1] };
}

/**
 * collected: every result is stored. Requests still waiting got no result (a batch stream that ended without
 * them, a synchronous job cut short by a crash) and are released with their attempt spent: they may have been
 * answered and paid for, so a fault that repeats cannot repeat for ever.
 */
export function jobCollected(state: StateData, job: JobState, unanswered: string, endedAt?: string): number {
  jobGuard('collected', job, job.id);
  const released = releaseJobItems(state, job, unanswered, 'spent');
  job.status = 'collected';
  if (endedAt !== undefined) job.endedAt = endedAt;
  return released;
}

/** gone: the results can no longer be downloaded; its requests are sent again, their attempt given back (the answer was lost, not wrong). */
export function jobGone(state: StateData, job: JobState, error: string): void {
  jobGuard('gone', job, job.id);
  job.error = error;
  releaseJobItems(state, job, 'its results expired before they were downloaded', 'refund');
  job.status = 'collected';
}

/** `cancel` asked the API to cancel the batch: its canceled requests are forgotten, not retried. */
export function jobCanceledByUser(job: JobState): void {
  job.canceledByUser = true;
}

/** adopt: a batch of this project's that the state had lost, taken back as an ended job (its items then submitted to it). */
export function adoptJob(state: StateData, id: string, batch: { id: string; created_at: string; ended_at?: string | null; request_counts: RequestCounts }): JobState {
  jobGuard('adopt', state.jobs[id], id);
  const job: JobState = {
    id,
    kind: 'batch',
    status: 'ended',
    batchId: batch.id,
    createdAt: batch.created_at,
    ...(batch.ended_at ? { endedAt: batch.ended_at } : {}),
    requests: {},
    counts: batch.request_counts,
    collected: 0,
    adopted: true,
  };
  state.jobs[id] = job;
  return job;
}

// ------------------------------------------------------------------ the state's own bookkeeping

/** How many passed-over batch ids are remembered, newest last; older ones fall out of adopt's lookback anyway. */
const SEEN_KEPT = 2000;

/** Batches looked at and passed over (another project's, or nothing in them wanted): not looked at again. */
export function passOver(state: StateData, batchIds: readonly string[]): void {
  if (batchIds.length) state.seenBatches = [...(state.seenBatches ?? []), ...batchIds].slice(-SEEN_KEPT);
}

/** New work waits for running batches that may be this project's from `since`, or (undefined) no longer. */
export function setWaiting(state: StateData, since: string | undefined): void {
  if (since) state.waitingSince = since;
  else delete state.waitingSince;
}
