import { completionStats } from '../core/report-cost.js';
import { openJobs } from '../core/state.js';
import { formatStats } from './cost.js';
import { countByTask } from '../pipeline/report.js';
import type { Session } from '../pipeline/session.js';
import { failureReport, stateExitCode, type CommandResult } from './result.js';
import { count } from '../core/words.js';

/** Reads the state only: no API call, no scan. */
export async function statusCommand(session: Session, stats = false): Promise<CommandResult> {
  const { data } = session.store;
  const counts = countByTask(data);
  const jobs = openJobs(data).map((j) => ({ job: j.id, batch: j.batchId ?? null, status: j.status, requests: Object.keys(j.requests).length, counts: j.counts ?? null, createdAt: j.createdAt }));
  const failures = failureReport(session);
  const lines: string[] = [];
  for (const [task, byStatus] of Object.entries(counts)) {
    lines.push(`${task}: ${Object.entries(byStatus).map(([s, n]) => `${n} ${s}`).join(', ')}`);
  }
  if (!lines.length) lines.push('no work recorded yet');
  for (const j of jobs) lines.push(`in flight: ${j.batch ?? j.job} (${j.status}, ${count(j.requests, 'request')}${j.counts ? `, ${j.counts.processing} processing` : ''})`);
  lines.push(...failures.lines);
  if (stats) lines.push(formatStats(session));
  return {
    exitCode: stateExitCode(session),
    data: { items: counts, inFlight: jobs, failures: failures.permanent, retrying: failures.retrying, ...(stats ? { completion: completionStats(data) ?? null } : {}) },
    text: lines.join('\n'),
  };
}
