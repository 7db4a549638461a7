import { fenceAfter } from './fences.js';

/**
 * The start of `body`, about `limit` characters long, cut where one block
 * ends and the next begins, outside fenced code, so the parser sees whole
 * blocks: parsing is the slow part and an excerpt never needs the rest of a
 * long post. The cut is at a blank line (also in a quote: `>` alone) or,
 * since a tight list can run on for pages without one, before a list item
 * that ends the block above it (see ITEM); failing both, at the limit.
 */
export function boundedPrefix(body: string, limit: number): string {
  if (body.length <= limit) return body;
  let fence = '';
  let cut = -1;
  // The indent and delimiter of the ordered list whose next item is sure to be one ('' for none); a line indented past its indent is inside it.
  let ordered = '';
  for (let pos = 0; pos <= limit; ) {
    const lf = body.indexOf('\n', pos);
    const end = lf === -1 ? body.length : lf;
    const line = body.slice(pos, end);
    const before = fence;
    fence = fenceAfter(line, fence);
    const item = before || fence ? null : ITEM.exec(line);
    const list = item?.[3] !== undefined ? item[1]! + item[4] : '';
    const known = item !== null && (item[2] !== undefined || item[3] === '1' || list === ordered);
    if (pos > 0 && !before && !fence && (known || QUOTE_BLANK.test(line))) cut = pos;
    // The list stays known over its items and the lines indented under them.
    if (list && known) ordered = list;
    else if (!line.startsWith(' '.repeat(ordered.length))) ordered = '';
    if (lf === -1) break;
    pos = lf + 1;
  }
  return body.slice(0, cut > 0 ? cut : limit);
}

/** A blank line, or one of quote markers only, which ends a paragraph in the quote (a quoted email can run on for pages). */
const QUOTE_BLANK = /^(?:[ \t]*>)*[ \t]*\r?$/;

/*
 * A line that starts a list item and so ends the paragraph above it: a bullet
 * with text (not a thematic break such as `- - -`), or an ordered item numbered
 * 1, or the next item of an ordered list after one of its items (`2.` alone
 * may continue a paragraph: "in\n2024. we"), up to three spaces in.
 */
const ITEM = /^( {0,3})(?:([-+*])(?![ \t]*[-*](?:[ \t]*[-*])+[ \t]*$)|(\d{1,9})([.)]))[ \t]+\S/;
