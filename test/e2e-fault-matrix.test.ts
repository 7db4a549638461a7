import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type EmulatorOptions, type LedgerEntry, type RunningEmulator } from '../src/emulator/index.js';
import { parseFrontMatter } from '../src/frontmatter/read.js';
import { copyExample, type CliResult } from './helpers/cli.js';
import { drivenClock, inProcess } from './helpers/inprocess.js';

/**
 * The commands (in-process, through the library) over a copy of the example
 * site, against an emulator that misbehaves in one way per case, both on one
 * driven clock: invoked again (bounded) until it finishes,
 * then every post must have a description, every review an analysis, no
 * request may have been paid for twice, and no batch may be left unowned.
 */

const fastPolls = (config: string) => config.replace("pollInterval: '30s'", "pollInterval: '100ms'");
const MAX_INVOCATIONS = 8;
/** Requests the example site needs: descriptions and analyses. */
const EXPECTED_ITEMS = 32;
/** The CLI's own bound, so a pipeline that cannot converge fails the case instead of hanging the file. */
const RUN = ['run', '--apply', '--max-wait', '20s'];

let emulator: RunningEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

interface StateFile {
  items: Record<string, { status: string; file: string; task: string }>;
  jobs: Record<string, { kind: string; batchId?: string; status: string }>;
}

const readState = (dir: string) => JSON.parse(readFileSync(path.join(dir, '.batchmatter/state.json'), 'utf8')) as StateFile;

function done(dir: string): boolean {
  try {
    const items = Object.values(readState(dir).items);
    return items.length === EXPECTED_ITEMS && items.every((i) => i.status === 'applied');
  } catch {
    return false;
  }
}

async function batches(url: string) {
  const client = new Anthropic({ apiKey: 'test', baseURL: url, maxRetries: 0 });
  const all = [];
  for await (const b of client.messages.batches.list({ limit: 100 })) all.push(b);
  return all;
}

interface Scenario {
  emulator: EmulatorOptions;
  /** A change to the example's config. */
  config?: (config: string) => string;
  /** The first invocation, when it is not a plain run. */
  first?: string[];
  /** Wait after the first invocation (ms). */
  pause?: number;
}

/** Starts the emulator, runs the CLI until it exits 0 with every item applied (at most MAX_INVOCATIONS times). */
async function converge(scenario: Scenario): Promise<{ dir: string; runs: CliResult[]; emulator: RunningEmulator }> {
  const clock = drivenClock();
  emulator = await startEmulator({ batchDurationMs: 250, now: clock.ms, ...scenario.emulator });
  const dir = copyExample((c) => (scenario.config ?? ((x: string) => x))(fastPolls(c)));
  const lib = inProcess(dir, { ANTHROPIC_BASE_URL: emulator.url, ANTHROPIC_API_KEY: 'test-key' }, clock);
  const runs: CliResult[] = [];
  while (runs.length < MAX_INVOCATIONS) {
    const result = await lib(runs.length === 0 ? (scenario.first ?? RUN) : RUN);
    runs.push(result);
    if (result.code === 0 && done(dir)) break;
    if (runs.length === 1 && scenario.pause) clock.advance(scenario.pause);
  }
  const last = runs.at(-1)!;
  expect(done(dir), `not done after ${runs.length} invocation(s); last exit ${last.code}\n${last.stdout}\n${last.stderr}`).toBe(true);
  return { dir, runs, emulator };
}

/** Every post has a description and every review an analysis, in the files themselves. */
function expectFilled(dir: string): void {
  const root = path.join(dir, 'examples/blog');
  const files = (sub: string) => (readdirSync(path.join(root, sub), { recursive: true }) as string[]).filter((f) => /\.mdx?$/.test(f)).map((f) => path.join(sub, f));
  for (const file of files('posts')) {
    const { data } = parseFrontMatter(readFileSync(path.join(root, file), 'utf8'));
    expect(typeof data.description === 'string' && data.description.trim().length > 0, `${file}: description`).toBe(true);
  }
  for (const file of files('reviews')) {
    const { data } = parseFrontMatter(readFileSync(path.join(root, file), 'utf8'));
    expect(data.analysis, `${file}: analysis`).toMatchObject({ sentiment: expect.stringMatching(/^(positive|negative|neutral)$/) });
  }
}

