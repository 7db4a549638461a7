#!/usr/bin/env node
// The README's first command: the whole pipeline over a copy of examples/blog
// against the embedded emulator (no API key), ending with the diff.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const dir = mkdtempSync(path.join(tmpdir(), 'batchmatter-demo-'));
for (const item of ['batch.config.ts', 'templates', 'examples']) cpSync(path.join(root, item), path.join(dir, item), { recursive: true });

const bin = path.join(root, 'bin', 'batchmatter.js');
function step(title, args) {
  process.stdout.write(`\n$ batchmatter ${args.join(' ')}    # ${title}\n`);
  const result = spawnSync(process.execPath, [bin, ...args, '--cwd', dir], { stdio: 'inherit' });
  return result.status ?? 1;
}

process.stdout.write(`batchmatter demo in ${dir} (a copy of examples/blog; the repository is not touched)\n`);
step('what would be sent, and what it would cost', ['plan', '--offline']);
const code = step('submit, wait for the batch, collect and validate', ['run', '--offline']);
// --offline on every command: the emulator's answers live in a state of their own, never mixed with real ones.
step('what it cost, against the synchronous API', ['cost', '--offline']);
step('review the proposed front matter', ['diff', '--offline']);
step('the same as a page with search-result previews', ['diff', '--offline', '--format', 'html', '--out', path.join(dir, 'review.html')]);
// Alt text for the cover images, read by the model from the images (a config of its own: examples/alt-text.config.ts).
const alt = ['--config', 'examples/alt-text.config.ts'];
step('alt text for cover images: the images found, skipped and what they cost', ['plan', '--offline', ...alt]);
const altCode = step('the same pipeline, with the images in the requests', ['run', '--offline', ...alt]);
step('review the proposed alt text', ['diff', '--offline', ...alt]);
step('the same as a page with each image beside its alt text', ['diff', '--offline', ...alt, '--format', 'html', '--out', path.join(dir, 'review-alt-text.html')]);
process.stdout.write(`\nOpen ${path.join(dir, 'review.html')} and ${path.join(dir, 'review-alt-text.html')} in a browser to review them there.\n`);
process.stdout.write(`To write these changes: node ${path.relative(process.cwd(), bin) || bin} apply --offline --cwd ${dir} (and again with --config examples/alt-text.config.ts)\n`);
process.exit(code || altCode);
