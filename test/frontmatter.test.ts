import { describe, expect, it } from 'vitest';
import { findCaseVariant, getField, isMissing, nest, parseFieldPath, withField } from '../src/frontmatter/field-path.js';
import { FrontMatterError, parseFrontMatter } from '../src/frontmatter/read.js';
import { setField } from '../src/frontmatter/yaml-edit.js';

const BOM = '\uFEFF';
const crlf = (text: string) => text.replace(/\n/g, '\r\n');

function errorOf(fn: () => unknown): FrontMatterError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(FrontMatterError);
    return error as FrontMatterError;
  }
  throw new Error('expected a FrontMatterError');
}

describe('parseFrontMatter', () => {
  it('reads a YAML block: dates and YAML 1.1 booleans stay the strings written', () => {
    const parsed = parseFrontMatter('---\ntitle: Hi\ndate: 2024-03-05\ndraft: yes\ncount: 3\ntags: [a, b]\n---\n# Body\n');
    expect(parsed).toEqual({
      format: 'yaml',
      data: { title: 'Hi', date: '2024-03-05', draft: 'yes', count: 3, tags: ['a', 'b'] },
      body: '# Body\n',
      bodyLine: 8,
    });
  });

  it('handles a BOM and CRLF line endings', () => {
    const parsed = parseFrontMatter(`${BOM}---\r\ntitle: Hi\r\n---\r\nBody\r\n`);
    expect(parsed).toEqual({ format: 'yaml', data: { title: 'Hi' }, body: 'Body\r\n', bodyLine: 4 });
  });

  it('reads empty and comment-only blocks as no data', () => {
    expect(parseFrontMatter('---\n---\nBody')).toEqual({ format: 'yaml', data: {}, body: 'Body', bodyLine: 3 });
    expect(parseFrontMatter('---\r\n---')).toEqual({ format: 'yaml', data: {}, body: '', bodyLine: 2 });
    expect(parseFrontMatter('---\n# nothing yet\n---\n').data).toEqual({});
  });

  it('ends a block at `...`, and a later `---` is body', () => {
    const parsed = parseFrontMatter('---\ntitle: Hi\n...\nBody\n\n---\n\nMore\n');
    expect(parsed.data).toEqual({ title: 'Hi' });
    expect(parsed.body).toBe('Body\n\n---\n\nMore\n');
  });

  it('accepts blanks after a fence and a `---yaml` opener', () => {
    expect(parseFrontMatter('--- \na: 1\n---  \nBody').body).toBe('Body');
    expect(parseFrontMatter('---yaml\na: 1\n---\n').data).toEqual({ a: 1 });
  });

  it('reads a file without front matter as body only', () => {
    expect(parseFrontMatter('# Title\n\ntext')).toEqual({ format: 'none', data: {}, body: '# Title\n\ntext', bodyLine: 1 });
    expect(parseFrontMatter(`${BOM}text`).body).toBe('text');
    expect(parseFrontMatter('----\n\ntext\n---\n').format).toBe('none');
    expect(parseFrontMatter('').format).toBe('none');
  });

  it('keeps tagged values as plain strings', () => {
    expect(parseFrontMatter('---\na: !!binary aGk=\nb: !!timestamp 2024-01-01\n---\n').data).toEqual({ a: 'aGk=', b: '2024-01-01' });
  });

  it('reports duplicate keys at their line and column in the file', () => {
    const error = errorOf(() => parseFrontMatter(`${BOM}---\r\ntitle: a\r\nseo:\r\n  x: 1\r\ntitle: b\r\n---\r\n`));
    expect(error.message).toMatch(/unique/);
    expect([error.line, error.column]).toEqual([5, 1]);
  });

  it('reports YAML syntax errors at their line in the file', () => {
    const error = errorOf(() => parseFrontMatter('---\ntitle: ok\ntags: [a, b\nnext: 1\n---\nbody'));
    expect(error.line).toBeGreaterThanOrEqual(3);
    expect(error.line).toBeLessThanOrEqual(4);
    expect(errorOf(() => parseFrontMatter('---\na: 1\nb: c: d\n---\n')).line).toBe(3);
  });

  it('refuses a block that is not a map', () => {
    expect(errorOf(() => parseFrontMatter('---\n- a\n- b\n---\n'))).toMatchObject({ message: expect.stringMatching(/map.*list/), line: 2 });
    expect(errorOf(() => parseFrontMatter('---\njust text\n---\n')).message).toMatch(/single value/);
  });

  it('refuses an unclosed block and an alias without anchor', () => {
    expect(errorOf(() => parseFrontMatter('---\ntitle: a\n\nbody')).message).toMatch(/never closed/);
    expect(errorOf(() => parseFrontMatter('---\na: *nope\n---\n')).message).toMatch(/alias/i);
  });

  it.each(['js', 'javascript', 'coffee', 'coffeescript', 'toml'])('refuses ---%s without evaluating it', (language) => {
    const payload = `---${language}\n(globalThis.__batchmatterPwned = true, { title: 'x' })\n---\nbody\n`;
    const error = errorOf(() => parseFrontMatter(payload));
    expect(error.message).toBe(`front matter language '${language}' is not allowed: batchmatter never evaluates content as code`);
    expect(error.line).toBe(1);
    expect((globalThis as Record<string, unknown>).__batchmatterPwned).toBeUndefined();
    expect(() => setField(payload, ['title'], 'y')).toThrow(FrontMatterError);
    expect((globalThis as Record<string, unknown>).__batchmatterPwned).toBeUndefined();
  });

  it('reads `--- # comment` as YAML, merges `<<` keys as site readers do, refuses a self-containing alias and a lone-CR block', () => {
    expect(parseFrontMatter('--- # front matter\ntitle: A\n---\nBody.\n').data).toEqual({ title: 'A' });
    expect(parseFrontMatter('---\ndefaults: &d\n  description: Human\ntitle: M\n<<: *d\n---\n').data).toMatchObject({ title: 'M', description: 'Human' });
    const cycle = errorOf(() => parseFrontMatter('---\ntitle: &a [*a]\n---\nBody\n'));
    expect(cycle.message).toMatch(/an alias refers to the map or list it is inside/);
    expect(cycle.line).toBe(2);
    // Taken for a file without front matter, it would get a second block on top.
    expect(errorOf(() => parseFrontMatter('---\rtitle: A\rdescription: Human\r---\rBody.\r')).message).toMatch(/old Mac line endings/);
    expect(() => setField('---\rtitle: A\r---\rBody.\r', ['description'], 'x')).toThrow(FrontMatterError);
  });

  it('parses fresh each time: data objects are not shared between calls', () => {
    const text = '---\nseo:\n  a: 1\n---\n';
    (parseFrontMatter(text).data.seo as Record<string, unknown>).a = 2;
    expect(parseFrontMatter(text).data).toEqual({ seo: { a: 1 } });
  });
});