/** Prompt digests paid for more than once, other than those listed as expected. */
function billedTwice(ledger: LedgerEntry[], expected: Set<string> = new Set()): string[] {
  const seen = new Map<string, number>();
  for (const entry of ledger) seen.set(entry.prompt_digest, (seen.get(entry.prompt_digest) ?? 0) + 1);
  return [...seen].filter(([digest, n]) => n > 1 && !expected.has(digest)).map(([digest]) => digest);
}

/** The emulator holds exactly `count` batches, each owned by a job of the state (no orphan, paid-for batch). */
async function expectBatches(dir: string, url: string, count: number): Promise<void> {
  const held = (await batches(url)).map((b) => b.id).sort();
  const owned = Object.values(readState(dir).jobs).flatMap((j) => (j.batchId ? [j.batchId] : [])).sort();
  expect(held).toHaveLength(count);
  expect(held).toEqual(owned);
}

/** The common verdict: filled files, each answer paid for once, the expected batches. */
async function expectClean(run: { dir: string; emulator: RunningEmulator }, batchCount: number): Promise<LedgerEntry[]> {
  expectFilled(run.dir);
  const ledger = run.emulator.ledger();
  expect(billedTwice(ledger)).toEqual([]);
  expect(ledger.length).toBeGreaterThanOrEqual(EXPECTED_ITEMS);
  await expectBatches(run.dir, run.emulator.url, batchCount);
  return ledger;
}

