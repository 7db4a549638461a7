import { z } from 'zod';

/** Accepts `30`, `"30s"`, `"2m"`, `"500ms"`, `"1h"`; yields milliseconds. */
const duration = z.union([z.number().nonnegative(), z.string()]).transform((value, ctx) => {
  if (typeof value === 'number') return value * 1000;
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)$/.exec(value.trim());
  if (!match) {
    ctx.addIssue({ code: 'custom', message: `expected a duration like "30s", "2m" or a number of seconds, got "${value}"` });
    return z.NEVER;
  }
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] as 'ms' | 's' | 'm' | 'h'];
  return Number(match[1]) * unit;
});

/** Accepts a number of bytes or `"512KB"`, `"5MB"`; yields bytes. */
const size = z.union([z.number().int().positive(), z.string()]).transform((value, ctx) => {
  if (typeof value === 'number') return value;
  const match = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB)$/i.exec(value.trim());
  if (!match) {
    ctx.addIssue({ code: 'custom', message: `expected a size like "5MB", "512KB" or a number of bytes, got "${value}"` });
    return z.NEVER;
  }
  const unit = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 }[match[2]!.toLowerCase() as 'b' | 'kb' | 'mb' | 'gb'];
  const bytes = Math.round(Number(match[1]) * unit);
  if (bytes <= 0) {
    ctx.addIssue({ code: 'custom', message: `expected a size above zero, got "${value}"` });
    return z.NEVER;
  }
  return bytes;
});

/** Globs relative to the content root; a leading `./` is dropped (fast-glob would keep it in every path it returns). */
const globs = z
  .union([z.string().min(1), z.array(z.string().min(1))], { error: 'expected a glob like "posts/**/*.md", or a list of them' })
  .transform((v) => (Array.isArray(v) ? v : [v]).map((glob) => glob.replace(/^(?:\.\/)+/, '')));

