import type { Task } from './task.js';
import { getField, isMissing } from '../frontmatter/field-path.js';
import type { Identifier } from './identify.js';
import { LANGUAGE_KEYS, languageTag, localeOfPath, type I18nSettings, type PageLanguage } from './locale.js';
import { covers } from './needs.js';

/**
 * Pure: a page's language, from the most explicit source that names one: its front matter (`lang`, `locale`,
 * `language`), its path, the config's `defaultLocale` for a page outside every locale folder, else what the
 * identifier reads in `text` (the excerpt), when it can tell.
 */
export function pageLanguage(file: { rel: string; data?: Record<string, unknown> | undefined }, i18n: I18nSettings, identifier?: Identifier, text?: string): PageLanguage | undefined {
  for (const key of LANGUAGE_KEYS) {
    const tag = languageTag(file.data?.[key]);
    if (tag) return { code: tag, from: 'front-matter' };
  }
  const inPath = localeOfPath(file.rel, i18n);
  if (inPath) return { code: inPath.tag, from: 'path' };
  const fallback = languageTag(i18n.defaultLocale);
  if (fallback) return { code: fallback, from: 'config' };
  const seen = identifier && text ? identifier.identify(text) : undefined;
  return seen?.language && !seen.tooShort ? { code: seen.language, from: 'identified' } : undefined;
}
/** The task checks its answers' language (output.language). */
export const checksLanguage = (task: Task): boolean => task.config.output.type === 'text' && task.config.output.language !== undefined;

/**
 * Pure: whether planning these files will need the identifier: a page that will be asked about and whose language
 * nothing names (front matter, path, i18n.defaultLocale), or a value in a file that a `when: 'invalid'` task's
 * language rule must judge. Loading it costs ~0.2 s, which a plan with nothing to ask need not pay.
 */
export function needsIdentifier(tasks: readonly Task[], files: ReadonlyArray<{ rel: string; data?: Record<string, unknown> | undefined }>): boolean {
  return tasks.some((task) => {
    const language = task.language;
    if (!language) return false;
    const covered = covers(task);
    return files.some((file) => {
      if (!file.data || !covered(file.rel)) return false;
      const missing = isMissing(getField(file.data, task.fieldPath));
      if (!missing && task.config.when === 'invalid' && checksLanguage(task)) return true;
      return (missing || task.config.when !== 'missing') && !pageLanguage(file, language.i18n);
    });
  });
}
