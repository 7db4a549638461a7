import { APIError, NotFoundError } from '@anthropic-ai/sdk/error';
import type { JobState, RequestCounts } from '../core/state.js';
import { openJobs } from '../core/state.js';
import { forgetItem, jobCollected, jobConfirmed, jobCreated, jobGone, jobNotMine, jobPolled, jobRefused, jobResultsMissing, jobStored } from '../core/transitions.js';
import { UserError } from '../errors.js';
import { describeError, fatalApiProblem } from '../io/api.js';
import { recordResult } from './record.js';
import type { Session } from './session.js';
import { progress } from '../io/log.js';

/** Results are persisted every this many lines: bounded loss, bounded rewrites. */
const SAVE_EVERY = 1000;
/** The API keeps a batch's results for 29 days from its creation. */
const RESULTS_RETENTION_MS = 29 * 24 * 3_600_000;
/**
 * A younger batch whose results answer 404 this many passes in a row is taken
 * for gone too (an API-compatible server keeping them for less): once could be
 * a passing fault, and releasing the requests pays for them again.
 */
const MISSING_PASSES = 3;

export interface PassSummary {
  polled: number;
  /** Jobs whose poll failed with an error worth retrying later (429, 5xx, network). */
  failed: number;
  ended: number;
  collected: number;
  inFlight: number;
}

function total(c: RequestCounts): number {
  return c.processing + c.succeeded + c.errored + c.canceled + c.expired;
}

/**
 * A create() whose answer was lost may still have made a batch. Look for one
 * created after our intent with the same number of requests that no job owns.
 */
export async function recoverLostCreate(session: Session, job: JobState): Promise<void> {
  const { client } = await session.api();
  const since = Date.parse(job.createdAt) - 60_000;
  const owned = new Set(Object.values(session.store.data.jobs).flatMap((j) => (j.batchId ? [j.batchId] : [])));
  const size = Object.keys(job.requests).length;
  for await (const batch of client.messages.batches.list({ limit: 100 })) {
    if (Date.parse(batch.created_at) < since) break;
    if (owned.has(batch.id) || job.notMine?.includes(batch.id) || total(batch.request_counts) !== size) continue;
    jobCreated(job, batch, true);
    session.log.info(`found batch ${batch.id} for ${job.id}, whose create() had not answered`);
    await session.store.save();
    return;
  }
  // How long after an unanswered create() we keep looking for the batch before releasing its requests.
  const { answeredCreateWindow, lostCreateWindow } = session.project.config.batch;
  const window = job.createStatus ? answeredCreateWindow : lostCreateWindow;
  if (session.now().getTime() - Date.parse(job.createdAt) > window) {
    const error = `no batch appeared within ${window / 1000} s of create() ${job.createStatus ? `answering ${job.createStatus}` : 'going unanswered'}`;
    jobRefused(session.store.data, job, error, error);
    await session.store.save();
  }
}

