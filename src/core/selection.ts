import path from 'node:path';
import picomatch from 'picomatch';
import { UserError } from '../errors.js';
import { digest } from './hash.js';
import { isRetry } from './planned.js';

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
  /**
   * With `limit`: the task/file pairs already in the sample (`pairKey`), planned earlier in this command
   * (run's later rounds) and so counted against the limit; their retries and follow-ups always go.
   */
  sampled?: Set<string>;
}

/** A task's work on a file, as one string. */
export const pairKey = (task: string, file: string) => `${task}\0${file}`;

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
 * Path arguments as patterns over paths relative to the content root, read as
 * a shell reads them from `cwd`: a file, or a folder and everything under it;
 * a glob (quoted, so the shell left it) matches what the shell's expansion
 * would name, files or folders, at any depth of the path from `cwd`
 * (`posts/*` takes every folder in posts with all it holds). `real` gives a
 * path's real location when it exists (symlinks resolved, as the scan names
 * files), else undefined. A literal path that does not exist or lies outside
 * the content root is a usage error: it could never match.
 */
export function pathPatterns(args: readonly string[], cwd: string, contentRoot: string, real: (abs: string) => string | undefined): PathPattern[] {
  const root = real(contentRoot) ?? contentRoot;
  const shown = path.relative(cwd, contentRoot) || '.';
  return args.map((arg) => {
    const abs = path.resolve(cwd, arg);
    const found = real(abs);
    // A path that exists is itself, even with glob characters in its name (`[slug].mdx`, `notes (draft).md`).
    if (found === undefined && picomatch.scan(arg).isGlob) return globPattern(arg, cwd, contentRoot);
    if (found === undefined) throw new UserError(`"${arg}": no such file or folder`);
    const rel = path.relative(root, found).split(path.sep).join('/');
    if (rel === '..' || rel.startsWith('../') || path.isAbsolute(rel)) throw new UserError(`"${arg}" is outside the content root (${shown}); name files or folders inside it`);
    return { arg, matches: (file: string) => rel === '' || file === rel || file.startsWith(`${rel}/`) };
  });
}

/** A glob over the path from `cwd` (or the absolute path, for an absolute glob): a match on the file or one of its folders. */
function globPattern(arg: string, cwd: string, contentRoot: string): PathPattern {
  const absolute = path.isAbsolute(arg);
  const isMatch = picomatch(arg.split(path.sep).join('/').replace(/^(\.\/)+/, ''));
  return {
    arg,
    matches: (file) => {
      const abs = path.join(contentRoot, file);
      const full = (absolute ? abs : path.relative(cwd, abs)).split(path.sep).join('/');
      // Every folder on the way, then the file: `posts/*` names posts/2024 and so all it holds.
      for (let at = full.indexOf('/', 1); at !== -1; at = full.indexOf('/', at + 1)) if (isMatch(full.slice(0, at))) return true;
      return isMatch(full);
    },
  };
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
 * Pure: at most `limit` of each task's requests, counting the pairs already in
 * the sample (`covered`: in flight, or planned earlier in this run), whose own
 * requests (a retry) always go. Of the new ones, those asked again (a failed
 * or refused answer) come first; then files in the order of a digest of their
 * path, which spreads a sample over the whole tree (old posts and new, every
 * folder) and keeps it the same from run to run: after `reject` and a template
 * change, the next `--limit` run asks the same files again. Returns what is
 * kept and, per task, how many wait.
 */
export function sampleRequests<T extends { task: string; file: string; attempts: number; reasks: boolean }>(
  requests: readonly T[],
  limit: number | undefined,
  covered: ReadonlySet<string> = new Set(),
): { kept: T[]; held: Record<string, number> } {
  if (limit === undefined) return { kept: [...requests], held: {} };
  const used = new Map<string, number>();
  for (const pair of covered) {
    const task = pair.slice(0, pair.indexOf('\0'));
    used.set(task, (used.get(task) ?? 0) + 1);
  }
  const keep = new Set<T>();
  const byTask = new Map<string, Array<{ request: T; rank: string }>>();
  for (const request of requests) {
    if (covered.has(pairKey(request.task, request.file))) {
      keep.add(request);
      continue;
    }
    const rank = `${isRetry(request) ? 0 : 1}${digest(request.file)}`;
    const list = byTask.get(request.task);
    if (list) list.push({ request, rank });
    else byTask.set(request.task, [{ request, rank }]);
  }
  const held: Record<string, number> = {};
  for (const [task, list] of byTask) {
    const room = Math.max(0, limit - (used.get(task) ?? 0));
    list.sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : 0));
    for (const { request } of list.slice(0, room)) keep.add(request);
    if (list.length > room) held[task] = list.length - room;
  }
  return { kept: requests.filter((r) => keep.has(r)), held };
}
