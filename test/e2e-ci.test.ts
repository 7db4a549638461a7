import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fg from 'fast-glob';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startEmulator, type RunningEmulator } from '../src/emulator/index.js';
import { copyExample, repoRoot, runCli } from './helpers/cli.js';

/**
 * The workflow `init --ci github` writes, run for real: its shell steps (after
 * checkout and npm ci) execute in order with bash -eo pipefail, as GitHub runs
 * them, in a clone of a real bare repository, against the emulator.
 */
interface Step {
  name?: string;
  run?: string;
  env?: Record<string, string>;
  if?: string;
  uses?: string;
  with?: Record<string, string>;
}

let emulator: RunningEmulator;
let origin: string;
let work: string;
let shims: string;
let workflow: { env: Record<string, string>; jobs: Record<string, { steps: Step[] }> };

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();

beforeAll(async () => {
  emulator = await startEmulator({ batchDurationMs: 200 });
  const root = mkdtempSync(path.join(tmpdir(), 'batchmatter-ci-'));
  origin = path.join(root, 'origin.git');
  git(root, 'init', '--quiet', '--bare', '--initial-branch=main', origin);
  work = copyExample((c) => c.replace("pollInterval: '30s'", "pollInterval: '100ms'"));
  writeFileSync(path.join(work, '.gitignore'), 'node_modules\n.batchmatter/\n');
  expect((await runCli(['init', '--ci', 'github'], work)).code).toBe(0);
  for (const args of [
    ['init', '--quiet', '--initial-branch=main'],
    ['config', 'user.name', 'Test'],
    ['config', 'user.email', 'test@example.invalid'],
    ['add', '-A'],
    ['commit', '--quiet', '-m', 'site'],
    ['remote', 'add', 'origin', origin],
    ['push', '--quiet', '-u', 'origin', 'main'],
  ])
    git(work, ...args);
  // `npx batchmatter …` runs this checkout's CLI.
  shims = mkdtempSync(path.join(tmpdir(), 'batchmatter-shims-'));
  writeFileSync(path.join(shims, 'npx'), `#!/bin/sh\n[ "$1" = batchmatter ] && shift\nexec "${process.execPath}" "${path.join(repoRoot, 'bin/batchmatter.js')}" "$@"\n`);
  chmodSync(path.join(shims, 'npx'), 0o755);
  workflow = parse(readFileSync(path.join(work, '.github/workflows/batchmatter.yml'), 'utf8'));
}, 60_000);

afterAll(async () => {
  await emulator?.close();
});

/** Async, never spawnSync: the emulator answers from this process's event loop. */
function bash(script: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], { cwd, env }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, output: `${stdout}\n${stderr}` });
    });
  });
}

/** Runs the steps after `npm ci`; returns the run step's exit code as it wrote it to GITHUB_OUTPUT. */
async function runWorkflow(): Promise<string> {
  const steps = Object.values(workflow.jobs)[0]!.steps;
  const runner = mkdtempSync(path.join(tmpdir(), 'batchmatter-runner-'));
  const files = { GITHUB_OUTPUT: path.join(runner, 'output'), GITHUB_STEP_SUMMARY: path.join(runner, 'summary') };
  for (const file of Object.values(files)) writeFileSync(file, '');
  mkdirSync(path.join(runner, 'temp'));
  const base: NodeJS.ProcessEnv = {
    ...process.env,
    ...workflow.env,
    ...files,
    RUNNER_TEMP: path.join(runner, 'temp'),
    PATH: `${shims}${path.delimiter}${process.env.PATH}`,
    ANTHROPIC_BASE_URL: emulator.url,
    NO_COLOR: '1',
  };
  delete base.ANTHROPIC_AUTH_TOKEN;
  for (const step of steps.slice(steps.findIndex((s) => s.run === 'npm ci') + 1)) {
    if (!step.run || step.if) continue;
    // Expressions are GitHub's to fill in; the key comes from the "secret".
    const env = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, String(v).includes('${{') ? (k === 'ANTHROPIC_API_KEY' ? 'test-key' : '') : String(v)]));
    const result = await bash(step.run, work, { ...base, ...env });
    expect(result.code, `step "${step.name ?? step.run}":\n${result.output}`).toBe(0);
  }
  expect(readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8')).toMatch(/^### description: `description` in \d+ file\(s\)|No proposed changes\./m);
  // The review page the artifact step uploads (that step is GitHub's to run) was written where it looks.
  const upload = steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'));
  expect(upload?.with?.path).toBe('${{ runner.temp }}/batchmatter-review.html');
  expect(readFileSync(path.join(runner, 'temp', 'batchmatter-review.html'), 'utf8')).toMatch(/^<!doctype html>/);
  return /code=(\d+)/.exec(readFileSync(files.GITHUB_OUTPUT, 'utf8'))?.[1] ?? '';
}

describe('the nightly GitHub workflow', () => {
  it('commits exactly the changed content files and the state file; a second night commits nothing', async () => {
    const before = git(origin, 'rev-parse', 'main');
    expect(await runWorkflow()).toBe('0');
    const after = git(origin, 'rev-parse', 'main');
    expect(after).not.toBe(before);
    expect(git(origin, 'rev-list', '--count', `${before}..${after}`)).toBe('1');
    const changed = git(origin, 'diff', '--name-only', before, after).split('\n').sort();
    const posts = changed.filter((f) => f.startsWith('examples/blog/posts/'));
    const reviews = changed.filter((f) => f.startsWith('examples/blog/reviews/'));
    expect(posts).toHaveLength(17); // every post without a description, and none of the 8 that have one
    expect(reviews).toHaveLength(15);
    expect(changed).toEqual([...posts, ...reviews, '.batchmatter/state.json'].sort());
    expect(git(origin, 'log', '-1', '--format=%an %s', 'main')).toBe('batchmatter[bot] batchmatter: front matter from the nightly run');

    expect(await runWorkflow()).toBe('0');
    expect(git(origin, 'rev-parse', 'main')).toBe(after);

    // The cache step keeps what batchmatter wrote beside the state file, and nothing the commit took.
    const cached = Object.values(workflow.jobs)[0]!.steps.find((s) => s.uses?.startsWith('actions/cache@'));
    const kept = fg.sync(String(cached?.with?.path), { cwd: work, dot: true }).sort();
    expect(kept).toEqual(['.batchmatter/scan-cache.excerpts.json', '.batchmatter/scan-cache.json']);
  });
});
