import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { digest } from '../core/hash.js';
import { settleItem, type ProposalOutcome } from '../core/transitions.js';
import { UserError } from '../errors.js';
import { getField } from '../frontmatter/field-path.js';
import { parseFrontMatter } from '../frontmatter/read.js';
import type { Session } from '../pipeline/session.js';
import type { CommandResult } from './result.js';

export const PROPOSAL_OUTCOMES: readonly ProposalOutcome[] = ['merged', 'closed'];

/** The file's digest and the task's field as they are now; undefined when it cannot be read. */
async function current(session: Session, file: string, fieldPath: string[]): Promise<{ hash: string; value: unknown } | undefined> {
  try {
    const text = await readFile(path.join(session.project.contentRoot, file), 'utf8');
    return { hash: digest(text), value: getField(parseFrontMatter(text).data, fieldPath) };
  } catch {
    return undefined;
  }
}

/**
 * Records what became of the pull request of proposed answers (`apply
 * --propose`), as the nightly workflow learns it from GitHub: `merged`, run
 * on the default branch after the merge (answers its files hold are applied,
 * those the merge left out declined), or `closed` without merging (every one
 * declined: a person turned them down). An open pull request needs nothing.
 */
export async function proposalCommand(session: Session, outcome: string): Promise<CommandResult> {
  if (!PROPOSAL_OUTCOMES.includes(outcome as ProposalOutcome)) throw new UserError(`proposal: expected ${PROPOSAL_OUTCOMES.join(' or ')}, got "${outcome}"`);
  const settled = { applied: [] as string[], declined: [] as string[] };
  for (const item of Object.values(session.store.data.items)) {
    if (item.status !== 'proposed') continue;
    const task = session.task(item.task);
    const file = outcome === 'merged' && task ? await current(session, item.file, task.fieldPath) : undefined;
    const status = settleItem(item, outcome as ProposalOutcome, file);
    settled[status].push(`${session.shown(item.file)}  ${task?.config.field ?? item.task}`);
  }
  if (settled.applied.length || settled.declined.length) await session.store.save();
  const lines = [
    ...(settled.applied.length ? [`${settled.applied.length} proposed answer(s) merged: applied`] : []),
    ...(settled.declined.length
      ? [`${settled.declined.length} proposed answer(s) ${outcome === 'closed' ? 'turned down (the pull request was closed unmerged)' : 'left out of the merge'}: not written, and not asked again until their prompt or what it reads changes, or "batchmatter reject" asks:`, ...settled.declined.sort().map((l) => `  ${l}`)]
      : []),
  ];
  return { exitCode: 0, data: { outcome, ...settled }, text: lines.join('\n') || 'no proposed answers to settle' };
}
