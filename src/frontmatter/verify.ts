import { isDeepStrictEqual } from 'node:util';
import { getField, withField } from './field-path.js';
import { parseFrontMatter, type ParsedFile } from './read.js';

/** The read-back check every format's edit goes through: the field as meant, everything else as it was. */
export function verify(before: ParsedFile, next: string, path: string[], value: unknown): void {
  const field = path.join('.');
  let after: ParsedFile;
  try {
    after = parseFrontMatter(next);
  } catch (error) {
    throw new Error(`writing ${field} would leave front matter that does not parse: ${(error as Error).message}`);
  }
  if (after.body !== before.body) throw new Error(`writing ${field} would change the body`);
  if (before.format !== 'none' && after.format !== before.format) throw new Error(`writing ${field} would turn ${before.format} front matter into ${after.format}`);
  const readBack = getField(after.data, path);
  if (!isDeepStrictEqual(readBack, value)) {
    throw new Error(`${field} would read back as ${JSON.stringify(readBack)}, not ${JSON.stringify(value)}`);
  }
  const expected = withField(before.data, path, value);
  if (!isDeepStrictEqual(after.data, expected)) {
    const keys = new Set([...Object.keys(expected), ...Object.keys(after.data)]);
    const changed = [...keys].find((key) => !isDeepStrictEqual(after.data[key], expected[key]));
    throw new Error(`writing ${field} would also change ${changed ?? 'other fields'}`);
  }
}
