import { ExitCode } from '../errors.js';
import { computeEdits, writeEdits } from '../pipeline/edits.js';
import type { Session } from '../pipeline/session.js';
import type { CommandResult } from './result.js';

export async function applyCommand(session: Session): Promise<CommandResult> {
  const result = await writeEdits(session, await computeEdits(session));
  const lines = [`applied ${result.written.length} file(s)`];
  if (result.stale.length) lines.push('stale (re-planned on the next run):', ...result.stale.map((s) => `  ${s}`));
  if (result.failed.length) lines.push('not written:', ...result.failed.map((s) => `  ${s}`));
  return { exitCode: result.failed.length ? ExitCode.failures : ExitCode.ok, data: result, text: lines.join('\n') };
}
