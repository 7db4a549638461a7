import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyExample, runCli } from './helpers/cli.js';
import { git } from './helpers/workflow.js';

/**
 * `state pull` and `state push`: the state file on a branch only batchmatter
 * writes, in real repositories with a bare origin.
 */
function setup() {
  const dir = copyExample();
  const origin = `${dir}-origin.git`;
  git(path.dirname(dir), 'init', '--quiet', '--bare', '--initial-branch=main', origin);
  for (const args of [['init', '--quiet', '--initial-branch=main'], ['add', '-A'], ['-c', 'user.name=P', '-c', 'user.email=p@example.invalid', 'commit', '--quiet', '-m', 'site'], ['remote', 'add', 'origin', origin], ['push', '--quiet', 'origin', 'main']]) git(dir, ...args);
  const clone = (name: string) => {
    const other = `${dir}-${name}`;
    git(path.dirname(dir), 'clone', '--quiet', origin, other);
    return other;
  };
  const stateFile = (where: string) => path.join(where, '.batchmatter/state.json');
  const write = (where: string, savedAt: string, extra: Record<string, unknown> = {}) => {
    mkdirSync(path.dirname(stateFile(where)), { recursive: true });
    writeFileSync(stateFile(where), `${JSON.stringify({ version: 1, items: {}, jobs: {}, savedAt, ...extra })}\n`);
  };
  return { dir, origin, clone, stateFile, write };
}

