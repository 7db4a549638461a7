import type { Task } from './task.js';
import { getField } from '../frontmatter/field-path.js';
import type { ScannedFile } from './scanned.js';
import { covers } from './needs.js';

export interface Tally {
  task: string;
  field: string;
  /** Files the task covers, and how many of them hold a value. */
  files: number;
  answered: number;
  /** For every property the schema restricts to an enum: value → count, in the schema's order. */
  counts: Record<string, Record<string, number>>;
  /** Files whose `urgency` is `high`, with their `main_issue` when the schema has one. */
  urgent: Array<{ file: string; issue?: string }>;
}

function enumProperties(task: Task): Record<string, string[]> {
  const properties = (task.schema?.jsonSchema.properties ?? {}) as Record<string, { enum?: unknown[] }>;
  const out: Record<string, string[]> = {};
  for (const [name, schema] of Object.entries(properties)) {
    if (Array.isArray(schema.enum)) out[name] = schema.enum.filter((v): v is string => typeof v === 'string');
  }
  return out;
}

/** Pure: totals of a JSON task's enum properties over the values now in the files (human or generated). */
export function tally(task: Task, files: ReadonlyArray<Pick<ScannedFile, 'rel' | 'data'>>): Tally {
  const enums = enumProperties(task);
  const counts = Object.fromEntries(Object.entries(enums).map(([name, values]) => [name, Object.fromEntries(values.map((v) => [v, 0]))]));
  // Include less exclude, as the task itself sees files.
  const covered = covers(task);
  const result: Tally = { task: task.name, field: task.config.field, files: 0, answered: 0, counts, urgent: [] };
  for (const file of files) {
    if (!file.data || !covered(file.rel)) continue;
    result.files++;
    const value = getField(file.data, task.fieldPath);
    if (typeof value !== 'object' || value === null) continue;
    result.answered++;
    const record = value as Record<string, unknown>;
    for (const name of Object.keys(enums)) {
      const v = record[name];
      if (typeof v === 'string' && v in counts[name]!) counts[name]![v]!++;
    }
    if (record.urgency === 'high') result.urgent.push({ file: file.rel, ...(typeof record.main_issue === 'string' ? { issue: record.main_issue } : {}) });
  }
  return result;
}
