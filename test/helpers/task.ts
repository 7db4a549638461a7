import type { Task } from '../../src/config/load.js';
import { validateConfig } from '../../src/config/validate.js';
import { compileOutputSchema } from '../../src/core/output-schema.js';
import { compileTemplate } from '../../src/core/template.js';

/** A Task as loadProject builds it, from an inline config and template text. */
export function makeTask(name: string, input: Record<string, unknown>, template = 'Title: {{title}}\n<excerpt>{{excerpt}}</excerpt>'): Task {
  const { config, errors } = validateConfig({ tasks: { [name]: { template: `${name}.hbs`, ...input } } });
  if (!config) throw new Error(errors.join('\n'));
  const tc = config.tasks[name]!;
  return {
    name,
    config: tc,
    fieldPath: tc.field.split('.'),
    model: tc.model ?? config.model,
    maxTokens: tc.maxTokens ?? config.maxTokens,
    include: tc.include ?? config.content.include,
    render: compileTemplate(template, `${name}.hbs`),
    ...(tc.output.type === 'json' ? { schema: compileOutputSchema(tc.output.schema) } : {}),
  };
}
