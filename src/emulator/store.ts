import { mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import type { MessageBatchResult } from '@anthropic-ai/sdk/resources/messages/batches';
import type { AppliedFault, FaultCounters } from './faults.js';
import type { ImageFacts } from './images.js';
import type { LedgerEntry } from './ledger.js';
import type { PromptCache } from './prompt-cache.js';
import { UserError } from '../errors.js';

export interface StoredRequest {
  custom_id: string;
  params: unknown;
  /** Decided at create time, so the outcome does not depend on which process first sees the batch end. */
  fault?: AppliedFault;
  /** Its images' sizes and colours, read at create time (sharp is asynchronous; a batch's answers are not). */
  images?: ImageFacts[];
}

export interface ResultLine {
  custom_id: string;
  result: MessageBatchResult;
}

export interface StoredBatch {
  id: string;
  /** Epoch ms. The batch ends at createdAt + durationMs (kept per batch: a restart with other options does not move it). */
  createdAt: number;
  durationMs: number;
  cancelInitiatedAt: number | null;
  endedAt: number | null;
  anthropicVersion: string | null;
  requests: StoredRequest[];
  /** Computed once, when the batch is first seen ended; in results order (not request order). */
  results: ResultLine[] | null;
}

export interface CreateLogEntry {
  at: string;
  batchId: string;
  requests: number;
}

export interface EmulatorData extends FaultCounters {
  version: 1;
  /** Oldest first; listing reverses. */
  batches: StoredBatch[];
  /** Every accepted create call: tests count them to prove a create was not repeated. */
  creates: CreateLogEntry[];
  /** Every billed request, in the order answered: tests check that nothing was paid for twice. */
  ledger: LedgerEntry[];
  /** Live prompt-cache entries (see prompt-cache.ts); absent in files from before it existed. */
  promptCache?: PromptCache;
}

const empty = (): EmulatorData => ({ version: 1, batches: [], creates: [], ledger: [], faultHits: {}, faultDraws: {} });

/**
 * The emulator's data, in memory or in one JSON file (a file from before the
 * ledger existed loads with an empty one). Writes are synchronous
 * and atomic (temp file + rename) so a kill -9 leaves the old or the new file,
 * and every handler's read-modify-write runs without interleaving. Another
 * process may share the file (a CLI command and a standalone emulator): the
 * file is re-read whenever it changed on disk since we last saw it.
 */
export class Store {
  private data: EmulatorData;
  private seen = '';

  constructor(private readonly file?: string) {
    this.data = empty();
    this.load();
  }

  private stamp(): string {
    try {
      const s = statSync(this.file!);
      return `${s.ino}:${s.size}:${s.mtimeMs}`;
    } catch {
      return 'missing';
    }
  }

  private load(): void {
    if (!this.file) return;
    const stamp = this.stamp();
    if (stamp === this.seen) return;
    this.seen = stamp;
    if (stamp === 'missing') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(this.file, 'utf8'));
    } catch (error) {
      // Never start over silently: the file holds paid-for batches.
      throw new UserError(`emulator data file ${this.file} is unreadable: ${(error as Error).message}; move it away to start the emulator afresh`);
    }
    this.data = { ...empty(), ...(parsed as Partial<EmulatorData>), version: 1 };
  }

  /** The current data; mutate it, then call save(). */
  read(): EmulatorData {
    this.load();
    return this.data;
  }

  save(): void {
    if (!this.file) return;
    // The CLI points us beside a state file whose folder may not exist yet on a first run.
    mkdirSync(path.dirname(this.file), { recursive: true });
    writeFileAtomic.sync(this.file, `${JSON.stringify(this.data)}\n`);
    this.seen = this.stamp();
  }
}
