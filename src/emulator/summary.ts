import { asSentence, cutAtWord, plainText, sentences } from './text.js';

/** Length rules a prompt states in words ("at most 160 characters"). */
export interface TextLimits {
  maxChars?: number;
  minChars?: number;
  maxWords?: number;
  /** Openings the prompt forbids, plus the usual filler ones. */
  forbiddenOpenings: string[];
}

const FILLER_OPENINGS = ['In this article', 'In this post', 'In this guide', 'In this tutorial', 'This article', 'This guide', 'This post', 'This tutorial'];
/** Without a stated limit: one or two sentences, as a meta description would be. */
const DEFAULT_MIN = 50;
const DEFAULT_MAX = 300;

const N = '(\\d[\\d,]*)';
const UNIT = '\\s*(?:characters|chars)\\b';
const num = (text: string) => Number(text.replace(/,/g, ''));

export function readLimits(instructions: string): TextLimits {
  const limits: TextLimits = { forbiddenOpenings: [...FILLER_OPENINGS] };
  const inclusive = new RegExp(`(?:at most|no more than|not more than|up to|maximum of|max(?:imum)?:?|within)\\s+${N}${UNIT}`, 'i').exec(instructions);
  const strict = new RegExp(`(?:under|fewer than|less than|shorter than)\\s+${N}${UNIT}`, 'i').exec(instructions);
  const trailing = new RegExp(`${N}${UNIT}\\s+(?:or (?:fewer|less)|max(?:imum)?)`, 'i').exec(instructions);
  if (inclusive) limits.maxChars = num(inclusive[1]!);
  else if (strict) limits.maxChars = num(strict[1]!) - 1;
  else if (trailing) limits.maxChars = num(trailing[1]!);
  const min = new RegExp(`(?:at least|no fewer than|minimum of)\\s+${N}${UNIT}`, 'i').exec(instructions);
  if (min) limits.minChars = num(min[1]!);
  const maxWords = /(?:at most|no more than|up to|under|fewer than)\s+(\d+)\s+words\b/i.exec(instructions);
  if (maxWords) limits.maxWords = Number(maxWords[1]);
  for (const rule of instructions.matchAll(/(?:do not|don't|never|must not|avoid)\s+(?:start|begin|open)(?:ing)?\s+with\s+([^\n]*)/gi)) {
    for (const quoted of rule[1]!.matchAll(/["“]([^"”]+)["”]/g)) limits.forbiddenOpenings.push(quoted[1]!.trim());
  }
  return limits;
}

const READER_VERB = /^(?:we|i|you)(?:['’]ll| will| are going to| can)?\s+(?:(?:learn|see|find out|discover)\s+)?/i;
const GUIDE_VERB = /^(?:will\s+)?(?:shows?|explains?|covers?|describes?|walks? (?:you )?through|teaches|demonstrates?|introduces?|helps? you|is about|goes over|looks at)\s+(?:you\s+)?/i;

/** "In this article, you'll learn how to X" → "how to X": keep the substance, drop the filler. */
function dropOpening(sentence: string, openings: string[]): string {
  const opening = openings.find((o) => sentence.toLowerCase().startsWith(o.toLowerCase()));
  if (!opening) return sentence;
  const rest = sentence.slice(opening.length).replace(/^[\s,:;—–-]+/, '');
  return rest.replace(READER_VERB, '').replace(GUIDE_VERB, '');
}

/** What the template forbids in the answer: quotation marks, hashtags, a "Description:" label. */
function clean(sentence: string): string {
  return sentence
    .replace(/["“”«»]/g, '')
    .replace(/(^|\s)#(\w)/g, '$1$2')
    .replace(/^(?:description|summary|tl;dr|meta description)\s*:\s*/i, '')
    .trim();
}

/** A sentence worth leading with: long enough to say something, not a list intro or a heading. */
function usable(sentence: string): boolean {
  // Chinese and Japanese put no spaces between words: a run of their characters says as much.
  const words = sentence.split(' ').length >= 4 || /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]{12}/u.test(sentence);
  return sentence.length >= 25 && words && !/:$/.test(sentence) && !/^https?:/.test(sentence);
}

/**
 * An extractive one-line description of `content` within `limits`. Given the
 * answer refused before (`previous`), it leads with other sentences, as a
 * model told its answer was refused would say something else.
 */
export function describe(content: string, limits: TextLimits, previous?: string): string {
  const max = Math.max(12, limits.maxChars ?? DEFAULT_MAX);
  const min = Math.min(limits.minChars ?? DEFAULT_MIN, max);
  const all = sentences(plainText(content))
    .map((s) => clean(dropOpening(s, limits.forbiddenOpenings)))
    .filter(Boolean);
  const fresh = previous ? all.filter(usable).filter((s) => !previous.includes(s.replace(/[.!?]$/, ''))) : [];
  const good = fresh.length ? fresh : all.filter(usable);
  let out = '';
  for (const sentence of good.length ? good : all) {
    const next = out ? `${out}${/[。！？]$/.test(out) ? '' : ' '}${asSentence(sentence)}` : asSentence(sentence);
    if (out && next.length > max) break;
    out = next;
    if (out.length >= min) break;
  }
  if (!out) return asSentence(cutAtWord('No content was provided to describe', max - 1));
  if (out.length > max) out = asSentence(cutAtWord(out, max - 1));
  if (limits.maxWords && out.split(' ').length > limits.maxWords) {
    out = asSentence(cutAtWord(out.split(' ').slice(0, limits.maxWords).join(' '), max - 1));
  }
  return out;
}
