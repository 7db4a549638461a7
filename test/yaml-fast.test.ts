import { readFileSync } from 'node:fs';
import fg from 'fast-glob';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { FrontMatterError, parseFrontMatter, scanFrontMatter, type ParsedFile } from '../src/frontmatter/read.js';
import { YAML_OPTIONS } from '../src/frontmatter/yaml-options.js';
import { parseYamlFast } from '../src/frontmatter/yaml-fast.js';
import { random } from './helpers/random.js';

/**
 * The fast YAML reader against `yaml` itself, the parser edits go through: on
 * every block it must give yaml's exact data or bail out (undefined), and bail
 * out whenever yaml reports an error. A reader that bails on everything passes
 * that too, so the typical blocks below must take the fast path.
 */

type Next = () => number;
const pick = <T>(next: Next, list: readonly T[]): T => list[Math.floor(next() * list.length)]!;

// Each list comes in two: what the fast path should read (tame), and what should trouble it (wild).
// Few tame keys, so duplicates are frequent; wild keys read as other values, or not as keys at all.
const KEYS = ['title', 'date', 'tags', 'draft', 'a', 'b', 'my-key', 'key_2', '_x', 'X9', 'constructor', 'toString'];
const WILD_KEYS = ['true', 'True', 'FALSE', 'null', 'NULL', 'Null', '__proto__', '1', '0x1', 'a b', '"q"', "'q'", '<<', '-x', 'x-', 'é', '? x', 'key ', '&a k',
  '!t k', '*a', 'k'.repeat(300)];
const SEPARATORS = [': ', ':  '];
const WILD_SEPARATORS = [':', ' : ', ':\t', ': \t', ':\u00a0', '::', ': : '];
// Plain values in every form the core schema resolves (or nearly does), quoted values with escapes, flow lists.
const VALUES = ['', 'null', 'Null', 'NULL', 'nULL', '~', 'true', 'True', 'TRUE', 'tRUE', 'false', 'False', 'FALSE', 'yes', 'no', 'on', 'off', 'y', '0', '-0', '+0',
  '007', '08', '1_000', '+1', '-1', '.5', '-.5', '5.', '1.0', '1.10', '1e3', '1E3', '-1.5e-3', '1e', 'e3', '.e3', '0x1F', '0X1F', '0x', '-0x1', '0o17', '0o8', '017',
  '.inf', '-.Inf', '+.INF', '.NaN', '.nan', '.NAN', 'NaN', 'inf', '12345678901234567890', '9007199254740993', '2024-03-05', '2024-01-13T10:20:30Z', '1979-05-27 07:32:00',
  '12:30:00', '12:30', 'a:b', 'http://example.com/x?y=1#frag', 'a#b', 'C# and F#', 'x - y', '-x', '--', '--- x', '...', '.', 'x}', 'x]', 'x {y}', 'a, b', 'foo [bar]',
  "It's", 'He said "hi"', 'Post 12 - static', 'Ünïcödé 漢字 🎉', 'עברית', 'a\u00a0b', 'a\u00a0', '\u00a0a', 'a\u00a0#b', 'a:\u00a0b', 'a\u2028b', 'a\u2029', 'a\u3000',
  '\u3000a', 'a\u200bb', 'a\u202eb', '\ud800', '\udc00x', '🎉\ud83c', 'a\\b', 'a\\nb', '"quoted"', "'single'", '""', "''", '" "', "'it''s'", "''''", '"a\\"b"',
  '"\\u00e9\\n\\t\\r\\\\\\/"', '"\\uD83C\\uDF89"', '"\\uD83C"', '"\\u0000"', '"a: b"', '"#not comment"', "'a: b # c'", '"\u00a0"', '[a, b]', '[]', '[ ]', '[a,b]',
  '[ a , b ]', '[1, true, null, ~, 0x1F, .inf, 2024-03-05]', '["a, b", \'c\', "d]"]', '[-1, -x]', '[a b, c  d]', '[cache, deploy]'];
