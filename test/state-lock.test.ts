import { fork } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { build } from 'esbuild';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ExitCode } from '../src/errors.js';
import { createLog } from '../src/io/log.js';
import { lockState } from '../src/io/state-lock.js';
import { testdir } from './helpers/testdir.js';

/** A pid no process has: Linux's are below 2^22. */
const DEAD = 2 ** 22 + 12345;
const SINCE = '2026-11-25T00:00:00.000Z';

function setup() {
  const dir = testdir({ 'state.json': '{}' });
  const warnings: string[] = [];
  const log = createLog({ write: (line) => warnings.push(line) });
  return { dir, state: path.join(dir, 'state.json'), lock: path.join(dir, 'state.json.lock'), warnings, log };
}

function backdate(file: string, ms: number): void {
  const then = new Date(Date.now() - ms);
  utimesSync(file, then, then);
}

/** A lock or takeover claim as this version makes them: a directory with its holder inside. */
function holding(dir: string, holder: { pid: number; host?: string; token: string }, ageMs = 0): void {
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'holder.json'), JSON.stringify({ host: hostname(), since: SINCE, ...holder }));
  if (ageMs) backdate(dir, ageMs);
}

const token = (lock: string) => (JSON.parse(readFileSync(path.join(lock, 'holder.json'), 'utf8')) as { token: string }).token;

describe('the state file lock', () => {
  it('refuses a second holder while the first is alive, and is free again once released', async () => {
    const { state, log } = setup();
    const release = await lockState(state, log);
    await expect(lockState(state, log)).rejects.toThrow(new RegExp(`in use by process ${process.pid} on ${hostname()}`));
    await release();
    await (await lockState(state, log))();
  });

  it('takes over at once a lock whose process is gone', async () => {
    const { dir, state, lock, warnings, log } = setup();
    holding(lock, { pid: DEAD, token: `${DEAD}-gone` });
    const release = await lockState(state, log);
    expect(warnings.join('\n')).toMatch(new RegExp(`taking over the lock left by process ${DEAD}, which is gone`));
    await release();
    expect(readdirSync(dir)).toEqual(['state.json']);
  });

  it('takes over at once a lock of the version before whose process is gone (its holder file beside it)', async () => {
    const { dir, state, lock, warnings, log } = setup();
    mkdirSync(lock);
    writeFileSync(`${lock}.json`, JSON.stringify({ pid: DEAD, host: hostname(), since: SINCE }));
    const release = await lockState(state, log);
    expect(warnings.join('\n')).toMatch(/taking over the lock left by process \d+, which is gone/);
    await release();
    expect(readdirSync(dir)).toEqual(['state.json']);
  });

  it('refuses a lock of the version before whose process is alive', async () => {
    const { state, lock, log } = setup();
    mkdirSync(lock);
    backdate(lock, 5_000);
    writeFileSync(`${lock}.json`, JSON.stringify({ pid: process.pid, host: hostname(), since: SINCE }));
    await expect(lockState(state, log)).rejects.toMatchObject({ exitCode: ExitCode.inFlight, message: expect.stringMatching(`in use by process ${process.pid}`) });
  });

  it('takes over a lock whose process was killed before it could say who it was, not one still being made', async () => {
    const { state, lock, warnings, log } = setup();
    mkdirSync(lock);
    await expect(lockState(state, log)).rejects.toMatchObject({ exitCode: ExitCode.inFlight, message: expect.stringMatching('in use by another process') });
    backdate(lock, 5_000);
    const release = await lockState(state, log);
    expect(warnings.join('\n')).toMatch(/taking over a lock whose process was killed while taking it/);
    await release();
  });

  it('takes over a lock held on another host only once it has not been refreshed for 30 s', async () => {
    const { state, lock, warnings, log } = setup();
    holding(lock, { pid: 1, host: 'elsewhere.invalid', token: '1-elsewhere' }, 20_000);
    await expect(lockState(state, log)).rejects.toMatchObject({ exitCode: ExitCode.inFlight, message: expect.stringMatching('in use by process 1 on elsewhere.invalid') });
    backdate(lock, 31_000);
    const release = await lockState(state, log);
    expect(warnings.join('\n')).toMatch(/taking over the lock left by process 1 on elsewhere.invalid, not refreshed for 31 s/);
    await release();
  });

  it('is not blocked by a takeover its maker left unfinished, and clears it', async () => {
    const { dir, state, lock, log } = setup();
    holding(lock, { pid: DEAD, token: 'T' });
    holding(`${lock}.takeover-T`, { pid: DEAD + 1, token: 'Y' });
    holding(`${lock}.takeover-T.Y`, { pid: DEAD + 2, token: 'Z' });
    const release = await lockState(state, log);
    expect(readdirSync(dir).sort()).toEqual(['state.json', 'state.json.lock']);
    await release();
  });

  it('leaves a lock alone while a live process is taking it over', async () => {
    const { state, lock, log } = setup();
    holding(lock, { pid: DEAD, token: 'T' });
    holding(`${lock}.takeover-T`, { pid: process.pid, token: 'Y' });
    await expect(lockState(state, log)).rejects.toMatchObject({ exitCode: ExitCode.inFlight, message: expect.stringMatching(`in use by process ${process.pid}`) });
    expect(token(lock)).toBe('T');
  });

  describe('while held', () => {
    afterEach(() => void vi.useRealTimers());

    it('refreshes the lock, so that another host can tell its process is alive', async () => {
      vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
      const { state, lock, log } = setup();
      const release = await lockState(state, log);
      backdate(lock, 20_000);
      vi.advanceTimersByTime(10_000);
      await vi.waitFor(() => expect(Date.now() - statSync(lock).mtimeMs).toBeLessThan(5_000));
      await release();
    });

    it('says when the lock was taken over, and does not remove the new holder\'s on release', async () => {
      vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
      const { dir, state, lock, warnings, log } = setup();
      const release = await lockState(state, log);
      renameSync(lock, path.join(dir, 'old'));
      holding(lock, { pid: 1, host: 'elsewhere.invalid', token: 'theirs' });
      vi.advanceTimersByTime(10_000);
      await vi.waitFor(() => expect(warnings.join('\n')).toMatch(/the lock on the state file was lost \(process 1 on elsewhere.invalid took it over\)/));
      await release();
      expect(token(lock)).toBe('theirs');
    });
  });
});

