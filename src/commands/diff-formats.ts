/** The forms `diff --format` writes (its own module so the CLI can list them without loading the diff code). */
export const DIFF_FORMATS = ['unified', 'markdown', 'json', 'html'] as const;
export type DiffFormat = (typeof DIFF_FORMATS)[number];
