import type { StateData } from '../core/state.js';

export interface Failure {
  file: string;
  task: string;
  reason: string;
}

/** Items whose last attempt failed. At the end of a command, retries that were due have been resubmitted. */
export function failedItems(state: StateData): Failure[] {
  return Object.values(state.items)
    .filter((i) => i.status === 'failed')
    .map((i) => ({ file: i.file, task: i.task, reason: i.error ?? 'unknown' }))
    .sort((a, b) => a.file.localeCompare(b.file) || a.task.localeCompare(b.task));
}

export function retryableCount(state: StateData, maxRetries: number): number {
  return Object.values(state.items).filter((i) => i.status === 'failed' && i.retryable && i.attempts <= maxRetries).length;
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
