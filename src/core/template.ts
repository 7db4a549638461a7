import Handlebars from 'handlebars';

export type RenderFn = (vars: Record<string, unknown>) => string;

/**
 * Compiles a prompt template. Strict mode makes a reference to a variable the
 * file does not have an error (named by the caller) rather than a silent gap in
 * the prompt; noEscape because prompts are not HTML.
 */
export function compileTemplate(source: string, name: string): RenderFn {
  const env = Handlebars.create();
  let render: HandlebarsTemplateDelegate;
  try {
    // Precompile now so a syntax error is reported at config time, not per file.
    Handlebars.parse(source);
    render = env.compile(source, { strict: true, noEscape: true });
  } catch (error) {
    throw new TemplateError(name, (error as Error).message.split('\n')[0] ?? 'syntax error');
  }
  return (vars) => {
    try {
      return render(vars);
    } catch (error) {
      const message = (error as Error).message;
      const missing = /^"?([^"\s]+)"? not defined in/.exec(message);
      throw new TemplateError(name, missing ? `references "${missing[1]}", which this file does not have` : message.split('\n')[0] ?? message);
    }
  };
}

export class TemplateError extends Error {
  override name = 'TemplateError';
  constructor(
    readonly template: string,
    readonly reason: string,
  ) {
    super(`template ${template}: ${reason}`);
  }
}
