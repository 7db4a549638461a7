import { fenceAfter } from './fences.js';

/*
 * A reference (`[text][id]`, `[id]`, `![alt][id]`) reads as a link only when
 * `[id]: url` is defined somewhere in the body, often at its very end, past
 * the prefix an excerpt tokenizes. A destination may be a site generator's
 * tag or output (`{% post_url x %}`, `{{ site.url }}/a`, `{{< ref "a" >}}`). So the definitions are found by a line scan
 * instead, much cheaper than tokenizing, and handed to the tokenizer as if it
 * had read them (micromark keeps them in `parser.defined`).
 *
 * A definition starts a paragraph: a line `[label]: destination`, optionally
 * with a title, at the start of the body, after a blank line, a heading, a
 * thematic break, the end of a fence or another definition, or after a list
 * item's marker or quote markers (which are skipped over, as is indentation).
 * After a paragraph's text, `[a]: b` is more text. The destination may be on
 * the next line, and so may the title. What the scan cannot tell (a label
 * across lines, a title across lines, a definition in indented code) is
 * rare; a definition it misses leaves its references as written.
 */
const CONTAINERS = /^(?:[ \t]*>)*[ \t]*((?:[-+*]|\d{1,9}[.)])(?:[ \t]+|$))?[ \t]*/;
const QUOTE_MARKERS = /^(?:[ \t]*>)*/;
const THEMATIC_BREAK = /^(?:[ \t]*>)*[ \t]*([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
const LABEL_START = /^\[((?:[^\\[\]]|\\[^])+)\]:[ \t]*/;
const DESTINATION = /^(?:(?:\{\{.*?\}\}|\{%.*?%\})\S*|<(?:[^<>\\\n]|\\.)*>|(?:[^\s()\\\p{Cc}]|\\[^\s]|\((?:[^\s()\\\p{Cc}]|\\[^\s])*\))+)/u;
const TITLE = /^(?:"(?:[^"\\]|\\[^])*"|'(?:[^'\\]|\\[^])*'|\((?:[^()\\]|\\[^])*\))[ \t]*$/;
const ENDS_BLOCK = /^(?:#{1,6}(?:[ \t]|$)|=+[ \t]*$|-+[ \t]*$)/;
const HTML_COMMENT_LINE = /^<!--.*-->[ \t]*$/;

/** The labels (normalized as micromark does) that `text` defines, each with the offset of the line it starts on. */
export function definitionsIn(text: string): Array<[label: string, at: number]> {
  const labels: Array<[string, number]> = [];
  let fence = '';
  let canStart = true;
  for (let pos = 0; pos < text.length; ) {
    const start = pos;
    const lf = text.indexOf('\n', pos);
    const end = lf === -1 ? text.length : lf;
    const line = text.slice(pos, end);
    pos = end + 1;
    const before = fence;
    fence = fenceAfter(line, fence);
    if (before || fence) {
      canStart = !fence;
      continue;
    }
    if (THEMATIC_BREAK.test(line)) {
      canStart = true;
      continue;
    }
    const containers = CONTAINERS.exec(line)!;
    const content = line.slice(containers[0].length);
    if (content.trim() === '') {
      canStart = true;
      continue;
    }
    // After a list item's marker a new paragraph starts.
    const label = canStart || containers[1] ? LABEL_START.exec(content) : null;
    if (label && label[1]!.trim() !== '' && label[1]![0] !== '^' && label[1]!.length <= 999) {
      let rest = content.slice(label[0].length);
      let next = pos;
      // The destination may be on the next line.
      if (rest.trim() === '' && pos < text.length) {
        const line = nextLine(text, pos);
        rest = line.text.replace(QUOTE_MARKERS, '').trim();
        next = line.end + 1;
      }
      const destination = rest === '' ? null : DESTINATION.exec(rest);
      const after = destination ? rest.slice(destination[0].length) : '';
      if (destination && (after.trim() === '' || (/^[ \t]/.test(after) && TITLE.test(after.trim())))) {
        labels.push([normalizeLabel(label[1]!), start]);
        pos = next;
        // A title on the line after is part of the definition.
        if (after.trim() === '' && pos < text.length) {
          const line = nextLine(text, pos);
          if (TITLE.test(line.text.replace(QUOTE_MARKERS, '').trim())) pos = line.end + 1;
        }
        canStart = true;
        continue;
      }
    }
    // What ends its block on its own line leaves the next one free to start a definition; paragraph text does not.
    canStart = ENDS_BLOCK.test(content) || HTML_COMMENT_LINE.test(content);
  }
  return labels;
}

function nextLine(text: string, pos: number): { text: string; end: number } {
  const lf = text.indexOf('\n', pos);
  const end = lf === -1 ? text.length : lf;
  return { text: text.slice(pos, end), end };
}

/** micromark's `normalizeIdentifier`: whitespace collapsed, trimmed, case folded. */
function normalizeLabel(label: string): string {
  return label
    .replace(/[\t\n\r ]+/g, ' ')
    .replace(/^ | $/g, '')
    .toLowerCase()
    .toUpperCase();
}