const WILD_VALUES = ['a #b', 'a  #b', 'a: b', 'a:', 'a :', '- x', '-', '--- ', '---', '?x', '? x', ':x', ': x', '@at', '`tick`', '%pct', '!tag x', '!!str 1',
  '&anchor x', '*alias', '|', '>', '|-', '>+', '{a: 1}', '{}', 'trailing ', ' leading', "'a''", "'''", '"\\x41"', '"\\e"', '"\\q"', '"\\ "', '"\\u12"', '"\\u12g4"',
  '"\\U0001F389"', '"\\x0041"', '"a\\', '"a" b', '"a"#c', '"a" #c', "'a' # c", "'a'b", '"unclosed', "'unclosed", '"a" : b', '[a, b,]', '[a,,b]', '[,a]', '[a, [b]]', '[a: b]',
  '[a:b]', '[-1, -x, -]', '[a #b]', '[a#b]', '[a, b', "[it's]", '[a "b"]', '["a" b]', '[a]b', '[a] # c', '[a]#c', '[{a: 1}]', '[&a x]', '[*a]', '[!t x]', '[@x]',
  '[?x]', '[? x]', 'a\u0085b', 'a\tb', 'a\t#b', 'a\u0007', 'a\u007f', 'a\ufeffb', 'a\uffff', 'a\rb', '"a\u0085"', '"a\tb"'];
// Fragments for random values, from the field-value property test: anything a person (or a model) may type.
const PIECES = [': ', ' #', '#', '-', '- ', '*', '&', '!', '%', '@', '`', '|', '>', '?', '{', '}', '[', ']', ',', '"', "'", '\\', '\\n', '\\u0041', '\t', '\u0085',
  '🎉', '漢字', 'עברית', '\u202e', ' ', '  ', 'word', 'Ünïcödé', '---', '...', '=', '~', '1', '0x', '.', 'e5', '\u00a0', '\u2028', '\u3000'];
const TRAILERS = ['', '', '', '', ' ', '   ', ' # comment', '  # c: d', ' #', ' # "\'[{&*!|>'];
const WILD_TRAILERS = ['# c', ' #\t', '\t# c', '\t', ' \u00a0', ' # c\u0085'];
const COMMENTS = ['', '# Synthetic post', '#', '# a: b # c', '  # indented', '   ', '#---'];
// Lines that are not `key: value`: document markers, directives, block scalars, anchors, complex keys, stray indentation, multi-line values.
const JUNK = ['---', '...', '--- x', '... x', '%YAML 1.2', '- item', '-', '  continuation', 'continuation', '? key', ': value', '\tkey: x', 'key: |', '  block text',
  'key: >-', '&a b: c', '<<: *a', 'x: &a 1', 'y: *a', '[a]: b', '{a: 1}', 'a: b: c', '"q": 1', "'q': 1", 'key:value', '\u00a0', '\ufeffkey: x', '\t', '#\tc',
  'a: 1 # c\n  b: 2', 'k: [a,\n  b]', 'k: "a\n  b"', "k: 'a\n\n  b'", 'k:\n  - a\n  -\n  - b', 'k:\n  -\n    x: 1', 'k:\n- a\n  - b', 'k:\n  a: 1\n    b: 2'];

/** A random block builder; `trouble` is how often it takes from the wild lists. */
class Generator {
  constructor(
    private readonly next: Next,
    private readonly trouble: number,
  ) {}

  private either<T>(tame: readonly T[], wild: readonly T[]): T {
    return pick(this.next, this.next() < this.trouble ? wild : tame);
  }

  private value(): string {
    const roll = this.next();
    if (roll < 0.75) return this.either(VALUES, WILD_VALUES);
    if (roll < 0.82) return `"${this.plain()}"`;
    if (roll < 0.88) return `'${this.plain()}'`;
    return this.plain();
  }

  /** Tame: a few words; wild: a string of fragments. */
  private plain(): string {
    const pieces = this.next() < this.trouble ? PIECES : ['word', 'Ünïcödé', '漢字', ' ', '-', '.', '1', '=', '~', '🎉', "'"];
    let out = 'w';
    const n = Math.floor(this.next() * 5);
    for (let i = 0; i < n; i++) out += pick(this.next, pieces);
    return out;
  }

  private entry(indent: string): string {
    return `${indent}${this.either(KEYS, WILD_KEYS)}${this.either(SEPARATORS, WILD_SEPARATORS)}${this.value()}${this.either(TRAILERS, WILD_TRAILERS)}`;
  }

