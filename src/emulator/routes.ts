import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createBatch, findBatch, listPage, refresh, RESULTS_RETENTION_MS, view } from './batches.js';
import { takeFault, type FaultPlan } from './faults.js';
import { errorTypeFor, FAST_RETRY, HttpError, readJson, sendJson, statusFor } from './http.js';
import { answer } from './model.js';
import { countInputTokens, isObject, paramsProblem, userText } from './params.js';
import type { Store } from './store.js';

/** The API's limits: 256 MB for a batch create, 32 MB for a Messages call. */
const MAX_BATCH_BYTES = 256 * 1024 * 1024;
const MAX_MESSAGE_BYTES = 32 * 1024 * 1024;

export interface Env {
  store: Store;
  now: () => number;
  durationMs: number;
  faults: FaultPlan;
}

export interface Call {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** Where the client reached us (its Host header): results_url must point back there. */
  baseUrl: string;
  version: string | null;
}

type Handler = (env: Env, call: Call, id: string) => Promise<void>;

/** A batch brought up to date with the clock; saved when that computed its results. */
function current(env: Env, id: string) {
  const data = env.store.read();
  const batch = findBatch(data, id);
  if (refresh(batch, env.now())) env.store.save();
  return batch;
}

const create: Handler = async (env, call) => {
  const body = await readJson(call.req, MAX_BATCH_BYTES);
  const data = env.store.read();
  let created;
  try {
    created = createBatch(data, body, { now: env.now(), durationMs: env.durationMs, faults: env.faults, anthropicVersion: call.version });
  } finally {
    env.store.save(); // fault uses count even when the create is refused
  }
  if (created.httpFault) throw created.httpFault;
  sendJson(call.res, 200, view(created.batch, call.baseUrl));
};

const list: Handler = async (env, call) => {
  const q = call.url.searchParams;
  const limit = q.has('limit') ? Number(q.get('limit')) : 20;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new HttpError(400, 'invalid_request_error', 'limit: must be an integer from 1 to 1000');
  if (q.has('after_id') && q.has('before_id')) throw new HttpError(400, 'invalid_request_error', 'Only one of after_id and before_id may be given.');
  const data = env.store.read();
  const page = listPage(data, { limit, ...(q.has('after_id') && { afterId: q.get('after_id')! }), ...(q.has('before_id') && { beforeId: q.get('before_id')! }) });
  const now = env.now();
  if (page.items.map((b) => refresh(b, now)).some(Boolean)) env.store.save();
  const items = page.items.map((b) => view(b, call.baseUrl));
  sendJson(call.res, 200, { data: items, has_more: page.hasMore, first_id: items[0]?.id ?? null, last_id: items.at(-1)?.id ?? null });
};

const retrieve: Handler = async (env, call, id) => {
  sendJson(call.res, 200, view(current(env, id), call.baseUrl));
};

const cancel: Handler = async (env, call, id) => {
  const batch = current(env, id);
  if (!batch.results && batch.cancelInitiatedAt === null) {
    batch.cancelInitiatedAt = env.now();
    env.store.save();
  }
  sendJson(call.res, 200, view(batch, call.baseUrl));
};

const remove: Handler = async (env, call, id) => {
  const batch = current(env, id);
  if (!batch.results) throw new HttpError(400, 'invalid_request_error', `Batch ${id} has not ended; cancel it and wait for it to end before deleting it.`);
  const data = env.store.read();
  data.batches = data.batches.filter((b) => b !== batch);
  env.store.save();
  sendJson(call.res, 200, { id, type: 'message_batch_deleted' });
};

const results: Handler = async (env, call, id) => {
  const batch = current(env, id);
  if (!batch.results) throw new HttpError(400, 'invalid_request_error', `Batch ${id} is still ${batch.cancelInitiatedAt === null ? 'in progress' : 'canceling'}; results are available once it has ended.`);
  if (env.now() > batch.createdAt + RESULTS_RETENTION_MS) throw new HttpError(404, 'not_found_error', `The results of batch ${id} are no longer available (29 days after creation).`);
  call.res.writeHead(200, { 'content-type': 'application/x-jsonl' });
  // Streamed line by line: a 100,000-line batch is never one string.
  await pipeline(Readable.from(batch.results.map((line) => `${JSON.stringify(line)}\n`)), call.res);
};

const messages: Handler = async (env, call) => {
  const body = await readJson(call.req, MAX_MESSAGE_BYTES);
  const problem = paramsProblem(body, call.version);
  if (problem) throw new HttpError(400, 'invalid_request_error', problem);
  const data = env.store.read();
  const fault = takeFault(env.faults, data.faultHits, { userText: userText(body) }, (o) => o !== 'expired' && o !== 'canceled');
  if (fault) env.store.save();
  if (fault?.outcome === 'http_error' || fault?.outcome === 'errored') {
    const status = fault.status ?? (fault.errorType ? statusFor(fault.errorType) : 500);
    throw new HttpError(status, fault.errorType ?? errorTypeFor(status), `Emulated HTTP ${status} (fault plan).`, FAST_RETRY);
  }
  const override = fault?.outcome === 'text' ? { text: fault.text ?? '' } : { truncate: fault?.outcome === 'max_tokens' };
  sendJson(call.res, 200, answer(body, override));
};

const countTokens: Handler = async (_env, call) => {
  const body = await readJson(call.req, MAX_MESSAGE_BYTES);
  if (!isObject(body) || typeof body.model !== 'string') throw new HttpError(400, 'invalid_request_error', 'model: Field required');
  if (!Array.isArray(body.messages)) throw new HttpError(400, 'invalid_request_error', 'messages: Field required');
  sendJson(call.res, 200, { input_tokens: countInputTokens(body) });
};

const ROUTES: Array<[method: string, path: RegExp, handler: Handler]> = [
  ['POST', /^\/v1\/messages\/batches$/, create],
  ['GET', /^\/v1\/messages\/batches$/, list],
  ['GET', /^\/v1\/messages\/batches\/([^/]+)$/, retrieve],
  ['DELETE', /^\/v1\/messages\/batches\/([^/]+)$/, remove],
  ['POST', /^\/v1\/messages\/batches\/([^/]+)\/cancel$/, cancel],
  ['GET', /^\/v1\/messages\/batches\/([^/]+)\/results$/, results],
  ['POST', /^\/v1\/messages$/, messages],
  ['POST', /^\/v1\/messages\/count_tokens$/, countTokens],
];

export async function dispatch(env: Env, call: Call): Promise<void> {
  const path = call.url.pathname.replace(/\/+$/, '');
  for (const [method, pattern, handler] of ROUTES) {
    const match = pattern.exec(path);
    if (match && method === call.req.method) return handler(env, call, decodeURIComponent(match[1] ?? ''));
  }
  const known = ROUTES.some(([, pattern]) => pattern.test(path));
  throw known
    ? new HttpError(405, 'invalid_request_error', `Method ${call.req.method} is not allowed on ${path}.`)
    : new HttpError(404, 'not_found_error', `Not found: ${call.req.method} ${path}`);
}
