import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../src/emulator/index.js';
import { parseFrontMatter } from '../src/frontmatter/read.js';
import { copyExample, repoRoot, runCli, spawnCli } from './helpers/cli.js';
import { drivenClock, inProcess } from './helpers/inprocess.js';
import { closedPort } from './helpers/emulator.js';

const fastPolls = (config: string) => config.replace("pollInterval: '30s'", "pollInterval: '100ms'");
let emulator: RunningEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

async function batches(url: string) {
  const client = new Anthropic({ apiKey: 'test', baseURL: url, maxRetries: 0 });
  const all = [];
  for await (const b of client.messages.batches.list({ limit: 100 })) all.push(b);
  return all;
}


/** The state of real answers, or of the emulator's (`state.offline.json`, from --offline commands). */
function readState(dir: string, file = 'state.json') {
  return JSON.parse(readFileSync(path.join(dir, '.batchmatter', file), 'utf8'));
}

describe('against a separate API-compatible server (ANTHROPIC_BASE_URL)', () => {
  it('kill -9 after submit: sync collects the same batch, no second batch is created', async () => {
    // The emulator's clock is the test's: the batch runs until the test moves it on, however slow the machine.
    let clock = Date.now();
    emulator = await startEmulator({ batchDurationMs: 2500, now: () => clock });
    const dir = copyExample(fastPolls);
    const env = { ANTHROPIC_BASE_URL: emulator.url, ANTHROPIC_API_KEY: 'test-key' };
    const child = spawnCli(['run'], dir, env);
    // Wait until the batch id is durably recorded, then kill without warning.
    const deadline = Date.now() + 20_000;
    let batchId: string | undefined;
    while (!batchId && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      try {
        batchId = Object.values(readState(dir).jobs as Record<string, { batchId?: string }>).find((j) => j.batchId)?.batchId;
      } catch {
        /* not written yet */
      }
    }
    expect(batchId).toMatch(/^msgbatch_/);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));

    clock += 2600;
    const sync = await runCli(['sync'], dir, env);
    expect(sync.code, sync.stderr + sync.stdout).toBe(0);
    expect(sync.stdout).toMatch(/1 ended/);
    expect(sync.stderr).toMatch(/taking over the lock left by process \d+, which is gone/);
    expect((await batches(emulator.url)).map((b) => b.id)).toEqual([batchId]);
    const state = readState(dir);
    const items = Object.values(state.items as Record<string, { status: string }>);
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((i) => i.status === 'succeeded')).toBe(true);
  });

  it('retries only the failed requests, in a new smaller batch, and then succeeds', async () => {
    const clock = drivenClock();
    emulator = await startEmulator({ batchDurationMs: 200, now: clock.ms, faults: { rules: [{ promptIncludes: '<review>', outcome: 'errored', errorType: 'overloaded_error', times: 3 }] } });
    const dir = copyExample(fastPolls);
    const lib = inProcess(dir, { ANTHROPIC_BASE_URL: emulator.url, ANTHROPIC_API_KEY: 'test-key' }, clock);
    const run = await lib(['run', '--apply']);
    expect(run.code, run.stderr + run.stdout).toBe(0);
    const list = (await batches(emulator.url)).reverse();
    const first = list[0]!;
    const total = (b: typeof first) => b.request_counts.succeeded + b.request_counts.errored + b.request_counts.expired + b.request_counts.canceled;
    expect(first.request_counts.errored).toBe(3);
    // 3 retries go through the synchronous API (fewer than syncBelow), so no second batch is needed.
    expect(list).toHaveLength(1);
    expect(total(first)).toBeGreaterThan(3);
    const items = Object.values(readState(dir).items as Record<string, { status: string; attempts: number }>);
    expect(items.every((i) => i.status === 'applied')).toBe(true);
    expect(items.filter((i) => i.attempts === 2)).toHaveLength(3);
  });

  it('an answer that never validates is reported per file and never written; exit 1', async () => {
    const clock = drivenClock();
    emulator = await startEmulator({
      batchDurationMs: 100,
      now: clock.ms,
      faults: { rules: [{ promptIncludes: 'Path: posts/2024/', outcome: 'text', text: 'In this article we discuss many things.' }] },
    });
    const dir = copyExample(fastPolls);
    const lib = inProcess(dir, { ANTHROPIC_BASE_URL: emulator.url, ANTHROPIC_API_KEY: 'test-key' }, clock);
    const run = await lib(['run', '--apply']);
    expect(run.code, run.stderr).toBe(1);
    // Files failing for the same reason share one line, with their count (every one is in --json's data).
    expect(run.stdout).toMatch(/failed permanently:\n {2}\d+ files: [^\n]*must not start with "In this article": examples\/blog\/posts\/2024\/\S+, examples\/blog\/posts\/2024\/\S+, examples\/blog\/posts\/2024\/\S+ and \d+ more\n/);
    const state = readState(dir);
    const failed = Object.values(state.items as Record<string, { file: string; status: string; attempts: number }>).filter((i) => i.status === 'failed');
    expect(failed.length).toBeGreaterThan(0);
    for (const item of failed) {
      expect(item.attempts).toBe(3); // first try + maxRetries (2)
      expect(readFileSync(path.join(dir, 'examples/blog', item.file), 'utf8')).not.toMatch(/In this article we discuss/);
    }
  });
});