  /** `key:` and a block below it: a list (at the key's indentation or deeper) or a map, itself nesting now and then. */
  private nested(indent: string, depth: number): string[] {
    const lines = [`${indent}${this.either(KEYS, WILD_KEYS)}:${pick(this.next, ['', '', '', ' # list', '  # c'])}`];
    const childIndent = indent + pick(this.next, ['', '  ', '  ', '  ', ' ', '    ']);
    const asList = this.next() < 0.5;
    const n = 1 + Math.floor(this.next() * 4);
    for (let i = 0; i < n; i++) {
      // Now and then a line strays from the others' indentation.
      const lineIndent = this.next() < this.trouble / 2 ? pick(this.next, ['', ' ', '   ', '      ']) : childIndent;
      if (this.next() < 0.1) lines.push(pick(this.next, ['', '# c', `${lineIndent}# c`, '  ']));
      else if (asList) lines.push(`${lineIndent}${this.either(['- ', '-  '], ['-', '- - ', '-\t', '- ? ', '- a: '])}${this.value()}${this.either(TRAILERS, WILD_TRAILERS)}`);
      else if (depth < 5 && this.next() < 0.2) lines.push(...this.nested(lineIndent, depth + 1));
      else lines.push(this.entry(lineIndent));
    }
    return lines;
  }

  private lines(): string[] {
    const roll = this.next();
    if (roll < this.trouble / 4) return [pick(this.next, JUNK)];
    if (roll < 0.65) return [this.entry(this.next() < this.trouble / 4 ? pick(this.next, [' ', '  ']) : '')];
    if (roll < 0.88) return this.nested('', 0);
    return [pick(this.next, COMMENTS)];
  }

  /** A front matter block's text (what sits between the fences), its line endings varied. */
  block(): string {
    const lines: string[] = [];
    const n = 1 + Math.floor(this.next() * 8);
    for (let i = 0; i < n; i++) lines.push(...this.lines());
    let text = lines.join('\n') + (this.next() < 0.9 ? '\n' : '');
    const endings = this.next();
    if (endings < 0.2) text = text.replace(/\n/g, '\r\n');
    else if (endings < 0.2 + this.trouble / 4) text = text.replace(/\n/, pick(this.next, ['\r', '\r\n', '\n\r']));
    return text;
  }
}

// From none to a lot; a little is the sharpest test, one trap in an otherwise simple block.
const TROUBLE = [0, 0.03, 0.06, 0.15, 0.4];

/** Blocks of every level of trouble, the same on every run. */
const BLOCKS = (() => {
  const next = random(20240113);
  return Array.from({ length: 10_000 }, (_, i) => {
    const trouble = TROUBLE[i % TROUBLE.length]!;
    return { text: new Generator(next, trouble).block(), trouble };
  });
})();

const TYPICAL = `# Synthetic post for the benchmark
title: "Post 12: static site build cache edge deploy"
date: 2024-01-13
tags: [cache, deploy]  # flow list
author: Bench
description: A description a person wrote, which batchmatter leaves alone.
draft: false
`;

const NEGATIVE_ZERO = Symbol('-0');

/**
 * A value spelled out for toStrictEqual, which takes an object's `constructor`
 * property for its class: front matter may well have a `constructor` key.
 * Key order, prototypes and -0 are compared too.
 */
function spelled(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(spelled);
  if (typeof value === 'object' && value !== null) {
    return { plain: Object.getPrototypeOf(value) === Object.prototype, entries: Object.entries(value).map(([key, item]) => [key, spelled(item)]) };
  }
  return Object.is(value, -0) ? NEGATIVE_ZERO : value;
}

/** Checks the fast reader against yaml on one block, and says how it went. */
function expectAgrees(text: string): 'error' | 'bailed' | 'taken' {
  const fast = parseYamlFast(text);
  const label = JSON.stringify(text);
  const doc = parseDocument(text, YAML_OPTIONS);
  if (doc.errors.length > 0) {
    expect(fast, `${label}: yaml reports ${doc.errors[0]!.code}`).toBeUndefined();
    return 'error';
  }
  if (fast === undefined) return 'bailed';
  expect(spelled(fast), label).toStrictEqual(spelled(doc.toJS()));
  return 'taken';
}

