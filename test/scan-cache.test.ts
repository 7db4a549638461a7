import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readScanCache, writeScanCache } from '../src/io/scan-cache.js';
import { scanTree } from '../src/io/tree.js';

const options = { include: ['**/*.md'], exclude: [], maxFileSize: 1024 * 1024 };
const spec = (maxChars: number, always = false) => ({ include: ['**/*.md'], exclude: [], always, fieldPath: ['description'], maxChars });
const needs = [spec(200)];

function site(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'batchmatter-cache-'));
  mkdirSync(path.join(root, 'posts'));
  const old = new Date(Date.now() - 60_000);
  for (const [name, text] of [
    ['a.md', '---\ntitle: A\n---\nAlpha is about edge caches.\n'],
    ['b.md', '---\ntitle: B\ndescription: Done.\n---\nBeta.\n'],
    ['c.md', '---\ntitle: [broken\n---\nGamma.\n'],
  ]) {
    writeFileSync(path.join(root, 'posts', name!), text!);
    utimesSync(path.join(root, 'posts', name!), old, old);
  }
  return root;
}

describe('the scan cache', () => {
  it('does not read files unchanged since the last scan, and gives the same answer', async () => {
    const root = site();
    const first = await scanTree(root, options, { needs });
    expect(first.reread).toBe(3);
    const second = await scanTree(root, options, { needs, cache: first.cache });
    expect(second.reread).toBe(0);
    expect(second.files).toEqual(first.files);
    expect(second.files.find((f) => f.rel === 'posts/a.md')?.excerpts.get(200)).toBe('Alpha is about edge caches.');
    expect(second.files.find((f) => f.rel === 'posts/c.md')?.error).toMatch(/^\d+:\d+ /);
  });

  it('reads a file again when its size, mtime or inode changed, or when it changed too recently to trust the mtime', async () => {
    const root = site();
    const first = await scanTree(root, options, { needs });
    const a = path.join(root, 'posts/a.md');
    writeFileSync(a, '---\ntitle: A\n---\nAlpha, rewritten.\n');
    utimesSync(a, new Date(Date.now() - 30_000), new Date(Date.now() - 30_000));
    const second = await scanTree(root, options, { needs, cache: first.cache });
    expect(second.reread).toBe(1);
    expect(second.files.find((f) => f.rel === 'posts/a.md')?.excerpts.get(200)).toBe('Alpha, rewritten.');

    // Same size, and a mtime within the cache's racy window: not trusted.
    const recent = await scanTree(root, options, { needs, cache: { ...second.cache, writtenAt: Date.now() - 31_000 + 1000 } });
    expect(recent.reread).toBe(1);
  });

  it('a file whose stat changed but not its text (a fresh checkout, a restored cache, touch) is read and hashed, not parsed again', async () => {
    const root = site();
    const first = await scanTree(root, options, { needs });
    const later = new Date(Date.now() - 20_000);
    for (const name of ['a.md', 'b.md', 'c.md']) utimesSync(path.join(root, 'posts', name), later, later);
    // A new inode with the same bytes, as a checkout writes it.
    const b = path.join(root, 'posts/b.md');
    const text = readFileSync(b);
    rmSync(b);
    writeFileSync(b, text);
    utimesSync(b, later, later);
    const second = await scanTree(root, options, { needs, cache: first.cache });
    expect([second.reread, second.parsed]).toEqual([3, 0]);
    expect(second.files).toEqual(first.files);
    expect(second.diagnostics).toEqual(first.diagnostics);
    // Recorded under the new stat: the next scan reads nothing.
    expect(second.cache.entries['posts/a.md']?.mtimeMs).toBe(statSync(path.join(root, 'posts/a.md')).mtimeMs);
    const third = await scanTree(root, options, { needs, cache: second.cache });
    expect(third.reread).toBe(0);
    // A changed byte is parsed, of course.
    writeFileSync(path.join(root, 'posts/a.md'), '---\ntitle: A\n---\nAlpha is about edge cachez.\n');
    const edited = new Date(Date.now() - 10_000);
    utimesSync(path.join(root, 'posts/a.md'), edited, edited);
    const fourth = await scanTree(root, options, { needs, cache: { ...third.cache, writtenAt: Date.now() } });
    expect([fourth.reread, fourth.parsed]).toEqual([1, 1]);
    expect(fourth.files.find((f) => f.rel === 'posts/a.md')?.excerpts.get(200)).toBe('Alpha is about edge cachez.');
  });

  it('reads a file again when a task now needs an excerpt it does not have', async () => {
    const root = site();
    const first = await scanTree(root, options, { needs });
    const more = await scanTree(root, options, { needs: [spec(200, true), spec(50, true)], cache: first.cache });
    expect(more.reread).toBe(2); // a.md for the new length; b.md now needs one; c.md is broken, nothing to need
    expect(more.files.find((f) => f.rel === 'posts/a.md')?.excerpts.get(50)).toBe('Alpha is about edge caches.');
  });

  it('keeps excerpt texts in a second file read only when one is wanted, and starts over when the pair does not match', async () => {
    const root = site();
    const file = path.join(root, '.cache/scan-cache.json');
    mkdirSync(path.dirname(file));
    const first = await scanTree(root, options, { needs });
    await writeScanCache(file, first.cache, true);
    expect(readFileSync(file, 'utf8')).not.toContain('Alpha is about');
    expect(readFileSync(path.join(root, '.cache/scan-cache.excerpts.json'), 'utf8')).toContain('Alpha is about edge caches.');

    const read = await readScanCache(file);
    const again = await scanTree(root, options, { needs, cache: read });
    expect(again.reread).toBe(0);
    expect(again.files.find((f) => f.rel === 'posts/a.md')?.excerpts.get(200)).toBe('Alpha is about edge caches.');

    // Entries written without their texts (a crash between the two writes of another pair): not trusted.
    const excerpts = path.join(root, '.cache/scan-cache.excerpts.json');
    writeFileSync(excerpts, readFileSync(excerpts, 'utf8').replace(/^\{"id":"[0-9a-f]+"/, '{"id":"0000"'));
    expect(Object.keys((await readScanCache(file)).entries)).toEqual([]);
    rmSync(excerpts);
    expect(Object.keys((await readScanCache(file)).entries)).toEqual([]);
  });
});

