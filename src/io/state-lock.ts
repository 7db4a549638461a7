import { randomBytes } from 'node:crypto';
import { lstat, mkdtemp, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { ExitCode, fileProblem, UserError } from '../errors.js';
import type { Log } from './log.js';

/*
 * One command at a time per state file. The lock is the directory <state>.lock holding holder.json: {pid, host,
 * since, token}, the token naming this generation of the lock (pid and a random nonce: never used twice). A lock
 * left by a process gone from this machine is taken over at once, any other once not refreshed for STALE_MS.
 *
 * proper-lockfile, used before, took a stale lock over by checking it and then removing it: two processes that
 * both saw it stale could both take it, the second removing the first's new lock, and both submitted the same
 * work. Why at most one process takes over a given lock here, whatever the interleaving:
 * - A lock never exists without its holder: it is made in a directory of its own and renamed into place (rename
 *   fails onto a directory that is not empty), and removed by renaming it away. Its token is read with it.
 * - A lock changes only when its holder releases it (one that is gone cannot) or when it is taken over. To take
 *   over generation T a process must first place the claim <lock>.takeover-T the same way, which only one can.
 *   If the claim's maker is gone (killed mid-takeover), the next claim is named after its token
 *   (<lock>.takeover-T.<token>), and so on: the claims on T form one chain, and only its end, alive, goes on.
 * - The end of the chain reads the lock again and goes on only if it is still T and still stale: nothing else can
 *   change it then before it renames it away and puts its own in place. A process that comes later finds the
 *   claim held by a live process and stops, or, the claims being cleared, finds the lock is no longer T.
 * - So a claim on a generation that is gone can be removed by anyone (whoever makes it again fails that re-read):
 *   the new holder clears them. While T is current, a process removes only its own claim on it.
 * "Gone" is exact on this host (the pid is dead); for another host it is a presumption, as for any lease: a holder
 * that did not refresh its lock for STALE_MS is taken for dead, and says so if it wakes up.
 * Nothing here listens for signals (proper-lockfile's signal-exit did): interrupts are the CLI's alone.
 */

/** Who holds a lock or a takeover claim. */
interface Holder {
  pid: number;
  host: string;
  since: string;
}

/** What a lock or claim holds: its holder and the token naming it. */
type HolderFile = Holder & { token: string };

/** A lock or claim as found: its generation, its holder when it names one, and when it was last refreshed. */
interface Found {
  token: string;
  holder?: Holder;
  mtimeMs: number;
}

/** A lock not refreshed for this long is taken for dead (locks held on another host). */
const STALE_MS = 30_000;
const REFRESH_MS = STALE_MS / 3;
/** The version before wrote its holder file just after making the lock: a lock this old without one lost its maker. */
const HOLDER_GRACE_MS = 2_000;
/** Each attempt (or claim in a chain) ends because another process changed the lock or died taking it; past this many, it is in use. */
const ATTEMPTS = 10;
const HOLDER = 'holder.json';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const exists = (file: string) => lstat(file).then(() => true, () => false);

async function readHolder(file: string): Promise<(Holder & { token?: string }) | undefined> {
  try {
    const holder = JSON.parse(await readFile(file, 'utf8')) as Holder & { token?: string };
    return typeof holder.pid === 'number' && typeof holder.host === 'string' ? holder : undefined;
  } catch {
    return undefined;
  }
}

/** `beside`: where the version before kept the holder of a lock (<lock>.json), for a lock without one inside. */
async function inspect(dir: string, beside?: string): Promise<Found | undefined> {
  for (;;) {
    const first = await readHolder(path.join(dir, HOLDER));
    const stats = await stat(dir, { bigint: true }).catch(() => undefined);
    if (!stats) return undefined;
    const inside = await readHolder(path.join(dir, HOLDER));
    // The same token on both sides of the stat: the mtime is this generation's, a token never coming back.
    if (first?.token !== inside?.token) continue;
    const mtimeMs = Number(stats.mtimeMs);
    if (inside?.token) return { token: inside.token, holder: inside, mtimeMs };
    const holder = beside ? await readHolder(beside) : undefined;
    return { token: `dir-${stats.ino}-${stats.birthtimeNs}`, ...(holder ? { holder } : {}), mtimeMs };
  }
}

/** Whether the holder can no longer use it: a dead process on this host, or no refresh for too long. */
function gone(found: Found): boolean {
  const { holder } = found;
  if (holder?.host === hostname()) return !alive(holder.pid);
  return Date.now() - found.mtimeMs > (holder ? STALE_MS : HOLDER_GRACE_MS);
}

/**
 * Puts a directory holding `me` at `target` in one step, or returns false when something is there. The look
 * first: rename replaces an empty directory, which only a lock of the version before can be.
 */
async function place(target: string, me: HolderFile): Promise<boolean> {
  if (await exists(target)) return false;
  const staging = await mkdtemp(`${target}.new-`);
  try {
    await writeFile(path.join(staging, HOLDER), JSON.stringify(me));
    await rename(staging, target);
    return true;
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    // Another's was there (it may be gone by now), or a sweep took our staging for abandoned. Windows says EPERM
    // for the first, which could also be a real permission problem: it counts as taken only if something is there.
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (['ENOTEMPTY', 'EEXIST', 'ENOENT'].includes(code) || (code === 'EPERM' && (await exists(target)))) return false;
    throw error;
  }
}

/** Takes a lock or claim away in one step, so no one finds it half deleted. */
async function discard(target: string): Promise<void> {
  const trash = `${target}.gone-${randomBytes(4).toString('hex')}`;
  try {
    await rename(target, trash);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  // Left for the next sweep if it cannot be deleted now.
  await rm(trash, { recursive: true, force: true }).catch(() => undefined);
}

function inUse(lockPath: string, holder: Holder | undefined): UserError {
  const who = holder ? `process ${holder.pid} on ${holder.host}, since ${holder.since}` : 'another process';
  return new UserError(
    `the state file ${path.basename(lockPath, '.lock')} is in use by ${who}; run again when it has finished (a lock left by a killed process is taken over after ${STALE_MS / 1000} s)`,
    ExitCode.inFlight,
  );
}

/** Makes the end of the chain of claims on generation `token`: the claims made, ours last, or undefined if one vanished meanwhile. */
async function claim(lockPath: string, token: string, me: HolderFile): Promise<string[] | undefined> {
  const chain = [`${lockPath}.takeover-${token}`];
  while (chain.length <= ATTEMPTS) {
    const name = chain[chain.length - 1]!;
    if (await place(name, me)) return chain;
    const found = await inspect(name);
    if (!found) return undefined;
    if (!gone(found)) throw inUse(lockPath, found.holder);
    chain.push(`${lockPath}.takeover-${token}.${found.token}`);
  }
  throw inUse(lockPath, undefined);
}

/** Takes over the stale generation `stale`, or returns false when another process changed the lock first. */
async function takeOver(lockPath: string, stale: Found, me: HolderFile, log: Log): Promise<boolean> {
  const chain = await claim(lockPath, stale.token, me);
  if (!chain) return false;
  const now = await inspect(lockPath, `${lockPath}.json`);
  let current = now?.token === stale.token;
  let won = false;
  if (now && current && gone(now)) {
    const { holder } = now;
    log.warn(
      !holder
        ? 'taking over a lock whose process was killed while taking it'
        : holder.host === hostname()
          ? `taking over the lock left by process ${holder.pid}, which is gone`
          : `taking over the lock left by process ${holder.pid} on ${holder.host}, not refreshed for ${Math.round((Date.now() - now.mtimeMs) / 1000)} s`,
    );
    await discard(lockPath);
    current = false;
    won = await place(lockPath, me);
  }
  // Won: the sweep clears the chain. Else ours goes, and the others' too once their generation is gone for good.
  if (!won) await Promise.all((current ? chain.slice(-1) : chain).map(discard));
  return won;
}

/**
 * Clears what takeovers and crashes left beside the lock, now ours: claims on other generations (gone for good),
 * staging and discarded directories whose maker is gone, and the holder file of the version before.
 */
async function sweep(lockPath: string, me: HolderFile): Promise<void> {
  const dir = path.dirname(lockPath);
  const prefix = `${path.basename(lockPath)}.`;
  const names = (await readdir(dir)).filter((name) => name.startsWith(prefix));
  await Promise.all(
    names.map(async (name) => {
      const entry = path.join(dir, name);
      const rest = name.slice(prefix.length);
      if (rest === 'json') return rm(entry, { force: true });
      const root = /^takeover-([^.]+)/.exec(rest)?.[1];
      const found = root === undefined ? await inspect(entry) : undefined;
      if (root !== undefined ? root !== me.token : found && gone(found)) await discard(entry);
    }),
  );
}

async function acquire(lockPath: string, me: HolderFile, log: Log): Promise<void> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    if (await place(lockPath, me)) return;
    const found = await inspect(lockPath, `${lockPath}.json`);
    if (!found) continue;
    if (!gone(found)) throw inUse(lockPath, found.holder);
    if (await takeOver(lockPath, found, me, log)) return;
  }
  throw inUse(lockPath, undefined);
}

