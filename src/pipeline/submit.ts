import { APIConnectionError, APIError } from '@anthropic-ai/sdk/error';
import pLimit from 'p-limit';
import type { PlannedRequest, ReusedAnswer } from '../core/plan.js';
import { customId } from '../core/custom-id.js';
import { submittedItem, type JobState } from '../core/state.js';
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
  const nonce = session.nonce();
  const job: JobState = {
    id: `job_${nonce}`,
    kind,
    status: 'creating',
    createdAt: session.now().toISOString(),
    requests: {},
    collected: 0,
  };
  const { items } = session.store.data;
  requests.forEach((request, index) => {
    let id = customId(session.project.tag, request.task, request.requestHash);
    // Planning sends one request of each digest, so this never happens; but an id must be unique in its batch.
    if (id in job.requests) id = customId(session.project.tag, request.task, request.requestHash, index + 1);
    job.requests[id] = request.key;
    items[request.key] = submittedItem(request, job.id, id, items[request.key]);
  });
  session.store.data.jobs[job.id] = job;
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


/**
 * A create() the API refused: nothing was accepted, so this attempt was not paid for and does not count.
 * A request refused as invalid (400, or 413: too large) is not sent again unchanged: it would be refused again,
 * night after night; a person must change the prompt or the config (exit code 5).
 */
function releaseItems(session: Session, job: JobState, reason: string, invalid: boolean): void {
  for (const key of Object.values(job.requests)) {
    const item = session.store.data.items[key];
    if (item?.job !== job.id || item.status !== 'submitted') continue;
    Object.assign(item, { status: 'failed', error: reason, retryable: !invalid, attempts: item.attempts - 1 }, invalid ? { errorKind: 'invalid-request' } : {});
  }
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
    Object.assign(job, { batchId: batch.id, status: 'in_progress', counts: batch.request_counts });
    await session.store.save();
    session.log.info(`submitted batch ${batch.id} (${count(requests.length, 'request')})`);
  } catch (error) {
    const message = describeError(error);
    if (definitelyRejected(error)) {
      job.status = 'rejected';
      job.error = message;
      const invalid = refusedAsInvalid(error);
      releaseItems(session, job, `batch create refused: ${message}`, invalid);
      await session.store.save();
      const fatal = fatalApiProblem(error);
      if (fatal) throw new UserError(fatal);
      session.log.warn(`batch create refused (${message}); ${invalid ? 'its requests are not sent again unchanged: change the prompt or the config' : 'the requests will be retried'}`);
    } else {
      job.error = message;
      // The server did answer, with a 5xx: it is done with the request, so a batch it made would show in list() within moments.
      if (error instanceof APIError && error.status !== undefined) job.createStatus = error.status;
      await session.store.save();
      session.log.warn(`batch create did not answer (${message}); the next sync looks for it before anything is resubmitted`);
    }
  }
  return job;
}

/** Few requests: the synchronous Messages API answers in seconds and costs the same order. */
async function sendSync(session: Session, requests: PlannedRequest[]): Promise<JobState> {
  const job = recordIntent(session, 'sync', requests);
  job.status = 'in_progress';
  await session.store.save();
  const { client } = await session.api();
  const limit = pLimit(session.project.config.batch.syncConcurrency);
  let fatal: string | undefined;
  await Promise.all(
    requests.map((request) =>
      limit(async () => {
        const item = session.store.data.items[request.key]!;
        if (fatal) return;
        try {
          const message = await client.messages.create(request.params);
          recordResult(session, item, { type: 'succeeded', message });
        } catch (error) {
          fatal ??= fatalApiProblem(error);
          const status = error instanceof APIError ? error.status : undefined;
          const kind = error instanceof APIError ? ((error.error as { error?: { type?: string } })?.error?.type ?? 'api_error') : 'connection_error';
          recordResult(session, item, {
            type: 'errored',
            error: { type: 'error', request_id: null, error: { type: kind as 'api_error', message: describeError(error) } },
          });
          if (status === undefined) item.retryable = true;
        }
        job.collected++;
        // Each answer is paid for: persist it before the next one arrives.
        await session.store.save();
      }),
    ),
  );
  job.status = 'collected';
  job.endedAt = session.now().toISOString();
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
  const { items } = session.store.data;
  for (const r of reused) {
    items[r.key] = {
      task: r.task,
      file: r.file,
      planHash: r.planHash,
      requestHash: r.requestHash,
      status: 'succeeded',
      attempts: items[r.key]?.attempts ?? 0,
      value: r.value,
      reusedFrom: r.from,
    };
  }
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
