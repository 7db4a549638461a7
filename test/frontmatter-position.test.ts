import { describe, expect, it } from 'vitest';
import { setField } from '../src/frontmatter/edit.js';

const crlf = (text: string) => text.replace(/\n/g, '\r\n');

describe('setField with `after`: YAML', () => {
  const YAML = `---
# Site post
title: Hello   # the title
summary: |
  First line.

  Second line.

# Dates
date: 2024-03-05
seo:
  canonical: /hello/
  og:
    image: a.png   # og
  # end of seo
tags:
  - a
  - b
---
Body
`;

  it('adds a top-level key right after title, before the comment lines and block scalar that follow', () => {
    expect(setField(YAML, ['description'], 'New', { after: ['title'] })).toBe(YAML.replace('# the title\n', '# the title\ndescription: New\n'));
  });

  it('goes after a multi-line block scalar, before the blank line and comment below it', () => {
    expect(setField(YAML, ['description'], 'New', { after: ['summary'] })).toBe(YAML.replace('  Second line.\n', '  Second line.\ndescription: New\n'));
  });

  it('goes after a nested block map, before the comment line that ends it', () => {
    expect(setField(YAML, ['description'], 'New', { after: ['seo'] })).toBe(YAML.replace('# og\n', '# og\ndescription: New\n'));
  });

  it('uses the first `after` key the map has', () => {
    expect(setField(YAML, ['description'], 'New', { after: ['subtitle', 'date', 'title'] })).toBe(YAML.replace('date: 2024-03-05\n', 'date: 2024-03-05\ndescription: New\n'));
  });

  it('adds into an existing nested map after its key', () => {
    expect(setField(YAML, ['seo', 'description'], 'New', { after: ['canonical'] })).toBe(YAML.replace('  canonical: /hello/\n', '  canonical: /hello/\n  description: New\n'));
  });

  it('creates a new parent map placed after title', () => {
    const source = '---\ntitle: Hi # t\ndate: 2024-03-05\n---\nBody\n';
    expect(setField(source, ['meta', 'description'], 'New', { after: ['title'] })).toBe('---\ntitle: Hi # t\nmeta:\n  description: New\ndate: 2024-03-05\n---\nBody\n');
  });

  it('falls back to the end when none of the `after` keys exist', () => {
    const expected = YAML.replace('  - b\n---', '  - b\ndescription: New\n---');
    expect(setField(YAML, ['description'], 'New', { after: ['nope', 'missing'] })).toBe(expected);
    expect(setField(YAML, ['description'], 'New')).toBe(expected);
  });

  it('replaces an existing field in place whatever `after` says', () => {
    const source = '---\ntitle: Hi\ndate: 2024-03-05\ndescription:\ntags: [a]\n---\n';
    expect(setField(source, ['description'], 'New', { after: ['title'] })).toBe('---\ntitle: Hi\ndate: 2024-03-05\ndescription: New\ntags: [a]\n---\n');
    const empty = '---\ntitle: Hi\ndate: 2024-03-05\ndescription: ""\n---\n';
    expect(setField(empty, ['description'], 'New', { after: ['title'] })).toBe('---\ntitle: Hi\ndate: 2024-03-05\ndescription: New\n---\n');
  });

  it('keeps CRLF line endings and a BOM', () => {
    const source = '\uFEFF' + crlf(YAML);
    expect(setField(source, ['description'], 'Line one\nline two', { after: ['title'] })).toBe(
      '\uFEFF' + crlf(YAML.replace('# the title\n', '# the title\ndescription: |-\n  Line one\n  line two\n')),
    );
  });

  it('goes after a multi-line flow value and a key with an empty value', () => {
    const source = '---\ntags: [a,\n  b]   # tags\nnote:\n# comment\nlast: 1\n---\n';
    expect(setField(source, ['x'], 1, { after: ['tags'] })).toBe('---\ntags: [a,\n  b]   # tags\nx: 1\nnote:\n# comment\nlast: 1\n---\n');
    expect(setField(source, ['x'], 1, { after: ['note'] })).toBe('---\ntags: [a,\n  b]   # tags\nnote:\nx: 1\n# comment\nlast: 1\n---\n');
  });

  it('goes after a `|+` block scalar including its kept blank lines', () => {
    const source = '---\nkeep: |+\n  a\n\nlast: 1\n---\n';
    expect(setField(source, ['x'], 1, { after: ['keep'] })).toBe('---\nkeep: |+\n  a\n\nx: 1\nlast: 1\n---\n');
  });

  it('places a key inside a flow map after the named entry', () => {
    const source = '---\nseo: {a: 1, b: 2}\n---\n';
    expect(setField(source, ['seo', 'x'], 3, { after: ['a'] })).toBe('---\nseo: {a: 1, x: 3, b: 2}\n---\n');
  });
});

