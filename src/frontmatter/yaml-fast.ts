import { Document, isScalar, type ParseOptions, type ScalarTag } from 'yaml';
import { YAML_OPTIONS } from './read.js';

/**
 * A fast reader for the simple YAML most front matter is written in, for scans
 * of thousands of files: `yaml` builds a full Document (kept for edits), which a
 * scan that only needs the data does not use.
 *
 * It returns exactly what `parseDocument(text, YAML_OPTIONS).toJS()` returns, or
 * undefined ("not sure") for anything outside the subset below, and the caller
 * then asks `yaml`. A reader that disagreed with the editor's parser would let
 * a scan plan edits on values the editor reads differently, so every doubt bails
 * out, and errors (duplicate keys, bad escapes) are always left to `yaml` to report.
 *
 * The subset: a block map at indent 0 of `key: value` lines; keys that are plain
 * identifiers; values that are one-line plain, single- or double-quoted scalars,
 * one-line flow lists of such scalars, or, after a bare `key:`, a nested block
 * map or a block list of one-line values; whole-line and trailing comments,
 * blank lines, CRLF line endings. Plain scalars resolve through `yaml`'s own
 * schema tags, so `007`, `0x1F`, `.inf` or `2024-03-05` read as they do there.
 */
export function parseYamlFast(text: string): Record<string, unknown> | undefined {
  if (UNSAFE.test(text)) return undefined;
  return new BlockReader(contentLines(text)).document();
}

// What this reader has not been matched against `yaml` on: control characters (C0 but
// line breaks, DEL, C1 with NEL), tabs (their indentation and separation rules differ
// from spaces'), a BOM, noncharacters, and a CR that does not end a line.
const UNSAFE = /[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f\ufeff\ufffe\uffff]|\r(?!\n)/;

// `key:` then a space and the value, or nothing. `s`: a value may hold U+2028, which `.` would not match.
const KEY_LINE = /^([A-Za-z_][\w-]*):(?: +(.*))?$/s;
// Far below the 1024 characters past which yaml rejects an implicit key.
const MAX_KEY_LENGTH = 256;
// Front matter nests a level or two; deeper blocks go to yaml rather than deep recursion here.
const MAX_DEPTH = 4;

/** A line that carries content: its indentation in spaces and the rest, without trailing spaces or line break. */
interface Line {
  indent: number;
  text: string;
}

function contentLines(text: string): Line[] {
  const lines: Line[] = [];
  for (const raw of text.split('\n')) {
    const line = trimSpacesEnd(raw.endsWith('\r') ? raw.slice(0, -1) : raw);
    let indent = 0;
    while (line[indent] === ' ') indent++;
    // Blank and comment lines carry no data, and with no multi-line scalars read here they cannot change how other lines read.
    if (indent === line.length || line[indent] === '#') continue;
    lines.push({ indent, text: line.slice(indent) });
  }
  return lines;
}

/** Reads block maps and lists line by line; every method returns undefined to bail out. */
class BlockReader {
  private at = 0;

  constructor(private readonly lines: Line[]) {}

  document(): Record<string, unknown> | undefined {
    // An empty block is null to yaml (the caller's `?? {}`), and an indented top-level map is rare: both go to yaml.
    if (this.lines[0]?.indent !== 0) return undefined;
    const data = this.map(0, 0);
    // A map at indent 0 stops only at the end or on a line it cannot read; make sure it was the end.
    return this.at === this.lines.length ? data : undefined;
  }

  /** A block map whose keys sit at `indent`; it ends at the first line indented less. */
  private map(indent: number, depth: number): Record<string, unknown> | undefined {
    const map: Record<string, unknown> = {};
    for (let line = this.lines[this.at]; line && line.indent >= indent; line = this.lines[this.at]) {
      // Indented more: a multi-line scalar, or indentation yaml would reject.
      if (line.indent > indent) return undefined;
      const match = KEY_LINE.exec(line.text);
      // A duplicate is an error yaml must report (uniqueKeys).
      if (!match || !isStringKey(match[1]!) || Object.hasOwn(map, match[1]!)) return undefined;
      this.at++;
      const rest = match[2] ?? '';
      const value = rest === '' || rest.startsWith('#') ? this.nested(indent, depth + 1) : inlineValue(rest);
      if (value === undefined) return undefined;
      map[match[1]!] = value;
    }
    return map;
  }