/** A zod schema (any zod 4 instance) or a plain JSON Schema object. */
const outputSchema = z.custom<object>(
  (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
  'expected a zod schema or a JSON Schema object',
);

const textOutput = z.strictObject({
  type: z.literal('text'),
  maxLength: z.number().int().positive().optional(),
  minLength: z.number().int().nonnegative().optional(),
  forbidPrefixes: z.array(z.string().min(1)).default([]),
  /** Regular expressions (strings are compiled case-insensitive) an answer must not match anywhere. */
  forbidPatterns: z
    .array(
      z.union([
        z.instanceof(RegExp),
        z.string().refine((p) => {
          try {
            new RegExp(p, 'iu');
            return true;
          } catch {
            return false;
          }
        }, 'not a valid regular expression'),
      ]),
    )
    .default([]),
  singleLine: z.boolean().default(false),
  /** The answer's language: `'page'` (each page's own) or a language code; see docs/i18n.md. */
  language: z.string().min(1).optional(),
});

const jsonOutput = z.strictObject({
  type: z.literal('json'),
  schema: outputSchema,
});

const fieldPath = z
  .string()
  .regex(/^[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*)*$/, 'expected a field name or dotted path like "seo.description"');

const listOf = <T extends z.ZodType<string>>(item: T) => z.union([item, z.array(item).min(1)]).transform((v) => (Array.isArray(v) ? v : [v]));

/** Images sent with each request (see docs/alt-text.md): where their paths are in the front matter, and where to look for the files. */
const imageInput = z.strictObject({
  from: listOf(fieldPath),
  publicDir: listOf(z.string().min(1)).default(['public', 'static']),
  maxImages: z.number().int().min(1).max(20).default(1),
});

const task = z.strictObject({
  include: globs.optional(),
  exclude: globs.default([]),
  field: fieldPath,
  template: z.string().min(1),
  system: z.string().min(1).optional(),
  when: z.enum(['missing', 'invalid', 'always']).default('missing'),
  caseVariants: z.enum(['report', 'ignore']).default('report'),
  insertAfter: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
  dependsOn: z.array(z.string().min(1)).default([]),
  excerpt: z.strictObject({ maxChars: z.number().int().positive().max(100_000).default(1000) }).default({ maxChars: 1000 }),
  model: z.string().min(1).optional(),
  maxTokens: z.number().int().positive().max(64_000).optional(),
  output: z.discriminatedUnion('type', [textOutput, jsonOutput]),
  image: imageInput.optional(),
});

const prices = z.strictObject({
  input: z.number().nonnegative(),
  output: z.number().nonnegative(),
  cacheWrite: z.number().nonnegative().optional(),
  cacheWrite1h: z.number().nonnegative().optional(),
  cacheRead: z.number().nonnegative().optional(),
});

export const configSchema = z.strictObject({
  content: z
    .strictObject({
      root: z.string().default('.'),
      include: globs.refine((list) => list.length > 0, 'name at least one glob; without any, nothing is scanned').default(['**/*.md', '**/*.mdx', '**/*.markdown']),
      exclude: globs.default([]),
      maxFileSize: size.default(5 * 1024 ** 2),
      frontMatterFormat: z.enum(['yaml', 'toml', 'json']).optional(),
    })
    .default({ root: '.', include: ['**/*.md', '**/*.mdx', '**/*.markdown'], exclude: [], maxFileSize: 5 * 1024 ** 2 }),
  state: z.string().min(1).default('.batchmatter/state.json'),
  model: z.string().min(1).default('claude-haiku-4-5'),
  maxTokens: z.number().int().positive().max(64_000).default(400),
  batch: z
    .strictObject({
      maxRequests: z.number().int().min(1).max(100_000).default(2000),
      pollInterval: duration.default(30_000),
      maxRetries: z.number().int().min(0).max(10).default(2),
      syncBelow: z.number().int().min(0).default(10),
      syncConcurrency: z.number().int().min(1).max(32).default(4),
      maxCost: z.number().positive().optional(),
      stallTimeout: duration.default(120_000),
      lostCreateWindow: duration.default(600_000),
      answeredCreateWindow: duration.default(15_000),
    })
    .default({ maxRequests: 2000, pollInterval: 30_000, maxRetries: 2, syncBelow: 10, syncConcurrency: 4, stallTimeout: 120_000, lostCreateWindow: 600_000, answeredCreateWindow: 15_000 }),
  i18n: z
    .strictObject({
      defaultLocale: z.string().min(1).optional(),
      locales: z.array(z.string().min(1)).optional(),
    })
    .optional(),
  /** Standard (synchronous) USD prices per million tokens; batch is half. */
  prices: z.record(z.string(), prices).default({}),
  tasks: z
    .record(z.string().regex(/^[A-Za-z][\w-]{0,31}$/, 'task names are letters, digits, _ and -'), task)
    .superRefine((tasks, ctx) => {
      for (const [name, t] of Object.entries(tasks)) {
        t.dependsOn.forEach((dep, i) => {
          if (!(dep in tasks)) ctx.addIssue({ code: 'custom', path: [name, 'dependsOn', i], message: `no task named "${dep}"` });
        });
      }
      // A chain must end: follow dependsOn from every task and look for a way back.
      const visiting = new Set<string>();
      const done = new Set<string>();
      const visit = (name: string, trail: string[]): void => {
        if (done.has(name) || !(name in tasks)) return;
        if (visiting.has(name)) {
          ctx.addIssue({ code: 'custom', path: [name, 'dependsOn'], message: `tasks depend on each other in a circle: ${[...trail, name].join(' → ')}` });
          return;
        }
        visiting.add(name);
        for (const dep of tasks[name]!.dependsOn) visit(dep, [...trail, name]);
        visiting.delete(name);
        done.add(name);
      };
      for (const name of Object.keys(tasks)) visit(name, []);
    }),
});

export type ResolvedConfig = z.output<typeof configSchema>;
export type TaskConfig = ResolvedConfig['tasks'][string];
export type TextOutput = z.output<typeof textOutput>;
export type ImageInputConfig = z.output<typeof imageInput>;
