import { parse, postprocess, preprocess } from 'micromark';
import { mdxjs } from 'micromark-extension-mdxjs';
import { decodeString } from 'micromark-util-decode-string';
import type { Event } from 'micromark-util-types';

export interface ExcerptOptions {
  maxChars: number;
  /** Parse as MDX (imports, JSX, `{expressions}`); falls back to Markdown when MDX will not parse. */
  mdx: boolean;
}

/*
 * The text comes from micromark's token stream, the tokenizer remark-parse
 * runs, with remark-mdx's syntax extensions: the same parse remark would make,
 * without building the syntax tree, which was over half of the time an excerpt
 * took (test/excerpt.test.ts checks the two agree, with remark as the oracle).
 */
const MDX_EXTENSIONS = [mdxjs()];

/** Blocks whose text forms one paragraph of the excerpt. */
const BLOCKS = new Set(['paragraph', 'atxHeading', 'setextHeading']);
/** Code, markup and metadata rather than prose: skipped whole (inside a block, they leave a space). */
const DROP = new Set([
  'codeFenced',
  'codeIndented',
  'htmlFlow',
  'htmlText',
  'definition',
  'image',
  'resource',
  'reference',
  'mdxEsm',
  'mdxFlowExpression',
  'mdxTextExpression',
  'mdxJsxFlowTag',
  'mdxJsxTextTag',
]);
/** Dropped without a space: a JSX tag's text is its children's (`a<b>c</b>d` reads "acd"), and a link's destination is not text. */
const SILENT = new Set(['mdxJsxTextTag', 'mdxJsxFlowTag', 'resource', 'reference']);
/** Tokens holding text as written. */
const TEXT = new Set(['data', 'codeTextData', 'autolinkProtocol', 'autolinkEmail', 'characterEscapeValue']);
/** Tokens that separate words. */
const SPACE = new Set(['lineEnding', 'hardBreakEscape', 'hardBreakTrailing']);

const MORE = /<!--\s*(?:more|truncate)\s*-->/i;
const MDX_MORE = /\{\s*\/\*\s*(?:more|truncate)\s*\*\/\s*\}/i;
const ESM_LINE = /^(?:import|export)\b/;

/**
 * Plain text from the start of a Markdown/MDX body for the prompt: prose only,
 * paragraphs separated by a blank line, at most `maxChars` characters.
 */
export function excerpt(body: string, { maxChars, mdx: isMdx }: ExcerptOptions): string {
  if (maxChars <= 0) return '';
  // Parsing is the slow part, so parse a prefix a little longer than the text wanted, and a longer one
  // only when headings, code and markup left too little prose in it.
  for (let limit = Math.max(Math.ceil(maxChars * 1.5), 1024); ; limit *= 2) {
    const source = boundedPrefix(body, limit);
    const { text, ended } = excerptOf(source, isMdx);
    if (text.length >= maxChars || ended || source.length >= body.length) return truncate(text, maxChars);
  }
}

/** The prose of `source`, and whether a `<!-- more -->` marker ended it. */
function excerptOf(prefix: string, isMdx: boolean): { text: string; ended: boolean } {
  // The marker only matters before the cut, so it is looked for in the prefix alone.
  let source = prefix;
  const more = source.search(MORE);
  if (more !== -1) source = source.slice(0, more);
  const mdxMore = isMdx ? source.search(MDX_MORE) : -1;
  if (mdxMore !== -1) source = source.slice(0, mdxMore);

  return { text: excerptProse(source, isMdx), ended: more !== -1 || mdxMore !== -1 };
}

/** The prose of a whole Markdown/MDX text: paragraphs and headings, one per line-pair, markup and code left out. */
export function excerptProse(source: string, isMdx: boolean): string {
  let events: Event[];
  let fallback = false;
  try {
    events = tokenize(source, isMdx);
  } catch {
    // MDX rejects what Markdown accepts (`<br>`, a lone `{`); such a file still gets an excerpt.
    events = tokenize(source, false);
    fallback = true;
  }
  const blocks: string[] = [];
  collect(events, blocks, fallback);
  return blocks.join('\n\n');
}

function tokenize(source: string, isMdx: boolean): Event[] {
  const events = postprocess(parse(isMdx ? { extensions: MDX_EXTENSIONS } : {}).document().write(preprocess()(source, undefined, true)));
  if (isMdx) checkJsxTags(events);
  return events;
}

