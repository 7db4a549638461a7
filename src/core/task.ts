import type { TaskConfig } from '../config/schema.js';
import type { CompiledSchema } from './output-schema.js';
import type { RenderFn } from './template.js';

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
  /**
   * Digest of everything besides the file that shapes this task's requests
   * (templates, model, limits, schema): a request remembered under the same
   * fingerprint and file digest need not be rendered again to be known.
   */
  fingerprint: string;
}
