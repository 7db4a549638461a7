import { existsSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLog } from '../src/io/log.js';
import { lockState } from '../src/io/state-lock.js';
import { testdir } from './helpers/testdir.js';

function setup() {
  const dir = testdir({ 'state.json': '{}' });
  const warnings: string[] = [];
  const log = createLog({ write: (line) => warnings.push(line) });
  return { state: path.join(dir, 'state.json'), lock: path.join(dir, 'state.json.lock'), warnings, log };
}

describe('the state file lock', () => {
  it('refuses a second holder while the first is alive, and is free again once released', async () => {
    const { state, log } = setup();
    const release = await lockState(state, log);
    await expect(lockState(state, log)).rejects.toThrow(new RegExp(`in use by process ${process.pid} on ${hostname()}`));
    await release();
    await (await lockState(state, log))();
  });

  it('takes over at once a lock whose process is gone', async () => {
    const { state, lock, warnings, log } = setup();
    mkdirSync(lock);
    writeFileSync(`${lock}.json`, JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), since: '2026-11-25T00:00:00.000Z' }));
    const release = await lockState(state, log);
    expect(warnings.join('\n')).toMatch(/taking over the lock left by process \d+, which is gone/);
    await release();
    expect(existsSync(lock)).toBe(false);
  });

  it('takes over a lock whose process was killed before it could say who it was', async () => {
    const { state, lock, warnings, log } = setup();
    mkdirSync(lock);
    const old = new Date(Date.now() - 5_000);
    utimesSync(lock, old, old);
    const release = await lockState(state, log);
    expect(warnings.join('\n')).toMatch(/taking over a lock whose process was killed while taking it/);
    await release();
  });
});
