import type { MessageCreateParamsNonStreaming, Tool } from '@anthropic-ai/sdk/resources/messages';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { respond } from '../src/emulator/index.js';

const descriptionPrompt = (excerpt: string, max = 160) => `Write the SEO meta description for the article below.

Rules:
- at most ${max} characters, on a single line
- do not start with "In this article" or "This guide"; no quotation marks
- answer with the description and nothing else

Title: Fallback title
Path: posts/x.md

<excerpt>
${excerpt}
</excerpt>`;

const ask = (content: string, extra: Partial<MessageCreateParamsNonStreaming> = {}): MessageCreateParamsNonStreaming => ({
  model: 'claude-haiku-4-5',
  max_tokens: 300,
  messages: [{ role: 'user', content }],
  ...extra,
});

function text(params: MessageCreateParamsNonStreaming): string {
  const block = respond(params).content[0];
  if (block?.type !== 'text') throw new Error(`expected text, got ${block?.type}`);
  return block.text;
}

describe('offline model: descriptions', () => {
  const long =
    'In this article, you will learn how to shrink Docker images with multi-stage builds, distroless bases and careful layer ordering so that deploys get faster. ' +
    'We start from a 1.2 GB image.';

  it('is extractive, drops filler openings, and fits the stated limit at a word boundary with a full stop', () => {
    for (const max of [160, 120, 80, 50]) {
      const answer = text(ask(descriptionPrompt(long, max)));
      expect(answer.length).toBeLessThanOrEqual(max);
      expect(answer).toMatch(/^How to shrink Docker images/);
      expect(answer).toMatch(/[a-z]\.$/);
      expect(answer).not.toMatch(/…|\n|"/);
    }
    expect(text(ask(descriptionPrompt(long, 80)))).toBe('How to shrink Docker images with multi-stage builds, distroless bases.');
  });

  it('handles "This guide" openings, markdown remnants and short first sentences', () => {
    expect(text(ask(descriptionPrompt('This guide shows you how to **configure** [Renovate](https://docs.renovatebot.com) for a monorepo.')))).toBe(
      'How to configure Renovate for a monorepo.',
    );
    const answer = text(ask(descriptionPrompt('Hi! Caching is hard. Rust lifetimes describe how long a reference stays valid, and the compiler checks them for you.')));
    expect(answer).toBe('Rust lifetimes describe how long a reference stays valid, and the compiler checks them for you.');
  });

  it('is deterministic and falls back to the whole prompt without a content tag', () => {
    const params = ask('Summarise: Kubernetes operators encode the knowledge of a human operator in a controller.');
    expect(respond(params)).toEqual(respond(params));
    expect(text(params)).toContain('Kubernetes operators encode the knowledge');
  });

  it('cuts an answer longer than max_tokens and says so', () => {
    const message = respond(ask(descriptionPrompt(long), { max_tokens: 5 }));
    expect(message.stop_reason).toBe('max_tokens');
    expect(message.usage.output_tokens).toBeLessThanOrEqual(5);
  });
});

const reviewSchema = z.object({
  sentiment: z.enum(['positive', 'negative', 'neutral']),
  main_issue: z.string().nullable(),
  feature_request: z.string().nullable(),
  urgency: z.enum(['high', 'medium', 'low']),
});
const { $schema: _drop, ...reviewJsonSchema } = z.toJSONSchema(reviewSchema) as Record<string, unknown>;

function analyse(review: string, rating: number, schema: unknown = reviewJsonSchema): Record<string, unknown> {
  const prompt = `Analyse this app-store review and record the result with the tool.\n\nRating: ${rating} / 5\nPlatform: ios\n\n<review>\n${review}\n</review>`;
  const tools: Tool[] = [{ name: 'record_analysis', input_schema: schema as Tool.InputSchema }];
  const message = respond(ask(prompt, { tools, tool_choice: { type: 'tool', name: 'record_analysis' } }));
  expect(message.stop_reason).toBe('tool_use');
  const block = message.content[0];
  if (block?.type !== 'tool_use') throw new Error('expected tool_use');
  expect(block.id).toMatch(/^toolu_/);
  return block.input as Record<string, unknown>;
}

describe('offline model: forced tool use', () => {
  it('reads app reviews with a lexicon and the star rating', () => {
    expect(analyse('The app crashes every time I open a PDF. Please add a backup option.', 1)).toEqual({
      sentiment: 'negative',
      main_issue: 'app crashes every time I open a PDF',
      feature_request: 'backup option',
      urgency: 'high',
    });
    expect(analyse('Love it, works great. I wish it had a dark mode.', 5)).toEqual({ sentiment: 'positive', main_issue: null, feature_request: 'dark mode', urgency: 'low' });
    expect(analyse('Sync is slow and the search is confusing.', 2)).toMatchObject({ sentiment: 'negative', urgency: 'medium', feature_request: null });
    expect(analyse("Can't log in since the update.", 2)).toMatchObject({ sentiment: 'negative', urgency: 'high' });
    expect(analyse('It is ok. Does what it says.', 3)).toMatchObject({ sentiment: 'neutral', urgency: 'low' });
    for (const review of ['Great', 'Terrible, deleted my data', 'meh']) expect(reviewSchema.safeParse(analyse(review, 3)).success).toBe(true);
  });

  it('satisfies general JSON Schemas: refs, nullable forms, numbers, arrays, nested objects', () => {
    const schema = {
      type: 'object',
      properties: {
        title: { type: 'string', maxLength: 40 },
        tags: { type: 'array', items: { type: 'string' }, minItems: 2, maxItems: 4 },
        score: { type: 'integer', minimum: 1, maximum: 10 },
        ratio: { type: 'number', exclusiveMinimum: 0 },
        draft: { type: 'boolean' },
        level: { $ref: '#/$defs/level' },
        meta: { type: 'object', properties: { lang: { const: 'en' }, note: { type: ['string', 'null'] } }, required: ['lang'] },
      },
      required: ['title', 'tags', 'score'],
      $defs: { level: { type: 'string', enum: ['beginner', 'advanced'] } },
    };
    const input = analyse('Terraform modules let teams reuse infrastructure code. Terraform state must be stored remotely.', 4, schema);
    expect(input).toMatchObject({ draft: false, level: 'beginner', meta: { lang: 'en' } });
    expect((input.title as string).length).toBeLessThanOrEqual(40);
    expect(input.tags).toEqual(['terraform', 'modules', 'teams']);
    expect(input.score).toBeGreaterThanOrEqual(1);
    expect(input.score).toBeLessThanOrEqual(10);
    expect(input.ratio).toBeGreaterThan(0);
  });

  it('answers output_config json_schema with a JSON text block', () => {
    const message = respond(
      ask('Rating: 5 / 5\n<review>Fantastic, fast and reliable.</review>', { output_config: { format: { type: 'json_schema', schema: reviewJsonSchema } } }),
    );
    const block = message.content[0];
    expect(block?.type).toBe('text');
    expect(JSON.parse(block?.type === 'text' ? block.text : '')).toEqual({ sentiment: 'positive', main_issue: null, feature_request: null, urgency: 'low' });
  });
});
