import type { ParseContext } from 'micromark-util-types';

/*
 * The import and export statements MDX posts open with, recognised without
 * acorn, which the ESM extension runs on each (a third of what tokenizing an
 * MDX post cost). Anything else is left to the extension.
 *
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

/*
 * An export of a constant written as a literal, the way posts carry metadata
 * (`export const meta = { draft: true, tags: ['a', 'b'] }`): numbers, quoted
 * strings without escapes, true, false, null, and arrays and objects of them.
 * The name must not be one imported before it (the ESM extension declares
 * those ahead of each statement, and a second declaration is an error).
 */
const EXPORT = new RegExp(`^export[ \\t]+(?:const|let)[ \\t]+(${ID})[ \\t]*=[ \\t]*`);

/** Whether `text` is one export of a literal constant. */
export function plainExport(text: string, parser: ParseContext): boolean {
  const match = EXPORT.exec(text);
  if (!match) return false;
  const name = match[1]!;
  // Two `__proto__` keys in one literal are a syntax error; rare enough to leave to acorn.
  if (text.includes('__proto__')) return false;
  if (UNBINDABLE.has(name) || (parser as ParseContext & { definedModuleSpecifiers?: string[] }).definedModuleSpecifiers?.includes(name)) return false;
  const end = literalEnd(text, match[0].length, 0);
  return end !== undefined && /^[ \t]*;?[ \t\r\n]*$/.test(text.slice(end));
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const STRING = /"[^"\\\n\r]*"|'[^'\\\n\r]*'/y;
const WORD = /(?:true|false|null)(?![\w$])/y;
const KEY = new RegExp(`(?:${ID}|"[^"\\\\\\n\\r]*"|'[^'\\\\\\n\\r]*')[ \\t\\r\\n]*:`, 'y');
const SPACE = /[ \t\r\n]*/y;
/** Literals nest a few levels in front matter-like metadata; deeper ones go to acorn. */
const MAX_DEPTH = 8;

/** Where the literal starting at `at` ends, or undefined if it is not one of the plain forms. */
function literalEnd(text: string, at: number, depth: number): number | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const open = text[at];
  if (open !== '[' && open !== '{') {
    for (const form of [NUMBER, STRING, WORD]) {
      form.lastIndex = at;
      if (form.test(text)) return form.lastIndex;
    }
    return undefined;
  }
  const close = open === '[' ? ']' : '}';
  let pos = skip(text, at + 1);
  while (text[pos] !== close) {
    if (open === '{') {
      KEY.lastIndex = pos;
      if (!KEY.test(text)) return undefined;
      pos = skip(text, KEY.lastIndex);
    }
    const end = literalEnd(text, pos, depth + 1);
    if (end === undefined) return undefined;
    pos = skip(text, end);
    if (text[pos] === ',') pos = skip(text, pos + 1);
    else if (text[pos] !== close) return undefined;
  }
  return pos + 1;
}

function skip(text: string, at: number): number {
  SPACE.lastIndex = at;
  SPACE.test(text);
  return SPACE.lastIndex;
}
