import type { Message, MessageBatchResult } from '@anthropic-ai/sdk/resources/messages';
import type { Task } from './task.js';
import type { TextOutput } from '../config/schema.js';
import { toolName } from './request.js';
import type { FailureKind } from './state.js';
import { judgeLanguage, NOT_CHECKED, type Identifier } from './identify.js';

export type Verdict =
  /** `notes` lists the repairs made to reach `value`. */
  | { ok: true; value: unknown; notes: string[] }
  /** `answer` is the model's answer that failed validation, quoted back to it when the request is retried. */
  | { ok: false; reason: string; retryable: boolean; answer?: string; kind?: FailureKind; cause?: 'max_tokens' | 'refusal' };

const fail = (reason: string, retryable = true, answer?: string): Verdict => ({ ok: false, reason, retryable, ...(answer ? { answer } : {}) });

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const QUOTE_PAIRS = ['""', "''", '“”', '‘’', '«»', '``', '„“'];

/**
 * Safe repairs of a text answer, each one reported: a leading label such as
 * "Meta description:" (or the field's own name), then one pair of quotes
 * wrapping the whole answer. Nothing else is changed; the result is
 * validated like any answer.
 */
export function repairText(raw: string, field: string): { text: string; notes: string[] } {
  const notes: string[] = [];
  let text = raw.trim();
  const words = ['(?:seo\\s+|meta\\s+)?description', 'summary', 'answer', escapeRegExp(field.split('.').at(-1)!)].join('|');
  // A colon, or a dash with spaces around it: "Description-driven development" and "Summary—statistics…" are answers, not labels.
  const label = new RegExp(`^(?:\\*\\*|__)?(?:${words})(?:\\*\\*|__)?(?:\\s*[:：]|\\s+[—–-]\\s)\\s*(?:\\*\\*|__)?\\s*`, 'iu').exec(text);
  if (label && label[0].length < text.length) {
    text = text.slice(label[0].length).trim();
    notes.push(`removed the label "${label[0].trim()}"`);
  }
  for (const [open, close] of QUOTE_PAIRS.map((p) => [...p] as [string, string])) {
    const inner = text.slice(open.length, -close.length);
    if (text.length > 2 && text.startsWith(open) && text.endsWith(close) && !inner.includes(close) && !inner.includes(open)) {
      text = inner.trim();
      notes.push('removed the quotes around the answer');
      break;
    }
  }
  return { text, notes };
}

/** A JSON object in a text answer: in a ```json fence, or the outermost braces within prose. */
export function extractJson(text: string): { value: unknown; note: string } | undefined {
  const fenced = /```(?:json)?\s*\n([\s\S]*?)\n?```/i.exec(text);
  const candidates: Array<[string, string]> = [];
  if (fenced) candidates.push([fenced[1]!, 'took the JSON object from a code fence in a text answer']);
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start !== -1 && end > start) candidates.push([text.slice(start, end + 1), 'took the JSON object from a text answer']);
  for (const [source, note] of candidates) {
    try {
      const value: unknown = JSON.parse(source);
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) return { value, note };
    } catch {
      // not this one
    }
  }
  return undefined;
}

/** Errors that will fail the same way if sent again unchanged. */
const PERMANENT_ERRORS = new Set(['invalid_request_error', 'authentication_error', 'permission_error', 'not_found_error']);

/** The API errors that need a person, each with its own exit code: a request refused as invalid, a model the API does not know. */
export function failureKind(errorType: string): FailureKind | undefined {
  // The model is the only name a Messages request asks the API to find.
  return errorType === 'invalid_request_error' ? 'invalid-request' : errorType === 'not_found_error' ? 'unknown-model' : undefined;
}

/** The language rule's expectation for one answer: the identifier and the language (the page's, or the rule's code). */
export interface LanguageCheck {
  identifier: Identifier;
  /** Undefined when the rule is `page` and the page's language is not known. */
  expected: string | undefined;
}

/** The language rule of a task for a page whose language is `pageLang` (as planned), if the task has the rule. */
function languageCheck(task: Task, pageLang: string | undefined): LanguageCheck | undefined {
  const rule = task.config.output.type === 'text' ? task.config.output.language : undefined;
  if (!rule || !task.language) return undefined;
  return { identifier: task.language.identifier, expected: rule === 'page' ? pageLang : rule };
}

export function checkText(spec: TextOutput, raw: string, field = 'description', repair = true, language?: LanguageCheck): Verdict {
  const { text: value, notes } = repair ? repairText(raw, field) : { text: raw.trim(), notes: [] };
  if (!value) return fail('empty answer');
  const length = [...value].length;
  const lower = value.toLowerCase();
  const prefix = spec.forbidPrefixes.find((p) => lower.startsWith(p.toLowerCase()));
  // Every broken rule, so the report says at once what a prompt change must fix.
  const problems = [
    spec.singleLine && /[\r\n]/.test(value) && 'expected a single line, got several',
    spec.maxLength !== undefined && length > spec.maxLength && `expected at most ${spec.maxLength} characters, got ${length}`,
    spec.minLength !== undefined && length < spec.minLength && `expected at least ${spec.minLength} characters, got ${length}`,
    prefix && `must not start with "${prefix}"`,
    ...spec.forbidPatterns.map((p) => {
      const re = typeof p === 'string' ? new RegExp(p, 'iu') : p;
      return value.search(re) !== -1 && `must not match ${re}`;
    }),
  ].filter((p): p is string => typeof p === 'string');
  if (language) {
    const verdict = language.expected ? judgeLanguage(language.identifier, value, language.expected) : { ok: true as const, note: `${NOT_CHECKED}the page's language is not known` };
    if (!verdict.ok) problems.push(verdict.reason);
    else if (verdict.note) notes.push(verdict.note);
  }
  return problems.length ? fail(problems.join('; '), true, raw.trim()) : { ok: true, value, notes };
}

