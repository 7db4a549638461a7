import { ExitCode } from '../errors.js';
import { failedItems } from '../pipeline/report.js';
import type { Session } from '../pipeline/session.js';
import { openJobs } from '../core/state.js';

/** What every command returns: the CLI prints `text` (or `data` with --json) and exits with `exitCode`. */
export interface CommandResult {
  exitCode: number;
  data: Record<string, unknown>;
  text: string;
}

/**
 * The exit code the state implies: 3 while a batch is in flight, 1 when items
 * failed (by the end of a command, retries due have been resubmitted, so what is
 * still failed could not be), else 0.
 */
export function stateExitCode(session: Session, extraProblems = 0): number {
  const { data } = session.store;
  if (openJobs(data).length > 0) return ExitCode.inFlight;
  if (failedItems(data).length > 0 || extraProblems > 0) return ExitCode.failures;
  return ExitCode.ok;
}

export function failureLines(session: Session): string[] {
  return failedItems(session.store.data).map((f) => {
    const field = session.task(f.task)?.config.field ?? f.task;
    return `${f.file}  ${field}  ${f.reason}`;
  });
}
