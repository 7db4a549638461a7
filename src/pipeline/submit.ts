import { APIConnectionError, APIError } from '@anthropic-ai/sdk/error';
import pLimit from 'p-limit';
import type { PlannedRequest, ReusedAnswer } from '../core/plan.js';
import { customId } from '../core/custom-id.js';
import type { JobState } from '../core/state.js';
import { createUnanswered, jobCollected, jobCreated, jobRefused, jobStored, openJob, releaseItem, reuseAnswer, submitItem } from '../core/transitions.js';
import { budgetProblem, estimateCost, estimateTokens, expectedOutput, routeOf, type CostEstimate } from '../core/cost.js';
import { costReport } from '../core/report-cost.js';
import { UserError } from '../errors.js';
import { describeError, fatalApiProblem } from '../io/api.js';
import { checkModels } from './models.js';
import { recordResult } from './record.js';
import type { Session } from './session.js';
import { count } from '../core/words.js';

/** Stay well under the API's 256 MB per batch. */
const MAX_BATCH_BYTES = 200 * 1024 * 1024;

export interface SubmitSummary {
  mode: 'none' | 'sync' | 'batch';
  requests: number;
  jobs: string[];
  batches: string[];
}

/** What sending `requests` is estimated to cost, per task: output as each task's answers so far suggest (see expectedOutput). */
export function estimateRequests(session: Session, requests: PlannedRequest[], counted?: Map<string, number>): CostEstimate[] {
  const spent = new Map(costReport(session.store.data).tasks.map((t) => [t.label, t.spend]));
  const output = new Map(
    session.project.tasks.map((t) => [t.name, expectedOutput({ maxTokens: t.maxTokens, maxLength: t.config.output.type === 'text' ? t.config.output.maxLength : undefined }, spent.get(t.name))]),
  );
  return estimateCost(requests, session.project.config.prices, { counted, output, cachedPrefix: cachedPrefixes(session, requests) });
}

/** Per task, the tokens of the prefix its requests mark for the cache: the same in each (see buildParams), so read off the first. */
function cachedPrefixes(session: Session, requests: PlannedRequest[]): Map<string, number> {
  const prefixes = new Map<string, number>();
  const seen = new Set<string>();
  for (const r of requests) {
    if (seen.has(r.task)) continue;
    seen.add(r.task);
    // Only a shared system prompt is ever marked; building the params of a remembered request reads its excerpt.
    if (!session.task(r.task)?.systemShared) continue;
    const { system, tools } = r.params;
    if (Array.isArray(system)) prefixes.set(r.task, estimateTokens(JSON.stringify({ system, tools })));
  }
  return prefixes;
}

/** Splits requests into batches by count and by serialized size. */
export function chunkRequests(requests: PlannedRequest[], maxRequests: number, maxBytes = MAX_BATCH_BYTES): PlannedRequest[][] {
  const chunks: PlannedRequest[][] = [];
  let current: PlannedRequest[] = [];
  let bytes = 0;
  for (const request of requests) {
    const size = Buffer.byteLength(JSON.stringify(request.params)) + 100;
    if (current.length && (current.length >= maxRequests || bytes + size > maxBytes)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(request);
    bytes += size;
  }
  if (current.length) chunks.push(current);
  return chunks;
}

/** Write-ahead: every item points at its job before the API is called. */
function recordIntent(session: Session, kind: JobState['kind'], requests: PlannedRequest[]): JobState {
  const { data } = session.store;
  const job = openJob(data, `job_${session.nonce()}`, kind, session.now().toISOString());
  requests.forEach((request, index) => {
    let id = customId(session.project.tag, request.task, request.requestHash);
    // Planning sends one request of each digest, so this never happens; but an id must be unique in its batch.
    if (id in job.requests) id = customId(session.project.tag, request.task, request.requestHash, index + 1);
    submitItem(data, request, job, id);
  });
  return job;
}

/** Connection errors that happen before a single byte of the request is sent. */
const NEVER_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ERR_INVALID_URL']);

function neverSent(error: unknown): boolean {
  // The SDK wraps fetch's TypeError, which wraps the socket error that carries the code.
  for (let cause = error, depth = 0; cause instanceof Error && depth < 5; cause = cause.cause, depth++) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' && NEVER_SENT.has(code)) return true;
  }
  return false;
}

/** create() failed in a way that proves nothing was accepted. */
function definitelyRejected(error: unknown): boolean {
  if (error instanceof APIConnectionError) return neverSent(error);
  return error instanceof APIError && error.status !== undefined && error.status >= 400 && error.status < 500 && error.status !== 408 && error.status !== 409;
}


/** A create() refused for what it sent, not for when or by whom: sending the same again gets the same answer. */
const refusedAsInvalid = (error: unknown): boolean => error instanceof APIError && (error.status === 400 || error.status === 413);

