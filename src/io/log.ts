import pc from 'picocolors';

export interface Log {
  /** A step or state change worth one line. */
  info(message: string): void;
  warn(message: string): void;
  /** A problem that makes the command end with exit code 1; the work goes on. */
  error(message: string): void;
  /** Only with --verbose. */
  debug(message: string): void;
  readonly color: boolean;
}

export interface LogOptions {
  quiet?: boolean;
  verbose?: boolean;
  color?: boolean;
  write?: (line: string) => void;
}

/** Human progress goes to stderr so stdout stays clean for diffs and --json. */
export function createLog(options: LogOptions = {}): Log {
  const color = options.color ?? false;
  const colors = pc.createColors(color);
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  return {
    color,
    info: (m) => (options.quiet ? undefined : write(m)),
    warn: (m) => write(`${colors.yellow('warning')} ${m}`),
    error: (m) => write(`${colors.red('error')} ${m}`),
    debug: (m) => (options.verbose ? write(colors.dim(m)) : undefined),
  };
}

export function wantsColor(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv): boolean {
  if ('NO_COLOR' in env && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR && env.FORCE_COLOR !== '0') return true;
  return Boolean(stream.isTTY) && env.TERM !== 'dumb' && env.CI !== 'true';
}