  /** The value of a key with nothing after its colon: the block below it, else null. */
  private nested(keyIndent: number, depth: number): unknown {
    const next = this.lines[this.at];
    if (!next || next.indent < keyIndent) return null;
    if (depth > MAX_DEPTH) return undefined;
    // A list may sit at its key's own indentation (`tags:` then `- a`); a map must be indented further.
    if (next.text.startsWith('- ')) return this.list(next.indent);
    return next.indent > keyIndent ? this.map(next.indent, depth) : null;
  }

  /** A block list of one-line values whose dashes sit at `indent`. */
  private list(indent: number): unknown[] | undefined {
    const items: unknown[] = [];
    for (let line = this.lines[this.at]; line && line.indent >= indent; line = this.lines[this.at]) {
      if (line.indent > indent) return undefined;
      // Not an item: the parent map's next key, which the parent checks.
      if (!line.text.startsWith('- ')) break;
      this.at++;
      // An empty item (`-`, or `- # note`) could own the lines below it: left to yaml.
      const value = inlineValue(line.text.slice(skipSpaces(line.text, 2)));
      if (value === undefined) return undefined;
      items.push(value);
    }
    return items;
  }
}

/** A value written on its key's (or dash's) line; `text` starts with its first character. */
function inlineValue(text: string): unknown {
  switch (text[0]) {
    case '"':
      return alone(text, doubleQuoted(text, 0));
    case "'":
      return alone(text, singleQuoted(text, 0));
    case '[':
      return alone(text, flowList(text));
    default:
      return blockPlain(text);
  }
}

interface Read<T> {
  value: T;
  /** Just after the last character read. */
  end: number;
}

/** A quoted scalar's or flow list's value if only a comment follows it: `"a"#b` or `"a" b` is an error to yaml, `"a": b` a key. */
function alone(text: string, read: Read<unknown> | undefined): unknown {
  if (!read) return undefined;
  return read.end === text.length || /^ +#/.test(text.slice(read.end)) ? read.value : undefined;
}

/** A plain scalar in a block: everything up to a comment, unless it holds a `: ` that could make it a key. */
function blockPlain(text: string): unknown {
  const comment = text.indexOf(' #');
  const source = comment === -1 ? text : trimSpacesEnd(text.slice(0, comment));
  if (!startsPlain(source) || source.includes(': ') || source.endsWith(':')) return undefined;
  return resolvePlain(source);
}

