import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyExample, runCli } from './helpers/cli.js';

const git = (cwd: string, ...args: string[]): string =>
  execFileSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.com', ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

/** The example project as a git repository with everything committed (the state folder ignored, as init suggests). */
function repo(): string {
  const dir = copyExample();
  writeFileSync(path.join(dir, '.gitignore'), '.batchmatter/\n*.diff\n');
  git(dir, 'init', '--quiet', '--initial-branch=main');
  git(dir, 'add', '-A');
  git(dir, 'commit', '--quiet', '-m', 'site');
  return dir;
}

/** Every file git sees as changed, with its text. */
function changed(dir: string): Record<string, string> {
  const files = git(dir, 'diff', '--name-only').split('\n').filter(Boolean);
  return Object.fromEntries(files.map((f) => [f, readFileSync(path.join(dir, f), 'utf8')]));
}

/** Paths a command prints are relative to the folder it runs in: they paste back, and a saved diff applies with git from there. */
describe('paths you can paste', () => {
  it('a saved diff applies with git apply from the repository root, as apply would write it', async () => {
    const dir = repo();
    expect((await runCli(['run', '--offline'], dir)).code).toBe(0);
    const diff = await runCli(['diff', '--offline'], dir);
    expect(diff.code, diff.stderr).toBe(0);
    expect(diff.stdout).toMatch(/^\+\+\+ b\/examples\/blog\/posts\//m);
    writeFileSync(path.join(dir, 'answers.diff'), diff.stdout);
    git(dir, 'apply', '--check', 'answers.diff');
    git(dir, 'apply', 'answers.diff');
    const byGit = changed(dir);
    expect(Object.keys(byGit).length).toBeGreaterThan(5);

    git(dir, 'checkout', '--', '.');
    expect(changed(dir)).toEqual({});
    const apply = await runCli(['apply', '--offline'], dir);
    expect(apply.code, apply.stderr).toBe(0);
    expect(changed(dir)).toEqual(byGit);
  });

  it('from a subfolder: the diff applies with git apply there, and printed paths paste back into apply and plan', async () => {
    const dir = repo();
    const sub = path.join(dir, 'examples');
    expect((await runCli(['run', '--offline'], sub)).code).toBe(0);

    const diff = await runCli(['diff', '--offline'], sub);
    expect(diff.stdout).toMatch(/^\+\+\+ b\/blog\/posts\//m);
    expect(diff.stdout).not.toMatch(/^\+\+\+ b\/(examples|posts)\//m);
    writeFileSync(path.join(sub, 'answers.diff'), diff.stdout);
    git(sub, 'apply', '--check', 'answers.diff');

    // check names each file lacking its field; one of those lines, pasted, applies that file alone.
    const check = await runCli(['check', '--offline', '--task', 'description'], sub);
    expect(check.code).toBe(1);
    const first = /^(blog\/posts\/\S+) {2}description {2}/m.exec(check.stdout)?.[1];
    expect(first, check.stdout).toBeDefined();
    const apply = await runCli(['apply', '--offline', first!], sub);
    expect(apply.code, apply.stderr + apply.stdout).toBe(0);
    expect(apply.stdout).toMatch(/^applied 1 file\(s\)$/m);
    expect(Object.keys(changed(dir))).toEqual([`examples/${first}`]);
    expect((await runCli(['check', '--offline', '--task', 'description', first!], sub)).code).toBe(0);

    // A file plan --verbose lists is a path plan --prompts takes.
    expect((await runCli(['reject', '--offline', '--task', 'sentiment'], sub)).code).toBe(0);
    const verbose = await runCli(['plan', '--offline', '--verbose', '--task', 'sentiment'], sub);
    const listed = /^ {2}sentiment {2}(\S+)/m.exec(verbose.stdout)?.[1];
    expect(listed, verbose.stdout).toMatch(/^blog\/reviews\//);
    const prompts = await runCli(['plan', '--offline', '--prompts', listed!], sub);
    expect(prompts.code, prompts.stderr).toBe(0);
    expect(prompts.stdout).toContain(`--- sentiment: ${listed} (`);
  });

  it('from inside the content root, paths are relative to there too', async () => {
    const dir = repo();
    const posts = path.join(dir, 'examples/blog/posts');
    const config = ['--config', path.join(dir, 'batch.config.ts')];
    expect((await runCli(['run', '--offline', ...config, '.'], posts)).code).toBe(0);
    const diff = await runCli(['diff', '--offline', ...config], posts);
    expect(diff.stdout).toMatch(/^\+\+\+ b\/2024\//m);
    writeFileSync(path.join(posts, 'answers.diff'), diff.stdout);
    git(posts, 'apply', '--check', 'answers.diff');
  });
});
