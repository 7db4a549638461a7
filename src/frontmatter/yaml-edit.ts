import { isCollection, isMap, isScalar, isSeq, type Document, type Node, type Pair, type YAMLMap } from 'yaml';
import { BOM, detectEol, eolAt } from './delimit.js';
import { isMissing, nest } from './field-path.js';
import { readYamlFile } from './read.js';
import { verify } from './verify.js';
import { DEFAULT_LAYOUT, renderBlockValue, renderFlow, renderPairLines, type Layout } from './yaml-render.js';

/** Replace `start..end` of the block's text; `text` uses `\n`, turned into the line ending of the lines around it. */
interface Splice {
  start: number;
  end: number;
  text: string;
}

/**
 * Sets one field and returns the whole new file. Only the field's own source
 * range changes (or one `key: value` entry is added), then the result is read
 * back: if anything else would differ, this throws and the file stays as it was.
 */
export function setField(source: string, path: string[], value: unknown, options: { after?: string[] } = {}): string {
  if (path.length === 0) throw new Error('empty field path');
  const file = readYamlFile(source);
  let next: string;
  if (file.block && file.doc && file.text !== undefined) {
    const { block, doc, text } = file;
    let edited = text;
    // Splices come in document order; applying them from the last keeps earlier offsets valid.
    for (const splice of planSplices(doc, text, path, value, options.after ?? []).reverse()) {
      const eol = eolAt(text, splice.start, block.eol);
      edited = edited.slice(0, splice.start) + splice.text.replaceAll('\n', eol) + edited.slice(splice.end);
    }
    next = source.slice(0, block.contentStart) + edited + source.slice(block.contentEnd);
  } else {
    const bom = source.startsWith(BOM) ? BOM : '';
    const eol = detectEol(source);
    const lines = renderPairLines(path[0]!, nest(path.slice(1), value), DEFAULT_LAYOUT);
    next = bom + ['---', ...lines, '---'].join(eol) + eol + source.slice(bom.length);
  }
  verify(file.parsed, next, path, value);
  return next;
}

function planSplices(doc: Document.Parsed, text: string, path: string[], value: unknown, after: readonly string[]): Splice[] {
  const layout = detectLayout(doc, text);
  let map: Node | null = doc.contents;
  if (map === null) {
    // Empty or comment-only block: the new entry goes last, before the closing fence.
    const lines = renderPairLines(path[0]!, nest(path.slice(1), value), layout);
    return [{ start: text.length, end: text.length, text: lines.join('\n') + '\n' }];
  }
  for (let i = 0; i < path.length; i++) {
    if (!isMap(map)) throw new Error('front matter is not a map');
    const key = path[i]!;
    const rest = path.slice(i + 1);
    const pair = findPair(map, key);
    if (!pair) return insertPair(map, key, nest(rest, value), text, layout, after);
    const current = pair.value as Node | null;
    if (rest.length === 0) return replaceValue(map, pair, value, text, layout);
    if (isMap(current)) {
      map = current;
    } else if (current === null || (isScalar(current) && isMissing(current.value))) {
      // `seo:`, `seo: ~` or `seo: ""` becomes the nested map.
      return replaceValue(map, pair, nest(rest, value), text, layout);
    } else {
      const kind = isSeq(current) ? 'a list' : isScalar(current) ? 'a value' : 'an alias';
      throw new Error(`cannot set ${path.join('.')}: ${path.slice(0, i + 1).join('.')} is ${kind}, not a map`);
    }
  }
  throw new Error('unreachable: the path ends inside the loop');
}

/** The pair of `map` with a plain key `key`. */
function findPair(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((item) => isScalar(item.key) && String(item.key.value) === key);
}

/** Where a pair's own text ends: after its value (or its key, when the value is empty or absent). */
function pairEnd(pair: Pair): number {
  const value = pair.value as Node | null;
  const keyEnd = span(pair.key as Node)[1];
  return value ? Math.max(keyEnd, span(value)[1]) : keyEnd;
}

/**
 * Adds `key: value` to `map`: right after the entry of the first key of
 * `after` that the map has, or else after its last entry.
 */
function insertPair(map: YAMLMap, key: string, value: unknown, text: string, layout: Layout, after: readonly string[]): Splice[] {
  const anchor = after.map((name) => findPair(map, name)).find((pair) => pair !== undefined);
  const last = map.items.at(-1);
  if (map.flow) {
    const entry = renderFlow(key, value, { ...layout, flowPadding: isPadded(map, text) });
    if (!last) return [at(span(map)[0] + 1, entry)];
    // Right after the anchor's value (or key), before the `,` that follows it, if any.
    return [at(pairEnd(anchor ?? last), `, ${entry}`)];
  }
  const indent = ' '.repeat(column(text, span(map.items[0]!.key as Node)[0]));
  const lines = renderPairLines(key, value, layout).map((line) => indent + line);
  // A block map's range ends after its last entry's line break, before trailing comments.
  // After an anchor entry: at the start of the line after its value ends. Value ranges
  // cover block scalars (with their kept blank lines for `|+`), nested block maps and
  // lists, and multi-line flow values; the rest of that last line (a trailing
  // `# comment`) stays with the entry. Comment lines and blank lines below the
  // entry are not part of it: the new key goes above them, so they stay where
  // they are, above the key that followed them before.
  const end = nextLineStart(text, anchor ? pairEnd(anchor) : span(map)[1]);
  const newline = end === 0 || text[end - 1] === '\n' ? '' : '\n';
  return [at(end, newline + lines.join('\n') + '\n')];
}