describe('a results download that stalls', () => {
  it('is dropped after batch.stallTimeout and downloaded again; every result is stored once', async () => {
    emulator = await startEmulator({ batchDurationMs: 200 });
    const upstream = new URL(emulator.url);
    let stalled = 0;
    // A proxy that, the first time results are asked for, sends the headers and one line, then nothing.
    const proxy = createHttpServer((req, res) => {
      const forward = httpRequest({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
        if (/\/results$/.test(req.url ?? '') && stalled++ === 0) {
          res.writeHead(answer.statusCode ?? 200, answer.headers);
          answer.once('data', (chunk: Buffer) => res.write(chunk.subarray(0, chunk.indexOf(10) + 1)));
          return; // never ends
        }
        res.writeHead(answer.statusCode ?? 200, answer.headers);
        answer.pipe(res);
      });
      req.pipe(forward);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      const dir = copyExample((c) => fastPolls(c).replace('maxRetries: 2,', "maxRetries: 2, stallTimeout: '1s',"));
      const env = { ANTHROPIC_BASE_URL: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, ANTHROPIC_API_KEY: 'test-key' };
      const run = await runCli(['run'], dir, env);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toMatch(/reading results was interrupted \(no data for 1 s\); the next sync downloads them again/);
      expect(stalled).toBe(2);
      const items = Object.values(readState(dir).items as Record<string, { status: string; attempts: number }>);
      expect(items).toHaveLength(32);
      expect(items.every((i) => i.status === 'succeeded' && i.attempts === 1)).toBe(true);
      expect(await batches(emulator.url)).toHaveLength(1);
    } finally {
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy.close(resolve));
    }
  });
});

describe('a create() whose answer is lost', () => {
  it('finds its batch among recent ones, rejects a look-alike by its custom_ids, and never submits twice', async () => {
    const clock = drivenClock();
    emulator = await startEmulator({ batchDurationMs: 200, now: clock.ms });
    const upstream = new URL(emulator.url);
    let lose = true;
    // The server creates the batch; the answer never reaches the client.
    const proxy = createHttpServer((req, res) => {
      const forward = httpRequest({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
        if (lose && req.method === 'POST' && req.url === '/v1/messages/batches') {
          lose = false;
          answer.resume();
          answer.once('end', () => res.destroy());
          return;
        }
        res.writeHead(answer.statusCode ?? 200, answer.headers);
        answer.pipe(res);
      });
      req.pipe(forward);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      const dir = copyExample(fastPolls);
      const lib = inProcess(dir, { ANTHROPIC_BASE_URL: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, ANTHROPIC_API_KEY: 'test-key' }, clock);
      const submit = await lib(['submit']);
      expect(submit.code, submit.stderr).toBe(3);
      expect(submit.stderr).toMatch(/batch create did not answer/);
      // Someone else's batch of the same size, created later: list() shows it first.
      const client = new Anthropic({ apiKey: 'test', baseURL: emulator.url, maxRetries: 0 });
      const decoy = await client.messages.batches.create({
        requests: Array.from({ length: 32 }, (_, i) => ({ custom_id: `other_${i}`, params: { model: 'claude-haiku-4-5', max_tokens: 50, messages: [{ role: 'user', content: 'Say hi.' }] } })),
      });
      let last = await lib(['sync']);
      for (let i = 0; i < 6 && last.code !== 0; i++) {
        clock.advance(250);
        last = await lib(['sync']);
      }
      expect(last.code, last.stderr + last.stdout).toBe(0);
      const all = await batches(emulator.url);
      expect(all).toHaveLength(2); // ours (created once) and the decoy
      const job = Object.values(readState(dir).jobs as Record<string, { batchId?: string; notMine?: string[] }>)[0]!;
      expect(job.notMine).toEqual([decoy.id]);
      expect(job.batchId).toBe(all.find((b) => b.id !== decoy.id)!.id);
      const items = Object.values(readState(dir).items as Record<string, { status: string; attempts: number }>);
      expect(items).toHaveLength(32);
      expect(items.every((i) => i.status === 'succeeded' && i.attempts === 1)).toBe(true);
    } finally {
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy.close(resolve));
    }
  });
});

