import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { UserError } from '../errors.js';

/**
 * The state file kept on a branch of its own, which only batchmatter writes:
 * never protected, never in conflict with content, so the batch ids a night
 * submitted reach the next night whatever becomes of the content push. The
 * branch holds one commit (each push replaces it), so the state's history
 * does not grow every clone of the repository; other files on it are kept.
 */

export interface GitRun {
  /** The repository's top folder. */
  root: string;
  remote: string;
  branch: string;
}

const IDENTITY = { GIT_AUTHOR_NAME: 'batchmatter[bot]', GIT_AUTHOR_EMAIL: 'batchmatter@users.noreply.github.com', GIT_COMMITTER_NAME: 'batchmatter[bot]', GIT_COMMITTER_EMAIL: 'batchmatter@users.noreply.github.com' };

interface Output {
  code: number;
  stdout: string;
  stderr: string;
}

function git(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}, input?: string): Promise<Output> {
  return new Promise((resolve, reject) => {
    const child = execFile('git', args, { cwd, env: { ...process.env, GIT_TERMINAL_PROMPT: '0', ...env }, maxBuffer: 512 * 1024 * 1024, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') return reject(error.code === 'ENOENT' ? new UserError('state: git is not installed (or not on PATH)') : error);
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

async function must(cwd: string, args: string[], env?: NodeJS.ProcessEnv, input?: string): Promise<string> {
  const out = await git(cwd, args, env, input);
  if (out.code !== 0) throw new UserError(`state: git ${args[0]} failed: ${out.stderr.trim().split('\n').at(-1) ?? `exit ${out.code}`}`);
  return out.stdout.trim();
}

/** The repository holding `dir`; a UserError when there is none. */
export async function repositoryOf(dir: string): Promise<string> {
  const out = await git(dir, ['rev-parse', '--show-toplevel']);
  if (out.code !== 0) throw new UserError(`state: ${dir} is not in a git repository; the state branch needs one`);
  return out.stdout.trim();
}

/** The branch's tip on the remote, fetched; undefined when the branch does not exist yet. */
export async function fetchTip(run: GitRun): Promise<string | undefined> {
  const ref = `refs/heads/${run.branch}`;
  const listed = await git(run.root, ['ls-remote', '--heads', run.remote, ref]);
  if (listed.code !== 0) throw new UserError(`state: cannot reach the remote "${run.remote}": ${listed.stderr.trim().split('\n').at(-1) ?? ''}`);
  const tip = listed.stdout.trim().split(/\s+/)[0];
  if (!tip) return undefined;
  await must(run.root, ['fetch', '--quiet', '--no-tags', run.remote, ref]);
  return tip;
}

/** The file at `file` (a path in the repository) in commit `tip`; undefined when the commit has none. */
export async function readAt(run: GitRun, tip: string, file: string): Promise<string | undefined> {
  const out = await git(run.root, ['show', `${tip}:${file}`]);
  return out.code === 0 ? out.stdout : undefined;
}

/**
 * Puts `text` at `file` on the branch: one new commit, whose tree is the old
 * tip's with this file replaced, pushed with a lease on `expected` (the tip
 * this run read, or none): a branch someone else wrote meanwhile is never
 * overwritten. A push that fails for another reason (the network) is tried
 * again. Returns the new tip, or the old one when nothing changed.
 */
export async function writeAt(run: GitRun, file: string, text: string, expected: string | undefined, attempts = 3): Promise<{ tip: string; changed: boolean }> {
  const blob = await must(run.root, ['hash-object', '-w', '--stdin'], {}, text);
  const scratch = await mkdtemp(path.join(tmpdir(), 'batchmatter-index-'));
  try {
    const index = { GIT_INDEX_FILE: path.join(scratch, 'index') };
    if (expected) await must(run.root, ['read-tree', expected], index);
    else await must(run.root, ['read-tree', '--empty'], index);
    await must(run.root, ['update-index', '--add', '--cacheinfo', `100644,${blob},${file}`], index);
    const tree = await must(run.root, ['write-tree'], index);
    if (expected && (await must(run.root, ['rev-parse', `${expected}^{tree}`])) === tree) return { tip: expected, changed: false };
    const commit = await must(run.root, ['commit-tree', tree, '-m', 'batchmatter: state'], IDENTITY);
    let last = '';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const out = await git(run.root, ['push', '--quiet', `--force-with-lease=refs/heads/${run.branch}:${expected ?? ''}`, run.remote, `${commit}:refs/heads/${run.branch}`]);
      if (out.code === 0) return { tip: commit, changed: true };
      last = out.stderr.trim().split('\n').filter(Boolean).slice(-2).join(' ');
      if (/stale info/.test(out.stderr)) {
        throw new UserError(`state: the branch ${run.branch} changed on ${run.remote} since this run read it (another run, or a person), so it was not overwritten: ${last}`);
      }
      if (/remote rejected|declined|protected/i.test(out.stderr)) {
        throw new UserError(`state: ${run.remote} refused the push to ${run.branch} (is the branch protected? Only batchmatter writes it; leave it unprotected): ${last}`);
      }
    }
    throw new UserError(`state: could not push the branch ${run.branch} to ${run.remote}: ${last}`);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