/**
 * Takes the lock on `stateFile`: a UserError with ExitCode.inFlight naming the holder when it is in use. Returns
 * the release function. A process that ends without it (killed, crashed) leaves the lock, taken over at once by
 * the next command on this host, its pid being dead.
 */
export async function lockState(stateFile: string, log: Log): Promise<() => Promise<void>> {
  const lockPath = `${stateFile}.lock`;
  const me: HolderFile = { pid: process.pid, host: hostname(), since: new Date().toISOString(), token: `${process.pid}-${randomBytes(6).toString('hex')}` };
  try {
    await acquire(lockPath, me, log);
  } catch (error) {
    throw error instanceof UserError ? error : fileProblem(error, `cannot lock the state file ${stateFile}`);
  }
  // Only tidying: what it cannot remove now, the next holder's sweep will.
  await sweep(lockPath, me).catch(() => undefined);

  let released = false;
  // Refreshed so that another host can tell the holder is alive; a lock that stopped being ours is said once.
  const refresh = setInterval(() => {
    void inspect(lockPath).then((found) => {
      if (released) return;
      if (found?.token === me.token) return utimes(lockPath, new Date(), new Date()).catch(() => undefined);
      clearInterval(refresh);
      const why = found?.holder ? `process ${found.holder.pid} on ${found.holder.host} took it over` : 'it was removed';
      log.warn(`the lock on the state file was lost (${why}); another command may be writing it too`);
    });
  }, REFRESH_MS);
  refresh.unref();
  return async () => {
    released = true;
    clearInterval(refresh);
    if ((await inspect(lockPath))?.token === me.token) await discard(lockPath);
  };
}
