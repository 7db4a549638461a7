import type { Task } from '../config/load.js';
import { getField, isMissing } from '../frontmatter/field-path.js';
import type { ScannedFile } from '../io/tree.js';
import { checkExisting } from './validate.js';
import { covers, hasNoProse } from './needs.js';

export interface Finding {
  file: string;
  field: string;
  problem: string;
}

/** A missing field `run` fills. */
export const MISSING = 'missing';
/** A missing field `run` does not fill: the prompt shows the body, and it has no prose (plan's `no-prose` skip). */
export const MISSING_NO_PROSE = 'missing (no prose in the body to describe: write it by hand, or exclude the file)';

/**
 * Pure: every file a task covers whose field is missing or breaks the task's
 * rules — what `batchmatter check` gates CI on, like `prettier --check`.
 */
export function checkFiles(tasks: Task[], files: ScannedFile[], select?: (task: string, rel: string) => boolean): Finding[] {
  const findings: Finding[] = [];
  for (const task of tasks) {
    const covered = covers(task);
    for (const file of files) {
      if (!file.data || !covered(file.rel) || (select && !select(task.name, file.rel))) continue;
      const value = getField(file.data, task.fieldPath);
      const problem = !isMissing(value) ? checkExisting(task, value) : hasNoProse(task, file) ? MISSING_NO_PROSE : MISSING;
      if (problem) findings.push({ file: file.rel, field: task.config.field, problem });
    }
  }
  return findings.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.field < b.field ? -1 : 1));
}
