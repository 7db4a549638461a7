/**
 * One per-file problem: what every stage (scan, plan, check, apply, the
 * failure report) says about a file it could not do its work on. Each stage
 * narrows `kind` to its own union (ScanProblem, Finding, ApplyProblem,
 * Failure…); the common fields are the ones the printed line needs.
 */
export interface FileProblem<K extends string = string> {
  /** The file, relative to the content root (printed through Session.shown). */
  file: string;
  /** The task it is about; absent for a problem of the file itself (unreadable, broken front matter). */
  task?: string;
  /** The front-matter field as configured (`description`, `seo.description`); absent with `task`, or when only the task is known. */
  field?: string;
  /** A sentence for a person: what is wrong, and what to do when it is not obvious. */
  reason: string;
  /** What sort of problem, from the stage's own union: what code (exit codes, counts, labels) branches on. */
  kind: K;
  /** `warning`: reported, not a failure (a file skipped on purpose); everything else is an error (exit code 1). */
  severity?: 'warning';
}

/**
 * `<path>  <field>  <reason>`: the line every command prints for a problem with
 * a field, `<path>: <reason>` for one of the file itself. `name` prints a path (Session.shown); `fieldOf` names the field of a
 * problem that only knows its task (the configured field, else the task's name).
 */
export function problemLine(
  p: FileProblem,
  name: (file: string) => string = (file) => file,
  fieldOf: (task: string) => string | undefined = () => undefined,
): string {
  const field = p.field ?? (p.task !== undefined ? (fieldOf(p.task) ?? p.task) : undefined);
  if (field !== undefined) return `${name(p.file)}  ${field}  ${p.reason}`;
  // A problem of the file itself: `path: reason`, or `path:line:col reason` for one at a place in it (broken front matter).
  return `${name(p.file)}${/^\d+:\d+ /.test(p.reason) ? ':' : ': '}${p.reason}`;
}

/** The problems that make a command end with exit code 1 (warnings do not). */
export const errorsIn = <P extends FileProblem>(problems: readonly P[]): P[] => problems.filter((p) => p.severity !== 'warning');
