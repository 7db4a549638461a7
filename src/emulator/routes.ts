import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { batchImages, createBatch, findBatch, resultsGone, settle, view } from './batches.js';
import { faultError, takeFault, type AppliedFault, type Endpoint, type FaultPlan, type FaultTarget } from './faults.js';
import { HttpError, readJson, sendJson } from './http.js';
import { isLoopbackAddress, ledgerEntry } from './ledger.js';
import { answer } from './model.js';
import { findModel, listModels, unknownModel } from './models.js';
import { listBody, pageOf, readListQuery } from './page.js';
import { describeImages } from './images.js';
import { countInputTokens, isObject, paramsProblem, userText } from './params.js';
import { useCache } from './prompt-cache.js';
import type { Store } from './store.js';

/** The API's limits: 256 MB for a batch create, 32 MB for a Messages call. */
const MAX_BATCH_BYTES = 256 * 1024 * 1024;
const MAX_MESSAGE_BYTES = 32 * 1024 * 1024;

export interface Env {
  store: Store;
  now: () => number;
  durationMs: number;
  faults: FaultPlan;
  /** See EmulatorOptions.resultsRetentionMs. */
  resultsRetentionMs: number | undefined;
  /** See EmulatorOptions.models. */
  models: readonly string[];
}

export interface Call {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** Where the client reached us (its Host header): results_url must point back there. */
  baseUrl: string;
  version: string | null;
  /** The parsed JSON body, for endpoints that take one. */
  body?: unknown;
  /** An endpoint fault that lets the call do its work, then loses or cuts its answer. */
  fault?: AppliedFault;
}

type Handler = (env: Env, call: Call, id: string) => Promise<void>;

/** A batch brought up to date with the clock; saved when that computed (and billed) its results. */
function current(env: Env, id: string) {
  const data = env.store.read();
  const batch = findBatch(data, id);
  if (settle(data, batch, { now: env.now(), models: env.models })) env.store.save();
  return batch;
}

/** A handler's answer, unless its endpoint fault loses it: the connection dropped, or (an accepted create) an error instead. */
function reply(call: Call, body: unknown): void {
  if (call.fault?.outcome === 'disconnect') {
    call.res.destroy();
    return;
  }
  if (call.fault?.outcome === 'http_error') throw faultError(call.fault);
  sendJson(call.res, 200, body);
}

const create: Handler = async (env, call) => {
  const images = await batchImages(call.body);
  const data = env.store.read();
  let created;
  try {
    created = createBatch(data, call.body, { now: env.now(), durationMs: env.durationMs, faults: env.faults, anthropicVersion: call.version, ...(images.size ? { images } : {}) });
  } finally {
    env.store.save(); // fault uses count even when the create is refused
  }
  if (created.httpFault) throw created.httpFault;
  reply(call, view(created.batch, call.baseUrl));
};

const list: Handler = async (env, call) => {
  const query = readListQuery(call.url);
  const data = env.store.read();
  const page = pageOf([...data.batches].reverse(), query);
  const ctx = { now: env.now(), models: env.models };
  if (page.items.map((b) => settle(data, b, ctx)).some(Boolean)) env.store.save();
  reply(call, listBody(page.items.map((b) => view(b, call.baseUrl)), page.hasMore));
};

const retrieve: Handler = async (env, call, id) => {
  reply(call, view(current(env, id), call.baseUrl));
};

const cancel: Handler = async (env, call, id) => {
  const batch = current(env, id);
  if (!batch.results && batch.cancelInitiatedAt === null) {
    batch.cancelInitiatedAt = env.now();
    env.store.save();
  }
  reply(call, view(batch, call.baseUrl));
};

const remove: Handler = async (env, call, id) => {
  const batch = current(env, id);
  if (!batch.results) throw new HttpError(400, 'invalid_request_error', `Batch ${id} has not ended; cancel it and wait for it to end before deleting it.`);
  const data = env.store.read();
  data.batches = data.batches.filter((b) => b !== batch);
  env.store.save();
  reply(call, { id, type: 'message_batch_deleted' });
};

const results: Handler = async (env, call, id) => {
  const batch = current(env, id);
  if (!batch.results) throw new HttpError(400, 'invalid_request_error', `Batch ${id} is still ${batch.cancelInitiatedAt === null ? 'in progress' : 'canceling'}; results are available once it has ended.`);
  if (resultsGone(batch, env.now(), env.resultsRetentionMs)) throw new HttpError(404, 'not_found_error', `The results of batch ${id} are no longer available (past their retention).`);
  call.res.writeHead(200, { 'content-type': 'application/x-jsonl' });
  const lines = batch.results.map((line) => `${JSON.stringify(line)}\n`);
  if (call.fault?.outcome === 'disconnect') {
    // Headers and the first lines arrive, then the body stops without its end: the SDK's reader throws `terminated`.
    call.res.flushHeaders();
    const sent = lines.slice(0, call.fault.afterLines ?? 0).join('');
    if (sent) await new Promise((resolve) => call.res.write(sent, resolve));
    call.res.destroy();
    return;
  }
  // Streamed line by line: a 100,000-line batch is never one string.
  await pipeline(Readable.from(lines), call.res);
};

