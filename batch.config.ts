import { defineConfig, z } from 'batchmatter';

export default defineConfig({
  content: {
    root: 'examples/blog',
    include: ['posts/**/*.{md,mdx}', 'reviews/**/*.md'],
  },
  state: '.batchmatter/state.json',
  model: 'claude-haiku-4-5',
  batch: { maxRequests: 2000, pollInterval: '30s', maxRetries: 2, syncBelow: 10 },
  tasks: {
    description: {
      include: 'posts/**/*.{md,mdx}',
      field: 'description',
      // Added right under the title (or the date), where people put it by hand.
      insertAfter: ['title', 'date'],
      template: 'templates/description.hbs',
      maxTokens: 120,
      output: {
        type: 'text',
        maxLength: 160,
        minLength: 40,
        singleLine: true,
        forbidPrefixes: ['In this article', 'This guide'],
      },
    },
    sentiment: {
      include: 'reviews/**/*.md',
      field: 'analysis',
      template: 'templates/sentiment.hbs',
      maxTokens: 300,
      output: {
        type: 'json',
        schema: z.object({
          sentiment: z.enum(['positive', 'negative', 'neutral']),
          main_issue: z.string().nullable(),
          feature_request: z.string().nullable(),
          urgency: z.enum(['high', 'medium', 'low']),
        }),
      },
    },
  },
});
