import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { boundedPrefix, excerpt } from '../src/core/excerpt.js';
import { tokenizedProse } from '../src/core/prose-tokens.js';
import { stripSiteSyntax } from '../src/core/site-syntax.js';

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

  it("leaves out site generators' own syntax: Hugo shortcodes, Liquid, kramdown attributes, heading ids, directives, footnotes", () => {
    const md = (body: string) => excerpt(body, { maxChars: 1000, mdx: false });
    // Hugo: shortcode tags go, a notice's text stays, a highlight's code goes with it.
    expect(md('{{< figure src="/a.png" caption="A figure" >}}\n\nIntro with {{< ref "x.md" >}} a ref.\n\n{{% notice tip %}}\nA tip.\n{{% /notice %}}\n\n{{< highlight go >}}\nfmt.Println("x")\n{{< /highlight >}}\n\nEnd.')).toBe(
      'Intro with a ref.\n\nA tip.\n\nEnd.',
    );
    // Jekyll / Eleventy: tags and outputs go; highlight, raw and comment blocks go whole, on one line or many.
    expect(md('{% include figure.html src="a.png" %}\n\nText for {{ site.title }} readers.\n{: .lead}\n\n{% highlight ruby %}\nputs "hi"\n{% endhighlight %}\n\nA {% raw %}{{ literal }}{% endraw %} and {% comment %}hidden{% endcomment %}done.')).toBe(
      'Text for readers.\n\nA and done.',
    );
    // Heading ids, Docusaurus admonitions (their text stays) and footnotes (markers and notes go).
    expect(md('## Setup {#setup}\n\n:::note Heads up\n\nInside the note.\n\n:::\n\nA claim.[^1] Another.[^long-note]\n\n[^1]: The source.\n    More of the note.\n\n[^long-note]: Second.\n\nAfter the notes.')).toBe(
      'Setup\n\nInside the note.\n\nA claim. Another.\n\nAfter the notes.',
    );
    expect(excerpt(':::tip\n\nMDX admonition.\n\n:::\n\n## Title {#id}\n\nText.', { maxChars: 1000, mdx: true })).toBe('MDX admonition.\n\nTitle\n\nText.');
  });

  it('keeps that syntax where it is code, and JSX props in MDX', () => {
    const md = (body: string) => excerpt(body, { maxChars: 1000, mdx: false });
    expect(md('Vue prints `{{ name }}` and `{% tag %}` here.\n\n```liquid\n{% include x %}\n```\n')).toBe('Vue prints {{ name }} and {% tag %} here.');
    expect(excerpt('<Box style={{ color: "red" }}>Styled text.</Box>\n', { maxChars: 1000, mdx: true })).toBe('Styled text.');
    // Text that only looks close to it is left alone.
    expect(md('A set {a, b} and [a link](x) and [^ not a note.')).toBe('A set {a, b} and a link and [^ not a note.');
  });

  it('leaves out tags and outputs written across lines as it does their one-line forms', () => {
    const md = (body: string) => excerpt(body, { maxChars: 1000, mdx: false });
    expect(md('{{< youtube\n    id="LEAK_YT"\n    title="LEAK_YTTITLE" >}}\n\nProse one.\n')).toBe('Prose one.');
    expect(md('\r\n{{< youtube\r\n    id="LEAK_YT" >}}\r\n\r\nProse one.\r\n')).toBe('Prose one.');
    expect(md('{% include figure.html\n   image="/LEAK.png" %}\n\nProse one.\n')).toBe('Prose one.');
    expect(md('Before {{ site.data\n  | where: "LEAK" }} after.\n')).toBe('Before after.');
    expect(md('{% include card.html\n  title="{{ page.title }}"\n  image="/LEAK.png" %}\nProse one.\n')).toBe('Prose one.');
    // A shortcode's wrapped text stays; code, raw and comment blocks go with their content.
    expect(md('{{% notice tip\n  title="LEAK" %}}\nA tip.\n{{% /notice %}}\n')).toBe('A tip.');
    expect(md('{{< highlight go\n  "linenos=table" >}}\nLEAK_CODE\n{{< /highlight >}}\n\nProse one.\n')).toBe('Prose one.');
    expect(md('{% raw\n%}LEAK {{ x }}\n{% endraw %}\n\nProse one.\n')).toBe('Prose one.');
    expect(md('{% raw %}LEAK\n{% endraw\n%} Prose one.\n')).toBe('Prose one.');
    // In MDX `{{ }}` is JSX, across lines too.
    expect(excerpt('Before {{ site.data\n  | where: "x" }} after.\n', { maxChars: 1000, mdx: true })).toBe('Before {{ site.data | where: "x" }} after.');
    expect(excerpt('<Box style={{\n  color: "red" }}>Styled text.</Box>\n', { maxChars: 1000, mdx: true })).toBe('Styled text.');
  });

  it('leaves a tag that does not close in its paragraph as text, and site syntax in fenced code to the code', () => {
    const md = (body: string) => excerpt(body, { maxChars: 1000, mdx: false });
    expect(md('Text with {{ unclosed\n\nmore }} text.\n')).toBe('Text with {{ unclosed\n\nmore }} text.');
    expect(md('Text with {% unclosed and more text.\n\nNext.')).toBe('Text with {% unclosed and more text.\n\nNext.');
    expect(md('Text {% a\n```\ncode %}\n```\n\nProse.\n')).toBe('Text {% a\n\nProse.');
    // A close belongs to the tag it ends, not to an unclosed `{{` before it.
    expect(md('Text with {{ unclosed\n{{< figure src="x" >}}\nMore text.\n')).toBe('Text with {{ unclosed\n\nMore text.');
    expect(md('Use `{{` and\n`}}` here.\n')).toBe('Use {{ and }} here.');
    expect(md('```liquid\n{% include x\n  y %}\n{{< highlight go >}}\n```\n\nProse.\n')).toBe('Prose.');
    // Many openers that never close, or close only past a blank line, are left as they are. (Read in linear time:
    // a quadratic reading of these 32,000 openers would run into the test's timeout; no wall-clock bound here.)
    const unclosed = `${'word {{ a {% b {{< c\n'.repeat(8000)}\n${'w {{ a {% b\n\n'.repeat(8000)}%}}} `;
    expect(stripSiteSyntax(unclosed, false)).toBe(unclosed);
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

  it('drops indented code at the start of a body, after the blank line that follows the front matter', () => {
    for (const indent of ['    ', '\t']) {
      const body = `\n${indent}$ npm install --save-dev batchmatter\n\nThen real prose.\n`;
      expect(excerpt(body, { maxChars: 1000, mdx: false })).toBe('Then real prose.');
      expect(excerpt(body, { maxChars: 1000, mdx: false })).toBe(tokenizedProse(body, false));
    }
    expect(excerpt('\n\nPlain start.\n', { maxChars: 1000, mdx: false })).toBe('Plain start.');
  });

  it('collapses whitespace inside blocks', () => {
    expect(excerpt('Some\ttabbed\n  and   spaced\ttext.\n\n\n\nNext.', { maxChars: 100, mdx: false })).toBe('Some tabbed and spaced text.\n\nNext.');
  });

  it('parses only a bounded prefix of a long body', () => {
    const paragraph = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(10);
    // 28 MB, whose end is not valid MDX: read whole, it would take most of the test's timeout, and fall back to
    // Markdown. How fast a prefix is read is the bench's to measure (npm run bench), not a wall-clock bound here.
    const huge = `${paragraph}\n\n`.repeat(50_000) + '{ unbalanced';
    const text = excerpt(huge, { maxChars: 500, mdx: true });
    expect(text.length).toBeLessThanOrEqual(500);
    expect(text.startsWith('Lorem ipsum')).toBe(true);
  });

  it('looks for prose in at most 16 × maxChars (16 KB at least) of a body that has little, not in all of it', () => {
    const code = (kb: number) => '```\ncode\n```\n\n'.repeat(Math.ceil((kb * 1024) / 15));
    expect(excerpt(`${code(12)}Prose found.\n`, { maxChars: 1000, mdx: false })).toBe('Prose found.');
    expect(excerpt(`${code(40)}Prose too far in.\n`, { maxChars: 1000, mdx: false })).toBe('');
    expect(excerpt(`${code(40)}Prose found.\n`, { maxChars: 3000, mdx: false })).toBe('Prose found.');
  });
});

