import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { copyExample, repoRoot, runCli } from './cli.js';

/**
 * The nightly workflow `init --ci github` writes, run as GitHub runs it: each
 * night a fresh clone of a real bare repository (actions/checkout), the
 * project's installed batchmatter (node_modules/.bin, as npm ci leaves it),
 * then every `run` step in order with `bash -eo pipefail`, honouring
 * `if: always()`, step outputs and GITHUB_ENV. GitHub itself is the one thing
 * that cannot be reached: `gh` is a stand-in that records its calls and keeps
 * the pull requests in a JSON file, which a test merges or closes as a person
 * would on github.com.
 */

export interface Step {
  name?: string;
  id?: string;
  run?: string;
  uses?: string;
  env?: Record<string, string>;
  if?: string;
  with?: Record<string, string>;
}

export interface Workflow {
  env: Record<string, string>;
  steps: Step[];
}

export interface PullRequest {
  number: number;
  state: 'OPEN' | 'MERGED' | 'CLOSED';
  head: string;
  base: string;
  title: string;
  body: string;
}

export interface Site {
  origin: string;
  /** The person's working copy, for pushing changes to the default branch between nights. */
  person: string;
  workflow: Workflow;
  /** The gh stand-in's pull requests and the log of its calls. */
  ghDb: string;
  ghLog: string;
  nights: number;
}

export interface NightResult {
  /** The clone the night ran in. */
  dir: string;
  steps: Array<{ name: string; code: number; output: string }>;
  /** A step failed: the job is red. */
  failed: boolean;
  outputs: Record<string, Record<string, string>>;
  summary: string;
  runCode: string;
  /** The review page the Review step wrote where the artifact step uploads it from, if it did. */
  reviewPage?: string;
}

export const git = (cwd: string, ...args: string[]): string => execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

const GH = `#!/usr/bin/env node
// A stand-in for GitHub's CLI: records each call, keeps pull requests in a JSON file.
const fs = require('node:fs');
const { execFileSync } = require('node:child_process');
const db = process.env.GH_STANDIN_DB;
const args = process.argv.slice(2);
fs.appendFileSync(process.env.GH_STANDIN_LOG, JSON.stringify(args) + '\\n');
const state = JSON.parse(fs.readFileSync(db, 'utf8'));
const opt = (name) => { const i = args.indexOf(name); return i === -1 ? undefined : args[i + 1]; };
const out = (value) => {
  const json = JSON.stringify(value);
  const jq = opt('--jq');
  process.stdout.write(jq ? execFileSync('jq', ['-r', jq], { input: json, encoding: 'utf8' }) : json + '\\n');
};
const [group, verb] = args;
if (group === 'pr' && verb === 'list') {
  const wanted = opt('--state') || 'open';
  const prs = state.prs.filter((p) => p.head === opt('--head') && (wanted === 'all' || p.state === wanted.toUpperCase())).sort((a, b) => b.number - a.number);
  const fields = (opt('--json') || 'number').split(',');
  out(prs.slice(0, Number(opt('--limit') || 30)).map((p) => Object.fromEntries(fields.map((f) => [f, p[f]]))));
} else if (group === 'pr' && verb === 'create') {
  if (state.refuseCreate) { process.stderr.write('pull request create failed: GraphQL: GitHub Actions is not permitted to create or approve pull requests (createPullRequest)\\n'); process.exit(1); }
  const number = state.prs.reduce((n, p) => Math.max(n, p.number), 0) + 1;
  state.prs.push({ number, state: 'OPEN', head: opt('--head'), base: opt('--base'), title: opt('--title'), body: fs.readFileSync(opt('--body-file'), 'utf8') });
  process.stdout.write('https://github.example/owner/site/pull/' + number + '\\n');
} else if (group === 'pr' && verb === 'edit') {
  const pr = state.prs.find((p) => p.number === Number(args[2]));
  if (!pr) { process.stderr.write('no pull request ' + args[2] + '\\n'); process.exit(1); }
  pr.body = fs.readFileSync(opt('--body-file'), 'utf8');
} else if (group === 'run' && verb === 'list') {
  out([]);
} else {
  process.stderr.write('gh stand-in: not supported: ' + args.join(' ') + '\\n');
  process.exit(1);
}
fs.writeFileSync(db, JSON.stringify(state, null, 1));
`;

