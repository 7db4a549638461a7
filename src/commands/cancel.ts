import { openJobs } from '../core/state.js';
import { ExitCode } from '../errors.js';
import type { Session } from '../pipeline/session.js';
import type { CommandResult } from './result.js';

/** Cancels every in-flight batch. Results that finished anyway are still collected by the next sync. */
export async function cancelCommand(session: Session): Promise<CommandResult> {
  const canceled: string[] = [];
  const jobs = openJobs(session.store.data).filter((j) => j.kind === 'batch' && j.status === 'in_progress' && j.batchId);
  if (jobs.length) {
    const { client } = await session.api();
    for (const job of jobs) {
      await client.messages.batches.cancel(job.batchId!);
      job.canceledByUser = true;
      canceled.push(job.batchId!);
      await session.store.save();
    }
  }
  return {
    exitCode: ExitCode.ok,
    data: { canceled },
    text: canceled.length ? `canceling ${canceled.join(', ')}; run "batchmatter sync" to collect what finished` : 'no batch in flight',
  };
}
