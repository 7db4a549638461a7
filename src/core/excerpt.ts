import { parse, postprocess, preprocess } from 'micromark';
import { mdxjs } from 'micromark-extension-mdxjs';
import { decodeString } from 'micromark-util-decode-string';
import type { Event, ParseContext } from 'micromark-util-types';

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

/**
 * The prose of a whole Markdown/MDX text: paragraphs and headings, one per
 * line-pair, markup and code left out.
 */
export function excerptProse(source: string, isMdx: boolean): string {
  return segmentedProse(source, isMdx) ?? tokenizedProse(source, isMdx);
}

/** The prose of `source` from one micromark parse of all of it. */
function tokenizedProse(source: string, isMdx: boolean): string {
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

/*
 * Most of a post is plain paragraphs and headings, and tokenizing them was
 * most of the time a scan took. So the text is cut where one top-level block
 * ends and the next begins (a blank line, then a line at column 0, outside
 * fenced code); a piece that is one plain paragraph or one plain heading is
 * read directly, and every other piece is tokenized on its own.
 *
 * A piece parsed alone reads as it does in the whole text when it begins at a
 * block boundary and nothing in it runs on past its end. The first piece
 * begins at the start; each piece is checked to close what it opens (a fence
 * left open, or an MDX tag, expression or import unfinished, which the MDX
 * tokenizer refuses), else it is joined to the next and parsed again, so the
 * next one begins at a boundary too. What cannot be checked that way falls
 * back to one parse of the whole text: link reference definitions (a
 * reference reads differently with its definition elsewhere), Markdown's HTML
 * blocks that run across blank lines (comments, <script>, <pre>, <style>,
 * <textarea>, `<?`, `<!`), and a carriage return that is not part of CRLF (a
 * line break to the parser but not to the line scan here).
 */
const SPANNING_HTML = /<[!?]|<(?:script|pre|style|textarea)(?![\w-])/i;
const LONE_CR = /\r(?!\n)/;
/** How many pieces one failing piece may be joined with before the whole text is parsed instead. */
const MAX_JOIN = 8;

function segmentedProse(source: string, isMdx: boolean): string | undefined {
  if (source.includes(']:') || LONE_CR.test(source) || (!isMdx && SPANNING_HTML.test(source))) return undefined;
  const starts = pieceStarts(source);
  const parser = freshParser(isMdx);
  const blocks: string[] = [];
  for (let i = 0; i < starts.length; ) {
    const piece = source.slice(starts[i], starts[i + 1]);
    const direct = directBlocks(piece, isMdx, parser);
    if (direct) {
      blocks.push(...direct);
      i++;
      continue;
    }
    let end = i + 1;
    for (;;) {
      const atEnd = end === starts.length;
      const events = closedTokens(source.slice(starts[i], starts[end]), isMdx, parser, atEnd);
      if (events) {
        collect(events, blocks, false);
        break;
      }
      if (atEnd || end - i > MAX_JOIN) return undefined;
      end++;
    }
    i = end;
  }
  return blocks.join('\n\n');
}

/**
 * Offsets where a top-level block may begin: the start, and each line at
 * column 0 after a blank line outside fenced code, except a list item after
 * what may be indented code: micromark reads `2. x` or a lone `-` there as a
 * paragraph, as if it interrupted the code, and as a list item on its own.
 */
function pieceStarts(source: string): number[] {
  const starts = [0];
  let fence = '';
  let blank = false;
  let indented = false;
  for (let pos = 0; pos < source.length; ) {
    const lf = source.indexOf('\n', pos);
    const end = lf === -1 ? source.length : lf;
    const line = source.slice(pos, end);
    const isBlank = line.trim() === '';
    if (!fence && blank && !isBlank && pos > 0 && line[0] !== ' ' && line[0] !== '\t' && !(indented && LIST_MARKER.test(line))) {
      starts.push(pos);
      indented = false;
    }
    if (INDENTED.test(line)) indented = true;
    fence = fenceAfter(line, fence);
    blank = isBlank;
    pos = end + 1;
  }
  return starts;
}
const LIST_MARKER = /^(?:[-+*]|\d{1,9}[.)])(?:[ \t\r]|$)/;
const INDENTED = /^ {0,3}\t|^ {4}/;

