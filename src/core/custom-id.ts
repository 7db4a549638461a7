import { digest } from './hash.js';

export const CUSTOM_ID_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;

/**
 * A custom_id names the request, never a path or a place in a batch:
 * `bm_<project>_<digest of task and request>` (44 characters). The state file
 * maps it back to its file; without the state file, planning again finds the
 * same request under the same id, so a batch of this project's that the state
 * lost (a failed push, a deleted file) is recognised by its first result and
 * its answers taken instead of paid for again (see pipeline/adopt.ts).
 * `suffix` keeps ids apart should one job ever hold the same request twice.
 */
export function customId(project: string, task: string, requestHash: string, suffix?: number): string {
  const id = `bm_${project}_${digest(`${task}\0${requestHash}`)}${suffix ? `_${suffix.toString(36)}` : ''}`;
  if (!CUSTOM_ID_PATTERN.test(id)) throw new Error(`internal: bad custom_id ${id}`);
  return id;
}

/** The project tag of a custom_id batchmatter made, or undefined for anyone else's. */
export function projectOf(id: string): string | undefined {
  return /^bm_([0-9a-f]{8})_[0-9a-f]{32}(?:_[0-9a-z]+)?$/.exec(id)?.[1];
}

/** The id without a duplicate's suffix: what planning the same request again gives. */
export const baseId = (id: string): string => id.replace(/^(bm_[0-9a-f]{8}_[0-9a-f]{32})_[0-9a-z]+$/, '$1');

/**
 * Eight hex digits naming the project in its custom_ids, from where its content
 * and state live relative to its config: the same on every clone and CI runner,
 * and apart from another project sharing the API key. Two projects laid out
 * alike share it; an answer is still only taken for an identical request.
 */
export function projectTag(contentRoot: string, state: string): string {
  return digest(`${contentRoot}\0${state}`).slice(0, 8);
}
