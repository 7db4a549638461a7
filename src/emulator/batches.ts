import type { MessageBatch, MessageBatchResult } from '@anthropic-ai/sdk/resources/messages/batches';
import type { ErrorObject } from '@anthropic-ai/sdk/resources/shared';
import { faultError, takeFault, type FaultPlan } from './faults.js';
import { describeImages, type ImageFacts } from './images.js';
import { HttpError } from './http.js';
import { digest, randomId } from './ids.js';
import { ledgerEntry } from './ledger.js';
import { answer } from './model.js';
import { unknownModel } from './models.js';
import { isObject, paramsProblem, userText } from './params.js';
import { useCache, type PromptCache } from './prompt-cache.js';
import type { EmulatorData, ResultLine, StoredBatch, StoredRequest } from './store.js';

export const MAX_REQUESTS = 100_000;
const CUSTOM_ID = /^[a-zA-Z0-9_-]{1,64}$/;
const DAY = 24 * 60 * 60 * 1000;
/** Results stay downloadable this long after creation; then the batch lists but its results are gone. */
const RESULTS_RETENTION_MS = 29 * DAY;

const invalid = (message: string) => new HttpError(400, 'invalid_request_error', message);

/** Checks the envelope only; params are checked when each request runs, as the API does. */
function readRequests(body: unknown): StoredRequest[] {
  if (!isObject(body) || !Array.isArray(body.requests)) throw invalid('requests: Field required');
  const { requests } = body;
  if (requests.length === 0) throw invalid('requests: at least one request is required');
  if (requests.length > MAX_REQUESTS) throw new HttpError(413, 'request_too_large', `A batch holds at most ${MAX_REQUESTS} requests; got ${requests.length}.`);
  const seen = new Set<string>();
  return requests.map((request, i) => {
    if (!isObject(request)) throw invalid(`requests.${i}: Input should be an object`);
    const id = request.custom_id;
    if (typeof id !== 'string' || !CUSTOM_ID.test(id)) throw invalid(`requests.${i}.custom_id: '${String(id)}' does not match ${CUSTOM_ID.source}`);
    if (seen.has(id)) throw invalid(`requests.${i}.custom_id: duplicate custom_id '${id}'; custom_id must be unique within a batch`);
    seen.add(id);
    if (!isObject(request.params)) throw invalid(`requests.${i}.params: Input should be an object (custom_id ${id})`);
    return { custom_id: id, params: request.params };
  });
}

/** By custom_id, the images of a create body's requests, with their colours (read before the batch is recorded). */
export async function batchImages(body: unknown): Promise<Map<string, ImageFacts[]>> {
  const found = new Map<string, ImageFacts[]>();
  if (!isObject(body) || !Array.isArray(body.requests)) return found;
  for (const request of body.requests) {
    if (!isObject(request) || typeof request.custom_id !== 'string') continue;
    const images = await describeImages(request.params);
    if (images?.length) found.set(request.custom_id, images);
  }
  return found;
}

export interface CreateContext {
  now: number;
  durationMs: number;
  faults: FaultPlan;
  anthropicVersion: string | null;
  /** By custom_id, the images of requests that have some (see images.ts describeImages). */
  images?: ReadonlyMap<string, ImageFacts[]>;
}

/**
 * Records a new batch. A request-matched `http_error` rule (one without
 * `endpoint`) fires once per create call: a 4xx one refuses the batch
 * (throws); a 5xx one is returned for the caller to answer with after the
 * batch was accepted, as when the answer to a create is lost — the case that
 * makes a retried create pay twice.
 */
export function createBatch(data: EmulatorData, body: unknown, ctx: CreateContext): { batch: StoredBatch; httpFault?: HttpError } {
  const requests = readRequests(body);
  for (const request of requests) {
    const images = ctx.images?.get(request.custom_id);
    if (images) request.images = images;
  }
  const target = (r: StoredRequest) => ({ userText: userText(r.params), customId: r.custom_id });
  const http = takeFault(ctx.faults, data, requests.map(target), { accepts: (o) => o === 'http_error' });
  const httpFault = http && faultError(http);
  if (httpFault && httpFault.status < 500) throw httpFault;
  for (const request of requests) {
    const fault = takeFault(ctx.faults, data, target(request), { accepts: (o) => o !== 'http_error' });
    if (fault) request.fault = fault;
  }
  const batch: StoredBatch = {
    id: randomId('msgbatch_'),
    createdAt: ctx.now,
    durationMs: ctx.durationMs,
    cancelInitiatedAt: null,
    endedAt: null,
    anthropicVersion: ctx.anthropicVersion,
    requests,
    results: null,
  };
  data.batches.push(batch);
  data.creates.push({ at: new Date(ctx.now).toISOString(), batchId: batch.id, requests: requests.length });
  return httpFault ? { batch, httpFault } : { batch };
}

/** What running a batch needs besides the batch. */
export interface RunContext {
  now: number;
  /** EmulatorOptions.models: names accepted besides the known models. */
  models: readonly string[];
}

