import { readFileSync } from 'node:fs';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { APIError } from '@anthropic-ai/sdk/error';
import { defineCommand, renderUsage, runCommand, type ArgsDef, type CommandDef } from 'citty';
import { DIFF_FORMATS, diffOptions } from './commands/diff-formats.js';
import type { CommandResult } from './commands/result.js';
import { ExitCode, UserError } from './errors.js';
import { describeError, fatalApiProblem, redactSecrets } from './io/api.js';
import { createLog, interactiveStderr, wantsColor, type Log } from './io/log.js';
import { forStream } from './io/terminal.js';
import { nearest } from './core/words.js';

/** The package's version, from its package.json: the first one above this file (src/, dist/ or dist/bundle/). */
const VERSION = ((): string => {
  for (let dir = new URL('.', import.meta.url); ; dir = new URL('..', dir)) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'batchmatter' && pkg.version) return pkg.version;
    } catch {
      // not here
    }
    if (dir.pathname === '/') return 'unknown';
  }
})();
import { withSession, type CommandOptions } from './pipeline/command.js';
import type { Session } from './pipeline/session.js';

const globalArgs = {
  config: { type: 'string', alias: 'c', description: 'Path to batch.config.ts (default: found in --cwd)' },
  cwd: { type: 'string', description: 'Directory to run in', default: '.' },
  offline: { type: 'boolean', description: 'Use the embedded API emulator (no key needed), with a state file of its own: its answers never mix with real ones' },
  json: { type: 'boolean', description: 'Print the result as JSON on stdout' },
  quiet: { type: 'boolean', description: 'Only print results and errors' },
  verbose: { type: 'boolean', description: 'Print more detail' },
} as const satisfies ArgsDef;

type GlobalArgs = { config?: string; cwd: string; offline?: boolean; json?: boolean; quiet?: boolean; verbose?: boolean };

/** Where a command's result ends up; set by the command's run(). */
interface Outcome {
  result?: CommandResult;
  json: boolean;
}

