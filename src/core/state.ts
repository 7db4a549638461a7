/** The shape of the state DB. Pure types and helpers: no I/O here. */

export const STATE_VERSION = 1;

export type ItemStatus =
  /** Written to the manifest before create(); its batch may or may not exist yet. */
  | 'submitted'
  /** Answer passed validation; waiting for apply. */
  | 'succeeded'
  /** Last attempt errored, expired, was canceled or was invalid. Retried while `retryable` and attempts allow. */
  | 'failed'
  /** Written to its file. */
  | 'applied'
  /**
   * Written to its file on the pull request's branch (`apply --propose`), not
   * merged yet: neither bought again nor taken for a person's edit; written
   * again when the branch is rebuilt. `proposal merged` makes it applied.
   */
  | 'proposed'
  /**
   * A person closed the pull request that proposed it without merging: not
   * written, and not asked again while the request stays the same (a new
   * prompt, model or file content is a new request), or until `reject` asks.
   */
  | 'declined'
  /** The file changed after planning; the answer was not written. Re-planned next run. */
  | 'stale';

/** The token counts of an answer (zero cache counts left out). */
export interface Usage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  /** Cache writes by TTL, when the API says. */
  cache_creation?: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number } | null;
}

/** Failures a person must see to, each with its exit code (see errors.ts): the API refused the request as invalid, or does not know its model. */
export type FailureKind = 'invalid-request' | 'unknown-model';

export interface ItemState {
  task: string;
  file: string;
  /** Digest of the whole file when its request was planned: the stale guard. */
  planHash: string;
  /** Digest of the request params: identical requests are not paid for twice. */
  requestHash: string;
  /** Digest of the images the request sent (tasks with `image`): a changed image is asked again. */
  imageHash?: string;
  status: ItemStatus;
  /** Submissions so far. */
  attempts: number;
  job?: string;
  customId?: string;
  value?: unknown;
  notes?: string[];
  error?: string;
  /** Set when the failure needs a person (see FailureKind). */
  errorKind?: FailureKind;
  retryable?: boolean;
  /**
   * The last answer refused (by validation or a reviewer, shortened), quoted back to the model when the request is
   * asked again, with `rejectedReason`. Both outlive attempts that got no answer (a refused create, an errored or
   * expired request): the next attempt asks what the refused one asked, not the first prompt again.
   */
  rejected?: string;
  rejectedReason?: string;
  /** The max_tokens the next attempt sends, after an answer cut off at max_tokens (see core/validate.ts retryAfter). */
  maxTokens?: number;
  /** Refusals by the model so far: one is asked again, a second is reported. */
  refusals?: number;
  usage?: Usage;
  /** Digest of the file right after apply wrote it. */
  appliedHash?: string;
  /** The item whose answer this one took, its request being identical (nothing was sent). */
  reusedFrom?: string;
  /** The page's language when the request was planned, for a task that knows it (see core/language.ts). */
  lang?: string;
}

export type JobStatus =
  /** Manifest recorded, create() not confirmed: the batch may exist without our knowing its id. */
  | 'creating'
  | 'in_progress'
  | 'ended'
  /** Every result is stored. */
  | 'collected'
  /** create() was refused; nothing was paid. */
  | 'rejected';

export interface RequestCounts {
  processing: number;
  succeeded: number;
  errored: number;
  canceled: number;
  expired: number;
}

export interface JobState {
  id: string;
  kind: 'batch' | 'sync';
  status: JobStatus;
  batchId?: string;
  /** When the intent was recorded (before create()). */
  createdAt: string;
  endedAt?: string;
  /** custom_id → item key. The only way results map back to files. */
  requests: Record<string, string>;
  counts?: RequestCounts;
  /** custom_ids whose results are stored. */
  collected: number;
  /** Set by `cancel`: its canceled requests are not retried automatically. */
  canceledByUser?: boolean;
  /** The HTTP status create() answered with when it may still have made a batch (a 5xx); absent when no answer came. */
  createStatus?: number;
  /** The batch id was found by list() after create() went unanswered: confirmed by its custom_ids when results are read. */
  recovered?: boolean;
  /** A batch of this project's that the state had lost, found among the API's and taken back (see pipeline/adopt.ts). */
  adopted?: boolean;
  /** Passes in a row whose results download answered 404 (see collect.ts: gone after a few, or after 29 days). */
  resultsMissing?: number;
  /** Batches that list() matched by size and time but whose results proved not ours. */
  notMine?: string[];
  error?: string;
  /** What this submission's answered requests cost, per task (from each answer's `usage`). */
  spent?: Record<string, Spend>;
  /** The same, per page language, for the requests of tasks that know it (see core/language.ts). */
  spentByLanguage?: Record<string, Spend>;
}

/** Billed tokens and their price. `usd` is what was paid; `syncUsd` what the synchronous API would have charged. */
export interface Spend {
  requests: number;
  inputTokens: number;
  outputTokens: number;
  cacheWriteTokens: number;
  cacheReadTokens: number;
  /** Absent when the model has no known price. */
  usd?: number;
  syncUsd?: number;
}

export interface StateData {
  version: number;
  items: Record<string, ItemState>;
  jobs: Record<string, JobState>;
  /**
   * When the state was last written. A batch the API holds that was created
   * since, and that no job names, may be this project's, sent by a run whose
   * state never arrived (see pipeline/adopt.ts); an older one is not.
   */
  savedAt?: string;
  /** Batches created since, looked at and passed over (another project's, or nothing in them wanted): not looked at again. */
  seenBatches?: string[];
  /** Since when new work waits for running batches that may be this project's (see pipeline/adopt.ts holdFor). */
  waitingSince?: string;
}

export function emptyState(): StateData {
  return { version: STATE_VERSION, items: {}, jobs: {} };
}

export function itemKey(task: string, file: string): string {
  return `${task}:${file}`;
}

/** Structural check of a loaded state file: the problems, or [] when usable. */
export function checkState(data: unknown): string[] {
  if (typeof data !== 'object' || data === null) return ['not a JSON object'];
  const d = data as Partial<StateData>;
  const problems: string[] = [];
  if (d.version !== STATE_VERSION) problems.push(`version is ${String(d.version)}, this batchmatter reads version ${STATE_VERSION}`);
  if (typeof d.items !== 'object' || d.items === null) problems.push('items: expected an object');
  if (typeof d.jobs !== 'object' || d.jobs === null) problems.push('jobs: expected an object');
  return problems;
}

/** Jobs whose batches still need polling or collecting. */
export function openJobs(state: StateData): JobState[] {
  return Object.values(state.jobs).filter((j) => j.status === 'creating' || j.status === 'in_progress' || j.status === 'ended');
}
