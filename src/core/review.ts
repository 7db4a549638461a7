import type { ItemState } from './state.js';

/** Enough of a refused answer to show the model what was wrong with it. */
export const MAX_REJECTED_CHARS = 2000;

/**
 * Answers a reviewer can send back: validated, not yet written (or gone stale before they were), proposed in an
 * open pull request, or turned down in a closed one (reject is how a person asks for a new answer to those).
 */
export const rejectable = (item: ItemState): boolean => REJECTABLE.has(item.status) && item.value !== undefined;
const REJECTABLE: ReadonlySet<ItemState['status']> = new Set(['succeeded', 'stale', 'proposed', 'declined']);

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
  item.rejectedReason = item.error;
  item.attempts = 0;
  delete item.value;
  delete item.notes;
}

/** What became of a pull request of proposed answers: merged into the default branch, or closed without it. */
export type ProposalOutcome = 'merged' | 'closed';

/**
 * Pure: a proposed answer once its pull request is settled. Merged: applied
 * when its file holds the field (the answer, or what a reviewer made of it in
 * the pull request, which is theirs from now on), declined when the merge left
 * it out. Closed: declined. `file` is the file as it is now, when readable.
 */
export function settleProposal(item: ItemState, outcome: ProposalOutcome, file: { hash: string; value: unknown } | undefined): 'applied' | 'declined' {
  if (outcome === 'merged' && file && file.value !== undefined && file.value !== null && file.value !== '') {
    item.status = 'applied';
    item.appliedHash = file.hash;
  } else {
    item.status = 'declined';
    delete item.appliedHash;
  }
  return item.status;
}
