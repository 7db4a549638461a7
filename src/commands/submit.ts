import { problemSkips, type Plan } from '../core/plan.js';
import { errorsIn, problemLine } from '../core/problem.js';
import type { Session } from '../pipeline/session.js';
import { checkModels } from '../pipeline/models.js';
import { submitRequests } from '../pipeline/submit.js';
import { planWork } from '../pipeline/work.js';
import { formatEstimate } from './plan.js';
import { stateExitCode, type CommandResult } from './result.js';
import { adoptLostBatches, heldBack, holdFor, type Adoption } from '../pipeline/adopt.js';

/** Requests left out because an identical one is being sent: the next round shares its answer. */
export const waitingOnShared = (plan: Plan) => plan.skips.filter((s) => s.reason === 'same-request').length;

/** `onPlan` sees what was planned, before anything is sent. */
export async function submitCommand(session: Session, onPlan?: (plan: Plan) => void): Promise<CommandResult> {
  let planned = await planWork(session);
  let running: Adoption['running'] = [];
  if (planned.plan.requests.length) {
    // New work may be work a lost state forgot was sent: the API is asked before anything is paid for again.
    const adoption = await adoptLostBatches(session);
    if (adoption.adopted.length) planned = await planWork(session);
    running = await holdFor(session, adoption.running, planned.plan.requests.length);
  }
  onPlan?.(planned.plan);
  const { plan, diagnostics } = planned;
  for (const d of diagnostics) (d.severity === 'warning' ? session.log.warn : session.log.error)(problemLine(d, session.shown));
  const problems = problemSkips(plan);
  for (const p of problems) session.log.error(problemLine(p, session.shown, (task) => session.task(task)?.config.field));
  const errors = errorsIn(diagnostics).length + problems.length;
  const waiting = waitingOnShared(plan);
  if (plan.requests.length === 0) {
    await submitRequests(session, [], plan.reused);
    const text = plan.reused.length ? `${plan.reused.length} answer(s) reused from identical requests; nothing to submit` : 'nothing to submit';
    return { exitCode: stateExitCode(session, errors), data: { submitted: 0, reused: plan.reused.length, errors, waiting }, text };
  }
  if (running.length) {
    await submitRequests(session, [], plan.reused);
    const text = heldBack(running);
    return { exitCode: stateExitCode(session, errors, true), data: { submitted: 0, reused: plan.reused.length, errors, waiting, heldBack: running.map((b) => b.id) }, text };
  }
  await session.api(); // A missing key is reported before anything else is printed,
  await checkModels(session, plan.requests); // and so is a model that does not exist.
  session.log.info(formatEstimate(planned, session.project.config.batch.syncBelow));
  const summary = await submitRequests(session, plan.requests, plan.reused);
  const n = summary.requests;
  const failed = plan.requests.filter((r) => session.store.data.items[r.key]?.status === 'failed').length;
  const unconfirmed = summary.jobs.filter((id) => session.store.data.jobs[id]?.status === 'creating').length;
  const text =
    summary.mode === 'sync'
      ? `${failed ? `${n - failed} of ` : ''}${n} request(s) answered synchronously`
      : failed === n
        ? `${n} request(s) not submitted: the batch create failed (see above); the next "sync" or "run" sends them again`
        : `${n} request(s) in ${summary.batches.length} batch(es)${summary.batches.length ? `: ${summary.batches.join(', ')}` : ''}${unconfirmed ? `; ${unconfirmed} create(s) not answered, which the next "sync" looks for before sending anything again` : ''}`;
  return {
    exitCode: stateExitCode(session, errors),
    data: { submitted: summary.requests, reused: plan.reused.length, errors, waiting, ...summary },
    text,
  };
}
