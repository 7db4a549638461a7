/** A duration: seconds as a number, or a string such as `"30s"`, `"2m"`, `"500ms"`. */
export type Duration = number | `${number}${'ms' | 's' | 'm' | 'h'}`;

export interface TextOutputConfig {
  type: 'text';
  /** Longest accepted answer, in characters (after trimming). */
  maxLength?: number;
  /** Shortest accepted answer, in characters (after trimming). */
  minLength?: number;
  /** Answers starting with any of these (case-insensitive) are rejected. @default [] */
  forbidPrefixes?: string[];
  /** Regular expressions the answer must not match anywhere (strings are compiled case-insensitive), e.g. `/click here/i`. */
  forbidPatterns?: Array<string | RegExp>;
  /** Reject answers that contain a line break. @default false */
  singleLine?: boolean;
}

export interface JsonOutputConfig {
  type: 'json';
  /**
   * The object the model must return: a zod schema or a plain JSON Schema object.
   * Sent as a forced tool's `input_schema`, and checked again on every answer.
   */
  schema: object;
}

export interface TaskConfigInput {
  /** Globs (relative to `content.root`) of the files this task works on. @default content.include */
  include?: string | string[];
  /** Globs excluded from this task. @default [] */
  exclude?: string | string[];
  /** The front matter field to fill; a dotted path (`seo.description`) edits a nested map. */
  field: string;
  /** Prompt template (Handlebars), relative to the config file. */
  template: string;
  /** Optional system prompt template, relative to the config file. */
  system?: string;
  /**
   * `missing`: only where the field is absent, null or empty. `invalid`: there, and where the value breaks
   * this task's output rules (too long, a forbidden opening, not the schema); a value that passes is kept.
   * `always`: regenerate on every content change. @default 'missing'
   */
  when?: 'missing' | 'invalid' | 'always';
  /** A file holding a key that differs only in case (`Description`): `report` it and leave the file alone, or `ignore` it and add the field. @default 'report' */
  caseVariants?: 'report' | 'ignore';
  /**
   * Where a field the file does not have yet is added: right after this key of
   * the same map (the first of a list that the file has), instead of at the end.
   * A value being replaced stays where it is.
   * @example insertAfter: ['title', 'date']
   */
  insertAfter?: string | string[];
  /**
   * Tasks whose validated answer for the same file this one needs: it waits for them (a later
   * batch, in the same `run` or the next night's) and sees their values as `{{tasks.<name>}}`. @default []
   */
  dependsOn?: string[];
  excerpt?: {
    /** Characters of plain body text offered to the template as `{{excerpt}}`. @default 1000 */
    maxChars?: number;
  };
  /** Model for this task. @default config.model */
  model?: string;
  /** `max_tokens` for this task. @default config.maxTokens */
  maxTokens?: number;
  /** What a valid answer looks like. Nothing that fails it is ever written. */
  output: TextOutputConfig | JsonOutputConfig;
  /** Images sent with each request, read by the model itself (alt text, captions); see docs/alt-text.md. */
  image?: ImageInputConfigInput;
}

export interface ImageInputConfigInput {
  /**
   * The front matter field(s) holding an image path (`heroImage`, `cover.image`); a list value (`images: [...]`)
   * gives each of its paths. A file none of them names an image in is skipped.
   */
  from: string | string[];
  /**
   * Folders, relative to the config file, that site-absolute paths (`/covers/a.png`) are served from; the
   * config's folder and the content root are looked in after them. @default ['public', 'static']
   */
  publicDir?: string | string[];
  /** Images sent at most per request (the first found, in field order). @default 1 */
  maxImages?: number;
}

export interface BatchConfig {
  content?: {
    /** The content tree, relative to the config file. @default '.' */
    root?: string;
    /** Globs relative to `root`. @default ['**\/*.md', '**\/*.mdx', '**\/*.markdown'] */
    include?: string | string[];
    /** Globs relative to `root`. @default [] */
    exclude?: string | string[];
    /** Larger files are reported and skipped (bytes, or `"5MB"`, `"512KB"`). @default '5MB' */
    maxFileSize?: number | `${number}${'B' | 'KB' | 'MB' | 'GB'}`;
    /** The format of the block added to a file that has no front matter. @default the format most of the site's files use */
    frontMatterFormat?: 'yaml' | 'toml' | 'json';
  };
  /** The state file, relative to the config file. Commit it (or cache it) between CI runs. @default '.batchmatter/state.json' */
  state?: string;
  /** Default model. @default 'claude-haiku-4-5' */
  model?: string;
  /** Default `max_tokens`. @default 400 */
  maxTokens?: number;
  batch?: {
    /** Requests per batch (the API's own cap is 100,000 and 256 MB). @default 2000 */
    maxRequests?: number;
    /** Time between polls of an in-flight batch (at least 5 s against a remote API). @default '30s' */
    pollInterval?: Duration;
    /** How many times a failed, expired or invalid request is retried. @default 2 */
    maxRetries?: number;
    /** Fewer pending requests than this go through the synchronous Messages API. @default 10 */
    syncBelow?: number;
    /** Parallel synchronous requests. @default 4 */
    syncConcurrency?: number;
    /**
     * How long to look for the batch of a create() that never answered (the process died, the connection dropped)
     * before its requests are sent again. Shorter risks paying twice if the API is slow to list a new batch. @default '10m'
     */
    lostCreateWindow?: Duration;
    /**
     * The same for a create() the API answered with a 5xx: it had finished with the request, so a batch it made
     * would be listed within moments. @default '15s'
     */
    answeredCreateWindow?: Duration;
    /** A results download that sends nothing for this long is dropped and downloaded again on the next pass. @default '2m' */
    stallTimeout?: Duration;
    /** Refuse to submit when the estimated cost (USD) of a submission is over this; `--max-cost` overrides it. */
    maxCost?: number;
  };
  /**
   * Override standard USD prices per million tokens, per model; batch pricing is half. Cache writes default to
   * 1.25 × input with the 5-minute TTL (`cacheWrite`) and 2 × input with the 1-hour one (`cacheWrite1h`, what
   * batchmatter's system prompts use); cache reads to 0.1 × input.
   */
  prices?: Record<string, { input: number; output: number; cacheWrite?: number; cacheWrite1h?: number; cacheRead?: number }>;
  /** The work to do, by task name. */
  tasks: Record<string, TaskConfigInput>;
}

/** Typing helper for `batch.config.ts`: returns its argument unchanged. */
export function defineConfig(config: BatchConfig): BatchConfig {
  return config;
}
