import type { Task } from './task.js';
import { isDeepStrictEqual } from 'node:util';
import { blockedStep, findCaseVariant, getField, isMissing } from '../frontmatter/field-path.js';
import type { ScannedFile } from './scanned.js';
import { checkExisting } from './validate.js';
import { imageRefs, refProblem } from './images.js';
import { checksLanguage, pageLanguage } from './language.js';
import { covers, hasNoProse } from './needs.js';
import { itemKey, type ItemState, type StateData } from './state.js';
import { OFFLINE_ANSWER } from './plan.js';
import type { FileProblem } from './problem.js';

/** A field a task covers that is missing or breaks the task's rules (`reason` says which). */
export interface Finding extends FileProblem<FindingKind> {
  task: string;
  field: string;
}

/**
 * Who mends it, as `plan` decides: `missing` and `replaced` (a value breaking a rule of a `when: 'invalid'`
 * task) are `run`'s to write; `no-prose` (nothing in the body to describe), `case-variant` (a key in another
 * case holds it), `broken` (a value breaking a rule that the task leaves alone) and `image-not-sent` (the
 * image is a URL or in a format the API does not take) are a person's.
 */
export type FindingKind = 'missing' | 'replaced' | 'no-prose' | 'case-variant' | 'broken' | 'offline-answer' | 'image-not-sent';

/**
 * Pure: every file a task covers whose field is missing or breaks the task's
 * rules — what `batchmatter check` gates CI on, like `prettier --check` — and
 * whether `run` would mend it, by the same tests `plan` makes.
 */
export function checkFiles(tasks: Task[], files: ScannedFile[], state: StateData, select?: (task: string, rel: string) => boolean, offlineValues?: ReadonlyMap<string, unknown>): Finding[] {
  const findings: Finding[] = [];
  for (const task of tasks) {
    const covered = covers(task);
    for (const file of files) {
      if (!file.data || !covered(file.rel) || (select && !select(task.name, file.rel))) continue;
      // An image task's field describes the image: a file that names none needs none.
      if (task.config.image && !imageRefs(file.data, task.config.image.from).length) continue;
      const value = getField(file.data, task.fieldPath);
      const found = (reason: string, kind: FindingKind) => findings.push({ file: file.rel, task: task.name, field: task.config.field, reason, kind });
      const offline = offlineValues?.get(itemKey(task.name, file.rel));
      if (offline !== undefined && isDeepStrictEqual(value, offline)) {
        found(OFFLINE_ANSWER, 'offline-answer');
        continue;
      }
      if (isMissing(value)) {
        const blocked = blockedStep(file.data, task.fieldPath);
        if (blocked) {
          found(`missing, and cannot be added: ${blocked}`, 'broken');
          continue;
        }
        const variant = task.config.caseVariants === 'report' ? findCaseVariant(file.data, task.fieldPath) : undefined;
        const notSent = task.config.image ? imageRefs(file.data, task.config.image.from).map(refProblem).find(Boolean) : undefined;
        if (variant !== undefined) found(`missing (the file has "${variant}", a key in another case: rename it, or set caseVariants: 'ignore')`, 'case-variant');
        else if (hasNoProse(task, file)) found('missing (no prose in the body to describe: write it by hand, or exclude the file)', 'no-prose');
        else if (notSent) found(`missing (${notSent.detail}: write it by hand)`, 'image-not-sent');
        else found('missing', 'missing');
        continue;
      }
      const lang = task.language && checksLanguage(task) ? pageLanguage(file, task.language.i18n, task.language.identifier, file.excerpts.get(task.config.excerpt.maxChars))?.code : undefined;
      const problem = checkExisting(task, value, lang);
      if (!problem) continue;
      if (task.config.when !== 'invalid') found(problem, 'broken');
      else if (hasNoProse(task, file)) found(`${problem} (no prose in the body to write it from: fix it by hand)`, 'broken');
      else if (editedByHand(state.items[itemKey(task.name, file.rel)], value)) found(`${problem} (changed by hand after batchmatter wrote it, so run leaves it: fix it, or delete it to have it written again)`, 'broken');
      else found(problem, 'replaced');
    }
  }
  return findings.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.field < b.field ? -1 : 1));
}

/** A value batchmatter wrote that a person has changed since: `plan` leaves it alone while the prompt's inputs stay the same. */
const editedByHand = (item: ItemState | undefined, value: unknown) => item?.status === 'applied' && !isDeepStrictEqual(item.value, value);
