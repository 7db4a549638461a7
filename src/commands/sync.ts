import type { Session } from '../pipeline/session.js';
import type { MessageBatch } from '@anthropic-ai/sdk/resources/messages/batches';
import { adoptLostBatches, heldBack, holdFor, type Adoption } from '../pipeline/adopt.js';
import { pollOnce, type PassSummary } from '../pipeline/collect.js';
import { retryableCount } from '../pipeline/report.js';
import type { SubmitSummary } from '../pipeline/submit.js';
import { submitRetries } from '../pipeline/work.js';
import { failureReport, stateExitCode, type CommandResult } from './result.js';

/**
 * One cron-friendly pass: take back batches a lost state forgot, poll every
 * in-flight batch once, collect, submit retries (unless a batch that may be
 * this project's is still running: they may be in it).
 */
export async function syncPass(session: Session): Promise<{ pass: PassSummary; retries?: SubmitSummary; adoption: Adoption; held: MessageBatch[] }> {
  const adoption = await adoptLostBatches(session);
  const pass = await pollOnce(session);
  const held = await holdFor(session, adoption.running, retryableCount(session.store.data, session.project.config.batch.maxRetries));
  const retries = held.length ? undefined : await submitRetries(session, pass.collected > 0);
  return { pass, adoption, held, ...(retries ? { retries } : {}) };
}

export async function syncCommand(session: Session): Promise<CommandResult> {
  const { pass, retries, adoption, held } = await syncPass(session);
  const failures = failureReport(session);
  const lines = [`polled ${pass.polled} batch(es); ${pass.ended} ended; ${pass.collected} result(s) stored; ${pass.inFlight} still in flight`];
  if (adoption.adopted.length) lines.push(`took back ${adoption.adopted.length} batch(es) the state file did not know: ${adoption.adopted.map((a) => a.batchId).join(', ')}`);
  if (retries?.requests) lines.push(`resubmitted ${retries.requests} failed request(s)`);
  if (held.length) lines.push(`retries ${heldBack(held)}`);
  lines.push(...failures.lines);
  return {
    exitCode: stateExitCode(session, 0, held.length > 0),
    data: { ...pass, retried: retries?.requests ?? 0, adopted: adoption.adopted, heldBack: held.map((b) => b.id), failures: failures.permanent, retrying: failures.retrying },
    text: lines.join('\n'),
  };
}