// In flow context a plain scalar also ends at `,[]{}`; `:`, `#` and quotes are refused outright.
const FLOW_PLAIN = /[^\s,[\]{}#:'"]+(?: +[^\s,[\]{}#:'"]+)*/y;

/** `[a, "b", 'c']` on one line, of scalars only; no trailing comma. */
function flowList(text: string): Read<unknown[]> | undefined {
  const items: unknown[] = [];
  let at = skipSpaces(text, 1);
  if (text[at] === ']') return { value: items, end: at + 1 };
  for (;;) {
    const item = flowItem(text, at);
    if (!item) return undefined;
    items.push(item.value);
    at = skipSpaces(text, item.end);
    if (text[at] === ']') return { value: items, end: at + 1 };
    if (text[at] !== ',') return undefined;
    at = skipSpaces(text, at + 1);
  }
}

function flowItem(text: string, at: number): Read<unknown> | undefined {
  if (text[at] === '"') return doubleQuoted(text, at);
  if (text[at] === "'") return singleQuoted(text, at);
  FLOW_PLAIN.lastIndex = at;
  const source = FLOW_PLAIN.exec(text)?.[0];
  if (source === undefined || !startsPlain(source)) return undefined;
  const value = resolvePlain(source);
  return value === undefined ? undefined : { value, end: at + source.length };
}

// YAML's indicators, which give a line another meaning (or are reserved) when a scalar starts with them.
const INDICATORS = new Set('-?:,[]{}#&*!|>\'"%@`');

/** Whether a plain scalar may start this way; `-1` and `-x` may, `- x` is a list item. */
function startsPlain(source: string): boolean {
  const first = source[0];
  if (first === undefined) return false;
  if (first === '-') return source.length > 1 && source[1] !== ' ';
  return !INDICATORS.has(first);
}

/** `'…'` with `''` for a quote: the whole scalar must close on this line. */
function singleQuoted(text: string, start: number): Read<string> | undefined {
  let value = '';
  for (let at = start + 1; ; ) {
    const quote = text.indexOf("'", at);
    if (quote === -1) return undefined;
    value += text.slice(at, quote);
    if (text[quote + 1] !== "'") return { value, end: quote + 1 };
    value += "'";
    at = quote + 2;
  }
}

// The escapes front matter uses; any other (`\x41`, `\e`, `\N`…) goes to yaml, which also knows the invalid ones.
const ESCAPES = new Map([['\\', '\\'], ['"', '"'], ['/', '/'], ['n', '\n'], ['t', '\t'], ['r', '\r']]);
const HEX4 = /^[0-9a-fA-F]{4}$/;

/** `"…"` with the common escapes and `\uXXXX`: the whole scalar must close on this line. */
function doubleQuoted(text: string, start: number): Read<string> | undefined {
  let value = '';
  for (let at = start + 1; at < text.length; at++) {
    const char = text[at]!;
    if (char === '"') return { value, end: at + 1 };
    if (char !== '\\') {
      value += char;
      continue;
    }
    const escape = text[++at] ?? '';
    if (escape === 'u') {
      const hex = text.slice(at + 1, at + 5);
      if (!HEX4.test(hex)) return undefined;
      value += String.fromCharCode(parseInt(hex, 16));
      at += 4;
    } else {
      const replacement = ESCAPES.get(escape);
      if (replacement === undefined) return undefined;
      value += replacement;
    }
  }
  return undefined;
}

interface CoreSchema {
  /** Tags tried on a plain value, in schema order (compose-scalar.ts findScalarTagByTest). */
  valueTags: ScalarTag[];
  /** Tags tried on a plain key: those and the key-only ones (the merge key, when enabled). */
  keyTags: ScalarTag[];
  options: ParseOptions;
}

let schema: CoreSchema | undefined;

/** yaml's own schema for YAML_OPTIONS, built on first use: read.ts imports this module, so YAML_OPTIONS is not yet set while it loads. */
function coreSchema(): CoreSchema {
  if (!schema) {
    const doc = new Document(null, YAML_OPTIONS);
    const tests = doc.schema.tags.filter((tag): tag is ScalarTag => !tag.collection && tag.test !== undefined);
    schema = {
      valueTags: tests.filter((tag) => tag.default === true),
      keyTags: tests.filter((tag) => tag.default === true || tag.default === 'key'),
      options: doc.options,
    };
  }
  return schema;
}

/** A plain scalar's value as yaml resolves it; with no tag matching it is the string itself. */
function resolvePlain(source: string): unknown {
  const { valueTags, options } = coreSchema();
  const tag = valueTags.find((candidate) => candidate.test!.test(source));
  if (!tag) return source;
  let failed = false;
  const resolved = tag.resolve(source, () => (failed = true), options);
  if (failed) return undefined;
  return isScalar(resolved) ? resolved.value : resolved;
}

/**
 * Whether a key reads as the string written: `true`, `null` or `True` resolve to
 * other values, whose JS keys yaml spells differently (`''`, `'true'`). And
 * `__proto__` would set the object's prototype where yaml defines a property.
 */
function isStringKey(key: string): boolean {
  return key.length <= MAX_KEY_LENGTH && key !== '__proto__' && !coreSchema().keyTags.some((tag) => tag.test!.test(key));
}

function skipSpaces(text: string, at: number): number {
  while (text[at] === ' ') at++;
  return at;
}

// Spaces only: String#trim would also take NBSP and other Unicode spaces, which YAML keeps.
function trimSpacesEnd(text: string): string {
  let end = text.length;
  while (text[end - 1] === ' ') end--;
  return text.slice(0, end);
}
