import { analyseReview, type ReviewAnalysis } from './review.js';
import { describe, readLimits, type TextLimits } from './summary.js';
import { isObject, type Json } from './params.js';
import { STOPWORDS, words } from './text.js';

/** What the model knows when it fills a schema: the content and the prompt around it. */
export interface FillContext {
  content: string;
  instructions: string;
}

const SUMMARY_KEYS = /^(?:summary|description|excerpt|abstract|overview|meta_?description|tl_?dr)$/i;
const TITLE_KEYS = /^(?:title|headline|heading|name)$/i;
const LIST_KEYS = /^(?:tags|keywords|topics|categories|labels|key_?phrases)$/i;
const RATING_KEYS = /^(?:rating|score|stars)$/i;

/** Picks the first of `preferred` the enum allows, else the enum's first value. */
function pickEnum(options: unknown[], preferred: unknown[]): unknown {
  return preferred.find((p) => options.includes(p)) ?? options[0];
}

const SENTIMENT_PREFERENCE: Record<string, string[]> = {
  positive: ['positive', 'pos', 'good'],
  negative: ['negative', 'neg', 'bad'],
  neutral: ['neutral', 'mixed', 'none'],
};
const URGENCY_PREFERENCE: Record<string, string[]> = {
  high: ['high', 'critical', 'urgent', 'severe'],
  medium: ['medium', 'moderate', 'normal'],
  low: ['low', 'minor', 'none'],
};

class Filler {
  private review?: ReviewAnalysis;
  private readonly limits: TextLimits;

  constructor(
    private readonly root: Json,
    private readonly ctx: FillContext,
  ) {
    this.limits = readLimits(ctx.instructions);
  }

  private analysis(): ReviewAnalysis {
    this.review ??= analyseReview(this.ctx.content, this.ctx.instructions);
    return this.review;
  }

  /** Local `$ref`s (`#/$defs/x`, `#/definitions/x`) as zod's toJSONSchema emits for shared parts. */
  private resolve(schema: Json): Json {
    if (typeof schema.$ref !== 'string' || !schema.$ref.startsWith('#/')) return schema;
    let node: unknown = this.root;
    for (const part of schema.$ref.slice(2).split('/')) node = isObject(node) ? node[part] : undefined;
    return isObject(node) ? this.resolve(node) : {};
  }

  /** What a field of this name should say, when the name says what it is; null means "nothing to report". */
  private suggestion(key: string): unknown {
    if (/^sentiment$/i.test(key)) return this.analysis().sentiment;
    if (/^(?:urgency|priority|severity)$/i.test(key)) return this.analysis().urgency;
    if (/^(?:main_?issue|issue|problem|complaint|main_?problem)$/i.test(key)) return this.analysis().main_issue;
    if (/^(?:feature_?request|request|suggestion|wish)$/i.test(key)) return this.analysis().feature_request;
    return undefined;
  }

  fill(raw: unknown, key: string): unknown {
    const schema = isObject(raw) ? this.resolve(raw) : {};
    if ('const' in schema) return schema.const;
    const variants = [schema.anyOf, schema.oneOf].find(Array.isArray)?.filter(isObject).map((v) => this.resolve(v));
    const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
    const nullable = types.includes('null') || schema.nullable === true || !!variants?.some((v) => v.type === 'null');
    const suggested = this.suggestion(key);
    if (suggested === null && nullable) return null;
    if (variants?.length) {
      const chosen = variants.find((v) => v.type !== 'null') ?? variants[0]!;
      return this.fill({ ...chosen, ...(nullable ? { nullable: false } : {}) }, key);
    }
    if (Array.isArray(schema.enum)) {
      const options = schema.enum.filter((o) => o !== null || nullable);
      if (/^sentiment$/i.test(key)) return pickEnum(options, SENTIMENT_PREFERENCE[String(suggested)] ?? []);
      if (typeof suggested === 'string') return pickEnum(options, URGENCY_PREFERENCE[suggested] ?? [suggested]);
      return options[0] ?? null;
    }
    const type = types.find((t) => t !== 'null') ?? (isObject(schema.properties) ? 'object' : isObject(schema.items) ? 'array' : 'string');
    switch (type) {
      case 'object':
        return this.object(schema);
      case 'array':
        return this.array(schema, key);
      case 'number':
      case 'integer':
        return this.number(schema, key, type === 'integer');
      case 'boolean':
        return false;
      case 'null':
        return null;
      default:
        return this.string(schema, key, suggested);
    }
  }

