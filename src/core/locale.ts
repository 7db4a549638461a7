import path from 'node:path';

/** Language codes, names and locale paths: plain data, no identifier (see language.ts for a page's language). */

/** The site's languages, as the config says (`i18n`). */
export interface I18nSettings {
  /** The language of pages outside every locale folder, and of the pages translations are made from. */
  defaultLocale?: string | undefined;
  /** The locale folders (`fr`, `pt-br`, `zh-cn`) or Hugo suffixes (`post.fr.md`) of the site. */
  locales?: readonly string[] | undefined;
}

export interface PageLanguage {
  /** A BCP 47 tag as the site writes it, canonical in case (`pt-BR`, `zh-CN`, `ja`). */
  code: string;
  from: 'front-matter' | 'path' | 'config' | 'identified';
}

/** Front matter keys that name a page's language, first found wins. */
export const LANGUAGE_KEYS = ['lang', 'locale', 'language'] as const;

const englishNames = new Intl.DisplayNames(['en'], { type: 'language', fallback: 'none' });

/** `zh-cn` → `zh-CN`, `pt_BR` → `pt-BR`; undefined for anything Intl does not know as a language (`root`, `docs`, `xx`). */
export function languageTag(value: unknown): string | undefined {
  if (typeof value !== 'string' || !/^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$/.test(value.trim())) return undefined;
  try {
    const [tag] = Intl.getCanonicalLocales(value.trim().replace(/_/g, '-'));
    return tag && englishNames.of(baseLanguage(tag)) ? tag : undefined;
  } catch {
    return undefined;
  }
}

/** `pt-BR` → `pt`: what language identification can tell apart. */
export const baseLanguage = (tag: string): string => tag.split('-')[0]!.toLowerCase();

/** The language's name in English and in itself: `Japanese`, `日本語`. */
export function languageNames(tag: string): { english: string; native: string } {
  const english = new Intl.DisplayNames(['en'], { type: 'language' }).of(tag) ?? tag;
  let native = english;
  try {
    native = new Intl.DisplayNames([tag], { type: 'language' }).of(tag) ?? english;
  } catch {
    // a tag Intl has no data for: the English name stands
  }
  return { english, native };
}

/** The template variables of a page's language: empty names when it is not known. */
export function languageVars(language: PageLanguage | undefined): Record<string, unknown> {
  if (!language) return { lang: '', languageName: '', languageNativeName: '', nonEnglish: false };
  const names = languageNames(language.code);
  return { lang: language.code, languageName: names.english, languageNativeName: names.native, nonEnglish: baseLanguage(language.code) !== 'en' };
}

/** Folders under which a bare language code is a locale folder, when the config lists no locales. */
const LOCALE_PARENTS = new Set(['i18n', 'content', 'docs', 'locales', 'translations', 'lang', 'languages']);

/**
 * Where a path names its locale: a folder (`fr/guide.md`, `content/fr/…`, `i18n/de/…`) or a Hugo suffix
 * (`post.fr.md`). With `locales` configured only those count, in any folder; without, a language code counts as
 * the first folder or under a folder such as `content/` or `i18n/`, so `posts/it/…` is not taken for Italian.
 */
export function localeOfPath(rel: string, i18n: I18nSettings): { locale: string; tag: string; kind: 'folder' | 'suffix'; index: number } | undefined {
  const parts = rel.split('/');
  const configured = i18n.locales?.length ? new Map(i18n.locales.map((l) => [l.toLowerCase(), l])) : undefined;
  const known = (segment: string) => {
    if (configured) {
      const locale = configured.get(segment.toLowerCase());
      const tag = locale === undefined ? undefined : languageTag(locale);
      return locale !== undefined && tag ? { locale, tag } : undefined;
    }
    const tag = /^[a-z]{2}(?:-[a-z]{2,4})?$/i.test(segment) ? languageTag(segment) : undefined;
    return tag ? { locale: segment, tag } : undefined;
  };
  for (let i = 0; i < parts.length - 1; i++) {
    if (!configured && i > 0 && !LOCALE_PARENTS.has(parts[i - 1]!.toLowerCase())) continue;
    const found = known(parts[i]!);
    if (found) return { ...found, kind: 'folder', index: i };
  }
  const suffix = /\.([A-Za-z]{2}(?:[-_][A-Za-z]{2,4})?)\.[^./]+$/.exec(parts.at(-1)!);
  const found = suffix ? known(suffix[1]!) : undefined;
  return found ? { ...found, kind: 'suffix', index: parts.length - 1 } : undefined;
}
/**
 * Pure: where a translated page's source would be, the same path in the default locale: `fr/guide.md` →
 * `guide.md` (a default locale at the root, as Starlight keeps it) or `en/guide.md`; `post.fr.md` → `post.md`
 * or `post.en.md`. Empty when the page is not in a locale, or is in the default one.
 */
export function sourceCandidates(rel: string, i18n: I18nSettings): string[] {
  const found = localeOfPath(rel, i18n);
  const fallback = i18n.defaultLocale;
  if (!found || !fallback || found.locale.toLowerCase() === fallback.toLowerCase()) return [];
  const parts = rel.split('/');
  if (found.kind === 'folder') {
    const without = [...parts.slice(0, found.index), ...parts.slice(found.index + 1)].join('/');
    const replaced = [...parts.slice(0, found.index), fallback, ...parts.slice(found.index + 1)].join('/');
    return [replaced, without];
  }
  const name = parts.at(-1)!;
  const ext = path.posix.extname(name);
  const stem = name.slice(0, -ext.length - found.locale.length - 1);
  const dir = parts.slice(0, -1);
  return [[...dir, `${stem}.${fallback}${ext}`].join('/'), [...dir, `${stem}${ext}`].join('/')];
}

/** `en 12, fr 3, ja 3`: requests per page language, for a task that knows it; '' otherwise, and for a site in one language. */
export function byLanguage(items: ReadonlyArray<{ lang?: string | undefined }>): string {
  const counts = new Map<string, number>();
  for (const { lang } of items) if (lang) counts.set(lang, (counts.get(lang) ?? 0) + 1);
  const unknown = items.length - [...counts.values()].reduce((a, b) => a + b, 0);
  if (!counts.size || (counts.size === 1 && !unknown)) return '';
  return [...[...counts].sort(([a], [b]) => (a < b ? -1 : 1)).map(([lang, n]) => `${lang} ${n}`), ...(unknown ? [`unknown ${unknown}`] : [])].join(', ');
}
