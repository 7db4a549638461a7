import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { faultPlanFromEnv, parseFaultPlan, type FaultPlan } from './faults.js';
import { HttpError, sendError } from './http.js';
import { randomId } from './ids.js';
import type { LedgerEntry } from './ledger.js';
import { dispatch, dispatchDebug, type Env } from './routes.js';
import { Store } from './store.js';

export interface EmulatorOptions {
  /** Interface to bind. @default '127.0.0.1' (loopback only) */
  host?: string;
  /** @default 0 (an ephemeral port) */
  port?: number;
  /**
   * JSON file persisting batches, their requests and results, the log of
   * create calls and fault-rule use counts, so a later process can retrieve
   * and collect a batch this one created. In memory only when absent.
   */
  dataFile?: string;
  /** Time from create until a batch has ended. @default env BATCHMATTER_EMULATOR_BATCH_MS, else 1500 */
  batchDurationMs?: number;
  /**
   * Results of an ended batch answer 404 not_found_error this long after it
   * ended (retrieve and list still show the batch).
   * @default faults.resultsRetentionMs, else 29 days after creation (the API's rule)
   */
  resultsRetentionMs?: number;
  /** Clock in epoch ms. @default Date.now */
  now?: () => number;
  /** Scripted misbehaviour. @default parsed from env BATCHMATTER_EMULATOR_FAULTS (JSON), else none */
  faults?: FaultPlan;
  /**
   * Model names accepted besides the ones batchmatter knows (KNOWN_MODELS in
   * src/core/models.ts), e.g. the models a user priced in their config. Any
   * other model is refused as the API refuses it: 404 not_found_error on
   * Messages and count_tokens, an `errored` result inside a batch.
   * @default []
   */
  models?: string[];
  /** One line per request served. */
  log?: (line: string) => void;
}

export interface RunningEmulator {
  /** e.g. http://127.0.0.1:PORT — use as the SDK's baseURL. */
  url: string;
  port: number;
  /** Every billed request so far (also GET /_emulator/ledger). */
  ledger(): LedgerEntry[];
  close(): Promise<void>;
}

/** SDK 1.x sends `Authorization: Bearer`, older clients and the docs `x-api-key`; any non-empty key will do. */
function authenticated(req: IncomingMessage): boolean {
  const key = req.headers['x-api-key'];
  const auth = req.headers.authorization;
  return (typeof key === 'string' && key.trim() !== '') || (typeof auth === 'string' && /^Bearer\s+\S/i.test(auth));
}

async function handle(env: Env, fallbackBase: string, log: (line: string) => void, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const started = Date.now();
  const requestId = randomId('req_');
  res.setHeader('request-id', requestId);
  try {
    const version = req.headers['anthropic-version'];
    const call = {
      req,
      res,
      url: new URL(req.url ?? '/', fallbackBase),
      baseUrl: req.headers.host ? `http://${req.headers.host}` : fallbackBase,
      version: typeof version === 'string' ? version : null,
    };
    if (call.url.pathname.startsWith('/_emulator/')) await dispatchDebug(env, call);
    else if (!authenticated(req)) throw new HttpError(401, 'authentication_error', 'Missing API key: send Authorization: Bearer <key> or x-api-key.');
    else await dispatch(env, call);
  } catch (caught) {
    const error = caught instanceof HttpError ? caught : new HttpError(500, 'api_error', `Internal emulator error: ${(caught as Error).message}`);
    if (!(caught instanceof HttpError)) log(`emulator internal error: ${(caught as Error).stack ?? String(caught)}`);
    // An unread body would otherwise stall a client that is still sending it.
    if (!req.readableEnded) req.resume();
    if (res.headersSent) res.destroy();
    else sendError(res, error, requestId);
  }
  log(`${req.method} ${req.url} ${res.statusCode} ${Date.now() - started}ms`);
}

function batchMsFromEnv(): number | undefined {
  const raw = process.env.BATCHMATTER_EMULATOR_BATCH_MS;
  const ms = raw?.trim() ? Number(raw) : NaN;
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}

/**
 * Serves the Messages, Message Batches and Models API on loopback for the real
 * SDK: the demo, --offline runs and the tests. Batches end `batchDurationMs`
 * after creation by the clock, so processing "continues" across restarts.
 * Faults and the ledger of billed requests: see the module comment in index.ts.
 */
export async function startEmulator(opts: EmulatorOptions = {}): Promise<RunningEmulator> {
  const host = opts.host ?? '127.0.0.1';
  const log = opts.log ?? (() => undefined);
  const faults = opts.faults ? parseFaultPlan(opts.faults, 'options.faults') : faultPlanFromEnv();
  const env: Env = {
    store: new Store(opts.dataFile),
    now: opts.now ?? Date.now,
    durationMs: Math.max(0, opts.batchDurationMs ?? batchMsFromEnv() ?? 1500),
    faults,
    resultsRetentionMs: opts.resultsRetentionMs ?? faults.resultsRetentionMs,
    models: opts.models ?? [],
  };
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  server.on('request', (req, res) => void handle(env, url, log, req, res));
  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    ledger: () => structuredClone(env.store.read().ledger),
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive sockets from the SDK would hold close() open indefinitely.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
