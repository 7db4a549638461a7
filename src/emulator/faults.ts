import { z } from 'zod';

export type FaultOutcome = 'errored' | 'expired' | 'canceled' | 'text' | 'max_tokens' | 'http_error';

/** One scripted misbehaviour; the first rule that matches (and has uses left) wins. Without a matcher it matches every request. */
export interface FaultRule {
  /** Applies to requests whose user text contains this marker. */
  promptIncludes?: string;
  /** Or whose custom_id matches this regular expression (batch requests only). */
  customIdPattern?: string;
  outcome: FaultOutcome;
  /** For `errored` (default `api_error`) and `http_error` (default: the status's type). */
  errorType?: string;
  /** For `http_error` (default 500). */
  status?: number;
  /** For `text`: answer with exactly this text. */
  text?: string;
  /** Only the first N matching requests, counted across batches and restarts; then normal behaviour. */
  times?: number;
}

export interface FaultPlan {
  rules: FaultRule[];
}

/** What was decided for one request; stored with it so a later process replays the same outcome. */
export type AppliedFault = Pick<FaultRule, 'outcome' | 'errorType' | 'status' | 'text'>;

const ruleSchema = z.strictObject({
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
  outcome: z.enum(['errored', 'expired', 'canceled', 'text', 'max_tokens', 'http_error']),
  errorType: z.string().optional(),
  status: z.number().int().min(400).max(599).optional(),
  text: z.string().optional(),
  times: z.number().int().nonnegative().optional(),
});
const planSchema = z.strictObject({ rules: z.array(ruleSchema) });

/** Checks a plan (from options or the environment) so a typo fails loudly instead of never firing. */
export function parseFaultPlan(value: unknown, source: string): FaultPlan {
  const parsed = planSchema.safeParse(value);
  if (parsed.success) return parsed.data as FaultPlan;
  const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(plan)'}: ${i.message}`).join('; ');
  throw new Error(`invalid emulator fault plan in ${source}: ${problems}`);
}

export function faultPlanFromEnv(env: NodeJS.ProcessEnv = process.env): FaultPlan {
  const raw = env.BATCHMATTER_EMULATOR_FAULTS;
  if (!raw?.trim()) return { rules: [] };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new Error('BATCHMATTER_EMULATOR_FAULTS is not valid JSON');
  }
  return parseFaultPlan(json, 'BATCHMATTER_EMULATOR_FAULTS');
}

export interface FaultTarget {
  userText: string;
  customId?: string;
}

/**
 * The fault for one request, if any, spending one of the rule's `times`.
 * `hits` is the persisted use count per rule (keyed by the rule itself, so it
 * survives restarts with the same plan); `accepts` limits which outcomes apply here.
 */
export function takeFault(plan: FaultPlan, hits: Record<string, number>, target: FaultTarget, accepts: (outcome: FaultOutcome) => boolean): AppliedFault | undefined {
  for (const rule of plan.rules) {
    if (!accepts(rule.outcome)) continue;
    if (rule.promptIncludes !== undefined && !target.userText.includes(rule.promptIncludes)) continue;
    if (rule.customIdPattern !== undefined && (target.customId === undefined || !new RegExp(rule.customIdPattern).test(target.customId))) continue;
    const key = JSON.stringify(rule);
    const used = hits[key] ?? 0;
    if (rule.times !== undefined && used >= rule.times) continue;
    hits[key] = used + 1;
    const { outcome, errorType, status, text } = rule;
    return { outcome, ...(errorType !== undefined && { errorType }), ...(status !== undefined && { status }), ...(text !== undefined && { text }) };
  }
  return undefined;
}
