import { taskFingerprint, type Task } from '../../src/config/load.js';
import { validateConfig } from '../../src/config/validate.js';
import { compileOutputSchema } from '../../src/core/output-schema.js';
import { compileTemplate, templateVariables } from '../../src/core/template.js';

/** A Task as loadProject builds it, from an inline config and template text. */
export function makeTask(name: string, input: Record<string, unknown>, template = 'Title: {{title}}\n<excerpt>{{excerpt}}</excerpt>'): Task {
  const { config, errors } = validateConfig({ tasks: { [name]: { template: `${name}.hbs`, ...input } } });
  if (!config) throw new Error(errors.join('\n'));
  const tc = config.tasks[name]!;
  const schema = tc.output.type === 'json' ? compileOutputSchema(tc.output.schema) : undefined;
  const model = tc.model ?? config.model;
  const maxTokens = tc.maxTokens ?? config.maxTokens;
  return {
    name,
    config: tc,
    fieldPath: tc.field.split('.'),
    model,
    maxTokens,
    include: tc.include ?? config.content.include,
    render: compileTemplate(template, `${name}.hbs`),
    readsExcerpt: templateVariables(template).has('excerpt'),
    ...(schema ? { schema } : {}),
    fingerprint: taskFingerprint({ name, config: tc, model, maxTokens, template, schema }),
  };
}
