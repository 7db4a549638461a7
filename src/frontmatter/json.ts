import { findNodeAtLocation, parseTree, type Node, type ParseError } from 'jsonc-parser';
import { BOM } from './delimit.js';

/**
 * JSON front matter (Hugo): a bare `{ … }` object at the very start of the
 * file, located and edited with jsonc-parser's syntax tree.
 */
export interface JsonBlock {
  start: number;
  /** Just after the closing brace. */
  end: number;
  bodyStart: number;
  eol: '\n' | '\r\n';
}

export type JsonLocate = { block: JsonBlock; data: Record<string, unknown> } | { error: string; offset: number } | undefined;

// `{` then a quoted key or `}`: never an MDX expression such as `{/* comment */}`.
const START = /\{\s*["}]/y;

function duplicateKey(node: Node | undefined): Node | undefined {
  if (!node?.children) return undefined;
  if (node.type === 'object') {
    const seen = new Set<string>();
    for (const property of node.children) {
      const name = property.children?.[0]?.value as string;
      if (seen.has(name)) return property;
      seen.add(name);
    }
  }
  for (const child of node.children) {
    const found = duplicateKey(child);
    if (found) return found;
  }
  return undefined;
}

export function locateJson(source: string): JsonLocate {
  const start = source.startsWith(BOM) ? 1 : 0;
  START.lastIndex = start;
  if (!START.test(source)) return undefined;
  const errors: ParseError[] = [];
  const root = parseTree(source.slice(start), errors, { disallowComments: true, allowTrailingComma: false });
  if (!root || root.type !== 'object') return { error: 'front matter starting with { must be a JSON object', offset: start };
  const end = start + root.offset + root.length;
  // Errors after the object are the body, which is not JSON.
  const inside = errors.find((e) => start + e.offset < end);
  if (inside) return { error: 'invalid JSON (strict JSON: no comments, no trailing commas)', offset: start + inside.offset };
  const duplicate = duplicateKey(root);
  if (duplicate) return { error: `duplicate key "${duplicate.children?.[0]?.value as string}"`, offset: start + duplicate.offset };
  const data = JSON.parse(source.slice(start, end)) as Record<string, unknown>;
  const rest = /^[ \t]*(\r?\n)?/.exec(source.slice(end))!;
  const lf = source.indexOf('\n', start);
  return { block: { start, end, bodyStart: end + rest[0].length, eol: lf > 0 && source[lf - 1] === '\r' ? '\r\n' : '\n' }, data };
}

/** The leading blanks of the line `offset` is on. */
function indentAt(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart))![0];
}

/**
 * Sets `path` in the JSON object's text. jsonc-parser finds the nodes; the
 * splice is ours, because its `modify` reformats the neighbouring property too.
 * A replaced value takes the old value's place; a new key goes after the last
 * property of its object, indented like it, with the file's line ending.
 */
export function setJsonText(text: string, path: string[], value: unknown, eol: string): string {
  const root = parseTree(text);
  if (!root) throw new Error('the JSON front matter does not parse');
  const unit = /\n([ \t]+)"/.exec(text)?.[1] ?? '  ';
  const render = (v: unknown, indent: string) => JSON.stringify(v, null, unit).split('\n').join(eol + indent);
  const existing = findNodeAtLocation(root, path);
  if (existing) {
    const property = existing.parent ?? existing;
    return text.slice(0, existing.offset) + render(value, indentAt(text, property.offset)) + text.slice(existing.offset + existing.length);
  }
  // The deepest object on the path that exists; the rest of the path becomes nested objects.
  let depth = path.length - 1;
  let parent = depth === 0 ? root : findNodeAtLocation(root, path.slice(0, depth));
  while (!parent && depth > 0) parent = depth - 1 === 0 ? root : findNodeAtLocation(root, path.slice(0, --depth));
  if (!parent || parent.type !== 'object') throw new Error(`${path.slice(0, depth).join('.')} is not a JSON object, so ${path.join('.')} cannot be added`);
  let nested: unknown = value;
  for (const key of path.slice(depth + 1).reverse()) nested = { [key]: nested };
  const key = JSON.stringify(path[depth]);
  const last = parent.children?.at(-1);
  if (last) {
    const indent = indentAt(text, last.offset);
    const at = last.offset + last.length;
    return `${text.slice(0, at)},${eol}${indent}${key}: ${render(nested, indent)}${text.slice(at)}`;
  }
  const outer = indentAt(text, parent.offset);
  const at = parent.offset + 1; // just after "{"
  const close = text.indexOf('}', at);
  return `${text.slice(0, at)}${eol}${outer}${unit}${key}: ${render(nested, outer + unit)}${eol}${outer}${text.slice(close)}`;
}
