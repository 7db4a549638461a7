import { realpathSync } from 'node:fs';
import path from 'node:path';
import { pathPatterns, taskNames, type Selection } from '../core/selection.js';
import { UserError } from '../errors.js';
import type { Log } from '../io/log.js';
import { openSession, type Clock, type Session } from './session.js';

/** Commands that change the state file (or content) and so take its lock. */
export const WRITERS: ReadonlySet<string> = new Set(['submit', 'sync', 'run', 'apply', 'reject', 'cancel', 'proposal']);

/** What every command is run with, from the CLI's flags or from code (see api.ts). */
export interface CommandOptions {
  /** The folder the command runs in: the config is looked for there (and above), path arguments are relative to it. */
  cwd: string;
  config?: string | undefined;
  offline?: boolean | undefined;
  env: NodeJS.ProcessEnv;
  log: Log;
  /** Only these tasks (`--task`). */
  tasks?: readonly string[] | undefined;
  /** Only these files, folders or globs (path arguments), relative to `cwd`. */
  paths?: readonly string[] | undefined;
  /** At most this many requests per task (`--limit`). */
  limit?: number | undefined;
  /** Refuse a submission estimated over this many USD (`--max-cost`, over `batch.maxCost`). */
  maxCost?: number | undefined;
  /** Time, waits and random tokens (the system's by default). */
  clock?: Clock | undefined;
}

/** Opens the project for one command (locking the state for those that write it), runs it, and closes it again. */
export async function withSession<T>(command: string, options: CommandOptions, body: (session: Session) => Promise<T>): Promise<T> {
  const cwd = path.resolve(options.cwd);
  const session = await openSession({ cwd, ...(options.config ? { config: options.config } : {}), offline: Boolean(options.offline), env: options.env, log: options.log, lock: WRITERS.has(command), ...(options.clock ? { clock: options.clock } : {}) });
  try {
    if (options.maxCost !== undefined) {
      if (!(options.maxCost > 0)) throw new UserError(`--max-cost: expected a positive number of USD, got ${options.maxCost}`);
      session.project.config.batch.maxCost = options.maxCost;
    }
    session.selection = selectionOf(session, options, cwd);
    return await body(session);
  } finally {
    await session.close();
  }
}

/** `--task`, path arguments and `--limit` as the session's selection (see core/selection.ts). */
function selectionOf(session: Session, { tasks, paths, limit }: CommandOptions, cwd: string): Selection {
  const selection: Selection = {};
  if (tasks !== undefined) selection.tasks = taskNames(tasks.join(','), session.project.tasks.map((t) => t.name));
  if (paths?.length) selection.paths = pathPatterns(paths, cwd, session.project.contentRoot, realOrUndefined);
  if (limit !== undefined) {
    if (!Number.isInteger(limit) || limit < 1) throw new UserError(`--limit: expected a whole number of requests per task, at least 1, got ${limit}`);
    selection.limit = limit;
  }
  return selection;
}

/** Where a path really is (symlinks resolved, as the scan names files), or undefined when nothing is there. */
function realOrUndefined(abs: string): string | undefined {
  try {
    return realpathSync(abs);
  } catch {
    return undefined;
  }
}
