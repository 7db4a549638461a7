import type { Session } from '../pipeline/session.js';
import { syncPass } from '../pipeline/work.js';
import { failureReport, stateExitCode, type CommandResult } from './result.js';

export async function syncCommand(session: Session): Promise<CommandResult> {
  const { pass, retries } = await syncPass(session);
  const failures = failureReport(session);
  const lines = [`polled ${pass.polled} batch(es); ${pass.ended} ended; ${pass.collected} result(s) stored; ${pass.inFlight} still in flight`];
  if (retries?.requests) lines.push(`resubmitted ${retries.requests} failed request(s)`);
  lines.push(...failures.lines);
  return { exitCode: stateExitCode(session), data: { ...pass, retried: retries?.requests ?? 0, failures: failures.permanent, retrying: failures.retrying }, text: lines.join('\n') };
}
