#!/usr/bin/env node
// `npm run bench`: speed and memory of `plan` on a synthetic site and on real
// content trees, as ratios against baselines measured in the same run (these
// machines are noisy, so only ratios mean anything). Not part of `npm test`.
//
//   node scripts/bench.mjs [--files 10000] [--growth 50000] [--site DIR]... [--keep] [--site-only]
//
// --site DIR (repeatable) measures that content tree as well, the same way;
// its configs and state go in a temp folder, never into DIR. --files 0 skips
// the synthetic site. --site-only writes the synthetic site (and its
// batch.config.mjs), prints its folder and stops: for profiling one step by hand.
//
// Each measurement runs in its own child process, so peak RSS is that step's own;
// each is the best of three runs except the naive pipeline's (run once: it is slow).
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fg from 'fast-glob';
import { writeSyntheticSite } from './bench-synthetic.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const args = process.argv.slice(2);
const option = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const files = Number(option('--files') ?? 10_000);
const keep = args.includes('--keep');
const siteOnly = args.includes('--site-only');
const sites = args.flatMap((arg, i) => (arg === '--site' ? [path.resolve(args[i + 1] ?? '.')] : []));
// Peak RSS is measured again at this many files, to see how memory grows with the tree (0: skip).
const growthFiles = Number(option('--growth') ?? 50_000);
// What batchmatter scans by default; the baselines read the same files.
const INCLUDE = ['**/*.md', '**/*.mdx', '**/*.markdown'];
/** Trees of at least this many bytes of Markdown are held to the ratio targets; smaller ones to a first plan under 1 s. */
const LARGE = 5 * 1024 * 1024;

// ---------------------------------------------------------------- the trees
const wait = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * A temp folder holding the configs that measure the content tree at `content`:
 * - batch.config.mjs: a description task, for the files that have none;
 * - batch.all.mjs: a task on a field no file has, so every file needs an excerpt;
 * - batch.collect.mjs (synthetic site): every file gets a request, in its own state file.
 */
function prepare(name, content, dir = mkdtempSync(path.join(tmpdir(), 'batchmatter-bench-'))) {
  const paths = fg.sync(INCLUDE, { cwd: content, absolute: true, ignore: ['**/node_modules/**'] });
  const bytes = paths.reduce((sum, p) => sum + statSync(p).size, 0);
  const config = (task, extra = '') => `export default {
  content: { root: ${JSON.stringify(content)} },${extra}
  tasks: { ${task}: { field: '${task}', template: 'describe.hbs', output: { type: 'text', maxLength: 160 } } },
};
`;
  writeFileSync(path.join(dir, 'batch.config.mjs'), config('description'));
  writeFileSync(path.join(dir, 'batch.all.mjs'), config('benchProbe', "\n  state: '.all/state.json',"));
  writeFileSync(path.join(dir, 'batch.collect.mjs'), config('description', "\n  state: '.collect/state.json',").replace("field: 'description',", "field: 'description', when: 'always',"));
  writeFileSync(path.join(dir, 'describe.hbs'), 'Page: {{path}}\n<excerpt>\n{{excerpt}}\n</excerpt>\nAt most {{output.maxLength}} characters.\n');
  return { name, content, dir, files: paths.length, bytes, large: bytes >= LARGE || name === 'synthetic' };
}

/** The synthetic site of `count` posts, in a new folder with its configs. */
function synthetic(count) {
  const dir = mkdtempSync(path.join(tmpdir(), 'batchmatter-bench-'));
  writeSyntheticSite(path.join(dir, 'site'), count);
  // Let the kernel write the new files out, so the first measurement does not share the disk and CPU with that;
  // and let their mtimes age past the scan cache's 2 s window (files changed that close to a scan are re-read).
  spawnSync('sync');
  wait(2100);
  return prepare('synthetic', path.join(dir, 'site'), dir);
}

if (siteOnly) {
  process.stdout.write(`${synthetic(files || 10_000).dir}\n`);
  process.exit(0);
}

