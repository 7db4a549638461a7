import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { loadProject } from '../config/load.js';
import { checkState, type StateData } from '../core/state.js';
import { UserError } from '../errors.js';
import { fetchTip, readAt, repositoryOf, writeAt, type GitRun } from '../io/git-state.js';
import type { Log } from '../io/log.js';
import { lockState } from '../io/state-lock.js';
import type { CommandResult } from './result.js';

export const STATE_ACTIONS = ['pull', 'push', 'path'] as const;
export type StateAction = (typeof STATE_ACTIONS)[number];

export interface StateOptions {
  cwd: string;
  config?: string | undefined;
  branch: string;
  remote: string;
  /** pull: replace a local state newer than the branch's; push: write a branch this state was not pulled from. */
  force: boolean;
  log: Log;
}

/** Parsed and checked state text; a UserError naming where it came from otherwise. */
function parseState(text: string, from: string): StateData {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new UserError(`state: ${from} is not JSON (${(error as Error).message}); nothing was changed`);
  }
  const problems = checkState(data);
  if (problems.length) throw new UserError(`state: ${from} is not a state file: ${problems.join('; ')}; nothing was changed`);
  return data as StateData;
}

/** Beside the state file: the branch tip it was pulled from (or last pushed as), the lease of the next push. */
const tipFile = (statePath: string) => `${statePath}.tip`;

async function readTip(statePath: string, branch: string): Promise<string | undefined> {
  const text = await readFile(tipFile(statePath), 'utf8').catch(() => '');
  const [name, tip] = text.trim().split(/\s+/);
  return name === branch && tip ? tip : undefined;
}

/**
 * `state pull`: the state file from the state branch (kept as it is when the
 * branch has none yet, or when the local one is newer, unless --force).
 * `state push`: the state file onto the state branch, with a lease on the tip
 * it was pulled from. `state path`: where the state file is, for scripts.
 */
export async function stateCommand(action: string, options: StateOptions): Promise<CommandResult> {
  if (!STATE_ACTIONS.includes(action as StateAction)) throw new UserError(`state: expected ${STATE_ACTIONS.join(', ')}, got "${action}"`);
  const project = await loadProject(options.cwd, options.config);
  const statePath = project.statePath;
  if (action === 'path') return { exitCode: 0, data: { path: statePath }, text: path.relative(process.cwd(), statePath) || statePath };
  const root = await repositoryOf(project.dir);
  const file = path.relative(root, statePath).split(path.sep).join('/');
  if (file.startsWith('..')) throw new UserError(`state: the state file ${statePath} is outside the repository ${root}`);
  const run: GitRun = { root, remote: options.remote, branch: options.branch };
  const where = `${run.remote}/${run.branch}`;
  await mkdir(path.dirname(statePath), { recursive: true });
  const release = await lockState(statePath, options.log);
  try {
    if (action === 'pull') {
      const tip = await fetchTip(run);
      const text = tip ? await readAt(run, tip, file) : undefined;
      if (!tip || text === undefined) {
        // A branch without this project's file (another project's state is on it) was read all the same: push may add to it.
        if (tip) await writeFile(tipFile(statePath), `${run.branch} ${tip}\n`);
        const local = existsSync(statePath);
        return { exitCode: 0, data: { restored: false, tip: tip ?? null }, text: `no state on ${where} yet${tip ? ` (no ${file} there)` : ''}: ${local ? 'the local state file is kept' : 'starting without one'}` };
      }
      const remote = parseState(text, `${file} on ${where}`);
      const localText = await readFile(statePath, 'utf8').catch(() => undefined);
      if (localText !== undefined && localText !== text) {
        const local = (() => {
          try {
            return JSON.parse(localText) as Partial<StateData>;
          } catch {
            return {};
          }
        })();
        if (!options.force && local.savedAt && (!remote.savedAt || local.savedAt > remote.savedAt)) {
          throw new UserError(`state: the local state file (written ${local.savedAt}) is newer than the one on ${where} (${remote.savedAt ?? 'no date'}); push it ("batchmatter state push"), or pass --force to replace it`);
        }
        await copyFile(statePath, `${statePath}.prev`);
      }
      await writeFileAtomic(statePath, text);
      await writeFile(tipFile(statePath), `${run.branch} ${tip}\n`);
      return { exitCode: 0, data: { restored: true, tip }, text: `state restored from ${where} (${tip.slice(0, 12)}, written ${remote.savedAt ?? 'at an unknown time'})` };
    }
    const text = await readFile(statePath, 'utf8').catch(() => undefined);
    if (text === undefined) throw new UserError(`state: no state file at ${statePath} to push`);
    parseState(text, statePath);
    let expected = await readTip(statePath, run.branch);
    if (!expected) {
      const current = await fetchTip(run);
      if (current && !options.force) throw new UserError(`state: ${where} holds a state this one was not pulled from; run "batchmatter state pull" first, or pass --force to replace it`);
      expected = current;
    }
    const pushed = await writeAt(run, file, text, expected);
    await writeFile(tipFile(statePath), `${run.branch} ${pushed.tip}\n`);
    return { exitCode: 0, data: { pushed: pushed.changed, tip: pushed.tip }, text: pushed.changed ? `state pushed to ${where} (${pushed.tip.slice(0, 12)})` : `state on ${where} is up to date` };
  } finally {
    await release();
  }
}