describe('field paths', () => {
  it('splits dotted paths and rejects empty segments', () => {
    expect(parseFieldPath('seo.description')).toEqual(['seo', 'description']);
    expect(parseFieldPath('title')).toEqual(['title']);
    for (const bad of ['', '.a', 'a.', 'a..b', 'a. .b']) expect(() => parseFieldPath(bad)).toThrow(/empty segment/);
  });

  it('reads nested fields and tells missing values apart', () => {
    const data = { seo: { description: 'x' }, tags: ['a'], title: '' };
    expect(getField(data, ['seo', 'description'])).toBe('x');
    expect(getField(data, ['seo', 'nope'])).toBeUndefined();
    expect(getField(data, ['tags', '0'])).toBeUndefined();
    expect(getField(data, ['toString'])).toBeUndefined();
    for (const missing of [undefined, null, '', '  \n']) expect(isMissing(missing)).toBe(true);
    for (const present of ['x', 0, false, [], {}]) expect(isMissing(present)).toBe(false);
    expect(withField(data, ['seo', 'title'], 'T')).toEqual({ ...data, seo: { description: 'x', title: 'T' } });
    expect(data.seo).toEqual({ description: 'x' });
    expect(nest(['seo', 'og'], 'v')).toEqual({ seo: { og: 'v' } });
    expect(nest([], 'v')).toBe('v');
  });

  it('finds a key that differs only in case where the field is absent', () => {
    const data = { Description: 'x', SEO: { Title: 't' }, seo2: { Title: 't' }, title: 'T' };
    expect(findCaseVariant(data, ['description'])).toBe('Description');
    expect(findCaseVariant(data, ['seo', 'description'])).toBe('SEO');
    expect(findCaseVariant(data, ['seo2', 'title'])).toBe('seo2.Title');
    expect(findCaseVariant(data, ['title'])).toBeUndefined();
    expect(findCaseVariant(data, ['summary'])).toBeUndefined();
    expect(findCaseVariant({ title: 'T' }, ['title', 'x'])).toBeUndefined();
    // The field blank beside a variant with a value: the variant is the page's description.
    expect(findCaseVariant({ description: '', Description: 'Written by a person' }, ['description'])).toBe('Description');
    expect(findCaseVariant({ seo: { description: null, DESCRIPTION: 'x' } }, ['seo', 'description'])).toBe('seo.DESCRIPTION');
    expect(findCaseVariant({ description: '', Description: '' }, ['description'])).toBeUndefined();
    expect(findCaseVariant({ Description: '' }, ['description'])).toBe('Description');
  });
});

