import { openJobs } from '../core/state.js';
import { jobCanceledByUser } from '../core/transitions.js';
import { ExitCode } from '../errors.js';
import { recoverLostCreate } from '../pipeline/collect.js';
import type { Session } from '../pipeline/session.js';
import type { CommandResult } from './result.js';

/** Cancels every in-flight batch. Results that finished anyway are still collected by the next sync. */
export async function cancelCommand(session: Session): Promise<CommandResult> {
  const canceled: string[] = [];
  // A create() that never answered may have made a batch that is running and billing: find it first.
  const unconfirmed = openJobs(session.store.data).filter((j) => j.kind === 'batch' && j.status === 'creating');
  for (const job of unconfirmed) await recoverLostCreate(session, job);
  const jobs = openJobs(session.store.data).filter((j) => j.kind === 'batch' && j.status === 'in_progress' && j.batchId);
  if (jobs.length) {
    const { client } = await session.api();
    for (const job of jobs) {
      await client.messages.batches.cancel(job.batchId!);
      jobCanceledByUser(job);
      canceled.push(job.batchId!);
      await session.store.save();
    }
  }
  const unknown = openJobs(session.store.data).filter((j) => j.kind === 'batch' && j.status === 'creating').length;
  const lines = [canceled.length ? `canceling ${canceled.join(', ')}; run "batchmatter sync" to collect what finished` : 'no batch in flight'];
  if (unknown) lines.push(`${unknown} batch create(s) have not answered and no batch of theirs is listed yet; if one appears, "batchmatter cancel" again stops it`);
  return { exitCode: unknown ? ExitCode.inFlight : ExitCode.ok, data: { canceled, unconfirmed: unknown }, text: lines.join('\n') };
}