// ---------------------------------------------------------------- the steps
/** Runs `code` (an ES module body) in a fresh node; returns wall time and that process's peak RSS. */
function measure(label, code, cwd, env = {}) {
  const script = `${code}\nprocess.stdout.write('\\n@@' + JSON.stringify({ rss: process.resourceUsage().maxRSS }));`;
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, ...env } });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`${label} failed:\n${result.stderr}`);
  const { rss } = JSON.parse(result.stdout.slice(result.stdout.lastIndexOf('@@') + 2));
  return { label, ms, rssMb: rss / 1024 };
}
const modulePath = (rel) => JSON.stringify(path.join(root, 'node_modules', rel));
const glob = (tree) => `const { default: fg } = await import(${modulePath('fast-glob/out/index.js')});
const paths = await fg(${JSON.stringify(INCLUDE)}, { cwd: ${JSON.stringify(tree.content)}, absolute: true, ignore: ['**/node_modules/**'] });`;

// The read floor the targets are set against: every byte read the plain asynchronous way, a file at a time.
const floor = (tree) => `${glob(tree)}
const { readFile } = await import('node:fs/promises');
let n = 0; for (const p of paths) n += (await readFile(p)).length;
if (n < ${tree.bytes}) throw new Error('short read');`;
// The fastest plain read: synchronous, no thread-pool round trips (about 6x quicker here). Reported beside the floor.
const fastest = (tree) => `${glob(tree)}
const { readFileSync } = await import('node:fs');
let n = 0; for (const p of paths) n += readFileSync(p).length;
if (n < ${tree.bytes}) throw new Error('short read');`;

// The pipeline people write first: parse every front matter block (YAML or TOML), and parse the whole body
// (MDX where it is MDX, Markdown where MDX refuses it).
const naive = (tree) => `${glob(tree)}
const { readFile } = await import('node:fs/promises');
const { parse: yaml } = await import(${modulePath('yaml/dist/index.js')});
const { parse: toml } = await import(${modulePath('smol-toml/dist/index.js')});
const { unified } = await import(${modulePath('unified/index.js')});
const { default: remarkParse } = await import(${modulePath('remark-parse/index.js')});
const { default: remarkMdx } = await import(${modulePath('remark-mdx/index.js')});
const md = unified().use(remarkParse); const mdx = unified().use(remarkParse).use(remarkMdx);
const FRONT = /^(---|\\+\\+\\+)\\r?\\n([^]*?)\\r?\\n\\1[ \\t]*(?:\\r?\\n|$)/;
for (const p of paths) {
  const text = await readFile(p, 'utf8');
  const front = FRONT.exec(text);
  try { if (front) (front[1] === '---' ? yaml : toml)(front[2]); } catch {}
  const body = front ? text.slice(front[0].length) : text;
  if (!p.endsWith('.mdx')) md.parse(body);
  else try { mdx.parse(body); } catch { md.parse(body); }
}`;

const plan = (config) => `
const { main } = await import(${JSON.stringify(path.join(root, 'dist/bundle/cli.js'))});
const code = await main(${JSON.stringify(['plan', '--offline', '--quiet', '--json', '--config', config])});
// 1: some file reported (a real site may hold a file batchmatter cannot read); the others are planned.
if (code !== 0 && code !== 1) throw new Error('exit ' + code);`;

/** Best of `times` runs (a first plan starts from no cache each time): these machines are noisy. */
function run(tree, label, code, { env, times = 3, fresh } = {}) {
  let row;
  for (let i = 0; i < times; i++) {
    if (fresh) rmSync(path.join(tree.dir, fresh), { recursive: true, force: true });
    const next = measure(label, code, tree.dir, env);
    if (!row || next.ms < row.ms) row = next;
  }
  process.stderr.write(`  ${label}: ${(row.ms / 1000).toFixed(2)} s, ${row.rssMb.toFixed(0)} MB peak RSS\n`);
  return row;
}

