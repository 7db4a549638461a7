import { clearLine, cursorTo } from 'node:readline';
import pc from 'picocolors';
import { forStream, printable } from './terminal.js';

export interface Log {
  /** A step or state change worth one line. */
  info(message: string): void;
  warn(message: string): void;
  /** A problem that makes the command end with exit code 1; the work goes on. */
  error(message: string): void;
  /** Only with --verbose. */
  debug(message: string): void;
  /**
   * A live status line (e.g. "waiting for 1 batch: 12/32 done · 1m 20s"), rewritten in place on a
   * terminal; nothing elsewhere (CI logs get the one-line-per-change messages instead). '' clears it.
   */
  status(message: string): void;
  readonly color: boolean;
  /** --verbose: commands may list more (plan lists its requests). */
  readonly verbose: boolean;
}

export interface LogOptions {
  quiet?: boolean;
  verbose?: boolean;
  color?: boolean;
  write?: (line: string) => void;
  /** The terminal for status lines; absent when stderr is not an interactive terminal. */
  tty?: NodeJS.WriteStream;
}

/** Human progress goes to stderr so stdout stays clean for diffs and --json. */
export function createLog(options: LogOptions = {}): Log {
  const color = options.color ?? false;
  const colors = pc.createColors(color);
  const tty = options.quiet ? undefined : options.tty;
  let shown = false;
  const clear = () => {
    if (!tty || !shown) return;
    clearLine(tty, 0);
    cursorTo(tty, 0);
    shown = false;
  };
  const out = options.write ?? ((line: string) => process.stderr.write(`${forStream(process.stderr, line)}\n`));
  const write = (line: string) => {
    clear();
    out(line);
  };
  // The same warning once per command: a network down for a whole run says so once, not once a poll.
  const warned = new Set<string>();
  return {
    color,
    verbose: Boolean(options.verbose),
    info: (m) => (options.quiet ? undefined : write(m)),
    warn(m) {
      if (warned.has(m)) return;
      warned.add(m);
      write(`${colors.yellow('warning')} ${m}`);
    },
    error: (m) => write(`${colors.red('error')} ${m}`),
    debug: (m) => (options.verbose ? write(colors.dim(m)) : undefined),
    status(m) {
      if (!tty) return;
      clear();
      if (!m) return;
      // One line only: cut to the terminal's width so it can be rewritten in place.
      tty.write(colors.dim(printable(m).slice(0, Math.max(10, (tty.columns || 80) - 1))));
      shown = true;
    },
  };
}

/**
 * A throttled status line for a long step (`reading 1200/10000 files · 3s`):
 * call it as the work advances; it redraws at most ten times a second and
 * clears itself at the end. Nothing when stderr is not a terminal.
 */
export function progress(log: Log, describe: (done: number, total: number) => string): (done: number, total: number) => void {
  const started = Date.now();
  let shown = 0;
  return (done, total) => {
    const now = Date.now();
    if (done >= total) {
      log.status('');
      return;
    }
    if (now - shown < 100) return;
    shown = now;
    log.status(`${describe(done, total)} · ${Math.floor((now - started) / 1000)}s`);
  };
}

/** stderr, when a person is watching it: a TTY, not CI, not a dumb terminal. */
export function interactiveStderr(env: NodeJS.ProcessEnv): NodeJS.WriteStream | undefined {
  const stream = process.stderr;
  return stream.isTTY && env.TERM !== 'dumb' && env.CI !== 'true' ? stream : undefined;
}

export function wantsColor(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv): boolean {
  if ('NO_COLOR' in env && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR && env.FORCE_COLOR !== '0') return true;
  return Boolean(stream.isTTY) && env.TERM !== 'dumb' && env.CI !== 'true';
}
