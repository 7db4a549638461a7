import { cutAtWord, plainText, sentences, STOPWORDS, words } from './text.js';

export type Sentiment = 'positive' | 'negative' | 'neutral';
export type Urgency = 'high' | 'medium' | 'low';

export interface ReviewAnalysis {
  sentiment: Sentiment;
  urgency: Urgency;
  main_issue: string | null;
  feature_request: string | null;
  /** The star rating the prompt shows ("Rating: 2 / 5"), scaled to 1–5, or null. */
  rating: number | null;
}

const POSITIVE = new Set(
  ('love loved loves great excellent amazing awesome perfect fantastic helpful easy best good nice smooth reliable fast ' +
    'recommend recommended happy wonderful intuitive beautiful clean solid brilliant superb useful enjoy enjoyed favorite favourite works thanks')
    .split(' '),
);
/** Faint praise: half a point, so "it's ok" alone stays neutral. */
const LUKEWARM = new Set(['ok', 'okay', 'fine', 'decent', 'alright']);
const NEGATIVE = new Set(
  ('crash crashes crashed crashing bug bugs buggy broken slow lost lose losing deleted terrible awful worst bad hate hated useless ' +
    'annoying frustrating frustrated freeze freezes froze frozen error errors fail fails failed failing refund charged disappointed ' +
    'disappointing poor unusable stopped laggy lag glitch glitches glitchy expensive overpriced confusing missing wrong problem problems ' +
    'issue issues cannot can\'t won\'t doesn\'t didn\'t logged locked spam ads waste horrible')
    .split(' '),
);
const NEGATORS = new Set(['not', 'no', 'never', "isn't", "wasn't", "don't", "doesn't", "didn't", 'hardly']);
/** Words that flip the next two words' polarity would also turn "can't" into praise; those stay negative. */
const ALWAYS_NEGATIVE = new Set(["can't", 'cannot', "won't", "doesn't", "didn't"]);

const SEVERE = /\bcrash|data loss|lost (?:all )?(?:of )?(?:my |our )?(?:data|notes|files|photos|work|progress|account)|deleted|wiped|can['’]?t log ?in|cannot log ?in|unable to log ?in|can['’]?t sign ?in|locked out|log(?:ged)? me out|refund|charged|billing|payment|subscription|won['’]?t (?:open|start|launch)|unusable|security/i;
const WISH = /\b(?:i wish|wish (?:it|there|you|they)|please add|would love|would be (?:nice|great|awesome|helpful)|should have|should add|hope you (?:add|will)|feature request|it needs|needs an?|add an? option)\b/i;
const WISH_LEAD = /^.*?\b(?:i wish|wish|please add|would love|would be (?:nice|great|awesome|helpful)|should have|should add|hope you (?:add|will add|will)|feature request:?|it needs|needs|add)\s+(?:(?:if|that|to see|to have|to get|there (?:was|were|is)|it (?:had|has|could|would)|you (?:could|would|guys would)?\s*(?:add)?|they (?:would|could) add|for|an option (?:to|for)|the ability to)\s+)*/i;

function score(text: string): number {
  const tokens = words(text);
  let total = 0;
  tokens.forEach((token, i) => {
    const polarity = POSITIVE.has(token) ? 1 : LUKEWARM.has(token) ? 0.5 : NEGATIVE.has(token) ? -1 : 0;
    if (!polarity) return;
    const negated = !ALWAYS_NEGATIVE.has(token) && tokens.slice(Math.max(0, i - 2), i).some((t) => NEGATORS.has(t));
    total += negated ? -polarity : polarity;
  });
  return total;
}

function ratingOf(prompt: string): number | null {
  const match = /\brating\s*:\s*(\d+(?:\.\d+)?)(?:\s*(?:\/|out of)\s*(\d+))?/i.exec(prompt);
  if (!match) return null;
  const value = Number(match[1]);
  const scale = match[2] ? Number(match[2]) : 5;
  return scale > 0 ? (value / scale) * 5 : null;
}

/** A short phrase: the clause that carries the point, without leading filler, at most ~10 words. */
function phrase(clause: string): string | null {
  const trimmed = clause
    .replace(/^(?:and|but|so|also|however|though|although|just|then|now|sadly|unfortunately|honestly)\b[\s,]*/gi, '')
    .replace(/^(?:the|a|an|this|my|your|our)\s+/i, '')
    .replace(/[.!?]+$/, '')
    .trim();
  if (!trimmed) return null;
  const short = cutAtWord(trimmed.split(/\s+/).slice(0, 10).join(' '), 80);
  return short && !STOPWORDS.has(short.toLowerCase()) ? short : null;
}

function clauses(sentence: string): string[] {
  return sentence.split(/[,;:]|\s(?=but\s|although\s|though\s|however\s)|\s[-–—]\s/i).map((c) => c.trim()).filter(Boolean);
}

function mainIssue(all: string[]): string | null {
  const negative = all.map(clauses).flat().find((c) => score(c) < 0 || SEVERE.test(c));
  return negative ? phrase(negative) : null;
}

function featureRequest(all: string[]): string | null {
  const sentence = all.find((s) => WISH.test(s));
  if (!sentence) return null;
  const clause = clauses(sentence).find((c) => WISH.test(c)) ?? sentence;
  return phrase(clause.replace(WISH_LEAD, '')) ?? phrase(clause);
}

/** A lexicon reading of an app review, plus its star rating when the prompt shows one. */
export function analyseReview(content: string, prompt: string): ReviewAnalysis {
  const text = plainText(content);
  const all = sentences(text);
  const rating = ratingOf(prompt);
  const total = score(text) + (rating === null ? 0 : (rating - 3) * 2);
  const sentiment: Sentiment = total >= 1 ? 'positive' : total <= -1 ? 'negative' : 'neutral';
  const urgency: Urgency = sentiment !== 'negative' ? 'low' : SEVERE.test(text) ? 'high' : 'medium';
  return { sentiment, urgency, main_issue: mainIssue(all), feature_request: featureRequest(all), rating };
}
