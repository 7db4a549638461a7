import type { FailureKind, ItemState, StateData } from '../core/state.js';

export interface Failure {
  file: string;
  task: string;
  reason: string;
  /** Set when it needs a person (an invalid request, an unknown model): see stateExitCode. */
  kind?: FailureKind;
}

const retryable = (item: ItemState, maxRetries: number) => item.status === 'failed' && item.retryable === true && item.attempts <= maxRetries;

/**
 * Items whose last attempt failed: `permanent` ones will not be tried again
 * (the error would recur, or the retries are spent); `retrying` ones are sent
 * again by the next pass (a network fault, a create the API refused for now).
 */
export function failedItems(state: StateData, maxRetries: number, within: (item: ItemState) => boolean = () => true): { permanent: Failure[]; retrying: Failure[] } {
  const failure = (i: ItemState): Failure => ({ file: i.file, task: i.task, reason: i.error ?? 'unknown', ...(i.errorKind ? { kind: i.errorKind } : {}) });
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
