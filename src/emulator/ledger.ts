import { createHash } from 'node:crypto';

/** One billed request: a batch request that succeeded, or a synchronous Messages call that was answered. */
export interface LedgerEntry {
  custom_id: string | null;
  kind: 'batch' | 'sync';
  batch_id: string | null;
  /** sha256 (hex) of the request params as JSON with object keys sorted: the same request, the same digest. */
  prompt_digest: string;
  /** When it was answered (for a batch: when the batch ended). */
  at: string;
}

/** JSON with object keys in sorted order at every depth, so key order never changes a digest. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    return `{${entries
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function promptDigest(params: unknown): string {
  return createHash('sha256').update(canonical(params)).digest('hex');
}

export function ledgerEntry(kind: LedgerEntry['kind'], params: unknown, at: number, ids: { customId?: string; batchId?: string } = {}): LedgerEntry {
  return { custom_id: ids.customId ?? null, kind, batch_id: ids.batchId ?? null, prompt_digest: promptDigest(params), at: new Date(at).toISOString() };
}

/** The debug routes answer only clients on this machine, whatever interface the emulator was bound to. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || /^(::ffff:)?127\./.test(address);
}