const NASTY = `---
# Post metadata (kept by hand)
title: 'It''s a "test"'   # single quoted
subtitle: "Double \\"quoted\\""
date: 2024-03-05
updated: 2024-03-05T10:00:00+02:00
tags: [markdown,   yaml]    # flow list
authors:
  - &ann Ann
  - Bob
editor: *ann
summary: >
  Folded text
  over lines.
notes: |
  Keep
    indentation

description: ""
draft: false
---
Body\twith\ttabs and trailing spaces   

---

Final.
`;

describe('setField', () => {
  it('replaces an empty string in place, touching nothing else', () => {
    const out = setField(NASTY, ['description'], 'A new: description #1');
    expect(out).toBe(NASTY.replace('description: ""', 'description: "A new: description #1"'));
    expect(parseFrontMatter(out).data.date).toBe('2024-03-05');
  });

  it('adds a new key at the end of the map', () => {
    expect(setField(NASTY, ['summary2'], 'Plain words')).toBe(NASTY.replace('draft: false\n', 'draft: false\nsummary2: Plain words\n'));
  });

  it('adds a nested map when the parent is absent', () => {
    const out = setField(NASTY, ['seo', 'description'], 'Short text');
    expect(out).toBe(NASTY.replace('draft: false\n', 'draft: false\nseo:\n  description: Short text\n'));
  });

  it('keeps CRLF (also on the new lines) and the BOM', () => {
    const source = BOM + crlf(NASTY);
    const out = setField(source, ['seo', 'description'], 'two\nlines');
    expect(out).toBe(BOM + crlf(NASTY.replace('draft: false\n', 'draft: false\nseo:\n  description: |-\n    two\n    lines\n')));
    expect(out.replace(/\r\n/g, '').includes('\n')).toBe(false);
    expect(parseFrontMatter(out).data.seo).toEqual({ description: 'two\nlines' });
  });

  it('fills `key:` (null) and `key: # comment` in place', () => {
    expect(setField('---\ntitle: T\ndescription:\ndraft: true\n---\nB', ['description'], 'D')).toBe('---\ntitle: T\ndescription: D\ndraft: true\n---\nB');
    expect(setField('---\ndescription: # TODO\n---\n', ['description'], 'D')).toBe('---\ndescription: D # TODO\n---\n');
    expect(setField('---\ndescription: ~ # TODO\n---\n', ['description'], 'D')).toBe('---\ndescription: D # TODO\n---\n');
  });

  it('keeps alignment and trailing comments when replacing a value', () => {
    expect(setField('---\ntitle:       Old   # keep\nx: 1\n---\n', ['title'], 'New')).toBe('---\ntitle:       New   # keep\nx: 1\n---\n');
  });

  it('adds to and replaces in an existing nested map, with its indentation', () => {
    const source = '---\nseo:\n    title: T # t\n    # note\nlayout: post\n---\n';
    expect(setField(source, ['seo', 'description'], 'D')).toBe('---\nseo:\n    title: T # t\n    description: D\n    # note\nlayout: post\n---\n');
    expect(setField(source, ['seo', 'title'], 'New: T')).toBe('---\nseo:\n    title: "New: T" # t\n    # note\nlayout: post\n---\n');
  });

  it('fills a null parent with a nested map', () => {
    expect(setField('---\nseo:\nz: 1\n---\n', ['seo', 'description'], 'D')).toBe('---\nseo:\n  description: D\nz: 1\n---\n');
    expect(setField('---\nseo: # later\nz: 1\n---\n', ['seo', 'description'], 'D')).toBe('---\nseo: # later\n  description: D\nz: 1\n---\n');
  });

  it('writes an object value as a block map, nested and indented', () => {
    const value = { sentiment: 'negative', main_issue: null, feature_request: 'dark mode', urgency: 'high' };
    expect(setField('---\ntitle: Review\n---\nText', ['analysis'], value)).toBe(
      '---\ntitle: Review\nanalysis:\n  sentiment: negative\n  main_issue: null\n  feature_request: dark mode\n  urgency: high\n---\nText',
    );
    expect(setField('---\nmeta:\n  author: A\n---\n', ['meta', 'analysis'], { tags: ['a', 'b: c'], score: 3 })).toBe(
      '---\nmeta:\n  author: A\n  analysis:\n    tags:\n      - a\n      - "b: c"\n    score: 3\n---\n',
    );
  });

  it('replaces an existing block map or list, keeping the comment on the key line', () => {
    const source = '---\nanalysis: # generated\n  sentiment: positive\n  extra: 1\nlist:\n- a\n- b\ntitle: T\n---\n';
    expect(setField(source, ['analysis'], { sentiment: 'negative' })).toBe('---\nanalysis: # generated\n  sentiment: negative\nlist:\n- a\n- b\ntitle: T\n---\n');
    expect(setField(source, ['analysis'], 'gone')).toBe('---\nanalysis: gone # generated\nlist:\n- a\n- b\ntitle: T\n---\n');
    expect(setField(source, ['list'], ['c'])).toBe('---\nanalysis: # generated\n  sentiment: positive\n  extra: 1\nlist:\n- c\ntitle: T\n---\n');
  });

  it('replaces block scalars and writes multi-line strings as block scalars', () => {
    expect(setField(NASTY, ['notes'], 'short')).toBe(NASTY.replace('notes: |\n  Keep\n    indentation\n', 'notes: short\n'));
    expect(setField(NASTY, ['summary'], 'new\ntext')).toBe(NASTY.replace('summary: >\n  Folded text\n  over lines.\n', 'summary: |-\n  new\n  text\n'));
    expect(setField('---\nd: old # c\nz: 1\n---\n', ['d'], 'a\nb')).toBe('---\nd: |- # c\n  a\n  b\nz: 1\n---\n');
  });

  it('keeps flow style inside flow maps and for flow lists', () => {
    expect(setField('---\nseo: {title: T}\n---\n', ['seo', 'description'], 'a, b')).toBe('---\nseo: {title: T, description: "a, b"}\n---\n');
    expect(setField('---\nseo: { title: T }\n---\n', ['seo', 'title'], 'x\ny')).toBe('---\nseo: { title: "x\\ny" }\n---\n');
    expect(setField('---\nseo: {}\n---\n', ['seo', 'description'], 'D')).toBe('---\nseo: {description: D}\n---\n');
    expect(setField(NASTY, ['tags'], ['a', 'b c'])).toBe(NASTY.replace('[markdown,   yaml]', '[a, b c]'));
    expect(setField(NASTY, ['tags'], 'now a string')).toBe(NASTY.replace('[markdown,   yaml]', 'now a string'));
    expect(setField('---\ntitle: x\n---\n', ['e'], { nested: {}, list: [] })).toBe('---\ntitle: x\ne:\n  nested: {}\n  list: []\n---\n');
  });

  it.each([
    ['a: b', '"a: b"'],
    ['x #y', '"x #y"'],
    ['- item', '"- item"'],
    ["it's", "it's"],
    ['say "hi"', 'say "hi"'],
    ['"quoted"', `'"quoted"'`],
    ['back\\slash', 'back\\slash'],
    ['🎉 emoji', '🎉 emoji'],
    ['日本語の説明', '日本語の説明'],
    ['42', '"42"'],
    ['1e3', '"1e3"'],
    ['true', '"true"'],
    ['yes', '"yes"'],
    ['off', '"off"'],
    ['null', '"null"'],
    ['~', '"~"'],
    ['2024-03-05', '"2024-03-05"'],
    ['0o17', '"0o17"'],
    ['1:20', '"1:20"'],
    ['', '""'],
    [' lead', '" lead"'],
    ['*star', '"*star"'],
    ['&amp', '"&amp"'],
    ['!bang', '"!bang"'],
    ['%pct', '"%pct"'],
    ['@at', '"@at"'],
    ['`tick', '"`tick"'],
    ['[x]', '"[x]"'],
    ['ends:', '"ends:"'],
    ['cr\r\nlf', '"cr\\r\\nlf"'],
    ['a\n---\nb', '|-\n  a\n  ---\n  b'],
  ])('writes %j so that it reads back as the same string', (value, written) => {
    const out = setField('---\ntitle: x\n---\n', ['description'], value);
    expect(out).toBe(`---\ntitle: x\ndescription: ${written}\n---\n`);
    expect(parseFrontMatter(out).data.description).toBe(value);
  });

  it('adds a block to a file without front matter, after the BOM, with its line ending', () => {
    expect(setField('# Title\n\nText\n', ['description'], 'D')).toBe('---\ndescription: D\n---\n# Title\n\nText\n');
    expect(setField(`${BOM}# Title\r\n\r\nText`, ['seo', 'description'], 'D')).toBe(`${BOM}---\r\nseo:\r\n  description: D\r\n---\r\n# Title\r\n\r\nText`);
    expect(setField('', ['description'], 'D')).toBe('---\ndescription: D\n---\n');
  });

  it('fills an empty block and keeps a `...` closer', () => {
    expect(setField('---\n---\nBody', ['description'], 'D')).toBe('---\ndescription: D\n---\nBody');
    expect(setField('---\r\n---', ['description'], 'D')).toBe('---\r\ndescription: D\r\n---');
    expect(setField('---\n# comment only\n---\n', ['description'], 'D')).toBe('---\n# comment only\ndescription: D\n---\n');
    expect(setField('---\ntitle: T\n...\nBody\n---\n', ['description'], 'D')).toBe('---\ntitle: T\ndescription: D\n...\nBody\n---\n');
  });

  it('keeps the comment on a block scalar\'s header line, and fills an empty value that has a tag or an anchor', () => {
    expect(setField('---\ntitle: A\ndescription: | # TODO: one sentence\nnext: 1\n---\n', ['description'], 'Body.')).toBe('---\ntitle: A\ndescription: Body. # TODO: one sentence\nnext: 1\n---\n');
    expect(setField('---\ndescription: > # note\n  old text\nnext: 1\n---\n', ['description'], 'two\nlines')).toBe('---\ndescription: |- # note\n  two\n  lines\nnext: 1\n---\n');
    expect(setField('---\ntitle: A\ndescription: !!null\n---\nBody.\n', ['description'], 'Body.')).toBe('---\ntitle: A\ndescription: Body.\n---\nBody.\n');
    expect(setField('---\ndescription: &d # c\nother: x\n---\n', ['description'], 'Body.')).toBe('---\ndescription: &d Body. # c\nother: x\n---\n');
    expect(setField('---\nseo: {description: !!null, b: 1}\n---\n', ['seo', 'description'], 'Body.')).toBe('---\nseo: {description: Body., b: 1}\n---\n');
  });

  it('escapes what other YAML readers refuse raw: DEL, C1 controls, NEL, U+2028/U+2029, U+FFFE/U+FFFF', () => {
    const base = '---\ntitle: A\n---\nBody.\n';
    expect(setField(base, ['description'], '=')).toBe('---\ntitle: A\ndescription: "="\n---\nBody.\n');
    expect(setField(base, ['description'], 'First\u2028second')).toBe('---\ntitle: A\ndescription: "First\\u2028second"\n---\nBody.\n');
    for (const c of ['\u007f', '\u0085', '\u009f', '\u2029', '\ufffe', '\uffff']) {
      const written = setField(base, ['description'], `a${c}b`);
      expect(written).not.toContain(c);
      expect(parseFrontMatter(written).data.description).toBe(`a${c}b`);
    }
    // In a flow map and in an object's keys and values too.
    const flow = setField('---\nseo: {title: A}\n---\n', ['seo', 'description'], 'x\u2028y');
    expect([flow.includes('\u2028'), parseFrontMatter(flow).data.seo]).toEqual([false, { title: 'A', description: 'x\u2028y' }]);
    const object = setField(base, ['analysis'], { 'k\u0085': 'v\u2028' });
    expect([object.includes('\u0085') || object.includes('\u2028'), parseFrontMatter(object).data.analysis]).toEqual([false, { 'k\u0085': 'v\u2028' }]);
  });

  it('refuses edits that would change anything else', () => {
    expect(() => setField('---\na: &x 1\nb: *x\n---\n', ['a'], 2)).toThrow('writing a would also change b');
    expect(() => setField('---\ntags: [a]\n---\n', ['tags', 'x'], 'c')).toThrow('cannot set tags.x: tags is a list, not a map');
    expect(() => setField('---\nseo: *s\n---\n', ['seo', 'x'], 'c')).toThrow(FrontMatterError);
    expect(() => setField('---\ntitle: T\n---\n', ['description'], { when: new Date(0) })).toThrow(/would read back as/);
    expect(() => setField('---\ntitle: T\n---\n', [], 'x')).toThrow('empty field path');
  });

  it('refuses a file whose front matter does not parse', () => {
    expect(() => setField('---\na: 1\na: 2\n---\n', ['b'], 'x')).toThrow(FrontMatterError);
  });
});

describe('hostile nesting', () => {
  it('reports JSON front matter nested far too deep at its position, instead of running out of stack', () => {
    const error = errorOf(() => parseFrontMatter(`{"title": "A", "x": ${'['.repeat(3000)}${']'.repeat(3000)}}\nBody.\n`));
    expect([error.message, error.line, error.column]).toEqual(['front matter nests more than 64 levels deep', 1, 84]);
    // Brackets inside strings do not count.
    expect(parseFrontMatter(`{"t": "${'['.repeat(100)}\\"{", "n": [[{"a": 1}]]}\nBody.\n`).data.n).toEqual([[{ a: 1 }]]);
  });
});
