import type { JobState, Spend, StateData } from './state.js';

export interface CostRow {
  /** Job id, or the task name in the per-task totals. */
  label: string;
  when?: string;
  kind?: JobState['kind'];
  batchId?: string;
  spend: Spend;
}

export interface CostReport {
  jobs: CostRow[];
  tasks: CostRow[];
  /** Per page language, for the tasks that know it (empty otherwise). */
  languages: CostRow[];
  total: Spend;
  /** True when some model had no known price: the totals leave those requests out. */
  unpriced: boolean;
}

const zero = (): Spend => ({ requests: 0, inputTokens: 0, outputTokens: 0, cacheWriteTokens: 0, cacheReadTokens: 0, usd: 0, syncUsd: 0 });

function add(into: Spend, from: Spend): boolean {
  into.requests += from.requests;
  into.inputTokens += from.inputTokens;
  into.outputTokens += from.outputTokens;
  into.cacheWriteTokens += from.cacheWriteTokens;
  into.cacheReadTokens += from.cacheReadTokens;
  if (from.usd === undefined || from.syncUsd === undefined) return false;
  into.usd! += from.usd;
  into.syncUsd! += from.syncUsd;
  return true;
}

/** Pure: what was actually spent, per submission, per task and in all, from the usage recorded with every answer. */
export function costReport(state: StateData): CostReport {
  const report: CostReport = { jobs: [], tasks: [], languages: [], total: zero(), unpriced: false };
  const byTask = new Map<string, Spend>();
  const byLanguage = new Map<string, Spend>();
  const jobs = Object.values(state.jobs).filter((j) => j.spent).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  for (const job of jobs) {
    const spend = zero();
    for (const [task, s] of Object.entries(job.spent!)) {
      if (!add(spend, s)) report.unpriced = true;
      const t = byTask.get(task) ?? zero();
      add(t, s);
      byTask.set(task, t);
    }
    for (const [lang, s] of Object.entries(job.spentByLanguage ?? {})) {
      const l = byLanguage.get(lang) ?? zero();
      add(l, s);
      byLanguage.set(lang, l);
    }
    add(report.total, spend);
    report.jobs.push({ label: job.id, when: job.createdAt, kind: job.kind, ...(job.batchId ? { batchId: job.batchId } : {}), spend });
  }
  report.tasks = [...byTask].sort(([a], [b]) => a.localeCompare(b)).map(([label, spend]) => ({ label, spend }));
  report.languages = [...byLanguage].sort(([a], [b]) => a.localeCompare(b)).map(([label, spend]) => ({ label, spend }));
  return report;
}

/** Pure: created → ended times of finished batches, for scheduling around the slow ones. */
export function completionStats(state: StateData): { batches: number; medianMs: number; p75Ms: number; maxMs: number } | undefined {
  const times = Object.values(state.jobs)
    .filter((j) => j.kind === 'batch' && j.batchId && j.endedAt)
    .map((j) => Date.parse(j.endedAt!) - Date.parse(j.createdAt))
    .filter((ms) => Number.isFinite(ms) && ms >= 0)
    .sort((a, b) => a - b);
  if (!times.length) return undefined;
  // Nearest-rank percentiles: always a time that was actually observed.
  const rank = (p: number) => times[Math.min(times.length - 1, Math.ceil(p * times.length) - 1)]!;
  return { batches: times.length, medianMs: rank(0.5), p75Ms: rank(0.75), maxMs: times.at(-1)! };
}
