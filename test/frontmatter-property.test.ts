import { describe, expect, it } from 'vitest';
import { setField } from '../src/frontmatter/edit.js';
import { parseFrontMatter } from '../src/frontmatter/read.js';
import { expectOnlyFieldChanged } from './helpers/bytes.js';

/** mulberry32: a small seeded PRNG, so every run tries the same strings. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Everything that breaks naive serializers: YAML indicators, comment and mapping markers, quotes,
// escapes, line breaks, tabs, emoji, CJK, RTL, and whole values that look like other types.
const PIECES = [': ', ' #', '#', '-', '- ', '*', '&', '!', '%', '@', '`', '|', '>', '?', '{', '}', '[', ']', ',', '"', "'", '\\', '\\n', '\n', '\t', '\r\n',
  '🎉', '👩‍💻', '漢字', 'かな', 'עברית', 'العربية', ' ', '  ', 'word', 'Ünïcödé', '---', '...', '+++', '=', '~', '\u00a0', '\u2028', '\u3000', '\ufeff'];
const WHOLE = ['yes', 'no', 'on', 'null', 'Null', '~', 'true', 'False', '1e3', '0x1F', '0o17', '1_000', '.5', '-1', '+1', '2024-03-05', '2024-03-05T10:20:30Z', '12:30:00', '', ' leading', 'trailing ', '- item', '"quoted"', "'single'", '[a, b]', '{a: 1}', '#hash', '@at', '%pct', '!tag', '*alias', '&anchor'];

function hostile(next: () => number): string {
  if (next() < 0.3) return WHOLE[Math.floor(next() * WHOLE.length)]!;
  let out = '';
  const n = 1 + Math.floor(next() * 8);
  for (let i = 0; i < n; i++) out += PIECES[Math.floor(next() * PIECES.length)]!;
  return out;
}

const FILES = {
  yaml: ['---\n# comment\ntitle: Hello  # trailing\ndate: 2024-03-05\ntags: [a, b]\n---\nBody\n', '---\ntitle: Hello\ndescription: old value\nafter: 1\n---\nBody\n'],
  toml: ['+++\n# comment\ntitle = "Hello"  # trailing\ndate = 2024-03-05\n\n[seo]\nx = 1\n+++\nBody\n', '+++\ntitle = "Hello"\ndescription = "old value"  # keep me\nafter = 1\n+++\nBody\n'],
  json: ['{\n  "title": "Hello",\n  "tags": ["a", "b"]\n}\nBody\n', '{\n  "title": "Hello",\n  "description": "old value",\n  "after": 1\n}\nBody\n'],
};

describe.each(Object.entries(FILES))('%s front matter: random hostile strings', (format, [add, replace]) => {
  const crlf = (t: string) => t.replace(/\n/g, '\r\n');
  it.each([
    ['added', add!],
    ['replaced', replace!],
    ['added (CRLF)', crlf(add!)],
  ])('read back exactly when %s, nothing else changed', (_how, source) => {
    const next = random(format.length * 1000 + source.length);
    for (let i = 0; i < 100; i++) {
      const value = hostile(next);
      const written = setField(source, ['description'], value);
      expect(parseFrontMatter(written).data.description, JSON.stringify(value)).toBe(value);
      expectOnlyFieldChanged(`${format} ${JSON.stringify(value)}`, source, written, ['description'], value);
    }
  });
});
