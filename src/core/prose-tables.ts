/*
 * GFM tables (`| a | b |` over `| - | - |`) are not CommonMark, so the
 * tokenizer reads one as the paragraph it would be without GFM, pipes and all.
 * The excerpt leaves tables out, as it leaves out code and HTML: cell text
 * without its rows and columns reads as a list of unrelated words
 * (`str string int integer`), and the prose around a table says what it shows.
 *
 * As on GitHub, a table starts at a header row followed by a delimiter row
 * with as many cells, and runs to the end of the paragraph (a blank line or
 * another block); lines of the paragraph before the header row stay its text.
 */
const DELIMITER_ROW = /^[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$/;
const UNESCAPED_PIPE = /(?<!\\)\|/g;

/** The index of the line of `paragraph` (its source, without container prefixes) where a table starts, if one does. */
export function tableStart(paragraph: string): number | undefined {
  const lines = paragraph.split(/\r\n|\r|\n/);
  for (let i = 1; i < lines.length; i++) {
    const delimiter = lines[i]!;
    if (delimiter.includes('|') && DELIMITER_ROW.test(delimiter) && cells(delimiter) === cells(lines[i - 1]!)) return i - 1;
  }
  return undefined;
}

/** How many cells a row has: pipes split them, one at either end only closes the row. */
function cells(row: string): number {
  const text = row.trim();
  let count = (text.match(UNESCAPED_PIPE)?.length ?? 0) + 1;
  if (text.startsWith('|')) count--;
  if (text.length > 1 && text.endsWith('|') && !text.endsWith('\\|')) count--;
  return count;
}
