export const CUSTOM_ID_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;

/**
 * custom_ids are derived from a per-submission nonce and the request's
 * position, never from a path or slug (too long, `/` and `.` are not allowed,
 * slugs collide across folders). They map back to files only through the
 * state DB; the nonce also lets a lost batch be recognised by its results.
 */
export function customId(nonce: string, index: number): string {
  const id = `bm_${nonce}_${index.toString(36)}`;
  if (!CUSTOM_ID_PATTERN.test(id)) throw new Error(`internal: bad custom_id ${id}`);
  return id;
}
