import { postprocess, preprocess } from 'micromark';
import type { Event, ParseContext, Token } from 'micromark-util-types';
import { collect } from './prose-tokens.js';

/*
 * Most paragraphs of real prose carry a link, a code span or emphasis, so the
 * direct reading of plain paragraphs (prose-pieces.ts) misses them and they
 * went through the whole tokenizer: document, flow and content tokenizers,
 * then the text tokenizer for what is inside. A piece that can only be one
 * paragraph needs the last alone, so it is run on the paragraph's lines, as
 * micromark's content would hand them over (each line's indent stripped).
 *
 * Only one paragraph: no blank line, and no line that could start or
 * interrupt another block or be a definition: a list item, heading, quote,
 * fence, thematic break, setext underline, HTML or JSX block, expression,
 * import/export or `[label]:`. No pipe either: the paragraph may be a table
 * (see prose-tables.ts). In MDX, no `<` or `{`: a JSX tag or expression that
 * does not close in the paragraph makes remark-mdx refuse the text, which the
 * whole tokenizer's reading deals with.
 */
const NOT_ONE_PARAGRAPH = /\n[ \t\r]*\n|^[ \t]*(?:[-+*=#>_<{`~[]|\d{1,9}[.)]|(?:import|export)\b)|\|/m;
const MDX_MARKUP = /[<{]/;
const LINE_INDENT = /\n[ \t]+/g;

/** The text of `piece` when it is one paragraph (trimmed as prose-pieces.ts does); undefined otherwise. */
export function inlineParagraph(text: string, isMdx: boolean, parser: ParseContext): string[] | undefined {
  // Indented, the first line would be code.
  if (text === '' || text[0] === ' ' || text[0] === '\t' || NOT_ONE_PARAGRAPH.test(text) || (isMdx && MDX_MARKUP.test(text))) return undefined;
  let events: Event[];
  try {
    events = postprocess(parser.text().write(preprocess()(text.replace(LINE_INDENT, '\n'), undefined, true)));
  } catch {
    return undefined;
  }
  // collect() reads the text inside paragraphs: the events are put inside one.
  const paragraph = { type: 'paragraph', start: events[0]?.[1].start ?? { line: 1, column: 1, offset: 0, _index: 0, _bufferIndex: -1 } } as Token;
  const context = events[0]?.[2] ?? (undefined as never);
  const blocks: string[] = [];
  collect([['enter', paragraph, context], ...events, ['exit', paragraph, context]], blocks, false);
  return blocks;
}
