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
  /** Work is still in flight, or failed for now in a way the next run mends by itself. Not a failure. */
  inFlight: 3,
  /** The API could not be reached by any call of the command: nothing was sent. Needs a person (network, ANTHROPIC_BASE_URL). */
  unreachable: 4,
  /** The API refused a request as invalid (HTTP 400, invalid_request_error): it is not sent again unchanged. Needs a person. */
  invalidRequest: 5,
  /** A task names a model the API (or, offline, batchmatter's list) does not know: nothing was sent. Needs a person. */
  unknownModel: 6,
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

const FS_REASONS: Record<string, string> = {
  ENOENT: 'no such file or folder',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
  EISDIR: 'it is a folder',
  ENOTDIR: 'a file stands where a folder is needed',
  EEXIST: 'a file stands where a folder is needed',
  ENOSPC: 'the disk is full',
};

/**
 * A file system failure on a path the user chose (the state file, a report's
 * --out) as a UserError saying what could not be done and why; anything
 * else is returned as it is, for the caller to rethrow.
 */
export function fileProblem(error: unknown, doing: string): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code !== 'string' || !/^E[A-Z]+$/.test(code)) return error;
  return new UserError(`${doing}: ${FS_REASONS[code] ?? code} (${code})`);
}
