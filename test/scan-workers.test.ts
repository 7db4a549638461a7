import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type * as Tree from '../src/io/tree.js';
import { repoRoot, runCli } from './helpers/cli.js';

// The built scanner (npm test builds first): worker threads run dist/io/scan-worker.js.
const { scanTree, WORKER_MIN } = (await import(path.join(repoRoot, 'dist/io/tree.js'))) as typeof Tree;

const specs = [
  { include: ['**/*.md', '**/*.mdx'], exclude: ['drafts/**'], always: false, fieldPath: ['description'], maxChars: 300 },
  { include: ['reviews/**'], exclude: [], always: true, fieldPath: ['analysis'], maxChars: 120 },
];

/** A tree with more files than WORKER_MIN, and every kind of file the scan reports. */
function site(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'batchmatter-workers-'));
  const write = (rel: string, content: string | Buffer) => {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), content);
  };
  for (let i = 0; i < WORKER_MIN + 60; i++) {
    const folder = ['posts', 'reviews', 'drafts'][i % 3]!;
    const mdx = i % 2 === 1;
    const described = i % 5 === 0 ? `description: Written by a person ${i}.\n` : '';
    const body = mdx
      ? `import { Note } from './note'\n\n# Post ${i}\n\n<Note>Flow **JSX** ${i}</Note>\n\nText {i} with an expression and [a link](/x).\n`
      : `# Post ${i}\n\nSome *prose* for post ${i}, and \`code\`.\n\n\`\`\`js\nconst dropped = ${i};\n\`\`\`\n\nMore words &amp; entities.\n`;
    write(`${folder}/${String(i).padStart(4, '0')}.${mdx ? 'mdx' : 'md'}`, `---\ntitle: "Post ${i}"\n${described}tags: [a, b]\n---\n\n${body}`);
  }
  write('posts/broken.md', '---\ntitle: [unclosed\n---\nBody.\n');
  write('posts/empty.md', '');
  write('posts/binary.md', Buffer.from([0x2d, 0x2d, 0x2d, 0x0a, 0x00, 0x01, 0x02]));
  write('posts/latin1.md', Buffer.from('---\ntitle: caf\xe9\n---\n', 'latin1'));
  write('posts/toml.md', '+++\ntitle = "TOML"\ndate = 2024-03-05\n+++\nA TOML post.\n');
  return root;
}

describe('scanning in worker threads', () => {
  it('gives exactly what scanning in one thread gives: files, excerpts, diagnostics, cache', async () => {
    const root = site();
    const options = { include: ['**/*.md', '**/*.mdx'], exclude: [], maxFileSize: 1024 * 1024 };
    let progress = 0;
    const threads = await scanTree(root, options, { needs: specs, workers: 2, onProgress: (done) => (progress = done) });
    const inline = await scanTree(root, options, { needs: specs, workers: 0 });

    expect(threads.threads).toBe(2);
    expect(inline.threads).toBe(0);
    expect(threads.reread).toBeGreaterThanOrEqual(WORKER_MIN);
    expect(progress).toBe(threads.reread);
    expect(threads.files.length).toBe(WORKER_MIN + 60 + 2); // the broken and the TOML file are scanned too
    expect(threads.files).toEqual(inline.files);
    expect(threads.diagnostics).toEqual(inline.diagnostics);
    expect(threads.diagnostics.map((d) => d.file)).toEqual(['posts/binary.md', 'posts/broken.md', 'posts/empty.md', 'posts/latin1.md']);
    expect(threads.cache.entries).toEqual(inline.cache.entries);
    // The excerpts the specs ask for, and only those.
    const review = threads.files.find((f) => f.rel === 'reviews/0001.mdx')!;
    expect([...review.excerpts.keys()].sort()).toEqual([120, 300]);
    expect(review.excerpts.get(300)).toBe('Post 1\n\nFlow JSX 1\n\nText with an expression and a link.');
    expect(threads.files.find((f) => f.rel === 'drafts/0002.md')!.excerpts.size).toBe(0);
    expect(threads.files.find((f) => f.rel === 'posts/0000.md')!.excerpts.size).toBe(0); // has a description

    // Every file touched, none changed: the workers read and hash them and parse none.
    const later = new Date(Date.now() - 20_000);
    for (const f of threads.files) utimesSync(f.abs, later, later);
    const touched = await scanTree(root, options, { needs: specs, workers: 2, cache: threads.cache });
    expect([touched.threads, touched.reread, touched.parsed]).toEqual([2, threads.reread, 0]);
    expect(touched.files).toEqual(threads.files);
  });

  it('runs from the installed CLI too: plan reads in worker threads and plans what one thread plans', async () => {
    const root = site();
    writeFileSync(
      path.join(root, 'batch.config.mjs'),
      `export default { content: { root: '.', include: ['**/*.md', '**/*.mdx'] }, tasks: { description: { field: 'description', template: 't.hbs', output: { type: 'text', maxLength: 160 } } } };\n`,
    );
    writeFileSync(path.join(root, 't.hbs'), 'Title: {{title}}\n{{excerpt}}\n');
    const threaded = await runCli(['plan', '--offline', '--json', '--verbose'], root, { BATCHMATTER_SCAN_WORKERS: '2' });
    expect(threaded.stderr).toMatch(/read in 2 worker threads/);
    rmSync(path.join(root, '.batchmatter'), { recursive: true });
    const single = await runCli(['plan', '--offline', '--json', '--verbose'], root, { BATCHMATTER_SCAN_WORKERS: '0' });
    expect(single.stderr).not.toMatch(/worker threads/);
    expect(threaded.code).toBe(1); // the broken file
    expect(JSON.parse(threaded.stdout)).toEqual(JSON.parse(single.stdout));
    expect(JSON.parse(threaded.stdout).requests.length).toBeGreaterThan(WORKER_MIN / 2);
  });
});

