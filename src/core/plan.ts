import type { FileProblem } from './problem.js';
import { isDeepStrictEqual } from 'node:util';
import type { Task } from './task.js';
import { blockedStep, findCaseVariant, getField, isMissing } from '../frontmatter/field-path.js';
import type { ScannedFile } from './scanned.js';
import { estimateInputTokens } from './cost.js';
import { digest } from './hash.js';
import { imageDigestReplacer, imageTokens, type ImageInput, type ImageSkipReason } from './images.js';
import { covers, hasNoProse } from './needs.js';
import { buildParams, templateVars } from './request.js';
import type { PlannedRequest, RequestParams } from './planned.js';
import { itemKey, type ItemState, type StateData } from './state.js';
import { TemplateError } from './template.js';
import { checkExisting } from './validate.js';
import { pageLanguage } from './language.js';
import { sourceCandidates, type I18nSettings, type PageLanguage } from './locale.js';

export { isRetry, type PlannedRequest } from './planned.js';

/**
 * What planning a request for a file learnt, kept with the file's scan-cache
 * entry: while the file, the task and the request's other inputs are the same
 * (`fp`), the next plan knows the request's digest and size without rendering it.
 */
export interface RequestMemo {
  fp: string;
  requestHash: string;
  inputTokens: number;
  /** The page's language, for a task that knows it: identifying it again is the slow part of planning a page. */
  lang?: string;
}

export type SkipReason =
  | 'has-value'
  | 'case-variant'
  | 'waiting'
  | 'in-flight'
  | 'awaiting-apply'
  | 'up-to-date'
  /** A `when: always` field a person changed after apply, where nothing the request reads has changed: theirs now. */
  | 'edited-by-hand'
  | 'failed-permanently'
  | 'unreadable'
  | 'template-error'
  /** The prompt shows the body, and this body has no prose (HTML, components, nothing): an answer would be made up. */
  | 'no-prose'
  /** A step of the field's path holds a list or a value (`seo: text` for seo.description): it cannot be written. */
  | 'field-blocked'
  /** The field holds the embedded emulator's placeholder answer, written by `apply --offline`: a person must restore the file. */
  | 'offline-answer'
  /** Its answer waits in the open pull request (`apply --propose`). */
  | 'proposed'
  /** A person turned its answer down (a pull request closed unmerged), and the request has not changed since. */
  | 'declined'
  /** Another task, earlier in the config, fills the same field (or one inside it, or around it) of this file. */
  | 'field-taken'
  /** The same request (same task, model and prompt) as another file's in this plan: sent once, its answer shared next round. */
  | 'same-request'
  /** A task that reads images, and this file's cannot be sent (none named, a URL, missing, a format the API does not take). */
  | ImageSkipReason;

export interface Skip {
  task: string;
  file: string;
  reason: SkipReason;
  detail?: string;
}

/** A request identical to one already answered: its answer is taken instead of sending it (and paying) again. */
export interface ReusedAnswer {
  key: string;
  task: string;
  file: string;
  planHash: string;
  requestHash: string;
  value: unknown;
  /** The item whose answer it is. */
  from: string;
  imageHash?: string;
  /** The page's language, for a task that knows it. */
  lang?: string;
}

export interface Plan {
  requests: PlannedRequest[];
  reused: ReusedAnswer[];
  skips: Skip[];
  /** Requests rendered this time, to remember with their files (file → task → memo). */
  learned: Array<{ file: string; task: string; memo: RequestMemo }>;
}

/**
 * Skips that are problems to fix (a template naming a variable the file lacks, two tasks on one field, a field
 * under a value), as FileProblems: like broken front matter, they make the command end with exit code 1.
 */
export const problemSkips = (result: Plan): FileProblem<ProblemSkip>[] =>
  result.skips.flatMap((s) => (isProblem(s.reason) ? [{ file: s.file, task: s.task, reason: s.detail ?? s.reason, kind: s.reason }] : []));
