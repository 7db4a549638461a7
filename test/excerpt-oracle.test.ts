import { readFileSync } from 'node:fs';
import fg from 'fast-glob';
import remarkMdx from 'remark-mdx';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import { describe, expect, it } from 'vitest';
import { excerpt, excerptProse } from '../src/core/excerpt.js';
import { stripSiteSyntax } from '../src/core/site-syntax.js';
import { parseFrontMatter } from '../src/frontmatter/read.js';
import { random } from './helpers/random.js';

/*
 * The excerpt reads micromark's token stream instead of building remark's
 * syntax tree. This is the oracle it must agree with: the same rules applied
 * to the tree remark-parse (+ remark-mdx) builds from the same text.
 */
interface MdNode {
  type: string;
  value?: unknown;
  children?: MdNode[];
  position?: { start: { line: number; offset?: number }; end: { line: number; offset?: number } };
}
const markdown = unified().use(remarkParse).freeze();
const mdx = unified().use(remarkParse).use(remarkMdx).freeze();
const DROP = new Set(['mdxjsEsm', 'mdxFlowExpression', 'mdxTextExpression', 'code', 'html', 'definition', 'image', 'imageReference']);
const BLOCKS = new Set(['paragraph', 'heading']);
const ESM_LINE = /^(?:import|export)\b/;

/** The text of `node`, of its lines before `before` only (a table starts there). */
function inlineText(node: MdNode, before = Infinity): string {
  const start = node.position?.start.line ?? 0;
  if (start >= before) return '';
  if (DROP.has(node.type) || node.type === 'break') return ' ';
  if (typeof node.value === 'string') return node.value.split('\n').slice(0, before - start).join('\n');
  return node.children ? node.children.map((child) => inlineText(child, before)).join('') : '';
}

/*
 * What GFM and the site generators add to Markdown, which remark-parse reads
 * as text, is left out by the excerpt; the oracle applies the same rules to
 * remark's tree: a GFM table (a header row over a delimiter row with as many
 * cells, to the end of its paragraph) and, on request, directive fences
 * (`:::note`), which remark sees as lines of a paragraph in whatever list
 * item or quote holds them.
 */
function tableLine(node: MdNode, source: string): number | undefined {
  const { start, end } = node.position!;
  const lines = source
    .slice(start.offset, end.offset)
    .split(/\r?\n|\r/)
    .map((line) => line.replace(/^[ \t]*(?:>[ \t]?)*/, ''));
  const cells = (row: string) => row.replace(/\\\|/g, '').trim().replace(/^\|/, '').replace(/\|$/, '').split('|');
  for (let i = 1; i < lines.length; i++) {
    const delimiter = cells(lines[i]!);
    if (lines[i]!.includes('|') && delimiter.every((cell) => /^[ \t]*:?-+:?[ \t]*$/.test(cell)) && delimiter.length === cells(lines[i - 1]!).length) return start.line + i - 1;
  }
  return undefined;
}

interface Rules {
  source: string;
  fallback: boolean;
  directives: boolean;
}

function collect(node: MdNode, blocks: string[], rules: Rules): void {
  if (DROP.has(node.type)) return;
  if (BLOCKS.has(node.type) || !node.children) {
    const raw = inlineText(node, BLOCKS.has(node.type) ? tableLine(node, rules.source) : undefined);
    // A directive fence is a line of its own; the text on either side is another block.
    const parts = rules.directives ? raw.split(/\n[ \t]*:{3,}.*|^[ \t]*:{3,}.*/) : [raw];
    for (const part of parts) {
      const text = part.replace(/\s+/g, ' ').trim();
      if (text && !(rules.fallback && node.type === 'paragraph' && ESM_LINE.test(text))) blocks.push(text);
    }
    return;
  }
  for (const child of node.children) collect(child, blocks, rules);
}

/** The text the excerpt rules give on remark's tree of `source`, and whether MDX refused it (so it was read as Markdown). */
function read(source: string, isMdx: boolean, directives = false): { text: string; fallback: boolean } {
  let tree: MdNode;
  let fallback = false;
  try {
    tree = (isMdx ? mdx : markdown).parse(source) as MdNode;
  } catch {
    tree = markdown.parse(source) as MdNode;
    fallback = true;
  }
  const blocks: string[] = [];
  collect(tree, blocks, { source, fallback, directives });
  return { text: blocks.join('\n\n'), fallback };
}

