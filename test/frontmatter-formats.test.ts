import { describe, expect, it } from 'vitest';
import { setField } from '../src/frontmatter/edit.js';
import { FrontMatterError, parseFrontMatter } from '../src/frontmatter/read.js';
import { dominantFormat } from '../src/io/tree.js';
import { expectOnlyFieldChanged } from './helpers/bytes.js';

const crlf = (text: string) => text.replace(/\n/g, '\r\n');
const errorOf = (fn: () => unknown): FrontMatterError => {
  try {
    fn();
  } catch (error) {
    if (error instanceof FrontMatterError) return error;
    throw error;
  }
  throw new Error('expected a FrontMatterError');
};

const TOML = `+++
# Hugo front matter
title = "Hello"   # trailing comment
date = 2024-03-05
updated = 2024-03-05T10:20:30+02:00
tags = ["a", "b"]
draft = false

[seo]
canonical = "/hello/"
+++
Body text.
`;

const JSON_FM = `{
    "title": "Hello",
    "date": "2024-03-05",
    "tags": ["a", "b"]
}
Body text.
`;

describe('TOML front matter', () => {
  it('reads data with dates as written, and the body', () => {
    const parsed = parseFrontMatter(TOML);
    expect(parsed.format).toBe('toml');
    expect(parsed.data).toEqual({ title: 'Hello', date: '2024-03-05', updated: '2024-03-05T10:20:30+02:00', tags: ['a', 'b'], draft: false, seo: { canonical: '/hello/' } });
    expect(parsed.body).toBe('Body text.\n');
    expect(parseFrontMatter(crlf(TOML)).body).toBe('Body text.\r\n');
  });

  it('reports broken TOML at its line in the file, and an unclosed block', () => {
    const error = errorOf(() => parseFrontMatter('+++\ntitle = "ok"\ndate = "unclosed\n+++\nx\n'));
    expect(error.line).toBe(3);
    expect(errorOf(() => parseFrontMatter('+++\ntitle = "x"\n')).message).toMatch(/never closed/);
  });

  it('adds a top-level key before the first table, keeping everything else', () => {
    const next = setField(TOML, ['description'], 'A "quoted" description: with # and \\ inside.');
    expect(next).toContain('draft = false\ndescription = "A \\"quoted\\" description: with # and \\\\ inside."\n\n[seo]');
    expectOnlyFieldChanged('toml', TOML, next, ['description'], 'A "quoted" description: with # and \\ inside.');
  });

  it('replaces a value and keeps the trailing comment and spacing', () => {
    const next = setField(TOML, ['title'], 'Bonjour');
    expect(next).toContain('title = "Bonjour"   # trailing comment\n');
    expect(next.replace('"Bonjour"', '"Hello"')).toBe(TOML);
  });

  it('writes a dotted path into its [table], or as a dotted key when there is none', () => {
    expect(setField(TOML, ['seo', 'description'], 'Nested.')).toContain('[seo]\ncanonical = "/hello/"\ndescription = "Nested."\n+++');
    const plain = '+++\ntitle = "x"\n+++\nBody\n';
    expect(setField(plain, ['seo', 'description'], 'Dotted.')).toBe('+++\ntitle = "x"\nseo.description = "Dotted."\n+++\nBody\n');
  });

  it('writes objects as inline tables, keeps CRLF, and refuses null', () => {
    const value = { sentiment: 'negative', urgency: 'high' };
    const next = setField(crlf(TOML), ['analysis'], value);
    expect(next).toContain('analysis = { sentiment = "negative", urgency = "high" }\r\n');
    expect(next.replace(/\r\n/g, '')).not.toMatch(/\n/);
    expect(() => setField(TOML, ['analysis'], { main_issue: null })).toThrow(/TOML has no null/);
  });
});

describe('JSON front matter', () => {
  it('reads a bare object at the top of the file', () => {
    const parsed = parseFrontMatter(JSON_FM);
    expect(parsed.format).toBe('json');
    expect(parsed.data).toEqual({ title: 'Hello', date: '2024-03-05', tags: ['a', 'b'] });
    expect(parsed.body).toBe('Body text.\n');
  });

  it('is strict: comments, trailing commas and duplicate keys are reported where they are', () => {
    expect(errorOf(() => parseFrontMatter('{\n  "a": 1,\n}\nBody\n')).line).toBe(3);
    expect(errorOf(() => parseFrontMatter('{\n  "a": 1, // no\n  "b": 2\n}\n')).line).toBe(2);
    const duplicate = errorOf(() => parseFrontMatter('{\n  "a": 1,\n  "a": 2\n}\n'));
    expect([duplicate.line, duplicate.message]).toEqual([3, 'duplicate key "a"']);
  });

  it('is not fooled by an MDX expression at the top of a file', () => {
    expect(parseFrontMatter('{/* a comment */}\n\n# Title\n').format).toBe('none');
  });

  it('adds a key at the end with the file’s indentation, and replaces one in place', () => {
    const added = setField(JSON_FM, ['description'], 'New "one".');
    expect(added).toBe(JSON_FM.replace('"tags": ["a", "b"]\n', '"tags": ["a", "b"],\n    "description": "New \\"one\\"."\n'));
    expectOnlyFieldChanged('json', JSON_FM, added, ['description'], 'New "one".');
    expect(setField(JSON_FM, ['title'], 'Hi')).toBe(JSON_FM.replace('"Hello"', '"Hi"'));
    const tabs = '{\n\t"title": "T"\n}\r\nBody\r\n'.replace(/\n/g, '\r\n').replace(/\r\r/g, '\r');
    expect(setField(tabs, ['description'], 'D')).toBe('{\r\n\t"title": "T",\r\n\t"description": "D"\r\n}\r\nBody\r\n');
  });
});

describe('a file without front matter', () => {
  it('gets a new block in the format given (the site’s dominant one), with its BOM and line endings', () => {
    expect(setField('# Title\n\nBody\n', ['description'], 'D')).toBe('---\ndescription: D\n---\n# Title\n\nBody\n');
    expect(setField('# Title\r\n', ['description'], 'D', { newBlockFormat: 'toml' })).toBe('+++\r\ndescription = "D"\r\n+++\r\n# Title\r\n');
    expect(setField('\uFEFF# Title\n', ['seo', 'description'], 'D', { newBlockFormat: 'json' })).toBe('\uFEFF{\n  "seo": {\n    "description": "D"\n  }\n}\n# Title\n');
  });
});

describe('the site’s dominant format', () => {
  it('is the most used one, YAML on a tie or when no file has front matter', () => {
    expect(dominantFormat(['toml', 'toml', 'yaml', undefined, 'none'])).toBe('toml');
    expect(dominantFormat(['json', 'yaml', 'json'])).toBe('json');
    expect(dominantFormat(['json', 'yaml'])).toBe('yaml');
    expect(dominantFormat(['none', undefined])).toBe('yaml');
  });
});
