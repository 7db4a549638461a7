import type { Task } from '../config/load.js';
import { getField, isMissing } from '../frontmatter/field-path.js';
import type { ScannedFile } from '../io/tree.js';
import { checkExisting } from './validate.js';
import { covers, hasNoProse } from './needs.js';

export interface Finding {
  file: string;
  field: string;
  problem: string;
  /**
   * Who mends it: `missing` and `replaced` (a value breaking a rule of a `when: 'invalid'` task) are
   * `run`'s to write; `no-prose` (missing, with nothing in the body to describe) and `broken` (a value
   * breaking a rule, which the task never overwrites) are a person's.
   */
  kind: 'missing' | 'no-prose' | 'replaced' | 'broken';
}

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
      const found = (problem: string, kind: Finding['kind']) => findings.push({ file: file.rel, field: task.config.field, problem, kind });
      if (isMissing(value)) {
        if (hasNoProse(task, file)) found('missing (no prose in the body to describe: write it by hand, or exclude the file)', 'no-prose');
        else found('missing', 'missing');
        continue;
      }
      const problem = checkExisting(task, value);
      if (problem) found(problem, task.config.when === 'invalid' ? 'replaced' : 'broken');
    }
  }
  return findings.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.field < b.field ? -1 : 1));
}