async function createBatch(session: Session, requests: PlannedRequest[]): Promise<JobState> {
  const job = recordIntent(session, 'batch', requests);
  await session.store.save();
  const { client } = await session.api();
  const byKey = new Map(requests.map((r) => [r.key, r]));
  try {
    // No SDK retries here: a retried create after a lost answer is a second paid batch.
    // An ambiguous failure is left as 'creating' and recovered by the next sync.
    const batch = await client.messages.batches.create(
      { requests: Object.entries(job.requests).map(([custom_id, key]) => ({ custom_id, params: byKey.get(key)!.params })) },
      { maxRetries: 0 },
    );
    jobCreated(job, batch);
    await session.store.save();
    session.log.info(`submitted batch ${batch.id} (${count(requests.length, 'request')})`);
  } catch (error) {
    const message = describeError(error);
    if (definitelyRejected(error)) {
      // Nothing was accepted, so this attempt was not paid for and does not count. A request refused as invalid
      // (400, or 413: too large) is not sent again unchanged: it would be refused again, night after night; a
      // person must change the prompt or the config (exit code 5).
      const invalid = refusedAsInvalid(error);
      jobRefused(session.store.data, job, message, `batch create refused: ${message}`, invalid ? 'invalid-request' : undefined);
      await session.store.save();
      const fatal = fatalApiProblem(error);
      if (fatal) throw new UserError(fatal);
      session.log.warn(`batch create refused (${message}); ${invalid ? 'its requests are not sent again unchanged: change the prompt or the config' : 'the requests will be retried'}`);
    } else {
      // The server did answer, with a 5xx: it is done with the request, so a batch it made would show in list() within moments.
      createUnanswered(job, message, error instanceof APIError ? error.status : undefined);
      await session.store.save();
      session.log.warn(`batch create did not answer (${message}); the next sync looks for it before anything is resubmitted`);
    }
  }
  return job;
}

/** Few requests: the synchronous Messages API answers in seconds and costs the same order. */
async function sendSync(session: Session, requests: PlannedRequest[]): Promise<JobState> {
  const job = recordIntent(session, 'sync', requests);
  await session.store.save();
  const { client } = await session.api();
  const limit = pLimit(session.project.config.batch.syncConcurrency);
  let fatal: string | undefined;
  await Promise.all(
    requests.map((request) =>
      limit(async () => {
        const item = session.store.data.items[request.key]!;
        if (fatal) {
          // Never sent: a problem no retry fixes stopped the run (see fatalApiProblem).
          releaseItem(item, `not sent: ${fatal}`, 'refund');
          return;
        }
        try {
          const message = await client.messages.create(request.params);
          recordResult(session, item, { type: 'succeeded', message });
        } catch (error) {
          fatal ??= fatalApiProblem(error);
          if (error instanceof APIError && error.status !== undefined) {
            const kind = (error.error as { error?: { type?: string } })?.error?.type ?? 'api_error';
            recordResult(session, item, { type: 'errored', error: { type: 'error', request_id: null, error: { type: kind as 'api_error', message: describeError(error) } } });
          } else {
            // No answer came (the connection failed): it may have been answered and paid for, so the attempt counts.
            releaseItem(item, `API error connection_error: ${describeError(error)}`, 'spent');
          }
        }
        jobStored(job);
        // Each answer is paid for: persist it before the next one arrives.
        await session.store.save();
      }),
    ),
  );
  jobCollected(session.store.data, job, 'interrupted before the answer arrived', session.now().toISOString());
  await session.store.save();
  if (fatal) throw new UserError(fatal);
  return job;
}

/**
 * Items whose request is identical to one already answered take that answer:
 * nothing is sent, nothing is paid, and apply writes it like any other.
 */
async function recordReused(session: Session, reused: readonly ReusedAnswer[]): Promise<void> {
  if (!reused.length) return;
  for (const r of reused) reuseAnswer(session.store.data, r, r.value, r.from);
  await session.store.save();
  session.log.info(`${reused.length} request(s) identical to one answered before: its answer reused, nothing sent`);
}

/** Records reused answers, then sends planned requests: synchronously when few, else as batches of at most maxRequests. */
export async function submitRequests(session: Session, requests: PlannedRequest[], reused: readonly ReusedAnswer[] = []): Promise<SubmitSummary> {
  await recordReused(session, reused);
  if (requests.length === 0) return { mode: 'none', requests: 0, jobs: [], batches: [] };
  const { batch } = session.project.config;
  if (batch.maxCost !== undefined) {
    const problem = budgetProblem(estimateRequests(session, requests), routeOf(requests.length, batch.syncBelow), batch.maxCost);
    if (problem) throw new UserError(`${problem}; nothing was submitted (raise --max-cost or batch.maxCost, or narrow the tasks)`);
  }
  await checkModels(session, requests);
  if (routeOf(requests.length, batch.syncBelow) === 'sync') {
    session.log.info(`sending ${requests.length} request(s) through the synchronous Messages API (fewer than batch.syncBelow = ${batch.syncBelow})`);
    const job = await sendSync(session, requests);
    return { mode: 'sync', requests: requests.length, jobs: [job.id], batches: [] };
  }
  const jobs: JobState[] = [];
  for (const chunk of chunkRequests(requests, batch.maxRequests)) jobs.push(await createBatch(session, chunk));
  return {
    mode: 'batch',
    requests: requests.length,
    jobs: jobs.map((j) => j.id),
    batches: jobs.flatMap((j) => (j.batchId ? [j.batchId] : [])),
  };
}
