import path from 'node:path';
import { routeOf, type CostEstimate, type Route } from '../core/cost.js';
import { covers } from '../core/needs.js';
import { ConfigError } from '../errors.js';
import pLimit from 'p-limit';
import { plan, type Plan, type PlannedRequest } from '../core/plan.js';
import { countNamed, pairKey, requireMatches, sampleRequests, selects } from '../core/selection.js';
import type { ScanProblem } from '../io/tree.js';
import { imageInputs } from './images.js';
import { retryableCount } from './report.js';
import { offlineAnswers, saveScanCache, scanProject, type Session } from './session.js';
import { estimateRequests, submitRequests, type SubmitSummary } from './submit.js';
import { loadIdentifier } from '../core/identify.js';
import { needsIdentifier } from '../core/language.js';

export interface PlanResult {
  plan: Plan;
  estimate: CostEstimate[];
  diagnostics: ScanProblem[];
  /** How many content files the include globs matched. */
  scanned: number;
  /** True when input tokens come from the count_tokens endpoint rather than the local estimate. */
  counted: boolean;
  /** How submitting this plan would send its requests. */
  route: Route;
  /** Per task, the requests `--limit` left for a later run. */
  held: Record<string, number>;
  /** How many of the scanned files the path arguments name (when there are some). */
  selected?: number;
}

export async function planWork(session: Session, retriesOnly = false, countTokens = false): Promise<PlanResult> {
  const scan = await scanProject(session, { save: false });
  const { files, diagnostics, matched } = scan;
  const { config } = session.project;
  const { selection } = session;
  const rels = selection.paths ? files.map((f) => f.rel) : [];
  if (!retriesOnly) {
    requireTaskMatches(session, files);
    requireMatches(selection, rels, config.content.include);
  }
  const select = !selection.tasks && !selection.paths ? {} : { select: (task: string, rel: string) => selects(selection, task, rel) };
  const offlineValues = await offlineAnswers(session);
  if (needsIdentifier(session.project.tasks, files)) await loadIdentifier();
  const images = await imageInputs(session, files, select.select);
  const result = plan(session.project.tasks, files, session.store.data, { maxRetries: config.batch.maxRetries, retriesOnly, ...select, ...(offlineValues.size ? { offlineValues } : {}), ...(images.size ? { images } : {}) });
  // What rendering taught this plan is kept with the files, so the next plan of unchanged files need not render.
  for (const { file, task, memo } of result.learned) {
    const entry = scan.cache.entries[file];
    if (entry) entry.requests = [...(entry.requests ?? []).filter(([name]) => name !== task), memo.lang ? [task, memo.fp, memo.requestHash, memo.inputTokens, memo.lang] : [task, memo.fp, memo.requestHash, memo.inputTokens]];
  }
  if (scan.changed || result.learned.length) await saveScanCache(session, scan.cache, scan.parsed > 0);
  // A sample (--limit) is cut after planning: what is free (reused answers) still comes, and the estimate prices the sample.
  // What is in flight counts against it (a resumed run waits for its sample), and so does what this run sent before.
  let held: Record<string, number> = {};
  if (selection.limit !== undefined && !retriesOnly) {
    const covered = new Set(selection.sampled);
    for (const item of Object.values(session.store.data.items)) if (item.status === 'submitted' && selects(selection, item.task, item.file)) covered.add(pairKey(item.task, item.file));
    const sample = sampleRequests(result.requests, selection.limit, covered);
    result.requests = sample.kept;
    held = sample.held;
  }
  const counted = countTokens ? await countInputTokens(session, result.requests) : undefined;
  return {
    plan: result,
    held,
    ...(selection.paths ? { selected: countNamed(selection, rels) } : {}),
    estimate: estimateRequests(session, result.requests, counted),
    diagnostics,
    scanned: matched,
    counted: Boolean(counted),
    route: routeOf(result.requests.length, config.batch.syncBelow),
  };
}

/**
 * A glob that matches nothing is a typo (`blgo/**` for `blog/**`) that would
 * silently turn a task off, and with it the CI gate: a config error naming the
 * key, for every task of the command (the content.include itself when the tree
 * gives no file at all).
 */
export function requireTaskMatches(session: Session, files: ReadonlyArray<{ rel: string }>): void {
  const { project, selection } = session;
  const root = path.relative(project.dir, project.contentRoot) || '.';
  const where = `under content.root (${root})`;
  if (files.length === 0) throw new ConfigError(project.configFile, [`content.include: ${project.config.content.include.join(', ')} matches no file ${where}; fix the globs or content.root`]);
  const problems = project.tasks
    .filter((task) => !selection.tasks || selection.tasks.has(task.name))
    .filter((task) => !files.some((f) => covers(task)(f.rel)))
    .map((task) =>
      task.config.include
        ? `tasks.${task.name}.include: ${task.include.join(', ')} matches none of the ${files.length} content file(s) ${where}; fix the glob, or remove the task`
        : `tasks.${task.name}.exclude: leaves none of the ${files.length} content file(s) ${where}; fix the glob, or remove the task`,
    );
  if (problems.length) throw new ConfigError(project.configFile, problems);
}

/** Exact input tokens from the API's count_tokens endpoint (free), a few requests at a time. */
async function countInputTokens(session: Session, requests: PlannedRequest[]): Promise<Map<string, number>> {
  const { client } = await session.api();
  const limit = pLimit(8);
  const counted = new Map<string, number>();
  await Promise.all(
    requests.map((r) =>
      limit(async () => {
        const { model, messages, system, tools, tool_choice } = r.params;
        const { input_tokens } = await client.messages.countTokens({ model, messages, ...(system ? { system } : {}), ...(tools ? { tools } : {}), ...(tool_choice ? { tool_choice } : {}) });
        counted.set(r.key, input_tokens);
      }),
    ),
  );
  return counted;
}

/**
 * Submits retries of failed, expired, canceled and invalid requests, if any
 * are due; and when answers just arrived, hands them to identical requests
 * left waiting for them (free).
 */
export async function submitRetries(session: Session, answersArrived = false): Promise<SubmitSummary | undefined> {
  if (!answersArrived && retryableCount(session.store.data, session.project.config.batch.maxRetries) === 0) return undefined;
  const { plan: retries } = await planWork(session, true);
  if (!retries.requests.length && !retries.reused.length) return undefined;
  if (retries.requests.length) session.log.info(`retrying ${retries.requests.length} failed request(s)`);
  return submitRequests(session, retries.requests, retries.reused);
}