describe('fault matrix: the commands converge and pay once', () => {
  it('errored rate: the errored requests are retried (synchronously, being few) and succeed', async () => {
    // `times` caps the share so the retries stay under batch.syncBelow (10): one batch, whatever the random custom_ids draw.
    const run = await converge({ emulator: { faults: { rules: [{ customIdPattern: '.', outcome: 'errored', errorType: 'overloaded_error', rate: 0.25, seed: 'matrix', times: 9 }] } } });
    const [batch] = await batches(run.emulator.url);
    expect(batch!.request_counts.errored).toBeGreaterThan(0);
    const ledger = await expectClean(run, 1);
    expect(ledger.filter((e) => e.kind === 'sync')).toHaveLength(batch!.request_counts.errored);
  });

  it('expired rate: the expired requests are retried and succeed', async () => {
    const run = await converge({ emulator: { faults: { rules: [{ customIdPattern: '.', outcome: 'expired', rate: 0.25, seed: 'matrix', times: 9 }] } } });
    const [batch] = await batches(run.emulator.url);
    expect(batch!.request_counts.expired).toBeGreaterThan(0);
    const ledger = await expectClean(run, 1);
    expect(ledger.filter((e) => e.kind === 'sync')).toHaveLength(batch!.request_counts.expired);
  });

  it('429 with retry-after on retrieve, more times than the SDK retries: polled again later', async () => {
    const run = await converge({ emulator: { faults: { rules: [{ endpoint: 'retrieve', outcome: 'http_error', status: 429, retryAfter: 1, times: 4 }] } } });
    expect(run.runs[0]!.stderr).toMatch(/rate_limit_error|429/);
    expect(run.runs[0]!.stderr).toMatch(/polled again on the next pass/);
    await expectClean(run, 1);
  });

  it('529 on create after the batch was accepted: the batch is found by listing, not created again', async () => {
    const run = await converge({ emulator: { faults: { rules: [{ endpoint: 'create', outcome: 'http_error', status: 529, accepted: true, times: 1 }] } } });
    expect(run.runs[0]!.stderr).toMatch(/batch create did not answer/);
    expect(run.runs.map((r) => r.stderr).join('')).toMatch(/found batch msgbatch_\w+ for job_\w+, whose create\(\) had not answered/);
    await expectClean(run, 1);
  });

  // A 5xx may come after the batch was made, so it is looked for first; the server had finished with the
  // request, so once batch.answeredCreateWindow has passed without it in list() (none, here) the requests are sent again.
  it('529 on create before the batch exists: the requests are resubmitted', async () => {
    const run = await converge({
      emulator: { faults: { rules: [{ endpoint: 'create', outcome: 'http_error', status: 529, times: 1 }] } },
      config: (c) => c.replace("maxRetries: 2,", "maxRetries: 2, answeredCreateWindow: '0s',"),
    });
    expect(run.runs[0]!.stderr).toMatch(/batch create did not answer \(529 /);
    expect(run.runs.map((r) => r.stderr).join('')).not.toMatch(/found batch msgbatch_/);
    await expectClean(run, 1);
  });

  it('500 on results, more times than the SDK retries: downloaded again on the next pass', async () => {
    const run = await converge({ emulator: { faults: { rules: [{ endpoint: 'results', outcome: 'http_error', status: 500, times: 3 }] } } });
    expect(run.runs[0]!.stderr).toMatch(/reading results was interrupted \(500 /);
    await expectClean(run, 1);
  });

  // Results are kept 29 days: one 404 on a young batch is a passing fault, and taking it for "gone" paid for the whole batch again.
  it('404 on results once, for a batch far from its retention: downloaded again, not paid again', async () => {
    const run = await converge({ emulator: { faults: { rules: [{ endpoint: 'results', outcome: 'http_error', status: 404, times: 1 }] } } });
    expect(run.runs[0]!.stderr).toMatch(/its results answered 404 \(1 of 3 times in a row before they are taken for gone\)/);
    expect(run.runs.map((r) => r.stderr).join('')).not.toMatch(/no longer available/);
    await expectClean(run, 1);
  });

  it('a create whose answer is lost (connection dropped after the batch was stored): recovered by listing', async () => {
    const run = await converge({ emulator: { faults: { rules: [{ endpoint: 'create', outcome: 'disconnect', times: 1 }] } } });
    expect(run.runs[0]!.stderr).toMatch(/batch create did not answer \(Connection error/);
    await expectClean(run, 1);
  });

  it('a results stream cut after 5 lines: the rest is downloaded again, nothing stored twice', async () => {
    const run = await converge({ emulator: { faults: { rules: [{ endpoint: 'results', outcome: 'disconnect', afterLines: 5, times: 1 }] } } });
    expect(run.runs[0]!.stderr).toMatch(/reading results was interrupted \(terminated/);
    await expectClean(run, 1);
  });

  it('results that 404 after their retention: the requests are planned and paid again, once', async () => {
    // The first run leaves at once; by the time the next one looks, the first batch's results are gone.
    const run = await converge({ emulator: { resultsRetentionMs: 1000 }, first: ['run', '--max-wait', '0'], pause: 1500 });
    expect(run.runs[0]!.code).toBe(3);
    expect(run.runs.map((r) => r.stderr).join('')).toMatch(/results are no longer available/);
    expectFilled(run.dir);
    const [second, first] = await batches(run.emulator.url);
    const ledger = run.emulator.ledger();
    // The first batch was paid for but never read: those prompts are paid a second time, and nothing else is.
    const lost = new Set(ledger.filter((e) => e.batch_id === first!.id).map((e) => e.prompt_digest));
    expect(lost.size).toBe(EXPECTED_ITEMS);
    expect(billedTwice(ledger, lost)).toEqual([]);
    expect(ledger.filter((e) => e.batch_id === second!.id)).toHaveLength(EXPECTED_ITEMS);
    // The batch whose results expired still lists, and its job still records it: no orphan.
    await expectBatches(run.dir, run.emulator.url, 2);
  });
});
