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
    throw new TemplateError(name, syntaxProblem(source, (error as Error).message));
  }
  return (vars) => {
    try {
      return render(vars);
    } catch (error) {
      const message = (error as Error).message;
      const missing = /^"?([^"\s]+)"? not defined in/.exec(message);
      if (!missing) throw new TemplateError(name, message.split('\n')[0] ?? message);
      const at = error as { lineNumber?: number; column?: number };
      throw new TemplateError(name, missingProblem(source, vars, missing[1]!, at.lineNumber, at.column));
    }
  };
}

/** The line of a template, shortened to be quoted in one message line. */
function quoteLine(source: string, line: number): string {
  const text = (source.split(/\r?\n/)[line - 1] ?? '').trim();
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * A Handlebars syntax error as the line it is on and what to do, instead of
 * the parser's list of expected tokens ("Expecting 'CLOSE_RAW_BLOCK', ...").
 */
function syntaxProblem(source: string, message: string): string {
  const parse = /^Parse error on line (\d+):/.exec(message);
  // Compile errors carry " - line:column" ("if doesn't match each - 2:3").
  const compiled = /^(.*) - (\d+):(\d+)$/.exec(message.split('\n')[0] ?? '');
  const got = /got '(\w+)'\s*$/.exec(message)?.[1];
  const open = got === 'EOF' ? unclosedBlock(source) : undefined;
  const line = open?.line ?? Number(parse?.[1] ?? compiled?.[2] ?? 0);
  const expected = /Expecting (.*), got/.exec(message)?.[1] ?? '';
  const mismatch = /^(\S+) doesn't match (\S+)$/.exec(compiled?.[1] ?? '');
  const hint = mismatch
    ? `{{#${mismatch[1]}}} is closed by {{/${mismatch[2]}}}: close each block with its own name`
    : got === 'EOF'
      ? open
        ? `{{#${open.name}}} is never closed: add {{/${open.name}}} where the block ends`
        : 'the template ends inside a block: each {{#if …}} or {{#each …}} needs its {{/if}} or {{/each}}'
      : got === 'INVALID'
        ? 'a {{ is closed with a single }: write }}'
        : got === 'CLOSE' && expected.includes('CLOSE_UNESCAPED')
          ? '{{{ is closed with }}: write }}} (or {{ … }} on both sides)'
          : got === 'CLOSE'
            ? 'a {{ … }} is empty or ends too early: put a variable name in it, like {{title}}'
            : got
              ? `unexpected ${got.toLowerCase().replace(/_/g, ' ')}: check the {{ … }} on that line`
              : (compiled?.[1] ?? message.split('\n')[0] ?? 'syntax error');
  return line ? `syntax error on line ${line} (${quoteLine(source, line) || 'empty line'}): ${hint}` : `syntax error: ${hint}`;
}

/** The innermost block opened and not closed, with its line: where the fix goes. */
function unclosedBlock(source: string): { name: string; line: number } | undefined {
  const stack: Array<{ name: string; line: number }> = [];
  for (const tag of source.matchAll(/\{\{~?\s*([#/])\s*([\w.-]+)/g)) {
    const line = source.slice(0, tag.index).split('\n').length;
    if (tag[1] === '#') stack.push({ name: tag[2]!, line });
    else if (stack.at(-1)?.name === tag[2]) stack.pop();
  }
  return stack.at(-1);
}

/**
 * A variable this file lacks, by its full path (`data.author.name`, not `name`), with the `{{#if}}` that
 * leaves it out where it is missing. The guard names the first part the file lacks: `{{#if a.b.c}}`
 * fails when `a.b` itself is missing.
 */
function missingProblem(source: string, vars: Record<string, unknown>, last: string, line?: number, column?: number): string {
  let parts = [last];
  if (line !== undefined && column !== undefined) {
    walkTemplate(source, (n) => {
      const p = pathOf(n);
      const loc = n.loc as { start: { line: number; column: number } } | undefined;
      if (p && !p.data && p.depth === 0 && loc?.start.line === line && loc.start.column === column && p.parts.at(-1) === last) parts = p.parts;
    });
  }
  let value: unknown = vars;
  let missing = parts.length;
  for (const [i, part] of parts.entries()) {
    value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[part] : undefined;
    if (value === undefined) {
      missing = i + 1;
      break;
    }
  }
  const guard = parts.slice(0, missing).join('.');
  const where = line ? ` on line ${line}` : '';
  return `references "${parts.join('.')}"${where}, which this file does not have; wrap what uses it in {{#if ${guard}}}…{{/if}} to leave it out where it is missing`;
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
