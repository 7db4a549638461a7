import path from 'node:path';
import picomatch from 'picomatch';
import { UserError } from '../errors.js';
import { digest } from './hash.js';

/**
 * Which part of the work a command covers: `--task`, path arguments and
 * `--limit`. Everything else in the tree and the state is left as it is.
 */
export interface Selection {
  /** Task names (`--task`); absent: every task. */
  tasks?: ReadonlySet<string>;
  /** What the path arguments name, relative to the content root; absent: every file. */
  paths?: readonly PathPattern[];
  /** At most this many requests per task are sent (`--limit`); the rest wait for a later run. */
  limit?: number;
}

export interface PathPattern {
  /** The argument as the user typed it, for messages. */
  arg: string;
  matches: (rel: string) => boolean;
}

export const EVERYTHING: Selection = {};

/** Whether the selection covers a task's work on a file (paths relative to the content root, with `/`). */
export function selects(selection: Selection, task: string, rel: string): boolean {
  return (!selection.tasks || selection.tasks.has(task)) && (!selection.paths || selection.paths.some((p) => p.matches(rel)));
}

/**
 * Pure but for `exists`: path arguments (files, folders or globs, relative to
 * `cwd` as a shell gives them) as patterns over paths relative to the content
 * root. One that points outside the root is a usage error: it could never match.
 */
export function pathPatterns(args: readonly string[], cwd: string, contentRoot: string, exists: (abs: string) => boolean = () => false): PathPattern[] {
  return args.map((arg) => {
    const abs = path.resolve(cwd, arg);
    const rel = path.relative(contentRoot, abs).split(path.sep).join('/');
    if (rel === '..' || rel.startsWith('../') || path.isAbsolute(rel)) {
      throw new UserError(`"${arg}" is outside the content root (${path.relative(cwd, contentRoot) || '.'}); name files or folders inside it`);
    }
    // A path that exists is itself, even with glob characters in its name (`[slug].mdx`, `notes (draft).md`).
    if (picomatch.scan(arg).isGlob && !exists(abs)) return { arg, matches: picomatch(rel, { dot: true }) };
    // A file, or a folder and everything under it ('' is the root itself).
    return { arg, matches: (file: string) => rel === '' || file === rel || file.startsWith(`${rel}/`) };
  });
}

/** How many of `files` the path arguments name. */
export function countNamed(selection: Selection, files: readonly string[]): number {
  return selection.paths ? files.filter((f) => selection.paths!.some((p) => p.matches(f))).length : files.length;
}

/** Refuses path arguments that match none of `files` (the content files scanned): a typo must not pass as "nothing to do". */
export function requireMatches(selection: Selection, files: readonly string[], include: readonly string[]): void {
  const missed = (selection.paths ?? []).filter((p) => !files.some((f) => p.matches(f))).map((p) => `"${p.arg}"`);
  if (missed.length) throw new UserError(`${missed.join(', ')}: no content file there (content.include: ${include.join(', ')})`);
}

/** `--task` names, checked against the config: a misspelled one would silently select nothing. */
export function taskNames(value: string, known: readonly string[]): Set<string> {
  const names = value.split(',').map((n) => n.trim()).filter(Boolean);
  const unknown = names.filter((n) => !known.includes(n));
  if (!names.length || unknown.length) {
    throw new UserError(`--task: ${unknown.length ? `no task named ${unknown.map((n) => `"${n}"`).join(', ')}` : 'expected a task name'}; the config has ${known.join(', ')}`);
  }
  return new Set(names);
}

/**
 * Pure: at most `limit` of each task's requests. Requests asked again (a
 * failed or refused answer) come first; then files in the order of a digest of
 * their path, which spreads a sample over the whole tree (old posts and new,
 * every folder) and keeps it the same from run to run: after `reject` and a
 * template change, the next `--limit` run asks the same files again. Returns
 * what is kept and, per task, how many wait.
 */
export function sampleRequests<T extends { task: string; file: string; attempts: number; reasks: boolean }>(
  requests: readonly T[],
  limit: number | undefined,
): { kept: T[]; held: Record<string, number> } {
  if (limit === undefined) return { kept: [...requests], held: {} };
  const byTask = new Map<string, Array<{ request: T; rank: string }>>();
  for (const request of requests) {
    const rank = `${request.attempts > 0 || request.reasks ? 0 : 1}${digest(request.file)}`;
    const list = byTask.get(request.task);
    if (list) list.push({ request, rank });
    else byTask.set(request.task, [{ request, rank }]);
  }
  const keep = new Set<T>();
  const held: Record<string, number> = {};
  for (const [task, list] of byTask) {
    list.sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : 0));
    for (const { request } of list.slice(0, limit)) keep.add(request);
    if (list.length > limit) held[task] = list.length - limit;
  }
  return { kept: requests.filter((r) => keep.has(r)), held };
}