type ProblemSkip = 'template-error' | 'field-taken' | 'field-blocked' | 'offline-answer';
const PROBLEMS: ReadonlySet<SkipReason> = new Set<ProblemSkip>(['template-error', 'field-taken', 'field-blocked', 'offline-answer']);
const isProblem = (reason: SkipReason): reason is ProblemSkip => PROBLEMS.has(reason);

/** Why a value the emulator wrote is not left in a file, and what to do (plan and check say the same). */
export const OFFLINE_ANSWER = 'holds the offline emulator\'s placeholder answer (written by "apply --offline"), not a real one; restore the file (git checkout) or delete the field';

const NO_IMAGE = (from: readonly string[]): ImageInput => ({ skip: 'no-image', detail: `no image path in ${from.join(', ')}` });

/** Whether two field paths write the same value or one inside the other (`description`, `description.seo`). */
const overlaps = (a: readonly string[], b: readonly string[]) => a.slice(0, Math.min(a.length, b.length)).every((key, i) => key === b[i]);

export interface PlanOptions {
  maxRetries: number;
  /** Only re-plan work the state already knows about (retries), no new files; answers already paid for are still reused. */
  retriesOnly?: boolean;
  /** The part of the work asked for (`--task`, paths): the rest is not planned at all, as if out of the tasks' globs. */
  select?: (task: string, rel: string) => boolean;
  /** By item key, the values `apply --offline` wrote (see session.offlineAnswers): found in a file, they are a problem, not an answer. */
  offlineValues?: ReadonlyMap<string, unknown>;
  /** By item key, the images of tasks with `image` (read by pipeline/images.ts); a key without one has no image named. */
  images?: ReadonlyMap<string, ImageInput>;
}

/**
 * Pure: decides, per task and file, whether a request is needed. The state is
 * read, never changed; the caller records what it submits.
 */
