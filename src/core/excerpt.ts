import { boundedPrefix } from './prefix.js';
import { segmentedProse } from './prose-pieces.js';
import { definitionsIn } from './link-definitions.js';
import { tokenizedProse, WHOLE_BODY, type ReadContext } from './prose-tokens.js';
import { stripSiteSyntax } from './site-syntax.js';

export interface ExcerptOptions {
  maxChars: number;
  /** Parse as MDX (imports, JSX, `{expressions}`); falls back to Markdown when MDX will not parse. */
  mdx: boolean;
}

export { boundedPrefix };

/** The longest prefix read for an excerpt is 16 × maxChars, and at least this. */
const MIN_CAP = 16 * 1024;
const MORE = /<!--\s*(?:more|truncate)\s*-->/i;
const MDX_MORE = /\{\s*\/\*\s*(?:more|truncate)\s*\*\/\s*\}/i;

/**
 * Plain text from the start of a Markdown/MDX body for the prompt: prose only,
 * paragraphs separated by a blank line, at most `maxChars` characters.
 */
export function excerpt(body: string, { maxChars, mdx: isMdx }: ExcerptOptions): string {
  if (maxChars <= 0) return '';
  // Parsing is the slow part, so parse a prefix a little longer than the text wanted, and a longer one
  // only when headings, code and markup left too little prose in it; but not the whole of a long body
  // with little prose: micromark takes time quadratic in some hostile markup (50 KB of `*` runs: 40 s).
  const cap = Math.max(maxChars * 16, MIN_CAP);
  // The body's link reference definitions, found once: those past the text read still define its references.
  let definitions: Array<[string, number]> | undefined;
  const definedFrom = (from: number) =>
    body.includes(']:', from) ? (definitions ??= definitionsIn(body)).filter(([, at]) => at >= from).map(([label]) => label) : [];
  // A prefix read piece by piece, stopping at the piece that brings enough text. A text with a lone CR, or
  // MDX that must be read as Markdown, is read the slower way below.
  // A block without a blank line in it (a long tight list, a quoted email) is one piece, tokenized whole, in time
  // worse than linear: so the prefix grows fourfold (cut between list items and quoted paragraphs) while it
  // holds too little prose, and only then is read again.
  for (const limit of [Math.max(2 * maxChars, 2048), Math.max(8 * maxChars, 8192), cap]) {
    const prefix = boundedPrefix(body, Math.min(limit, cap));
    const { source, context, ended } = readable(body, prefix, isMdx, definedFrom);
    const text = segmentedProse(source, isMdx, context, maxChars);
    if (text === undefined) break;
    if (text.length > maxChars || ended || prefix.length >= body.length || limit >= cap) return truncate(text, maxChars);
  }
  for (let limit = Math.max(Math.ceil(maxChars * 1.5), 1024); ; limit = Math.min(limit * 2, cap)) {
    const prefix = boundedPrefix(body, limit);
    const { source, context, ended } = readable(body, prefix, isMdx, definedFrom);
    const text = excerptProse(source, isMdx, context);
    if (text.length >= maxChars || ended || prefix.length >= body.length || limit >= cap) return truncate(text, maxChars);
  }
}

/**
 * What is read of `prefix`, the start of `body`: the text before a `<!-- more -->` marker (which only
 * matters before the cut, so it is looked for in the prefix alone) without site syntax, what the reader
 * must know of the body past it, and whether a marker ended it.
 */
function readable(body: string, prefix: string, isMdx: boolean, definedFrom: (from: number) => string[]): { source: string; context: ReadContext; ended: boolean } {
  let source = prefix;
  const more = source.search(MORE);
  if (more !== -1) source = source.slice(0, more);
  const mdxMore = isMdx ? source.search(MDX_MORE) : -1;
  if (mdxMore !== -1) source = source.slice(0, mdxMore);
  const truncated = source.length < body.length;
  const context: ReadContext = { truncated, defined: truncated ? definedFrom(source.length) : [] };
  return { source: stripSiteSyntax(source, isMdx, body.slice(source.length)), context, ended: source.length < prefix.length };
}

/**
 * The prose of a Markdown/MDX text: paragraphs and headings, one per
 * line-pair, markup and code left out. `context` tells what it needs to know
 * of the body when the text is only the start of it.
 */
export function excerptProse(source: string, isMdx: boolean, context: ReadContext = WHOLE_BODY): string {
  return segmentedProse(source, isMdx, context) ?? tokenizedProse(source, isMdx, context);
}

/** At most `maxChars`, ending at a word boundary when there is one in the second half. */
function truncate(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  let cut = maxChars;
  const space = text.lastIndexOf(' ', maxChars);
  const newline = text.lastIndexOf('\n', maxChars);
  const boundary = Math.max(space, newline);
  if (boundary > maxChars / 2) cut = boundary;
  // Never split a surrogate pair (emoji, rare CJK).
  else if (/[\uD800-\uDBFF]/.test(text[cut - 1] ?? '')) cut--;
  return text.slice(0, cut).trimEnd();
}
