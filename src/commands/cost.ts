import { completionStats, costReport } from '../core/report-cost.js';
import type { Spend } from '../core/state.js';
import { ExitCode } from '../errors.js';
import type { Session } from '../pipeline/session.js';
import type { CommandResult } from './result.js';

const usd = (n: number | undefined) => (n === undefined ? 'unknown' : `$${n < 1 ? n.toFixed(4) : n.toFixed(2)}`);
const tokens = (s: Spend) =>
  `${s.inputTokens} in + ${s.outputTokens} out${s.cacheReadTokens || s.cacheWriteTokens ? ` (cache: ${s.cacheWriteTokens} written, ${s.cacheReadTokens} read)` : ''}`;
const line = (label: string, s: Spend) => `  ${label}: ${s.requests} answered, ${tokens(s)}, ${usd(s.usd)} (synchronous: ${usd(s.syncUsd)})`;

/** Reads the state only: what was spent, per submission, per task and in all, against synchronous pricing. */
export async function costCommand(session: Session): Promise<CommandResult> {
  const report = costReport(session.store.data);
  if (!report.jobs.length) return { exitCode: ExitCode.ok, data: { ...report }, text: 'nothing has been spent yet' };
  const lines = ['per submission:'];
  for (const j of report.jobs) lines.push(line(`${j.when!.slice(0, 16).replace('T', ' ')} ${j.kind === 'batch' ? `batch ${j.batchId ?? j.label}` : 'synchronous'}`, j.spend));
  lines.push('per task:', ...report.tasks.map((t) => line(t.label, t.spend)));
  // A site in one language has nothing to compare.
  if (report.languages.length > 1) lines.push('per page language:', ...report.languages.map((l) => line(l.label, l.spend)));
  const { total } = report;
  lines.push(`total: ${usd(total.usd)} spent; the synchronous API would have cost ${usd(total.syncUsd)}, saved ${usd((total.syncUsd ?? 0) - (total.usd ?? 0))}`);
  if (report.unpriced) lines.push('some answers came from a model without a known price; add it to "prices" in the config');
  const reused = Object.values(session.store.data.items).filter((i) => i.reusedFrom !== undefined).length;
  if (reused) lines.push(`${reused} answer(s) taken from identical requests answered before: not sent, not billed`);
  return { exitCode: ExitCode.ok, data: { ...report, reused }, text: lines.join('\n') };
}

export function formatStats(session: Session): string {
  const stats = completionStats(session.store.data);
  if (!stats) return 'no finished batch yet';
  const d = (ms: number) => (ms < 120_000 ? `${(ms / 1000).toFixed(1)} s` : ms < 7_200_000 ? `${(ms / 60_000).toFixed(1)} min` : `${(ms / 3_600_000).toFixed(1)} h`);
  return `batch completion (created → ended, ${stats.batches} batch(es)): median ${d(stats.medianMs)}, p75 ${d(stats.p75Ms)}, max ${d(stats.maxMs)}`;
}
