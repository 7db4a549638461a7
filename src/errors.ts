/**
 * The closed set of errors the CLI knows how to print. Anything else is a bug
 * and is printed with its stack.
 */

/** Exit codes, documented in the README. */
export const ExitCode = {
  ok: 0,
  /** Finished, but some items failed permanently (or files could not be read). */
  failures: 1,
  /** Bad usage, bad config, or an error the user must fix before anything can run. */
  usage: 2,
  /** Work is still in flight; the next run resumes it. Not a failure. */
  inFlight: 3,
  /** Interrupted by Ctrl-C / SIGTERM. */
  interrupted: 130,
} as const;

/** An expected problem: printed as its message alone, no stack. */
export class UserError extends Error {
  override name = 'UserError';
  constructor(
    message: string,
    readonly exitCode: number = ExitCode.usage,
  ) {
    super(message);
  }
}

/** A config that failed validation: one `path: message` line per problem. */
export class ConfigError extends UserError {
  override name = 'ConfigError';
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: invalid config\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
}
