import picomatch from 'picomatch';
import type { Task } from '../config/load.js';
import { getField, isMissing } from '../frontmatter/field-path.js';

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

export function excerptSpecs(tasks: readonly Task[]): ExcerptSpec[] {
  return tasks.map((task) => ({
    include: task.include,
    exclude: task.config.exclude,
    always: task.config.when === 'always',
    fieldPath: task.fieldPath,
    maxChars: task.config.excerpt.maxChars,
  }));
}

/**
 * Pure: the excerpt lengths of every task that covers a file and would ask for
 * its field, so the scan computes exactly those and never keeps a body.
 */
export function needsOf(specs: readonly ExcerptSpec[]): ExcerptNeeds {
  const matchers = specs.map((spec) => ({
    spec,
    matches: picomatch(spec.include),
    excluded: spec.exclude.length ? picomatch(spec.exclude) : () => false,
  }));
  return (rel, data) =>
    matchers.filter(({ spec, matches, excluded }) => matches(rel) && !excluded(rel) && (spec.always || isMissing(getField(data, spec.fieldPath)))).map(({ spec }) => spec.maxChars);
}
