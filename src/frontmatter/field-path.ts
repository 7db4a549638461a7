/** `seo.description` → `['seo', 'description']`. Keys containing dots are not addressable. */
export function parseFieldPath(field: string): string[] {
  const path = field.split('.');
  if (path.some((segment) => segment.trim() === '')) {
    throw new Error(`invalid field path "${field}": empty segment`);
  }
  return path;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value at `path`, or undefined when a step is absent or not a map. */
export function getField(data: Record<string, unknown>, path: readonly string[]): unknown {
  let current: unknown = data;
  for (const key of path) {
    if (!isRecord(current) || !Object.hasOwn(current, key)) return undefined;
    current = current[key];
  }
  return current;
}

/** `value` wrapped in a map per key: `nest(['seo', 'og'], v)` → `{ seo: { og: v } }`; `value` itself for an empty path. */
export function nest(path: readonly string[], value: unknown): unknown {
  return path.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value);
}

/** A copy of `data` with `value` at `path`, creating maps where a step is absent or not a map. */
export function withField(data: Record<string, unknown>, path: readonly string[], value: unknown): Record<string, unknown> {
  const [key, ...rest] = path;
  if (key === undefined) throw new Error('empty field path');
  const child = data[key];
  return { ...data, [key]: rest.length ? withField(isRecord(child) ? child : {}, rest, value) : value };
}

/** A field "needs a value" when absent, null, or a blank string. */
export function isMissing(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

/**
 * When `path` is absent (or blank, beside a variant that is not) but a key differing only in case holds a value at some
 * step (`Description` for `description`), that key's dotted path: adding the
 * field would give the page two keys a reader takes for one.
 */
export function findCaseVariant(data: Record<string, unknown>, path: readonly string[]): string | undefined {
  let current: unknown = data;
  const seen: string[] = [];
  for (const [i, key] of path.entries()) {
    if (!isRecord(current)) return undefined;
    const record = current;
    // The field itself may be there but blank (`description: ""` beside `Description: …`): the variant holds the value.
    const present = Object.hasOwn(record, key);
    const blank = present && i === path.length - 1 && isMissing(record[key]);
    if (present && !blank) {
      seen.push(key);
      current = record[key];
      continue;
    }
    const variant = Object.keys(record).find((k) => k !== key && k.toLowerCase() === key.toLowerCase() && !(blank && isMissing(record[k])));
    return variant === undefined ? undefined : [...seen, variant].join('.');
  }
  return undefined;
}

/**
 * Why `path` cannot be written in `data`, when a step on the way holds a list or a value (`seo: just a string`
 * for `seo.description`): that step's dotted path and what it holds. An absent or blank step becomes the map.
 */
export function blockedStep(data: Record<string, unknown>, path: readonly string[]): string | undefined {
  let current = data;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i]!;
    if (!Object.hasOwn(current, key)) return undefined;
    const step = current[key];
    if (isRecord(step)) {
      current = step;
      continue;
    }
    return isMissing(step) ? undefined : `${path.slice(0, i + 1).join('.')} is ${Array.isArray(step) ? 'a list' : 'a value'}, not a map`;
  }
  return undefined;
}