export function plan(tasks: Task[], files: ScannedFile[], state: StateData, options: PlanOptions): Plan {
  const requests: PlannedRequest[] = [];
  const reused: ReusedAnswer[] = [];
  const skips: Skip[] = [];
  const learned: Plan['learned'] = [];
  const byName = new Map(tasks.map((t) => [t.name, t]));
  const byRel = new Map(files.map((f) => [f.rel, f]));
  // By task and request digest, valid answers and requests in flight: the same request is never paid for twice.
  const answers = new Map<string, string>();
  /** Requests in flight, then also the first planned request of each digest: identical ones wait for its answer. */
  const sending = new Map<string, { file: string }>();
  for (const [key, item] of Object.entries(state.items)) {
    const same = `${item.task}\0${item.requestHash}`;
    // A stale answer was validated and paid for too: only its file moved on, maybe where the prompt does not look.
    if ((item.status === 'succeeded' || item.status === 'applied' || item.status === 'stale' || item.status === 'proposed') && item.value !== undefined) answers.set(same, key);
    else if (item.status === 'submitted') sending.set(same, item);
  }

  for (const [index, task] of tasks.entries()) {
    const covered = covers(task);
    // Earlier tasks writing where this one writes: in a file both cover, both answers would be paid for and one lost.
    const rivals = tasks.slice(0, index).filter((t) => overlaps(t.fieldPath, task.fieldPath)).map((t) => ({ name: t.name, field: t.config.field, covered: covers(t) }));
    for (const file of files) {
      if (!covered(file.rel) || (options.select && !options.select(task.name, file.rel))) continue;
      const key = itemKey(task.name, file.rel);
      const item = state.items[key];
      const skip = (reason: SkipReason, detail?: string) =>
        skips.push({ task: task.name, file: file.rel, reason, ...(detail ? { detail } : {}) });
      const rival = rivals.find((r) => r.covered(file.rel));
      if (rival) {
        skip('field-taken', `task ${rival.name} fills ${rival.field} in this file too; give the tasks different fields, or include globs that do not overlap`);
        continue;
      }

      if (!file.data) {
        skip('unreadable', file.error);
        continue;
      }
      const offline = options.offlineValues?.get(key);
      if (offline !== undefined && isDeepStrictEqual(getField(file.data, task.fieldPath), offline)) {
        skip('offline-answer', OFFLINE_ANSWER);
        continue;
      }
      // Read when needed only: identifying a page's language is work (and needs the identifier loaded).
      let known: { language?: PageLanguage | undefined } | undefined;
      const languageOf = () => (known ??= { language: task.language && pageLanguage(file, task.language.i18n, task.language.identifier, file.excerpts.get(task.config.excerpt.maxChars)) }).language;
      if (task.config.when !== 'always') {
        const value = getField(file.data, task.fieldPath);
        if (!isMissing(value) && (task.config.when === 'missing' || checkExisting(task, value, languageOf()?.code) === undefined)) {
          skip('has-value');
          continue;
        }
      }
      if (task.language?.readsSource && sourceCandidates(file.rel, task.language.i18n).length && handWritten(getField(file.data, task.fieldPath), item)) {
        skip('has-value', 'a translation written by hand: never replaced');
        continue;
      }
      // `seo: just a string` for seo.description: the answer could never be written, so it is not bought.
      const blocked = blockedStep(file.data, task.fieldPath);
      if (blocked) {
        skip('field-blocked', `cannot add ${task.config.field}: ${blocked}; make it a map, or give the task another field`);
        continue;
      }
      const variant = task.config.caseVariants === 'report' ? findCaseVariant(file.data, task.fieldPath) : undefined;
      if (variant !== undefined) {
        skip('case-variant', `has "${variant}", which differs from "${task.config.field}" only in case; rename it, or set caseVariants: 'ignore' on the task to add "${task.config.field}" anyway`);
        continue;
      }
      const image = task.config.image ? (options.images?.get(key) ?? NO_IMAGE(task.config.image.from)) : undefined;
      if (image && 'skip' in image) {
        skip(image.skip, image.detail);
        continue;
      }
      // The images are part of what the request reads: one changed is the same as the file changed.
      const imageHash = image?.hash;
      if (item?.appliedHash === file.hash && item.imageHash === imageHash) {
        skip('up-to-date');
        continue;
      }
      const sameFile = item?.planHash === file.hash && item.imageHash === imageHash;
      if (item && sameFile) {
        if (item.status === 'submitted') {
          skip('in-flight');
          continue;
        }
        if (item.status === 'succeeded') {
          skip('awaiting-apply');
          continue;
        }
        if (item.status === 'proposed') {
          skip('proposed');
          continue;
        }
        // A request the API refused (invalid, unknown model) waits for a change to the request itself, checked below.
        if (item.status === 'failed' && (!item.retryable || item.attempts > options.maxRetries) && !item.errorKind) {
          skip('failed-permanently', item.error);
          continue;
        }
      }
      // A retries-only plan (a sync pass) still hands out answers already paid for: they cost nothing.
      // A failed item whose file changed since is still known work: retried too while it may be (a reviewer's
      // rejection of an answer to an edited file must not wait forever on a sync that never sends it).
      const outOfScope = options.retriesOnly && !(item?.status === 'failed' && (sameFile || (item.retryable === true && item.attempts <= options.maxRetries)));

      // A chained task waits until every task it depends on has an answer for this file.
      const deps: Record<string, unknown> = {};
      const waitingOn = task.config.dependsOn.filter((name) => {
        const dep = byName.get(name);
        const inFile = dep ? getField(file.data!, dep.fieldPath) : undefined;
        const answered = state.items[itemKey(name, file.rel)];
        // A value its own task is about to replace (when: 'invalid', and it breaks the rules) is no answer to build on.
        const replacing = dep?.config.when === 'invalid' && !isMissing(inFile) && checkExisting(dep, inFile) !== undefined;
        const value = !isMissing(inFile) && !replacing ? inFile : answered && (answered.status === 'succeeded' || answered.status === 'applied') ? answered.value : undefined;
        if (value === undefined) return true;
        deps[name] = value;
        return false;
      });
      const source = task.language?.readsSource ? sourcePage(task, file.rel, task.language.i18n, byRel, state) : undefined;
      if (source?.waiting) waitingOn.push(`the source page's ${task.config.field} (${source.waiting})`);
      if (waitingOn.length) {
        if (!outOfScope) skip('waiting', `waits for ${waitingOn.join(', ')}`);
        continue;
      }
      // The refused answer is quoted even when the file changed since: asked without it, the request can be the very one
      // answered before (its answer handed back, or bought again), and the model should know what was refused.
      // (A state from before rejectedReason: the error was then always the refusal's.)
      const reason = item?.rejectedReason ?? item?.error;
      const retry = item?.status === 'failed' && item.rejected && reason ? { answer: item.rejected, reason } : undefined;
      // After an answer cut off at max_tokens, the retry has more room (see retryAfter).
      const maxTokens = item?.status === 'failed' && item.maxTokens ? item.maxTokens : task.maxTokens;
      const data = file.data;
      const build = () => {
        // Read only here: a request taken from the memo needs its excerpt only when it is sent.
        const text = file.excerpts.get(task.config.excerpt.maxChars);
        // The scan computes the excerpts of every file a task may ask for (see core/needs.ts).
        if (text === undefined) throw new Error(`internal: no ${task.config.excerpt.maxChars}-character excerpt of ${file.rel}`);
        return buildParams(task, templateVars(task, { data, excerpt: text, path: file.rel, tasks: deps, language: languageOf(), ...(source ? { source: source.values } : {}) }), retry, maxTokens, image?.images);
      };
      // Everything a request is made of: the file, the task, the answers it depends on, a refused answer to quote.
      const fp = digest(`${file.hash}\0${task.fingerprint}\0${JSON.stringify(deps)}\0${retry ? `${retry.answer}\0${retry.reason}` : ''}${maxTokens === task.maxTokens ? '' : `\0${maxTokens}`}${imageHash ? `\0${imageHash}` : ''}${source ? `\0${JSON.stringify(source.values)}` : ''}`);
      const memo = file.memo?.find(([name]) => name === task.name);
      let params: RequestParams | undefined;
      let requestHash: string;
      let inputTokens: number;
      let lang: string | undefined;
      if (outOfScope && !answers.size) continue; // nothing to hand out: not even worth a digest
      if (memo?.[1] === fp) {
        // Rendered before from the same inputs, and rendering is deterministic: no template error either.
        [, , requestHash, inputTokens, lang] = memo;
        if (task.language && lang === undefined) lang = languageOf()?.code;
      } else {
        // Not remembered, so rendered now: first, is there anything to describe? (A remembered request had prose.)
        if (hasNoProse(task, file)) {
          if (!outOfScope) skip('no-prose', 'the body has no prose for the prompt (only HTML, components, code or nothing); add some, or exclude the file');
          continue;
        }
        try {
          params = build();
        } catch (error) {
          if (!(error instanceof TemplateError)) throw error;
          if (!outOfScope) skip('template-error', error.message);
          continue;
        }
        // buildParams builds every request with its keys in one order, so plain JSON is stable enough to compare.
        requestHash = digest(JSON.stringify(params, imageHash ? imageDigestReplacer : undefined));
        inputTokens = estimateInputTokens(params);
        lang = languageOf()?.code;
        learned.push({ file: file.rel, task: task.name, memo: { fp, requestHash, inputTokens, ...(lang ? { lang } : {}) } });
      }
      if (item?.status === 'declined' && item.requestHash === requestHash) {
        skip('declined', 'its answer was turned down (a pull request closed unmerged); asked again when the prompt or what it reads changes, or with "batchmatter reject"');
        continue;
      }
      if (item?.status === 'failed' && item.errorKind && !item.retryable && item.requestHash === requestHash) {
        // Never sent again unchanged: the API would refuse it again. A new template, model or file content is a new request.
        skip('failed-permanently', item.error);
        continue;
      }
      const same = `${task.name}\0${requestHash}`;
      const answered = answers.get(same);
      // Its own answer, written once and gone from the file now: someone removed it, so ask again.
      const current = getField(file.data, task.fieldPath);
      const removed = answered === key && item?.status === 'applied' && isMissing(current);
      if (answered === key && item?.status === 'applied' && !removed) {
        // The very request this file was answered with, so nothing it reads has changed; the change is elsewhere,
        // or in the field itself (a person's correction, which handing the old answer back would undo).
        if (isDeepStrictEqual(current, item.value)) skip('up-to-date');
        else skip('edited-by-hand', 'changed by hand since batchmatter wrote it, and nothing the prompt reads has changed; left as it is');
        continue;
      }
      if (answered !== undefined && !removed) {
        const from = state.items[answered]!;
        reused.push({ key, task: task.name, file: file.rel, planHash: file.hash, requestHash, value: from.value, from: answered, ...(imageHash ? { imageHash } : {}), ...(lang ? { lang } : {}) });
        continue;
      }
      if (outOfScope) continue;
      const first = sending.get(same);
      if (first?.file === file.rel) {
        skip('in-flight'); // edited since, but outside what the request contains
        continue;
      }
      if (first) {
        skip('same-request', `same request as ${first.file}'s: sent once, its answer used for both`);
        continue;
      }
      const request: PlannedRequest = {
        key,
        task: task.name,
        file: file.rel,
        planHash: file.hash,
        requestHash,
        get params() {
          return (params ??= build());
        },
        model: task.model,
        maxTokens,
        inputTokens,
        attempts: item && sameFile ? item.attempts : 0,
        reasks: retry !== undefined,
        ...(imageHash ? { imageHash, images: { count: image!.images.length, tokens: image!.images.reduce((n, i) => n + imageTokens(i.width, i.height), 0) } } : {}),
        ...(lang ? { lang } : {}),
      };
      sending.set(same, request);
      requests.push(request);
    }
  }
  return { requests, reused, skips, learned };
}

