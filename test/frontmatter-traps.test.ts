import { describe, expect, it } from 'vitest';
import { setField } from '../src/frontmatter/edit.js';
import { FrontMatterError, parseFrontMatter, scanFrontMatter } from '../src/frontmatter/read.js';
import { errorOf } from './helpers/errors.js';

/**
 * Files another reader (Hugo, PyYAML) sees differently from a first glance:
 * each must be refused with a position, or written so that reader agrees.
 */

/** Refused by every entry point (read, scan, edit), at the same line and column. */
function refused(source: string): FrontMatterError {
  const error = errorOf(() => parseFrontMatter(source));
  expect(errorOf(() => scanFrontMatter(source))).toMatchObject({ message: error.message, line: error.line, column: error.column });
  for (const newBlockFormat of ['yaml', 'toml', 'json'] as const) expect(() => setField(source, ['description'], 'D', { newBlockFormat })).toThrow(FrontMatterError);
  return error;
}

describe('a block below blank lines at the top of the file', () => {
  // Hugo skips leading whitespace and reads the block; a new block on top would make it publish the old one as text.
  it.each([
    ['TOML', '\n+++\ntitle = "Secret draft"\ndraft = true\n+++\nHugo body text.\n', 2],
    ['YAML', '\n\n---\ntitle: Secret draft\ndraft: true\n---\nBody text.\n', 3],
    ['YAML with CRLF, a BOM and blanks', '\uFEFF \r\n\t\r\n---\r\ntitle: T\r\n---\r\nBody.\r\n', 3],
    ['JSON', '\n{\n  "title": "Secret draft",\n  "draft": true\n}\nBody text.\n', 2],
  ])('is refused at its fence (%s)', (_format, source, line) => {
    const error = refused(source);
    expect([error.line, error.column]).toEqual([line, 1]);
    expect(error.message).toMatch(/does not start on the first line.*Hugo reads it.*move it to the top/);
  });

  it('is not seen in a body that starts with a blank line and has a thematic break later, or no closing fence', () => {
    for (const body of ['\nIntro text.\n\n---\n\nMore.\n---\n', '\n---\nText under a rule, never closed.\n', '\n\n***\n\n---\n']) {
      expect(parseFrontMatter(body)).toMatchObject({ format: 'none', body });
      expect(setField(body, ['description'], 'D')).toBe(`---\ndescription: D\n---\n${body}`);
    }
    // An MDX expression after a blank line is no JSON front matter either.
    expect(parseFrontMatter('\n{/* comment */}\n\nText.\n').format).toBe('none');
  });
});

describe('text starting with `{` that is not strict JSON', () => {
  it('is refused where it breaks JSON when it has a key: comments before it, single quotes', () => {
    const comment = refused('{\n  // c\n  "title": "C",\n  "draft": true\n}\nBody text.\n');
    expect([comment.line, comment.column, comment.message]).toEqual([2, 3, 'comments are not allowed (front matter must be strict JSON)']);
    expect(refused('{ /* c */ "title": "C" }\nBody.\n').message).toMatch(/comments are not allowed/);
    const quotes = refused("{ 'title': 'J' }\nBody text.\n");
    expect([quotes.line, quotes.column, quotes.message]).toEqual([1, 3, 'strings and keys take double quotes, not single (front matter must be strict JSON)']);
    expect(refused('{\n  title: "B"\n}\nBody.\n')).toMatchObject({ line: 2, column: 3 });
  });

  it.each([
    '{/* an MDX comment */}\n\nText.\n',
    '{// a line comment\n}\n\nText.\n',
    '{props.title}\n\nText.\n',
    "{' '}\nText.\n",
    "{draft ? 'Draft' : 'Live'}\nText.\n",
    '{: .note}\nA kramdown attribute list.\n',
    '{% raw %}\nLiquid.\n{% endraw %}\n',
    '{{ page.title }}\n',
  ])('leaves an MDX, kramdown or Liquid body alone: %j', (body) => {
    expect(parseFrontMatter(body)).toMatchObject({ format: 'none', body });
    expect(setField(body, ['description'], 'D')).toBe(`---\ndescription: D\n---\n${body}`);
  });
});

