/** Text handling shared by the offline model's answers: find the content, clean it, split it, shorten it. */

const CONTENT_TAGS = ['excerpt', 'review', 'article', 'content', 'document', 'text'];

/** The templates' contract: the work is inside `<excerpt>` / `<review>`; without a tag, the whole prompt. */
export function contentOf(prompt: string): string {
  for (const tag of CONTENT_TAGS) {
    const match = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'i').exec(prompt);
    if (match) return match[1]!.trim();
  }
  return prompt.trim();
}

/** The prompt minus its content block, so limits are read from the instructions, not from the article. */
export function instructionsOf(prompt: string): string {
  return prompt.replace(new RegExp(`<(${CONTENT_TAGS.join('|')})>[\\s\\S]*?</\\1>`, 'gi'), ' ');
}

/** Markdown/HTML remnants removed and whitespace collapsed: excerpts are meant to be plain, but need not be. */
export function plainText(text: string): string {
  return text
    .replace(/```[\s\S]*?(```|$)/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/!\[[^\]]*\]\([^)]*\)/g, ' ')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/^\s{0,3}(#{1,6}|>|[-*+]|\d+[.)])\s+/gm, '')
    .replace(/(\*\*|__|`)/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Sentences of plain text. Splits after . ! ? when the next word starts like a sentence. */
export function sentences(text: string): string[] {
  return text
    // CJK full stops end a sentence with or without a space after them.
    .split(/(?<=[.!?]["')\]]?)\s+(?=["'(\[]?[A-Z0-9])|(?<=[。！？])\s*/)
    .map((s) => s.trim())
    .filter(Boolean);
}

export function words(text: string): string[] {
  return text.toLowerCase().replace(/’/g, "'").match(/[a-z0-9]+(?:'[a-z]+)?/g) ?? [];
}

export const STOPWORDS = new Set(
  ('a an and are as at be but by for from has have i if in into is it its my of on or our so that the their them then there these they ' +
    'this to was we were what when which while with you your will can just also very really more most some any all not no do does did')
    .split(' '),
);

/** Words a cut sentence must not end on ("… and the."). */
const DANGLING = new Set([...STOPWORDS, 'how', 'why', 'who', 'where', 'than', 'about', 'without', 'over', 'under', 'between', 'via']);

/** `text` shortened at a word boundary to at most `max` characters, without a dangling function word or punctuation. */
export function cutAtWord(text: string, max: number): string {
  let out = text.length <= max ? text : text.slice(0, max + 1).replace(/\s+\S*$/, '');
  if (out.length > max) out = out.slice(0, max);
  for (;;) {
    const trimmed = out.replace(/[\s,;:\-–—(]+$/, '');
    const last = /(\S+)$/.exec(trimmed)?.[1] ?? '';
    const word = last.toLowerCase().replace(/[^a-z']/g, '');
    if (DANGLING.has(word) && trimmed.includes(' ')) out = trimmed.slice(0, -last.length);
    else return trimmed;
  }
}

/** Capital first letter and a closing full stop (kept: ! or ?). */
export function asSentence(text: string): string {
  const body = text.replace(/[\s,;:\-–—.、，：；]+$/, '');
  if (!body) return '';
  const closed = /[!?。！？]$/.test(body) ? body : /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]$/u.test(body) ? `${body}。` : `${body}.`;
  return closed.charAt(0).toUpperCase() + closed.slice(1);
}