describe('excerpts of real sites carry only prose (issue 14)', () => {
  const fixture = (name: string) => readFileSync(`test/fixtures/excerpts/${name}`, 'utf8');

  it('reads references whose definitions come after the prefix read', () => {
    expect(excerpt(fixture('late-definitions.md'), { maxChars: 120, mdx: false })).toBe(
      'See the changelog and for details, or the guide and the Full Reference.\n\nParagraph 1 of the notes, a short one.',
    );
    const paragraphs = Array.from({ length: 30 }, (_, i) => `Paragraph ${i}.`).join('\n\n');
    for (const mdx of [false, true]) {
      expect(excerpt(`See the [changelog][CL] and ![][img] for details.\n\n${paragraphs}\n\n[CL]: https://e.com\n[img]: /a.png\n`, { maxChars: 60, mdx })).toBe(
        'See the changelog and for details.\n\nParagraph 0.\n\nParagraph',
      );
    }
    // Text that only looks like a definition (in a paragraph, in code) defines nothing.
    expect(excerpt(`A [kept] and [also kept].\n\n${paragraphs}\n\nText\n[kept]: /x\n\n\`\`\`\n[also kept]: /y\n\`\`\`\n`, { maxChars: 40, mdx: false })).toBe(
      'A [kept] and [also kept].\n\nParagraph 0.',
    );
  });

  it('reads references whose definitions have a Liquid or Hugo destination, in the prefix read or past it', () => {
    const md = (body: string, maxChars = 1000) => excerpt(body, { maxChars, mdx: false });
    const defs = '[one]: {% post_url 2013-05-06-released %}\n[two]: {{ site.repository }}/issues/2\n[three]: <{{% eturl x %}}>\n';
    expect(md(`We [released it][one], fixed [#2][two] and [this][three].\n\n${defs}`)).toBe('We released it, fixed #2 and this.');
    const paragraphs = Array.from({ length: 30 }, (_, i) => `Paragraph ${i}.`).join('\n\n');
    expect(md(`We [released it][one], fixed [#2][two] and [this][three].\n\n${paragraphs}\n\n${defs}`, 40)).toBe('We released it, fixed #2 and this.');
  });

  it('leaves out a code-toggle shortcode with its code, and reads on after it', () => {
    const body = 'Intro.\n\n{{< code-toggle file=hugo >}}\n[cascade.target]\npath = \'{/articles}\'\n{{< /code-toggle >}}\n\nSee [details][].\n\n{{< codeblock >}}\nKept.\n{{< /codeblock >}}\n\n[details]: /cascade\n';
    expect(excerpt(body, { maxChars: 1000, mdx: false })).toBe('Intro.\n\nSee details.\n\nKept.');
    // Its closing tag past the prefix read first still closes it.
    const toml = Array.from({ length: 200 }, (_, i) => `${i % 40 ? '' : '\n[table]\n'}key${i} = 'value'`).join('\n');
    expect(excerpt(`Intro.\n\n{{< code-toggle file=hugo >}}\n${toml}\n{{< /code-toggle >}}\n\nAfter.\n`, { maxChars: 1000, mdx: false })).toBe('Intro.\n\nAfter.');
    // Self-closing, or with no closing tag after it, it wraps nothing.
    expect(excerpt('A.\n\n{{< code-toggle config=markup />}}\n\nB.\n\n{{< code-toggle file=x >}}\n\nC.\n', { maxChars: 1000, mdx: false })).toBe('A.\n\nB.\n\nC.');
  });

  it('leaves out directive fences nested in list items and quotes', () => {
    const text = 'Setting up takes three steps.\n\nStep one: install the tool.\n\nCareful here: the installer needs a network connection.\n\nStep two: write the config.\n\nA nested item.\n\nKeys are case-sensitive.\n\nStep three: run it.\n\nA quoted aside.';
    for (const mdx of [false, true]) expect(excerpt(fixture('aside-in-list.md'), { maxChars: 1000, mdx })).toBe(text);
    expect(excerpt('1. Step one.\n\n    :::note\n    Careful here.\n    :::\n\n2. Step two.\n', { maxChars: 1000, mdx: false })).toBe('Step one.\n\nCareful here.\n\nStep two.');
  });

  it('reads MDX cut inside a JSX element spanning blank lines as MDX', () => {
    for (const maxChars of [200, 1000]) {
      const text = excerpt(fixture('details-cut.mdx'), { maxChars, mdx: true });
      expect(text).toMatch(/^Islands share state through stores rather than props\.\n\nRelated recipes\n\nStep 1 of sharing state/);
      expect(text).not.toMatch(/[<>{}]/);
    }
    // The cut inside an expression or an export left open: the text ends before it, still read as MDX.
    const intro = 'Intro with an {expression} left out, and enough words to fill the excerpt wanted.\n\n';
    const items = Array.from({ length: 200 }, (_, i) => `  "item ${i}",`).join('\n\n');
    expect(excerpt(`${intro}{[\n\n${items}\n]}\n\nAfter.\n`, { maxChars: 60, mdx: true })).toBe('Intro with an left out, and enough words to fill the excerpt');
    expect(excerpt(`${intro}export const x = [\n\n${items}\n]\n\nAfter.\n`, { maxChars: 60, mdx: true })).toBe('Intro with an left out, and enough words to fill the excerpt');
  });

  it('cuts a tight list longer than the cap between its items', () => {
    const text = excerpt(fixture('long-tight-list.md'), { maxChars: 1000, mdx: false });
    expect(text).toMatch(/^Version 3\.2 is out\.\n\nCommits\n\nFix the parser for case 1 \(a0001f\)\n\nFix the parser for case 2 \(a0002f\)/);
    expect(text.length).toBeGreaterThan(900);
    const ordered = Array.from({ length: 900 }, (_, i) => `${i + 1}. Step number ${i + 1} of the long procedure.`).join('\n');
    expect(excerpt(`Intro.\n\n${ordered}\n`, { maxChars: 1000, mdx: false }).length).toBeGreaterThan(900);
  });

  it('cuts a quote longer than the cap between its paragraphs', () => {
    const quote = Array.from({ length: 600 }, (_, i) => `> Quoted paragraph ${i} of a long email, with **some** words.`).join('\n>\n');
    const text = excerpt(`Intro.\n\n${quote}\n`, { maxChars: 1000, mdx: false });
    expect(text).toMatch(/^Intro\.\n\nQuoted paragraph 0 of a long email, with some words\.\n\nQuoted paragraph 1 /);
    expect(text.length).toBeGreaterThan(900);
  });

  it('leaves tables out', () => {
    const text = 'KFP converts the Python objects a component returns to its own types.\n\nOther types raise an error.\n\nA list item with a table under it:\n\nDone.';
    for (const mdx of [false, true]) expect(excerpt(fixture('table.md'), { maxChars: 1000, mdx })).toBe(text);
    // Pipes that are no table stay text.
    expect(excerpt('A | B and `a|b`.\n\n| not | a table |\n| --- |\n', { maxChars: 1000, mdx: false })).toBe('A | B and a|b.\n\n| not | a table | | --- |');
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

  it('cuts before a list item that ends the block above it, when that is later than a blank line', () => {
    expect(boundedPrefix('a\n\n- one\n- two\n- three', 16)).toBe('a\n\n- one\n- two\n');
    expect(boundedPrefix('a\n\n1. one\n2. two\n   more\n3. three', 28)).toBe('a\n\n1. one\n2. two\n   more\n');
    // Not before what may continue a paragraph, a thematic break or an item in code.
    expect(boundedPrefix('a\n\ntext\n2. two\n3. three', 20)).toBe('a\n');
    expect(boundedPrefix('a\n\ntext\n- - -\nmore', 15)).toBe('a\n');
    expect(boundedPrefix('a\n\n```\n- one\n- two\n```\n', 20)).toBe('a\n');
  });
});
