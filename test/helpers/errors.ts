import { FrontMatterError } from '../../src/frontmatter/read.js';

/** The FrontMatterError `fn` throws (its message and position are what tests check); any other outcome fails. */
export function errorOf(fn: () => unknown): FrontMatterError {
  try {
    fn();
  } catch (error) {
    if (error instanceof FrontMatterError) return error;
    throw error;
  }
  throw new Error('expected a FrontMatterError');
}
