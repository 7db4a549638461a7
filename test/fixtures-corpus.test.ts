import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fg from 'fast-glob';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, runCli, type CliResult } from './helpers/cli.js';
import { expectOnlyFieldChanged } from './helpers/bytes.js';

/**
 * The hostile-file corpus (test/fixtures/site, one trap per file) through a
 * real `run --offline --apply`: ok/ files change by exactly the one field,
 * everything else stays byte-identical and is reported with its reason.
 */
const CONFIG = `// No imports: a plain object works as well as defineConfig.
export default {
  content: { root: 'site', include: ['**/*.md', '**/*.mdx'], maxFileSize: '16KB' },
  batch: { pollInterval: '100ms' },
  tasks: {
    description: {
      field: 'description',
      template: 'describe.hbs',
      output: { type: 'text', maxLength: 160, singleLine: true },
    },
  },
};
`;
const TEMPLATE = 'Describe {{path}} in at most {{output.maxLength}} characters.\n<excerpt>\n{{excerpt}}\n</excerpt>\n';

let dir: string;
let outside: string;
let original: Map<string, Buffer>;
let run: CliResult;
const site = () => path.join(dir, 'site');
const read = (rel: string) => readFileSync(path.join(site(), rel));

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'batchmatter-corpus-'));
  outside = mkdtempSync(path.join(tmpdir(), 'batchmatter-outside-'));
  cpSync(path.join(repoRoot, 'test/fixtures/site'), site(), { recursive: true });
  writeFileSync(path.join(dir, 'batch.config.ts'), CONFIG);
  writeFileSync(path.join(dir, 'describe.hbs'), TEMPLATE);
  // Traps that are not committed as files: a large file, and symlinks.
  writeFileSync(path.join(site(), 'skip/too-large.md'), `---\ntitle: Large\n---\n${'x'.repeat(20 * 1024)}\n`);
  writeFileSync(path.join(outside, 'target.md'), '---\ntitle: Outside the root\n---\nNever written.\n');
  mkdirSync(path.join(site(), 'links'));
  symlinkSync(path.join(outside, 'target.md'), path.join(site(), 'links/outside.md'));
  symlinkSync(outside, path.join(site(), 'links/outside-dir'));
  symlinkSync('..', path.join(site(), 'links/loop'));
  symlinkSync('missing.md', path.join(site(), 'links/broken.md'));
  symlinkSync('../human/has-description.md', path.join(site(), 'links/inside.md'));
  symlinkSync('ok/comments.md', path.join(site(), 'a-link-sorted-first.md'));
  // What a kill -9 in the middle of an atomic write leaves beside the file (write-file-atomic's name).
  writeFileSync(path.join(site(), 'human/has-description.md.2746123901'), '---\ntitle: half writ');

  original = new Map(fg.sync('**/*', { cwd: site(), dot: true, followSymbolicLinks: false }).map((rel) => [rel, read(rel)]));
  run = await runCli(['run', '--offline', '--apply'], dir);
}, 60_000);

const under = (folder: string) => [...original.keys()].filter((rel) => rel.startsWith(`${folder}/`));

