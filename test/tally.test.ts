import { describe, expect, it } from 'vitest';
import { tally } from '../src/core/tally.js';
import { parseScanned } from '../src/io/scan-parse.js';
import { makeTask } from './helpers/task.js';

const sentiment = makeTask('sentiment', {
  include: 'reviews/**',
  exclude: 'reviews/drafts/**',
  field: 'analysis',
  output: {
    type: 'json',
    schema: {
      type: 'object',
      properties: { sentiment: { enum: ['positive', 'negative', 'neutral'] }, main_issue: { type: ['string', 'null'] }, urgency: { enum: ['high', 'medium', 'low'] } },
      required: ['sentiment', 'urgency'],
    },
  },
});
const review = (rel: string, analysis?: string) => parseScanned(rel, `/site/${rel}`, `---\nrating: 3\n${analysis ? `analysis: ${analysis}\n` : ''}---\nText.\n`);

describe('tally', () => {
  it('counts enum values over the files the task covers (include less exclude), and lists the urgent ones', () => {
    const result = tally(sentiment, [
      review('reviews/a.md', '{sentiment: negative, main_issue: Crashes on start, urgency: high}'),
      review('reviews/b.md', '{sentiment: positive, main_issue: null, urgency: low}'),
      review('reviews/c.md'),
      review('reviews/drafts/d.md', '{sentiment: negative, main_issue: Draft, urgency: high}'),
      review('posts/e.md', '{sentiment: negative, urgency: high}'),
    ]);
    expect(result).toEqual({
      task: 'sentiment',
      field: 'analysis',
      files: 3,
      answered: 2,
      counts: { sentiment: { positive: 1, negative: 1, neutral: 0 }, urgency: { high: 1, medium: 0, low: 1 } },
      urgent: [{ file: 'reviews/a.md', issue: 'Crashes on start' }],
    });
  });
});
