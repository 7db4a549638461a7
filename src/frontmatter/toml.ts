import { parse, stringify, TomlDate, TomlError } from 'smol-toml';
import { BOM } from './delimit.js';

/**
 * TOML front matter (Hugo): between `+++` lines. Read with smol-toml; written
 * by splicing one `key = value` line, because a parse → stringify round trip
 * drops comments and rewrites dates.
 */
export interface TomlBlock {
  contentStart: number;
  contentEnd: number;
  bodyStart: number;
  eol: '\n' | '\r\n';
}

const OPEN = /\+\+\+[ \t]*(\r?\n)/y;
const CLOSE = /\n\+\+\+[ \t]*\r?(?:\n|$)/g;

export function locateToml(source: string): TomlBlock | 'unclosed' | undefined {
  OPEN.lastIndex = source.startsWith(BOM) ? 1 : 0;
  const open = OPEN.exec(source);
  if (!open) return undefined;
  const contentStart = open.index + open[0].length;
  CLOSE.lastIndex = contentStart - 1;
  const close = CLOSE.exec(source);
  if (!close) return 'unclosed';
  return { contentStart, contentEnd: close.index + 1, bodyStart: close.index + close[0].length, eol: open[1] === '\r\n' ? '\r\n' : '\n' };
}

/** Dates stay text: `2024-03-05` reads as "2024-03-05", as it does in YAML front matter. */
function plain(value: unknown): unknown {
  if (value instanceof TomlDate) return value.toISOString().replace(/\.000(?=$|Z|[+-])/, '');
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}

export type TomlParse = { data: Record<string, unknown> } | { error: string; line: number; column: number };

/** Parses a block's text; `line` is 1-based within the text. */
export function parseTomlText(text: string): TomlParse {
  try {
    return { data: plain(parse(text)) as Record<string, unknown> };
  } catch (error) {
    if (!(error instanceof TomlError)) throw error;
    return { error: error.message.split('\n')[0]!.replace(/^Invalid TOML document: /, ''), line: error.line, column: error.column };
  }
}

const bare = (key: string) => (/^[A-Za-z0-9_-]+$/.test(key) ? key : JSON.stringify(key));

/** One value as TOML source: scalars and arrays by smol-toml, maps as inline tables (valid wherever a value goes). */
export function tomlValue(value: unknown, where: string): string {
  if (value === null || value === undefined) throw new Error(`TOML has no null, so ${where} cannot be written into TOML front matter`);
  if (typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>).map(([k, v]) => `${bare(k)} = ${tomlValue(v, `${where}.${k}`)}`);
    return entries.length ? `{ ${entries.join(', ')} }` : '{}';
  }
  if (Array.isArray(value) && value.some((v) => v === null)) throw new Error(`TOML has no null, so ${where} cannot be written into TOML front matter`);
  return stringify({ v: value }).trim().replace(/^v = /, '');
}

/** Key segments of a `a.b."c d" = …` line's left side. */
function keySegments(raw: string): string[] {
  return (raw.match(/"(?:[^"\\]|\\.)*"|'[^']*'|[^.\s]+/g) ?? []).map((s) => (s.startsWith('"') ? (JSON.parse(s) as string) : s.startsWith("'") ? s.slice(1, -1) : s));
}

/** Where the value on a line ends: before a `#` outside strings, and before the blanks in front of it. */
function valueEnd(line: string, from: number): number {
  let quote = '';
  for (let i = from; i < line.length; i++) {
    const ch = line[i]!;
    if (quote) {
      if (ch === '\\' && quote === '"') i++;
      else if (ch === quote) quote = '';
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '#') return line.slice(0, i).trimEnd().length;
  }
  return line.replace(/[\r\n]+$/, '').trimEnd().length;
}

const HEADER = /^\s*\[(?!\[)([^\]]+)\]\s*(?:#.*)?$/;
const ARRAY_HEADER = /^\s*\[\[/;
const KEY_LINE = /^(\s*)([^=#\s][^=#]*?)(\s*=\s*)/;

/**
 * Sets `path` in a TOML block's text: replaces the value on its line (keeping
 * the key, spacing and any comment), or adds a line at the end of the table
 * the path belongs to (top-level keys go before the first table header).
 */
export function setTomlText(text: string, path: string[], value: unknown, eol: string): string {
  const lines = text.split(/(?<=\n)/);
  // Sections: top level, then each [table]. [[array]] tables are never written to.
  const sections: Array<{ path: string[]; start: number; end: number; array: boolean }> = [{ path: [], start: 0, end: lines.length, array: false }];
  lines.forEach((line, i) => {
    const header = HEADER.exec(line);
    if (!header && !ARRAY_HEADER.test(line)) return;
    sections.at(-1)!.end = i;
    sections.push({ path: header ? keySegments(header[1]!) : [], start: i + 1, end: lines.length, array: !header });
  });
  const same = (a: string[], b: string[]) => a.length === b.length && a.every((s, i) => s === b[i]);
  let section = sections[0]!;
  for (let n = path.length - 1; n >= 1; n--) {
    const found = sections.find((s) => !s.array && same(s.path, path.slice(0, n)));
    if (found) {
      section = found;
      break;
    }
  }
  const key = path.slice(section.path.length);
  const rendered = tomlValue(value, path.join('.'));
  for (let i = section.start; i < section.end; i++) {
    const line = lines[i]!;
    const match = KEY_LINE.exec(line);
    if (!match || !same(keySegments(match[2]!), key)) continue;
    const from = match[0].length;
    const rest = line.slice(from);
    if (/^("""|''')/.test(rest) || (/^[[{]/.test(rest) && !/[\]}]\s*(#.*)?\r?\n?$/.test(rest))) {
      throw new Error(`${path.join('.')} holds a multi-line TOML value; batchmatter only replaces single-line values`);
    }
    const end = valueEnd(line, from);
    lines[i] = line.slice(0, from) + rendered + line.slice(end);
    return lines.join('');
  }
  // A new line after the section's last non-blank line.
  let at = section.end;
  while (at > section.start && lines[at - 1]!.trim() === '') at--;
  const previous = lines[at - 1];
  if (at > 0 && previous !== undefined && !previous.endsWith('\n')) lines[at - 1] = previous + eol;
  lines.splice(at, 0, `${key.map(bare).join('.')} = ${rendered}${eol}`);
  return lines.join('');
}
