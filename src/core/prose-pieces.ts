import type { Event, ParseContext } from 'micromark-util-types';
import { fenceAfter } from './fences.js';
import { plainExport, plainImport } from './mdx-esm.js';
import { definitionsIn } from './link-definitions.js';
import { inlineParagraph } from './prose-inline.js';
import { boundedPrefix } from './prefix.js';
import { collect, freshParser, openAtEnd, tokenize, tokenizedProse, WHOLE_BODY, type ReadContext } from './prose-tokens.js';

/*
 * Most of a post is plain paragraphs and headings, and tokenizing them was
 * most of the time a scan took. So the text is cut where one top-level block
 * ends and the next begins (a blank line, then a line at column 0, outside
 * fenced code). A piece in one of the plain forms below (a paragraph, an ATX
 * heading, a tight list, fenced code, an MDX comment, import or export of a
 * literal) is read directly; every other piece is tokenized on its own.
 *
 * A piece parsed alone reads as it does in the whole text when it begins at a
 * block boundary and nothing in it runs on past its end. The first piece
 * begins at the start; each piece is checked to close what it opens (a fence
 * left open, or an MDX tag, expression or import unfinished, which the MDX
 * tokenizer refuses), else it is joined to the next and parsed again, then to
 * twice as many, so the next one begins at a boundary too; past MAX_JOIN
 * pieces, to all the rest. Reading stops once the text is long enough.
 * When the text is a prefix of the body and what is left open runs past its
 * end (the cut fell inside an expression, tag or import/export), the text
 * read ends before the piece where it opened.
 *
 * A reference reads as a link only with its definition, which may come later
 * in the text: the text's definitions are found by a line scan before it is
 * read, and checked against the ones the tokenizer found, reading it again in
 * the rare case the scan was wrong (see link-definitions.ts).
 *
 * What cannot be cut this way is parsed whole: from the piece where it
 * starts, a Markdown HTML block that may run across blank lines (comments,
 * <script>, <pre>, <style>, <textarea>, `<?`, `<!`) and all the text after it;
 * and a text with a carriage return that is not part of CRLF (a line break to
 * the parser but not to the line scan here).
 */
const SPANNING_HTML = /<[!?]|<(?:script|pre|style|textarea)(?![\w-])/i;
const LONE_CR = /\r(?!\n)/;
const LEADING_BLANK_LINES = /^(?:[ \t]*\r?\n)+/;
/** How many pieces one failing piece is joined with, doubling each time, before it is joined to all the rest. */
const MAX_JOIN = 8;

/**
 * The prose of `source` read piece by piece; undefined when it must be
 * parsed whole. Reading stops after the piece that brings the text past
 * `enough` characters: what the pieces after it hold cannot change it.
 */
export function segmentedProse(source: string, isMdx: boolean, context: ReadContext = WHOLE_BODY, enough = Infinity): string | undefined {
  if (LONE_CR.test(source)) return undefined;
  const guessed = source.includes(']:') ? definitionsIn(source) : [];
  const labels = (from: number, to = Infinity) => guessed.filter(([, at]) => at >= from && at < to).map(([label]) => label);
  let read = readPieces(source, isMdx, context, labels(0), enough);
  // The scan is checked where the tokenizer read; past there, its guesses stand.
  if (read && !sameLabels(read.defined, labels(0, read.end))) read = readPieces(source, isMdx, context, [...read.defined, ...labels(read.end)], enough);
  if (!read?.whole) return read?.text;
  // From a piece that must be tokenized with all the text after it (it begins where a block does): that text,
  // or while more is wanted, a prefix of it growing twice as long each time.
  const rest = source.slice(read.end);
  const start = read.text;
  const join = (more: string) => (start && more ? `${start}\n\n${more}` : start || more);
  for (let limit = Math.max(Math.ceil((enough - start.length) * 1.5), 1024); ; limit *= 2) {
    const prefix = enough === Infinity ? rest : boundedPrefix(rest, limit);
    const cut = prefix.length < rest.length;
    const defined = [...context.defined, ...read.defined, ...(cut ? labels(read.end + prefix.length) : [])];
    const text = join(tokenizedProse(prefix, isMdx, { truncated: context.truncated || cut, defined }));
    if (text.length > enough || !cut) return text;
  }
}

interface Read {
  text: string;
  /** The definitions the tokenizer found. */
  defined: string[];
  /** Where reading stopped. */
  end: number;
  /** Whether it stopped because the text from `end` on must be tokenized whole. */
  whole: boolean;
}

/**
 * The prose of `source`, its own definitions taken to be `own`, the ones the
 * tokenizer found in it, and where reading stopped.
 */