/** The fence still open after `line`, given the one open before it ('' for none). */
function fenceAfter(line: string, fence: string): string {
  const marker = FENCE.exec(line)?.[1];
  if (!marker) return fence;
  // A closing fence: the same character, at least as long, nothing after it.
  if (fence) return marker[0] === fence[0] && marker.length >= fence.length && line.trim() === marker ? '' : fence;
  // A backtick fence's info string has no backtick (```a`b is a code span).
  if (marker[0] === '`' && line.indexOf('`', line.indexOf(marker) + marker.length) !== -1) return fence;
  return marker;
}

/*
 * A plain paragraph has no character that could start markup (emphasis,
 * code, links, HTML and JSX, expressions, entities, escapes), no line that
 * would start another block (a list item, heading, quote, fence, thematic
 * break, setext underline, or an MDX import/export), and no blank line. A
 * carriage return here is always part of a CRLF (a lone one sent the text to
 * one whole parse), so it counts as the line break it is.
 */
const MARKUP = /[`*_[\]<>{}&\\~|\0]/;
const BLOCK_START = /^[ \t]*(?:[-+*=#>]|\d{1,9}[.)]|(?:import|export)\b)/m;
const BLANK_LINE = /\n[ \t\r]*\n/;
const PLAIN_HEADING = /^#{1,6}(?:[ \t]+([^\n`*_[\]<>{}&\\~|#\0]*))?$/;
/** A tight list item whose text is plain: the marker, one space, then a character that starts no block. */
const PLAIN_ITEM = /^[-+] (?![ \t\r+*=#>-]|\d{1,9}[.)]|(?:import|export)\b)(.*)$/;
/** An MDX comment alone on its line, the only expression without code: no star inside, so it ends where it seems to. */
const MDX_COMMENT = /^\{\/\*[^*\n]*\*\/\}[ \t\r]*$/;

/**
 * The paragraphs of a piece that is one plain paragraph, one plain ATX
 * heading, one tight list of plain items, one fenced code block or (in MDX)
 * one comment; undefined for anything else, which the tokenizer reads.
 */
function directBlocks(piece: string, isMdx: boolean, parser: ParseContext): string[] | undefined {
  const text = piece.trimEnd();
  if (text === '') return [];
  const first = text[0];
  if (first === '#') {
    const heading = PLAIN_HEADING.exec(text);
    return heading ? nonEmpty((heading[1] ?? '').replace(/\s+/g, ' ').trim()) : undefined;
  }
  if (first === '`' || first === '~') return fencedOnly(text) ? [] : undefined;
  if (first === '{') return isMdx && MDX_COMMENT.test(text) ? [] : undefined;
  if (first === 'i' && isMdx && text.startsWith('import')) return plainImport(text, parser) ? [] : undefined;
  // Indented, the first line would be code (only the text's first piece can begin so).
  if (first === ' ' || first === '\t' || MARKUP.test(text) || BLANK_LINE.test(text)) return undefined;
  if (first === '-' || first === '+') return plainItems(text);
  if (BLOCK_START.test(text)) return undefined;
  return [text.replace(/\s+/g, ' ')];
}

function nonEmpty(text: string): string[] {
  return text ? [text] : [];
}

/** The items' texts when every line is one (text without markup was checked already). */
function plainItems(text: string): string[] | undefined {
  const items: string[] = [];
  for (const line of text.split('\n')) {
    const item = PLAIN_ITEM.exec(line);
    if (!item) return undefined;
    items.push(...nonEmpty(item[1]!.replace(/\s+/g, ' ').trim()));
  }
  return items;
}

/*
 * An MDX import on one line, in the forms posts use: a default, named or
 * namespace import of a quoted module. Its names must be ones a module may
 * bind, each once in the text: the ESM extension parses each import with
 * acorn, declaring the names imported before it, and a text that declares one
 * twice is not MDX.
 */
const ID = '[A-Za-z_$][\\w$]*';
const IMPORT = new RegExp(
  `^import[ \\t]+(?:(${ID})(?:[ \\t]*,[ \\t]*(?:\\{([^}\\n]*)\\}|\\*[ \\t]*as[ \\t]+(${ID})))?|\\{([^}\\n]*)\\}|\\*[ \\t]*as[ \\t]+(${ID}))` +
    `[ \\t]+from[ \\t]*(?:'[^'\\\\\\n]*'|"[^"\\\\\\n]*")[ \\t]*;?[ \\t]*$`,
);
const NAMED = new RegExp(`^(?:(${ID})|${ID}[ \\t]+as[ \\t]+(${ID}))$`);
/** Words a module cannot bind (reserved, strict-mode reserved, and what strict mode forbids binding). */
const UNBINDABLE = new Set(
  'arguments await break case catch class const continue debugger default delete do else enum eval export extends false finally for function if implements import in instanceof interface let new null package private protected public return static super switch this throw true try typeof var void while with yield'.split(
    ' ',
  ),
);

/** Whether `text` is one plain import; if so its names are declared where the ESM extension keeps them, as its own parse would. */
function plainImport(text: string, parser: ParseContext): boolean {
  const match = IMPORT.exec(text);
  if (!match) return false;
  const [, defaultName, named1, namespace1, named2, namespace2] = match;
  const names = [defaultName, namespace1, namespace2].filter((name) => name !== undefined);
  const named = named1 ?? named2;
  if (named !== undefined && named.trim() !== '') {
    const parts = named.split(',').map((part) => part.trim());
    if (parts.at(-1) === '') parts.pop(); // a trailing comma
    for (const part of parts) {
      const specifier = NAMED.exec(part);
      if (!specifier) return false;
      names.push((specifier[1] ?? specifier[2])!);
    }
  }
  const state = parser as ParseContext & { definedModuleSpecifiers?: string[] };
  const declared = new Set(state.definedModuleSpecifiers);
  for (const name of names) {
    if (UNBINDABLE.has(name) || declared.has(name)) return false;
    declared.add(name);
  }
  (state.definedModuleSpecifiers ??= []).push(...names);
  return true;
}

/** Whether `text` is one fenced code block opened on its first line and closed on its last. */
function fencedOnly(text: string): boolean {
  const lines = text.split('\n');
  let fence = fenceAfter(lines[0]!, '');
  if (!fence) return false;
  for (let i = 1; i < lines.length; i++) {
    fence = fenceAfter(lines[i]!, fence);
    if (!fence) return i === lines.length - 1;
  }
  return false;
}

/**
 * The tokens of a piece that closes everything it opens; undefined when MDX
 * refuses it or a fence runs on past it (unless it runs to the end of the text).
 */
function closedTokens(piece: string, isMdx: boolean, parser: ParseContext, atEnd: boolean): Event[] | undefined {
  // A refused piece is parsed again joined to the next, so what extensions kept from it is undone.
  const kept = new Map<unknown[], number>();
  for (const value of Object.values(parser)) if (Array.isArray(value)) kept.set(value, value.length);
  let events: Event[];
  try {
    events = tokenize(piece, isMdx, parser);
  } catch {
    for (const [list, length] of kept) list.length = length;
    return undefined;
  }
  if (atEnd) return events;
  let fences = 0;
  for (const [kind, token] of events) {
    if (kind !== 'enter') continue;
    if (token.type === 'codeFenced') fences = 0;
    else if (token.type === 'codeFencedFence') fences++;
  }
  // A fenced block's opening and closing fences; the last block is the one that could run on.
  return fences === 1 ? undefined : events;
}

const parsers: { md?: ParseContext; mdx?: ParseContext } = {};
const PARSER_KEYS = new Set(Object.keys(parse()));

/**
 * A micromark parser for the syntax, reused: combining the MDX extensions took
 * a tenth of a parse. What it keeps from one text is cleared for the next: the
 * definitions and lazy lines micromark keeps, and whatever an extension stored
 * on it (the ESM extension keeps the names imported so far there).
 */
function freshParser(isMdx: boolean): ParseContext {
  const parser = isMdx ? (parsers.mdx ??= parse({ extensions: MDX_EXTENSIONS })) : (parsers.md ??= parse());
  for (const key of Object.keys(parser)) if (!PARSER_KEYS.has(key)) delete (parser as unknown as Record<string, unknown>)[key];
  parser.defined = [];
  parser.lazy = {};
  return parser;
}

/**
 * The tokens of one text, or of one piece of a text when `parser` has parsed
 * the pieces before it: what an extension keeps (names imported) then carries
 * over, as it would in one parse of the whole.
 */
function tokenize(source: string, isMdx: boolean, parser = freshParser(isMdx)): Event[] {
  // Lazy lines are kept by line number, which starts again at 1 in each piece.
  parser.lazy = {};
  const events = postprocess(parser.document().write(preprocess()(source, undefined, true)));
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
