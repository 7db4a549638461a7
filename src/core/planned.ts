import type { MessageCreateParamsNonStreaming } from '@anthropic-ai/sdk/resources/messages';

/** The body of one Messages API request, as a batch carries it in `params`. */
export type RequestParams = MessageCreateParamsNonStreaming;

/** One request the plan would send: which file and task it is for, and what it costs. */
export interface PlannedRequest {
  key: string;
  task: string;
  file: string;
  planHash: string;
  requestHash: string;
  /** The Messages API body; built on first use when the plan took the request from the memo. */
  readonly params: RequestParams;
  model: string;
  maxTokens: number;
  /** Local estimate of the input tokens (see estimateInputTokens). */
  inputTokens: number;
  /** Submissions before this one (0 for new work). */
  attempts: number;
  /** Asks again after a refused answer (by validation or a reviewer), quoting it and why. */
  reasks: boolean;
  /** The page's language, for a task that knows it (checked by the `language: 'page'` rule). */
  lang?: string;
  /** Digest of the images the request sends (a task with `image`): a changed image is a new request. */
  imageHash?: string;
  /** The images it sends, and their share of inputTokens (width × height / 750 each). */
  images?: { count: number; tokens: number };
}

/** A request sent before (it failed, expired or was refused), not new work. */
export const isRetry = (request: Pick<PlannedRequest, 'attempts' | 'reasks'>): boolean => request.attempts > 0 || request.reasks;