describe('the hostile-file corpus', () => {
  it('has at least 40 traps', () => {
    expect(original.size).toBeGreaterThanOrEqual(40);
  });

  it('ends with exit 1 because some front matter is broken, after doing the rest', () => {
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toMatch(/applied \d+ file\(s\)/);
  });

  it('changes each ok/ file by exactly the description and nothing else', () => {
    const state = JSON.parse(readFileSync(path.join(dir, '.batchmatter/state.offline.json'), 'utf8'));
    const files = under('ok');
    expect(files.length).toBeGreaterThanOrEqual(30);
    for (const rel of files) {
      const item = state.items[`description:${rel}`];
      expect(item?.status, rel).toBe('applied');
      expect(typeof item.value === 'string' && item.value.length <= 160 && !/\n/.test(item.value), rel).toBe(true);
      expectOnlyFieldChanged(rel, original.get(rel)!.toString('utf8'), read(rel).toString('utf8'), ['description'], item.value);
    }
  });

  it('leaves human-written, broken and skipped files byte-identical', () => {
    for (const rel of [...under('human'), ...under('broken'), ...under('skip')]) expect(read(rel).equals(original.get(rel)!), rel).toBe(true);
    expect(readFileSync(path.join(outside, 'target.md'), 'utf8')).toBe('---\ntitle: Outside the root\n---\nNever written.\n');
    for (const link of ['links/outside.md', 'links/inside.md', 'links/broken.md', 'links/loop', 'a-link-sorted-first.md']) expect(lstatSync(path.join(site(), link)).isSymbolicLink(), link).toBe(true);
  });

  it('reports each broken file as path:line:col message', () => {
    const out = run.stdout + run.stderr;
    expect(out).toMatch(/broken\/bad-indentation\.md:4:\d+ /);
    expect(out).toMatch(/broken\/duplicate-keys\.md:3:1 .*(unique|[Dd]uplicate)/);
    expect(out).toMatch(/broken\/unclosed-quote\.md:\d+:\d+ /);
    expect(out).toMatch(/broken\/unclosed-block\.md:1:1 .*never closed/);
    for (const engine of ['js', 'javascript', 'coffee']) expect(out).toMatch(new RegExp(`broken/${engine}-engine\\.md:1:\\d+ .*never evaluates`));
    expect(out).toMatch(/broken\/list-not-map\.md:\d+:\d+ .*map/);
    expect(out).toMatch(/broken\/alias-without-anchor\.md:\d+:\d+ /);
    expect(out).toMatch(/broken\/toml-invalid\.md:3:\d+ /);
    expect(out).toMatch(/broken\/toml-unclosed\.md:1:1 .*never closed/);
    expect(out).toMatch(/broken\/json-trailing-comma\.md:3:1 .*strict JSON/);
    expect(out).toMatch(/broken\/json-duplicate-keys\.md:3:\d+ duplicate key "title"/);
    expect(out).toMatch(/broken\/json-comment\.md:2:3 comments are not allowed/);
    expect(out).toMatch(/broken\/json-single-quotes\.md:1:3 strings and keys take double quotes/);
    expect(out).toMatch(/broken\/toml-lone-cr\.md:1:4 .*old Mac line endings/);
    expect(out).toMatch(/broken\/blank-line-before-toml\.md:2:1 .*does not start on the first line/);
    expect(out).toMatch(/broken\/blank-lines-before-yaml\.md:3:1 .*does not start on the first line/);
    expect(existsSync('/tmp/batchmatter-pwned')).toBe(false);
  });

  it('reports each deliberately skipped file with its reason', () => {
    const out = run.stdout + run.stderr;
    expect(out).toMatch(/skip\/binary\.md: binary content/);
    expect(out).toMatch(/skip\/latin1\.md: not valid UTF-8/);
    expect(out).toMatch(/skip\/empty\.md: empty file/);
    expect(out).toMatch(/skip\/whitespace-only\.md: empty file/);
    expect(out).toMatch(/skip\/too-large\.md: 21 KB is over content\.maxFileSize \(16 KB\)/);
    expect(out).toMatch(/links\/outside\.md: symlink to a file outside the content root/);
    expect(out).toMatch(/links\/broken\.md: broken symlink/);
    expect(out).toMatch(/links\/inside\.md: symlink to human\/has-description\.md, which is processed under its own name/);
    expect(out).toMatch(/a-link-sorted-first\.md: symlink to ok\/comments\.md, which is processed under its own name/);
    expect(out).toMatch(/human\/has-description\.md\.2746123901: temporary file of an interrupted write to human\/has-description\.md, which is intact; safe to delete/);
  });

  it('reports a key that differs only in case instead of adding a second one', async () => {
    const plan = await runCli(['plan', '--offline'], dir);
    expect(plan.stdout).toMatch(/human\/case-variant\.md: .*"Description"/);
    // Front matter and no body: nothing for the prompt's excerpt, so nothing is bought to be made up.
    expect(plan.stdout).toMatch(/^ {2}skipped 1: no prose in the body to describe$/m);
    expect(JSON.parse((await runCli(['plan', '--offline', '--json'], dir)).stdout).skipped).toContainEqual(expect.objectContaining({ file: 'skip/front-matter-only.md', reason: 'no-prose' }));
  });

  it('a second run sends nothing and changes nothing', async () => {
    const before = new Map([...original.keys()].map((rel) => [rel, read(rel)]));
    const again = await runCli(['run', '--offline', '--apply'], dir);
    expect(again.stderr).toMatch(/nothing to submit/);
    expect(again.code).toBe(1); // the broken files are still reported
    for (const [rel, bytes] of before) expect(read(rel).equals(bytes), rel).toBe(true);
  });
});