/**
 * Contenders in other threads and processes, so that the interleavings are real ones. Each loads a bundle of
 * the module (the tests do not build), runs lockState on the state file it is sent, answers whether it got
 * the lock, and releases it when told.
 */
const CONTENDER = `
import { parentPort } from 'node:worker_threads';
import { lockState } from './src/io/state-lock.js';
const send = (m: unknown) => (parentPort ? parentPort.postMessage(m) : process.send!(m));
const log = { warn() {}, info() {}, error() {}, debug() {}, status() {}, color: false };
let release: (() => Promise<void>) | undefined;
const receive = async (m: { state?: string }) => {
  if (!m.state) {
    await release?.();
    release = undefined;
    return send({});
  }
  try {
    release = await lockState(m.state, log);
    send({ won: true });
  } catch (error) {
    send({ won: false, message: String((error as Error).message), exitCode: (error as { exitCode?: number }).exitCode });
  }
};
if (parentPort) parentPort.on('message', receive);
else process.on('message', receive);
send({});
`;

interface Outcome {
  won: boolean;
  message?: string;
  exitCode?: number;
}

interface Contender {
  ready: Promise<unknown>;
  take(state: string): Promise<Outcome>;
  release(): Promise<unknown>;
  close(): unknown;
}

function contender(channel: { send(m: unknown): void; on(event: string, listener: (m: unknown) => void): unknown }, close: () => unknown): Contender {
  const waiting: { resolve(m: unknown): void; reject(e: unknown): void }[] = [];
  channel.on('message', (m) => waiting.shift()?.resolve(m));
  channel.on('error', (e) => waiting.splice(0).forEach((w) => w.reject(e)));
  const ask = <T>(message?: unknown) =>
    new Promise<T>((resolve, reject) => {
      waiting.push({ resolve: resolve as (m: unknown) => void, reject });
      if (message) channel.send(message);
    });
  return { ready: ask(), take: (state) => ask<Outcome>({ state }), release: () => ask({}), close };
}

