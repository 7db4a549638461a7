import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { ExitCode, fileProblem, UserError } from '../errors.js';
import type { Log } from './log.js';

/** Who holds the lock, written next to the lock directory for the next process to check. */
interface Holder {
  pid: number;
  host: string;
  since: string;
}

/** Without a holder file, a lock not refreshed for this long is taken over (proper-lockfile's mtime check). */
const STALE_MS = 30_000;
/** A live process writes its holder file within milliseconds of taking the lock; a lock this old without one lost its maker. */
const HOLDER_GRACE_MS = 2_000;

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
/**
 * A lock without a holder file: its maker was killed between taking the lock
 * and writing the file, or is writing it right now. Waits out the second case.
 */
async function orphaned(lockPath: string): Promise<boolean> {
  let age: number;
  try {
    age = Date.now() - (await stat(lockPath)).mtimeMs;
  } catch {
    return false;
  }
  if (age < HOLDER_GRACE_MS) await sleep(HOLDER_GRACE_MS - age);
  return (await readHolder(lockPath)) === undefined && (await stat(lockPath).then(() => true, () => false));
}

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
    if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw fileProblem(error, `cannot lock the state file ${stateFile}`);
    const holder = await readHolder(lockPath);
    const orphan = !holder && (await orphaned(lockPath));
    if (!orphan && (!holder || holder.host !== hostname() || alive(holder.pid))) {
      const who = holder ? `process ${holder.pid} on ${holder.host}, since ${holder.since}` : 'another process';
      throw new UserError(
        `the state file ${path.basename(stateFile)} is in use by ${who}; run again when it has finished (a lock left by a killed process is taken over after ${STALE_MS / 1000} s)`,
        ExitCode.inFlight,
      );
    }
    log.warn(holder ? `taking over the lock left by process ${holder.pid}, which is gone` : 'taking over a lock whose process was killed while taking it');
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
