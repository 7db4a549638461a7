import { Document, isScalar, type ParseOptions, type ScalarTag } from 'yaml';
import { YAML_OPTIONS } from './yaml-options.js';

/*
 * The values yaml-fast.ts reads on one line: plain, single- and double-quoted
 * scalars and flow lists of them, each resolved as yaml resolves it.
 */

// Far below the 1024 characters past which yaml rejects an implicit key.
const MAX_KEY_LENGTH = 256;

/** A value written on its key's (or dash's) line; `text` starts with its first character. */
export function inlineValue(text: string): unknown {
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

/** yaml's own schema for YAML_OPTIONS, built on first use (most blocks are read without it). */
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
export function isStringKey(key: string): boolean {
  return key.length <= MAX_KEY_LENGTH && key !== '__proto__' && !coreSchema().keyTags.some((tag) => tag.test!.test(key));
}

export function skipSpaces(text: string, at: number): number {
  while (text[at] === ' ') at++;
  return at;
}

// Spaces only: String#trim would also take NBSP and other Unicode spaces, which YAML keeps.
export function trimSpacesEnd(text: string): string {
  let end = text.length;
  while (text[end - 1] === ' ') end--;
  return text.slice(0, end);
}
