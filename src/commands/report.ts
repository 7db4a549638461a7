import { tally } from '../core/tally.js';
import { ExitCode, UserError } from '../errors.js';
import { scanProject, type Session } from '../pipeline/session.js';
import type { CommandResult } from './result.js';

/** `report <task>`: totals of a JSON task's answers in the files, and the high-urgency ones first. No API call. */
export async function reportCommand(session: Session, taskName: string): Promise<CommandResult> {
  const task = session.task(taskName);
  const jsonTasks = session.project.tasks.filter((t) => t.config.output.type === 'json').map((t) => t.name);
  if (!task || task.config.output.type !== 'json') {
    throw new UserError(`report: "${taskName}" is not a JSON task in the config${jsonTasks.length ? ` (JSON tasks: ${jsonTasks.join(', ')})` : ''}`);
  }
  const { files } = await scanProject(session);
  const result = tally(task, files);
  const lines = [`${task.name}: ${result.answered} of ${result.files} file(s) have ${task.config.field}`];
  for (const [name, counts] of Object.entries(result.counts)) {
    lines.push(`  ${name}: ${Object.entries(counts).map(([v, n]) => `${n} ${v}`).join(', ')}`);
  }
  if (result.urgent.length) lines.push('high urgency:', ...result.urgent.map((u) => `  ${session.shown(u.file)}${u.issue ? `  ${u.issue}` : ''}`));
  return { exitCode: ExitCode.ok, data: { ...result }, text: lines.join('\n') };
}
