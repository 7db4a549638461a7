import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { loadProject, type Project, type Task } from '../config/load.js';
import type { Api, Reach } from '../io/api.js';
import { connectApi } from '../io/api.js';
import { loadIdentifier } from '../core/identify.js';
import { checksLanguage } from '../core/language.js';
import { fileProblem, UserError } from '../errors.js';
import { progress, type Log } from '../io/log.js';
import { lockState } from '../io/state-lock.js';
import { openStateFile, type StateStore } from '../io/state-store.js';
import { excerptSpecs } from '../core/needs.js';
import type { StateData } from '../core/state.js';
import { EVERYTHING, type Selection } from '../core/selection.js';
import { readScanCache, writeScanCache, type ScanCache } from '../io/scan-cache.js';
import { dominantFormat, scanTree, type ScanResult } from '../io/tree.js';

export interface GlobalOptions {
  cwd: string;
  config?: string;
  offline: boolean;
  env: NodeJS.ProcessEnv;
  log: Log;
  /** Commands that change the state hold its lock: one at a time per state file. */
  lock?: boolean;
  /** Time and randomness, given from outside: the real ones by default (see Clock). */
  clock?: Clock;
}

/**
 * Where a session gets the time, its waits and its random tokens. The real ones by default; a test or a
 * library caller can give its own, to drive the time a run waits for instead of waiting for it.
 */
export interface Clock {
  now(): Date;
  /** Resolves after `ms`, or rejects when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** A fresh random token (job ids, temporary names). */
  nonce(): string;
}

export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms, signal) => sleep(ms, undefined, signal ? { signal } : {}),
  nonce: () => randomBytes(6).toString('hex'),
};

/**
 * Where the answers of the embedded emulator are kept (`--offline`): a state
 * file of their own beside the real one, so an online command never applies,
 * reuses or counts an emulator's answer, and an offline try never touches the
 * record of what was paid for.
 */
export function offlineStatePath(statePath: string): string {
  const ext = path.extname(statePath);
  return `${ext ? statePath.slice(0, -ext.length) : statePath}.offline${ext || '.json'}`;
}

/** Everything a command works with: config, state, the clock and (lazily) the API. */
export interface Session {
  project: Project;
  /** Whether the command works against the embedded emulator, on the offline state. */
  offline: boolean;
  /** The state file this session reads and writes: the project's, or its offline twin. */
  statePath: string;
  store: StateStore;
  log: Log;
  now(): Date;
  /** Waits `ms` (on the session's clock), or until `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** A fresh random token for custom_ids and job ids. */
  nonce(): string;
  api(): Promise<Api>;
  /** What this session's API calls came to; undefined before the first call was set up. */
  reach(): Reach | undefined;
  task(name: string): Task | undefined;
  /**
   * A path relative to the content root (as the state and the scan name files) as a command prints it:
   * relative to the folder the command runs in, with "/", so it can be pasted back as a path argument
   * and a saved unified diff applies from there (see docs/commands.md, "Paths").
   */
  shown(file: string): string;
  /** The part of the work the command was asked to cover (`--task`, paths, `--limit`); everything by default. */
  selection: Selection;
  close(): Promise<void>;
}

export async function openSession(options: GlobalOptions): Promise<Session> {
  const clock = options.clock ?? systemClock;
  const project = await loadProject(options.cwd, options.config);
  const statePath = options.offline ? offlineStatePath(project.statePath) : project.statePath;
  // Only commands that write the state make its folder: status, diff or check leave the project as it is.
  if (options.lock) await mkdir(path.dirname(statePath), { recursive: true }).catch((error) => Promise.reject(fileProblem(error, `state: cannot make the folder for ${statePath}`)));
  const release = options.lock ? await lockState(statePath, options.log) : undefined;
  let store: StateStore;
  try {
    store = await openStateFile(statePath, { keepPrevious: Boolean(options.lock), now: clock.now });
  } catch (error) {
    await release?.();
    throw error;
  }
  let api: Promise<Api> | undefined;
  let connected: Api | undefined;
  const tasks = new Map(project.tasks.map((t) => [t.name, t]));
  return {
    project,
    offline: options.offline,
    statePath,
    store,
    log: options.log,
    now: () => clock.now(),
    sleep: (ms, signal) => clock.sleep(ms, signal),
    nonce: () => clock.nonce(),
    api() {
      api ??= connectApi({ offline: options.offline, stateDir: path.dirname(project.statePath), env: options.env, models: Object.keys(project.config.prices), now: () => clock.now().getTime() }).then(async (a) => {
        // Answers are judged once they come: a task with a language rule needs the identifier for them.
        if (project.tasks.some(checksLanguage)) await loadIdentifier();
        return (connected = a);
      });
      return api;
    },
    reach: () => connected?.reach,
    task: (name) => tasks.get(name),
    shown: shownFrom(options.cwd, project.contentRoot),
    selection: EVERYTHING,
    async close() {
      options.log.debug(`state file written ${store.writes} time(s)`);
      try {
        if (api) await (await api).close();
      } finally {
        await release?.();
      }
    },
  };
}

