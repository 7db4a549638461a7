import { inlineValue, isStringKey, skipSpaces, trimSpacesEnd } from './yaml-fast-values.js';

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
