import { BOM, detectEol } from './delimit.js';
import { locateJson, setJsonText } from './json.js';
import { parseFrontMatter } from './read.js';
import { locateToml, setTomlText } from './toml.js';
import { setField as setYamlField, verify } from './yaml-edit.js';

/**
 * Sets one field in a file's front matter, whatever its format, and returns
 * the whole new file. Only the field's value changes (or one entry is added);
 * the result is read back and must hold exactly `value` with every other key
 * unchanged, or this throws and nothing should be written.
 */
export function setField(source: string, path: string[], value: unknown, options: { newBlockFormat?: 'yaml' | 'toml' | 'json' } = {}): string {
  const toml = locateToml(source);
  if (toml === 'unclosed') throw new Error('the TOML front matter is never closed (expected a line with +++)');
  if (toml) {
    const before = parseFrontMatter(source);
    const text = setTomlText(source.slice(toml.contentStart, toml.contentEnd), path, value, toml.eol);
    const next = source.slice(0, toml.contentStart) + text + source.slice(toml.contentEnd);
    verify(before, next, path, value);
    return next;
  }
  const json = locateJson(source);
  if (json && 'block' in json) {
    const before = parseFrontMatter(source);
    const { start, end, eol } = json.block;
    const next = source.slice(0, start) + setJsonText(source.slice(start, end), path, value, eol) + source.slice(end);
    verify(before, next, path, value);
    return next;
  }
  const format = options.newBlockFormat ?? 'yaml';
  if (format !== 'yaml' && parseFrontMatter(source).format === 'none') {
    // No front matter yet: a new block in the format the rest of the site uses.
    const bom = source.startsWith(BOM) ? BOM : '';
    const eol = detectEol(source);
    const rest = source.slice(bom.length);
    let nested: unknown = value;
    for (const key of path.slice(1).reverse()) nested = { [key]: nested };
    const block =
      format === 'toml'
        ? `+++${eol}${setTomlText('', path, value, eol)}+++${eol}`
        : `{${eol}  ${JSON.stringify(path[0])}: ${JSON.stringify(nested, null, 2).split('\n').join(`${eol}  `)}${eol}}${eol}`;
    const next = bom + block + rest;
    verify(parseFrontMatter(source), next, path, value);
    return next;
  }
  return setYamlField(source, path, value);
}
