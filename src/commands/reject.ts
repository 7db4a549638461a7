import { rejectable, rejectItem } from '../core/transitions.js';
import { selects } from '../core/selection.js';
import { ExitCode, UserError } from '../errors.js';
import type { Session } from '../pipeline/session.js';
import type { CommandResult } from './result.js';

/**
 * A reviewer's "no": the answers waiting for apply in the files (and tasks)
 * named are not written, and the next run asks for them again, quoting each
 * refused answer and the reason given.
 */
export async function rejectCommand(session: Session, reason: string | undefined): Promise<CommandResult> {
  const { selection } = session;
  // Without a selection this would throw away every answer waiting for review: never by accident.
  if (!selection.paths && !selection.tasks) throw new UserError('reject: name the files (paths or globs) or the task (--task) whose answers to reject');
  const rejected: Array<{ task: string; file: string }> = [];
  for (const item of Object.values(session.store.data.items)) {
    if (!rejectable(item) || !selects(selection, item.task, item.file)) continue;
    rejectItem(item, reason);
    rejected.push({ task: item.task, file: item.file });
  }
  if (rejected.length) await session.store.save();
  rejected.sort((a, b) => a.file.localeCompare(b.file) || a.task.localeCompare(b.task));
  const field = (task: string) => session.task(task)?.config.field ?? task;
  const text = rejected.length
    ? [
        `rejected ${rejected.length} answer(s); the next "run" or "sync" asks for them again, quoting each one${reason ? ' and your reason' : ''}:`,
        ...rejected.map((r) => `  ${session.shown(r.file)}  ${field(r.task)}`),
      ].join('\n')
    : 'no answer waiting for apply there: nothing rejected';
  return { exitCode: ExitCode.ok, data: { rejected, ...(reason ? { reason } : {}) }, text };
}
