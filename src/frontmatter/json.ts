import { parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import { BOM, detectEol, LONE_CR_ERROR } from './delimit.js';

/**
 * JSON front matter (Hugo): a bare `{ … }` object at the very start of the
 * file, ending at its matching brace. Strict JSON: jsonc-parser finds the
 * object's extent (the body after it is not JSON) and every error's offset.
 * Text that starts like an object with a key but is not strict JSON is an
 * error, not body: Hugo reads it as front matter. Writing is in json-edit.ts.
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
// What JSON5-minded authors write for Hugo, which reads any `{` at the top as JSON: comments before the first
// key, a single-quoted or bare key. Still never MDX: the key and its colon (`'a': 1`) are no JavaScript expression,
// and Liquid's `{%`/`{{` and kramdown's `{:` have no key.
const LOOSE_START = /\{(?:\s|\/\/[^\n]*|\/\*[\s\S]*?\*\/)*(?:"[^"\n]*"|'[^'\n]*'|[A-Za-z_$][\w$]*)\s*:/y;
const LONE_CR = /\r(?!\n)/g;

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

/** A reader's words for jsonc-parser's error code, naming the things JSON5-minded authors write. */
function describe(error: ParseError, text: string): string {
  const code = printParseErrorCode(error.error);
  if (code === 'InvalidCommentToken' || code === 'UnexpectedEndOfComment') return 'comments are not allowed (front matter must be strict JSON)';
  if (code === 'InvalidSymbol' && text[error.offset] === "'") return 'strings and keys take double quotes, not single (front matter must be strict JSON)';
  const trailingComma = /,\s*$/.test(text.slice(0, error.offset)) && /^[\]}]/.test(text.slice(error.offset));
  if (trailingComma) return 'trailing commas are not allowed (front matter must be strict JSON)';
  return `invalid JSON: ${code.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()}`;
}

/** Front matter nests a level or three; far deeper is hostile, and the parser would run out of stack. */
const MAX_DEPTH = 64;

/** Offset where the object starting at `text[0]` first nests deeper than MAX_DEPTH, if it does (strings skipped). */
function tooDeep(text: string): number | undefined {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
    } else if (c === '{' || c === '[') {
      if (++depth > MAX_DEPTH) return i;
    } else if ((c === '}' || c === ']') && --depth === 0) return undefined;
  }
  return undefined;
}

export function locateJson(source: string): JsonLocate {
  const start = source.startsWith(BOM) ? 1 : 0;
  START.lastIndex = start;
  LOOSE_START.lastIndex = start;
  if (!START.test(source) && !LOOSE_START.test(source)) return undefined;
  const text = source.slice(start);
  const deep = tooDeep(text);
  if (deep !== undefined) return { error: `front matter nests more than ${MAX_DEPTH} levels deep`, offset: start + deep };
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false });
  if (root?.type !== 'object') return { error: 'front matter starting with { must be a JSON object', offset: start };
  const length = root.offset + root.length;
  // Errors after the object are about the body, which is not JSON.
  const inside = errors.find((e) => e.offset < length);
  if (inside) return { error: describe(inside, text), offset: start + inside.offset };
  if (text[length - 1] !== '}') return { error: 'JSON front matter opened on line 1 is never closed (expected a matching })', offset: start };
  const duplicate = duplicateKey(root);
  if (duplicate) return { error: `duplicate key "${duplicate.children?.[0]?.value as string}"`, offset: start + duplicate.offset };
  let data: Record<string, unknown>;
  try {
    // jsonc-parser checked the syntax; JSON.parse is the reference for the values.
    data = JSON.parse(text.slice(0, length)) as Record<string, unknown>;
  } catch (error) {
    return { error: `invalid JSON: ${(error as Error).message}`, offset: start };
  }
  const end = start + length;
  // Up to the line break after the object. jsonc-parser reads a carriage return alone as a line break, but the
  // YAML and TOML readers refuse such a block, and JSON is refused with it rather than edited with LF lines added.
  LONE_CR.lastIndex = start;
  const cr = LONE_CR.exec(source);
  if (cr && cr.index <= end) return { error: LONE_CR_ERROR, offset: cr.index };
  const rest = /^[ \t]*(\r?\n)?/.exec(source.slice(end))!;
  return { block: { start, end, bodyStart: end + rest[0].length, eol: detectEol(source) }, data };
}
