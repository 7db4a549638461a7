import { ExitCode } from '../errors.js';
import { computeEdits, writeEdits } from '../pipeline/edits.js';
import type { Session } from '../pipeline/session.js';
import type { CommandResult } from './result.js';

/** `propose`: the files are bound for a pull request (see writeEdits); the answers count as applied once it is merged. */
export async function applyCommand(session: Session, propose = false): Promise<CommandResult> {
  const edits = await computeEdits(session);
  const result = await writeEdits(session, edits, propose);
  const lines = [`${propose ? 'proposed answers in' : 'applied'} ${result.written.length} file(s)`];
  const idle = (session.selection.paths ?? []).filter((p) => !edits.some((e) => p.matches(e.file))).map((p) => `"${p.arg}"`);
  if (idle.length) lines.push(`no answer waits to be applied in ${idle.join(', ')}`);
  if (result.stale.length) lines.push('stale (re-planned on the next run):', ...result.stale.map((s) => `  ${s}`));
  if (result.failed.length) lines.push('not written:', ...result.failed.map((s) => `  ${s}`));
  return { exitCode: result.failed.length ? ExitCode.failures : ExitCode.ok, data: result, text: lines.join('\n') };
}
