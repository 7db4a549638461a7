import { parse, postprocess, preprocess } from 'micromark';
import { mdxjs } from 'micromark-extension-mdxjs';
import { decodeString } from 'micromark-util-decode-string';
import type { Event, ParseContext, Token } from 'micromark-util-types';
import { tableStart } from './prose-tables.js';

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
const ESM_LINE = /^(?:import|export)\b/;

/** What the reader of a text must know of the body around it. */
export interface ReadContext {
  /**
   * The text is a prefix of the body, cut where it stops: a JSX element still
   * open at its end is closed past the cut, not left unclosed.
   */
  truncated: boolean;
  /** Labels of the link reference definitions made past the text (see link-definitions.ts). */
  defined: readonly string[];
}
export const WHOLE_BODY: ReadContext = { truncated: false, defined: [] };

/** The prose of `source` from one micromark parse of all of it. */
export function tokenizedProse(source: string, isMdx: boolean, context: ReadContext = WHOLE_BODY): string {
  let events: Event[];
  let fallback = false;
  try {
    events = tokenize(source, isMdx, freshParser(isMdx, context.defined), context.truncated);
  } catch {
    // MDX rejects what Markdown accepts (`<br>`, a lone `{`); such a file still gets an excerpt.
    events = tokenize(source, false, freshParser(false, context.defined));
    fallback = true;
  }
  const blocks: string[] = [];
  collect(events, blocks, fallback);
  return blocks.join('\n\n');
}

const parsers: { md?: ParseContext; mdx?: ParseContext } = {};
const PARSER_KEYS = new Set(Object.keys(parse()));

/**
 * A micromark parser for the syntax, reused: combining the MDX extensions took
 * a tenth of a parse. What it keeps from one text is cleared for the next: the
 * definitions and lazy lines micromark keeps, and whatever an extension stored
 * on it (the ESM extension keeps the names imported so far there). It starts
 * out knowing the definitions `defined`, made outside the text.
 */
export function freshParser(isMdx: boolean, defined: readonly string[] = []): ParseContext {
  const parser = isMdx ? (parsers.mdx ??= parse({ extensions: MDX_EXTENSIONS })) : (parsers.md ??= parse());
  for (const key of Object.keys(parser)) if (!PARSER_KEYS.has(key)) delete (parser as unknown as Record<string, unknown>)[key];
  parser.defined = [...defined];
  parser.lazy = {};
  return parser;
}

/**
 * The tokens of one text, or of one piece of a text when `parser` has parsed
 * the pieces before it: what an extension keeps (names imported) then carries
 * over, as it would in one parse of the whole. With `truncated`, a JSX element
 * still open at the end is taken to close past it.
 */
export function tokenize(source: string, isMdx: boolean, parser = freshParser(isMdx), truncated = false): Event[] {
  // Lazy lines are kept by line number, which starts again at 1 in each piece.
  parser.lazy = {};
  const events = postprocess(parser.document().write(preprocess()(source, undefined, true)));
  if (isMdx) checkJsxTags(events, truncated);
  return events;
}

/**
 * Whether MDX refused `source` only for want of what comes after it: an
 * expression, a tag or an import/export still open at its end. Past a cut,
 * that is where the cut fell, not a fault of the body.
 */
export function openAtEnd(error: unknown, source: string): boolean {
  const { ruleId, source: origin, place } = (error ?? {}) as { ruleId?: string; source?: string; place?: { offset?: number } };
  if (ruleId === 'unexpected-eof') return true;
  return origin === 'micromark-extension-mdxjs-esm' && ruleId === 'acorn' && (place?.offset ?? -1) >= source.trimEnd().length;
}

/**
 * Throws where remark-mdx would refuse the text although the tokenizer took it:
 * a JSX tag never closed (`<br>`), closed by another name, or a tag opened in
 * a paragraph or heading and not closed there.
 */
function checkJsxTags(events: Event[], truncated: boolean): void {
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
  if (open.length && !truncated) throw new Error(`<${open.at(-1)!.name}> is never closed`);
}

/** The text of every paragraph and heading, in order, without what DROP names and without tables (see prose-tables.ts). */
export function collect(events: Event[], blocks: string[], fallback: boolean): void {
  let parts: string[] | undefined;
  // The line each part starts on, and whether a part holds a pipe (a table's delimiter row is text).
  const lines: number[] = [];
  let pipe = false;
  let dropping: string | undefined;
  let depth = 0;
  const add = (text: string, token: Token) => {
    parts!.push(text);
    lines.push(token.start.line);
  };
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
      const table = pipe ? tableStart(context.sliceSerialize(token)) : undefined;
      if (table !== undefined) parts = parts.filter((_, i) => lines[i]! < token.start.line + table);
      const text = parts.join('').replace(/\s+/g, ' ').trim();
      // Parsed as plain Markdown, MDX import/export statements are paragraphs.
      if (text && !(fallback && type === 'paragraph' && ESM_LINE.test(text))) blocks.push(text);
      parts = undefined;
    } else if (DROP.has(type)) {
      dropping = type;
      depth = 1;
      if (!SILENT.has(type) && parts) add(' ', token);
    } else if (BLOCKS.has(type)) {
      parts = [];
      lines.length = 0;
      pipe = false;
    } else if (!parts) {
      continue;
    } else if (TEXT.has(type)) {
      const text = context.sliceSerialize(token);
      if (text.includes('|')) pipe = true;
      add(text, token);
    } else if (type === 'characterReference') {
      add(decodeString(context.sliceSerialize(token)), token);
    } else if (SPACE.has(type)) {
      add(' ', token);
    }
  }
}
