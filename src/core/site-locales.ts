import { parse as parseJs, type Node } from 'acorn';
import { parse as parseToml } from 'smol-toml';
import { parse as parseYaml } from 'yaml';
import { languageTag } from './locale.js';

/** What a site generator's config says of its languages, in the shape of batchmatter's `i18n` key. */
export interface SiteLocales {
  defaultLocale: string;
  locales: string[];
}

/** The generators' config files that can declare locales, in the order init looks for them. */
export const LOCALE_CONFIGS = ['astro.config.mjs', 'astro.config.ts', 'astro.config.js', 'docusaurus.config.js', 'docusaurus.config.ts', 'hugo.toml', 'hugo.yaml', 'config.toml'];

type Props = Map<string, Node>;

/** Locale names init can write into a config as they are: folder-like names only (`fr`, `pt-br`, `zh_CN`). */
const NAME = /^[A-Za-z0-9_-]{1,20}$/;
const safe = (found: SiteLocales): SiteLocales | undefined => {
  const locales = found.locales.filter((l) => NAME.test(l));
  return NAME.test(found.defaultLocale) && locales.length ? { defaultLocale: found.defaultLocale, locales } : undefined;
};

/** An object literal's properties by name (identifier or string keys), ignoring spreads and computed keys. */
function propsOf(node: Node): Props {
  const props: Props = new Map();
  for (const p of (node as unknown as { properties: Node[] }).properties) {
    if (p.type !== 'Property') continue;
    const { key, value, computed } = p as unknown as { key: Node & { name?: string; value?: unknown }; value: Node; computed: boolean };
    const name = computed ? undefined : key.type === 'Identifier' ? key.name : typeof key.value === 'string' ? key.value : undefined;
    if (name !== undefined) props.set(name, value);
  }
  return props;
}

const stringOf = (node: Node | undefined) => (node?.type === 'Literal' && typeof (node as unknown as { value: unknown }).value === 'string' ? ((node as unknown as { value: string }).value) : undefined);

/**
 * `locales` as Astro and Docusaurus write it (`['en', 'fr']`) or as Starlight does (`{ root: { lang: 'en' },
 * fr: {…} }`, the `root` locale living at the top of the content folder), with its `defaultLocale` beside it.
 */
function fromLocales(props: Props, resolve: (node: Node | undefined) => Node | undefined): SiteLocales | undefined {
  const locales = resolve(props.get('locales'));
  const named = stringOf(props.get('defaultLocale'));
  if (locales?.type === 'ArrayExpression') {
    const list = (locales as unknown as { elements: Array<Node | null> }).elements.map((e) => stringOf(e ?? undefined)).filter((v): v is string => v !== undefined);
    const fallback = named ?? list[0];
    return fallback && languageTag(fallback) ? safe({ defaultLocale: fallback, locales: list }) : undefined;
  }
  if (locales?.type !== 'ObjectExpression') return undefined;
  const entries = propsOf(locales);
  const langOf = (key: string) => {
    const entry = entries.get(key);
    return (entry?.type === 'ObjectExpression' ? stringOf(propsOf(entry).get('lang')) : undefined) ?? key;
  };
  const folders = [...entries.keys()].filter((key) => key !== 'root');
  const fallbackKey = named ?? (entries.has('root') ? 'root' : folders[0]);
  const fallback = fallbackKey === undefined ? undefined : langOf(fallbackKey);
  return fallback && languageTag(fallback) ? safe({ defaultLocale: fallbackKey === 'root' ? fallback : (fallbackKey ?? fallback), locales: folders }) : undefined;
}

/**
 * Pure: the locales a JavaScript config declares (`astro.config.mjs`, `docusaurus.config.js`), read from its
 * syntax, never run: the first object with a `locales` key that says something usable. A file acorn cannot
 * parse (TypeScript annotations) gives nothing.
 */
export function localesInScript(source: string): SiteLocales | undefined {
  let ast: Node;
  try {
    ast = parseJs(source, { ecmaVersion: 'latest', sourceType: 'module' });
  } catch {
    return undefined;
  }
  // `locales` is often a constant of its own (`export const locales = {…}`, `starlight({ locales })`).
  const constants = new Map<string, Node>();
  const collect = (node: unknown): void => {
    if (typeof node !== 'object' || node === null) return;
    if (Array.isArray(node)) return node.forEach(collect);
    const n = node as Node & { id?: Node & { name?: string }; init?: Node | null };
    if (n.type === 'VariableDeclarator' && n.id?.type === 'Identifier' && n.init && n.id.name) constants.set(n.id.name, n.init);
    for (const [key, child] of Object.entries(n)) if (key !== 'loc') collect(child);
  };
  collect(ast);
  const resolve = (node: Node | undefined) => (node?.type === 'Identifier' ? constants.get((node as unknown as { name: string }).name) : node);
  let found: SiteLocales | undefined;
  const visit = (node: unknown): void => {
    if (found || typeof node !== 'object' || node === null) return;
    if (Array.isArray(node)) return node.forEach(visit);
    const n = node as Node;
    if (n.type === 'ObjectExpression') {
      const props = propsOf(n);
      if (props.has('locales')) found = fromLocales(props, resolve);
    }
    for (const [key, child] of Object.entries(n)) if (key !== 'loc' && key !== 'start' && key !== 'end') visit(child);
  };
  visit(ast);
  return found;
}

/** Pure: Hugo's `defaultContentLanguage` and `[languages.<code>]` (TOML or YAML). */
function localesInHugo(source: string, format: 'toml' | 'yaml'): SiteLocales | undefined {
  let data: unknown;
  try {
    data = format === 'toml' ? parseToml(source) : parseYaml(source);
  } catch {
    return undefined;
  }
  if (typeof data !== 'object' || data === null) return undefined;
  const { languages, defaultContentLanguage } = data as { languages?: unknown; defaultContentLanguage?: unknown };
  if (typeof languages !== 'object' || languages === null) return undefined;
  const locales = Object.keys(languages);
  const fallback = typeof defaultContentLanguage === 'string' ? defaultContentLanguage : 'en';
  return locales.length > 1 && languageTag(fallback) ? safe({ defaultLocale: fallback, locales }) : undefined;
}

/** Pure: what the named config file declares, by its kind. */
export function localesIn(file: string, source: string): SiteLocales | undefined {
  if (file.endsWith('.toml')) return localesInHugo(source, 'toml');
  if (file.endsWith('.yaml')) return localesInHugo(source, 'yaml');
  return localesInScript(source);
}
