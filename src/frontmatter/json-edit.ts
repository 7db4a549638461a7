import { findNodeAtLocation, parseTree } from 'jsonc-parser';
import { eolAt } from './delimit.js';
import { nest } from './field-path.js';

/**
 * Writes one field into JSON front matter's text. jsonc-parser finds the
 * nodes; the splice is ours, because its `modify` re-formats the neighbouring
 * property as well (`"tags": ["a","b"]` becomes four lines when a key is added
 * after it, jsonc-parser 3.3). A replaced value takes the old value's place;
 * a new key goes after the last property of its object (or after the
 * property named by `after`), indented like it and ending like its line (a
 * file may mix line endings; `eol` is for an object that has no line break).
 */

/** The leading blanks of the line `offset` is on. */
function indentAt(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart))![0];
}

/** `["a", "b"]`, `{"a": 1}`: one line, spaced as people type it. */
function oneLine(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(oneLine).join(', ')}]`;
  if (typeof value === 'object' && value !== null) {
    return `{${Object.entries(value).map(([key, item]) => `${JSON.stringify(key)}: ${oneLine(item)}`).join(', ')}}`;
  }
  return JSON.stringify(value);
}

/** Sets `path`; callers have checked that no step holds a list or a value, and verify the result. */
export function setJsonText(text: string, path: string[], value: unknown, eol: '\n' | '\r\n', after: readonly string[] = []): string {
  const root = parseTree(text);
  if (!root) throw new Error('the JSON front matter does not parse');
  // The file's indentation step, from its first indented key.
  const unit = /\n([ \t]+)"/.exec(text)?.[1] ?? '  ';
  // Multi-line output at `offset` breaks its lines as the line there ends.
  const pretty = (item: unknown, indent: string, offset: number) => JSON.stringify(item, null, unit).split('\n').join(eolAt(text, offset, eol) + indent);
  const spans = (offset: number, length: number) => text.slice(offset, offset + length).includes('\n');

  const existing = findNodeAtLocation(root, path);
  if (existing) {
    // A list or map written on one line stays on one line.
    const flat = (existing.type === 'array' || existing.type === 'object') && !spans(existing.offset, existing.length);
    const rendered = flat ? oneLine(value) : pretty(value, indentAt(text, existing.parent?.offset ?? existing.offset), existing.offset);
    return text.slice(0, existing.offset) + rendered + text.slice(existing.offset + existing.length);
  }

  // The deepest object on the path takes the key; the rest of the path becomes nested objects.
  for (let n = path.length - 1; n >= 0; n--) {
    const parent = n === 0 ? root : findNodeAtLocation(root, path.slice(0, n));
    if (!parent) continue;
    if (parent.type !== 'object') throw new Error(`${path.slice(0, n).join('.')} is not a JSON object, so ${path.join('.')} cannot be added`);
    const key = JSON.stringify(path[n]);
    const item = nest(path.slice(n + 1), value);
    // With `after`: right after the first of those keys the object has, else after its last property.
    // A property node ends with its value (a nested object or list included); the `,` and line
    // break that followed it now follow the new property. (Strict JSON has no comments to keep.)
    const anchor = after.map((name) => parent.children?.find((property) => property.children?.[0]?.value === name)).find((property) => property !== undefined);
    const last = anchor ?? parent.children?.at(-1);
    const close = parent.offset + parent.length - 1;
    if (!last) {
      const outer = indentAt(text, parent.offset);
      const lineBreak = eolAt(text, parent.offset, eol);
      return `${text.slice(0, parent.offset + 1)}${lineBreak}${outer}${unit}${key}: ${pretty(item, outer + unit, parent.offset)}${lineBreak}${outer}${text.slice(close)}`;
    }
    const at = last.offset + last.length;
    if (!spans(parent.offset, parent.length)) return `${text.slice(0, at)}, ${key}: ${oneLine(item)}${text.slice(at)}`;
    const indent = indentAt(text, last.offset);
    return `${text.slice(0, at)},${eolAt(text, at, eol)}${indent}${key}: ${pretty(item, indent, at)}${text.slice(at)}`;
  }
  throw new Error('unreachable: the root object always takes the key');
}