/** A node's tags and anchor after its key's colon (`  !!null`, ` &a`), with the blanks before them. */
const PROPS = /^(?:[ \t]*(?:![^\s,\[\]{}]*|&[^\s,\[\]{}]+))+/;

function replaceValue(map: YAMLMap, pair: Pair, value: unknown, text: string, layout: Layout): Splice[] {
  const keyStart = span(pair.key as Node)[0];
  const colon = findColon(text, span(pair.key as Node)[1]);
  const current = pair.value as Node | null;
  const empty = current === null || span(current)[0] === span(current)[1];
  const [start, end] = empty ? [colon + 1, colon + 1] : span(current!);
  // `key: !!null` or `key: &a` is empty too: the value replaces the tag (the two would read as one plain scalar) and follows the anchor.
  const props = empty && current && (current.tag || current.anchor) ? (PROPS.exec(text.slice(colon + 1, lineEnd(text, colon)))?.[0].length ?? 0) : 0;
  const fill = (value: string): Splice => ({ start: colon + 1, end: colon + 1 + props, text: (props && current?.anchor ? ` &${current.anchor}` : '') + value });

  // Inside a flow map, and for a flow list/map replaced by a list/map, keep flow style.
  const flowCurrent = !empty && isCollection(current) && current.flow === true;
  if (map.flow || (flowCurrent && typeof value === 'object' && value !== null)) {
    const flowPadding = isPadded(map.flow ? map : current!, text);
    const rendered = renderFlow(undefined, value, { ...layout, flowPadding });
    return [empty ? fill(` ${rendered}`) : { start, end, text: rendered }];
  }

  const { head, tail } = renderBlockValue(value, layout);
  const indent = ' '.repeat(column(text, keyStart));
  const below = tail.map((line) => (line ? indent + line : line)).join('\n');
  if (empty) {
    // `key:` or `key: # comment` → the value goes right after the colon, nested lines under the key.
    return below ? [fill(head), at(lineEnd(text, colon), '\n' + below)] : [fill(head)];
  }
  if (isCollection(current) && !current.flow) {
    // A block map or list: the key's line (and its comment) stays; the old lines are replaced.
    const lines = { start: lineStart(text, start), end: nextLineStart(text, end), text: below ? below + '\n' : '' };
    return head ? [at(colon + 1, head), lines] : [lines];
  }
  if (isScalar(current) && (current.type === 'BLOCK_LITERAL' || current.type === 'BLOCK_FOLDED')) {
    const blockEnd = nextLineStart(text, end);
    // The comment on the header line (`key: | # note`) stays on the key's line, as it does after an inline value.
    const comment = /[ \t]+#.*$/.exec(text.slice(start, lineEnd(text, start)))?.[0] ?? '';
    if (!head) return [{ start: colon + 1, end: blockEnd, text: comment + '\n' + below + '\n' }];
    return [{ start, end: blockEnd, text: head.replace(/^ +/, '') + comment + (below ? '\n' + below : '') + '\n' }];
  }
  // An inline scalar, alias or flow collection; a trailing comment stays on the key's line.
  const replaced = head ? { start, end, text: head.replace(/^ +/, '') } : { start: colon + 1, end, text: '' };
  return below ? [replaced, at(lineEnd(text, end), '\n' + below)] : [replaced];
}

/** Spaces per level and list style, read from the first nested block collection. */
function detectLayout(doc: Document.Parsed, text: string): Layout {
  const layout = { ...DEFAULT_LAYOUT };
  if (!isMap(doc.contents)) return layout;
  let sawMap = false;
  let sawSeq = false;
  for (const pair of doc.contents.items) {
    const value = pair.value as Node | null;
    if (!isCollection(value) || value.flow || value.items.length === 0) continue;
    const offset = column(text, span(value)[0]) - column(text, span(pair.key as Node)[0]);
    if (isMap(value) && !sawMap) {
      sawMap = true;
      if (offset > 0) layout.indent = offset;
    } else if (isSeq(value) && !sawSeq) {
      sawSeq = true;
      layout.indentSeq = offset > 0;
      // A list's `-` sits one step in when indented: the step, unless a map says otherwise.
      if (!sawMap && offset > 0) layout.indent = offset;
    }
    if (sawMap && sawSeq) break;
  }
  return layout;
}

const at = (offset: number, text: string): Splice => ({ start: offset, end: offset, text });

function span(node: Node): [number, number] {
  if (!node.range) throw new Error('internal: YAML node without a source range');
  return [node.range[0], node.range[1]];
}

function findColon(text: string, keyEnd: number): number {
  let i = keyEnd;
  while (text[i] === ' ' || text[i] === '\t') i++;
  if (text[i] !== ':') throw new Error('cannot edit a key written with the explicit `? key` syntax');
  return i;
}

function isPadded(collection: Node, text: string): boolean {
  return text[span(collection)[0] + 1] === ' ';
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

function column(text: string, offset: number): number {
  return offset - lineStart(text, offset);
}

/** Where the line holding `offset` ends, before its `\r\n` or `\n`. */
function lineEnd(text: string, offset: number): number {
  const lf = text.indexOf('\n', offset);
  if (lf === -1) return text.length;
  return text[lf - 1] === '\r' ? lf - 1 : lf;
}

function nextLineStart(text: string, offset: number): number {
  if (offset > 0 && text[offset - 1] === '\n') return offset;
  const lf = text.indexOf('\n', offset);
  return lf === -1 ? text.length : lf + 1;
}
