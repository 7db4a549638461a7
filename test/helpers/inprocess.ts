import { apply, check, cost, diff, plan, reject, run, status, submit, sync, UserError, type Clock } from '../../src/index.js';
import { cliEnv, type CliResult } from './cli.js';

/**
 * A clock a test drives: sleeps move it instead of passing, so a run's waits
 * between polls cost no wall time. Give `now` to the emulator
 * (`startEmulator({ now: clock.ms })`) so its batches end on the same time.
 */
export interface DrivenClock extends Clock {
  /** The clock's time in epoch ms, for startEmulator's `now`. */
  ms(): number;
  /** Moves the clock on by `ms`, as a wait would. */
  advance(ms: number): void;
}

export function drivenClock(start = Date.now()): DrivenClock {
  let now = start;
  let n = 0;
  return {
    now: () => new Date(now),
    ms: () => now,
    advance: (ms) => {
      now += ms;
    },
    sleep: async (ms, signal) => {
      if (signal?.aborted) return;
      now += ms;
      // Lets the emulator's HTTP server and the SDK's sockets run between polls, as a real wait would.
      await new Promise((resolve) => setImmediate(resolve));
    },
    nonce: () => `n${(n++).toString(16).padStart(11, '0')}`,
  };
}

/** One clock per project folder: its commands, like a person's, see time go on from one to the next. */
const clocks = new Map<string, DrivenClock>();
const clockOf = (cwd: string): DrivenClock => clocks.get(cwd) ?? clocks.set(cwd, drivenClock()).get(cwd)!;

const COMMANDS = { plan, submit, run, sync, check, diff, apply, reject, status, cost } as const;

/** Flags the library takes as options; `--json` and `--quiet` shape only the output. */
const VALUE_FLAGS = new Set(['--task', '--limit', '--max-cost', '--max-wait', '--cwd', '--config', '--format', '--out', '--reason', '--max-chars']);
const BOOLEAN_FLAGS = new Set(['--offline', '--json', '--apply', '--propose', '--quiet', '--count-tokens', '--stats']);

function duration(value: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/.exec(value.trim());
  if (!match) throw new Error(`inProcess: not a duration: ${value}`);
  return Number(match[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(match[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
}

/**
 * The commands in this process, through the library (src/api.ts), on one
 * driven clock: `lib(['run', '--offline', '--apply'])` does what the CLI
 * would and returns what it would print, shaped as runCli's result (`stdout`:
 * the text, or with `--json` the JSON the CLI prints; `stderr`: the progress
 * lines, and a user error as `batchmatter: …`). For behaviour only a process
 * shows (the bin, signals, a TTY, argument parsing), spawn the CLI instead.
 */
export function inProcess(cwd: string, env: Record<string, string> = {}, clock: DrivenClock = clockOf(cwd)) {
  const lib = async (args: string[]): Promise<CliResult> => {
    const [name, ...rest] = args;
    const command = COMMANDS[name as keyof typeof COMMANDS];
    if (!command) throw new Error(`inProcess: no library function for "${name}": spawn the CLI`);
    const flags: Record<string, string | true> = {};
    const paths: string[] = [];
    for (let i = 0; i < rest.length; i++) {
      const arg = rest[i]!;
      if (VALUE_FLAGS.has(arg)) flags[arg] = rest[++i]!;
      else if (BOOLEAN_FLAGS.has(arg)) flags[arg] = true;
      else if (arg.startsWith('-')) throw new Error(`inProcess: flag ${arg} is the CLI's: spawn it`);
      else paths.push(arg);
    }
    const lines: string[] = [];
    const options: Record<string, unknown> = {
      cwd: typeof flags['--cwd'] === 'string' ? flags['--cwd'] : cwd,
      offline: Boolean(flags['--offline']),
      env: cliEnv(env),
      clock,
      onMessage: (line: string) => lines.push(line),
    };
    if (typeof flags['--config'] === 'string') options.config = flags['--config'];
    if (typeof flags['--task'] === 'string') options.tasks = flags['--task'].split(',').map((t) => t.trim()).filter(Boolean);
    if (paths.length) options.paths = paths;
    if (typeof flags['--limit'] === 'string') options.limit = Number(flags['--limit']);
    if (typeof flags['--max-cost'] === 'string') options.maxCost = Number(flags['--max-cost']);
    if (typeof flags['--max-wait'] === 'string') options.maxWaitMs = duration(flags['--max-wait']);
    if (typeof flags['--format'] === 'string') options.format = flags['--format'];
    if (typeof flags['--out'] === 'string') options.out = flags['--out'];
    if (typeof flags['--reason'] === 'string') options.reason = flags['--reason'];
    if (typeof flags['--max-chars'] === 'string') options.maxChars = Number(flags['--max-chars']);
    if (flags['--apply']) options.apply = true;
    if (flags['--propose']) options.propose = true;
    if (flags['--count-tokens']) options.countTokens = true;
    if (flags['--stats']) options.stats = true;
    const json = Boolean(flags['--json']);
    try {
      const result = await (command as (o: Record<string, unknown>) => Promise<{ exitCode: number; data: object; text: string }>)(options);
      const out = json ? JSON.stringify({ exitCode: result.exitCode, ...result.data }, null, 2) : result.text;
      return { code: result.exitCode, stdout: out ? `${out}\n` : '', stderr: lines.map((l) => `${l}\n`).join('') };
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      lines.push(`batchmatter: ${error.message}`);
      return { code: error.exitCode, stdout: json ? `${JSON.stringify({ exitCode: error.exitCode, error: error.message }, null, 2)}\n` : '', stderr: lines.map((l) => `${l}\n`).join('') };
    }
  };
  return Object.assign(lib, { clock });
}
