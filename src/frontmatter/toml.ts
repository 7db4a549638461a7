import { parse, TomlDate, TomlError } from 'smol-toml';
import { BOM } from './delimit.js';
import { scanToml } from './toml-scan.js';

/**
 * TOML front matter (Hugo): between `+++` lines, read with smol-toml.
 * Writing is in toml-edit.ts.
 */
export interface TomlBlock {
  contentStart: number;
  contentEnd: number;
  bodyStart: number;
  eol: '\n' | '\r\n';
}

const OPEN = /\+\+\+[ \t]*(\r?\n)/y;
const LONE_CR_OPEN = /\+\+\+[ \t]*\r(?!\n)/y;
const CLOSE = /\n\+\+\+[ \t]*\r?(?:\n|$)/g;

/** `'lone-cr'`: `+++` ended by a carriage return alone (old Mac line endings), a block this reader will not take apart. */
export function locateToml(source: string): TomlBlock | 'unclosed' | 'lone-cr' | undefined {
  const start = source.startsWith(BOM) ? 1 : 0;
  OPEN.lastIndex = start;
  const open = OPEN.exec(source);
  if (!open) {
    LONE_CR_OPEN.lastIndex = start;
    return LONE_CR_OPEN.test(source) ? 'lone-cr' : undefined;
  }
  const contentStart = open.index + open[0].length;
  CLOSE.lastIndex = contentStart - 1;
  const close = CLOSE.exec(source);
  if (!close) return 'unclosed';
  return { contentStart, contentEnd: close.index + 1, bodyStart: close.index + close[0].length, eol: open[1] === '\r\n' ? '\r\n' : '\n' };
}

/** smol-toml's tables have no prototype; data is compared with plain objects, so rebuild them. */
function plain(value: unknown): unknown {
  // Only if a date escaped the quoting below: its normalised text rather than an empty map.
  if (value instanceof TomlDate) return value.toISOString();
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}

export type TomlParse = { data: Record<string, unknown> } | { error: string; line: number; column: number };

/**
 * Parses a block's text; `line` is 1-based within the text. Dates stay the
 * text written (`2024-03-05`, `1979-05-27 07:32:00.5`), as they do in YAML
 * front matter: smol-toml's TomlDate only gives a normalised form back, so
 * once the text is known valid each date literal is quoted and it is read again.
 */
export function parseTomlText(text: string): TomlParse {
  let data: unknown;
  try {
    data = parse(text);
  } catch (error) {
    if (!(error instanceof TomlError)) throw error;
    return { error: `invalid TOML: ${error.message.split('\n')[0]!.replace(/^Invalid TOML document: /, '')}`, line: error.line, column: error.column };
  }
  const { dates } = scanToml(text);
  if (dates.length) {
    let quoted = text;
    for (const [start, end] of dates.reverse()) quoted = `${quoted.slice(0, start)}"${quoted.slice(start, end)}"${quoted.slice(end)}`;
    try {
      data = parse(quoted);
    } catch {
      // Cannot happen unless the scanner misreads the text: keep the first reading.
    }
  }
  return { data: plain(data) as Record<string, unknown> };
}
