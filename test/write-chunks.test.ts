import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeChunksAtomic } from '../src/io/write-chunks.js';
import { testdir } from './helpers/testdir.js';

describe('writeChunksAtomic', () => {
  it('writes the chunks in order, across flushes and multi-byte characters, and leaves no temporary file', () => {
    const dir = testdir({});
    const file = path.join(dir, 'cache.json');
    const chunks = Array.from({ length: 3000 }, (_, i) => `${i}:${'é🎉x'.repeat(200)};`);
    writeChunksAtomic(file, chunks);
    expect(readFileSync(file, 'utf8')).toBe(chunks.join(''));
    expect(readdirSync(dir)).toEqual(['cache.json']);
  });

  it('keeps the old file whole when the chunks fail part-way, and removes its temporary file', () => {
    const dir = testdir({ 'cache.json': 'old' });
    const file = path.join(dir, 'cache.json');
    function* failing() {
      yield 'x'.repeat(2 << 20); // past a flush: some of it is on disk already
      throw new Error('serialising failed');
    }
    expect(() => writeChunksAtomic(file, failing())).toThrow('serialising failed');
    expect(readFileSync(file, 'utf8')).toBe('old');
    expect(readdirSync(dir)).toEqual(['cache.json']);
  });
});
