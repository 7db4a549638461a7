import type { FileProblem } from '../core/problem.js';
import type { FailureKind, ItemState, StateData } from '../core/state.js';

/**
 * An item whose last attempt failed. `kind` is the item's FailureKind when it needs a person (an invalid
 * request, an unknown model: see stateExitCode), else `failed`.
 */
export interface Failure extends FileProblem<FailureKind | 'failed'> {
  task: string;
}

const retryable = (item: ItemState, maxRetries: number) => item.status === 'failed' && item.retryable === true && item.attempts <= maxRetries;

/**
 * Items whose last attempt failed: `permanent` ones will not be tried again
 * (the error would recur, or the retries are spent); `retrying` ones are sent
 * again by the next pass (a network fault, a create the API refused for now).
 */
export function failedItems(state: StateData, maxRetries: number, within: (item: ItemState) => boolean = () => true): { permanent: Failure[]; retrying: Failure[] } {
  const failure = (i: ItemState): Failure => ({ file: i.file, task: i.task, reason: i.error ?? 'unknown', kind: i.errorKind ?? 'failed' });
  const order = (a: Failure, b: Failure) => a.file.localeCompare(b.file) || a.task.localeCompare(b.task);
  const failed = Object.values(state.items).filter((i) => i.status === 'failed' && within(i));
  return {
    permanent: failed.filter((i) => !retryable(i, maxRetries)).map(failure).sort(order),
    retrying: failed.filter((i) => retryable(i, maxRetries)).map(failure).sort(order),
  };
}

export function retryableCount(state: StateData, maxRetries: number): number {
  return Object.values(state.items).filter((i) => retryable(i, maxRetries)).length;
}

/** Item counts by task, then by status. */
export function countByTask(state: StateData): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const item of Object.values(state.items)) {
    const task = (out[item.task] ??= {});
    task[item.status] = (task[item.status] ?? 0) + 1;
  }
  return out;
}