describe('repairs and re-asking', () => {
  it('repairs a labelled, quoted answer and re-asks a refused one with the reason', async () => {
    const clock = drivenClock();
    emulator = await startEmulator({
      batchDurationMs: 100,
      now: clock.ms,
      faults: {
        rules: [
          { promptIncludes: '<previous_answer>', outcome: 'text', text: 'A re-asked description that follows every rule of the task.' },
          { promptIncludes: 'Path: posts/2024/release-notes.md', outcome: 'text', text: 'In this article we discuss the releases of the year.' },
          { promptIncludes: 'Path: posts/2025/release-notes.md', outcome: 'text', text: 'Meta description: "Lumen 3.0 and four minor releases, focused on build speed."' },
        ],
      },
    });
    const dir = copyExample(fastPolls);
    const lib = inProcess(dir, { ANTHROPIC_BASE_URL: emulator.url, ANTHROPIC_API_KEY: 'test-key' }, clock);
    const run = await lib(['run']);
    expect(run.code, run.stderr + run.stdout).toBe(0);
    const diff = await lib(['diff']);
    expect(diff.stdout).toMatch(/repaired before validation \(worth a look\):\n(?: {2}.*\n)* {2}examples\/blog\/posts\/2025\/release-notes\.md {2}description {2}removed the label "Meta description:"/);
    expect(diff.stdout).toMatch(/posts\/2025\/release-notes\.md {2}description {2}removed the quotes around the answer/);
    expect((await lib(['apply'])).code).toBe(0);
    const read = (rel: string) => parseFrontMatter(readFileSync(path.join(dir, 'examples/blog', rel), 'utf8')).data.description;
    expect(read('posts/2025/release-notes.md')).toBe('Lumen 3.0 and four minor releases, focused on build speed.');
    expect(read('posts/2024/release-notes.md')).toBe('A re-asked description that follows every rule of the task.');
    const item = readState(dir).items['description:posts/2024/release-notes.md'];
    expect(item.attempts).toBe(2);
    expect(item.rejected).toBeUndefined();
  });
});

