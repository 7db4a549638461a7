import { cutAtWord, STOPWORDS } from './text.js';

/**
 * Answers in a language the page is not in, for tests of the `language` rule (fault outcome `wrong_language`):
 * English, unless the content reads as English, then German. Well-formed otherwise (one line, within the
 * prompt's limit), so the language is the only rule it breaks.
 */
const ENGLISH = 'A practical walkthrough of the setup, with the options that matter most and the mistakes to avoid along the way.';
const GERMAN = 'Eine praktische Anleitung zur Einrichtung, mit den wichtigsten Optionen und den Fehlern, die man dabei vermeiden sollte.';

/** Whether a text reads as English: a fair share of its words are English function words. */
function looksEnglish(text: string): boolean {
  const words = text.toLowerCase().match(/\p{L}+/gu) ?? [];
  if (!words.length) return false;
  return words.filter((w) => STOPWORDS.has(w)).length / words.length >= 0.15;
}

export function wrongLanguageAnswer(content: string, maxChars: number | undefined): string {
  const text = looksEnglish(content) ? GERMAN : ENGLISH;
  return maxChars && text.length > maxChars ? cutAtWord(text, maxChars - 1) : text;
}
