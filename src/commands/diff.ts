import type { DiffFormat } from './diff-formats.js';
import { createTwoFilesPatch } from 'diff';
import pc from 'picocolors';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { problemLine } from '../core/problem.js';
import { renderHtml } from '../report/html.js';
import { buildReportModel, type ReportModel } from '../report/model.js';
import { computeEdits, type FileEdit } from '../pipeline/edits.js';
import type { Session } from '../pipeline/session.js';
import { ExitCode, fileProblem } from '../errors.js';
import type { CommandResult } from './result.js';
import { byLanguage } from '../core/locale.js';
import { isLanguageNote } from '../core/identify.js';

/** `name`: the path the headers carry (plain unified form, no `diff --git` line, so `git apply` reads it from the folder it runs in). */
export function renderPatch(edit: FileEdit, color: boolean, name = edit.file): string {
  const patch = createTwoFilesPatch(`a/${name}`, `b/${name}`, edit.before, edit.after ?? edit.before, undefined, undefined, { context: 3 });
  // jsdiff opens with an "Index:"/"====" header that git-style readers do not expect.
  const body = patch.split('\n').filter((l, i) => !(i < 2 && (l.startsWith('Index:') || l.startsWith('====')))).join('\n');
  if (!color) return body;
  const c = pc.createColors(true);
  return body
    .split('\n')
    .map((l) => (l.startsWith('+++') || l.startsWith('---') ? c.bold(l) : l.startsWith('+') ? c.green(l) : l.startsWith('-') ? c.red(l) : l.startsWith('@@') ? c.cyan(l) : l))
    .join('\n');
}


const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
const shown = (value: unknown) => (value === undefined || value === null || value === '' ? '—' : typeof value === 'string' ? cell(value) : `\`${cell(JSON.stringify(value))}\``);

/**
 * One table per task (file, current → proposed value, length against the
 * limit), then what cannot be applied and why. For a pull-request body or
 * $GITHUB_STEP_SUMMARY. `name` gives a file's path as printed (relative to the
 * folder the command runs in).
 */
export function renderMarkdown(model: ReportModel, maxChars = Infinity, name: (file: string) => string = (file) => file): string {
  const out: string[] = [];
  for (const task of model.tasks) {
    const rows = model.entries
      .filter((e) => e.task === task.task && e.status === 'proposed')
      .map((e) => {
        const max = e.limits?.maxLength;
        const length = typeof e.proposed === 'string' ? `${[...e.proposed].length}${max ? ` / ${max}` : ''}` : '';
        const notes = e.notes.length ? ` (${e.notes.join('; ')})` : '';
        return `| \`${cell(name(e.file))}\` | ${shown(e.current)} | ${shown(e.proposed)}${cell(notes)} | ${length} |`;
      });
    if (!rows.length) continue;
    out.push(`### ${task.task}: \`${task.field}\` in ${rows.length} file(s)`, '', '| file | current | proposed | length |', '|---|---|---|---|', ...rows, '');
  }
  const blocked = model.entries.filter((e) => e.status !== 'proposed');
  if (blocked.length) {
    out.push(`### not applied: ${blocked.length}`, '', '| file | field | status | reason |', '|---|---|---|---|');
    out.push(...blocked.map((e) => `| \`${cell(name(e.file))}\` | \`${cell(e.field)}\` | ${e.status} | ${cell(e.reason ?? '')} |`), '');
  }
  return out.length ? fitMarkdown(out, maxChars) : 'No proposed changes.';
}

/** Room kept under --max-chars for the line that says what was left out. */
const TRAILER_CHARS = 200;

/**
 * The lines joined, at most `maxChars` long (a pull request's body takes 65,536): table rows past the limit
 * are left out, the tables kept whole, and a last line says how many and where to see them all.
 */
