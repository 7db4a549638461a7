import { createHash } from 'node:crypto';

/** Content digest: the stale guard (file text) and request de-duplication (request JSON). */
export function digest(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex').slice(0, 32);
}