/**
 * Throws where remark-mdx would refuse the text although the tokenizer took it:
 * a JSX tag never closed (`<br>`), closed by another name, or a tag opened in
 * a paragraph or heading and not closed there.
 */
function checkJsxTags(events: Event[]): void {
  const open: Array<{ name: string; block: number }> = [];
  let block = 0;
  let tag: { name: string; closing: boolean; selfClosing: boolean } | undefined;
  for (const [kind, token, context] of events) {
    // A string: the MDX token types are not in micromark's TokenTypeMap.
    const type: string = token.type;
    if (BLOCKS.has(type)) {
      if (kind === 'enter') block++;
      else if (open.at(-1)?.block === block--) throw new Error(`<${open.at(-1)!.name}> is not closed before the end of its block`);
    } else if (type === 'mdxJsxTextTag' || type === 'mdxJsxFlowTag') {
      if (kind === 'enter') tag = { name: '', closing: false, selfClosing: false };
      else if (tag && !tag.selfClosing) {
        if (!tag.closing) open.push({ name: tag.name, block: type === 'mdxJsxTextTag' ? block : 0 });
        else if (open.pop()?.name !== tag.name) throw new Error(`</${tag.name}> closes a tag it was not opened by`);
      }
    } else if (tag && kind === 'enter') {
      if (type.endsWith('TagName')) tag.name = context.sliceSerialize(token).replace(/\s+/g, '');
      else if (type.endsWith('TagClosingMarker')) tag.closing = true;
      else if (type.endsWith('TagSelfClosingMarker')) tag.selfClosing = true;
    }
  }
  if (open.length) throw new Error(`<${open.at(-1)!.name}> is never closed`);
}

/** The text of every paragraph and heading, in order, without what DROP names. */
function collect(events: Event[], blocks: string[], fallback: boolean): void {
  let parts: string[] | undefined;
  let dropping: string | undefined;
  let depth = 0;
  for (const [kind, token, context] of events) {
    const { type } = token;
    if (dropping) {
      // Until the dropped token's own exit (a type can nest in itself, e.g. JSX in an expression).
      if (type === dropping) depth += kind === 'enter' ? 1 : -1;
      if (depth === 0) dropping = undefined;
      continue;
    }
    if (kind === 'exit') {
      if (!BLOCKS.has(type) || !parts) continue;
      const text = parts.join('').replace(/\s+/g, ' ').trim();
      // Parsed as plain Markdown, MDX import/export statements are paragraphs.
      if (text && !(fallback && type === 'paragraph' && ESM_LINE.test(text))) blocks.push(text);
      parts = undefined;
    } else if (DROP.has(type)) {
      dropping = type;
      depth = 1;
      if (!SILENT.has(type)) parts?.push(' ');
    } else if (BLOCKS.has(type)) {
      parts = [];
    } else if (!parts) {
      continue;
    } else if (TEXT.has(type)) {
      parts.push(context.sliceSerialize(token));
    } else if (type === 'characterReference') {
      parts.push(decodeString(context.sliceSerialize(token)));
    } else if (SPACE.has(type)) {
      parts.push(' ');
    }
  }
}

const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/**
 * The start of `body`, about `limit` characters long, cut at a blank line
 * outside fenced code so the parser sees whole blocks: parsing is the slow
 * part and an excerpt never needs the rest of a long post.
 */
export function boundedPrefix(body: string, limit: number): string {
  if (body.length <= limit) return body;
  let fence = '';
  let cut = -1;
  for (let pos = 0; pos <= limit; ) {
    const lf = body.indexOf('\n', pos);
    const end = lf === -1 ? body.length : lf;
    const line = body.slice(pos, end);
    const marker = FENCE.exec(line)?.[1];
    if (fence) {
      // A closing fence: the same character, at least as long, nothing after it.
      if (marker && marker[0] === fence[0] && marker.length >= fence.length && line.trim() === marker) fence = '';
    } else if (marker) {
      fence = marker;
    } else if (line.trim() === '') {
      cut = pos;
    }
    if (lf === -1) break;
    pos = lf + 1;
  }
  return body.slice(0, cut > 0 ? cut : limit);
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