describe('parseYamlFast', () => {
  it('reads typical front matter exactly as yaml does', () => {
    const typical = [
      TYPICAL,
      TYPICAL.replace(/\n/g, '\r\n'),
      'title: Hello\ntags:\n  - a\n  - "b c"\n  - 3\ncategories:\n- x\n- y\n',
      'title: Hello\nauthor:\n  name: Ann\n  url: https://example.com/ann  # home\n  links: [a, b]\nseo:\n  og:\n    image: /img.png\n',
      "title: 'It''s here'\nsubtitle: It's here, too\nempty:\nnothing: ~\ncount: 007\nhex: 0x1F\nratio: .5\nbig: 1e3\nflag: True\nversion: 1.10\n",
      'title: "Caf\\u00e9 \\"quoted\\" \\\\ path\\/x"\nurl: http://example.com/a#b\nnote: C# and F#\n',
    ];
    for (const text of typical) expect(expectAgrees(text), JSON.stringify(text)).toBe('taken');
  });

  it('bails out on what it does not read', () => {
    const outside = ['', '# only a comment\n', '  title: indented\n', 'title: a\ntitle: b\n', 'a: &x 1\nb: *x\n', 'a: |\n  text\n', 'a: long\n  line\n', 'a: {b: 1}\n',
      'a: "x\\e"\n', 'a:\tb\n', 'true: 1\n', '__proto__: 1\n', '- a\n', '%YAML 1.2\n---\na: 1\n', 'a: b: c\n', 'a: b\r'];
    for (const text of outside) expect(parseYamlFast(text), JSON.stringify(text)).toBeUndefined();
  });

  it('agrees with yaml or bails out on every value form, alone in a simple block', () => {
    const values = [...VALUES, ...WILD_VALUES];
    const places = [
      (v: string) => `title: Hello\nkey: ${v}\ndraft: false\n`,
      (v: string) => `title: Hello\ntags:\n  - a\n  - ${v}\ndraft: false\n`,
      (v: string) => `title: Hello\ntags:\n- ${v}\n- b\n`,
      (v: string) => `seo:\n  key: ${v}\n  b: 1\ndraft: false\n`,
      (v: string) => `title: Hello\ntags: [a, ${v}]\n`,
      (v: string) => `title: Hello\ntags: [${v}, a]  # c\n`,
    ];
    const counts = { error: 0, bailed: 0, taken: 0 };
    for (const value of values) {
      for (const trailer of [...TRAILERS, ...WILD_TRAILERS]) {
        for (const place of places) counts[expectAgrees(place(value + trailer))]++;
      }
    }
    // About half of what yaml reads here is simple enough (wild values, tabs and U+0085 in comments are not).
    expect(counts.taken).toBeGreaterThan((counts.taken + counts.bailed) * 0.4);
  });

  it('agrees with yaml or bails out on thousands of random blocks', () => {
    const tame = { read: 0, taken: 0 };
    for (const { text, trouble } of BLOCKS) {
      const result = expectAgrees(text);
      if (trouble === 0 && result !== 'error') tame.read++;
      if (trouble === 0 && result === 'taken') tame.taken++;
    }
    // What it leaves to yaml among tame blocks: those with no key at all (empty, or comments only).
    expect(tame.read).toBeGreaterThan(500);
    expect(tame.taken).toBeGreaterThan(tame.read * 0.9);
  });
});

type Outcome = { parsed: Omit<ParsedFile, 'data'> & { data: unknown } } | { error: { name: string; message: string; line?: number; column?: number } };

function outcome(read: (source: string) => ParsedFile, source: string): Outcome {
  try {
    const parsed = read(source);
    return { parsed: { ...parsed, data: spelled(parsed.data) } };
  } catch (error) {
    if (!(error instanceof FrontMatterError)) throw error;
    return { error: { name: error.name, message: error.message, line: error.line, column: error.column } };
  }
}

function expectSameAsParse(source: string, label: string): void {
  expect(outcome(scanFrontMatter, source), label).toStrictEqual(outcome(parseFrontMatter, source));
}

describe('scanFrontMatter', () => {
  it('equals parseFrontMatter on every fixture and example file', async () => {
    const files = await fg(['test/fixtures/**/*.{md,mdx}', 'examples/**/*.{md,mdx}'], { dot: true });
    expect(files.length).toBeGreaterThan(20);
    for (const file of files) expectSameAsParse(readFileSync(file, 'utf8'), file);
  });

  it('equals parseFrontMatter on the random blocks, whatever their fences', () => {
    const next = random(7);
    const fences = ['---\n', '---\n', '---\r\n', '\ufeff---\n', '--- yaml\n', '---js\n', '---\n\n'];
    for (const { text } of BLOCKS) {
      const source = `${pick(next, fences)}${text}${text.endsWith('\n') ? '' : '\n'}${pick(next, ['---', '...', '--- '])}\nBody\n`;
      expectSameAsParse(source, JSON.stringify(source));
    }
  });

  it('takes the fast path on typical front matter', () => {
    const source = `---\n${TYPICAL}---\n\n# Post 12\n`;
    expect(scanFrontMatter(source)).toStrictEqual(parseFrontMatter(source));
    expect(parseYamlFast(TYPICAL)).toBeDefined();
  });
});