describe('old Mac line endings (a carriage return alone)', () => {
  it('are refused in TOML and JSON front matter, as in YAML', () => {
    const toml = refused('+++\rtitle = "CR"\rdraft = true\r+++\rBody text.\r');
    expect([toml.line, toml.column, toml.message]).toEqual([1, 4, expect.stringMatching(/old Mac line endings/)]);
    expect(refused('+++ \r+++\rBody.\r').message).toMatch(/old Mac line endings/);
    const json = refused('{\r  "title": "CR"\r}\rBody text.\r');
    expect([json.line, json.column, json.message]).toEqual([1, 2, expect.stringMatching(/old Mac line endings/)]);
    expect(refused('{"title": "CR"}\rBody text.\r').column).toBe(16);
    // Below blank lines too.
    expect(refused('\r+++\rtitle = "CR"\r+++\rBody.\r').message).toMatch(/does not start on the first line/);
  });

  it('inside a value or after an LF block are no line ending', () => {
    expect(parseFrontMatter('{"title": "A"}\nBody\rtext.\n').data).toEqual({ title: 'A' });
    expect(parseFrontMatter('+++\ntitle = "A"\n+++\nBody\rtext.\n').data).toEqual({ title: 'A' });
  });
});

describe('a tab in a YAML value', () => {
  // PyYAML's pure-Python reader (MkDocs, Pelican) refuses a tab in a plain scalar.
  it('is written double-quoted as \\t and reads back exactly', () => {
    const base = '---\ntitle: A\n---\nBody.\n';
    expect(setField(base, ['description'], 'Tab\there')).toBe('---\ntitle: A\ndescription: "Tab\\there"\n---\nBody.\n');
    expect(setField(base, ['description'], 'trailing\t')).toBe('---\ntitle: A\ndescription: "trailing\\t"\n---\nBody.\n');
    const flow = setField('---\nseo: {title: A}\n---\n', ['seo', 'description'], 'x\ty');
    expect(flow).toBe('---\nseo: {title: A, description: "x\\ty"}\n---\n');
    const object = setField(base, ['analysis'], { 'k\t': ['v\tw'] });
    expect([object.includes('\t'), parseFrontMatter(object).data.analysis]).toEqual([false, { 'k\t': ['v\tw'] }]);
    const lines = setField(base, ['description'], 'one\n\ttwo');
    expect([lines.includes('\t'), parseFrontMatter(lines).data.description]).toEqual([false, 'one\n\ttwo']);
  });
});

describe('an added line in a block with mixed line endings', () => {
  it('ends like the line it follows (YAML)', () => {
    expect(setField('---\ntitle: Mixed\r\ndate: 2024-01-01\r\n---\r\nA post.\r\n', ['description'], 'D')).toBe('---\ntitle: Mixed\r\ndate: 2024-01-01\r\ndescription: D\r\n---\r\nA post.\r\n');
    expect(setField('---\r\ntitle: Mixed\ndate: 2024-01-01\n---\nA post.\n', ['seo', 'description'], 'D')).toBe('---\r\ntitle: Mixed\ndate: 2024-01-01\nseo:\n  description: D\n---\nA post.\n');
    expect(setField('---\r\ntitle: A\nsummary: old\n---\n', ['summary'], 'two\nlines')).toBe('---\r\ntitle: A\nsummary: |-\n  two\n  lines\n---\n');
    expect(setField('---\ntitle: A\r\n---\r\n', ['description'], 'D', { after: ['title'] })).toBe('---\ntitle: A\r\ndescription: D\r\n---\r\n');
  });

  it('ends like the line it follows (TOML)', () => {
    expect(setField('+++\ntitle = "Mixed"\r\ndate = 2024-01-01\r\n+++\r\nA post.\r\n', ['description'], 'D')).toBe('+++\ntitle = "Mixed"\r\ndate = 2024-01-01\r\ndescription = "D"\r\n+++\r\nA post.\r\n');
    expect(setField('+++\r\ntitle = "Mixed"\n\n[params]\nx = 1\n+++\n', ['params', 'description'], 'D')).toBe('+++\r\ntitle = "Mixed"\n\n[params]\nx = 1\ndescription = "D"\n+++\n');
  });

  it('ends like the line it follows (JSON)', () => {
    expect(setField('{\n  "title": "Mixed",\r\n  "date": "2024-01-01"\r\n}\r\nA post.\r\n', ['description'], 'D')).toBe('{\n  "title": "Mixed",\r\n  "date": "2024-01-01",\r\n  "description": "D"\r\n}\r\nA post.\r\n');
    expect(setField('{\r\n  "title": "Mixed"\n}\nA post.\n', ['seo', 'description'], 'D')).toBe('{\r\n  "title": "Mixed",\n  "seo": {\n    "description": "D"\n  }\n}\nA post.\n');
  });
});
