import { HttpError } from './http.js';

export interface ListQuery {
  limit: number;
  afterId?: string;
  beforeId?: string;
}

/** The query of a list endpoint: `limit` 1–1000 (default 20), and `after_id` or `before_id`. */
export function readListQuery(url: URL): ListQuery {
  const q = url.searchParams;
  const limit = q.has('limit') ? Number(q.get('limit')) : 20;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new HttpError(400, 'invalid_request_error', 'limit: must be an integer from 1 to 1000');
  if (q.has('after_id') && q.has('before_id')) throw new HttpError(400, 'invalid_request_error', 'Only one of after_id and before_id may be given.');
  return { limit, ...(q.has('after_id') && { afterId: q.get('after_id')! }), ...(q.has('before_id') && { beforeId: q.get('before_id')! }) };
}

/** One page of a newest-first list, with the cursors the SDK's Page follows (after_id = last_id; before_id = first_id). */
export function pageOf<T extends { id: string }>(newest: readonly T[], query: ListQuery): { items: T[]; hasMore: boolean } {
  if (query.beforeId !== undefined) {
    const end = newest.findIndex((item) => item.id === query.beforeId);
    if (end < 0) return { items: [], hasMore: false };
    const start = Math.max(0, end - query.limit);
    return { items: newest.slice(start, end), hasMore: start > 0 };
  }
  const start = query.afterId === undefined ? 0 : newest.findIndex((item) => item.id === query.afterId) + 1;
  if (start === 0 && query.afterId !== undefined) return { items: [], hasMore: false };
  return { items: newest.slice(start, start + query.limit), hasMore: start + query.limit < newest.length };
}

/** A list endpoint's answer. */
export function listBody<T extends { id: string }>(items: T[], hasMore: boolean) {
  return { data: items, has_more: hasMore, first_id: items[0]?.id ?? null, last_id: items.at(-1)?.id ?? null };
}