/** Locks as a process that is gone leaves them, each way the takeover is decided. */
const LEFT: Record<string, (lock: string) => void> = {
  'by a dead process on this host': (lock) => holding(lock, { pid: DEAD, token: `${DEAD}-gone` }),
  // Also the one the version before understands: it reads the holder beside the lock.
  'by a dead process of the version before': (lock) => {
    mkdirSync(lock);
    writeFileSync(`${lock}.json`, JSON.stringify({ pid: DEAD, host: hostname(), since: SINCE }));
  },
  'on another host, not refreshed for a minute': (lock) => holding(lock, { pid: 1, host: 'elsewhere.invalid', token: '1-elsewhere' }, 60_000),
  'without a holder, for a minute': (lock) => {
    mkdirSync(lock);
    backdate(lock, 60_000);
  },
};

describe('many processes racing to take over the same stale lock', () => {
  const ROUNDS = 4;
  const IN_PROCESS = 12;
  let others: Contender[] = [];

  beforeAll(async () => {
    const bundle = path.join(testdir({}), 'contender.cjs');
    const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
    await build({ stdin: { contents: CONTENDER, resolveDir: root, loader: 'ts' }, bundle: true, platform: 'node', format: 'cjs', outfile: bundle, logLevel: 'silent' });
    const threads = Array.from({ length: 4 }, () => {
      const worker = new Worker(bundle);
      return contender({ send: (m) => worker.postMessage(m), on: (e, l) => worker.on(e, l) }, () => worker.terminate());
    });
    const processes = Array.from({ length: 3 }, () => {
      const child = fork(bundle, [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
      return contender({ send: (m) => child.send(m as never), on: (e, l) => child.on(e, l) }, () => child.kill());
    });
    others = [...threads, ...processes];
    await Promise.all(others.map((o) => o.ready));
  });

  afterAll(() => Promise.all(others.map((o) => o.close())));

  it.each(Object.keys(LEFT))('lets exactly one take over a lock left %s; the others are told it is in use', async (how) => {
    for (let round = 0; round < ROUNDS; round++) {
      const { dir, state, lock, log } = setup();
      LEFT[how]!(lock);
      const releases: (() => Promise<unknown>)[] = [];
      const outcomes = await Promise.all([
        ...others.map(async (o) => {
          const outcome = await o.take(state);
          if (outcome.won) releases.push(() => o.release());
          return outcome;
        }),
        ...Array.from({ length: IN_PROCESS }, () =>
          lockState(state, log).then(
            (release): Outcome => (releases.push(release), { won: true }),
            (error: { message: string; exitCode?: number }): Outcome => ({ won: false, message: error.message, exitCode: error.exitCode }),
          ),
        ),
      ]);
      await Promise.all(releases.map((release) => release()));
      expect(outcomes.filter((o) => o.won), `round ${round}`).toHaveLength(1);
      for (const o of outcomes.filter((o) => !o.won)) expect(o, `round ${round}`).toMatchObject({ exitCode: ExitCode.inFlight, message: expect.stringMatching(/is in use by/) });
      // No claims, staging or discarded directories pile up beside the state file.
      expect(readdirSync(dir), `round ${round}`).toEqual(['state.json']);
      expect(existsSync(lock)).toBe(false);
    }
  });
});
