import path from 'node:path';
import pc from 'picocolors';
import type { CostEstimate } from '../core/cost.js';
import { imageOfBlock } from '../core/images.js';
import { isRetry, problemSkips, type PlannedRequest, type Skip } from '../core/plan.js';
import { ExitCode } from '../errors.js';
import { knownModelNames, resolveModel, suggestModel } from '../core/models.js';
import { errorsIn, problemLine } from '../core/problem.js';
import type { Session } from '../pipeline/session.js';
import { planWork, type PlanResult } from '../pipeline/work.js';
import type { CommandResult } from './result.js';
import { count } from '../core/words.js';
import { byLanguage } from '../core/locale.js';

const usd = (n: number | undefined) => (n === undefined ? 'unknown price' : `$${n < 1 && n > 0 ? n.toFixed(4) : n.toFixed(2)}`);

const SKIP_LABELS: Record<Skip['reason'], string> = {
  'has-value': 'already have a value',
  'case-variant': 'have the key in another case',
  waiting: "wait for an answer they build on first (another task's, or the source page's)",
  'in-flight': 'in flight',
  'awaiting-apply': 'answered, waiting for apply',
  'up-to-date': 'up to date',
  'edited-by-hand': 'changed by hand since apply (left as they are)',
  'failed-permanently': 'failed permanently',
  unreadable: 'unreadable front matter',
  'template-error': 'template error',
  'field-taken': 'field filled by another task',
  'field-blocked': 'field under a list or a value, not a map',
  'no-prose': 'no prose in the body to describe',
  'same-request': 'same request as another file: answered once, shared',
  'offline-answer': 'hold the offline emulator\'s answer: restore them',
  proposed: 'proposed in the open pull request',
  declined: 'turned down in a closed pull request',
  'no-image': 'name no image',
  'image-remote': 'have a remote image (a URL): not sent',
  'image-missing': 'name an image file that is not there',
  'image-format': 'have an image in a format the API does not take',
  'image-unreadable': 'have an image that cannot be read or made small enough',
};

export function formatPlan(result: PlanResult, color: boolean, session: Session): string {
  const c = pc.createColors(color);
  const { contentRoot, config, tasks: configured } = session.project;
  if (result.scanned === 0) {
    const root = path.relative(process.cwd(), contentRoot) || '.';
    return c.yellow(`no content files matched ${config.content.include.join(', ')} under ${root}`);
  }
  const lines: string[] = [`${result.scanned} content file(s) scanned${result.selected !== undefined ? `, ${result.selected} of them named` : ''}`];
  const { selection } = session;
  const tasks = new Set(configured.map((t) => t.name).filter((name) => !selection.tasks || selection.tasks.has(name)));
  for (const task of [...tasks].sort()) {
    const planned = result.plan.requests.filter((r) => r.task === task);
    const requests = planned.length;
    const again = planned.filter(isRetry).length;
    const reused = result.plan.reused.filter((r) => r.task === task).length;
    const skips = result.plan.skips.filter((s) => s.task === task);
    // Named files a task does not cover: nothing to say about that task.
    if (result.selected !== undefined && !requests && !reused && !skips.length) continue;
    const held = result.held[task];
    lines.push(`${c.bold(task)}: ${requests} request(s) to send${again ? ` (${again} asked again after a failed or refused answer)` : ''}${held ? ` (a sample: ${held} more wait for a later run, --limit)` : ''}${reused ? `, ${reused} answered by an identical request before (free)` : ''}`);
    const counts = new Map<Skip['reason'], number>();
    for (const s of skips) counts.set(s.reason, (counts.get(s.reason) ?? 0) + 1);
    const languages = byLanguage(planned);
    if (languages) lines.push(`  by language: ${languages}`);
    for (const [reason, n] of counts) lines.push(`  skipped ${n}: ${SKIP_LABELS[reason]}`);
    // Unreadable files are listed once, below, with the other diagnostics.
    for (const s of skips.filter((s) => s.detail && s.reason !== 'unreadable' && s.reason !== 'waiting' && s.reason !== 'same-request' && s.reason !== 'no-prose' && s.reason !== 'no-image')) lines.push(c.yellow(`  ${session.shown(s.file)}: ${s.detail}`));
  }
  for (const d of result.diagnostics) lines.push((d.severity === 'warning' ? c.yellow : c.red)(problemLine(d, session.shown)));
  if (result.estimate.length) lines.push('', formatEstimate(result, session.project.config.batch.syncBelow));
  // No API call here: the names batchmatter knows (and those priced in the config); submit asks the API itself.
  const priced = Object.keys(config.prices);
  const unknown = new Map<string, string[]>();
  for (const t of configured) if (tasks.has(t.name) && !resolveModel(t.model, priced)) unknown.set(t.model, [...(unknown.get(t.model) ?? []), t.name]);
  for (const [model, names] of unknown) {
    const near = suggestModel(model, knownModelNames(priced));
    lines.push(c.yellow(`model "${model}" (${names.join(', ')}) is not one batchmatter knows${near ? ` (did you mean "${near}"?)` : ''}; submit asks the API before anything is sent`));
  }
  return lines.join('\n');
}