/** Streams an ended batch's results into the state, matching by custom_id. */
async function collect(session: Session, job: JobState, summary: PassSummary): Promise<number> {
  const { client } = await session.api();
  const { items } = session.store.data;
  let stored = 0;
  let unsaved = 0;
  // A stalled body never ends on its own (the SDK's timeout stops at the headers): abort when no line arrives for a while.
  const stall = new AbortController();
  const stallMs = session.project.config.batch.stallTimeout;
  let timer = setTimeout(() => stall.abort(), stallMs);
  const alive = () => {
    clearTimeout(timer);
    timer = setTimeout(() => stall.abort(), stallMs);
  };
  const total = Object.keys(job.requests).length;
  const shown = progress(session.log, (done) => `collecting batch ${job.batchId}: ${done}/${total} results`);
  try {
    const stream = await client.messages.batches.results(job.batchId!, {}, { signal: stall.signal });
    // The results are there (a 404 comes instead of the stream): earlier misses were passing faults.
    jobResultsMissing(job, 0);
    for await (const line of stream) {
      alive();
      if (job.recovered && !job.requests[line.custom_id]) {
        // Matched by size and time only, and its custom_ids (which carry our submission's nonce) are not ours.
        clearTimeout(timer);
        session.log.warn(`batch ${job.batchId} is not the one ${job.id} created (custom_id ${line.custom_id} is not ours); looking again`);
        jobNotMine(job);
        await session.store.save();
        return 0;
      }
      jobConfirmed(job);
      const key = job.requests[line.custom_id];
      const item = key ? items[key] : undefined;
      if (!key) session.log.warn(`batch ${job.batchId} returned unknown custom_id ${line.custom_id}`);
      // Only the attempt this job made, and only once: a re-download after a cut stream de-duplicates here.
      if (!item || item.job !== job.id || item.customId !== line.custom_id || item.status !== 'submitted') continue;
      // A request the user canceled is forgotten: planned again like a new one, not retried as a failure.
      if (line.result.type === 'canceled' && job.canceledByUser) forgetItem(session.store.data, key!);
      else recordResult(session, item, line.result);
      stored++;
      jobStored(job);
      shown(job.collected, total);
      if (++unsaved >= SAVE_EVERY) {
        await session.store.save();
        unsaved = 0;
      }
    }
  } catch (error) {
    clearTimeout(timer);
    session.log.status('');
    await session.store.save();
    const fatal = fatalApiProblem(error);
    if (fatal) throw new UserError(fatal);
    if (error instanceof NotFoundError) {
      const missing = (job.resultsMissing ?? 0) + 1;
      const old = session.now().getTime() - Date.parse(job.createdAt) >= RESULTS_RETENTION_MS;
      if (!old && missing < MISSING_PASSES) {
        jobResultsMissing(job, missing);
        await session.store.save();
        session.log.warn(`batch ${job.batchId}: its results answered 404 (${missing} of ${MISSING_PASSES} times in a row before they are taken for gone); the next pass looks again`);
        return stored;
      }
      const gone = `results are no longer available (${old ? 'past the 29-day retention' : `404 ${missing} passes in a row`}); the requests are sent again`;
      jobGone(session.store.data, job, gone);
      await session.store.save();
      session.log.warn(`batch ${job.batchId}: ${gone}`);
      return stored;
    }
    // The API answered with an error (429, 5xx): counted as a failed poll, so polling backs off.
    if (error instanceof APIError) summary.failed++;
    const why = stall.signal.aborted ? `no data for ${stallMs / 1000} s` : describeError(error);
    session.log.warn(`batch ${job.batchId}: reading results was interrupted (${why}); the next sync downloads them again`);
    return stored;
  }
  clearTimeout(timer);
  session.log.status('');
  // The stream ended cleanly: a request it never mentioned will not come back, so it is retried.
  jobCollected(session.store.data, job, 'the batch returned no result for this request');
  await session.store.save();
  session.log.info(`batch ${job.batchId}: ${stored} result(s) stored`);
  return stored;
}

/** One pass over every open job: poll it once, collect it if it ended. */
export async function pollOnce(session: Session): Promise<PassSummary> {
  const summary: PassSummary = { polled: 0, failed: 0, ended: 0, collected: 0, inFlight: 0 };
  for (const job of openJobs(session.store.data)) {
    try {
      await pollJob(session, job, summary);
    } catch (error) {
      // One batch's trouble must not stop the others; a problem retrying cannot fix stops everything.
      const fatal = fatalApiProblem(error);
      if (fatal) throw new UserError(fatal);
      if (!(error instanceof APIError)) throw error;
      summary.failed++;
      summary.inFlight++;
      session.log.warn(`${job.batchId ? `batch ${job.batchId}` : job.id}: ${describeError(error)}; polled again on the next pass`);
    }
  }
  return summary;
}

async function pollJob(session: Session, job: JobState, summary: PassSummary): Promise<void> {
  if (job.kind === 'sync') {
    // A synchronous job still open means the process died mid-way; its unanswered requests are retried.
    jobCollected(session.store.data, job, 'interrupted before the answer arrived');
    await session.store.save();
    return;
  }
  if (job.status === 'creating') await recoverLostCreate(session, job);
  if (job.status === 'in_progress') {
    const { client } = await session.api();
    const batch = await client.messages.batches.retrieve(job.batchId!);
    summary.polled++;
    const before = job.counts ? JSON.stringify(job.counts) : '';
    const ended = batch.processing_status === 'ended';
    jobPolled(job, batch.request_counts, ended ? (batch.ended_at ?? session.now().toISOString()) : undefined);
    if (ended) {
      session.log.info(`batch ${batch.id} ended: ${batch.request_counts.succeeded} succeeded, ${batch.request_counts.errored} errored, ${batch.request_counts.expired} expired, ${batch.request_counts.canceled} canceled`);
    } else if (before !== JSON.stringify(job.counts)) {
      session.log.info(`batch ${batch.id} ${batch.processing_status}: ${batch.request_counts.processing} processing`);
    }
    await session.store.save();
  }
  if (job.status === 'ended') {
    summary.ended++;
    summary.collected += await collect(session, job, summary);
  }
  if (job.status === 'creating' || job.status === 'in_progress' || job.status === 'ended') summary.inFlight++;
}
