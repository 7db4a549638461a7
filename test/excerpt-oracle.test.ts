import { readFileSync } from 'node:fs';
import fg from 'fast-glob';
import { describe, expect, it } from 'vitest';
import { excerptProse } from '../src/core/excerpt.js';
import { fenceAfter } from '../src/core/fences.js';
import { parseFrontMatter } from '../src/frontmatter/read.js';
import { comparable, oracle, prefixMismatch, read } from './helpers/excerpt-oracle.js';
import { random } from './helpers/random.js';

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
  (n: number) => `> Quoted intro.\n>\n${lines(n, '> Quoted paragraph with *stress* and [a ref][r]', '\n> \n')}\n>\n> - a quoted item\n>     indented\n>\n>     code`,
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

/**
 * A body longer than the excerpt reads: pieces, plain paragraphs, a construct the cut may fall in, and more pieces after;
 * `long`, past the 16 KB the excerpt reads at most.
 */
function longDocument(next: () => number, long = false): string {
  const filler = lines(Math.floor(next() * 30), 'A plain paragraph of filler text, about as long as a sentence', '\n\n');
  const spanning = SPANNING[Math.floor(next() * SPANNING.length)]!(long ? 450 : 5 + Math.floor(next() * 60));
  const tail = ['[r]: https://example.test/late', '[R]: /late-r', '[other]: /late-o'].filter(() => next() < 0.6);
  return [document(next, 1, 4), filler, spanning, document(next, 0, 4), ...tail].filter(Boolean).join('\n\n');
}

/** Whether a code fence is open at `offset` of `body`. */
function fenceOpenAt(body: string, offset: number): boolean {
  let fence = '';
  for (const line of body.slice(0, offset).split('\n')) fence = fenceAfter(line, fence);
  return fence !== '';
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
      const long = i % 50 === 0;
      const body = longDocument(next, long);
      const maxChars = [60, 200, 700][i % 3]!;
      // Code fenced past the 16 KB read is code to the excerpt, whatever closes it later.
      if (long && fenceOpenAt(body, 16 * 1024)) continue;
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
