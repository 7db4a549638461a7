import { pairKey } from '../core/selection.js';
import { openJobs } from '../core/state.js';
import { unreachable } from '../io/api.js';
import { computeEdits, writeEdits } from '../pipeline/edits.js';
import type { Session } from '../pipeline/session.js';
import { pollOnce } from '../pipeline/collect.js';
import { submitRequests } from '../pipeline/submit.js';
import { planWork, submitRetries } from '../pipeline/work.js';
import { submitCommand, waitingOnShared } from './submit.js';
import { failureReport, stateExitCode, type CommandResult } from './result.js';

export interface RunOptions {
  /** Stop waiting after this many ms and exit 3; the next run resumes. */
  maxWaitMs?: number;
  apply: boolean;
  signal?: AbortSignal;
}

/** Never poll a remote API more often than this (batch endpoints have their own rate limit). */
const MIN_REMOTE_POLL_MS = 5000;
/** The longest wait between polls while polls keep failing. */
const MAX_BACKOFF_MS = 10 * 60_000;
/** Polls in a row without one call of the run getting through, before it stops waiting. */
const DEAD_PASSES = 3;
/** The embedded emulator finishes batches in about a second. */
const OFFLINE_POLL_MS = 500;

export async function pollIntervalFor(session: Session): Promise<number> {
  const configured = session.project.config.batch.pollInterval;
  const api = await session.api();
  if (api.target.startsWith('embedded')) return Math.min(configured, OFFLINE_POLL_MS);
  return api.loopback ? configured : Math.max(configured, MIN_REMOTE_POLL_MS);
}

/** "waiting for 2 batches: 1800/4000 done · 3m 05s" from the counts of the last poll. */
function waitingLine(session: Session, started: number): string {
  const jobs = openJobs(session.store.data);
  let done = 0;
  let total = 0;
  for (const job of jobs) {
    const size = Object.keys(job.requests).length;
    total += size;
    done += job.counts ? size - job.counts.processing : 0;
  }
  const seconds = Math.round((session.now().getTime() - started) / 1000);
  const elapsed = seconds >= 60 ? `${Math.floor(seconds / 60)}m ${String(seconds % 60).padStart(2, '0')}s` : `${seconds}s`;
  return `waiting for ${jobs.length} batch${jobs.length === 1 ? '' : 'es'}: ${done}/${total} done · ${elapsed}`;
}

/** Retries are submitted within each sync pass, so open jobs are all there is to wait for. */
function busy(session: Session): boolean {
  return openJobs(session.store.data).length > 0;
}

/** plan + submit + sync until done (or --max-wait), then apply if asked. */
export async function runCommand(session: Session, options: RunOptions): Promise<CommandResult> {
  const started = session.now().getTime();
  const submitted = await submitCommand(session, (plan) => {
    if (session.selection.limit === undefined) return;
    // A sample stays a sample: the chained tasks and retries that follow cover its files only, and each task's
    // requests in this run, counted in `sampled`, stay within the limit.
    const files = new Set([...plan.requests, ...plan.reused].map((r) => r.file));
    const sampled = new Set(plan.requests.map((r) => pairKey(r.task, r.file)));
    session.selection = { ...session.selection, paths: [{ arg: 'the --limit sample', matches: (rel) => files.has(rel) }], sampled };
  });
  session.log.info(submitted.text);
  // New work held back while a batch that may be this project's runs (see pipeline/adopt.ts): the next run sends it.
  const held = Array.isArray(submitted.data.heldBack) && submitted.data.heldBack.length > 0;
  let shared = Number(submitted.data.waiting ?? 0);
  if (busy(session)) session.log.info('waiting for results');
  let waited = false;
  let base: number | undefined;
  let interval = 0;
  // Synchronous retries finish inline; bound those rounds so a create() refused with 429 cannot spin.
  let inlineRounds = 0;
  const chained = session.project.tasks.some((t) => t.config.dependsOn.length > 0 || t.language?.readsSource);
  let chainRounds = 0;
  let deadPasses = 0;
  const lines: string[] = [];
  // Held back, nothing is sent this run, retries included: they may be in the batch that holds the work back.
  for (; !held; ) {
    if (busy(session)) {
      base ??= await pollIntervalFor(session);
      interval ||= base;
      const remaining = options.maxWaitMs === undefined ? interval : options.maxWaitMs - (session.now().getTime() - started);
      if (remaining <= 0) {
        waited = true;
        break;
      }
      session.log.status(waitingLine(session, started));
      const ticker = setInterval(() => session.log.status(waitingLine(session, started)), 1000);
      try {
        await session.sleep(Math.min(interval, remaining), options.signal);
      } catch {
        break; // interrupted: every step already saved the state
      } finally {
        clearInterval(ticker);
        session.log.status('');
      }
      const pass = await pollOnce(session);
      // Rate limited or the API is struggling: wait longer each time, with jitter so runs spread out.
      interval = pass.failed ? Math.min(interval * 2, MAX_BACKOFF_MS) * (0.75 + Math.random() / 2) : base;
      // Not one call of this run has got through: waiting out --max-wait would only hide it (exit 4 says so).
      if (unreachable(session.reach()) && ++deadPasses >= DEAD_PASSES) {
        lines.push(`stopped waiting: the API has answered none of this run's ${session.reach()!.failed} calls`);
        break;
      }
    }
    const retried = await submitRetries(session);
    if (!busy(session) && !retried && (chained || shared > 0) && chainRounds++ < session.project.tasks.length + 1) {
      // Answers just arrived: chained tasks waiting on them can go now, as the next batch, and
      // requests left out as identical to one just answered take its answer.
      const next = await planWork(session);
      shared = waitingOnShared(next.plan);
      for (const r of next.plan.requests) session.selection.sampled?.add(pairKey(r.task, r.file));
      if (next.plan.requests.length || next.plan.reused.length) {
        if (next.plan.requests.length) session.log.info(`${next.plan.requests.length} request(s) of chained tasks are ready`);
        await submitRequests(session, next.plan.requests, next.plan.reused);
        continue;
      }
    }
    if (!busy(session) && (!retried || ++inlineRounds > session.project.config.batch.maxRetries + 1)) break;
  }
  let applied: string[] = [];
  if (options.apply && !options.signal?.aborted) {
    const result = await writeEdits(session, await computeEdits(session));
    applied = result.written;
    lines.push(`applied ${result.written.length} file(s)`, ...result.stale.map((s) => `stale: ${s}`), ...result.failed.map((s) => `not written: ${s}`));
  } else {
    const pending = Object.values(session.store.data.items).filter((i) => i.status === 'succeeded').length;
    if (pending) lines.push(`${pending} answer(s) ready: review with "batchmatter diff", write with "batchmatter apply"`);
  }
  const failures = failureReport(session);
  if (held) lines.push(submitted.text);
  lines.push(...failures.lines);
  if (waited) lines.push('stopped waiting (--max-wait); work is still in flight: the next "sync" or "run" resumes it');
  if (options.signal?.aborted) lines.push(`interrupted${busy(session) ? '; work is still in flight: the next "sync" or "run" resumes it' : ''}; everything so far is saved`);
  return {
    exitCode: stateExitCode(session, Number(submitted.data.errors ?? 0), held),
    data: { submitted: submitted.data, applied, failures: failures.permanent, retrying: failures.retrying, stillInFlight: busy(session) },
    text: lines.join('\n') || 'done',
  };
}