/** Content-root-relative paths as relative to `cwd` (kept as they are when the two folders are the same). */
function shownFrom(cwd: string, contentRoot: string): (file: string) => string {
  const from = path.resolve(cwd);
  const prefix = path.relative(from, contentRoot).split(path.sep).join('/');
  if (!prefix) return (file) => file;
  // The content root below the folder: a prefix. Elsewhere (the prefix climbs with ..), each file's own path, which may climb less.
  if (!prefix.startsWith('..')) return (file) => `${prefix}/${file}`;
  return (file) => path.relative(from, path.join(contentRoot, file)).split(path.sep).join('/');
}

/**
 * The answers `apply --offline` wrote into the files, by item key: placeholder
 * text from the emulator that an online command must never take for a real
 * answer (or a person's). Empty when there is no offline state.
 */
export function offlineAnswers(session: Session): Promise<Map<string, unknown>> {
  // Read once a command: a run plans several times, and the file does not change under it.
  let answers = offlineRead.get(session);
  if (!answers) offlineRead.set(session, (answers = readOfflineAnswers(session)));
  return answers;
}
const offlineRead = new WeakMap<Session, Promise<Map<string, unknown>>>();

async function readOfflineAnswers(session: Session): Promise<Map<string, unknown>> {
  const answers = new Map<string, unknown>();
  if (session.offline) return answers;
  let data: Partial<StateData>;
  try {
    data = JSON.parse(await readFile(offlineStatePath(session.project.statePath), 'utf8')) as Partial<StateData>;
  } catch {
    return answers; // none, or unreadable: it only ever held the emulator's answers
  }
  for (const [key, item] of Object.entries(data.items ?? {})) if (item?.status === 'applied' && item.value !== undefined) answers.set(key, item.value);
  return answers;
}

/**
 * Scans the content tree. Files whose size, mtime and inode match the scan
 * cache (next to the state file) are not read again; the cache is rewritten
 * after every scan. It is only a cache: delete it and nothing is lost.
 */
const scanCacheFile = (session: Session) => path.join(path.dirname(session.project.statePath), 'scan-cache.json');

/** The front matter format most of the site uses, from the last scan: what a file without front matter gets. */
export async function siteFormat(session: Session): Promise<'yaml' | 'toml' | 'json'> {
  const cache = await readScanCache(scanCacheFile(session));
  return dominantFormat(Object.values(cache.entries).map((e) => e.format));
}

export interface ProjectScan extends ScanResult {
  /** Whether the scan learnt something the cache on disk does not hold. */
  changed: boolean;
}

/** The content root, checked to be a folder: a user error naming content.root when it is not. */
export async function contentRoot(session: Session): Promise<string> {
  const root = session.project.contentRoot;
  const found = await stat(root).catch(() => undefined);
  if (!found?.isDirectory()) {
    const shown = path.relative(path.dirname(session.project.configFile), root) || '.';
    throw new UserError(`content.root: ${shown} (relative to ${path.basename(session.project.configFile)}) ${found ? 'is a file, not a folder' : 'does not exist'}; set content.root to the folder that holds your posts`);
  }
  return root;
}

/** Scans the content tree; the scan cache is saved unless `save` is false (then the caller saves it, once, with saveScanCache). */
export async function scanProject(session: Session, options: { save?: boolean } = {}): Promise<ProjectScan> {
  const { config, tasks } = session.project;
  const root = await contentRoot(session);
  const cache = await readScanCache(scanCacheFile(session));
  const result = await scanTree(root, config.content, {
    needs: excerptSpecs(tasks),
    cache,
    onProgress: progress(session.log, (done, total) => `reading new or changed files: ${done}/${total}`),
  });
  // Nothing read and nothing gone: the cache on disk already says all this.
  const changed = result.reread > 0 || Object.keys(result.cache.entries).length !== Object.keys(cache.entries).length;
  if (changed && options.save !== false) await saveScanCache(session, result.cache, result.parsed > 0);
  session.log.debug(`scanned ${result.matched} file(s): ${result.reread} read${result.threads ? ` in ${result.threads} worker threads` : ''} (${result.parsed} parsed), ${result.matched - result.reread} unchanged since the last scan`);
  return { ...result, changed };
}

/** `excerptsChanged`: files were read, so the excerpt texts are written too (else only the entries). */
export async function saveScanCache(session: Session, cache: ScanCache, excerptsChanged: boolean): Promise<void> {
  const file = scanCacheFile(session);
  try {
    await mkdir(path.dirname(file), { recursive: true });
    await writeScanCache(file, cache, excerptsChanged);
  } catch (error) {
    // Only a cache (a read-only checkout, a full disk): the next scan reads the files again.
    const problem = fileProblem(error, `the scan cache ${path.relative(process.cwd(), file) || file} was not saved`);
    if (!(problem instanceof UserError)) throw error;
    session.log.warn(`${problem.message}; the next run reads the files again`);
  }
}
