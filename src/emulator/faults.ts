import { z } from 'zod';
import { errorTypeFor, FAST_RETRY, HttpError, statusFor } from './http.js';
import { digest } from './ids.js';
import { UserError } from '../errors.js';

/** Every endpoint a rule can name; `endpoint` rules answer for the whole call, before or after its work. */
export const ENDPOINTS = ['create', 'retrieve', 'list', 'results', 'cancel', 'delete', 'messages', 'count_tokens', 'models_list', 'models_retrieve'] as const;
export type Endpoint = (typeof ENDPOINTS)[number];

const OUTCOMES = ['errored', 'expired', 'canceled', 'text', 'max_tokens', 'refusal', 'http_error', 'disconnect', 'wrong_language'] as const;
export type FaultOutcome = (typeof OUTCOMES)[number];

/**
 * One scripted misbehaviour; the first rule that matches (and has uses left) wins.
 * Without `endpoint` a rule bends single requests: a batch request's result,
 * or a synchronous Messages call (`errored`/`http_error` answer an HTTP error
 * there). With `endpoint` it bends a whole HTTP call to that endpoint.
 */
export interface FaultRule {
  /** The call to misbehave on: `http_error` or `disconnect` only. */
  endpoint?: Endpoint;
  /** Applies to requests whose user text contains this marker (with `endpoint`: create, messages, count_tokens). */
  promptIncludes?: string;
  /** Or whose custom_id matches this regular expression (batch requests only; with `endpoint`: create, any request of the batch). */
  customIdPattern?: string;
  outcome: FaultOutcome;
  /** For `errored` (default `api_error`) and HTTP errors (default: the status's type). */
  errorType?: string;
  /** For HTTP errors (default: the errorType's status, else 500). */
  status?: number;
  /** For HTTP errors: seconds sent as `retry-after` (0 lets the SDK use its own backoff). Default: `retry-after-ms: 20`, so retries stay fast. */
  retryAfter?: number;
  /** For `endpoint: 'create'` + `http_error`: store the batch first, then answer the error (a 5xx after acceptance). @default false */
  accepted?: boolean;
  /** For `endpoint: 'results'` + `disconnect`: lines sent before the connection is cut. @default 0 */
  afterLines?: number;
  /** For `text`: answer with exactly this text. */
  text?: string;
  /** Only the first N matching requests (or calls), counted across batches and restarts; then normal behaviour. */
  times?: number;
  /**
   * Fires for this share (0–1) of the matching requests, decided by a hash of
   * `seed` and the custom_id (the same custom_id always gets the same decision);
   * for calls without one (synchronous requests, `endpoint` rules), of the
   * seed and the call's number among the rule's matches. Combines with `times`.
   */
  rate?: number;
  /** For `rate`. @default '' */
  seed?: string;
}

export interface FaultPlan {
  rules: FaultRule[];
  /** Results of an ended batch answer 404 this long after it ended (for runs configured by environment). */
  resultsRetentionMs?: number;
}

/** What was decided for one request or call; a request's is stored with it so a later process replays the same outcome. */
export type AppliedFault = Pick<FaultRule, 'outcome' | 'errorType' | 'status' | 'retryAfter' | 'accepted' | 'afterLines' | 'text'>;

const BODY_ENDPOINTS: readonly Endpoint[] = ['create', 'messages', 'count_tokens'];
const ENDPOINT_OUTCOMES: readonly FaultOutcome[] = ['http_error', 'disconnect'];

/** Cross-field checks, each returning the problem (and the key it is about) or nothing: a rule that could never fire is an error. */
const RULE_CHECKS: Array<(r: FaultRule) => [key: keyof FaultRule, message: string] | undefined> = [
  (r) => (r.endpoint && !ENDPOINT_OUTCOMES.includes(r.outcome) ? ['outcome', `with endpoint, outcome must be ${ENDPOINT_OUTCOMES.join(' or ')}`] : undefined),
  (r) => (!r.endpoint && r.outcome === 'disconnect' ? ['outcome', 'disconnect needs an endpoint'] : undefined),
  (r) => (r.endpoint && r.promptIncludes !== undefined && !BODY_ENDPOINTS.includes(r.endpoint) ? ['promptIncludes', `${r.endpoint} calls carry no prompt`] : undefined),
  (r) => (r.endpoint && r.endpoint !== 'create' && r.customIdPattern !== undefined ? ['customIdPattern', 'only create calls carry custom_ids'] : undefined),
  (r) => (r.accepted !== undefined && (r.endpoint !== 'create' || r.outcome !== 'http_error') ? ['accepted', "only for endpoint 'create' with outcome http_error"] : undefined),
  (r) => (r.afterLines !== undefined && (r.endpoint !== 'results' || r.outcome !== 'disconnect') ? ['afterLines', "only for endpoint 'results' with outcome disconnect"] : undefined),
  (r) => (r.retryAfter !== undefined && r.outcome !== 'http_error' && r.outcome !== 'errored' ? ['retryAfter', 'only for HTTP errors'] : undefined),
  (r) => (r.seed !== undefined && r.rate === undefined ? ['seed', 'only used with rate'] : undefined),
];

