import { describe, expect, it } from 'vitest';
import { boundedPrefix, excerpt } from '../src/core/excerpt.js';

const MDX = `import { Callout } from '../components/Callout'
export const meta = { author: 'Ann' }

# Getting started {props.version}

<Callout type="tip">
  Install it with **npm** and [read the docs](/docs).
</Callout>

Text with {1 + 1} an expression and \`inline code\`.  
After a hard break.

\`\`\`js
const secret = 'code is dropped'
\`\`\`

<Note>Inline <b>JSX</b> text</Note>

{/* a comment expression */}

- One item
- Two ![an image](x.png)
`;

describe('excerpt', () => {
  it('keeps prose and JSX text, drops imports, exports, expressions and code', () => {
    expect(excerpt(MDX, { maxChars: 1000, mdx: true })).toBe(
      [
        'Getting started',
        'Install it with npm and read the docs.',
        'Text with an expression and inline code. After a hard break.',
        'Inline JSX text',
        'One item',
        'Two',
      ].join('\n\n'),
    );
  });

  it('drops HTML and code in plain Markdown', () => {
    const body = '# Title\n\n<div class="x">\nhtml block\n</div>\n\nSome <span>inline</span> text.\n\n    indented code\n\n> Quoted *words*.\n';
    expect(excerpt(body, { maxChars: 1000, mdx: false })).toBe('Title\n\nSome inline text.\n\nQuoted words.');
  });

  it('stops at <!-- more --> and, in MDX, at {/* more */}', () => {
    expect(excerpt('Intro text.\n\n<!-- more -->\n\nRest of the post.', { maxChars: 1000, mdx: false })).toBe('Intro text.');
    expect(excerpt('Intro <!--more--> rest.', { maxChars: 1000, mdx: false })).toBe('Intro');
    expect(excerpt('Intro text.\n\n{/* more */}\n\nRest.', { maxChars: 1000, mdx: true })).toBe('Intro text.');
    expect(excerpt('Intro.\n\n{/* more */}\n\nRest.', { maxChars: 1000, mdx: false })).toBe('Intro.\n\n{/* more */}\n\nRest.');
  });

  it('falls back to Markdown when MDX will not parse, still without import lines', () => {
    const broken = "import X from './x'\n\nLine one<br>line two.\n\nA lone { brace.\n";
    expect(excerpt(broken, { maxChars: 1000, mdx: true })).toBe('Line one line two.\n\nA lone { brace.');
  });

  it('cuts at a word boundary within maxChars', () => {
    const body = 'The quick brown fox jumps over the lazy dog.';
    expect(excerpt(body, { maxChars: 20, mdx: false })).toBe('The quick brown fox');
    expect(excerpt(body, { maxChars: 200, mdx: false })).toBe(body);
    expect(excerpt('x'.repeat(50), { maxChars: 10, mdx: false })).toBe('x'.repeat(10));
    expect(excerpt('🎉'.repeat(10), { maxChars: 5, mdx: false })).toBe('🎉🎉');
    expect(excerpt(body, { maxChars: 0, mdx: false })).toBe('');
    for (const maxChars of [1, 7, 33, 120]) expect(excerpt(MDX, { maxChars, mdx: true }).length).toBeLessThanOrEqual(maxChars);
  });

  it('collapses whitespace inside blocks', () => {
    expect(excerpt('Some\ttabbed\n  and   spaced\ttext.\n\n\n\nNext.', { maxChars: 100, mdx: false })).toBe('Some tabbed and spaced text.\n\nNext.');
  });

  it('parses only a bounded prefix of a long body', () => {
    const paragraph = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(10);
    const huge = `${paragraph}\n\n`.repeat(50_000) + '{ unbalanced';
    const start = performance.now();
    const text = excerpt(huge, { maxChars: 500, mdx: true });
    expect(performance.now() - start).toBeLessThan(1000);
    expect(text.length).toBeLessThanOrEqual(500);
    expect(text.startsWith('Lorem ipsum')).toBe(true);
  });
});

describe('boundedPrefix', () => {
  it('returns a short body whole', () => {
    expect(boundedPrefix('a\n\nb', 100)).toBe('a\n\nb');
  });

  it('cuts at the last blank line before the limit', () => {
    expect(boundedPrefix('aaaa\n\nbbbb\n\ncccc\n\ndddd', 13)).toBe('aaaa\n\nbbbb\n');
  });

  it('never cuts inside a fenced code block', () => {
    const body = 'intro\n\n```md\nline\n\nblank inside\n```\n\nafter';
    expect(boundedPrefix(body, 25)).toBe('intro\n');
    expect(boundedPrefix('p\n\n~~~~\n\n~~~\n\nstill code\n~~~~\n\nq\n\nr', 32)).toBe('p\n\n~~~~\n\n~~~\n\nstill code\n~~~~\n');
  });

  it('cuts at the limit when there is no blank line', () => {
    expect(boundedPrefix('x'.repeat(100), 10)).toBe('x'.repeat(10));
  });
});