/** The example site in a bare repository, with the workflow `init --ci github` writes; `edit` changes its config. */
export async function createSite(edit: (config: string) => string = (c) => c): Promise<Site> {
  const root = mkdtempSync(path.join(tmpdir(), 'batchmatter-site-'));
  const origin = path.join(root, 'origin.git');
  git(root, 'init', '--quiet', '--bare', '--initial-branch=main', origin);
  const person = copyExample((c) => edit(c.replace("pollInterval: '30s'", "pollInterval: '100ms'")));
  writeFileSync(path.join(person, '.gitignore'), 'node_modules\n.batchmatter/\n');
  writeFileSync(path.join(person, 'package.json'), `${JSON.stringify({ name: 'site', private: true, devDependencies: { batchmatter: '*' } }, null, 2)}\n`);
  writeFileSync(path.join(person, 'package-lock.json'), `${JSON.stringify({ name: 'site', lockfileVersion: 3, requires: true, packages: {} }, null, 2)}\n`);
  const init = await runCli(['init', '--ci', 'github'], person);
  if (init.code !== 0) throw new Error(`init --ci github: ${init.stderr}`);
  for (const args of [
    ['init', '--quiet', '--initial-branch=main'],
    ['config', 'user.name', 'A Person'],
    ['config', 'user.email', 'person@example.invalid'],
    ['add', '-A'],
    ['commit', '--quiet', '-m', 'site'],
    ['remote', 'add', 'origin', origin],
    ['push', '--quiet', '-u', 'origin', 'main'],
  ])
    git(person, ...args);
  const parsed = parse(readFileSync(path.join(person, '.github/workflows/batchmatter.yml'), 'utf8')) as { env: Record<string, string>; jobs: Record<string, { steps: Step[] }> };
  const ghDb = path.join(root, 'gh.json');
  writeFileSync(ghDb, JSON.stringify({ prs: [] }));
  return { origin, person, workflow: { env: parsed.env, steps: Object.values(parsed.jobs)[0]!.steps }, ghDb, ghLog: path.join(root, 'gh.log'), nights: 0 };
}

/** What the person pushes to the default branch between nights (a new post, an edit). */
export function pushAsPerson(site: Site, files: Record<string, string>, message = 'a person\'s change'): void {
  git(site.person, 'pull', '--quiet', '--rebase', 'origin', 'main');
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(site.person, file)), { recursive: true });
    writeFileSync(path.join(site.person, file), text);
  }
  git(site.person, 'add', '-A');
  git(site.person, 'commit', '--quiet', '-m', message);
  git(site.person, 'push', '--quiet', 'origin', 'main');
}

export const pullRequests = (site: Site): PullRequest[] => (JSON.parse(readFileSync(site.ghDb, 'utf8')) as { prs: PullRequest[] }).prs;

export function setGh(site: Site, change: (db: { prs: PullRequest[]; refuseCreate?: boolean }) => void): void {
  const db = JSON.parse(readFileSync(site.ghDb, 'utf8')) as { prs: PullRequest[]; refuseCreate?: boolean };
  change(db);
  writeFileSync(site.ghDb, JSON.stringify(db, null, 1));
}

/** Merges the pull request's branch into the default branch, as github.com's merge button does, and marks it merged. */
export function mergePullRequest(site: Site, number: number): void {
  const pr = pullRequests(site).find((p) => p.number === number)!;
  git(site.person, 'pull', '--quiet', '--rebase', 'origin', 'main');
  git(site.person, 'fetch', '--quiet', 'origin', pr.head);
  git(site.person, 'merge', '--quiet', '--no-ff', '-m', `Merge pull request #${number}`, 'FETCH_HEAD');
  git(site.person, 'push', '--quiet', 'origin', 'main');
  setGh(site, (db) => (db.prs.find((p) => p.number === number)!.state = 'MERGED'));
}

export const ghCalls = (site: Site): string[][] => (existsSync(site.ghLog) ? readFileSync(site.ghLog, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as string[]) : []);

/** A fresh checkout of the default branch with batchmatter installed in node_modules, as actions/checkout and npm ci leave it. */
function checkout(site: Site): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'batchmatter-runner-'));
  git(dir, 'clone', '--quiet', site.origin, 'repo');
  const repo = path.join(dir, 'repo');
  mkdirSync(path.join(repo, 'node_modules/.bin'), { recursive: true });
  symlinkSync(repoRoot, path.join(repo, 'node_modules/batchmatter'));
  symlinkSync('../batchmatter/bin/batchmatter.js', path.join(repo, 'node_modules/.bin/batchmatter'));
  return repo;
}

function bash(script: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
  // Async, never spawnSync: an emulator in the test's process answers from its event loop.
  return new Promise((resolve) => {
    execFile('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], { cwd, env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, output: `${stdout}\n${stderr}` });
    });
  });
}

