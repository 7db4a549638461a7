import { checkFiles } from '../core/check.js';
import { countNamed, requireMatches, selects } from '../core/selection.js';
import { ExitCode } from '../errors.js';
import { errorsIn, problemLine } from '../core/problem.js';
import { offlineAnswers, scanProject, type Session } from '../pipeline/session.js';
import { requireTaskMatches } from '../pipeline/work.js';
import type { CommandResult } from './result.js';
import { loadIdentifier } from '../core/identify.js';
import { checksLanguage } from '../core/language.js';

/** A CI gate: exit 1 when a file lacks a field a task would fill, or holds one that breaks its rules. No API call. */
export async function checkCommand(session: Session): Promise<CommandResult> {
  const { files, diagnostics } = await scanProject(session);
  const offlineValues = await offlineAnswers(session);
  const { selection, project } = session;
  const rels = files.map((f) => f.rel);
  requireTaskMatches(session, files);
  requireMatches(selection, rels, project.config.content.include);
  // A language rule judges the values in the files: the identifier reads them.
  if (project.tasks.some(checksLanguage)) await loadIdentifier();
  const findings = checkFiles(project.tasks, files, session.store.data, (task, rel) => selects(selection, task, rel), offlineValues);
  const errors = errorsIn(diagnostics);
  const lines = [...findings, ...errors].map((p) => problemLine(p, session.shown));
  const ok = findings.length === 0 && errors.length === 0;
  const count = (kind: (typeof findings)[number]['kind']) => findings.filter((f) => f.kind === kind).length;
  const [missing, unfillable, variants, replaced, broken, offline] = [count('missing'), count('no-prose'), count('case-variant'), count('replaced'), count('broken'), count('offline-answer')];
  const summary = [
    ...(missing ? [`${missing} field(s) missing: "batchmatter run" fills them`] : []),
    ...(unfillable ? [`${unfillable} field(s) missing where the body has no prose to describe: write them by hand, or exclude the files`] : []),
    ...(variants ? [`${variants} field(s) missing beside a key in another case: rename the key, or set caseVariants: 'ignore'`] : []),
    ...(replaced ? [`${replaced} value(s) breaking a rule: "batchmatter run" rewrites them (when: 'invalid')`] : []),
    // A `missing` task never overwrites a value, so these are the author's to mend (or to delete, and have written).
    ...(broken ? [`${broken} value(s) breaking a rule: fix them, or delete them to have them written again`] : []),
    ...(count('image-not-sent') ? [`${count('image-not-sent')} field(s) missing for an image that is not sent (a URL, or a format the API does not take): write them by hand`] : []),
    ...(offline ? [`${offline} value(s) written by "apply --offline" from the emulator: restore those files (git checkout) before publishing`] : []),
    ...(errors.length ? [`${errors.length} file(s) unreadable`] : []),
  ];
  lines.push(ok ? `all ${countNamed(selection, rels)} file(s) pass` : summary.join('; '));
  return {
    exitCode: ok ? ExitCode.ok : ExitCode.failures,
    data: { findings, diagnostics: errors },
    text: lines.join('\n'),
  };
}
