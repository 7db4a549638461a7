import path from 'node:path';
import type Anthropic from '@anthropic-ai/sdk';
import { APIError } from '@anthropic-ai/sdk/error';
import { UserError } from '../errors.js';

export interface Api {
  client: Anthropic;
  /** Human label of where requests go (never includes the key). */
  target: string;
  /** True for a server on this machine (the emulator): polling may be fast. */
  loopback: boolean;
  /** What the HTTP calls of this session came to: whether the API was reached at all. */
  reach: Reach;
  close(): Promise<void>;
}

/** HTTP calls that got an answer (any status) and those that got none (refused, reset, DNS, timeout), with the last such error. */
export interface Reach {
  answered: number;
  failed: number;
  lastFailure?: string;
}

/** True when calls were made and none got through: the API was unreachable for the whole command. */
export const unreachable = (reach: Reach | undefined): boolean => reach !== undefined && reach.failed > 0 && reach.answered === 0;

/** fetch, counting answers and failures into `reach`: a run can tell a network that never worked from a passing fault. */
function countingFetch(reach: Reach): typeof fetch {
  return async (input, init) => {
    try {
      const response = await fetch(input, init);
      reach.answered++;
      return response;
    } catch (error) {
      // An abort is ours (a stalled download, Ctrl-C), not the network's.
      if (!(init?.signal?.aborted ?? false)) {
        reach.failed++;
        reach.lastFailure = describeError(error);
      }
      throw error;
    }
  };
}

export interface ConnectOptions {
  offline: boolean;
  /** Folder of the state file; the offline emulator keeps its batches beside it. */
  stateDir: string;
  env: NodeJS.ProcessEnv;
  /** Models the offline emulator accepts besides the ones batchmatter knows (those the config prices). */
  models?: readonly string[];
  /** The offline emulator's clock, in epoch ms: the session's, so a driven clock ends its batches too. @default Date.now */
  now?: () => number;
}

const SECRET_VARS = ['ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN'] as const;
/** Keys given to a client from an environment other than process.env (the library's `env` option): redacted too. */
const inUse = new Set<string>();

/**
 * `text` with the API key taken out wherever it appears, whole or any line of
 * it. The SDK keeps it out of its own messages, but a failure below it (the
 * HTTP client refusing a header value) quotes the header, key and all; every
 * error text goes through here before it is logged, stored or printed.
 */
export function redactSecrets(text: string, env: NodeJS.ProcessEnv = process.env): string {
  let out = text;
  for (const secret of [...SECRET_VARS.map((name) => env[name]), ...inUse]) {
    if (!secret) continue;
    const parts = [secret, secret.trim(), ...secret.split(/[\r\n]+/).map((s) => s.trim())].filter((s) => s.length >= 8);
    for (const part of parts.sort((a, b) => b.length - a.length)) out = out.split(part).join('[redacted]');
  }
  return out;
}

/**
 * One line for an API failure: the SDK's message plus its innermost cause, so
 * "Connection error." says which (ECONNREFUSED, a reset, a timeout); never the key.
 */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return redactSecrets(String(error));
  let root: Error = error;
  for (let depth = 0; root.cause instanceof Error && depth < 5; depth++) root = root.cause;
  return redactSecrets(root === error || error.message.includes(root.message) ? error.message : `${error.message} (${root.message})`);
}

/** Why a key or base URL from the environment cannot work, before anything is sent; never quoting the key. */
function environmentProblem(env: NodeJS.ProcessEnv): string | undefined {
  for (const name of SECRET_VARS) {
    const value = env[name]?.trim();
    // An HTTP header carries visible ASCII only: a wrapped paste, a space or a curly quote would fail every call.
    if (value && !/^[\x21-\x7e]+$/.test(value)) return `${name} holds a line break, a space or a character an HTTP header cannot carry (a wrapped paste?); set it again`;
  }
  const base = env.ANTHROPIC_BASE_URL;
  if (base) {
    let url: URL | undefined;
    try {
      url = new URL(base);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) return `ANTHROPIC_BASE_URL: expected a URL like https://api.anthropic.com or http://127.0.0.1:4010, got "${base}"`;
  }
  return undefined;
}

/** Why an API error will not go away by retrying (bad key, no access, spend limit), if that is the case. */
export function fatalApiProblem(error: unknown): string | undefined {
  if (!(error instanceof APIError)) return undefined;
  if (error.status === 401) return 'the API rejected the key (401 authentication_error); check ANTHROPIC_API_KEY';
  if (error.status === 403) return 'the API refused access (403 permission_error)';
  if (JSON.stringify(error.error ?? '').includes('enforced_spend_limit_reached')) return 'the monthly spend limit is reached (enforced_spend_limit_reached); retrying will not help';
  return undefined;
}

function isLoopback(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return host === 'localhost' || host === '[::1]' || host === '::1' || /^127\./.test(host);
  } catch {
    return false;
  }
}

/**
 * The model API. With --offline, an embedded emulator is started in this
 * process and the real SDK talks to it over HTTP; it persists its batches next
 * to the state file so a later command (or a run after kill -9) finds them.
 */
export async function connectApi(options: ConnectOptions): Promise<Api> {
  // Loaded here, not at startup: commands that never call the API (plan, diff, check) skip its ~0.3 s.
  const { default: Anthropic } = await import('@anthropic-ai/sdk');
  if (options.offline) {
    const { startEmulator } = await import('../emulator/index.js');
    const batchMs = Number(options.env.BATCHMATTER_EMULATOR_BATCH_MS);
    const emulator = await startEmulator({
      dataFile: path.join(options.stateDir, 'emulator.json'),
      ...(options.models?.length ? { models: [...options.models] } : {}),
      ...(Number.isFinite(batchMs) && batchMs >= 0 ? { batchDurationMs: batchMs } : {}),
      ...(options.now ? { now: options.now } : {}),
    });
    const reach: Reach = { answered: 0, failed: 0 };
    return {
      client: new Anthropic({ apiKey: 'offline-emulator', baseURL: emulator.url, fetch: countingFetch(reach) }),
      target: `embedded emulator at ${emulator.url}`,
      loopback: true,
      reach,
      close: () => emulator.close(),
    };
  }
  const key = options.env.ANTHROPIC_API_KEY || options.env.ANTHROPIC_AUTH_TOKEN;
  if (!key) {
    throw new UserError('ANTHROPIC_API_KEY is not set. Set it, or pass --offline to use the embedded emulator.');
  }
  const problem = environmentProblem(options.env);
  if (problem) throw new UserError(problem);
  const baseURL = options.env.ANTHROPIC_BASE_URL || 'https://api.anthropic.com';
  // From the environment the command was given (the library's `env` option, else process.env), never stored:
  // null, not undefined, or the SDK would read process.env's instead.
  const { ANTHROPIC_API_KEY: apiKey, ANTHROPIC_AUTH_TOKEN: authToken } = options.env;
  for (const secret of [apiKey, authToken]) if (secret) inUse.add(secret);
  const reach: Reach = { answered: 0, failed: 0 };
  return {
    client: new Anthropic({ apiKey: apiKey || null, authToken: authToken || null, baseURL, fetch: countingFetch(reach) }),
    target: new URL(baseURL).host,
    loopback: isLoopback(baseURL),
    reach,
    close: async () => undefined,
  };
}