function outputBasis({ output, outputTokens, requests }: CostEstimate): string {
  const each = `~${Math.round(outputTokens / Math.max(1, requests))} each`;
  if (output?.from === 'answers') return `output ${each}, the mean of ${count(output.answers, 'answer')} so far`;
  if (output?.from === 'maxLength') return `output ${each}, what maxLength ${output.maxLength} allows`;
  return `output ${each}, half of max_tokens`;
}

/** The estimate per task, and in total what the route the requests would take costs (see routeOf). */
export function formatEstimate({ estimate, counted, route }: Pick<PlanResult, 'estimate' | 'counted' | 'route'>, syncBelow: number): string {
  const lines = [`estimate (input ${counted ? 'counted by the count_tokens endpoint' : 'estimated locally, ~4 characters a token'}):`];
  let batch = 0;
  let sync = 0;
  for (const e of estimate) {
    const images = e.images ? `; ~${e.images.tokens} of the input for ${count(e.images.count, 'image')}, width × height / 750 each` : '';
    const cached = e.cacheWriteTokens ? `; ~${e.cacheWriteTokens} of the input is the cached system prompt, priced as cache writes (2x input): each hit would cost 0.1x instead` : '';
    lines.push(`  ${e.task}: ${count(e.requests, 'request')}, ~${e.inputTokens} input + ~${e.outputTokens} output tokens (${outputBasis(e)}${images}${cached}), ${usd(e.batchUsd)} batch (${usd(e.syncUsd)} synchronous)`);
    batch += e.batchUsd ?? 0;
    sync += e.syncUsd ?? 0;
  }
  const requests = estimate.reduce((n, e) => n + e.requests, 0);
  const unpriced = estimate.filter((e) => e.batchUsd === undefined).map((e) => e.task);
  if (unpriced.length) {
    lines.push(`  total: unknown: no price is known for the model of ${unpriced.join(', ')}; add it to "prices" in the config`);
    return lines.join('\n');
  }
  lines.push(
    route === 'batch'
      ? `  total: ${usd(batch)} with the Batches API, ${usd(sync)} synchronous, saving ${usd(sync - batch)}`
      : `  total: ${usd(sync)} through the synchronous API, where ${requests} request(s) go (fewer than batch.syncBelow = ${syncBelow}); as a batch ${usd(batch)}`,
  );
  return lines.join('\n');
}

/** A planned request as it will be sent: model, max_tokens, the system prompt and the message, for a person to read first. */
function promptOf(r: PlannedRequest): { task: string; file: string; model: string; maxTokens: number; system?: string; user: string; tool?: string } {
  const { model, max_tokens, system, messages, tool_choice } = r.params;
  const block = (b: { text?: string }): string => {
    const image = imageOfBlock(b);
    return b.text ?? (image ? `[image ${image.file}, ${image.width}×${image.height}, ${image.mediaType}]` : '');
  };
  const text = (content: unknown): string => (typeof content === 'string' ? content : Array.isArray(content) ? content.map(block).join('\n') : '');
  return {
    task: r.task,
    file: r.file,
    model,
    maxTokens: max_tokens,
    ...(system ? { system: text(system) } : {}),
    user: messages.map((m) => text(m.content)).join('\n\n'),
    ...(tool_choice && 'name' in tool_choice ? { tool: tool_choice.name } : {}),
  };
}

/** `prompts`: each planned request as it will be sent, after the plan (pair it with paths or --limit to read a few). */
export async function planCommand(session: Session, countTokens = false, prompts = false): Promise<CommandResult> {
  const result = await planWork(session, false, countTokens);
  const shown = prompts ? result.plan.requests.map(promptOf) : [];
  const promptText = shown.map((p) =>
    [`--- ${p.task}: ${session.shown(p.file)} (${p.model}, max_tokens ${p.maxTokens}${p.tool ? `, answered through the tool ${p.tool}` : ''})`, ...(p.system ? ['[system]', p.system] : []), '[user]', p.user].join('\n'),
  );
  const listed = session.log.verbose ? ['', 'requests:', ...result.plan.requests.map((r) => `  ${r.task}  ${session.shown(r.file)}${isRetry(r) ? '  (asked again)' : ''}`)] : [];
  return {
    exitCode: errorsIn(result.diagnostics).length || problemSkips(result.plan).length ? ExitCode.failures : ExitCode.ok,
    data: {
      requests: result.plan.requests.map((r) => ({ task: r.task, file: r.file, retry: isRetry(r) })),
      reused: result.plan.reused.map((r) => ({ task: r.task, file: r.file, from: r.from })),
      skipped: result.plan.skips,
      diagnostics: result.diagnostics,
      estimate: result.estimate,
      route: result.route,
      held: result.held,
      ...(prompts ? { prompts: shown } : {}),
    },
    text: [formatPlan(result, session.log.color, session), ...(result.plan.requests.length ? listed : []), ...(promptText.length ? ['', ...promptText] : [])].join('\n'),
  };
}
