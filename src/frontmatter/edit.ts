import { BOM, detectEol } from './delimit.js';
import { blockedStep, isMissing, isRecord, nest } from './field-path.js';
import { setJsonText } from './json-edit.js';
import { readFrontMatter } from './read.js';
import { setTomlText } from './toml-edit.js';
import { verify } from './verify.js';
import { setField as setYamlField } from './yaml-edit.js';

export interface SetFieldOptions {
  /**
   * Format of the block created in a file that has no front matter (pass the
   * format most of the site uses).
   * @default 'yaml'
   */
  newBlockFormat?: 'yaml' | 'toml' | 'json';
  /**
   * Where a key that is added (not replaced) goes: right after the first of
   * these keys that its map has, instead of after the map's last entry.
   */
  after?: string[];
}

/**
 * Sets one field in a file's front matter, whatever its format, and returns
 * the whole new file. Only the field's value changes (or one entry is added);
 * the result is read back and must hold exactly `value` with every other key
 * and the body unchanged, or this throws and nothing should be written.
 */
export function setField(source: string, path: string[], value: unknown, options: SetFieldOptions = {}): string {
  if (path.length === 0) throw new Error('empty field path');
  if (value === undefined) throw new Error(`no value to write for ${path.join('.')}`);
  const { parsed, text } = readFrontMatter(source);
  const format = parsed.format === 'none' ? (options.newBlockFormat ?? 'yaml') : parsed.format;
  // YAML edits work on the yaml Document (read again there) and check their own result.
  if (format === 'yaml') return setYamlField(source, path, value, { after: options.after ?? [] });
  const edit = format === 'toml' ? setTomlText : setJsonText;
  let next: string;
  if (text) {
    const target = writeTarget(parsed.data, path, value);
    next = source.slice(0, text.start) + edit(source.slice(text.start, text.end), target.path, target.value, text.eol, options.after ?? []) + source.slice(text.end);
  } else {
    const bom = source.startsWith(BOM) ? BOM : '';
    const eol = detectEol(source);
    const block = format === 'toml' ? `+++${eol}${setTomlText('', path, value, eol)}+++` : setJsonText('{}', path, value, eol);
    next = bom + block + eol + source.slice(bom.length);
  }
  verify(parsed, next, path, value);
  return next;
}

/**
 * Where a TOML or JSON write goes: `path` itself, or the first step holding a
 * blank value (`seo = ""`, `"seo": null`), which becomes the map, as YAML
 * edits do. A step holding a list or a real value is refused.
 */
function writeTarget(data: Record<string, unknown>, path: string[], value: unknown): { path: string[]; value: unknown } {
  let current = data;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i]!;
    if (!Object.hasOwn(current, key)) break;
    const step = current[key];
    if (isRecord(step)) {
      current = step;
      continue;
    }
    if (isMissing(step)) return { path: path.slice(0, i + 1), value: nest(path.slice(i + 1), value) };
    throw new Error(`cannot set ${path.join('.')}: ${blockedStep(data, path)}`);
  }
  return { path, value };
}