function parseDuration(value: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/.exec(value.trim());
  if (!match) throw new UserError(`${flag}: expected a duration like 90s, 20m or 2h, got "${value}"`);
  return Number(match[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(match[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
}

/** The part of the work a command covers: `--task` and path arguments (see core/selection.ts). */
const selectArgs = {
  task: { type: 'string', description: 'Only this task (or several, comma-separated)' },
  paths: { type: 'positional', required: false, description: 'Only these files, folders or globs (relative to the current folder, inside content.root)', valueHint: 'paths...' },
} as const satisfies ArgsDef;
const limitArg = { limit: { type: 'string', description: 'Send at most this many requests per task: a sample spread over the tree, the same files each time (try a prompt on it first)' } } as const satisfies ArgsDef;
const maxCostArg = { 'max-cost': { type: 'string', description: 'Refuse to submit when the estimated cost is over this many USD' } } as const;

/** A number flag's value, or a usage error quoting what was typed. */
function numberFlag(value: unknown, flag: string, valid: (n: number) => boolean, expected: string): number | undefined {
  if (typeof value !== 'string') return undefined;
  const n = Number(value);
  if (!valid(n)) throw new UserError(`${flag}: expected ${expected}, got "${value}"`);
  return n;
}

/** The flags every session command shares, as CommandOptions (selection flags only where the command takes them). */
function commandOptions(args: Record<string, unknown>, selecting: boolean, log: Log): CommandOptions {
  const g = args as unknown as GlobalArgs;
  return {
    cwd: g.cwd,
    config: g.config,
    offline: Boolean(g.offline),
    env: process.env,
    log,
    maxCost: numberFlag(args['max-cost'], '--max-cost', (n) => n > 0, 'a positive number of USD'),
    // Digits only: Number() would take 1e1 or 0x2 for a count.
    limit: numberFlag(args.limit, '--limit', (n) => /^\d+$/.test(String(args.limit).trim()) && n >= 1, 'a whole number of requests per task, at least 1'),
    ...(selecting && typeof args.task === 'string' ? { tasks: args.task.split(',').map((n) => n.trim()).filter(Boolean) } : {}),
    ...(selecting && Array.isArray(args._) ? { paths: (args._ as unknown[]).map(String) } : {}),
  };
}

function sessionCommand<const A extends ArgsDef>(
  outcome: Outcome,
  signal: AbortSignal,
  name: string,
  description: string,
  args: A,
  body: (session: Session, args: Record<string, unknown>) => Promise<CommandResult>,
): CommandDef {
  const selecting = 'paths' in args;
  return defineCommand({
    meta: { description },
    args: { ...globalArgs, ...args },
    async run({ args }) {
      const g = args as unknown as GlobalArgs;
      outcome.json = Boolean(g.json);
      const tty = interactiveStderr(process.env);
      const log = createLog({ quiet: Boolean(g.quiet || g.json), verbose: Boolean(g.verbose), color: !g.json && wantsColor(process.stdout, process.env), ...(tty ? { tty } : {}) });
      const options = commandOptions(args as Record<string, unknown>, selecting, log);
      outcome.result = await withSession(name, options, (session) => body(session, { ...(args as Record<string, unknown>), signal }));
    },
  }) as CommandDef;
}

/** Each command's module is loaded when it runs: a nightly `plan` should not pay to load `diff`'s or the emulator's code. */
function buildCommands(outcome: Outcome, signal: AbortSignal): Record<string, CommandDef> {
  const command = <const A extends ArgsDef>(name: string, description: string, args: A, body: (session: Session, args: Record<string, unknown>) => Promise<CommandResult>) =>
    sessionCommand(outcome, signal, name, description, args, body);
  return {
    init: defineCommand({
      meta: { description: 'Write a starter batch.config.ts and templates' },
      args: {
        cwd: globalArgs.cwd,
        json: globalArgs.json,
        force: { type: 'boolean', description: 'Overwrite existing files' },
        ci: { type: 'string', description: 'Write the nightly CI workflow instead: github' },
      },
      async run({ args }) {
        outcome.json = Boolean(args.json);
        outcome.result = await (await import('./commands/init.js')).initCommand(path.resolve(args.cwd), Boolean(args.force), typeof args.ci === 'string' ? args.ci : undefined);
      },
    }) as CommandDef,
    plan: command(
      'plan',
      'Show what would be sent, what is skipped and why, and the estimated cost',
      {
        'count-tokens': { type: 'boolean', description: 'Count input tokens with the API (free) instead of estimating them locally' },
        prompts: { type: 'boolean', description: 'Print each request as it will be sent (model, system prompt, message); name a few files or use --limit' },
        ...selectArgs,
        ...limitArg,
      },
      async (s, a) => (await import('./commands/plan.js')).planCommand(s, Boolean(a['count-tokens']), Boolean(a.prompts)),
    ),
    submit: command('submit', 'Plan and submit the requests (batch, or synchronous when few)', { ...maxCostArg, ...selectArgs, ...limitArg }, async (s) => (await import('./commands/submit.js')).submitCommand(s)),
    status: command(
      'status',
      'Show recorded work and in-flight batches (no API call)',
      { stats: { type: 'boolean', description: 'Also show batch completion times: median, p75, max' } },
      async (s, a) => (await import('./commands/status.js')).statusCommand(s, Boolean(a.stats)),
    ),
    report: command(
      'report',
      'Totals of a JSON task in the files (e.g. sentiment and urgency), high-urgency items first',
      { task: { type: 'positional', description: 'The JSON task to report on', required: true } },
      async (s, a) => (await import('./commands/report.js')).reportCommand(s, String(a.task)),
    ),
    cost: command('cost', 'What was spent, per submission and per task, and what batching saved (no API call)', {}, async (s) => (await import('./commands/cost.js')).costCommand(s)),
    sync: command('sync', 'One cron-friendly pass: poll in-flight batches once, collect, validate, submit retries', maxCostArg, async (s) => (await import('./commands/sync.js')).syncCommand(s)),
    run: command(
      'run',
      'plan + submit + sync until done or --max-wait, then --apply if given',
      {
        'max-wait': { type: 'string', description: 'Stop waiting after this long (e.g. 20m) and exit 3; the next run resumes' },
        apply: { type: 'boolean', description: 'Write the validated answers to the files when done' },
        ...maxCostArg,
        ...selectArgs,
        ...limitArg,
      },
      async (s, a) =>
        (await import('./commands/run.js')).runCommand(s, {
          apply: Boolean(a.apply),
          signal,
          ...(typeof a['max-wait'] === 'string' ? { maxWaitMs: parseDuration(a['max-wait'], '--max-wait') } : {}),
        }),
    ),
    check: command('check', 'CI gate: exit 1 listing every field a task would fill or that breaks its rules', selectArgs, async (s) => (await import('./commands/check.js')).checkCommand(s)),
    diff: command(
      'diff',
      'Show the proposed front matter changes: unified diff, markdown tables, JSON, or an HTML review page',
      {
        format: { type: 'string', description: DIFF_FORMATS.join(', '), default: 'unified' },
        out: { type: 'string', description: 'Write the report to this file instead of stdout (html, markdown, json)' },
        'max-chars': { type: 'string', description: 'Markdown at most this long: rows past it are counted, not shown (a pull request body takes 65536)' },
        ...selectArgs,
      },
      async (s, a) => {
        const options = diffOptions(a.format, a.out, String(a.cwd), a['max-chars']);
        // A whole page of HTML poured onto a terminal helps nobody: it goes to a file, whose path is printed.
        // Piped or redirected, it is what was asked for.
        const pageFile = options.format === 'html' && !options.out && Boolean(process.stdout.isTTY);
        return (await import('./commands/diff.js')).diffCommand(s, { ...options, pageFile });
      },
    ),
    apply: command(
      'apply',
      'Write validated answers, one field per file, nothing else',
      { propose: { type: 'boolean', description: 'The files go to a pull request: the answers count as applied once it is merged (see "proposal")' }, ...selectArgs },
      async (s, a) => (await import('./commands/apply.js')).applyCommand(s, Boolean(a.propose)),
    ),
    proposal: command(
      'proposal',
      'Record what became of the pull request of proposed answers: merged (applied) or closed unmerged (declined)',
      { outcome: { type: 'positional', description: 'merged or closed', required: true } },
      async (s, a) => (await import('./commands/proposal.js')).proposalCommand(s, String(a.outcome)),
    ),
    reject: command(
      'reject',
      'Send answers back instead of applying them: the next run asks again, quoting the answer and your reason',
      { ...selectArgs, reason: { type: 'string', description: 'What is wrong with them, for the model (e.g. "too generic: name the feature")' } },
      async (s, a) => (await import('./commands/reject.js')).rejectCommand(s, typeof a.reason === 'string' && a.reason.trim() ? a.reason.trim() : undefined),
    ),
    cancel: command('cancel', 'Cancel in-flight batches', {}, async (s) => (await import('./commands/cancel.js')).cancelCommand(s)),
    state: defineCommand({
      meta: { description: 'Keep the state file on a branch of its own: pull it before a CI run, push it after (or print its path)' },
      args: {
        action: { type: 'positional', description: 'pull, push or path', required: true },
        config: globalArgs.config,
        cwd: globalArgs.cwd,
        json: globalArgs.json,
        quiet: globalArgs.quiet,
        branch: { type: 'string', description: 'The state branch', default: 'batchmatter-state' },
        remote: { type: 'string', description: 'The git remote', default: 'origin' },
        force: { type: 'boolean', description: 'pull: replace a newer local state; push: replace a branch this state was not pulled from' },
      },
      async run({ args }) {
        outcome.json = Boolean(args.json);
        const log = createLog({ quiet: Boolean(args.quiet || args.json), color: false });
        outcome.result = await (await import('./commands/state.js')).stateCommand(String(args.action), {
          cwd: path.resolve(String(args.cwd)),
          config: typeof args.config === 'string' ? args.config : undefined,
          branch: String(args.branch),
          remote: String(args.remote),
          force: Boolean(args.force),
          log,
        });
      },
    }) as CommandDef,
    emulator: defineCommand({
      meta: { description: 'Serve the Messages + Message Batches API emulator on loopback' },
      args: {
        port: { type: 'string', description: 'Port (0 picks a free one)', default: '4010' },
        data: { type: 'string', description: 'JSON file that keeps batches across restarts' },
        'batch-ms': { type: 'string', description: 'How long a batch takes to end, in ms', default: '1500' },
      },
      async run({ args }) {
        outcome.result = await (await import('./commands/emulator.js')).emulatorCommand({ port: Number(args.port), batchMs: Number(args['batch-ms']), ...(args.data ? { dataFile: args.data } : {}), signal });
      },
    }) as CommandDef,
  };
}

/**
 * citty ignores unknown flags and extra arguments; a misspelled flag (`--ofline`,
 * `-c` before it had that alias) or a stray argument must be an error, not a
 * silent default that runs the command on something else.
 */
function checkFlags(rawArgs: string[], args: ArgsDef): void {
  const byName = new Map<string, ArgsDef[string]>();
  for (const [name, def] of Object.entries(args)) {
    byName.set(`--${name}`, def);
    for (const alias of 'alias' in def && def.alias ? [def.alias].flat() : []) byName.set(`-${alias}`, def);
  }
  // A positional with a "..." value hint takes any number of arguments (paths).
  const variadic = Object.values(args).some((def) => def.type === 'positional' && 'valueHint' in def && String(def.valueHint).endsWith('...'));
  let positionals = variadic ? Infinity : Object.values(args).filter((def) => def.type === 'positional').length;
  for (let i = 0; i < rawArgs.length; i++) {
    const raw = rawArgs[i]!;
    if (raw === '--') break;
    if (!raw.startsWith('-') || raw === '-' || /^-\d/.test(raw)) {
      if (positionals-- <= 0) throw new UserError(`unexpected argument "${raw}"; options start with --`);
      continue;
    }
    const [flag, inline] = raw.split(/=(.*)/s, 2) as [string, string | undefined];
    const def = byName.get(flag) ?? (flag.startsWith('--no-') ? byName.get(`--${flag.slice(5)}`) : undefined);
    if (!def) {
      const near = nearest([flag], [...byName.keys()].filter((f) => f.startsWith('--')));
      throw new UserError(`unknown option ${flag}${near ? `; did you mean ${near}?` : ''}`);
    }
    // A string option takes the next argument as its value unless written --name=value; another option is no value.
    if (def.type === 'string' && inline === undefined) {
      const value = rawArgs[++i];
      if (value === undefined || (value.startsWith('--') && value.length > 2)) throw new UserError(`${flag} needs a value`);
    }
  }
}

/** Runs the CLI and returns the exit code. The bin is the only caller of process.exit. */
/** Two examples per command, shown under its --help. */
const EXAMPLES: Record<string, readonly [string, string]> = {
  init: ['init', 'init --ci github'],
  plan: ['plan --limit 20', 'plan --prompts content/posts/hello.md'],
  submit: ['submit --limit 20', 'submit --task description --max-cost 2'],
  status: ['status', 'status --stats --json'],
  report: ['report sentiment', 'report sentiment --json'],
  cost: ['cost', 'cost --json'],
  sync: ['sync', 'sync --json'],
  run: ['run --limit 20', 'run --apply --max-wait 20m'],
  check: ['check', 'check --task description content/posts'],
  diff: ['diff > answers.diff', 'diff --format html --out review.html'],
  apply: ['apply', 'apply --propose content/posts/2024'],
  proposal: ['proposal merged', 'proposal closed'],
  reject: ['reject content/posts/hello.md --reason "too generic"', 'reject --task description'],
  cancel: ['cancel', 'cancel --json'],
  state: ['state pull', 'state push'],
  emulator: ['emulator --port 8787', 'emulator --batch-ms 5000 --data .emulator'],
};

export async function main(argv: string[]): Promise<number> {
  const outcome: Outcome = { json: false };
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const commands = buildCommands(outcome, controller.signal);
  // Each command's name in its own usage line (citty would show the script's path instead).
  for (const [name, command] of Object.entries(commands)) Object.assign(command.meta as object, { name });
  const root = defineCommand({ meta: { name: 'batchmatter', version: VERSION, description: 'Fill in front matter with an LLM at batch prices' }, subCommands: commands });
  // citty colours its usage text; piped (or NO_COLOR) it is plain.
  const usage = async (command: CommandDef, parent?: CommandDef) => {
    const examples = parent ? EXAMPLES[(command.meta as { name: string }).name] : undefined;
    const text = `${await renderUsage(command, parent)}${examples ? `\n\nEXAMPLES\n\n${examples.map((e) => `  batchmatter ${e}`).join('\n')}` : ''}`;
    return wantsColor(process.stdout, process.env) ? text : stripVTControlCharacters(text);
  };
  // Known before the arguments are checked, so a usage error is JSON too.
  outcome.json = argv.includes('--json');
  try {
    const [name, ...rest] = argv;
    if (!name || name === '--help' || name === '-h') {
      process.stdout.write(`${await usage(root)}\n`);
      return name ? ExitCode.ok : ExitCode.usage;
    }
    if (name === '--version' || name === '-v') {
      process.stdout.write(`${VERSION}\n`);
      return ExitCode.ok;
    }
    const command = commands[name];
    if (!command) {
      const near = nearest([name], Object.keys(commands));
      throw new UserError(`unknown command "${name}"${near ? `; did you mean "${near}"?` : ''}; run "batchmatter --help"`);
    }
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(`${await usage(command, root)}\n`);
      return ExitCode.ok;
    }
    checkFlags(rest, (command.args ?? {}) as ArgsDef);
    await runCommand(command, { rawArgs: rest });
    const result = outcome.result;
    const code = controller.signal.aborted ? ExitCode.interrupted : (result?.exitCode ?? ExitCode.ok);
    if (result) {
      const out = outcome.json ? JSON.stringify({ exitCode: code, ...result.data }, null, 2) : result.text;
      if (out) process.stdout.write(`${forStream(process.stdout, out)}\n`);
    }
    return code;
  } catch (error) {
    return reportError(error, outcome.json);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function reportError(error: unknown, json: boolean): number {
  let message: string;
  let code: number;
  if (error instanceof UserError) {
    message = error.message;
    code = error.exitCode;
  } else if (error instanceof Error && error.name === 'CLIError') {
    // citty's own argument errors (a missing positional, a bad value): usage, not a bug.
    message = `${error.message}; run "batchmatter <command> --help"`;
    code = ExitCode.usage;
  } else if (error instanceof APIError) {
    // A bad key, no access or the spend limit will not go away by running again; anything else will (the state was saved before the call).
    const fatal = fatalApiProblem(error);
    message = fatal ? `API request failed: ${fatal}` : `API request failed: ${describeError(error)}. The state is saved; run the command again to resume.`;
    code = fatal ? ExitCode.usage : ExitCode.failures;
  } else {
    message = `internal error (a bug in batchmatter; please report it):\n${(error as Error)?.stack ?? String(error)}`;
    code = ExitCode.failures;
  }
  message = redactSecrets(message);
  if (json) process.stdout.write(`${JSON.stringify({ exitCode: code, error: message }, null, 2)}\n`);
  process.stderr.write(`batchmatter: ${forStream(process.stderr, message)}\n`);
  return code;
}