describe('the state branch', () => {
  it('pull with no branch yet keeps the local state; push makes a branch of one commit holding it, other files kept', async () => {
    const { dir, origin, clone, stateFile, write } = setup();
    const none = await runCli(['state', 'pull'], dir);
    expect([none.code, none.stdout.trim()]).toEqual([0, 'no state on origin/batchmatter-state yet: starting without one']);
    write(dir, '2026-12-01T00:00:00.000Z');
    const pushed = await runCli(['state', 'push'], dir);
    expect(pushed.code, pushed.stderr).toBe(0);
    expect(pushed.stdout).toMatch(/^state pushed to origin\/batchmatter-state \([0-9a-f]{12}\)$/m);
    expect(git(origin, 'show', 'batchmatter-state:.batchmatter/state.json')).toBe(readFileSync(stateFile(dir), 'utf8').trim());
    expect((await runCli(['state', 'push'], dir)).stdout.trim()).toBe('state on origin/batchmatter-state is up to date');
    write(dir, '2026-12-02T00:00:00.000Z');
    expect((await runCli(['state', 'push'], dir)).code).toBe(0);
    expect(git(origin, 'rev-list', '--count', 'batchmatter-state')).toBe('1');
    expect(git(origin, 'log', '-1', '--format=%an <%ae>', 'batchmatter-state')).toBe('batchmatter[bot] <batchmatter@users.noreply.github.com>');
    // The content branch is untouched.
    expect(git(origin, 'ls-tree', '-r', '--name-only', 'main')).not.toMatch(/state\.json/);
    expect((await runCli(['state', 'path'], dir)).stdout.trim()).toBe('.batchmatter/state.json');

    // A second project in the repository (its own state file) shares the branch: both files stay on it.
    const second = clone('second');
    writeFileSync(path.join(second, 'batch.config.ts'), readFileSync(path.join(second, 'batch.config.ts'), 'utf8').replace("state: '.batchmatter/state.json'", "state: '.batchmatter/blog2.json'"));
    const pulled = await runCli(['state', 'pull'], second);
    expect(pulled.stdout.trim()).toBe('no state on origin/batchmatter-state yet (no .batchmatter/blog2.json there): starting without one');
    mkdirSync(path.join(second, '.batchmatter'), { recursive: true });
    writeFileSync(path.join(second, '.batchmatter/blog2.json'), JSON.stringify({ version: 1, items: {}, jobs: {} }));
    expect((await runCli(['state', 'push'], second)).code).toBe(0);
    expect(git(origin, 'ls-tree', '-r', '--name-only', 'batchmatter-state').split('\n').sort()).toEqual(['.batchmatter/blog2.json', '.batchmatter/state.json']);
  });

  it('pull restores the branch\'s state; a newer local one is kept unless --force, which keeps the old as .prev', async () => {
    const { dir, clone, stateFile, write } = setup();
    write(dir, '2026-12-01T00:00:00.000Z', { items: { 'description:a.md': { status: 'submitted' } } });
    expect((await runCli(['state', 'push'], dir)).code).toBe(0);
    const runner = clone('runner');
    const restored = await runCli(['state', 'pull'], runner);
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stdout).toMatch(/^state restored from origin\/batchmatter-state \([0-9a-f]{12}, written 2026-12-01T00:00:00\.000Z\)$/m);
    expect(readFileSync(stateFile(runner), 'utf8')).toBe(readFileSync(stateFile(dir), 'utf8'));

    const laptop = clone('laptop');
    write(laptop, '2026-12-05T00:00:00.000Z');
    const refused = await runCli(['state', 'pull'], laptop);
    expect([refused.code, refused.stderr.trim()]).toEqual([2, 'batchmatter: state: the local state file (written 2026-12-05T00:00:00.000Z) is newer than the one on origin/batchmatter-state (2026-12-01T00:00:00.000Z); push it ("batchmatter state push"), or pass --force to replace it']);
    const mine = readFileSync(stateFile(laptop), 'utf8');
    expect((await runCli(['state', 'pull', '--force'], laptop)).code).toBe(0);
    expect(readFileSync(`${stateFile(laptop)}.prev`, 'utf8')).toBe(mine);
    // An older local copy (a state once committed with the content) is simply replaced.
    const legacy = clone('legacy');
    write(legacy, '2026-11-01T00:00:00.000Z');
    expect((await runCli(['state', 'pull'], legacy)).code).toBe(0);
    expect(JSON.parse(readFileSync(stateFile(legacy), 'utf8')).savedAt).toBe('2026-12-01T00:00:00.000Z');
  });

  it('never overwrites a branch someone else wrote since this state was read, nor one it was not read from', async () => {
    const { dir, origin, clone, write } = setup();
    write(dir, '2026-12-01T00:00:00.000Z');
    expect((await runCli(['state', 'push'], dir)).code).toBe(0);
    const a = clone('a');
    const b = clone('b');
    expect((await runCli(['state', 'pull'], a)).code).toBe(0);
    expect((await runCli(['state', 'pull'], b)).code).toBe(0);
    write(a, '2026-12-02T00:00:00.000Z');
    expect((await runCli(['state', 'push'], a)).code).toBe(0);
    const tip = git(origin, 'rev-parse', 'batchmatter-state');
    write(b, '2026-12-03T00:00:00.000Z');
    const lost = await runCli(['state', 'push'], b);
    expect(lost.code).toBe(2);
    expect(lost.stderr).toMatch(/^batchmatter: state: the branch batchmatter-state changed on origin since this run read it \(another run, or a person\), so it was not overwritten/);
    expect(git(origin, 'rev-parse', 'batchmatter-state')).toBe(tip);
    // A state never pulled from the branch does not replace it unless told to.
    const stranger = clone('stranger');
    write(stranger, '2026-12-04T00:00:00.000Z');
    const refused = await runCli(['state', 'push'], stranger);
    expect([refused.code, refused.stderr.trim()]).toEqual([2, 'batchmatter: state: origin/batchmatter-state holds a state this one was not pulled from; run "batchmatter state pull" first, or pass --force to replace it']);
    expect((await runCli(['state', 'push', '--force'], stranger)).code).toBe(0);
  });

  it('says so when the remote refuses the state branch (protected), and when the state file is not one', async () => {
    const { dir, origin, stateFile, write } = setup();
    writeFileSync(path.join(origin, 'hooks/pre-receive'), '#!/bin/sh\necho "GH006: Protected branch update failed for refs/heads/batchmatter-state." >&2\nexit 1\n');
    chmodSync(path.join(origin, 'hooks/pre-receive'), 0o755);
    write(dir, '2026-12-01T00:00:00.000Z');
    const refused = await runCli(['state', 'push'], dir);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^batchmatter: state: origin refused the push to batchmatter-state \(is the branch protected\? Only batchmatter writes it; leave it unprotected\)/);
    writeFileSync(stateFile(dir), '{"not": "a state"}');
    const bad = await runCli(['state', 'push'], dir);
    expect(bad.stderr.trim()).toMatch(/^batchmatter: state: .*state\.json is not a state file: version is undefined/);
    expect(existsSync(path.join(dir, '.batchmatter/state.json.lock'))).toBe(false);
  });
});
