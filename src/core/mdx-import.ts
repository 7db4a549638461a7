import type { ParseContext } from 'micromark-util-types';

/*
 * An MDX import on one line, in the forms posts use: a default, named or
 * namespace import of a quoted module. Its names must be ones a module may
 * bind, each once in the text: the ESM extension parses each import with
 * acorn, declaring the names imported before it, and a text that declares one
 * twice is not MDX.
 */
const ID = '[A-Za-z_$][\\w$]*';
const IMPORT = new RegExp(
  `^import[ \\t]+(?:(${ID})(?:[ \\t]*,[ \\t]*(?:\\{([^}\\n]*)\\}|\\*[ \\t]*as[ \\t]+(${ID})))?|\\{([^}\\n]*)\\}|\\*[ \\t]*as[ \\t]+(${ID}))` +
    `[ \\t]+from[ \\t]*(?:'[^'\\\\\\n]*'|"[^"\\\\\\n]*")[ \\t]*;?[ \\t]*$`,
);
const NAMED = new RegExp(`^(?:(${ID})|${ID}[ \\t]+as[ \\t]+(${ID}))$`);
/** Words a module cannot bind (reserved, strict-mode reserved, and what strict mode forbids binding). */
const UNBINDABLE = new Set(
  'arguments await break case catch class const continue debugger default delete do else enum eval export extends false finally for function if implements import in instanceof interface let new null package private protected public return static super switch this throw true try typeof var void while with yield'.split(
    ' ',
  ),
);

/** Whether `text` is one plain import; if so its names are declared where the ESM extension keeps them, as its own parse would. */
export function plainImport(text: string, parser: ParseContext): boolean {
  const match = IMPORT.exec(text);
  if (!match) return false;
  const [, defaultName, named1, namespace1, named2, namespace2] = match;
  const names = [defaultName, namespace1, namespace2].filter((name) => name !== undefined);
  const named = named1 ?? named2;
  if (named !== undefined && named.trim() !== '') {
    const parts = named.split(',').map((part) => part.trim());
    if (parts.at(-1) === '') parts.pop(); // a trailing comma
    for (const part of parts) {
      const specifier = NAMED.exec(part);
      if (!specifier) return false;
      names.push((specifier[1] ?? specifier[2])!);
    }
  }
  const state = parser as ParseContext & { definedModuleSpecifiers?: string[] };
  const declared = new Set(state.definedModuleSpecifiers);
  for (const name of names) {
    if (UNBINDABLE.has(name) || declared.has(name)) return false;
    declared.add(name);
  }
  (state.definedModuleSpecifiers ??= []).push(...names);
  return true;
}
