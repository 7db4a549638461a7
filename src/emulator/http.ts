import type { IncomingMessage, ServerResponse } from 'node:http';

/** An error the emulator answers with, in the API's `{type:"error", error:{type, message}}` shape. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const TYPE_BY_STATUS: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

/** Emulated failures ask the SDK to retry soon, so retry tests take milliseconds, not the 0.5 s·2ⁿ backoff. */
export const FAST_RETRY = { 'retry-after-ms': '20' };

export function errorTypeFor(status: number): string {
  return TYPE_BY_STATUS[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
}

export function statusFor(errorType: string): number {
  for (const [status, type] of Object.entries(TYPE_BY_STATUS)) if (type === errorType) return Number(status);
  return 500;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendError(res: ServerResponse, error: HttpError, requestId: string): void {
  sendJson(res, error.status, { type: 'error', error: { type: error.type, message: error.message }, request_id: requestId }, error.headers);
}

/**
 * Reads and parses a JSON body. Past `limit` bytes the rest is drained (not
 * buffered) before answering 413, so the client sees the error rather than a
 * connection reset while it is still sending.
 */
export async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= limit) chunks.push(chunk);
  }
  if (size > limit) throw new HttpError(413, 'request_too_large', `Request exceeds the maximum allowed number of bytes (${limit}).`);
  if (size === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new HttpError(400, 'invalid_request_error', 'The request body is not valid JSON.');
  }
}
