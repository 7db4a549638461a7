import type { MessageBatch } from '@anthropic-ai/sdk/resources/messages/batches';
import { APIError } from '@anthropic-ai/sdk/error';
import { customId, projectOf } from '../core/custom-id.js';
import { EVERYTHING } from '../core/selection.js';
import type { StateData } from '../core/state.js';
import { adoptJob, passOver, setWaiting, submitItem } from '../core/transitions.js';
import { UserError } from '../errors.js';
import { describeError, fatalApiProblem } from '../io/api.js';
import type { Session } from './session.js';
import { planWork } from './work.js';
import { count } from '../core/words.js';

/**
 * The API as the last resort for a state that did not reach this run (a push
 * that failed, a file deleted, an older copy restored): the batches this
 * project sent that the state does not name are found among the API's, by the
 * project tag in their custom_ids, and taken back instead of paid for again.
 *
 * Only batches created since the state was last written can be such (with an
 * hour's margin for the clocks of the runner and the API): one created before
 * was written down before create() was called. That is one page of list() on
 * a usual night, and the last 29 days (as long as results are kept) when the
 * state is new or lost.
 */
const CLOCK_MARGIN_MS = 60 * 60_000;
const RESULTS_KEPT_MS = 29 * 24 * 3_600_000;

export interface Adoption {
  /** Batches taken back, with how many of their requests matched a request planned now. */
  adopted: Array<{ batchId: string; requests: number; unmatched: number }>;
  /** Batches not in the state and still running: maybe this project's, so nothing new is sent until they end. */
  running: MessageBatch[];
}

const total = (b: MessageBatch) => Object.values(b.request_counts).reduce((sum, n) => sum + n, 0);

/** An ended batch's first custom_id (which tells whose it is); undefined when its results are gone (past retention). */
async function firstId(session: Session, batch: MessageBatch): Promise<string | undefined> {
  const { client } = await session.api();
  const stop = new AbortController();
  try {
    const stream = await client.messages.batches.results(batch.id, {}, { signal: stop.signal });
    for await (const line of stream) return line.custom_id;
    return undefined;
  } catch (error) {
    if (error instanceof APIError && error.status === 404) return undefined;
    throw error;
  } finally {
    stop.abort(); // the rest of the body is not needed
  }
}

/** Every custom_id of a batch (one full read of its results). */
async function customIdsOf(session: Session, batch: MessageBatch): Promise<string[]> {
  const { client } = await session.api();
  const ids: string[] = [];
  for await (const line of await client.messages.batches.results(batch.id)) ids.push(line.custom_id);
  return ids;
}

/**
 * `read()`, or null when a batch's results could not be read (a passing fault, a download cut short): the
 * batch is then counted as running, for all that can be told it may be this project's, so new work waits
 * for the next run to look again instead of paying for what it may hold.
 */
async function unlessUnreadable<T>(session: Session, batch: MessageBatch, read: () => Promise<T>, result: Adoption): Promise<T | null> {
  try {
    return await read();
  } catch (error) {
    const fatal = fatalApiProblem(error);
    if (fatal) throw new UserError(fatal);
    session.log.warn(`batch ${batch.id}: its results could not be read (${describeError(error)}); looked at again next time`);
    result.running.push(batch);
    return null;
  }
}

function known(state: StateData): Set<string> {
  return new Set([...Object.values(state.jobs).flatMap((j) => [...(j.batchId ? [j.batchId] : []), ...(j.notMine ?? [])]), ...(state.seenBatches ?? [])]);
}

/**
 * Looks for this project's batches the state does not know, and records each
 * ended one as a job whose requests are the items planned now with the same
 * custom_id (the same request): the next poll collects it like any other.
 * Requests of it that match nothing planned now (their file or prompt changed
 * since, or a retry quoting an answer the lost state held) are counted, not
 * taken. Does nothing when the API cannot say (it is reached by the polls).
 */