/** The measurements every tree gets, in one run. */
function measureTree(tree) {
  process.stderr.write(`${tree.name}: ${tree.files} files, ${(tree.bytes / 1024 / 1024).toFixed(1)} MB in ${tree.content}\n`);
  return {
    floor: run(tree, 'read floor (glob + read every byte, fs/promises)', floor(tree)),
    fastest: run(tree, 'fastest read (glob + readFileSync every byte)', fastest(tree)),
    naive: run(tree, 'naive (glob + parse every front matter + full remark parse)', naive(tree), { times: 1 }),
    first: run(tree, 'batchmatter plan, first', plan('batch.config.mjs'), { fresh: '.batchmatter' }),
    all: run(tree, 'batchmatter plan, first, every file needs an excerpt', plan('batch.all.mjs'), { fresh: '.all' }),
    second: run(tree, 'batchmatter plan, unchanged tree', plan('batch.config.mjs')),
  };
}

/** The CLI in a child process, for the collect step: its stderr has the --verbose count of state writes. */
function cliChild(tree, args, ok, env) {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [path.join(root, 'bin/batchmatter.js'), ...args], { cwd: tree.dir, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, ...env } });
  if (!ok.includes(result.status)) throw new Error(`batchmatter ${args.join(' ')} exited ${result.status}:\n${result.stderr.slice(-2000)}`);
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, stdout: result.stdout, stderr: result.stderr };
}

/**
 * Collecting: submit one request per file (not timed), then time the pass that collects every result,
 * from an emulator in its own process (its work answering is the API's, not ours).
 */
async function measureCollect(tree) {
  const emulator = spawn(process.execPath, [path.join(root, 'bin/batchmatter.js'), 'emulator', '--port', '0', '--batch-ms', '0', '--data', path.join(tree.dir, 'emulator.json')], {
    cwd: tree.dir,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    emulator.stdout.on('data', (chunk) => {
      out += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) resolve(match[1]);
    });
    emulator.on('exit', (code) => reject(new Error(`the emulator exited ${code}`)));
  });
  const api = { ANTHROPIC_BASE_URL: url, ANTHROPIC_API_KEY: 'bench' };
  try {
    cliChild(tree, ['submit', '--quiet', '--config', 'batch.collect.mjs'], [0, 3], api); // 3: batches in flight
    // The emulator works out a batch's answers when it is first looked at after ending; the real API
    // has them ready by then. Look first, so the timed pass measures collecting, not answering.
    const state = JSON.parse(readFileSync(path.join(tree.dir, '.collect/state.json'), 'utf8'));
    for (const job of Object.values(state.jobs)) {
      const response = await fetch(`${url}/v1/messages/batches/${job.batchId}`, { headers: { 'x-api-key': 'bench', 'anthropic-version': '2023-06-01' } });
      if (!response.ok) throw new Error(`retrieve ${job.batchId}: ${response.status}`);
    }
    const collect = cliChild(tree, ['sync', '--verbose', '--config', 'batch.collect.mjs'], [0], api);
    const writes = Number(/state file written (\d+) time/.exec(collect.stderr)?.[1]);
    const stored = Number(/(\d+) result\(s\) stored;/.exec(collect.stdout)?.[1] ?? NaN);
    process.stderr.write(`  collect: ${(collect.ms / 1000).toFixed(2)} s, ${writes} state writes\n`);
    return { ms: collect.ms, writes, stored };
  } finally {
    emulator.kill();
  }
}

