import { isMap, isSeq, parseDocument, type Document } from 'yaml';
import { BOM, LONE_CR_ERROR, locateBlock, lineColumn, type Block } from './delimit.js';
import { locateJson } from './json.js';
import { locateToml, parseTomlText } from './toml.js';
import { parseYamlFast } from './yaml-fast.js';
import { YAML_OPTIONS } from './yaml-options.js';

export type FrontMatterFormat = 'yaml' | 'toml' | 'json' | 'none';

export interface ParsedFile {
  format: FrontMatterFormat;
  /** Plain JSON-like values. Dates stay the strings written (YAML 1.2 core schema). */
  data: Record<string, unknown>;
  /** The content after the front matter block. */
  body: string;
  /** 1-based line where the body starts, for diagnostics. */
  bodyLine: number;
}

export class FrontMatterError extends Error {
  override name = 'FrontMatterError';
  constructor(
    message: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(message);
  }
}


const YAML_LANGUAGES = new Set(['', 'yaml', 'yml']);

/** What setField needs besides the data: the parsed Document and where its text sits. */
export interface YamlFile {
  parsed: ParsedFile;
  /** Absent when the file has no front matter. */
  block?: Block;
  doc?: Document.Parsed;
  /** The block's YAML text (source.slice(contentStart, contentEnd)). */
  text?: string;
}

/** A TOML or JSON block's text range (TOML: between the fences; JSON: the object), for write-back. */
export interface BlockText {
  start: number;
  end: number;
  eol: '\n' | '\r\n';
}

/** Reads YAML (`---`), TOML (`+++`) or JSON (`{…}`) front matter; throws FrontMatterError with the file's line and column. */
export function parseFrontMatter(source: string): ParsedFile {
  return readFrontMatter(source).parsed;
}

/**
 * parseFrontMatter for scans of many files: a YAML block in the simple form most
 * front matter takes is read by yaml-fast.ts, without building the Document that
 * only edits need. Anything else, and every error, is parseFrontMatter's own.
 */
export function scanFrontMatter(source: string): ParsedFile {
  // A `---` block excludes TOML's `+++` and JSON's `{`, which readFrontMatter tries first.
  const located = locateBlock(source);
  if (located.kind === 'block' && YAML_LANGUAGES.has(located.block.language)) {
    const { contentStart, contentEnd, bodyStart } = located.block;
    const data = parseYamlFast(source.slice(contentStart, contentEnd));
    if (data) return { format: 'yaml', data, body: source.slice(bodyStart), bodyLine: lineColumn(source, bodyStart).line };
  }
  return parseFrontMatter(source);
}

/** parseFrontMatter plus where a TOML or JSON block's text sits (YAML edits go through readYamlFile). */
export function readFrontMatter(source: string): { parsed: ParsedFile; text?: BlockText } {
  const toml = locateToml(source);
  if (toml === 'unclosed') throw new FrontMatterError('front matter opened on line 1 is never closed (expected a line with +++)', 1, 1);
  if (toml === 'lone-cr') throw new FrontMatterError(LONE_CR_ERROR, 1, 4);
  if (toml) {
    const result = parseTomlText(source.slice(toml.contentStart, toml.contentEnd));
    if ('error' in result) throw new FrontMatterError(result.error, lineColumn(source, toml.contentStart).line + result.line - 1, result.column);
    const parsed: ParsedFile = { format: 'toml', data: result.data, body: source.slice(toml.bodyStart), bodyLine: lineColumn(source, toml.bodyStart).line };
    return { parsed, text: { start: toml.contentStart, end: toml.contentEnd, eol: toml.eol } };
  }
  const json = locateJson(source);
  if (json && 'error' in json) {
    const { line, column } = lineColumn(source, json.offset);
    throw new FrontMatterError(json.error, line, column);
  }
  if (json) {
    const { start, end, bodyStart, eol } = json.block;
    const parsed: ParsedFile = { format: 'json', data: json.data, body: source.slice(bodyStart), bodyLine: lineColumn(source, bodyStart).line };
    return { parsed, text: { start, end, eol } };
  }
  return { parsed: readYamlFile(source).parsed };
}