function fitMarkdown(lines: string[], maxChars: number): string {
  const full = lines.join('\n').trimEnd();
  if (full.length <= maxChars) return full;
  const kept: string[] = [];
  let size = 0;
  let omitted = 0;
  for (const line of lines) {
    const row = line.startsWith('| `');
    if (row && (omitted || size + line.length + 1 > maxChars - TRAILER_CHARS)) {
      omitted++;
      continue;
    }
    kept.push(line);
    size += line.length + 1;
  }
  return [...kept, `_${omitted} more row(s) not shown here, to stay within ${maxChars} characters: the review page lists every one._`].join('\n').trimEnd();
}

export interface DiffOptions {
  format?: DiffFormat;
  /** Absolute path `--format html` (or json, markdown) is written to; stdout when absent. */
  out?: string;
  /** `--format markdown` at most this long (a pull request's body takes 65,536 characters): rows past it are counted, not shown. */
  maxChars?: number;
  /** With no `out`, write an HTML page to `review.html` beside the state file (the CLI's choice on a terminal). */
  pageFile?: boolean;
}

export async function diffCommand(session: Session, options: DiffOptions = {}): Promise<CommandResult> {
  const format = options.format ?? 'unified';
  const edits = await computeEdits(session);
  const changed = edits.filter((e) => e.after !== undefined);
  const shown = session.shown;
  const problems = edits.flatMap((e) => e.problems.map((p) => problemLine(p, shown)));
  const { items } = session.store.data;
  const notes = (pick: (note: string) => boolean) =>
    changed.flatMap((e) => e.keys.flatMap((key) => (items[key]?.notes ?? []).filter(pick).map((note) => `${shown(e.file)}  ${session.task(items[key]!.task)?.config.field ?? items[key]!.task}  ${note}`)));
  const repairs = notes((n) => !isLanguageNote(n));
  // The language rule's notes are no repairs: answers too short for their language to be told.
  const unchecked = notes(isLanguageNote);
  const exitCode = problems.length ? ExitCode.failures : ExitCode.ok;
  const data = { files: changed.map((e) => ({ file: e.file, path: shown(e.file), patch: renderPatch(e, false, shown(e.file)) })), repairs, languageNotChecked: unchecked, problems };

  if (format !== 'unified') {
    const model = await buildReportModel(session, edits);
    const rendered = format === 'html' ? renderHtml(model) : format === 'json' ? JSON.stringify(model, null, 2) : renderMarkdown(model, options.maxChars, shown);
    const out = options.out ?? (format === 'html' && options.pageFile ? path.join(path.dirname(session.statePath), 'review.html') : undefined);
    if (!out) return { exitCode, data: { ...data, report: model }, text: rendered };
    // The state's folder, for the page written there; a folder given with --out must exist.
    if (!options.out) await mkdir(path.dirname(out), { recursive: true });
    await writeFileAtomic(out, rendered.endsWith('\n') ? rendered : `${rendered}\n`).catch((error) => Promise.reject(fileProblem(error, `--out: cannot write ${out}`)));
    const count = (status: string) => model.entries.filter((e) => e.status === status).length;
    const relative = path.relative(process.cwd(), out);
    const summary = `wrote ${relative.startsWith('..') ? out : relative}: ${count('proposed')} proposed, ${count('failed')} failed, ${count('stale')} stale${options.out ? '' : '; open it in a browser'}`;
    return { exitCode, data: { ...data, report: model, out }, text: summary };
  }

  const parts = changed.map((e) => renderPatch(e, session.log.color, shown(e.file)));
  if (repairs.length) parts.push(['repaired before validation (worth a look):', ...repairs.map((r) => `  ${r}`)].join('\n'));
  if (unchecked.length) parts.push(['language not checked (worth a look):', ...unchecked.map((r) => `  ${r}`)].join('\n'));
  const languages = byLanguage(changed.flatMap((e) => e.keys.map((key) => ({ lang: items[key]?.lang }))));
  if (languages) parts.push(`proposed by page language: ${languages}`);
  if (problems.length) parts.push(problems.map((p) => `not applicable: ${p}`).join('\n'));
  if (!parts.length) parts.push('no proposed changes');
  return { exitCode, data, text: parts.join('\n') };
}