function run(request: StoredRequest, version: string | null, cache: PromptCache, at: number, models: readonly string[]): MessageBatchResult {
  const fault = request.fault;
  const errored = (type: string, message: string): MessageBatchResult => ({ type: 'errored', error: { type: 'error', error: { type, message } as ErrorObject, request_id: null } });
  if (fault?.outcome === 'errored') return errored(fault.errorType ?? 'api_error', `Emulated ${fault.errorType ?? 'api_error'} (fault plan).`);
  if (fault?.outcome === 'expired') return { type: 'expired' };
  if (fault?.outcome === 'canceled') return { type: 'canceled' };
  // Before any answer, even a fault's: a request for a model that does not exist is never billed.
  const unknown = unknownModel(request.params, models);
  if (unknown) return errored(unknown.type, unknown.message);
  if (fault?.outcome === 'text') return { type: 'succeeded', message: answer(request.params, { text: fault.text ?? '', serviceTier: 'batch', cache: useCache(cache, request.params, at) }) };
  const images = request.images;
  const problem = paramsProblem(request.params, version);
  if (problem) return errored('invalid_request_error', problem);
  return { type: 'succeeded', message: answer(request.params, { truncate: fault?.outcome === 'max_tokens', refuse: fault?.outcome === 'refusal', wrongLanguage: fault?.outcome === 'wrong_language', serviceTier: 'batch', cache: useCache(cache, request.params, at), images }) };
}

/** Results order: a deterministic shuffle, never the request order (clients must match on custom_id). */
function shuffled(batch: StoredBatch): StoredRequest[] {
  const order = [...batch.requests].sort((a, b) => digest(batch.id + a.custom_id) - digest(batch.id + b.custom_id) || (a.custom_id < b.custom_id ? -1 : 1));
  if (order.length > 1 && order.every((r, i) => r === batch.requests[i])) order.push(order.shift()!);
  return order;
}

/** When the batch ends, and the share of requests processed by then (the rest canceled or expired). */
function ending(batch: StoredBatch): { at: number; processed: number; rest: 'canceled' | 'expired' } {
  const naturalEnd = batch.createdAt + batch.durationMs;
  if (batch.cancelInitiatedAt !== null) {
    const at = Math.min(naturalEnd, batch.cancelInitiatedAt + batch.durationMs / 5);
    return { at, processed: (batch.cancelInitiatedAt - batch.createdAt) / Math.max(1, batch.durationMs), rest: 'canceled' };
  }
  if (batch.durationMs >= DAY) return { at: batch.createdAt + DAY, processed: DAY / batch.durationMs, rest: 'expired' };
  return { at: naturalEnd, processed: 1, rest: 'expired' };
}

/** Computes and stores the results the first time the batch is seen past its end. Returns true when it changed. */
function refresh(batch: StoredBatch, ctx: RunContext, cache: PromptCache): boolean {
  if (batch.results) return false;
  const end = ending(batch);
  if (ctx.now < end.at) return false;
  const order = shuffled(batch);
  const done = Math.floor(Math.min(1, Math.max(0, end.processed)) * order.length);
  batch.results = order.map((request, i): ResultLine => ({
    custom_id: request.custom_id,
    result: i < done ? run(request, batch.anthropicVersion, cache, end.at, ctx.models) : { type: end.rest },
  }));
  batch.endedAt = end.at;
  return true;
}

/** Brings a batch up to date with the clock; when it has just ended, bills its succeeded requests. Returns true when it changed. */
export function settle(data: EmulatorData, batch: StoredBatch, ctx: RunContext): boolean {
  if (!refresh(batch, ctx, (data.promptCache ??= {}))) return false;
  const params = new Map(batch.requests.map((r) => [r.custom_id, r.params]));
  for (const line of batch.results!) {
    if (line.result.type === 'succeeded') data.ledger.push(ledgerEntry('batch', params.get(line.custom_id), batch.endedAt!, { customId: line.custom_id, batchId: batch.id }));
  }
  return true;
}

/** Results of an ended batch are gone after `retentionMs` from its end when set, else 29 days after creation (the API's rule). */
export function resultsGone(batch: StoredBatch, now: number, retentionMs: number | undefined): boolean {
  return retentionMs === undefined ? now > batch.createdAt + RESULTS_RETENTION_MS : batch.endedAt !== null && now >= batch.endedAt + retentionMs;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The MessageBatch the API shows; `baseUrl` is what the client used to reach us (from its Host header). */
export function view(batch: StoredBatch, baseUrl: string): MessageBatch {
  const counts = { processing: 0, succeeded: 0, errored: 0, canceled: 0, expired: 0 };
  if (batch.results) for (const line of batch.results) counts[line.result.type]++;
  else counts.processing = batch.requests.length;
  return {
    id: batch.id,
    type: 'message_batch',
    processing_status: batch.results ? 'ended' : batch.cancelInitiatedAt !== null ? 'canceling' : 'in_progress',
    request_counts: counts,
    ended_at: iso(batch.endedAt),
    created_at: iso(batch.createdAt)!,
    expires_at: iso(batch.createdAt + DAY)!,
    archived_at: null,
    cancel_initiated_at: iso(batch.cancelInitiatedAt),
    results_url: batch.results ? `${baseUrl}/v1/messages/batches/${batch.id}/results` : null,
  };
}

export function findBatch(data: EmulatorData, id: string): StoredBatch {
  const batch = data.batches.find((b) => b.id === id);
  if (!batch) throw new HttpError(404, 'not_found_error', `No message batch with id ${id}.`);
  return batch;
}