/** `key=value` lines of a GITHUB_OUTPUT or GITHUB_ENV file (the forms the workflow writes). */
function readPairs(file: string): Record<string, string> {
  if (!existsSync(file)) return {};
  return Object.fromEntries(
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

export interface NightOptions {
  /** Where the API is (the emulator's URL, or a closed port). */
  apiUrl: string;
  /** Overrides of the workflow's env (MODE, MAX_WAIT). */
  env?: Record<string, string>;
  /** Called just before the step of that name runs (a push made during the run, say). */
  before?: Record<string, () => void | Promise<void>>;
}

/** Runs one night of the workflow; the steps GitHub runs itself (`uses:`) and the install are not run. */
export async function runNight(site: Site, options: NightOptions): Promise<NightResult> {
  site.nights++;
  const dir = checkout(site);
  const runner = mkdtempSync(path.join(tmpdir(), 'batchmatter-runner-files-'));
  const temp = path.join(runner, 'temp');
  mkdirSync(temp);
  const summary = path.join(runner, 'summary');
  const envFile = path.join(runner, 'env');
  writeFileSync(summary, '');
  writeFileSync(envFile, '');
  const shims = path.join(runner, 'bin');
  mkdirSync(shims);
  writeFileSync(path.join(shims, 'gh'), GH);
  chmodSync(path.join(shims, 'gh'), 0o755);
  const outputs: Record<string, Record<string, string>> = {};
  const expression = (text: string): string =>
    text.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_all, expr: string) => {
      const step = /^steps\.([\w-]+)\.outputs\.([\w-]+)$/.exec(expr);
      if (step) return outputs[step[1]!]?.[step[2]!] ?? '';
      const known: Record<string, string> = {
        'secrets.ANTHROPIC_API_KEY': 'test-key',
        'github.token': 'gh-test-token',
        'github.server_url': 'https://github.example',
        'github.repository': 'owner/site',
        'github.run_id': String(site.nights),
        'runner.temp': temp,
      };
      if (!(expr in known)) throw new Error(`the workflow uses \${{ ${expr} }}, which this harness does not know`);
      return known[expr]!;
    });
  const base: NodeJS.ProcessEnv = {
    ...process.env,
    ...site.workflow.env,
    ...options.env,
    GITHUB_STEP_SUMMARY: summary,
    GITHUB_ENV: envFile,
    RUNNER_TEMP: temp,
    PATH: `${shims}${path.delimiter}${process.env.PATH}`,
    ANTHROPIC_BASE_URL: options.apiUrl,
    GH_STANDIN_DB: site.ghDb,
    GH_STANDIN_LOG: site.ghLog,
    NO_COLOR: '1',
    CI: 'true',
  };
  for (const key of ['ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN', 'FORCE_COLOR']) delete base[key];
  const result: NightResult = { dir, steps: [], failed: false, outputs, summary: '', runCode: '' };
  for (const step of site.workflow.steps) {
    if (!step.run || step.name === 'Install dependencies') continue;
    if (step.if !== undefined && step.if !== 'always()') throw new Error(`step "${step.name}": the harness runs only if: always() on run steps, not "${step.if}"`);
    if (result.failed && step.if !== 'always()') continue;
    await options.before?.[step.name ?? '']?.();
    const output = path.join(runner, `output-${result.steps.length}`);
    writeFileSync(output, '');
    const env = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, expression(String(v))]));
    const ran = await bash(expression(step.run), dir, { ...base, ...readPairs(envFile), ...env, GITHUB_OUTPUT: output });
    if (step.id) outputs[step.id] = readPairs(output);
    result.steps.push({ name: step.name ?? step.run.slice(0, 40), code: ran.code, output: ran.output });
    if (ran.code !== 0) result.failed = true;
  }
  result.summary = readFileSync(summary, 'utf8');
  result.runCode = outputs.run?.code ?? '';
  const upload = site.workflow.steps.find((s) => s.uses?.startsWith('actions/upload-artifact@') && s.with?.name === 'batchmatter-review');
  const page = upload?.with?.path ? expression(upload.with.path) : undefined;
  if (page && existsSync(page)) result.reviewPage = readFileSync(page, 'utf8');
  rmSync(runner, { recursive: true, force: true });
  return result;
}

/** One line per step, for an assertion's message. */
export const describeNight = (night: NightResult): string => night.steps.map((s) => `--- ${s.name}: exit ${s.code}\n${s.output.trim()}`).join('\n');

/** The default branch's files on the remote, by path (content files only). */
export function remoteFile(site: Site, file: string, ref = 'main'): string | undefined {
  try {
    return git(site.origin, 'show', `${ref}:${file}`);
  } catch {
    return undefined;
  }
}

export function remoteBranches(site: Site): string[] {
  return git(site.origin, 'for-each-ref', '--format=%(refname:short)', 'refs/heads').split('\n').filter(Boolean).sort();
}

/** A pre-receive hook on the remote refusing pushes to the default branch, as a protected branch does; `off` removes it. */
export function protectMain(site: Site, on = true): void {
  const hook = path.join(site.origin, 'hooks/pre-receive');
  if (!on) return rmSync(hook, { force: true });
  writeFileSync(hook, '#!/bin/sh\nwhile read old new ref; do\n  if [ "$ref" = refs/heads/main ]; then echo "GH006: Protected branch update failed for refs/heads/main." >&2; exit 1; fi\ndone\n');
  chmodSync(hook, 0o755);
}