describe('exit codes and user errors', () => {
  it('2 with path: message for a bad config, no stack', async () => {
    const dir = copyExample((c) => c.replace("maxRetries: 2", "maxRetries: 2, maxRetrys: 3"));
    const result = await runCli(['plan'], dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/batch\.maxRetrys: unknown key/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('2 naming content.root when it is missing or a file (as init leaves a new project), for plan, check and diff', async () => {
    const dir = copyExample((c) => c.replace("root: 'examples/blog'", "root: 'content'"));
    for (const command of ['plan', 'check', 'diff']) {
      const result = await runCli([command, '--offline'], dir);
      expect([result.code, result.stderr.trim()]).toEqual([2, 'batchmatter: content.root: content (relative to batch.config.ts) does not exist; set content.root to the folder that holds your posts']);
    }
    writeFileSync(path.join(dir, 'content'), 'a file');
    expect((await runCli(['plan', '--offline'], dir)).stderr).toMatch(/content\.root: content \(relative to batch\.config\.ts\) is a file, not a folder/);
  });

  it('a reader that closes the pipe early (| head) ends the output quietly, not with an EPIPE stack', async () => {
    const dir = copyExample();
    const child = spawnCli(['plan', '--offline', '--json'], dir);
    // Closed before the plan is done, so its one write of the result meets a pipe with no reader.
    child.stdout!.destroy();
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect([code, stderr]).toEqual([0, '']);
  });

  it('2 with a one-line hint when no key is set and --offline is not given', async () => {
    const dir = copyExample();
    const result = await runCli(['submit'], dir);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe('batchmatter: ANTHROPIC_API_KEY is not set. Set it, or pass --offline to use the embedded emulator.');
  });

  it('2 for an unknown command or option', async () => {
    const dir = copyExample();
    expect((await runCli(['frobnicate'], dir)).code).toBe(2);
    const bad = await runCli(['plan', '--ofline'], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe('batchmatter: unknown option --ofline; did you mean --offline?');
    expect((await runCli(['run', '--limt', '3'], dir)).stderr.trim()).toBe('batchmatter: unknown option --limt; did you mean --limit?');
    expect((await runCli(['plna'], dir)).stderr.trim()).toBe('batchmatter: unknown command "plna"; did you mean "plan"?; run "batchmatter --help"');
    // A short flag it does not know, and an argument where none is taken, are errors too, not ignored.
    const short = await runCli(['plan', '--offline', '-x'], dir);
    expect([short.code, short.stderr.trim()]).toEqual([2, 'batchmatter: unknown option -x']);
    const stray = await runCli(['status', 'batch.config.ts'], dir);
    expect([stray.code, stray.stderr.trim()]).toEqual([2, 'batchmatter: unexpected argument "batch.config.ts"; options start with --']);
    // plan takes paths, but only inside the content tree.
    const outside = await runCli(['plan', '--offline', 'batch.config.ts'], dir);
    expect([outside.code, outside.stderr.trim()]).toEqual([2, 'batchmatter: "batch.config.ts" is outside the content root (examples/blog); name files or folders inside it']);
    // Values of string options are not arguments: -c and --format take the next one.
    expect((await runCli(['plan', '--offline', '-c', 'batch.config.ts', '--json'], dir)).code).toBe(0);
    expect((await runCli(['diff', '--offline', '--format', 'json', '--config=batch.config.ts'], dir)).code).toBe(0);
    expect((await runCli(['report', '--offline', 'sentiment', 'extra'], dir)).stderr).toMatch(/unexpected argument "extra"/);
    // An option where a value should be is no value; and with --json, usage errors are JSON too.
    expect((await runCli(['init', '--ci', '--cwd', dir], dir)).stderr.trim()).toBe('batchmatter: --ci needs a value');
    for (const args of [['plan', '--json', '--bogus'], ['bogus', '--json'], ['report', '--json']]) {
      const result = await runCli(args, dir);
      expect([result.code, JSON.parse(result.stdout).exitCode]).toEqual([2, 2]);
    }
  });

  it('--version, and help that names the command, says each default once, and is plain when piped', async () => {
    const dir = copyExample();
    const version = await runCli(['--version'], dir);
    expect([version.code, version.stdout.trim()]).toEqual([0, JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).version]);
    const help = await runCli(['diff', '--help'], dir);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^USAGE batchmatter diff \[OPTIONS\] \[PATHS\]$/m);
    expect(help.stdout).toMatch(/--format=<format> +unified, markdown, json, html \(Default: unified\)/);
    expect(help.stdout).not.toMatch(/\x1b\[/); // piped: no colour codes
    expect(help.stdout).not.toContain(repoRoot);
  });

  it('3 when --max-wait elapses with work in flight; the next sync finishes it', async () => {
    const clock = drivenClock();
    emulator = await startEmulator({ batchDurationMs: 1500, now: clock.ms });
    const dir = copyExample(fastPolls);
    const lib = inProcess(dir, { ANTHROPIC_BASE_URL: emulator.url, ANTHROPIC_API_KEY: 'test-key' }, clock);
    const run = await lib(['run', '--max-wait', '0']);
    expect(run.code, run.stderr).toBe(3);
    expect(run.stdout).toMatch(/still in flight/);
    clock.advance(1600); // the batch ends
    const sync = await lib(['sync']);
    expect(sync.code, sync.stderr).toBe(0);
    expect(await batches(emulator.url)).toHaveLength(1);
  });

  it('a 401 while downloading results stops the run at once (exit 2), as one on polling does; the batch stays to collect', async () => {
    emulator = await startEmulator({ batchDurationMs: 200, faults: { rules: [{ endpoint: 'results', outcome: 'http_error', status: 401, errorType: 'authentication_error' }] } });
    const dir = copyExample(fastPolls);
    const env = { ANTHROPIC_BASE_URL: emulator.url, ANTHROPIC_API_KEY: 'test-key' };
    const run = await runCli(['run', '--max-wait', '20s'], dir, env);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/the API rejected the key/);
    expect(run.stderr.match(/authentication_error/g) ?? []).toHaveLength(1);
    expect(Object.values(JSON.parse(readFileSync(path.join(dir, '.batchmatter/state.json'), 'utf8')).jobs as Record<string, { status: string }>).map((j) => j.status)).toEqual(['ended']);
  });

  it('cancel finds and stops a batch whose create never answered, instead of saying none is in flight', async () => {
    emulator = await startEmulator({ batchDurationMs: 60_000, faults: { rules: [{ endpoint: 'create', outcome: 'disconnect', times: 1 }] } });
    const dir = copyExample(fastPolls);
    const env = { ANTHROPIC_BASE_URL: emulator.url, ANTHROPIC_API_KEY: 'test-key' };
    expect((await runCli(['submit'], dir, env)).code).toBe(3);
    const cancel = await runCli(['cancel'], dir, env);
    expect(cancel.code, cancel.stderr).toBe(0);
    expect(cancel.stdout).toMatch(/^canceling msgbatch_\w+; run "batchmatter sync" to collect what finished$/m);
    const [batch] = await batches(emulator.url);
    expect(batch!.processing_status === 'canceling' || batch!.processing_status === 'ended').toBe(true);
  });

  it('the API key never reaches the state file, logs or output, even when the server fails', async () => {
    const key = 'bm-test-key-never-print-me-0123456789';
    emulator = await startEmulator({ batchDurationMs: 200, faults: { rules: [{ promptIncludes: '<review>', outcome: 'http_error', status: 401, errorType: 'authentication_error' }] } });
    const dir = copyExample(fastPolls);
    const run = await runCli(['run', '--verbose'], dir, { ANTHROPIC_BASE_URL: emulator.url, ANTHROPIC_API_KEY: key });
    const refused = await runCli(['submit', '--verbose'], dir, { ANTHROPIC_BASE_URL: `http://127.0.0.1:${await closedPort()}`, ANTHROPIC_API_KEY: key });
    // Nothing reached a server: exit 4 (a person must look at the network), and nothing is left in flight: the requests
    // wait for the next run, not failed for good.
    expect(refused.code, refused.stderr).toBe(4);
    expect(refused.stderr).toMatch(/batch create refused \(Connection error\. \(connect ECONNREFUSED/);
    expect(refused.stdout).toMatch(/^32 request\(s\) not submitted: the batch create failed \(see above\); the next "sync" or "run" sends them again$/m);
    const status = await runCli(['status'], dir);
    expect(status.code).toBe(3);
    expect(status.stdout).not.toMatch(/failed permanently/);
    expect(status.stdout).toMatch(/^failed for now; the next "sync" or "run" sends them again:\n {2}32 files: batch create refused: Connection error/m);
    const stateDir = path.join(dir, '.batchmatter');
    const written = readdirSync(stateDir).map((f) => readFileSync(path.join(stateDir, f), 'utf8'));
    expect(written.join('').length).toBeGreaterThan(0);
    for (const text of [run.stdout, run.stderr, refused.stdout, refused.stderr, ...written]) expect(text).not.toContain('never-print-me');
  });

  it('a key an HTTP header cannot carry (a wrapped paste) is refused before anything is sent, without quoting it; so is a bad base URL', async () => {
    emulator = await startEmulator({ batchDurationMs: 200 });
    const dir = copyExample(fastPolls);
    for (const args of [['submit'], ['plan', '--count-tokens', '--json']]) {
      const wrapped = await runCli(args, dir, { ANTHROPIC_BASE_URL: emulator.url, ANTHROPIC_API_KEY: 'bm-test-key-never\nprint-me-0123456789' });
      expect(wrapped.code, wrapped.stderr).toBe(2);
      expect(wrapped.stderr).toMatch(/ANTHROPIC_API_KEY holds a line break, a space or a character an HTTP header cannot carry/);
      expect(wrapped.stdout + wrapped.stderr).not.toMatch(/never|print-me/);
    }
    expect(emulator.ledger()).toHaveLength(0);
    expect(existsSync(path.join(dir, '.batchmatter/state.json')) ? readFileSync(path.join(dir, '.batchmatter/state.json'), 'utf8') : '').not.toMatch(/"jobs":\s*\{\s*"/);
    const badUrl = await runCli(['submit'], dir, { ANTHROPIC_BASE_URL: '127.0.0.1:4010', ANTHROPIC_API_KEY: 'test-key' });
    expect([badUrl.code, badUrl.stderr.trim()]).toEqual([2, 'batchmatter: ANTHROPIC_BASE_URL: expected a URL like https://api.anthropic.com or http://127.0.0.1:4010, got "127.0.0.1:4010"']);
  });

  it('3 while another command holds the state file; the lock is released after it', async () => {
    // A batch that will not end while the test runs: the first command holds the lock until it is stopped.
    emulator = await startEmulator({ batchDurationMs: 120_000 });
    const dir = copyExample(fastPolls);
    const env = { ANTHROPIC_BASE_URL: emulator.url, ANTHROPIC_API_KEY: 'test-key' };
    const lock = path.join(dir, '.batchmatter/state.json.lock');
    const child = spawnCli(['run'], dir, env);
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    for (const deadline = Date.now() + 30_000; !existsSync(lock) && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 25));
    const second = await runCli(['submit'], dir, env);
    expect(second.code, second.stderr).toBe(3);
    expect(second.stderr).toMatch(new RegExp(`state file state\\.json is in use by process ${child.pid} on `));
    child.kill('SIGTERM');
    expect(await exited).toBe(130); // interrupted, after its last state write
    expect(existsSync(lock)).toBe(false);
    expect(await batches(emulator.url)).toHaveLength(1);
  });

  it('2 for a corrupt state file, which is left untouched; the last good copy is kept', async () => {
    const dir = copyExample(fastPolls);
    // The run and the sync that leave the good copy in-process; the refusal from the bin, which prints it.
    expect((await inProcess(dir)(['run', '--offline'])).code).toBe(0);
    const state = path.join(dir, '.batchmatter/state.offline.json');
    const good = readFileSync(state, 'utf8');
    expect((await inProcess(dir)(['sync', '--offline'])).code).toBe(0);
    writeFileSync(state, good.slice(0, 200));
    const result = await runCli(['sync', '--offline'], dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/state file .*state\.offline\.json is corrupt .*the last good copy is .*state\.offline\.json\.prev/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(readFileSync(state, 'utf8')).toBe(good.slice(0, 200));
    expect(readFileSync(`${state}.prev`, 'utf8')).toBe(good);
  });

  it('130 when interrupted while waiting, said as much (not "done"), in the JSON too', async () => {
    for (const json of [false, true]) {
      const dir = copyExample(fastPolls);
      const child = spawnCli(['run', '--offline', ...(json ? ['--json'] : [])], dir, { BATCHMATTER_EMULATOR_BATCH_MS: '120000' });
      let stdout = '';
      child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      const state = path.join(dir, '.batchmatter/state.offline.json');
      const submitted = () => existsSync(state) && /"batchId"/.test(readFileSync(state, 'utf8'));
      for (const deadline = Date.now() + 30_000; !submitted() && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 25));
      child.kill('SIGINT');
      expect(await exited).toBe(130);
      if (json) expect(JSON.parse(stdout)).toMatchObject({ exitCode: 130, stillInFlight: true });
      else expect(stdout.trim()).toBe('interrupted; work is still in flight: the next "sync" or "run" resumes it; everything so far is saved');
    }
  });

  it('2, untouched, for a state file holding null; without .prev it does not promise one', async () => {
    const dir = copyExample(fastPolls);
    const state = path.join(dir, '.batchmatter/state.offline.json');
    mkdirSync(path.dirname(state), { recursive: true });
    writeFileSync(state, 'null\n');
    for (const command of ['status', 'submit']) {
      const result = await runCli([command, '--offline'], dir);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(/state file .*state\.offline\.json is corrupt \(it holds null, not an object\)\. It was left untouched; restore it from git or the CI cache, or move it away to start afresh\./);
    }
    expect(readFileSync(state, 'utf8')).toBe('null\n');
  });

  it('2 with the reason, no stack, for a state, report or emulator path that cannot be used; read-only commands make no folder', async () => {
    const dir = copyExample((c) => c.replace("state: '.batchmatter/state.json'", "state: 'afile/state.json'"));
    expect((await runCli(['status'], dir)).code).toBe(0);
    expect((await runCli(['diff', '--offline'], dir)).code).toBe(0);
    const out = await runCli(['diff', '--format', 'html', '--out', 'no/such/folder.html'], dir);
    expect([out.code, out.stderr.trim()]).toEqual([2, `batchmatter: --out: cannot write ${path.join(dir, 'no/such/folder.html')}: no such file or folder (ENOENT)`]);
    expect(existsSync(path.join(dir, 'afile'))).toBe(false);
    writeFileSync(path.join(dir, 'afile'), 'a file where the state folder should be');
    const submit = await runCli(['submit', '--offline'], dir);
    expect([submit.code, submit.stderr.trim()]).toEqual([2, `batchmatter: state: cannot make the folder for ${path.join(dir, 'afile/state.offline.json')}: a file stands where a folder is needed (EEXIST)`]);
    expect((await runCli(['status'], dir)).stderr.trim()).toBe(`batchmatter: state file ${path.join(dir, 'afile/state.json')} cannot be used: a file stands where a folder is needed (ENOTDIR)`);
    expect((await runCli(['emulator', '--port', 'abc'], dir)).stderr.trim()).toBe('batchmatter: --port: expected a port number from 0 to 65535 (0 picks a free one)');
    writeFileSync(path.join(dir, 'bad.json'), '{bad');
    const data = await runCli(['emulator', '--port', '0', '--data', 'bad.json'], dir);
    expect([data.code, data.stderr]).toEqual([2, expect.stringMatching(/^batchmatter: emulator data file .*bad\.json is unreadable: .*; move it away to start the emulator afresh\n$/)]);
  });

  it('plans even when the scan cache cannot be written: it is only a cache', async () => {
    const dir = copyExample();
    mkdirSync(path.join(dir, '.batchmatter/scan-cache.json'), { recursive: true }); // a folder where the file goes
    const plan = await inProcess(dir)(['plan', '--offline']);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/description: 17 request\(s\) to send/);
    expect(plan.stderr).toMatch(/warning the scan cache .*scan-cache\.json was not saved: it is a folder \(EISDIR\); the next run reads the files again/);
  });

  it('2 when the estimate is over --max-cost: nothing is submitted; under it, the run goes ahead', async () => {
    const dir = copyExample(fastPolls);
    const refused = await inProcess(dir)(['run', '--offline', '--max-cost', '0.001']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/the estimated cost, \$0\.\d+ \(Batches API\), is over the budget of \$0\.001; nothing was submitted/);
    expect(existsSync(path.join(dir, '.batchmatter/state.offline.json'))).toBe(false); // nothing recorded, nothing sent
    const run = await inProcess(dir)(['run', '--offline', '--max-cost', '1']);
    expect(run.code, run.stderr).toBe(0);
    expect(Object.keys(readState(dir, 'state.offline.json').jobs)).toHaveLength(1);
  });
});
