import { createTwoFilesPatch } from 'diff';
import pc from 'picocolors';
import { getField } from '../frontmatter/field-path.js';
import { parseFrontMatter } from '../frontmatter/read.js';
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

export type DiffFormat = 'unified' | 'markdown';

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
const shown = (value: unknown) => (value === undefined || value === null || value === '' ? '—' : typeof value === 'string' ? cell(value) : `\`${cell(JSON.stringify(value))}\``);

/** One table per task: file, current → proposed value, length against the limit. For a pull-request body or $GITHUB_STEP_SUMMARY. */
export function renderMarkdown(session: Session, edits: FileEdit[]): string {
  const { items } = session.store.data;
  const out: string[] = [];
  for (const task of session.project.tasks) {
    const rows: string[] = [];
    for (const edit of edits.filter((e) => e.after !== undefined)) {
      const key = edit.keys.find((k) => items[k]?.task === task.name);
      if (!key) continue;
      const value = items[key]!.value;
      let current: unknown;
      try {
        current = getField(parseFrontMatter(edit.before).data, task.fieldPath);
      } catch {
        current = undefined;
      }
      const limit = task.config.output.type === 'text' ? task.config.output.maxLength : undefined;
      const length = typeof value === 'string' ? `${[...value].length}${limit ? ` / ${limit}` : ''}` : '';
      const notes = items[key]!.notes?.length ? ` (${items[key]!.notes!.join('; ')})` : '';
      rows.push(`| \`${cell(edit.file)}\` | ${shown(current)} | ${shown(value)}${cell(notes)} | ${length} |`);
    }
    if (!rows.length) continue;
    out.push(`### ${task.name}: \`${task.config.field}\` in ${rows.length} file(s)`, '', '| file | current | proposed | length |', '|---|---|---|---|', ...rows, '');
  }
  return out.length ? out.join('\n').trimEnd() : 'No proposed changes.';
}

export async function diffCommand(session: Session, format: DiffFormat = 'unified'): Promise<CommandResult> {
  const edits = await computeEdits(session);
  const changed = edits.filter((e) => e.after !== undefined);
  const problems = edits.flatMap((e) => e.problems.map((p) => `${e.file}  ${p.field}  ${p.reason}`));
  const { items } = session.store.data;
  const repairs = changed.flatMap((e) =>
    e.keys.flatMap((key) => (items[key]?.notes ?? []).map((note) => `${e.file}  ${session.task(items[key]!.task)?.config.field ?? items[key]!.task}  ${note}`)),
  );
  const parts = format === 'markdown' ? [renderMarkdown(session, edits)] : changed.map((e) => renderPatch(e, session.log.color));
  if (repairs.length && format === 'unified') parts.push(['repaired before validation (worth a look):', ...repairs.map((r) => `  ${r}`)].join('\n'));
  if (problems.length) parts.push(problems.map((p) => `not applicable: ${p}`).join('\n'));
  if (!parts.length) parts.push('no proposed changes');
  return {
    exitCode: problems.length ? ExitCode.failures : ExitCode.ok,
    data: { files: changed.map((e) => ({ file: e.file, patch: renderPatch(e, false) })), repairs, problems },
    text: parts.join('\n'),
  };
}