/** Whether a value holds itself, as `&a [*a]` makes it do: such data can be neither copied as JSON nor printed. */
function cyclic(value: unknown, within = new Set<object>()): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (within.has(value)) return true;
  within.add(value);
  for (const child of Object.values(value)) if (cyclic(child, within)) return true;
  within.delete(value);
  return false;
}

const BLANK_LINES = /(?:[ \t]*(?:\r\n|\r|\n))+/y;

/**
 * Where a block sits below whitespace-only lines at the top of the file, if one does. Hugo skips them and reads
 * the block, so taken for body it would get a second block on top, and Hugo would publish the first as text
 * (`draft = true` included). A fence needs its closer here: a lone `---` under a blank line is a thematic break.
 */
function displacedBlock(source: string): number | undefined {
  BLANK_LINES.lastIndex = source.startsWith(BOM) ? 1 : 0;
  if (!BLANK_LINES.test(source)) return undefined;
  const at = BLANK_LINES.lastIndex;
  const rest = source.slice(at);
  const yaml = locateBlock(rest).kind;
  const toml = locateToml(rest);
  const json = locateJson(rest);
  const found = yaml === 'block' || yaml === 'lone-cr' || (toml !== undefined && toml !== 'unclosed') || (json !== undefined && 'block' in json);
  return found ? at : undefined;
}

/** Parses once and keeps the Document so an edit needs no second parse. */
export function readYamlFile(source: string): YamlFile {
  const located = locateBlock(source);
  if (located.kind === 'none') {
    const displaced = displacedBlock(source);
    if (displaced !== undefined) {
      const { line, column } = lineColumn(source, displaced);
      throw new FrontMatterError(
        'the front matter block does not start on the first line: Hugo reads it, Jekyll and most other readers take it for body text; move it to the top of the file',
        line,
        column,
      );
    }
    const body = source.startsWith(BOM) ? source.slice(1) : source;
    return { parsed: { format: 'none', data: {}, body, bodyLine: 1 } };
  }
  if (located.kind === 'unclosed') {
    throw new FrontMatterError('front matter opened on line 1 is never closed (expected a line with --- or ...)', 1, 1);
  }
  if (located.kind === 'lone-cr') throw new FrontMatterError(LONE_CR_ERROR, 1, 4);
  const { block } = located;
  if (!YAML_LANGUAGES.has(block.language)) {
    // gray-matter would eval `---js`; we read data only, so any other language is refused.
    throw new FrontMatterError(
      `front matter language '${block.language}' is not allowed: batchmatter never evaluates content as code`,
      1,
      4,
    );
  }
  const text = source.slice(block.contentStart, block.contentEnd);
  const doc = parseDocument(text, YAML_OPTIONS);
  const fail = (message: string, offset: number): never => {
    const { line, column } = lineColumn(source, block.contentStart + offset);
    throw new FrontMatterError(message, line, column);
  };
  const error = doc.errors[0];
  if (error) fail(error.message, error.pos[0]);
  const { contents } = doc;
  if (contents !== null && !isMap(contents)) {
    fail(`front matter must be a map of keys, found ${isSeq(contents) ? 'a list' : 'a single value'}`, contents.range?.[0] ?? 0);
  }
  let data: Record<string, unknown> = {};
  try {
    data = (doc.toJS() ?? {}) as Record<string, unknown>;
  } catch (toJsError) {
    // An alias without its anchor, or too many aliases (a "billion laughs" block).
    fail((toJsError as Error).message, 0);
  }
  if (cyclic(data)) fail('an alias refers to the map or list it is inside (&a [*a]): front matter must be plain data', 0);
  const bodyLine = lineColumn(source, block.bodyStart).line;
  return { parsed: { format: 'yaml', data, body: source.slice(block.bodyStart), bodyLine }, block, doc, text };
}