/** `pageLang`: the page's language when the request was planned (for the `language: 'page'` rule). */
export function judgeMessage(task: Task, message: Message, pageLang?: string): Verdict {
  // What a retry does about these depends on the attempts before it: see retryAfter().
  if (message.stop_reason === 'max_tokens') return { ...fail('answer cut off at max_tokens'), cause: 'max_tokens' } as Verdict;
  if (message.stop_reason === 'refusal') return { ...fail('the model refused'), cause: 'refusal' } as Verdict;
  const output = task.config.output;
  if (output.type === 'json') {
    const name = toolName(task);
    const call = message.content.find((b) => b.type === 'tool_use' && b.name === name);
    let input: unknown;
    const notes: string[] = [];
    if (call?.type === 'tool_use') input = call.input;
    else {
      const found = extractJson(textOf(message));
      if (!found) return fail(`expected a ${name} tool call, got ${message.content.map((b) => b.type).join(', ') || 'nothing'}`, true, textOf(message).trim() || undefined);
      input = found.value;
      notes.push(found.note);
    }
    const problems = task.schema?.check(input) ?? ['no schema compiled'];
    if (problems.length) return fail(`answer does not match the schema: ${problems.join('; ')}`, true, JSON.stringify(input));
    return { ok: true, value: input, notes };
  }
  return checkText(output, textOf(message), task.config.field, true, languageCheck(task, pageLang));
}

/** No model batchmatter knows writes more in one answer. */
export const MAX_OUTPUT_TOKENS = 64_000;
/** A cut-off answer is asked again with twice the room, up to this many times the task's maxTokens. */
const MAX_TOKENS_GROWTH = 4;

/**
 * Pure: a verdict on a cut-off or refused answer, made into what a retry can change. Cut off: asked again with
 * twice the max_tokens it was sent with (`sent`), up to 4 × the task's, and reported once that was not enough.
 * Refused: asked once more (`refusals` before this one), then reported. `nextMaxTokens` is what the retry sends.
 */
export function retryAfter(task: Pick<Task, 'maxTokens'>, verdict: Verdict & { ok: false }, sent: number, refusals: number): { reason: string; retryable: boolean; nextMaxTokens?: number } {
  if (verdict.cause === 'max_tokens') {
    const most = Math.min(task.maxTokens * MAX_TOKENS_GROWTH, MAX_OUTPUT_TOKENS);
    const next = Math.min(sent * 2, most);
    if (next > sent) return { reason: `answer cut off at max_tokens (${sent}); asked again with ${next}`, retryable: true, nextMaxTokens: next };
    return { reason: `answer cut off at max_tokens (${sent}), the most this task allows (${MAX_TOKENS_GROWTH} × its maxTokens of ${task.maxTokens})`, retryable: false };
  }
  if (verdict.cause === 'refusal') {
    return refusals >= 1 ? { reason: 'the model refused twice; rephrase the prompt, or exclude the files', retryable: false } : { reason: 'the model refused; asked once more', retryable: true };
  }
  return { reason: verdict.reason, retryable: verdict.retryable };
}

/** Pure: why a value already in a file breaks the task's rules, if it does (no repairs: it is what readers see). */
export function checkExisting(task: Task, value: unknown, pageLang?: string): string | undefined {
  const output = task.config.output;
  if (output.type === 'json') {
    const problems = task.schema?.check(value) ?? [];
    return problems.length ? `does not match the schema: ${problems.join('; ')}` : undefined;
  }
  if (typeof value !== 'string') return `expected text, found ${value === null ? 'null' : typeof value}`;
  const verdict = checkText(output, value, task.config.field, false, languageCheck(task, pageLang));
  return verdict.ok ? undefined : verdict.reason;
}

function textOf(message: Message): string {
  return message.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
}

/** Pure: what one batch (or synchronous) result means for its file. */
export function judgeResult(task: Task, result: MessageBatchResult, pageLang?: string): Verdict {
  switch (result.type) {
    case 'succeeded':
      return judgeMessage(task, result.message, pageLang);
    case 'errored': {
      const kind = result.error?.error?.type ?? 'api_error';
      const message = result.error?.error?.message ?? 'no message';
      const failure = failureKind(kind);
      return { ...fail(`API error ${kind}: ${message}`, !PERMANENT_ERRORS.has(kind)), ...(failure ? { kind: failure } : {}) } as Verdict;
    }
    case 'expired':
      return fail('request expired before the batch processed it');
    case 'canceled':
      return fail('request canceled');
  }
}