export async function adoptLostBatches(session: Session): Promise<Adoption> {
  const result: Adoption = { adopted: [], running: [] };
  const { data } = session.store;
  const now = session.now().getTime();
  const since = data.savedAt ? Date.parse(data.savedAt) - CLOCK_MARGIN_MS : now - RESULTS_KEPT_MS;
  const seen = known(data);
  // A create() that went unanswered: its batch is found by the poll (collect.ts), which knows which job made it.
  const creating = new Set(Object.values(data.jobs).flatMap((j) => (j.status === 'creating' ? Object.keys(j.requests) : [])));
  const ours: MessageBatch[] = [];
  const passed: string[] = [];
  try {
    const { client } = await session.api();
    for await (const batch of client.messages.batches.list({ limit: 100 })) {
      if (Date.parse(batch.created_at) < since) break;
      if (seen.has(batch.id)) continue;
      if (batch.processing_status !== 'ended') {
        result.running.push(batch);
        continue;
      }
      const id = await unlessUnreadable(session, batch, () => firstId(session, batch), result);
      if (id === null || (id !== undefined && creating.has(id))) continue;
      if (id !== undefined && projectOf(id) === session.project.tag) ours.push(batch);
      else passed.push(batch.id);
    }
  } catch (error) {
    const fatal = fatalApiProblem(error);
    if (fatal) throw new UserError(fatal);
    if (!(error instanceof APIError)) throw error;
    session.log.warn(`could not look for batches the state may have lost (${describeError(error)}); looked again next time`);
    return result;
  }
  passOver(data, passed);
  if (ours.length) {
    // Everything this project would send now, whatever part of it the command was asked to cover.
    const selection = session.selection;
    session.selection = EVERYTHING;
    let planned;
    try {
      planned = (await planWork(session)).plan.requests;
    } finally {
      session.selection = selection;
    }
    const byId = new Map(planned.map((r) => [customId(session.project.tag, r.task, r.requestHash), r]));
    for (const batch of ours) {
      const ids = await unlessUnreadable(session, batch, () => customIdsOf(session, batch), result);
      if (ids === null) continue;
      const matched: [string, (typeof planned)[number]][] = [];
      for (const id of ids) {
        const request = byId.get(id);
        // Planned now means not answered in the state; one already waiting on another job keeps it.
        if (!request || data.items[request.key]?.status === 'submitted') continue;
        byId.delete(id);
        matched.push([id, request]);
      }
      const unmatched = ids.length - matched.length;
      if (!matched.length) {
        // Nothing in it is wanted now (answered, or its files changed): looked at, passed over.
        passOver(data, [batch.id]);
        continue;
      }
      const job = adoptJob(data, `job_${session.nonce()}`, batch);
      for (const [id, request] of matched) submitItem(data, request, job, id);
      result.adopted.push({ batchId: batch.id, requests: ids.length - unmatched, unmatched });
      session.log.warn(
        `batch ${batch.id} (${count(ids.length, 'request')}, created ${batch.created_at}) is this project's but was not in the state file: taken back, its answers are collected instead of bought again${unmatched ? `; ${unmatched} of its requests match nothing planned now (answered already, or their files or prompts changed since) and are not used` : ''}`,
      );
    }
  }
  if (passed.length || ours.length) await session.store.save();
  return result;
}

/**
 * Running batches that may be this project's, for which new work waits: not
 * in the state, created since it was written, no larger than what would be
 * sent now (a lost batch of ours holds some of the requests the state forgot;
 * one with more requests is someone else's), and created before this project
 * began to wait: while it waits it sends nothing, so a batch made since is
 * someone else's. Batches end within 24 hours, so the wait does too, however
 * busy another project sharing the key is. Records when the wait began, and
 * clears it once nothing holds the work back.
 */
export async function holdFor(session: Session, running: readonly MessageBatch[], planned: number): Promise<MessageBatch[]> {
  const { data } = session.store;
  const since = data.waitingSince ? Date.parse(data.waitingSince) : Infinity;
  const held = running.filter((b) => total(b) <= planned && Date.parse(b.created_at) < since);
  if (held.length && !data.waitingSince) setWaiting(data, session.now().toISOString());
  else if (!held.length && data.waitingSince && planned > 0) setWaiting(data, undefined); // work goes out: the wait is over
  else return held;
  await session.store.save();
  return held;
}

/** The message for new work held back while a batch that may be ours runs. */
export function heldBack(batches: readonly MessageBatch[]): string {
  const list = batches.map((b) => `${b.id} (${count(total(b), 'request')}, created ${b.created_at})`).join(', ');
  return `not sent: batch ${list} is not in the state file and still running; it may be this project's, from a run whose state was lost. The next run, once it has ended, takes its answers and sends what is still missing`;
}
