import { stringify } from 'smol-toml';
import { eolAt } from './delimit.js';
import { scanToml, type TomlPair } from './toml-scan.js';

/**
 * Writes one field into a TOML block's text by splicing, because a parse →
 * stringify round trip drops comments and rewrites dates. An existing value's
 * text is replaced (key, spacing and trailing comment stay); a new key is one
 * line added after the last entry of the table it belongs to (or after the
 * entry named by `after`), ending like the line above it, or one entry added
 * to an inline table.
 */

const startsWith = (path: readonly string[], prefix: readonly string[]) => prefix.length <= path.length && prefix.every((key, i) => path[i] === key);
const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && startsWith(a, b);

/** A dotted key as TOML writes it: each part bare when it can be, quoted by smol-toml otherwise. */
function tomlKey(path: readonly string[]): string {
  return path.map((key) => stringify({ [key]: 0 }).slice(0, -' = 0\n'.length)).join('.');
}

/**
 * One value as TOML source on one line: scalars by smol-toml, lists and maps
 * composed here as `[…]` and inline `{ … }` tables, because smol-toml would
 * write maps as `[table]` sections, which are only valid at the end of a block.
 */
function tomlValue(value: unknown, where: string): string {
  if (value === null || value === undefined) throw new Error(`TOML has no null, so ${where} cannot be written into TOML front matter`);
  if (Array.isArray(value)) return `[${value.map((item, i) => tomlValue(item, `${where}[${i}]`)).join(', ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value).map(([key, item]) => `${tomlKey([key])} = ${tomlValue(item, `${where}.${key}`)}`);
    return entries.length ? `{ ${entries.join(', ')} }` : '{}';
  }
  return stringify({ v: value }).slice('v = '.length, -1);
}

const splice = (text: string, start: number, end: number, insert: string) => text.slice(0, start) + insert + text.slice(end);

/** The first of the comment lines directly above the line at `lineStart` (a header's own comment). */
function attachedStart(text: string, lineStart: number): number {
  let at = lineStart;
  while (at > 0) {
    const previous = text.lastIndexOf('\n', at - 2) + 1;
    if (!/^[ \t]*#/.test(text.slice(previous, at))) break;
    at = previous;
  }
  return at;
}

/**
 * Sets `path` in a TOML block's text. Callers have checked that no step of
 * the path holds a list or a value; the result is verified by the caller.
 */
export function setTomlText(text: string, path: string[], value: unknown, eol: '\n' | '\r\n', after: readonly string[] = []): string {
  const field = path.join('.');
  const rendered = tomlValue(value, field);
  const { tables, pairs } = scanToml(text);

  const existing = pairs.find((pair) => same(pair.path, path));
  if (existing) return splice(text, existing.valueStart, existing.valueEnd, rendered);
  if (tables.some((table) => startsWith(table.path, path)) || pairs.some((pair) => startsWith(pair.path, path))) {
    throw new Error(`${field} is written as [table] sections or dotted keys; batchmatter only replaces a single key = value`);
  }

  // The map the new key goes into (for `after`): the deepest step of the path the block already has,
  // as a [table], an inline table or the prefix of dotted keys.
  const present = (prefix: readonly string[]) => tables.some((table) => !table.array && startsWith(table.path, prefix)) || pairs.some((pair) => startsWith(pair.path, prefix));
  let depth = path.length - 1;
  while (depth > 0 && !present(path.slice(0, depth))) depth--;
  const mapPath = path.slice(0, depth);
  // The first `after` key the map has, and the pairs that make up its entry (one, or several dotted keys).
  const anchorKey = after.find((key) => present([...mapPath, key]));
  const anchorPairs = anchorKey === undefined ? [] : pairs.filter((pair) => startsWith(pair.path, [...mapPath, anchorKey]));

  // The deepest table on the path takes the entry; the rest of the path becomes a dotted key.
  for (let n = path.length - 1; n >= 0; n--) {
    const parent = path.slice(0, n);
    const entry = `${tomlKey(path.slice(n))} = ${rendered}`;
    const inlinePair = n > 0 ? pairs.find((pair) => same(pair.path, parent) && pair.inline) : undefined;
    if (inlinePair?.inline) {
      const { close, lastEnd } = inlinePair.inline;
      // After `after`'s entry: right after its value, before the `,` that follows it, if any.
      const anchorEnd = Math.max(...anchorPairs.filter((pair) => pair.valueStart > inlinePair.valueStart && pair.valueEnd <= close).map((pair) => pair.valueEnd));
      if (anchorEnd > 0) return splice(text, anchorEnd, anchorEnd, `, ${entry}`);
      return lastEnd === undefined ? splice(text, inlinePair.valueStart + 1, close, ` ${entry} `) : splice(text, lastEnd, lastEnd, `, ${entry}`);
    }
    const index = n === 0 ? -1 : tables.findIndex((table) => !table.array && same(table.path, parent));
    if (n > 0 && index === -1) continue;

    // The section runs from its header (or the block's start) to the next header.
    const sectionStart = index === -1 ? 0 : tables[index]!.lineEnd;
    const next = tables[index + 1];
    const sectionEnd = next ? next.start : text.length;
    const lastLine = pairs.filter((pair) => pair.lineEnd !== undefined && pair.valueStart >= sectionStart && pair.valueStart < sectionEnd).at(-1)?.lineEnd;
    // After `after`'s entry: at the start of the line after the line where its value ends (so past
    // multi-line arrays and strings and a trailing comment). Comment lines and blank lines below
    // it are not part of the entry and stay above the key that followed them. An `after` key that
    // is not a `key = value` in this section (say, a [table] of its own) leaves the default place.
    const inSection = (pair: TomlPair) => pair.lineEnd !== undefined && pair.valueStart >= sectionStart && pair.valueStart < sectionEnd;
    const anchorLine = Math.max(...anchorPairs.filter(inSection).map((pair) => pair.lineEnd!));
    let at: number;
    if (anchorLine > 0) at = anchorLine;
    else if (lastLine !== undefined) at = lastLine;
    else if (index !== -1) at = sectionStart; // right under the header
    else at = next ? attachedStart(text, next.start) : text.length; // above the first header and its comment
    // The line ending of the line above, where a block mixes them; `eol` (the opening fence's) in an empty block.
    const lineBreak = eolAt(text, at, eol);
    const newline = at > 0 && text[at - 1] !== '\n' ? lineBreak : '';
    return splice(text, at, at, `${newline}${entry}${lineBreak}`);
  }
  throw new Error('unreachable: the top level always takes the entry');
}
