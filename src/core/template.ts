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
    // "Parse error on line 2:", the source line, a caret, then what was expected: the first and the last say it.
    const lines = (error as Error).message.split('\n').filter((l) => l.trim());
    throw new TemplateError(name, lines.length > 1 ? `${lines[0]} ${lines.at(-1)}` : (lines[0] ?? 'syntax error'));
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

/** Handlebars' own helpers; templates get no others. */
const BUILT_IN = new Set(['if', 'unless', 'each', 'with', 'lookup', 'log']);

type AstNode = { type: string; [key: string]: unknown };
type PathNode = { type: 'PathExpression'; original: string; parts: string[]; data: boolean; depth: number };

/**
 * What in a template would fail for every file alike, so it is a config error
 * rather than one report per file: a partial (templates are single files), a
 * helper Handlebars does not have, `{{output.x}}` for a limit the task does not
 * set, `{{tasks.x}}` for a task it does not depend on.
 */
export function templateProblems(source: string, known: { output: Record<string, unknown>; tasks: readonly string[] }): string[] {
  const problems = new Set<string>();
  walkTemplate(source, (n, scoped) => {
    if (n.type === 'PartialStatement' || n.type === 'PartialBlockStatement') problems.add('uses a partial ({{> …}}); a template is one file, without partials');
    const callee = pathOf(n.path);
    const params = (n.params as unknown[] | undefined) ?? [];
    const called = n.type === 'SubExpression' || params.length > 0 || ((n.hash as { pairs?: unknown[] } | undefined)?.pairs?.length ?? 0) > 0;
    if (callee && called && !BUILT_IN.has(callee.original)) problems.add(`uses the helper "${callee.original}"; only Handlebars' own (${[...BUILT_IN].join(', ')}) are available`);
    const used = fileVariable(n, scoped);
    const [head, name] = used?.parts ?? [];
    if (head === 'output' && name !== undefined && !(name in known.output)) problems.add(`uses {{${used!.original}}}, but the task's output sets no ${name}`);
    if (head === 'tasks' && name !== undefined && !known.tasks.includes(name)) problems.add(`uses {{${used!.original}}}, but the task does not depend on ${name} (dependsOn)`);
  });
  return [...problems];
}

/**
 * The variables a template reads (`excerpt`, `title`, `data`, `output`…), by
 * their first name, outside each/with blocks (whose names refer to the items).
 * `@root` stands for any variable reached through `{{@root.x}}`.
 */
export function templateVariables(source: string): Set<string> {
  const found = new Set<string>();
  walkTemplate(source, (n, scoped) => {
    const used = fileVariable(n, scoped);
    if (used?.parts[0] !== undefined) found.add(used.parts[0]);
    const path = pathOf(n);
    if (path?.data && path.parts[0] === 'root') found.add('@root');
  });
  return found;
}

/** Variables that are the same for every file of a task: a prompt reading only these renders alike for all. */
const TASK_VARIABLES = new Set(['output', 'task', 'field']);

/** Whether a template renders the same text for every file of its task (a system prompt that can be cached). */
export const sameForEveryFile = (source: string): boolean => [...templateVariables(source)].every((name) => TASK_VARIABLES.has(name));

const pathOf = (node: unknown) => ((node as PathNode | undefined)?.type === 'PathExpression' ? (node as PathNode) : undefined);

/** A path that names one of the file's variables: not `@index`, not `../x`, not inside each/with. */
const fileVariable = (n: AstNode, scoped: boolean) => {
  const used = pathOf(n);
  return used && !scoped && !used.data && used.depth === 0 ? used : undefined;
};

/** Calls `visit` on every node of the template's syntax tree; `scoped` inside each/with, where names refer to the items. */
function walkTemplate(source: string, visit: (node: AstNode, scoped: boolean) => void): void {
  const walk = (node: unknown, scoped: boolean): void => {
    if (Array.isArray(node)) return node.forEach((child) => walk(child, scoped));
    if (typeof node !== 'object' || node === null) return;
    const n = node as AstNode;
    visit(n, scoped);
    const callee = pathOf(n.path)?.original;
    const inner = scoped || (n.type === 'BlockStatement' && (callee === 'each' || callee === 'with'));
    for (const [key, child] of Object.entries(n)) if (key !== 'loc' && key !== 'type') walk(child, key === 'program' || key === 'inverse' ? inner : scoped);
  };
  walk(Handlebars.parse(source).body, false);
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
