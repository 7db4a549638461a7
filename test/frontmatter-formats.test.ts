import { describe, expect, it } from 'vitest';
import { setField } from '../src/frontmatter/edit.js';
import { FrontMatterError, parseFrontMatter } from '../src/frontmatter/read.js';
import { dominantFormat } from '../src/io/tree.js';
import { expectOnlyFieldChanged } from './helpers/bytes.js';
import { errorOf } from './helpers/errors.js';

const crlf = (text: string) => text.replace(/\n/g, '\r\n');

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

  it('keeps every date and time form exactly as written', () => {
    const dates = ['1979-05-27', '1979-05-27T07:32:00Z', '1979-05-27 07:32:00.5', '1979-05-27t07:32:00.999999-07:00', '1979-05-27T07:32:00', '07:32', '00:32:00.25'];
    const lines = dates.map((date, i) => `d${i} = ${date}  # comment`).join('\n');
    const { data } = parseFrontMatter(`+++\n${lines}\nlist = [1979-05-27, 07:32:00]\ninline = { at = 1979-05-27 07:32:00Z }\n+++\n`);
    expect(dates.map((_, i) => data[`d${i}`])).toEqual(dates);
    expect(data).toMatchObject({ list: ['1979-05-27', '07:32:00'], inline: { at: '1979-05-27 07:32:00Z' } });
  });

  it('reads a BOM, CRLF and an empty block; dates inside strings stay strings', () => {
    const parsed = parseFrontMatter("\uFEFF+++\r\ntitle = \"2024-03-05\"\r\nnote = '''\r\n1979-05-27'''\r\n+++\r\nBody\r\n");
    expect(parsed).toEqual({ format: 'toml', data: { title: '2024-03-05', note: '1979-05-27' }, body: 'Body\r\n', bodyLine: 6 });
    expect(parseFrontMatter('+++\n+++\nBody\n')).toEqual({ format: 'toml', data: {}, body: 'Body\n', bodyLine: 3 });
  });

  it('reports broken TOML at its line and column in the file, and an unclosed block', () => {
    const error = errorOf(() => parseFrontMatter('\uFEFF+++\r\ntitle = "ok"\r\ndate = "unclosed\r\n+++\r\nx\r\n'));
    expect([error.line, error.column, error.message]).toEqual([3, 17, 'invalid TOML: control characters are not allowed in strings']);
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

describe('TOML edits in awkward places', () => {
  const MULTI = `+++
title = "x"   # the title
matrix = [
  [1, 2]
]
body = """
[fake]
title = "not this one"
"""
seo = { canonical = "/x/" }  # inline
blank = ""

# Settings for search engines
[params]
x = 1

[[menu]]
name = "a"
+++
Body
`;

  it('is not misled by multi-line arrays and strings that look like headers or keys', () => {
    expect(setField(MULTI, ['title'], 'T')).toBe(MULTI.replace('title = "x"', 'title = "T"'));
    expect(setField(MULTI, ['description'], 'D')).toBe(MULTI.replace('blank = ""\n', 'blank = ""\ndescription = "D"\n'));
    expect(setField(MULTI, ['params', 'y'], 2)).toBe(MULTI.replace('x = 1\n', 'x = 1\ny = 2\n'));
  });

  it('replaces a multi-line value as a whole, keeping what follows it', () => {
    expect(setField(MULTI, ['matrix'], [[3]])).toBe(MULTI.replace('[\n  [1, 2]\n]', '[[3]]'));
    expect(setField(MULTI, ['body'], 'one\nline')).toBe(MULTI.replace(/body = """[^]*?"""/, 'body = "one\\nline"'));
  });

  it('adds to and replaces inside an inline table', () => {
    expect(setField(MULTI, ['seo', 'description'], 'D')).toBe(MULTI.replace('"/x/" }', '"/x/", description = "D" }'));
    expect(setField(MULTI, ['seo', 'canonical'], '/y/')).toBe(MULTI.replace('"/x/"', '"/y/"'));
    expect(setField(MULTI, ['seo', 'og', 'title'], 'O')).toBe(MULTI.replace('"/x/" }', '"/x/", og.title = "O" }'));
    expect(setField('+++\nseo = {}\n+++\n', ['seo', 'a'], 1)).toBe('+++\nseo = { a = 1 }\n+++\n');
  });

  it('turns a blank value into a table, and writes lists of maps inline', () => {
    expect(setField(MULTI, ['blank', 'x'], 'y')).toBe(MULTI.replace('blank = ""', 'blank = { x = "y" }'));
    const value = [{ name: 'a', tags: ['x'] }, { 'odd key': true }];
    expect(setField(MULTI, ['items'], value)).toContain('\nitems = [{ name = "a", tags = ["x"] }, { "odd key" = true }]\n');
  });

  it('puts a top-level key above the first table and the comment that belongs to it', () => {
    const text = '+++\n# file comment\n\n# about params\n[params]\nx = 1\n+++\n';
    expect(setField(text, ['title'], 'T')).toBe('+++\n# file comment\n\ntitle = "T"\n# about params\n[params]\nx = 1\n+++\n');
    expect(setField('+++\n[params]\n+++\n', ['params', 'x'], 1)).toBe('+++\n[params]\nx = 1\n+++\n');
    expect(setField('+++\n+++\nBody\n', ['title'], 'T')).toBe('+++\ntitle = "T"\n+++\nBody\n');
  });

  it('writes into a parent made only by a sub-table as a dotted key, quoting keys that need it', () => {
    const text = '+++\n[seo.og]\nimage = "i.png"\n+++\n';
    expect(setField(text, ['seo', 'description'], 'D')).toBe('+++\nseo.description = "D"\n[seo.og]\nimage = "i.png"\n+++\n');
    expect(setField(text, ['seo', 'og', 'alt text'], 'A')).toBe('+++\n[seo.og]\nimage = "i.png"\n"alt text" = "A"\n+++\n');
  });

  it('refuses what it cannot write as one entry, saying why', () => {
    expect(() => setField(MULTI, ['params'], 'flat')).toThrow(/params is written as \[table\] sections or dotted keys/);
    expect(() => setField('+++\na.b = 1\n+++\n', ['a'], 2)).toThrow(/dotted keys/);
    expect(() => setField(MULTI, ['menu', 'name'], 'b')).toThrow(/menu is a list, not a map/);
    expect(() => setField(MULTI, ['title', 'x'], 'b')).toThrow(/title is a value, not a map/);
    expect(() => setField(MULTI, ['tags'], ['a', null])).toThrow(/TOML has no null, so tags\[1\]/);
  });
});

describe('JSON front matter', () => {
  it('reads a bare object at the top of the file', () => {
    const parsed = parseFrontMatter(JSON_FM);
    expect(parsed.format).toBe('json');
    expect(parsed.data).toEqual({ title: 'Hello', date: '2024-03-05', tags: ['a', 'b'] });
    expect(parsed.body).toBe('Body text.\n');
    expect(parseFrontMatter(`\uFEFF${crlf(JSON_FM)}`).body).toBe('Body text.\r\n');
  });

  it('is strict: comments, trailing commas and duplicate keys are reported where they are', () => {
    expect(errorOf(() => parseFrontMatter('{\n  "a": 1,\n}\nBody\n')).line).toBe(3);
    expect(errorOf(() => parseFrontMatter('{\n  "a": 1, // no\n  "b": 2\n}\n')).line).toBe(2);
    const duplicate = errorOf(() => parseFrontMatter('{\n  "a": 1,\n  "a": 2\n}\n'));
    expect([duplicate.line, duplicate.message]).toEqual([3, 'duplicate key "a"']);
  });

  it('names comments and trailing commas, and reports an object that never closes', () => {
    expect(errorOf(() => parseFrontMatter('{\n  "a": 1 /* no */\n}\n')).message).toBe('comments are not allowed (front matter must be strict JSON)');
    expect(errorOf(() => parseFrontMatter('{\n  "a": [1, 2,]\n}\n')).message).toBe('trailing commas are not allowed (front matter must be strict JSON)');
    // Where the object runs into the body, or at its start when the file ends first.
    const runsOn = errorOf(() => parseFrontMatter('{\n  "a": 1\n\nBody\n'));
    expect([runsOn.line, runsOn.column]).toEqual([4, 1]);
    const unclosed = errorOf(() => parseFrontMatter('{\n  "a": 1\n'));
    expect([unclosed.line, unclosed.column, unclosed.message]).toEqual([1, 1, 'JSON front matter opened on line 1 is never closed (expected a matching })']);
    // A BOM is not a column.
    expect(errorOf(() => parseFrontMatter('\uFEFF{"a": 1, "a": 2}\n')).column).toBe(10);
  });

  it('is not fooled by an MDX expression at the top of a file', () => {
    expect(parseFrontMatter('{/* a comment */}\n\n# Title\n').format).toBe('none');
  });

  it('adds a key at the end with the file’s indentation, and replaces one in place', () => {
    const added = setField(JSON_FM, ['description'], 'New "one".');
    expect(added).toBe(JSON_FM.replace('"tags": ["a", "b"]\n', '"tags": ["a", "b"],\n    "description": "New \\"one\\"."\n'));
    expectOnlyFieldChanged('json', JSON_FM, added, ['description'], 'New "one".');
    expect(setField(JSON_FM, ['title'], 'Hi')).toBe(JSON_FM.replace('"Hello"', '"Hi"'));
    const tabs = '{\r\n\t"title": "T"\r\n}\r\nBody\r\n';
    expect(setField(tabs, ['description'], 'D')).toBe('{\r\n\t"title": "T",\r\n\t"description": "D"\r\n}\r\nBody\r\n');
  });

  it('creates nested objects under the deepest existing one, with the file’s indentation', () => {
    const next = setField(JSON_FM, ['seo', 'og', 'title'], 'O');
    expect(next).toBe(JSON_FM.replace('"tags": ["a", "b"]\n', '"tags": ["a", "b"],\n    "seo": {\n        "og": {\n            "title": "O"\n        }\n    }\n'));
    expect(setField(next, ['seo', 'description'], 'D')).toContain('        },\n        "description": "D"\n    }\n}');
    expect(setField('{\n  "seo": {}\n}\n', ['seo', 'x'], 1)).toBe('{\n  "seo": {\n    "x": 1\n  }\n}\n');
    expect(setField('{\n  "seo": null\n}\n', ['seo', 'x'], 1)).toBe('{\n  "seo": {\n    "x": 1\n  }\n}\n');
  });

  it('keeps one-line objects and lists on one line', () => {
    expect(setField('{"title": "T"}\nBody\n', ['tags'], ['a', 'b'])).toBe('{"title": "T", "tags": ["a", "b"]}\nBody\n');
    expect(setField(JSON_FM, ['tags'], ['c'])).toBe(JSON_FM.replace('["a", "b"]', '["c"]'));
  });

  it('refuses a path through a list or a value', () => {
    expect(() => setField(JSON_FM, ['tags', 'x'], 1)).toThrow(/tags is a list, not a map/);
    expect(() => setField(JSON_FM, ['title', 'x'], 1)).toThrow(/title is a value, not a map/);
  });
});

describe('a file without front matter', () => {
  it('gets a new block in the format given (the site’s dominant one), with its BOM and line endings', () => {
    expect(setField('# Title\n\nBody\n', ['description'], 'D')).toBe('---\ndescription: D\n---\n# Title\n\nBody\n');
    expect(setField('# Title\r\n', ['description'], 'D', { newBlockFormat: 'toml' })).toBe('+++\r\ndescription = "D"\r\n+++\r\n# Title\r\n');
    expect(setField('\uFEFF# Title\n', ['seo', 'description'], 'D', { newBlockFormat: 'json' })).toBe('\uFEFF{\n  "seo": {\n    "description": "D"\n  }\n}\n# Title\n');
  });

  it('is not written when the front matter does not parse, or there is nothing to write', () => {
    expect(() => setField('+++\ntitle = \n+++\n', ['description'], 'D')).toThrow(FrontMatterError);
    expect(() => setField('# Title\n', [], 'D')).toThrow(/empty field path/);
    expect(() => setField('# Title\n', ['description'], undefined)).toThrow(/no value/);
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
