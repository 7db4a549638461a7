import { baseLanguage, languageNames } from './locale.js';

/** What the identifier read in a text. */
export interface Identified {
  /** ISO 639-1 code, or '' when nothing was recognised. */
  language: string;
  /** Too few letters for a reading to mean anything: a few words fit several languages. */
  tooShort: boolean;
  scores: Record<string, number>;
}

export interface Identifier {
  identify(text: string): Identified;
}

/** Below this many letters (a CJK character counts as two), a text is too short to tell its language. */
const MIN_LETTERS = 24;

/**
 * Languages the identifier cannot tell apart, each a standard variety of one language: eld knows Malay, not
 * Indonesian, and reads every Indonesian page as Malay; Norwegian Bokmål and Nynorsk are both `no` to it.
 */
const SAME = new Map<string, string>([
  ['id', 'ms'],
  ['nb', 'no'],
  ['nn', 'no'],
  ['fil', 'tl'],
]);
const comparable = (code: string) => SAME.get(baseLanguage(code)) ?? baseLanguage(code);

const letters = (text: string) => {
  let count = 0;
  for (const ch of text) if (/\p{L}/u.test(ch)) count += /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u.test(ch) ? 2 : 1;
  return count;
};

let loaded: Identifier | undefined;

/**
 * The language identifier: eld (Efficient Language Detector), its smallest database (60 languages, 0.9 MB,
 * ~0.2 s to load). Loaded only by a command that needs it (see needsIdentifier), then kept for the process.
 */
export async function loadIdentifier(): Promise<Identifier> {
  if (loaded) return loaded;
  const { eld } = await import('eld/extrasmall');
  loaded = {
    identify(text) {
      const result = eld.detect(text);
      return { language: result.language, tooShort: letters(text) < MIN_LETTERS, scores: result.getScores() };
    },
  };
  return loaded;
}

/** The identifier once loadIdentifier() has run; before, a bug: the command should have loaded it. */
export const identifier: Identifier = {
  identify(text) {
    if (!loaded) throw new Error('internal: the language identifier was used before loadIdentifier()');
    return loaded.identify(text);
  },
};

/** How the notes of answers whose language was not checked begin (diff and the review page list them apart from repairs). */
export const NOT_CHECKED = 'language not checked: ';
export const isLanguageNote = (note: string): boolean => note.startsWith(NOT_CHECKED);

export type LanguageVerdict = { ok: true; note?: string } | { ok: false; reason: string };

/** The script of each language written in one other than Latin: there, Latin words are names and code. */
const SCRIPTS: Record<string, RegExp> = {
  ja: /[\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Han}]/u,
  zh: /\p{Script=Han}/u,
  ko: /\p{Script=Hangul}/u,
  ...Object.fromEntries(['ru', 'uk', 'bg', 'sr', 'be', 'mk', 'kk'].map((l) => [l, /\p{Script=Cyrillic}/u])),
  ...Object.fromEntries(['ar', 'fa', 'ur', 'ku'].map((l) => [l, /\p{Script=Arabic}/u])),
  ...Object.fromEntries(['hi', 'mr', 'ne'].map((l) => [l, /\p{Script=Devanagari}/u])),
  el: /\p{Script=Greek}/u,
  he: /\p{Script=Hebrew}/u,
  th: /\p{Script=Thai}/u,
  ka: /\p{Script=Georgian}/u,
  hy: /\p{Script=Armenian}/u,
  bn: /\p{Script=Bengali}/u,
  ta: /\p{Script=Tamil}/u,
  te: /\p{Script=Telugu}/u,
  gu: /\p{Script=Gujarati}/u,
  kn: /\p{Script=Kannada}/u,
  ml: /\p{Script=Malayalam}/u,
  pa: /\p{Script=Gurmukhi}/u,
  am: /\p{Script=Ethiopic}/u,
};
const KANA = /[\p{Script=Hiragana}\p{Script=Katakana}]/u;

/**
 * Pure: whether `text` is written in `expected` (a BCP 47 tag; the region is not judged). A text too short to
 * tell, or that the identifier cannot read, passes with a note saying its language was not checked: never a guess.
 * For a language with a script of its own, the Latin words in it (product names, code: "Starlight", "MDX") are
 * left out of the reading, and a text with none of that script is not in that language.
 */
export function judgeLanguage(identifier: Identifier, text: string, expected: string): LanguageVerdict {
  const want = languageNames(expected).english;
  const base = comparable(expected);
  const script = SCRIPTS[base];
  const mismatch = (seen: string): LanguageVerdict => ({ ok: false, reason: `expected the answer in ${want} (${expected}); it reads as ${seen ? `${languageNames(seen).english} (${seen})` : 'another language'}` });
  if (script && ![...text].some((ch) => script.test(ch))) return mismatch(identifier.identify(text).language);
  // Kana is Japanese only: Chinese has none, and Japanese prose always has some.
  if (base === 'zh' && KANA.test(text)) return mismatch('ja');
  if (base === 'ja' && KANA.test(text)) return { ok: true };
  const read = script ? text.replace(/[\p{Script=Latin}\d_]+/gu, ' ') : text;
  const seen = identifier.identify(read);
  if (seen.language && comparable(seen.language) === base) return { ok: true };
  if (seen.tooShort) return { ok: true, note: `${NOT_CHECKED}too short to tell whether it is ${want}` };
  if (!seen.language) return { ok: true, note: `${NOT_CHECKED}the identifier could not tell whether it is ${want}` };
  return mismatch(seen.language);
}
