import { ExitCode } from '../errors.js';
import { failedItems, type Failure } from '../pipeline/report.js';
import type { Session } from '../pipeline/session.js';
import { selects } from '../core/selection.js';
import { openJobs, type ItemState } from '../core/state.js';

/** What every command returns: the CLI prints `text` (or `data` with --json) and exits with `exitCode`. */
export interface CommandResult {
  exitCode: number;
  data: Record<string, unknown>;
  text: string;
}

/**
 * The exit code the state implies: 3 while a batch is in flight, 1 when items
 * failed for good (or `extraProblems`), 3 when failed ones wait to be sent
 * again (the next run resumes them, as it does batches in flight), else 0.
 */
export function stateExitCode(session: Session, extraProblems = 0): number {
  const { data } = session.store;
  if (openJobs(data).length > 0) return ExitCode.inFlight;
  const { permanent, retrying } = failedItems(data, session.project.config.batch.maxRetries, inSelection(session));
  if (permanent.length > 0 || extraProblems > 0) return ExitCode.failures;
  return retrying.length > 0 ? ExitCode.inFlight : ExitCode.ok;
}

/** A command given tasks or paths answers for those: another file's failure is not its result. */
const inSelection = (session: Session) => (item: ItemState) => selects(session.selection, item.task, item.file);

/** `path  field  reason` for every failed item (of the selection), and the lines a command prints about them. */
export function failureReport(session: Session): { permanent: string[]; retrying: string[]; lines: string[] } {
  const { permanent, retrying } = failedItems(session.store.data, session.project.config.batch.maxRetries, inSelection(session));
  const line = (f: Failure) => `${f.file}  ${session.task(f.task)?.config.field ?? f.task}  ${f.reason}`;
  const report = { permanent: permanent.map(line), retrying: retrying.map(line) };
  const lines = [
    ...(report.permanent.length ? ['failed permanently:', ...report.permanent.map((f) => `  ${f}`)] : []),
    ...(report.retrying.length ? ['failed for now; the next "sync" or "run" sends them again:', ...report.retrying.map((f) => `  ${f}`)] : []),
  ];
  return { ...report, lines };
}
