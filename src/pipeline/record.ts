import type { Message, MessageBatchResult } from '@anthropic-ai/sdk/resources/messages';
import type { ItemState, Usage } from '../core/state.js';
import { addUsage, priceOf } from '../core/cost.js';
import { answerItem, jobCharged, type Judgement } from '../core/transitions.js';
import type { Task } from '../config/load.js';
import { judgeResult, retryAfter } from '../core/validate.js';
import type { Session } from './session.js';


/** Applies one result to its item: validated value, or a failure with its reason and what the next attempt changes. */
export function recordResult(session: Session, item: ItemState, result: MessageBatchResult): void {
  const task = session.task(item.task);
  const usage = result.type === 'succeeded' ? (result.message as Message).usage : undefined;
  if (usage) {
    // Only answered requests are billed, valid or not.
    const job = item.job ? session.store.data.jobs[item.job] : undefined;
    if (job) {
      const price = priceOf(result.type === 'succeeded' ? result.message.model : '', session.project.config.prices) ?? (task ? priceOf(task.model, session.project.config.prices) : undefined);
      jobCharged(job, item.task, addUsage(job.spent?.[item.task], usage, price, job.kind), item.lang ? [item.lang, addUsage(job.spentByLanguage?.[item.lang], usage, price, job.kind)] : undefined);
    }
  }
  answerItem(item, task ? judge(task, item, result) : { ok: false, reason: `task "${item.task}" is no longer in the config`, retryable: false }, usage && slimUsage(usage));
}

function judge(task: Task, item: ItemState, result: MessageBatchResult): Judgement {
  const verdict = judgeResult(task, result, item.lang);
  if (verdict.ok) return verdict;
  const retry = retryAfter(task, verdict, item.maxTokens ?? task.maxTokens, item.refusals ?? 0);
  return {
    ok: false,
    reason: retry.reason,
    retryable: retry.retryable,
    ...(verdict.answer ? { answer: verdict.answer } : {}),
    ...(verdict.kind ? { kind: verdict.kind } : {}),
    ...(retry.nextMaxTokens ? { nextMaxTokens: retry.nextMaxTokens } : {}),
    ...(verdict.cause === 'refusal' ? { refusal: true } : {}),
  };
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