const messages: Handler = async (env, call) => {
  const { body } = call;
  const unknown = unknownModel(body, env.models);
  if (unknown) throw unknown;
  const problem = paramsProblem(body, call.version);
  if (problem) throw new HttpError(400, 'invalid_request_error', problem);
  const images = await describeImages(body);
  const data = env.store.read();
  const fault = takeFault(env.faults, data, { userText: userText(body) }, { accepts: (o) => o !== 'expired' && o !== 'canceled' });
  if (fault?.outcome === 'http_error' || fault?.outcome === 'errored') {
    env.store.save();
    throw faultError(fault);
  }
  const override = fault?.outcome === 'text' ? { text: fault.text ?? '' } : { truncate: fault?.outcome === 'max_tokens', refuse: fault?.outcome === 'refusal', wrongLanguage: fault?.outcome === 'wrong_language' };
  const message = answer(body, { ...override, cache: useCache((data.promptCache ??= {}), body, env.now()), images });
  // Billed once answered, even when the answer is then lost on the way back.
  data.ledger.push(ledgerEntry('sync', body, env.now()));
  env.store.save();
  reply(call, message);
};

const countTokens: Handler = async (env, call) => {
  const { body } = call;
  if (!isObject(body) || typeof body.model !== 'string') throw new HttpError(400, 'invalid_request_error', 'model: Field required');
  const unknown = unknownModel(body, env.models);
  if (unknown) throw unknown;
  if (!Array.isArray(body.messages)) throw new HttpError(400, 'invalid_request_error', 'messages: Field required');
  reply(call, { input_tokens: countInputTokens(body) });
};

const modelsList: Handler = async (env, call) => {
  const page = pageOf(listModels(env.models), readListQuery(call.url));
  reply(call, listBody(page.items, page.hasMore));
};

const modelsRetrieve: Handler = async (env, call, name) => {
  reply(call, findModel(name, env.models));
};

interface Route {
  method: string;
  path: RegExp;
  endpoint: Endpoint;
  handler: Handler;
  /** Endpoints with a JSON body: it is read (up to this size) before faults are decided, so rules can match its prompts. */
  bodyLimit?: number;
}

const ROUTES: Route[] = [
  { method: 'POST', path: /^\/v1\/messages\/batches$/, endpoint: 'create', handler: create, bodyLimit: MAX_BATCH_BYTES },
  { method: 'GET', path: /^\/v1\/messages\/batches$/, endpoint: 'list', handler: list },
  { method: 'GET', path: /^\/v1\/messages\/batches\/([^/]+)$/, endpoint: 'retrieve', handler: retrieve },
  { method: 'DELETE', path: /^\/v1\/messages\/batches\/([^/]+)$/, endpoint: 'delete', handler: remove },
  { method: 'POST', path: /^\/v1\/messages\/batches\/([^/]+)\/cancel$/, endpoint: 'cancel', handler: cancel },
  { method: 'GET', path: /^\/v1\/messages\/batches\/([^/]+)\/results$/, endpoint: 'results', handler: results },
  { method: 'POST', path: /^\/v1\/messages$/, endpoint: 'messages', handler: messages, bodyLimit: MAX_MESSAGE_BYTES },
  { method: 'POST', path: /^\/v1\/messages\/count_tokens$/, endpoint: 'count_tokens', handler: countTokens, bodyLimit: MAX_MESSAGE_BYTES },
  { method: 'GET', path: /^\/v1\/models$/, endpoint: 'models_list', handler: modelsList },
  { method: 'GET', path: /^\/v1\/models\/([^/]+)$/, endpoint: 'models_retrieve', handler: modelsRetrieve },
];

/** What an endpoint rule's matchers look at: each request of a create, the prompt of a Messages body, nothing otherwise. */
function targetsOf(endpoint: Endpoint, body: unknown): FaultTarget[] {
  if (endpoint !== 'create') return body === undefined ? [] : [{ userText: userText(body) }];
  const requests = isObject(body) && Array.isArray(body.requests) ? body.requests.filter(isObject) : [];
  return requests.map((r) => ({ userText: userText(r.params), ...(typeof r.custom_id === 'string' && { customId: r.custom_id }) }));
}

export async function dispatch(env: Env, call: Call): Promise<void> {
  const path = call.url.pathname.replace(/\/+$/, '');
  for (const route of ROUTES) {
    const match = route.path.exec(path);
    if (!match || route.method !== call.req.method) continue;
    const body = route.bodyLimit === undefined ? undefined : await readJson(call.req, route.bodyLimit);
    let fault: AppliedFault | undefined;
    if (env.faults.rules.some((r) => r.endpoint === route.endpoint)) {
      fault = takeFault(env.faults, env.store.read(), targetsOf(route.endpoint, body), { endpoint: route.endpoint, accepts: () => true });
      env.store.save(); // uses and draws count even when the call is refused
    }
    // Refused at the door: nothing is done (an accepted create's error comes after its work, from reply()).
    if (fault?.outcome === 'http_error' && !fault.accepted) throw faultError(fault);
    return route.handler(env, { ...call, ...(body !== undefined && { body }), ...(fault && { fault }) }, decodeURIComponent(match[1] ?? ''));
  }
  const known = ROUTES.some((r) => r.path.test(path));
  throw known
    ? new HttpError(405, 'invalid_request_error', `Method ${call.req.method} is not allowed on ${path}.`)
    : new HttpError(404, 'not_found_error', `Not found: ${call.req.method} ${path}`);
}

/** GET /_emulator/ledger: every billed request, as JSON. Loopback clients only; no API key needed. */
export async function dispatchDebug(env: Env, call: Call): Promise<void> {
  if (!isLoopbackAddress(call.req.socket.remoteAddress)) throw new HttpError(403, 'permission_error', 'The emulator debug endpoints answer loopback clients only.');
  const path = call.url.pathname.replace(/\/+$/, '');
  if (path !== '/_emulator/ledger') throw new HttpError(404, 'not_found_error', `Not found: ${call.req.method} ${path}`);
  if (call.req.method !== 'GET') throw new HttpError(405, 'invalid_request_error', `Method ${call.req.method} is not allowed on ${path}.`);
  sendJson(call.res, 200, { data: env.store.read().ledger });
}
