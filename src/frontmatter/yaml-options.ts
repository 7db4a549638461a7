import type { DocumentOptions, ParseOptions, SchemaOptions } from 'yaml';

/** How every YAML front matter block is read: its own module, so the fast reader and the full one share it without importing each other. */
export const YAML_OPTIONS: ParseOptions & DocumentOptions & SchemaOptions = {
  version: '1.2',
  // Core, not yaml-1.1: `2024-03-05` stays a string and `yes` stays `yes`.
  schema: 'core',
  uniqueKeys: true,
  // `!!binary`, `!!timestamp` etc. stay strings: data must be plain JSON-like values.
  resolveKnownTags: false,
  // `<<: *defaults` merges, as Jekyll's and gray-matter's readers do: a description inherited so is the file's own,
  // and a key added beside it must read back as what those readers see.
  merge: true,
  // Warnings (unresolved tags, collection keys) are not errors; keep them off stderr.
  logLevel: 'error',
  // Positions are mapped to file lines below; yaml's own would count from the block.
  prettyErrors: false,
};
