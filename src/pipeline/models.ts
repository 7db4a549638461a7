import { NotFoundError } from '@anthropic-ai/sdk/error';
import { knownModelNames, resolveModel, suggestModel } from '../core/models.js';
import { ExitCode, UserError } from '../errors.js';
import { describeError, fatalApiProblem } from '../io/api.js';
import type { Session } from './session.js';

/** Models this process has confirmed, so a run's later rounds ask nothing again. */
const confirmed = new WeakMap<Session, Set<string>>();

/**
 * Every model the requests name, checked before anything is sent: a misspelled
 * one (`claude-haiku-4.5`) would otherwise fail request by request, after a
 * batch's round trip. Online the Models API decides (free; it resolves
 * aliases), offline batchmatter's own list and the models the config prices.
 * An unknown model is a UserError with exit code 6 naming the tasks, and the
 * nearest known name when there is one.
 */
export async function checkModels(session: Session, requests: ReadonlyArray<{ task: string; model: string }>): Promise<void> {
  const done = confirmed.get(session) ?? new Set<string>();
  confirmed.set(session, done);
  const tasks = new Map<string, Set<string>>();
  for (const r of requests) if (!done.has(r.model)) tasks.set(r.model, (tasks.get(r.model) ?? new Set()).add(r.task));
  const priced = Object.keys(session.project.config.prices);
  for (const [model, names] of tasks) {
    if (session.offline) {
      if (!resolveModel(model, priced)) throw unknownModel(session, model, names, 'batchmatter does not know it (offline, the embedded emulator takes the models batchmatter knows and those priced in "prices")', knownModelNames(priced));
      done.add(model);
      continue;
    }
    const { client } = await session.api();
    try {
      await client.models.retrieve(model);
      done.add(model);
    } catch (error) {
      if (error instanceof NotFoundError) throw unknownModel(session, model, names, 'the API does not know it (404 not_found_error)', [...knownModelNames(priced), ...(await listedModels(session))]);
      const fatal = fatalApiProblem(error);
      if (fatal) throw new UserError(fatal);
      // Unreachable, or a passing fault: the requests themselves will say (and be retried); nothing is known to be wrong.
      session.log.debug(`model ${model} could not be checked (${describeError(error)})`);
    }
  }
}

/** The models the API lists, for a suggestion; none when it does not answer. */
async function listedModels(session: Session): Promise<string[]> {
  try {
    const { client } = await session.api();
    const ids: string[] = [];
    for await (const model of client.models.list({ limit: 100 })) ids.push(model.id);
    return ids;
  } catch {
    return [];
  }
}

function unknownModel(session: Session, model: string, tasks: Set<string>, why: string, candidates: string[]): UserError {
  const keys = [...tasks].map((name) => (session.task(name)?.config.model === undefined ? 'model' : `tasks.${name}.model`));
  const suggestion = suggestModel(model, candidates);
  return new UserError(
    `${[...new Set(keys)].join(', ')}: "${model}" is not a model: ${why}${suggestion ? `; did you mean "${suggestion}"?` : ''} Nothing was sent.`,
    ExitCode.unknownModel,
  );
}