describe('setField with `after`: TOML', () => {
  const TOML = `+++
# Hugo
title = "Hello"   # trailing
tags = [
  "a",  # first
  "b",
]
# dates
date = 2024-03-05

[params]
author = "Me"
mood = "ok"

[seo]
canonical = "/hello/"
+++
Body
`;

  it('adds a top-level key after title when tables follow', () => {
    expect(setField(TOML, ['description'], 'New', { after: ['title'] })).toBe(TOML.replace('# trailing\n', '# trailing\ndescription = "New"\n'));
  });

  it('goes after a multi-line array, before the comment below it', () => {
    expect(setField(TOML, ['description'], 'New', { after: ['tags'] })).toBe(TOML.replace('  "b",\n]\n', '  "b",\n]\ndescription = "New"\n'));
  });

  it('adds inside a [params] table after the named key', () => {
    expect(setField(TOML, ['params', 'description'], 'New', { after: ['author'] })).toBe(TOML.replace('author = "Me"\n', 'author = "Me"\ndescription = "New"\n'));
  });

  it('falls back to the section end when no `after` key is in the map', () => {
    expect(setField(TOML, ['description'], 'New', { after: ['missing'] })).toBe(TOML.replace('2024-03-05\n', '2024-03-05\ndescription = "New"\n'));
    // `seo` is a [table] of its own: a top-level key cannot follow it, so it goes to the top level's end.
    expect(setField(TOML, ['description'], 'New', { after: ['seo'] })).toBe(TOML.replace('2024-03-05\n', '2024-03-05\ndescription = "New"\n'));
  });

  it('adds inside an inline table after the named entry', () => {
    const source = '+++\ntitle = "Hi"\nseo = { canonical = "/x/", og = { image = "a.png" }, robots = "all" }\n+++\n';
    expect(setField(source, ['seo', 'description'], 'New', { after: ['canonical'] })).toBe(
      '+++\ntitle = "Hi"\nseo = { canonical = "/x/", description = "New", og = { image = "a.png" }, robots = "all" }\n+++\n',
    );
    expect(setField(source, ['seo', 'description'], 'New', { after: ['og'] })).toBe(
      '+++\ntitle = "Hi"\nseo = { canonical = "/x/", og = { image = "a.png" }, description = "New", robots = "all" }\n+++\n',
    );
  });

  it('creates a dotted key after title, keeping CRLF', () => {
    const source = crlf('+++\ntitle = "Hi"\ndate = 2024-03-05\n+++\nBody\n');
    expect(setField(source, ['seo', 'description'], 'New', { after: ['title'] })).toBe(crlf('+++\ntitle = "Hi"\nseo.description = "New"\ndate = 2024-03-05\n+++\nBody\n'));
  });

  it('replaces an existing field in place whatever `after` says', () => {
    const source = '+++\ntitle = "Hi"\ndate = 2024-03-05\ndescription = ""\n+++\n';
    expect(setField(source, ['description'], 'New', { after: ['title'] })).toBe('+++\ntitle = "Hi"\ndate = 2024-03-05\ndescription = "New"\n+++\n');
  });
});

describe('setField with `after`: JSON', () => {
  const JSON_FM = `{
    "title": "Hello",
    "seo": {
        "canonical": "/hello/"
    },
    "tags": ["a", "b"]
}
Body
`;

  it('adds a key after "title" in a pretty-printed object', () => {
    expect(setField(JSON_FM, ['description'], 'New', { after: ['title'] })).toBe(JSON_FM.replace('"Hello",\n', '"Hello",\n    "description": "New",\n'));
  });

  it('adds a key after a property whose value is a nested object', () => {
    expect(setField(JSON_FM, ['description'], 'New', { after: ['seo'] })).toBe(JSON_FM.replace('    },\n', '    },\n    "description": "New",\n'));
  });

  it('adds a nested object after "title", keeping CRLF', () => {
    expect(setField(crlf(JSON_FM), ['meta', 'description'], 'New', { after: ['title'] })).toBe(
      crlf(JSON_FM.replace('"Hello",\n', '"Hello",\n    "meta": {\n        "description": "New"\n    },\n')),
    );
  });

  it('adds into a one-line object', () => {
    const source = '{"title": "Hi", "date": "2024-03-05"}\nBody\n';
    expect(setField(source, ['description'], 'New', { after: ['title'] })).toBe('{"title": "Hi", "description": "New", "date": "2024-03-05"}\nBody\n');
  });

  it('falls back to the end when no `after` key exists, and replaces existing keys in place', () => {
    expect(setField(JSON_FM, ['description'], 'New', { after: ['nope'] })).toBe(JSON_FM.replace('["a", "b"]\n', '["a", "b"],\n    "description": "New"\n'));
    const source = '{"title": "Hi", "date": "2024-03-05", "description": null}\n';
    expect(setField(source, ['description'], 'New', { after: ['title'] })).toBe('{"title": "Hi", "date": "2024-03-05", "description": "New"}\n');
  });
});
