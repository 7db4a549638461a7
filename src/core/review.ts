import type { ItemState } from './state.js';

/** Enough of a refused answer to show the model what was wrong with it. */
export const MAX_REJECTED_CHARS = 2000;

/** Answers a reviewer can send back: validated, not yet written (or gone stale before they were). */
export const rejectable = (item: ItemState): boolean => (item.status === 'succeeded' || item.status === 'stale') && item.value !== undefined;

/**
 * Pure: a reviewer's "no" to an answer waiting for apply. The item fails with
 * the reviewer's reason and is asked again on the next run, quoting the refused
 * answer and the reason (as a refused validation is), with a full set of retries:
 * the reviewer asked for it, so earlier attempts do not count against it.
 */
export function rejectAnswer(item: ItemState, reason: string | undefined): void {
  const answer = typeof item.value === 'string' ? item.value : JSON.stringify(item.value);
  item.status = 'failed';
  item.error = reason ? `rejected in review: ${reason}` : 'rejected in review';
  item.retryable = true;
  item.rejected = answer.slice(0, MAX_REJECTED_CHARS);
  item.attempts = 0;
  delete item.value;
  delete item.notes;
}
