import { ExitCode } from '../errors.js';
import { permanentFailures, retryableCount } from '../pipeline/report.js';
import type { Session } from '../pipeline/session.js';
import { openJobs } from '../core/state.js';

/** What every command returns: the CLI prints `text` (or `data` with --json) and exits with `exitCode`. */
export interface CommandResult {
  exitCode: number;
  data: Record<string, unknown>;
  text: string;
}

/** The exit code the state implies: 3 while work is in flight, 1 with permanent failures, else 0. */
export function stateExitCode(session: Session, extraProblems = 0): number {
  const { data } = session.store;
  const { maxRetries } = session.project.config.batch;
  if (openJobs(data).length > 0 || retryableCount(data, maxRetries) > 0) return ExitCode.inFlight;
  if (permanentFailures(data, maxRetries).length > 0 || extraProblems > 0) return ExitCode.failures;
  return ExitCode.ok;
}

export function failureLines(session: Session): string[] {
  return permanentFailures(session.store.data, session.project.config.batch.maxRetries).map((f) => {
    const field = session.task(f.task)?.config.field ?? f.task;
    return `${f.file}  ${field}  ${f.reason}`;
  });
}