function readPieces(source: string, isMdx: boolean, context: ReadContext, own: string[], enough: number): Read | undefined {
  const starts = pieceStarts(source);
  const parser = freshParser(isMdx, [...context.defined, ...own]);
  const seeded = parser.defined.length;
  const blocks: string[] = [];
  let length = -2;
  const add = (texts: string[]) => {
    for (const text of texts) length += text.length + 2;
    blocks.push(...texts);
  };
  const done = (end: number, whole = false) => ({ text: blocks.join('\n\n'), defined: parser.defined.slice(seeded), end, whole });
  for (let i = 0; i < starts.length; ) {
    if (length > enough) return done(starts[i]!);
    const piece = source.slice(starts[i], starts[i + 1]);
    // An HTML block that runs across blank lines would run across pieces too: from here on, the text is tokenized whole.
    if (!isMdx && SPANNING_HTML.test(piece)) return done(starts[i]!, true);
    const direct = directBlocks(piece, isMdx, parser) ?? inlineParagraph(piece.replace(LEADING_BLANK_LINES, '').trimEnd(), isMdx, parser);
    if (direct) {
      add(direct);
      i++;
      continue;
    }
    let end = i + 1;
    for (;;) {
      const atEnd = end === starts.length;
      const text = source.slice(starts[i], starts[end]);
      if (!isMdx && SPANNING_HTML.test(text)) return done(starts[i]!, true);
      const read = closedTokens(text, isMdx, parser, atEnd, atEnd && context.truncated);
      if (typeof read !== 'string') {
        add(collected(read));
        break;
      }
      if (!atEnd) {
        // Joined to twice as many pieces each time, so no text is tokenized more than about twice.
        end = end - i < MAX_JOIN ? Math.min(i + 2 * (end - i), starts.length) : starts.length;
        continue;
      }
      if (read !== 'open at end' || !context.truncated) return undefined;
      // The cut fell inside something still open: read up to the piece it opens in (trying the last few).
      for (let last = end - 1; last > i && last >= end - MAX_JOIN; last--) {
        const events = closedTokens(source.slice(starts[i], starts[last]), isMdx, parser, false, true);
        if (typeof events !== 'string') {
          add(collected(events));
          break;
        }
      }
      return done(source.length);
    }
    i = end;
  }
  return done(source.length);
}

function collected(events: Event[]): string[] {
  const blocks: string[] = [];
  collect(events, blocks, false);
  return blocks;
}

function sameLabels(found: string[], guessed: string[]): boolean {
  const a = new Set(found);
  const b = new Set(guessed);
  return a.size === b.size && [...a].every((label) => b.has(label));
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
 * one comment, import or export of a literal (see mdx-esm.ts); undefined for
 * anything else, which the tokenizer reads.
 */
function directBlocks(piece: string, isMdx: boolean, parser: ParseContext): string[] | undefined {
  // The first piece starts where the body does, often with the blank line after the front matter: what counts is its first line with text.
  const text = piece.replace(LEADING_BLANK_LINES, '').trimEnd();
  if (text === '') return [];
  const first = text[0];
  if (first === '#') {
    const heading = PLAIN_HEADING.exec(text);
    return heading ? nonEmpty((heading[1] ?? '').replace(/\s+/g, ' ').trim()) : undefined;
  }
  if (first === '`' || first === '~') return fencedOnly(text) ? [] : undefined;
  if (first === '{') return isMdx && MDX_COMMENT.test(text) ? [] : undefined;
  if (first === 'i' && isMdx && text.startsWith('import')) return plainImport(text, parser) ? [] : undefined;
  if (first === 'e' && isMdx && text.startsWith('export')) return plainExport(text, parser) ? [] : undefined;
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
 * The tokens of a piece that closes everything it opens; 'refused' when MDX
 * refuses it or a fence runs on past it (unless it runs to the end of the
 * text), 'open at end' when MDX refuses it for want of what follows it. With
 * `truncated`, a JSX element left open is taken to close past the piece.
 */
function closedTokens(piece: string, isMdx: boolean, parser: ParseContext, atEnd: boolean, truncated: boolean): Event[] | 'refused' | 'open at end' {
  // A refused piece is parsed again joined to the next, so what extensions kept from it is undone.
  const kept = new Map<unknown[], number>();
  for (const value of Object.values(parser)) if (Array.isArray(value)) kept.set(value, value.length);
  let events: Event[] | undefined;
  let refusal: 'refused' | 'open at end' = 'refused';
  try {
    events = tokenize(piece, isMdx, parser, truncated);
  } catch (error) {
    if (openAtEnd(error, piece)) refusal = 'open at end';
  }
  if (events && (atEnd || !endsInOpenFence(events))) return events;
  for (const [list, length] of kept) list.length = length;
  return refusal;
}

/** Whether the last fenced block has its opening fence only: an open one runs on to the end, so it is the last. */
function endsInOpenFence(events: Event[]): boolean {
  let fences = 0;
  for (const [kind, token] of events) {
    if (kind !== 'enter') continue;
    if (token.type === 'codeFenced') fences = 0;
    else if (token.type === 'codeFencedFence') fences++;
  }
  return fences === 1;
}