/** A value in the file that batchmatter did not write (or a person changed since): a translation made by hand. */
const handWritten = (value: unknown, item: ItemState | undefined) => !isMissing(value) && !(item?.status === 'applied' && isDeepStrictEqual(item.value, value));

/**
 * The same page in the default locale (see sourceCandidates): its front matter, with the task's own field taken
 * from its answer when the file does not have it yet; `waiting` names it while it has neither. A page that is no
 * translation, or whose source does not exist, has an empty source.
 */
function sourcePage(task: Task, rel: string, i18n: I18nSettings, byRel: ReadonlyMap<string, ScannedFile>, state: StateData): { values: Record<string, unknown>; waiting?: string } {
  const found = sourceCandidates(rel, i18n).map((r) => byRel.get(r)).find((f) => f?.data);
  if (!found?.data) return { values: {} };
  // A source the task does not cover gets no answer to wait for.
  if (!isMissing(getField(found.data, task.fieldPath)) || !covers(task)(found.rel)) return { values: found.data };
  const answered = state.items[itemKey(task.name, found.rel)];
  if (!answered || (answered.status !== 'succeeded' && answered.status !== 'applied' && answered.status !== 'proposed') || answered.value === undefined) return { values: found.data, waiting: found.rel };
  return { values: withField(found.data, task.fieldPath, answered.value) };
}

/** A copy of `data` with the value at `fieldPath` set (the maps on the way copied, never changed). */
function withField(data: Record<string, unknown>, fieldPath: readonly string[], value: unknown): Record<string, unknown> {
  const [head, ...rest] = fieldPath;
  if (head === undefined) return data;
  const inner = data[head];
  return { ...data, [head]: rest.length ? withField(typeof inner === 'object' && inner !== null && !Array.isArray(inner) ? (inner as Record<string, unknown>) : {}, rest, value) : value };
}
