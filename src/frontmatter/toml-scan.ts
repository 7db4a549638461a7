import { parse } from 'smol-toml';

/**
 * Where things are in a TOML block's text. smol-toml gives values but no
 * offsets, so this small lexer finds them: the `[table]` headers, every
 * `key = value` with its full key path and the exact range of its value
 * (multi-line arrays and strings included), and each date literal. It only
 * runs on text smol-toml has already accepted, so it does not validate.
 */

export interface TomlTable {
  path: string[];
  /** `[[array]]` tables hold list items: no field path reaches into them. */
  array: boolean;
  /** Offset of the header line, and of the line after it. */
  start: number;
  lineEnd: number;
}

export interface TomlPair {
  /** Table path + dotted key, plus the keys of enclosing inline tables. */
  path: string[];
  valueStart: number;
  valueEnd: number;
  /** After the value's line break (and any comment); undefined inside an inline table. */
  lineEnd?: number;
  /** When the value is an inline table: the offset of its `}` and where its last entry's value ends. */
  inline?: { close: number; lastEnd?: number };
}

export interface TomlScan {
  tables: TomlTable[];
  /** Pairs a field path can reach: none under `[[array]]` tables or inside arrays. */
  pairs: TomlPair[];
  /** [start, end) of each date, time or datetime literal. */
  dates: Array<[number, number]>;
}

// Dates need the `T`/space-separated time and offset forms; the lookahead stops `2024-03-05x` from counting.
const DATE = /(?:\d{4}-\d{2}-\d{2}(?:[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[Zz]|[+-]\d{2}:\d{2})?)?|\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(?![\w:.+-])/y;
const BARE = /[^\s,\]}#]+/y;

/** `a."b.c"` → ['a', 'b.c'], decoded by smol-toml itself so escapes read exactly as the parser reads them. */
function decodeKey(raw: string): string[] {
  const path: string[] = [];
  let node: unknown = parse(`${raw} = 0`);
  while (typeof node === 'object' && node !== null) {
    const key = Object.keys(node)[0]!;
    path.push(key);
    node = (node as Record<string, unknown>)[key];
  }
  return path;
}

/** The offset just after the string starting at `i` (any of the four TOML string kinds). */
function stringEnd(text: string, i: number): number {
  const quote = text[i]!;
  const triple = quote.repeat(3);
  const multi = text.startsWith(triple, i);
  let j = i + (multi ? 3 : 1);
  while (j < text.length) {
    if (quote === '"' && text[j] === '\\') j += 2;
    else if (multi && text.startsWith(triple, j)) {
      // `"""a"""""`: up to two quotes before the closing three belong to the string.
      let extra = 0;
      while (extra < 2 && text[j + 3 + extra] === quote) extra++;
      return j + 3 + extra;
    } else if (!multi && text[j] === quote) return j + 1;
    else j++;
  }
  return j;
}

export function scanToml(text: string): TomlScan {
  const scan: TomlScan = { tables: [], pairs: [], dates: [] };
  let i = 0;

  const skip = (newlines: boolean) => {
    for (;;) {
      const c = text[i];
      if (c === ' ' || c === '\t' || (newlines && (c === '\n' || c === '\r'))) i++;
      else if (c === '#') while (i < text.length && text[i] !== '\n') i++;
      else return;
    }
  };
  /** Raw key text up to (not including) `stop`, quoted parts skipped whole. */
  const rawUntil = (stop: string) => {
    const start = i;
    while (i < text.length && !text.startsWith(stop, i)) i = text[i] === '"' || text[i] === "'" ? stringEnd(text, i) : i + 1;
    const raw = text.slice(start, i);
    i += stop.length;
    return raw;
  };
  /** Lexes one value at `i`; inline-table entries are recorded when `path` is reachable. */
  const value = (path: string[] | undefined): TomlPair['inline'] => {
    const c = text[i];
    if (c === '"' || c === "'") {
      i = stringEnd(text, i);
    } else if (c === '[' || c === '{') {
      i++;
      let lastEnd: number | undefined;
      for (;;) {
        skip(true);
        if (i >= text.length) return undefined;
        if (text[i] === ']' || text[i] === '}') break;
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (c === '[') {
          value(undefined);
          continue;
        }
        const key = decodeKey(rawUntil('='));
        skip(false);
        const entryPath = path && [...path, ...key];
        const valueStart = i;
        const inline = value(entryPath);
        lastEnd = i;
        if (entryPath) scan.pairs.push({ path: entryPath, valueStart, valueEnd: i, ...(inline && { inline }) });
      }
      i++;
      return c === '{' ? { close: i - 1, ...(lastEnd !== undefined && { lastEnd }) } : undefined;
    } else {
      DATE.lastIndex = i;
      const date = DATE.exec(text);
      if (date) {
        scan.dates.push([i, i + date[0].length]);
        i += date[0].length;
      } else {
        BARE.lastIndex = i;
        i += BARE.exec(text)?.[0].length || 1;
      }
    }
    return undefined;
  };
  const lineEnd = () => {
    skip(false);
    while (i < text.length && text[i] !== '\n') i++;
    return (i = Math.min(i + 1, text.length));
  };

  let table: TomlTable | undefined;
  for (skip(true); i < text.length; skip(true)) {
    const start = text.lastIndexOf('\n', i - 1) + 1;
    if (text[i] === '[') {
      const array = text[i + 1] === '[';
      i += array ? 2 : 1;
      const path = decodeKey(rawUntil(array ? ']]' : ']'));
      scan.tables.push((table = { path, array, start, lineEnd: lineEnd() }));
      continue;
    }
    const key = decodeKey(rawUntil('='));
    skip(false);
    const path = table?.array ? undefined : [...(table?.path ?? []), ...key];
    const valueStart = i;
    const inline = value(path);
    const valueEnd = i;
    const end = lineEnd();
    if (path) scan.pairs.push({ path, valueStart, valueEnd, lineEnd: end, ...(inline && { inline }) });
  }
  return scan;
}
