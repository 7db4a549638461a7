import type { Message, MessageBatchResult } from '@anthropic-ai/sdk/resources/messages';
import type { ItemState, Usage } from '../core/state.js';
import { addUsage, priceOf } from '../core/cost.js';
import { MAX_REJECTED_CHARS } from '../core/review.js';
import { judgeResult, retryAfter } from '../core/validate.js';
import type { Session } from './session.js';


/** Applies one result to its item: validated value, or a failure with its reason. */
export function recordResult(session: Session, item: ItemState, result: MessageBatchResult): void {
  const task = session.task(item.task);
  const usage = result.type === 'succeeded' ? (result.message as Message).usage : undefined;
  if (usage) {
    item.usage = slimUsage(usage);
    // Only answered requests are billed, valid or not.
    const job = item.job ? session.store.data.jobs[item.job] : undefined;
    if (job) {
      const price = priceOf(result.type === 'succeeded' ? result.message.model : '', session.project.config.prices) ?? (task ? priceOf(task.model, session.project.config.prices) : undefined);
      job.spent = { ...job.spent, [item.task]: addUsage(job.spent?.[item.task], usage, price, job.kind) };
    }
  }
  if (!task) {
    Object.assign(item, { status: 'failed', error: `task "${item.task}" is no longer in the config`, retryable: false });
    return;
  }
  const verdict = judgeResult(task, result);
  if (verdict.ok) {
    delete item.maxTokens;
    delete item.refusals;
    item.status = 'succeeded';
    item.value = verdict.value;
    if (verdict.notes.length) item.notes = verdict.notes;
    else delete item.notes;
    delete item.error;
    delete item.errorKind;
    delete item.retryable;
    delete item.rejected;
    delete item.rejectedReason;
  } else {
    const retry = retryAfter(task, verdict, item.maxTokens ?? task.maxTokens, item.refusals ?? 0);
    item.status = 'failed';
    item.error = retry.reason;
    item.retryable = retry.retryable;
    if (retry.nextMaxTokens) item.maxTokens = retry.nextMaxTokens;
    if (verdict.cause === 'refusal') item.refusals = (item.refusals ?? 0) + 1;
    if (verdict.kind) item.errorKind = verdict.kind;
    else delete item.errorKind;
    delete item.value;
    // A new answer refused replaces the one quoted; no answer at all (errored, expired) keeps it for the next attempt.
    if (verdict.answer) Object.assign(item, { rejected: verdict.answer.slice(0, MAX_REJECTED_CHARS), rejectedReason: verdict.reason });
  }
}

/**
 * The token counts worth keeping from an answer's `usage`: the API's object also carries a row of
 * nulls (geography, server tools, speed…) that made up 40% of a large state file, which every save
 * rewrites and a nightly CI run commits.
 */
function slimUsage(usage: Message['usage']): Usage {
  const slim: Usage = { input_tokens: usage.input_tokens, output_tokens: usage.output_tokens };
  if (usage.cache_creation_input_tokens) slim.cache_creation_input_tokens = usage.cache_creation_input_tokens;
  if (usage.cache_read_input_tokens) slim.cache_read_input_tokens = usage.cache_read_input_tokens;
  const ttl = usage.cache_creation;
  if (ttl && (ttl.ephemeral_5m_input_tokens || ttl.ephemeral_1h_input_tokens)) slim.cache_creation = { ephemeral_5m_input_tokens: ttl.ephemeral_5m_input_tokens, ephemeral_1h_input_tokens: ttl.ephemeral_1h_input_tokens };
  return slim;
}