  private object(schema: Json): Json {
    const properties = isObject(schema.properties) ? schema.properties : {};
    return Object.fromEntries(Object.entries(properties).map(([name, sub]) => [name, this.fill(sub, name)]));
  }

  private array(schema: Json, key: string): unknown[] {
    const min = typeof schema.minItems === 'number' ? schema.minItems : 0;
    const max = typeof schema.maxItems === 'number' ? schema.maxItems : Infinity;
    const count = Math.max(min, Math.min(max, LIST_KEYS.test(key) ? 3 : 1));
    const items = isObject(schema.items) ? schema.items : {};
    if (LIST_KEYS.test(key) && (items.type === 'string' || items.type === undefined) && !items.enum) {
      return keywords(this.ctx.content, count);
    }
    return Array.from({ length: count }, (_, i) => this.fill(items, `${key}[${i}]`));
  }

  private number(schema: Json, key: string, integer: boolean): number {
    const lo = typeof schema.minimum === 'number' ? schema.minimum : typeof schema.exclusiveMinimum === 'number' ? schema.exclusiveMinimum + 1 : 0;
    const hi = typeof schema.maximum === 'number' ? schema.maximum : typeof schema.exclusiveMaximum === 'number' ? schema.exclusiveMaximum - 1 : Infinity;
    let value = lo;
    if (RATING_KEYS.test(key)) {
      const { rating, sentiment } = this.analysis();
      value = rating ?? (sentiment === 'positive' ? 5 : sentiment === 'negative' ? 2 : 3);
    }
    value = Math.min(hi, Math.max(lo, value));
    return integer ? Math.round(value) : value;
  }

  private string(schema: Json, key: string, suggested: unknown): string {
    const max = typeof schema.maxLength === 'number' ? schema.maxLength : undefined;
    const min = typeof schema.minLength === 'number' ? schema.minLength : undefined;
    if (schema.format === 'date') return '2000-01-01';
    if (schema.format === 'date-time') return '2000-01-01T00:00:00Z';
    if (schema.format === 'email') return 'user@example.com';
    if (schema.format === 'uri' || schema.format === 'url') return 'https://example.com/';
    let text: string;
    if (typeof suggested === 'string') text = suggested;
    else if (suggested === null) text = 'none';
    else if (TITLE_KEYS.test(key)) text = describe(this.ctx.content, { ...this.limits, maxChars: Math.min(max ?? 70, 70) }).replace(/\.$/, '');
    else if (SUMMARY_KEYS.test(key)) text = describe(this.ctx.content, { ...this.limits, ...(max ? { maxChars: max } : {}) });
    else text = describe(this.ctx.content, { forbiddenOpenings: this.limits.forbiddenOpenings, maxChars: Math.min(max ?? 120, 120) });
    if (max !== undefined && text.length > max) text = text.slice(0, max);
    if (min !== undefined && text.length < min) text = text.padEnd(min, '.');
    return text;
  }
}

/** The most frequent content words, first-seen order breaking ties. */
function keywords(content: string, count: number): string[] {
  const freq = new Map<string, number>();
  for (const word of words(content)) {
    if (word.length >= 4 && !STOPWORDS.has(word) && !/^\d+$/.test(word)) freq.set(word, (freq.get(word) ?? 0) + 1);
  }
  const ranked = [...freq.entries()].sort((a, b) => b[1] - a[1]).map(([w]) => w);
  return Array.from({ length: count }, (_, i) => ranked[i] ?? `topic-${i + 1}`);
}

/** A value satisfying `schema` (the JSON Schema subset tools use), as useful as the content allows. */
export function fillSchema(schema: unknown, ctx: FillContext): unknown {
  const root = isObject(schema) ? schema : {};
  return new Filler(root, ctx).fill(root, '');
}
