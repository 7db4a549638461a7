import { readFile, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { ExitCode, UserError } from '../errors.js';
import type { Log } from './log.js';

/** Who holds the lock, written next to the lock directory for the next process to check. */
interface Holder {
  pid: number;
  host: string;
  since: string;
}

/** Without a holder file, a lock not refreshed for this long is taken over (proper-lockfile's mtime check). */
const STALE_MS = 30_000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readHolder(lockPath: string): Promise<Holder | undefined> {
  try {
    return JSON.parse(await readFile(`${lockPath}.json`, 'utf8')) as Holder;
  } catch {
    return undefined;
  }
}

/**
 * One command at a time per state file. The lock is a directory next to the
 * state file (mkdir is atomic, also on network file systems); a lock left by
 * a process that died on this machine is taken over at once, any other after
 * STALE_MS without a refresh. Returns the release function.
 */
export async function lockState(stateFile: string, log: Log): Promise<() => Promise<void>> {
  const lockPath = `${stateFile}.lock`;
  const options: lockfile.LockOptions = {
    realpath: false,
    lockfilePath: lockPath,
    stale: STALE_MS,
    update: STALE_MS / 3,
    onCompromised: (error) => log.warn(`the lock on the state file was lost (${error.message}); another command may be writing it too`),
  };
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(stateFile, options);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
    const holder = await readHolder(lockPath);
    if (!holder || holder.host !== hostname() || alive(holder.pid)) {
      const who = holder ? `process ${holder.pid} on ${holder.host}, since ${holder.since}` : 'another process';
      throw new UserError(
        `the state file ${path.basename(stateFile)} is in use by ${who}; run again when it has finished (a lock left by a killed process is taken over after ${STALE_MS / 1000} s)`,
        ExitCode.inFlight,
      );
    }
    log.warn(`taking over the lock left by process ${holder.pid}, which is gone`);
    await rm(lockPath, { recursive: true, force: true });
    release = await lockfile.lock(stateFile, options);
  }
  const holder: Holder = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  await writeFile(`${lockPath}.json`, JSON.stringify(holder));
  return async () => {
    await rm(`${lockPath}.json`, { force: true });
    await release();
  };
}
