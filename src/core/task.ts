import type { TaskConfig } from '../config/schema.js';
import type { CompiledSchema } from './output-schema.js';
import type { RenderFn } from './template.js';
import type { Identifier } from './identify.js';
import type { I18nSettings } from './locale.js';

/** A task of the config, resolved: its templates compiled, its schema ready, its fingerprint taken. */
export interface Task {
  name: string;
  config: TaskConfig;
  fieldPath: string[];
  model: string;
  maxTokens: number;
  /** Globs relative to the content root. */
  include: string[];
  render: RenderFn;
  system?: RenderFn;
  /** Whether the prompt shows the body (`{{excerpt}}`): a file whose body has no prose then has nothing to be described from. */
  readsExcerpt: boolean;
  /** The system prompt reads nothing of the file, so it is the same in every request: only then is it worth caching. */
  systemShared?: boolean;
  schema?: CompiledSchema;
  /** Set when the prompt or the output rules need each page's language (see language.ts). */
  language?: TaskLanguage;
  /**
   * Digest of everything besides the file that shapes this task's requests
   * (templates, model, limits, schema): a request remembered under the same
   * fingerprint and file digest need not be rendered again to be known.
   */
  fingerprint: string;
}

/** What a task needs to know each page's language: the config's settings and the identifier, loaded once. */
export interface TaskLanguage {
  i18n: I18nSettings;
  identifier: Identifier;
  /** The prompt reads `{{source.<field>}}`: the same page's answer in the default locale. */
  readsSource: boolean;
}
