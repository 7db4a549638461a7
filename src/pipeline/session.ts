import { randomBytes } from 'node:crypto';
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { loadProject, type Project, type Task } from '../config/load.js';
import type { Api } from '../io/api.js';
import { connectApi } from '../io/api.js';
import { fileProblem, UserError } from '../errors.js';
import { progress, type Log } from '../io/log.js';
// Loaded up front, not when a command locks: proper-lockfile registers signal-exit's SIGTERM listener as it
// loads, and it must come before the CLI's own (cli.ts), or it finds no other listener and kills the process
// before the interrupted command saves its state (test/e2e-faults.test.ts, exit code 130).
import { lockState } from '../io/state-lock.js';
import { openStateFile, type StateStore } from '../io/state-store.js';
import { excerptSpecs } from '../core/needs.js';
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
}

/** Everything a command works with: config, state, the clock and (lazily) the API. */
export interface Session {
  project: Project;
  store: StateStore;
  log: Log;
  now(): Date;
  /** A fresh random token for custom_ids and job ids. */
  nonce(): string;
  api(): Promise<Api>;
  task(name: string): Task | undefined;
  /** The part of the work the command was asked to cover (`--task`, paths, `--limit`); everything by default. */
  selection: Selection;
  close(): Promise<void>;
}

export async function openSession(options: GlobalOptions): Promise<Session> {
  const project = await loadProject(options.cwd, options.config);
  // Only commands that write the state make its folder: status, diff or check leave the project as it is.
  if (options.lock) await mkdir(path.dirname(project.statePath), { recursive: true }).catch((error) => Promise.reject(fileProblem(error, `state: cannot make the folder for ${project.statePath}`)));
  const release = options.lock ? await lockState(project.statePath, options.log) : undefined;
  let store: StateStore;
  try {
    store = await openStateFile(project.statePath, { keepPrevious: Boolean(options.lock) });
  } catch (error) {
    await release?.();
    throw error;
  }
  let api: Promise<Api> | undefined;
  const tasks = new Map(project.tasks.map((t) => [t.name, t]));
  return {
    project,
    store,
    log: options.log,
    now: () => new Date(),
    nonce: () => randomBytes(6).toString('hex'),
    api() {
      api ??= connectApi({ offline: options.offline, stateDir: path.dirname(project.statePath), env: options.env });
      return api;
    },
    task: (name) => tasks.get(name),
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
