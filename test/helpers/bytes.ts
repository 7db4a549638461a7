import { diffLines } from 'diff';
import { expect } from 'vitest';
import { getField, withField } from '../../src/frontmatter/field-path.js';
import { parseFrontMatter } from '../../src/frontmatter/read.js';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The byte-level check behind "nothing changed but the field": `after` must
 * read back with `field` equal to `value` and every other key and the body
 * unchanged, and a line diff of the two files may only remove the field's old
 * line and add its new line (plus fences when a block was created, and the
 * comma JSON needs before a new last key). Every added line keeps the file's
 * line ending.
 */
export function expectOnlyFieldChanged(file: string, before: string, after: string, field: string[], value: unknown): void {
  const was = parseFrontMatter(before);
  const now = parseFrontMatter(after);
  expect(getField(now.data, field), `${file}: the field reads back`).toEqual(value);
  expect(now.data, `${file}: every other key is unchanged`).toEqual(withField(was.data, field, value));
  expect(now.body, `${file}: the body is unchanged`).toBe(was.body);
  expect(after.startsWith('\uFEFF'), `${file}: BOM kept`).toBe(before.startsWith('\uFEFF'));

  const key = escape(field.at(-1)!);
  const keyLine = new RegExp(`^\\s*(?:"${key}"|'${key}'|${key})\\s*[:=]`);
  const fence = /^(?:---|\+\+\+|\{|\})\s*$/;
  const eol = /\r\n/.test(before) ? '\r\n' : '\n';
  const removed: string[] = [];
  const added: string[] = [];
  for (const part of diffLines(before, after)) {
    const lines = part.value.split(/(?<=\n)/).filter(Boolean);
    if (part.removed) removed.push(...lines);
    if (part.added) added.push(...lines);
  }
  const stripComma = (l: string) => l.replace(/,?(\r?\n)?$/, '');
  const commaOnly = (l: string) => removed.some((r) => stripComma(r) === stripComma(l) && r !== l);
  const created = was.format === 'none';
  // A multi-line value (a YAML block scalar) continues on lines indented deeper than its key.
  const indentOf = (l: string) => /^[ \t]*/.exec(l)![0].length;
  const continues = (lines: string[]) => {
    let keyIndent = -1;
    return lines.map((line) => {
      if (keyLine.test(line)) {
        keyIndent = indentOf(line);
        return false;
      }
      return keyIndent >= 0 && (indentOf(line) > keyIndent || line.trim() === '');
    });
  };
  const addedContinues = continues(added);
  added.forEach((line, i) => {
    const ok = keyLine.test(line) || addedContinues[i] || (created && fence.test(line.trim())) || commaOnly(line) || (line.trim() === '' && created);
    expect(ok, `${file}: unexpected added line ${JSON.stringify(line)}`).toBe(true);
    if (line.endsWith('\n') || line !== added.at(-1)) expect(line.endsWith(eol), `${file}: added line keeps ${JSON.stringify(eol)}`).toBe(true);
  });
  const removedContinues = continues(removed);
  removed.forEach((line, i) => {
    const ok = keyLine.test(line) || removedContinues[i] || added.some((a) => stripComma(a) === stripComma(line));
    expect(ok, `${file}: unexpected removed line ${JSON.stringify(line)}`).toBe(true);
  });
  expect(added.filter((l) => keyLine.test(l)), `${file}: exactly one line for the field`).toHaveLength(1);
}