const ruleSchema = z
  .strictObject({
    endpoint: z.enum(ENDPOINTS).optional(),
    promptIncludes: z.string().optional(),
    customIdPattern: z
      .string()
      .refine((p) => {
        try {
          new RegExp(p);
          return true;
        } catch {
          return false;
        }
      }, 'not a valid regular expression')
      .optional(),
    outcome: z.enum(OUTCOMES),
    errorType: z.string().optional(),
    status: z.number().int().min(400).max(599).optional(),
    retryAfter: z.number().nonnegative().max(60).optional(),
    accepted: z.boolean().optional(),
    afterLines: z.number().int().nonnegative().optional(),
    text: z.string().optional(),
    times: z.number().int().nonnegative().optional(),
    rate: z.number().min(0).max(1).optional(),
    seed: z.string().optional(),
  })
  .superRefine((rule, ctx) => {
    for (const check of RULE_CHECKS) {
      const problem = check(rule);
      if (problem) ctx.addIssue({ code: 'custom', path: [problem[0]], message: problem[1] });
    }
  });
const planSchema = z.strictObject({ rules: z.array(ruleSchema), resultsRetentionMs: z.number().int().nonnegative().optional() });

/** Checks a plan (from options or the environment) so a typo fails loudly instead of never firing. */
export function parseFaultPlan(value: unknown, source: string): FaultPlan {
  const parsed = planSchema.safeParse(value);
  if (parsed.success) return parsed.data as FaultPlan;
  const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(plan)'}: ${i.message}`).join('; ');
  throw new UserError(`invalid emulator fault plan in ${source}: ${problems}`);
}

export function faultPlanFromEnv(env: NodeJS.ProcessEnv = process.env): FaultPlan {
  const raw = env.BATCHMATTER_EMULATOR_FAULTS;
  if (!raw?.trim()) return { rules: [] };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new UserError('BATCHMATTER_EMULATOR_FAULTS is not valid JSON');
  }
  return parseFaultPlan(json, 'BATCHMATTER_EMULATOR_FAULTS');
}

export interface FaultTarget {
  userText: string;
  customId?: string;
}

/** Where a fault may apply: single requests (no endpoint), or whole calls to one endpoint. */
export interface FaultScope {
  endpoint?: Endpoint;
  accepts(outcome: FaultOutcome): boolean;
}

/** Persisted per rule (keyed by the rule's JSON, so they survive restarts with the same plan). */
export interface FaultCounters {
  /** Uses, for `times`. */
  faultHits: Record<string, number>;
  /** Matches of `rate` rules without a custom_id to hash: the call's number. */
  faultDraws: Record<string, number>;
}

function matches(rule: FaultRule, target: FaultTarget): boolean {
  if (rule.promptIncludes !== undefined && !target.userText.includes(rule.promptIncludes)) return false;
  if (rule.customIdPattern !== undefined && (target.customId === undefined || !new RegExp(rule.customIdPattern).test(target.customId))) return false;
  return true;
}

/** The rate decision: a uniform draw from the seed and the request's custom_id, else the rule's match count. */
function drawn(seed: string | undefined, rate: number, key: string, counters: FaultCounters, subject: string | undefined): boolean {
  if (subject === undefined) {
    const n = counters.faultDraws[key] ?? 0;
    counters.faultDraws[key] = n + 1;
    subject = `#${n}`;
  }
  return digest(`${seed ?? ''}:${subject}`) / 2 ** 32 < rate;
}

/**
 * The fault for one request or call, if any, spending one of the rule's
 * `times`. `targets` are what the call carries (a create: every request; a
 * call without a body: none); a rule with a matcher needs one target to match.
 */
export function takeFault(plan: FaultPlan, counters: FaultCounters, targets: FaultTarget | FaultTarget[], scope: FaultScope): AppliedFault | undefined {
  const list = Array.isArray(targets) ? targets : [targets];
  for (const rule of plan.rules) {
    if (rule.endpoint !== scope.endpoint || !scope.accepts(rule.outcome)) continue;
    const hasMatcher = rule.promptIncludes !== undefined || rule.customIdPattern !== undefined;
    const target = hasMatcher ? list.find((t) => matches(rule, t)) : (list[0] ?? { userText: '' });
    if (!target) continue;
    const key = JSON.stringify(rule);
    const used = counters.faultHits[key] ?? 0;
    if (rule.times !== undefined && used >= rule.times) continue;
    // Whole calls are drawn by number: a create's custom_ids belong to its requests, not to the call.
    if (rule.rate !== undefined && !drawn(rule.seed, rule.rate, key, counters, scope.endpoint ? undefined : target.customId)) continue;
    counters.faultHits[key] = used + 1;
    const { outcome, errorType, status, retryAfter, accepted, afterLines, text } = rule;
    return Object.fromEntries(Object.entries({ outcome, errorType, status, retryAfter, accepted, afterLines, text }).filter(([, v]) => v !== undefined)) as AppliedFault;
  }
  return undefined;
}

/** The HTTP error a fault answers with, in the API's shape; `retry-after` as the rule asks, else a fast retry. */
export function faultError(fault: AppliedFault): HttpError {
  const status = fault.status ?? (fault.errorType ? statusFor(fault.errorType) : 500);
  const headers = fault.retryAfter !== undefined ? { 'retry-after': String(fault.retryAfter) } : FAST_RETRY;
  return new HttpError(status, fault.errorType ?? errorTypeFor(status), `Emulated HTTP ${status} (fault plan).`, headers);
}