function oracle(source: string, isMdx: boolean): string {
  return read(source, isMdx).text;
}

/** The excerpt's cut: at most `maxChars`, at a word boundary in the second half if there is one. */
function truncated(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const boundary = Math.max(text.lastIndexOf(' ', maxChars), text.lastIndexOf('\n', maxChars));
  let cut = boundary > maxChars / 2 ? boundary : maxChars;
  if (cut === maxChars && /[\uD800-\uDBFF]/.test(text[cut - 1] ?? '')) cut--;
  return text.slice(0, cut).trimEnd();
}

function comparable(body: string, isMdx: boolean): boolean {
  const withoutDirectives = body.replace(/^[ \t>]*:{3,}.*$/gm, '');
  return stripSiteSyntax(withoutDirectives, isMdx) === withoutDirectives && !/<!--\s*(?:more|truncate)\s*-->|\{\s*\/\*\s*(?:more|truncate)/i.test(body);
}

/**
 * Whether the excerpt of `body`, read from a prefix, is the start of what
 * remark reads in all of it: undefined when that cannot be compared (MDX that
 * remark refuses as a whole, site syntax other than directive fences, a
 * `<!-- more -->` marker).
 */
function prefixMismatch(body: string, isMdx: boolean, maxChars: number): { got: string; want: string } | undefined {
  if (!comparable(body, isMdx)) return undefined;
  const whole = read(body, isMdx, true);
  if (isMdx && whole.fallback) return undefined;
  const got = excerpt(body, { maxChars, mdx: isMdx });
  const want = truncated(whole.text, maxChars);
  return got === want ? undefined : { got, want };
}

const PIECES = [
  'Plain words here.',
  '# Heading *one*',
  'Setext heading\n===',
  '> quoted **strong** text',
  '- item one\n- item [two](https://x.test "title") three',
  '1. first\n2. second',
  '```js\nconst code = 1;\n```',
  '    indented code',
  '<div>\nhtml block\n</div>',
  'inline <span>html</span> and `code span` here',
  'An ![image](a.png) and ![ref image][r]',
  '[r]: https://example.test/def "Def"',
  'A [reference link][r] and <https://auto.link/x> and <me@mail.test>',
  'Escapes \\* and entities &amp; &copy; &#x41; &#66;',
  'hard break  \nnext line\\\nthird',
  'Emoji 🎉 and CJK 日本語 text',
  '***',
  'text with trailing spaces   ',
  'import { X } from "./x"',
  'export const meta = { a: 1 }',
  '<Callout type="info">JSX **text** inside</Callout>',
  '<Note>\n  Flow JSX with [a link](/x).\n</Note>',
  'Inline <Badge>jsx</Badge> in a sentence',
  'An {expression} in text',
  '{/* a comment */}',
  'A lone { brace',
  'Line one<br>line two',
  '<!-- an html comment -->',
  // Blocks that run across blank lines, where the excerpt's piece-by-piece reading must not cut them.
  '<!--\n\ncomment spanning\n\nblank lines -->',
  '<pre>\n\ncol0 text in pre\n\n</pre>',
  '```\ncode\n\ncol0 line in code\n```',
  '```a`b\nnot a fence\n\ncol0 after it',
  '```\nunclosed code\n\nstill code',
  '<Callout>\n\nInside **callout**\n\n</Callout>',
  '{\n  1 +\n\n  2\n}',
  'export const x = {\n\n  a: 1,\n}',
  '<Foo\n\n  bar="1"\n/>',
  '- list\n\n  continued para\n\nafter list',
  '1) ordered\n\n2) second',
  '2024. A year',
  'crlf line\r\nnext line\r\n',
  'lone\rcarriage return',
  'Para\n# heading interrupt',
  'Para\n- list interrupt',
  'Para\n===',
  'Para\n    indented continuation',
  'import maps are great',
  'A & B &amp; C, x * y, snake_case_word',
  '#hashtag and # alone',
  '## Heading ##',
  '#\tTab heading',
  '#',
  'Null\u0000char and non\u00a0breaking',
  'Text with\ttabs   and  spaces',
  'A plain paragraph, with punctuation: (parens) / slashes; "quotes" and \'apostrophes\'? Yes!',
  'Two plain lines\nin one paragraph.',
  '- plain item one\n- plain item two',
  '+ plus item',
  '-  two spaces item',
  '- item\n  continuation',
  '- - nested',
  '-\tTab item',
  '- "quoted" (item)',
  '```\nplain fence\n```',
  '~~~ info ~~~\ncode\n~~~',
  '````\n```\n````',
  '```\ncode\n```\ntrailing text',
  '{/* plain comment */}',
  '{/* has * star */}',
  "import Y from './y'",
  "import { default as Z, X as W, } from 'z';",
  "import { default } from 'z'",
  "import let from 'x'",
  'import * as NS from "ns";',
  "import D, { E } from 'de'",
  "import D, * as F from 'df'",
  "import A, B from 'ab'",
  "import {} from 'empty'",
  "import { , } from 'comma'",
  'important words',
  'export const meta = { bench: true }',
  "export const metadata = {\n  title: 'A post',\n  tags: ['a', \"b\"],\n  n: -1.5e3,\n  nested: { ok: null, list: [] },\n};",
  'export const X = 1',
  'export const bad = { a: 1 b: 2 }',
  "export const s = 'unterminated",
  'export const o = {__proto__: 1, __proto__: 2}',
  'export let n = 01',
  'export const f = () => 1',
  'export default { a: 1 }',
  "export const list = [1, 'two', [3], {four: 4},]",
  // GFM tables, which the excerpt leaves out, and pipes that are no table.
  '| Python object | KFP type |\n| ------ | -------- |\n| str | string |',
  'a | b\n--- | :---:\n1 | 2',
  'Lead line\n| a | `b|c` |\n|---|---|---|',
  '| one \\| cell |\n| --- |\n| x |',
  'A | B or a|b, no table',
  '| a | b |\n| - |',
  '- item\n\n  | a |\n  | - |\n  | 1 |',
  '> | q | r |\n> |---|---|\n> | 1 | 2 |',
  // Reference definitions in containers and with the destination or title on the next line.
  '- [r]: https://example.test/in-list',
  '> [R]:\n>   /quoted "Title"',
  '[other]: /o\n  "title"',
  'See [other] and [R][] here.',
];

/*
 * Constructs that run on for longer than the excerpt reads, so that the cut
 * falls inside them, and definitions that come after it.
 */
const SPANNING = [
  (n: number) => `<details>\n<summary>Summary text</summary>\n\n<Inner slugs={["x/y"]} />\n\n${lines(n, 'Inside paragraph', '\n\n')}\n\n</details>`,
  (n: number) => lines(n, '- Tight item with [a ref][r] in it', '\n'),
  (n: number) => `1. First step.\n${lines(n, '2. Next step with *stress*', '\n')}`,
  (n: number) => `| Col A | Col B |\n| --- | --- |\n${lines(n, '| cell | text |', '\n')}`,
  (n: number) => `1. Step one.\n\n    :::note\n    ${lines(n, 'Careful here.', '\n    ')}\n    :::\n\n2. Step two.\n\n> :::tip\n> Quoted tip.\n> :::`,
  (n: number) => `export const items = [\n\n${lines(n, '  "an item",', '\n\n')}\n]`,
  (n: number) => `{[\n\n${lines(n, '  "an item",', '\n\n')}\n]}`,
  (n: number) => `<Foo\n\n${lines(n, '  bar="1"', '\n\n')}\n/>`,
  (n: number) => `<Callout>\n\n${lines(n, 'Inside **callout** with [ref link][r]', '\n\n')}\n\n</Callout>`,
];

function lines(n: number, text: string, separator: string): string {
  return Array.from({ length: n }, (_, i) => `${text} ${i}.`).join(separator);
}


function document(next: () => number, min = 2, spread = 10): string {
  const parts: string[] = [];
  const count = min + Math.floor(next() * spread);
  for (let i = 0; i < count; i++) parts.push(PIECES[Math.floor(next() * PIECES.length)]!);
  const separator = next();
  // A body after front matter usually starts with a blank line; the first piece must be read as it would then.
  const lead = (separator * 10) % 1 < 0.3 ? '\n' : '';
  return lead + parts.join(separator < 0.7 ? '\n\n' : separator < 0.8 ? '\n \t\n\n' : '\n');
}

/** A body longer than the excerpt reads: pieces, plain paragraphs, a construct the cut may fall in, and more pieces after. */
function longDocument(next: () => number): string {
  const filler = lines(Math.floor(next() * 30), 'A plain paragraph of filler text, about as long as a sentence', '\n\n');
  const spanning = SPANNING[Math.floor(next() * SPANNING.length)]!(5 + Math.floor(next() * 60));
  const tail = ['[r]: https://example.test/late', '[R]: /late-r', '[other]: /late-o'].filter(() => next() < 0.6);
  return [document(next, 1, 4), filler, spanning, document(next, 0, 4), ...tail].filter(Boolean).join('\n\n');
}

/** The bodies of these files, as the scan reads them; a file with broken front matter is left out (the scan never reaches its body). */
function* bodies(files: string[]): Generator<{ file: string; body: string; isMdx: boolean }> {
  for (const file of files) {
    let body: string;
    try {
      body = parseFrontMatter(readFileSync(file, 'utf8')).body;
    } catch {
      continue;
    }
    yield { file, body, isMdx: file.endsWith('.mdx') };
  }
}

describe('excerpt text agrees with remark', () => {
  it('on every body of the example site and the fixture corpus', () => {
    const files = fg.sync(['examples/**/*.{md,mdx}', 'test/fixtures/site/**/*.{md,mdx}'], { onlyFiles: true });
    expect(files.length).toBeGreaterThan(60);
    let compared = 0;
    for (const { file, body, isMdx } of bodies(files)) {
      expect(excerptProse(body, isMdx), file).toBe(oracle(body, isMdx));
      compared++;
    }
    expect(compared).toBeGreaterThan(50);
  });

  it('on 1,500 seeded random documents mixing every construct, as Markdown and as MDX', () => {
    const next = random(20261125);
    for (let i = 0; i < 1500; i++) {
      const source = document(next);
      for (const isMdx of [false, true]) expect(excerptProse(source, isMdx), `${isMdx ? 'mdx' : 'md'} #${i}:\n${source}`).toBe(oracle(source, isMdx));
    }
  });
});

describe('an excerpt read from a prefix is the start of what remark reads in the whole body', () => {
  it('on the issue-14 fixtures, the example site and the fixture corpus', () => {
    const files = fg.sync(['test/fixtures/excerpts/*.{md,mdx}', 'examples/**/*.{md,mdx}', 'test/fixtures/site/**/*.{md,mdx}'], { onlyFiles: true });
    expect(files.filter((file) => file.startsWith('test/fixtures/excerpts/'))).toHaveLength(5);
    let compared = 0;
    for (const { file, body, isMdx } of bodies(files)) {
      if (!comparable(body, isMdx)) continue;
      for (const maxChars of [100, 400, 1000]) {
        compared++;
        const mismatch = prefixMismatch(body, isMdx, maxChars);
        expect(mismatch?.got, `${file} at ${maxChars}`).toBe(mismatch?.want);
      }
    }
    expect(compared).toBeGreaterThan(150);
  });

  it('on 400 seeded random bodies cut inside JSX, expressions, exports, tight lists and asides, with definitions past the cut', () => {
    const next = random(20260614);
    let compared = 0;
    for (let i = 0; i < 400; i++) {
      const body = longDocument(next);
      const maxChars = [60, 200, 700][i % 3]!;
      for (const isMdx of [false, true]) {
        if (isMdx && read(body, true).fallback) continue;
        compared++;
        const mismatch = prefixMismatch(body, isMdx, maxChars);
        expect(mismatch?.got, `${isMdx ? 'mdx' : 'md'} #${i} at ${maxChars}:\n${body}`).toBe(mismatch?.want);
      }
    }
    expect(compared).toBeGreaterThan(500);
  });
});
