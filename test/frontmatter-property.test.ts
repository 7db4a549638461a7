import { describe, expect, it } from 'vitest';
import { setField } from '../src/frontmatter/edit.js';
import { getField } from '../src/frontmatter/field-path.js';
import { parseFrontMatter } from '../src/frontmatter/read.js';
import { expectOnlyFieldChanged } from './helpers/bytes.js';
import { random } from './helpers/random.js';

// Everything that breaks naive serializers: YAML indicators, comment and mapping markers, quotes,
// escapes, line breaks, tabs, control characters, emoji, CJK, RTL, and whole values that look like other types.
const PIECES = [': ', ' #', '#', '-', '- ', '*', '&', '!', '%', '@', '`', '|', '>', '?', '{', '}', '[', ']', ',', '"', "'", '"""', "'''", '\\', '\\n', '\\u0041',
  '\n', '\t', '\r\n', '\r', '\u0007', '\u007f', '\u0085', '🎉', '👩‍💻', '漢字', 'かな', 'עברית', 'العربية', '\u202e', ' ', '  ', 'word', 'Ünïcödé', '---', '...', '+++', '=', '~',
  '\u00a0', '\u2028', '\u3000', '\ufeff'];
const WHOLE = ['yes', 'no', 'on', 'null', 'Null', '~', 'true', 'False', '1e3', '0x1F', '0o17', '1_000', '.5', '-1', '+1', 'inf', 'nan', '2024-03-05', '2024-03-05T10:20:30Z',
  '1979-05-27 07:32:00', '12:30:00', '', ' ', ' leading', 'trailing ', '- item', '"quoted"', "'single'", '[a, b]', '{a: 1}', '#hash', '@at', '%pct', '!tag', '*alias', '&anchor'];

function hostile(next: () => number): string {
  if (next() < 0.3) return WHOLE[Math.floor(next() * WHOLE.length)]!;
  let out = '';
  const n = 1 + Math.floor(next() * 8);
  for (let i = 0; i < n; i++) out += PIECES[Math.floor(next() * PIECES.length)]!;
  return out;
}

/** The range of `before` that `after` rewrote, between their longest common prefix and suffix; empty for a pure insertion. */
function changedRange(before: string, after: string): [number, number] {
  let prefix = 0;
  while (prefix < before.length && before[prefix] === after[prefix]) prefix++;
  let suffix = 0;
  const room = Math.min(before.length, after.length) - prefix;
  while (suffix < room && before[before.length - 1 - suffix] === after[after.length - 1 - suffix]) suffix++;
  return [prefix, before.length - suffix];
}

interface Scenario {
  source: string;
  path: string[];
  /** The old value's text, when the field is replaced: only those bytes may change. */
  old?: string;
}

const crlf = (text: string) => `\uFEFF${text.replace(/\n/g, '\r\n')}`;
const YAML_ADD = '---\n# comment\ntitle: Hello  # trailing\ndate: 2024-03-05\ntags: [a, b]\n---\nBody\n';
const YAML_REPLACE = '---\ntitle: Hello\ndescription: old value\nafter: 1\n---\nBody\n';
const TOML_ADD = '+++\n# comment\ntitle = "Hello"  # trailing\ndate = 2024-03-05\n\n[seo]\nx = 1\n+++\nBody\n';
const TOML_REPLACE = '+++\ntitle = "Hello"\ndescription = "old value"  # keep me\nafter = 1\n+++\nBody\n';
const JSON_ADD = '{\n  "title": "Hello",\n  "tags": ["a", "b"]\n}\nBody\n';
const JSON_REPLACE = '{\n  "title": "Hello",\n  "description": "old value",\n  "after": 1\n}\nBody\n';

const SCENARIOS: Record<string, Record<string, Scenario>> = {
  yaml: {
    added: { source: YAML_ADD, path: ['description'] },
    replaced: { source: YAML_REPLACE, path: ['description'], old: 'old value' },
    'added (BOM, CRLF)': { source: crlf(YAML_ADD), path: ['description'] },
    'replaced (BOM, CRLF)': { source: crlf(YAML_REPLACE), path: ['description'], old: 'old value' },
    'added in a nested map': { source: '---\ntitle: Hello\nseo:\n  canonical: /x/  # keep\nafter: 1\n---\nBody\n', path: ['seo', 'description'] },
  },
  toml: {
    added: { source: TOML_ADD, path: ['description'] },
    replaced: { source: TOML_REPLACE, path: ['description'], old: '"old value"' },
    'added (BOM, CRLF)': { source: crlf(TOML_ADD), path: ['description'] },
    'replaced (BOM, CRLF)': { source: crlf(TOML_REPLACE), path: ['description'], old: '"old value"' },
    'added in a [table]': { source: '+++\ntitle = "Hello"\n\n[seo]\ncanonical = "/x/"\n\n[[menu]]\nname = "a"\n+++\nBody\n', path: ['seo', 'description'] },
  },
  json: {
    added: { source: JSON_ADD, path: ['description'] },
    replaced: { source: JSON_REPLACE, path: ['description'], old: '"old value"' },
    'added (BOM, CRLF)': { source: crlf(JSON_ADD), path: ['description'] },
    'replaced (BOM, CRLF)': { source: crlf(JSON_REPLACE), path: ['description'], old: '"old value"' },
    'added in a nested object': { source: '{\n\t"title": "Hello",\n\t"seo": {\n\t\t"canonical": "/x/"\n\t},\n\t"after": 1\n}\nBody\n', path: ['seo', 'description'] },
  },
};

const CASES = 60;

describe.each(Object.entries(SCENARIOS))('%s front matter: random hostile strings', (format, scenarios) => {
  it.each(Object.entries(scenarios))('read back exactly when %s, nothing else changed', (name, { source, path, old }) => {
    const next = random([...`${format} ${name}`].reduce((hash, ch) => Math.imul(hash, 31) + ch.charCodeAt(0), 7));
    const oldStart = old === undefined ? -1 : source.indexOf(old);
    for (let i = 0; i < CASES; i++) {
      const value = hostile(next);
      const label = `${format} ${name} ${JSON.stringify(value)}`;
      const written = setField(source, path, value);
      expect(getField(parseFrontMatter(written).data, path), label).toBe(value);
      expectOnlyFieldChanged(label, source, written, path, value);
      const [start, end] = changedRange(source, written);
      if (old === undefined) expect(end, `${label}: a pure insertion`).toBe(start);
      else expect([start >= oldStart, end <= oldStart + old.length], `${label}: only the old value's bytes change`).toEqual([true, true]);
    }
  });
});
