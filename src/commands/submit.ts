import { errorsIn, formatDiagnostic } from '../io/tree.js';
import type { Session } from '../pipeline/session.js';
import { submitRequests } from '../pipeline/submit.js';
import { planWork } from '../pipeline/work.js';
import { formatEstimate } from './plan.js';
import { stateExitCode, type CommandResult } from './result.js';

export async function submitCommand(session: Session): Promise<CommandResult> {
  const { plan, estimate, diagnostics } = await planWork(session);
  for (const d of diagnostics) (d.warning ? session.log.warn : session.log.error)(formatDiagnostic(d));
  const errors = errorsIn(diagnostics).length;
  if (plan.requests.length === 0) {
    return { exitCode: stateExitCode(session, errors), data: { submitted: 0, errors }, text: 'nothing to submit' };
  }
  await session.api(); // A missing key is reported before anything else is printed.
  session.log.info(formatEstimate(estimate));
  const summary = await submitRequests(session, plan.requests);
  const where = summary.mode === 'sync' ? 'answered synchronously' : `in ${summary.batches.length} batch(es): ${summary.batches.join(', ')}`;
  return {
    exitCode: stateExitCode(session, errors),
    data: { submitted: summary.requests, errors, ...summary },
    text: `${summary.requests} request(s) ${where}`,
  };
}
