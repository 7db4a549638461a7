import picomatch from 'picomatch';
import type { Task } from './task.js';
import { getField, isMissing } from '../frontmatter/field-path.js';
import type { ScannedFile } from './scanned.js';

/**
 * What decides which excerpts a file needs, as plain data, so a worker thread
 * can decide it too: per task, the files it covers, whether it always asks or
 * only when the field is missing, and how long its excerpt is.
 */
export interface ExcerptSpec {
  include: string[];
  exclude: string[];
  always: boolean;
  fieldPath: string[];
  maxChars: number;
}

/** The excerpt lengths some task will need for a file, given its front matter (none when every field is filled). */
export type ExcerptNeeds = (rel: string, data: Record<string, unknown>) => number[];

/** Whether a path (relative to the content root) is in `include` and not in `exclude`, compiled once. */
export function fileMatcher(include: readonly string[], exclude: readonly string[]): (rel: string) => boolean {
  const matches = picomatch([...include]);
  if (!exclude.length) return matches;
  const excluded = picomatch([...exclude]);
  return (rel) => matches(rel) && !excluded(rel);
}

const compiled = new WeakMap<Task, (rel: string) => boolean>();

/** The files a task covers (its include globs less its exclude globs), compiled once per task. */
export function covers(task: Task): (rel: string) => boolean {
  let matcher = compiled.get(task);
  if (!matcher) compiled.set(task, (matcher = fileMatcher(task.include, task.config.exclude)));
  return matcher;
}

export function excerptSpecs(tasks: readonly Task[]): ExcerptSpec[] {
  return tasks.map((task) => ({
    include: task.include,
    exclude: task.config.exclude,
    // A worker cannot run the task's rules (a compiled schema), so `invalid` reads every covered file's excerpt too.
    always: task.config.when !== 'missing',
    fieldPath: task.fieldPath,
    maxChars: task.config.excerpt.maxChars,
  }));
}

/**
 * Pure: the excerpt lengths of every task that covers a file and would ask for
 * its field, so the scan computes exactly those and never keeps a body.
 */
export function needsOf(specs: readonly ExcerptSpec[]): ExcerptNeeds {
  const matchers = specs.map((spec) => ({ spec, covers: fileMatcher(spec.include, spec.exclude) }));
  // A loop, not filter and map: this runs for every file of every scan, cached or not.
  return (rel, data) => {
    const lengths: number[] = [];
    for (const { spec, covers } of matchers) if (covers(rel) && (spec.always || isMissing(getField(data, spec.fieldPath)))) lengths.push(spec.maxChars);
    return lengths;
  };
}

/** Nothing to describe: the prompt shows `{{excerpt}}`, and this file's is empty (plan skips it, check says run will not fill it). */
export function hasNoProse(task: Task, file: ScannedFile): boolean {
  return task.readsExcerpt && file.excerpts.get(task.config.excerpt.maxChars) === '';
}
