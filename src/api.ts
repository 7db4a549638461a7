import type { CommandResult } from './commands/result.js';
import { diffOptions, type DiffFormat } from './commands/diff-formats.js';
import { ExitCode, UserError } from './errors.js';
import { createLog } from './io/log.js';
import type { CommandOptions } from './pipeline/command.js';
import type { Clock, Session } from './pipeline/session.js';

/**
 * batchmatter's commands from code (a build script, a site generator's
 * plugin): each function does what the CLI command of its name does, with the
 * same locks, checks and state, and returns the result instead of printing it.
 * A user error (bad config, a path outside the content root, a missing key)
 * rejects with a `UserError` whose message is what the CLI would print.
 */
export interface ProjectOptions {
  /** The folder to run in: the config is looked for there (and in the folders above), and `paths` are relative to it. @default process.cwd() */
  cwd?: string;
  /** The config file, instead of looking for it. */
  config?: string;
  /** Use the embedded API emulator instead of the Anthropic API (no key needed). @default false */
  offline?: boolean;
  /** Where ANTHROPIC_API_KEY and ANTHROPIC_BASE_URL are read. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Progress lines (what the CLI prints on stderr: "submitted batch …", warnings); none when absent. */
  onMessage?: (line: string) => void;
  /** The time, the waits between polls and the random tokens a command uses. @default the system's */
  clock?: Clock;
}

export interface SelectOptions {
  /** Only these tasks. */
  tasks?: string[];
  /** Only these files, folders or globs, relative to `cwd` and inside `content.root`. */
  paths?: string[];
}

export interface SubmitOptions extends ProjectOptions, SelectOptions {
  /** At most this many requests per task: a sample, the same one each time. */
  limit?: number;
  /** Refuse (nothing sent) when the estimate is over this many USD; over `batch.maxCost`. */
  maxCost?: number;
}

/** What a command returns: its exit code (as the CLI would exit), its data (as `--json` prints it) and its text. */
export type { CommandResult };

async function command(name: string, options: ProjectOptions & SelectOptions & { limit?: number; maxCost?: number }, body: (session: Session) => Promise<CommandResult>): Promise<CommandResult> {
  const { onMessage } = options;
  // Every line (warnings and errors too) to onMessage, or nowhere: a library does not write to its host's stderr.
  const log = createLog({ write: onMessage ?? (() => undefined) });
  const resolved: CommandOptions = {
    cwd: options.cwd ?? process.cwd(),
    config: options.config,
    offline: options.offline,
    env: options.env ?? process.env,
    log,
    tasks: list(options.tasks, 'tasks'),
    paths: list(options.paths, 'paths'),
    limit: options.limit,
    maxCost: options.maxCost,
    clock: options.clock,
  };
  // Loaded here, not at the top: a batch.config.ts importing defineConfig from 'batchmatter' must not pay for the pipeline.
  const { withSession } = await import('./pipeline/command.js');
  return withSession(name, resolved, body);
}

/** An array of strings, or a UserError naming the option (a string where a list belongs is the usual slip). */
function list(value: unknown, name: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw new UserError(`${name}: expected an array of strings, got ${JSON.stringify(value)}`);
  return value as string[];
}

/** What would be sent, what is skipped and why, and the estimated cost (`batchmatter plan`). */
export const plan = (options: Omit<SubmitOptions, 'maxCost'> & { countTokens?: boolean } = {}) =>
  command('plan', options, async (s) => (await import('./commands/plan.js')).planCommand(s, Boolean(options.countTokens)));

/** Plans and submits, as batches or synchronously when few (`batchmatter submit`). */
export const submit = (options: SubmitOptions = {}) => command('submit', options, async (s) => (await import('./commands/submit.js')).submitCommand(s));

/** Submits, then collects until everything is done or `maxWaitMs` has passed, and applies if asked (`batchmatter run`). */
export const run = (options: SubmitOptions & { apply?: boolean; maxWaitMs?: number; signal?: AbortSignal } = {}) =>
  command('run', options, async (s) => {
    const { maxWaitMs, signal } = options;
    if (maxWaitMs !== undefined && !(typeof maxWaitMs === 'number' && maxWaitMs >= 0)) throw new UserError(`maxWaitMs: expected a number of milliseconds, 0 or more, got ${JSON.stringify(maxWaitMs)}`);
    const result = await (await import('./commands/run.js')).runCommand(s, { apply: Boolean(options.apply), ...(maxWaitMs !== undefined ? { maxWaitMs } : {}), ...(signal ? { signal } : {}) });
    // As the CLI exits after an interrupt: 130, everything so far saved.
    return signal?.aborted ? { ...result, exitCode: ExitCode.interrupted } : result;
  });

/** One pass: poll in-flight batches, collect, validate, submit retries (`batchmatter sync`). */
export const sync = (options: ProjectOptions & { maxCost?: number } = {}) => command('sync', options, async (s) => (await import('./commands/sync.js')).syncCommand(s));

/** Missing fields and values breaking a rule, with no API call (`batchmatter check`). */
export const check = (options: ProjectOptions & SelectOptions = {}) => command('check', options, async (s) => (await import('./commands/check.js')).checkCommand(s));

/** The proposed changes (`batchmatter diff`); `out` (relative to `cwd`) writes the markdown, json or html report there. */
export const diff = (options: ProjectOptions & SelectOptions & { format?: DiffFormat; out?: string; maxChars?: number } = {}) =>
  command('diff', options, async (s) => (await import('./commands/diff.js')).diffCommand(s, diffOptions(options.format, options.out, options.cwd ?? process.cwd(), options.maxChars)));

/** Writes the validated answers, one field per file (`batchmatter apply`); `propose` when the files go to a pull request. */
export const apply = (options: ProjectOptions & SelectOptions & { propose?: boolean } = {}) =>
  command('apply', options, async (s) => (await import('./commands/apply.js')).applyCommand(s, Boolean(options.propose)));

/** Records what became of the pull request of proposed answers: `merged` or `closed` (`batchmatter proposal`). */
export const proposal = (options: ProjectOptions & { outcome: 'merged' | 'closed' }) =>
  command('proposal', options, async (s) => (await import('./commands/proposal.js')).proposalCommand(s, options.outcome));

/** Sends answers back to be asked again, quoting them and `reason` (`batchmatter reject`); needs `paths` or `tasks`. */
export const reject = (options: ProjectOptions & SelectOptions & { reason?: string } = {}) =>
  command('reject', options, async (s) => (await import('./commands/reject.js')).rejectCommand(s, options.reason?.trim() || undefined));

/** Recorded work and batches in flight, with no API call (`batchmatter status`). */
export const status = (options: ProjectOptions & { stats?: boolean } = {}) => command('status', options, async (s) => (await import('./commands/status.js')).statusCommand(s, Boolean(options.stats)));

/** What was spent, per submission and task, against the synchronous price (`batchmatter cost`). */
export const cost = (options: ProjectOptions = {}) => command('cost', options, async (s) => (await import('./commands/cost.js')).costCommand(s));
