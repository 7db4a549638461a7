import { checkFiles } from '../core/check.js';
import { ExitCode } from '../errors.js';
import { errorsIn, formatDiagnostic } from '../io/tree.js';
import { scanProject, type Session } from '../pipeline/session.js';
import type { CommandResult } from './result.js';

/** A CI gate: exit 1 when a file lacks a field a task would fill, or holds one that breaks its rules. No API call. */
export async function checkCommand(session: Session): Promise<CommandResult> {
  const { files, diagnostics } = await scanProject(session);
  const findings = checkFiles(session.project.tasks, files);
  const errors = errorsIn(diagnostics);
  const lines = findings.map((f) => `${f.file}  ${f.field}  ${f.problem}`);
  lines.push(...errors.map(formatDiagnostic));
  const ok = findings.length === 0 && errors.length === 0;
  lines.push(ok ? `all ${files.length} file(s) pass` : `${findings.length} field(s) to fill or fix${errors.length ? `, ${errors.length} file(s) unreadable` : ''}; "batchmatter run" fills them`);
  return {
    exitCode: ok ? ExitCode.ok : ExitCode.failures,
    data: { findings, diagnostics: errors },
    text: lines.join('\n'),
  };
}
