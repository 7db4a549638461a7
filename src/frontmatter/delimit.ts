/**
 * Finds the front matter block's byte range. Written by hand rather than taken
 * from gray-matter because write-back needs exact offsets, and gray-matter
 * (4.0.3) does not give them: it ignores a `...` closer, takes `----` or
 * `---js` lines as closers, leaves a closer's trailing blanks in the body and
 * swallows the whole file when the block is never closed.
 */

export const BOM = '\uFEFF';

export interface Block {
  /** Text after the opening `---` (trimmed, lower-cased); '' for a plain fence or one with a YAML comment (`--- # notes`). */
  language: string;
  /** Offset of the first character of the block's text (after the opening line). */
  contentStart: number;
  /** Offset of the closing fence line; the block's text ends with its line break. */
  contentEnd: number;
  /** Offset of the first character of the body. */
  bodyStart: number;
  /** The opening fence's line ending: what an added line takes when the block has no other. */
  eol: '\n' | '\r\n';
}

export type Located =
  | { kind: 'none' }
  | { kind: 'unclosed' }
  /** `---` ended by a carriage return alone (old Mac line endings): a block this reader will not take apart. */
  | { kind: 'lone-cr' }
  | { kind: 'block'; block: Block };

/**
 * For a block whose lines end in a carriage return alone (old Mac line endings), in any format: taken for
 * no front matter, the file would get a second block on top and its own would become body text.
 */
export const LONE_CR_ERROR = 'front matter with old Mac line endings (a carriage return alone) is left alone; convert the file to LF or CRLF line endings';

const OPEN = /---([^\r\n]*)(\r?\n|$)/y;
const LONE_CR_OPEN = /---[^\r\n-]*\r(?!\n)/y;
// A closer is a whole line: `---` or `...` plus optional trailing blanks (as Jekyll and Hugo read it).
const CLOSE = /\n(?:---|\.\.\.)[ \t]*\r?(?:\n|$)/g;

export function locateBlock(source: string): Located {
  OPEN.lastIndex = source.startsWith(BOM) ? 1 : 0;
  const start = OPEN.lastIndex;
  const open = OPEN.exec(source);
  if (!open) {
    LONE_CR_OPEN.lastIndex = start;
    return LONE_CR_OPEN.test(source) ? { kind: 'lone-cr' } : { kind: 'none' };
  }
  // `----` opens no block: it is a Markdown thematic break.
  if (open[1]!.startsWith('-')) return { kind: 'none' };
  const lineBreak = open[2]!;
  if (!lineBreak) return { kind: 'unclosed' };
  const contentStart = open.index + open[0].length;
  // Start at the opening line's `\n` so an empty block (`---\n---`) is found too.
  CLOSE.lastIndex = contentStart - 1;
  const close = CLOSE.exec(source);
  if (!close) return { kind: 'unclosed' };
  return {
    kind: 'block',
    block: {
      // A comment after the fence is YAML's own (`--- # notes`), not a language.
      language: open[1]!.trim().startsWith('#') ? '' : open[1]!.trim().toLowerCase(),
      contentStart,
      contentEnd: close.index + 1,
      bodyStart: close.index + close[0].length,
      eol: lineBreak === '\r\n' ? '\r\n' : '\n',
    },
  };
}

/** The line ending a new block should use in a file that has none. */
export function detectEol(source: string): '\n' | '\r\n' {
  return eolAt(source, 0, '\n');
}

/**
 * The line ending a line inserted at `offset` should take, so that it ends like
 * its neighbours even where a file mixes them: at a line's start, the one that
 * ended the line before; elsewhere the one ending this line (or, on a last line
 * without one, the one before). `fallback` when the text has no line break.
 */
export function eolAt(text: string, offset: number, fallback: '\n' | '\r\n'): '\n' | '\r\n' {
  let lf = offset > 0 && text[offset - 1] === '\n' ? offset - 1 : text.indexOf('\n', offset);
  if (lf === -1) lf = text.lastIndexOf('\n', offset - 1);
  if (lf === -1) return fallback;
  return lf > 0 && text[lf - 1] === '\r' ? '\r\n' : '\n';
}

/** 1-based line and column of an offset; a BOM is not a column, as editors show it. */
export function lineColumn(source: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = source.startsWith(BOM) && offset > 0 ? 1 : 0;
  for (let i = source.indexOf('\n'); i !== -1 && i < offset; i = source.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}
