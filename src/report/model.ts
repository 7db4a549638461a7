import { readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import { CONFIG_NAMES, type Task } from '../config/load.js';
import { excerpt } from '../core/excerpt.js';
import { selects } from '../core/selection.js';
import type { ItemState } from '../core/state.js';
import { tally, type Tally } from '../core/tally.js';
import { getField, isRecord, nest } from '../frontmatter/field-path.js';
import { parseFrontMatter } from '../frontmatter/read.js';
import { computeEdits, type ApplyProblem, type FileEdit } from '../pipeline/edits.js';
import type { Session } from '../pipeline/session.js';
import { entryThumbnails, type Thumbnail } from './thumbnails.js';

/** `proposed`: validated, would be written by `apply`. `failed`: no usable answer (or one `apply` would refuse). `stale`: the file changed after planning. */
export type EntryStatus = 'proposed' | 'failed' | 'stale';
export const ENTRY_STATUSES: readonly EntryStatus[] = ['proposed', 'failed', 'stale'];

/** What a search engine would show for a page: each part already cut to its usual length. */
export interface Snippet {
  title: string;
  url: string;
  description: string;
  /** Whether the description had to be cut. */
  cut: boolean;
}

export interface ReportEntry {
  /** The state's item key (`task:file`). */
  key: string;
  /** Path relative to the content root. */
  file: string;
  task: string;
  field: string;
  kind: 'text' | 'json';
  /** The front matter `title`, when it is a string. */
  title?: string;
  /** The value the file holds now; undefined when absent or the file could not be read. */
  current?: unknown;
  proposed?: unknown;
  status: EntryStatus;
  /** Text tasks: the configured length limits, in characters (code points). */
  limits?: { minLength?: number; maxLength?: number };
  /** Repairs made before validation. */
  notes: string[];
  /** Why a failed or stale entry is not proposed. */
  reason?: string;
  /** Text tasks with a proposed string: the search-result preview. */
  snippet?: Snippet;
  /**
   * What the model read of the file: its `{{excerpt}}` (the prose of the body, as long as the task's
   * excerpt.maxChars), made from the file as it is now. Absent when the template does not read it.
   */
  input?: string;
  /** Tasks with `image`: the images the answer is about, as small embedded thumbnails (see thumbnails.ts). */
  images?: Thumbnail[];
  /** The page's language, for a task that knows it. */
  lang?: string;
}

export interface TaskSummary {
  task: string;
  field: string;
  kind: 'text' | 'json';
  counts: Record<EntryStatus, number>;
  /** Text tasks: the configured length limits. */
  limits?: ReportEntry['limits'];
  /** JSON tasks: enum property → value → count over the proposed answers, and the high-urgency ones (as `report <task>` would show them after apply). */
  chart?: Pick<Tally, 'counts' | 'urgent'>;
}

export interface ReportModel {
  generatedAt?: string;
  /** What the page's commands need, run in the config's folder. */
  command?: CommandContext;
  tasks: TaskSummary[];
  /** Grouped by task (config order); within a JSON task with an `urgency` enum, most urgent first; then by file. */
  entries: ReportEntry[];
}

export interface ReportInput {
  tasks: readonly Task[];
  items: Readonly<Record<string, ItemState>>;
  /** Each file's current text by path relative to the content root; absent when it could not be read. */
  texts: Readonly<Record<string, string | undefined>>;
  /** Succeeded items `apply` would not write, by item key (from computeEdits). */
  problems?: Readonly<Record<string, Pick<ApplyProblem, 'reason' | 'kind'>>>;
  /** Succeeded items whose value the file already holds: nothing to review. */
  done?: readonly string[];
  generatedAt?: string;
  command?: CommandContext;
}

export interface CommandContext {
  /** The content root from the config's folder, with a trailing `/` (`examples/blog/`); '' when they are one. */
  pathPrefix: string;
  /** The config's file name when `batchmatter` would not find it by itself (not one of batch.config.ts, .mts, .js, .mjs). */
  config?: string;
  /** The answers are the emulator's (`diff --offline`): the commands act on the offline state. */
  offline?: boolean;
}

export const TITLE_CHARS = 60;
export const DESCRIPTION_CHARS = 160;

/** Cuts to at most `max` code points, at a word boundary when one is near, and adds an ellipsis. */
export function cut(text: string, max: number): { text: string; cut: boolean } {
  const chars = [...text.replace(/\s+/g, ' ').trim()];
  if (chars.length <= max) return { text: chars.join(''), cut: false };
  const head = chars.slice(0, max).join('');
  const space = head.lastIndexOf(' ');
  const kept = space > max * 0.75 ? head.slice(0, space) : head;
  return { text: `${kept.replace(/[\s.,;:!?–—-]+$/u, '')}…`, cut: true };
}

/** `posts/2024/release-notes.md` → `posts › 2024 › release-notes`; an index file is its folder. */
export function urlLine(file: string): string {
  const parts = file.replace(/\.(md|mdx)$/i, '').split('/');
  if (parts.length > 1 && parts.at(-1) === 'index') parts.pop();
  return parts.join(' › ');
}

function textLimits(task: Task): ReportEntry['limits'] {
  const output = task.config.output;
  if (output.type !== 'text') return undefined;
  return { ...(output.minLength !== undefined ? { minLength: output.minLength } : {}), ...(output.maxLength !== undefined ? { maxLength: output.maxLength } : {}) };
}

function readParts(text: string | undefined): { data: Record<string, unknown>; body: string } | undefined {
  if (text === undefined) return undefined;
  try {
    const { data, body } = parseFrontMatter(text);
    return { data, body };
  } catch {
    return undefined;
  }
}

/** Pure: the review of every proposed, failed and stale item, from plain data. */
export function toReportModel(input: ReportInput): ReportModel {
  const done = new Set(input.done);
  const byTask = new Map(input.tasks.map((t) => [t.name, [] as ReportEntry[]]));
  for (const [key, item] of Object.entries(input.items).sort(([a], [b]) => a.localeCompare(b))) {
    const task = input.tasks.find((t) => t.name === item.task);
    const problem = input.problems?.[key];
    // Items of a task no longer in the config cannot be applied; `diff` lists them as not applicable.
    if (!task || done.has(key) || (item.status !== 'succeeded' && item.status !== 'proposed' && item.status !== 'failed' && item.status !== 'stale')) continue;
    // A succeeded item `apply` would refuse is shown as what `apply` would make of it; one in an open pull request is proposed still.
    const status: EntryStatus = item.status === 'failed' || item.status === 'stale' ? item.status : !problem ? 'proposed' : problem.kind === 'stale' ? 'stale' : 'failed';
    const read = readParts(input.texts[item.file]);
    const data = read?.data;
    const current = data && getField(data, task.fieldPath);
    const output = task.config.output;
    const entry: ReportEntry = {
      key,
      file: item.file,
      task: task.name,
      field: task.config.field,
      kind: output.type,
      status,
      notes: item.notes ?? [],
      ...(typeof data?.title === 'string' ? { title: data.title } : {}),
      ...(current !== undefined ? { current } : {}),
      ...(item.value !== undefined && item.status !== 'failed' ? { proposed: item.value } : {}),
      ...(item.lang ? { lang: item.lang } : {}),
    };
    if (output.type === 'text') entry.limits = textLimits(task);
    if (read && task.readsExcerpt) entry.input = excerpt(read.body, { maxChars: task.config.excerpt.maxChars, mdx: item.file.endsWith('.mdx') });
    const reason = problem?.reason ?? (item.status === 'failed' ? (item.error ?? 'unknown') : item.status === 'stale' ? 'file changed since its request was planned; planned again on the next run' : undefined);
    if (reason !== undefined && status !== 'proposed') entry.reason = reason;
    if (output.type === 'text' && typeof entry.proposed === 'string') {
      const description = cut(entry.proposed, DESCRIPTION_CHARS);
      entry.snippet = { title: cut(entry.title ?? entry.file, TITLE_CHARS).text, url: urlLine(entry.file), description: description.text, cut: description.cut };
    }
    byTask.get(task.name)!.push(entry);
  }

  const summaries: TaskSummary[] = [];
  const entries: ReportEntry[] = [];
  for (const task of input.tasks) {
    const list = byTask.get(task.name)!;
    const counts = Object.fromEntries(ENTRY_STATUSES.map((s) => [s, list.filter((e) => e.status === s).length])) as Record<EntryStatus, number>;
    const summary: TaskSummary = { task: task.name, field: task.config.field, kind: task.config.output.type, counts };
    if (task.config.output.type === 'text') summary.limits = textLimits(task);
    else {
      // tally() counts values in scanned files; handing it the proposed values gives the totals `report` will show after apply.
      const proposed = list.filter((e) => e.status === 'proposed' && isRecord(e.proposed));
      const files = proposed.map((e) => ({ rel: e.file, data: nest(task.fieldPath, e.proposed) as Record<string, unknown> }));
      const { counts: enums, urgent } = tally(task, files);
      summary.chart = { counts: enums, urgent };
      const ranks = Object.keys(enums.urgency ?? {});
      const rank = (e: ReportEntry) => {
        const urgency = isRecord(e.proposed) ? ranks.indexOf(String(e.proposed.urgency)) : -1;
        return urgency < 0 ? ranks.length : urgency;
      };
      list.sort((a, b) => rank(a) - rank(b) || a.file.localeCompare(b.file));
    }
    summaries.push(summary);
    entries.push(...list);
  }
  return { ...(input.generatedAt ? { generatedAt: input.generatedAt } : {}), ...(input.command ? { command: input.command } : {}), tasks: summaries, entries };
}

/** Reads what toReportModel needs: the edits `apply` would make, and the current text of files whose items failed or went stale. */
export async function buildReportModel(session: Session, edits?: FileEdit[]): Promise<ReportModel> {
  edits ??= await computeEdits(session);
  const texts: Record<string, string | undefined> = {};
  const problems: Record<string, ApplyProblem> = {};
  for (const edit of edits) {
    // An edit that could not read its file has an empty `before`.
    texts[edit.file] = edit.before || undefined;
    for (const problem of edit.problems) problems[problem.key] = problem;
  }
  const { selection } = session;
  const items = Object.fromEntries(Object.entries(session.store.data.items).filter(([, item]) => selects(selection, item.task, item.file)));
  const root = await realpath(session.project.contentRoot);
  for (const item of Object.values(items)) {
    if ((item.status !== 'failed' && item.status !== 'stale') || item.file in texts) continue;
    const abs = path.join(root, item.file);
    // Only for display, but a symlink that appeared since the scan still must not lead out of the tree.
    texts[item.file] = await realpath(abs)
      .then((real) => (real === abs ? readFile(abs, 'utf8') : undefined))
      .catch(() => undefined);
  }
  const model = toReportModel({
    tasks: session.project.tasks.filter((task) => !selection.tasks || selection.tasks.has(task.name)),
    items,
    texts,
    problems,
    done: edits.flatMap((e) => e.done),
    generatedAt: session.now().toISOString(),
    command: { ...commandContext(session.project.configFile, session.project.contentRoot), ...(session.offline ? { offline: true } : {}) },
  });
  const thumbnails = await entryThumbnails(session.project, model.entries);
  const entries = model.entries.map((entry, i) => {
    const images = thumbnails[i];
    if (!images?.length) return entry;
    // An alt text is no page description: the search-result preview would mislead, the page title stays.
    const { snippet: _snippet, ...rest } = entry;
    return { ...rest, images };
  });
  return { ...model, entries };
}

/** The content root seen from the config's folder (`examples/blog/`), and the config's name when it must be given. */
function commandContext(configFile: string, contentRoot: string): CommandContext {
  const relative = path.relative(path.dirname(configFile), contentRoot).split(path.sep).join('/');
  const name = path.basename(configFile);
  return { pathPrefix: relative ? `${relative}/` : '', ...(CONFIG_NAMES.includes(name) ? {} : { config: name }) };
}
