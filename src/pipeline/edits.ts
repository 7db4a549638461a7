import { readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import writeFileAtomic from 'write-file-atomic';
import { digest } from '../core/hash.js';
import { problemLine, type FileProblem } from '../core/problem.js';
import { selects } from '../core/selection.js';
import { fileProblem, UserError } from '../errors.js';
import type { ItemState } from '../core/state.js';
import { markStale, refuseWrite, writtenItem } from '../core/transitions.js';
import { getField } from '../frontmatter/field-path.js';
import { parseFrontMatter } from '../frontmatter/read.js';
import { setField } from '../frontmatter/edit.js';
import { contentRoot, siteFormat, type Session } from './session.js';
import { progress } from '../io/log.js';
import { crashPoint } from '../io/crash-points.js';

export interface FileEdit {
  file: string;
  abs: string;
  before: string;
  /** The new text; absent when nothing can be written. */
  after?: string;
  /** Item keys whose values this edit writes. */
  keys: string[];
  /** Item keys whose values the file already holds (an apply killed before it recorded them). */
  done: string[];
  /** Items not written, with why. */
  problems: ApplyProblem[];
}

/**
 * An answer `apply` does not write: `stale` (its file changed since the request was planned, or cannot be
 * read: the item goes stale), `task-removed` (its task is no longer in the config) or `not-written` (the
 * value cannot be set: it would not round-trip, or the field is under a value). The last two leave it failed.
 */
export interface ApplyProblem extends FileProblem<'stale' | 'task-removed' | 'not-written'> {
  /** The item's key in the state. */
  key: string;
  task: string;
  field: string;
}

/**
 * Groups validated, unapplied answers (of the session's selection) by file and computes each file's new text.
 * Answers proposed in an open pull request count too: its branch is rebuilt from the default branch's files.
 */
export async function computeEdits(session: Session): Promise<FileEdit[]> {
  const byFile = new Map<string, [string, ItemState][]>();
  for (const [key, item] of Object.entries(session.store.data.items)) {
    if ((item.status !== 'succeeded' && item.status !== 'proposed') || !selects(session.selection, item.task, item.file)) continue;
    const list = byFile.get(item.file) ?? [];
    list.push([key, item]);
    byFile.set(item.file, list);
  }
  const edits: FileEdit[] = [];
  const root = await realpath(await contentRoot(session));
  const newBlockFormat = session.project.config.content.frontMatterFormat ?? (await siteFormat(session));
  for (const [file, entries] of [...byFile].sort(([a], [b]) => a.localeCompare(b))) {
    const abs = path.join(session.project.contentRoot, file);
    const unwritable = (reason: string) =>
      edits.push({ file, abs, before: '', keys: [], done: [], problems: entries.map(([key, item]) => ({ key, file, task: item.task, field: session.task(item.task)?.config.field ?? item.task, reason, kind: 'stale' })) });
    let before: string;
    try {
      // The scan resolved symlinks; one that appeared since could lead anywhere.
      if ((await realpath(abs)) !== path.join(root, file)) {
        unwritable('the path now leads through a symlink; not written');
        continue;
      }
      before = await readFile(abs, 'utf8');
    } catch {
      unwritable('file no longer exists');
      continue;
    }
    const hash = digest(before);
    const edit: FileEdit = { file, abs, before, keys: [], done: [], problems: [] };
    let text = before;
    let current: Record<string, unknown> | undefined;
    for (const [key, item] of entries) {
      const task = session.task(item.task);
      const field = task?.config.field ?? item.task;
      if (!task) {
        edit.problems.push({ key, file, task: item.task, field, reason: `task "${item.task}" is no longer in the config`, kind: 'task-removed' });
      } else if (item.planHash !== hash && isDeepStrictEqual(getField((current ??= readData(before)), task.fieldPath), item.value)) {
        // Written by an apply that was killed before it could record it: done, not stale.
        edit.done.push(key);
      } else if (item.planHash !== hash) {
        // Human edits win: the answer was planned on other content.
        edit.problems.push({ key, file, task: item.task, field, reason: 'file changed since its request was planned; not overwritten', kind: 'stale' });
      } else {
        try {
          text = setField(text, task.fieldPath, item.value, { newBlockFormat, ...(task.config.insertAfter ? { after: [task.config.insertAfter].flat() } : {}) });
          edit.keys.push(key);
        } catch (error) {
          edit.problems.push({ key, file, task: item.task, field, reason: (error as Error).message, kind: 'not-written' });
        }
      }
    }
    if (edit.keys.length) edit.after = text;
    edits.push(edit);
  }
  return edits;
}

function readData(text: string): Record<string, unknown> {
  try {
    return parseFrontMatter(text).data;
  } catch {
    return {};
  }
}

/**
 * Writes each edit atomically (temp + rename, mode kept), then marks its items applied, or with `propose`
 * (the files are bound for a pull request's branch) proposed: applied once the pull request is merged.
 */
export async function writeEdits(session: Session, edits: FileEdit[], propose = false): Promise<{ written: string[]; stale: string[]; failed: string[] }> {
  const { items } = session.store.data;
  const result = { written: [] as string[], stale: [] as string[], failed: [] as string[] };
  const shown = progress(session.log, (done, total) => `applying: ${done}/${total} files`);
  for (const [index, edit] of edits.entries()) {
    shown(index, edits.length);
    for (const key of edit.done) writtenItem(items[key]!, digest(edit.before), false);
    for (const problem of edit.problems) {
      const item = items[problem.key];
      if (!item) continue;
      if (problem.kind === 'stale') {
        markStale(item);
        result.stale.push(problemLine(problem, session.shown));
      } else {
        refuseWrite(item, problem.reason);
        result.failed.push(problemLine(problem, session.shown));
      }
    }
    if (edit.after === undefined) continue;
    try {
      // Re-check right before writing: the file may have changed since the diff was computed.
      const current = await readFile(edit.abs, 'utf8');
      if (current !== edit.before) {
        for (const key of edit.keys) markStale(items[key]!);
        result.stale.push(`${session.shown(edit.file)}  changed while applying; not overwritten`);
        continue;
      }
      crashPoint('file:before-write');
      await writeFileAtomic(edit.abs, edit.after, { encoding: 'utf8' });
      crashPoint('file:after-write');
    } catch (error) {
      // One file that cannot be written (permissions, a read-only or full disk) must not stop the others.
      // Its answers stay waiting: the next apply writes them once the file can be written.
      const problem = fileProblem(error, 'not written');
      if (!(problem instanceof UserError)) throw error;
      result.failed.push(`${session.shown(edit.file)}  ${problem.message}; the answer waits for the next apply`);
      continue;
    }
    const hash = digest(edit.after);
    for (const key of edit.keys) writtenItem(items[key]!, hash, propose);
    result.written.push(edit.file);
  }
  session.log.status('');
  await session.store.save();
  return result;
}
