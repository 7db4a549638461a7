import { createTwoFilesPatch } from 'diff';
import pc from 'picocolors';
import { computeEdits, type FileEdit } from '../pipeline/edits.js';
import type { Session } from '../pipeline/session.js';
import { ExitCode } from '../errors.js';
import type { CommandResult } from './result.js';

export function renderPatch(edit: FileEdit, color: boolean): string {
  const patch = createTwoFilesPatch(`a/${edit.file}`, `b/${edit.file}`, edit.before, edit.after ?? edit.before, undefined, undefined, { context: 3 });
  // jsdiff opens with an "Index:"/"====" header that git-style readers do not expect.
  const body = patch.split('\n').filter((l, i) => !(i < 2 && (l.startsWith('Index:') || l.startsWith('====')))).join('\n');
  if (!color) return body;
  const c = pc.createColors(true);
  return body
    .split('\n')
    .map((l) => (l.startsWith('+++') || l.startsWith('---') ? c.bold(l) : l.startsWith('+') ? c.green(l) : l.startsWith('-') ? c.red(l) : l.startsWith('@@') ? c.cyan(l) : l))
    .join('\n');
}

export async function diffCommand(session: Session): Promise<CommandResult> {
  const edits = await computeEdits(session);
  const changed = edits.filter((e) => e.after !== undefined);
  const problems = edits.flatMap((e) => e.problems.map((p) => `${e.file}  ${p.field}  ${p.reason}`));
  const { items } = session.store.data;
  const repairs = changed.flatMap((e) =>
    e.keys.flatMap((key) => (items[key]?.notes ?? []).map((note) => `${e.file}  ${session.task(items[key]!.task)?.config.field ?? items[key]!.task}  ${note}`)),
  );
  const parts = changed.map((e) => renderPatch(e, session.log.color));
  if (repairs.length) parts.push(['repaired before validation (worth a look):', ...repairs.map((r) => `  ${r}`)].join('\n'));
  if (problems.length) parts.push(problems.map((p) => `not applicable: ${p}`).join('\n'));
  if (!parts.length) parts.push('no proposed changes');
  return {
    exitCode: problems.length ? ExitCode.failures : ExitCode.ok,
    data: { files: changed.map((e) => ({ file: e.file, patch: renderPatch(e, false) })), repairs, problems },
    text: parts.join('\n'),
  };
}