// ---------------------------------------------------------------- run
const results = [];
const extras = [];
if (files > 0) {
  const tree = synthetic(files);
  try {
    const measured = measureTree(tree);
    results.push({ tree, ...measured });
    const threaded = run(tree, 'batchmatter plan, first, 2 worker threads', plan('batch.config.mjs'), { env: { BATCHMATTER_SCAN_WORKERS: '2' }, fresh: '.batchmatter' });
    const collect = await measureCollect(tree);
    extras.push(
      `synthetic: collecting ${files} results (${collect.stored} stored) from the emulator: ${(collect.ms / 1000).toFixed(2)} s in one sync pass with ${collect.writes} state-file writes (targets ≤ 5 s, ≤ 20 writes)`,
      `synthetic: 2 worker threads: ${(threaded.ms / measured.first.ms).toFixed(2)}× the default's time (${availableParallelism()} cores here; the default uses workers from 3 cores up)`,
      `synthetic: peak RSS of the first plan ${measured.first.rssMb.toFixed(0)} MB (target ≤ 250 MB at 10,000 files)`,
    );
    // Growth: the first plan and the re-plan once each over a larger site; peak RSS varies little from run to run.
    if (growthFiles > files) {
      const big = synthetic(growthFiles);
      process.stderr.write(`synthetic: ${growthFiles} files, ${(big.bytes / 1024 / 1024).toFixed(1)} MB in ${big.dir}\n`);
      try {
        const firstBig = run(big, `batchmatter plan, first, ${growthFiles} files`, plan('batch.config.mjs'), { times: 1, fresh: '.batchmatter' });
        const secondBig = run(big, `batchmatter plan, unchanged tree, ${growthFiles} files`, plan('batch.config.mjs'), { times: 1 });
        extras.push(
          `synthetic: peak RSS at ${growthFiles} files (${(growthFiles / files).toFixed(1)}× the files; targets: grows less than that, first plan ≤ 400 MB): ` +
            `first plan ${measured.first.rssMb.toFixed(0)} → ${firstBig.rssMb.toFixed(0)} MB (${(firstBig.rssMb / measured.first.rssMb).toFixed(2)}×), ` +
            `re-plan ${measured.second.rssMb.toFixed(0)} → ${secondBig.rssMb.toFixed(0)} MB (${(secondBig.rssMb / measured.second.rssMb).toFixed(2)}×); ` +
            `time ${(firstBig.ms / 1000).toFixed(2)} s and ${(secondBig.ms / 1000).toFixed(2)} s`,
        );
      } finally {
        if (!keep) rmSync(big.dir, { recursive: true, force: true });
      }
    }
  } finally {
    if (!keep) rmSync(tree.dir, { recursive: true, force: true });
  }
}
for (const site of sites) {
  const tree = prepare(path.basename(site), site);
  try {
    results.push({ tree, ...measureTree(tree) });
  } finally {
    if (!keep) rmSync(tree.dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- report
const s = (row) => `${(row.ms / 1000).toFixed(2)} s`;
const times = (a, b) => `${(a.ms / b.ms).toFixed(2)}×`;
const faster = (a, b) => `${(b.ms / a.ms).toFixed(1)}×`;
const mark = (ok) => (ok ? 'ok' : 'MISSED');
const lines = [
  '',
  '| tree | files | MB | read floor | fastest read | naive | first plan | vs naive | vs floor | every file excerpted | vs naive | re-plan | vs floor | first plan RSS |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ...results.map(({ tree, floor, fastest, naive, first, all, second }) =>
    [tree.name, tree.files, (tree.bytes / 1024 / 1024).toFixed(1), s(floor), s(fastest), s(naive), s(first), faster(first, naive), times(first, floor), s(all), faster(all, naive), s(second), times(second, floor), `${first.rssMb.toFixed(0)} MB`]
      .join(' | ')
      .replace(/^/, '| ')
      .replace(/$/, ' |'),
  ),
  '',
  '"vs naive": how many times faster than the naive pipeline; "vs floor": time over the read floor\'s.',
  '',
  'targets:',
  ...results.flatMap(({ tree, floor, naive, first, all, second }) => {
    const replan = `re-plan ${times(second, floor)} the read floor (≤ 0.5×: ${mark(second.ms <= floor.ms / 2)})`;
    if (!tree.large) return [`${tree.name}: first plan ${s(first)} (< 1 s: ${mark(first.ms < 1000)}); ${replan}`];
    return [
      `${tree.name}: first plan ${faster(first, naive)} faster than naive (≥ 15×: ${mark(naive.ms >= 15 * first.ms)}), ${times(first, floor)} the read floor (≤ 3×: ${mark(first.ms <= 3 * floor.ms)}); ` +
        `every file excerpted ${faster(all, naive)} faster than naive (≥ 10×: ${mark(naive.ms >= 10 * all.ms)}); ${replan}`,
    ];
  }),
  ...extras,
];
process.stdout.write(`${lines.join('\n')}\n`);
