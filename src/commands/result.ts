import { ExitCode } from '../errors.js';
import { unreachable } from '../io/api.js';
import { problemLine } from '../core/problem.js';
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
 * The exit code the state implies. What needs a person comes first, even with
 * work in flight, so a nightly job turns red instead of waiting green for ever:
 * 6 when a request's model is unknown, 5 when the API refused a request as
 * invalid, 4 when no API call of this command got through. Then 3 while a
 * batch is in flight, 1 when items failed for good (or `extraProblems`), 3
 * when failed ones wait to be sent again (the next run resumes them, as it
 * does batches in flight), or when new work `waiting` was held back for a
 * running batch that may be this project's (see pipeline/adopt.ts), else 0.
 */
export function stateExitCode(session: Session, extraProblems = 0, waiting = false): number {
  const { data } = session.store;
  const { permanent, retrying } = failedItems(data, session.project.config.batch.maxRetries, inSelection(session));
  const kinds = new Set(permanent.map((f) => f.kind));
  if (kinds.has('unknown-model')) return ExitCode.unknownModel;
  if (kinds.has('invalid-request')) return ExitCode.invalidRequest;
  if (unreachable(session.reach())) return ExitCode.unreachable;
  if (openJobs(data).length > 0 || waiting) return ExitCode.inFlight;
  if (permanent.length > 0 || extraProblems > 0) return ExitCode.failures;
  return retrying.length > 0 ? ExitCode.inFlight : ExitCode.ok;
}

/** A command given tasks or paths answers for those: another file's failure is not its result. */
const inSelection = (session: Session) => (item: ItemState) => selects(session.selection, item.task, item.file);

/** Files named in full under a reason many share; the rest are counted (all of them are in --json's data). */
const SHOWN_PER_REASON = 3;

/**
 * The report lines of failures: one line per file, except that files failing
 * for the same reason (a connection error, a refused batch) share one line
 * with their count, instead of the same message once per file.
 */
function reportLines(failures: Failure[], line: (f: Failure) => string, name: (file: string) => string): string[] {
  const byReason = new Map<string, Failure[]>();
  for (const f of failures) byReason.set(f.reason, [...(byReason.get(f.reason) ?? []), f]);
  return [...byReason].flatMap(([reason, group]) => {
    if (group.length === 1) return [`  ${line(group[0]!)}`];
    const shown = group.slice(0, SHOWN_PER_REASON).map((f) => name(f.file));
    const more = group.length - shown.length;
    return [`  ${group.length} files: ${reason}: ${shown.join(', ')}${more ? ` and ${more} more` : ''}`];
  });
}

/** `path  field  reason` for every failed item (of the selection), and the lines a command prints about them. */
export function failureReport(session: Session): { permanent: string[]; retrying: string[]; lines: string[] } {
  const { permanent, retrying } = failedItems(session.store.data, session.project.config.batch.maxRetries, inSelection(session));
  const line = (f: Failure) => problemLine(f, session.shown, (task) => session.task(task)?.config.field);
  const report = { permanent: permanent.map(line), retrying: retrying.map(line) };
  const reach = session.reach();
  const lines = [
    ...(permanent.length ? ['failed permanently:', ...reportLines(permanent, line, session.shown)] : []),
    ...(retrying.length ? ['failed for now; the next "sync" or "run" sends them again:', ...reportLines(retrying, line, session.shown)] : []),
    ...(unreachable(reach) ? [`the API could not be reached: all ${reach!.failed} call(s) failed (${reach!.lastFailure ?? 'no answer'}); check the network and ANTHROPIC_BASE_URL. The state is saved: nothing was lost or paid for twice`] : []),
  ];
  return { ...report, lines };
}
