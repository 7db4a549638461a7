import type { Message, MessageBatchResult } from '@anthropic-ai/sdk/resources/messages';
import type { Task } from '../config/load.js';
import type { TextOutput } from '../config/schema.js';
import { toolName } from './request.js';

export type Verdict =
  | { ok: true; value: unknown; notes: string[] }
  | { ok: false; reason: string; retryable: boolean };

const fail = (reason: string, retryable = true): Verdict => ({ ok: false, reason, retryable });

/** Errors that will fail the same way if sent again unchanged. */
const PERMANENT_ERRORS = new Set(['invalid_request_error', 'authentication_error', 'permission_error', 'not_found_error']);

export function checkText(spec: TextOutput, raw: string): Verdict {
  const value = raw.trim();
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
  ].filter((p): p is string => typeof p === 'string');
  return problems.length ? fail(problems.join('; ')) : { ok: true, value, notes: [] };
}

export function judgeMessage(task: Task, message: Message): Verdict {
  if (message.stop_reason === 'max_tokens') return fail(`answer cut off at max_tokens (${task.maxTokens})`);
  if (message.stop_reason === 'refusal') return fail('the model refused');
  const output = task.config.output;
  if (output.type === 'json') {
    const name = toolName(task);
    const call = message.content.find((b) => b.type === 'tool_use' && b.name === name);
    if (!call || call.type !== 'tool_use') return fail(`expected a ${name} tool call, got ${message.content.map((b) => b.type).join(', ') || 'nothing'}`);
    const problems = task.schema?.check(call.input) ?? ['no schema compiled'];
    if (problems.length) return fail(`answer does not match the schema: ${problems.join('; ')}`);
    return { ok: true, value: call.input, notes: [] };
  }
  const text = message.content
    .filter((b) => b.type === 'text')
    .map((b) => (b.type === 'text' ? b.text : ''))
    .join('');
  return checkText(output, text);
}

/** Pure: what one batch (or synchronous) result means for its file. */
export function judgeResult(task: Task, result: MessageBatchResult): Verdict {
  switch (result.type) {
    case 'succeeded':
      return judgeMessage(task, result.message);
    case 'errored': {
      const kind = result.error?.error?.type ?? 'api_error';
      const message = result.error?.error?.message ?? 'no message';
      return fail(`API error ${kind}: ${message}`, !PERMANENT_ERRORS.has(kind));
    }
    case 'expired':
      return fail('request expired before the batch processed it');
    case 'canceled':
      return fail('request canceled');
  }
}
