import remarkMdx from 'remark-mdx';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import { excerpt } from '../../src/core/excerpt.js';
import { stripSiteSyntax } from '../../src/core/site-syntax.js';

/*
 * The excerpt reads micromark's token stream instead of building remark's
 * syntax tree. This is the oracle it must agree with: the same rules applied
 * to the tree remark-parse (+ remark-mdx) builds from the same text.
 */
interface MdNode {
  type: string;
  value?: unknown;
  children?: MdNode[];
  position?: { start: { line: number; offset?: number }; end: { line: number; offset?: number } };
}
const markdown = unified().use(remarkParse).freeze();
const mdx = unified().use(remarkParse).use(remarkMdx).freeze();
const DROP = new Set(['mdxjsEsm', 'mdxFlowExpression', 'mdxTextExpression', 'code', 'html', 'definition', 'image', 'imageReference']);
const BLOCKS = new Set(['paragraph', 'heading']);
const ESM_LINE = /^(?:import|export)\b/;

/** The text of `node`, of its lines before `before` only (a table starts there). */
function inlineText(node: MdNode, before = Infinity): string {
  const start = node.position?.start.line ?? 0;
  if (start >= before) return '';
  if (DROP.has(node.type) || node.type === 'break') return ' ';
  if (typeof node.value === 'string') return node.value.split('\n').slice(0, before - start).join('\n');
  return node.children ? node.children.map((child) => inlineText(child, before)).join('') : '';
}

/*
 * What GFM and the site generators add to Markdown, which remark-parse reads
 * as text, is left out by the excerpt; the oracle applies the same rules to
 * remark's tree: a GFM table (a header row over a delimiter row with as many
 * cells, to the end of its paragraph) and, on request, directive fences
 * (`:::note`), which remark sees as lines of a paragraph in whatever list
 * item or quote holds them.
 */
function tableLine(node: MdNode, source: string): number | undefined {
  const { start, end } = node.position!;
  const lines = source
    .slice(start.offset, end.offset)
    .split(/\r?\n|\r/)
    .map((line) => line.replace(/^[ \t]*(?:>[ \t]?)*/, ''));
  const cells = (row: string) => row.replace(/\\\|/g, '').trim().replace(/^\|/, '').replace(/\|$/, '').split('|');
  for (let i = 1; i < lines.length; i++) {
    const delimiter = cells(lines[i]!);
    if (lines[i]!.includes('|') && delimiter.every((cell) => /^[ \t]*:?-+:?[ \t]*$/.test(cell)) && delimiter.length === cells(lines[i - 1]!).length) return start.line + i - 1;
  }
  return undefined;
}

interface Rules {
  source: string;
  fallback: boolean;
  directives: boolean;
}

function collect(node: MdNode, blocks: string[], rules: Rules): void {
  if (DROP.has(node.type)) return;
  if (BLOCKS.has(node.type) || !node.children) {
    const raw = inlineText(node, BLOCKS.has(node.type) ? tableLine(node, rules.source) : undefined);
    // A directive fence is a line of its own; the text on either side is another block.
    const parts = rules.directives ? raw.split(/\n[ \t]*:{3,}.*|^[ \t]*:{3,}.*/) : [raw];
    for (const part of parts) {
      const text = part.replace(/\s+/g, ' ').trim();
      if (text && !(rules.fallback && node.type === 'paragraph' && ESM_LINE.test(text))) blocks.push(text);
    }
    return;
  }
  for (const child of node.children) collect(child, blocks, rules);
}

/** The text the excerpt rules give on remark's tree of `source`, and whether MDX refused it (so it was read as Markdown). */
export function read(source: string, isMdx: boolean, directives = false): { text: string; fallback: boolean } {
  let tree: MdNode;
  let fallback = false;
  try {
    tree = (isMdx ? mdx : markdown).parse(source) as MdNode;
  } catch {
    tree = markdown.parse(source) as MdNode;
    fallback = true;
  }
  const blocks: string[] = [];
  collect(tree, blocks, { source, fallback, directives });
  return { text: blocks.join('\n\n'), fallback };
}

export function oracle(source: string, isMdx: boolean): string {
  return read(source, isMdx).text;
}

/**
 * The excerpt's cut: at most `maxChars`, at a word boundary in the second half if there is one.
 * @public scripts/audit-excerpts.mjs loads it through jiti, where knip does not look.
 */
export function truncated(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const boundary = Math.max(text.lastIndexOf(' ', maxChars), text.lastIndexOf('\n', maxChars));
  let cut = boundary > maxChars / 2 ? boundary : maxChars;
  if (cut === maxChars && /[\uD800-\uDBFF]/.test(text[cut - 1] ?? '')) cut--;
  return text.slice(0, cut).trimEnd();
}

export function comparable(body: string, isMdx: boolean): boolean {
  const withoutDirectives = body.replace(/^[ \t>]*:{3,}.*$/gm, '');
  return stripSiteSyntax(withoutDirectives, isMdx) === withoutDirectives && !/<!--\s*(?:more|truncate)\s*-->|\{\s*\/\*\s*(?:more|truncate)/i.test(body);
}

/**
 * Whether the excerpt of `body`, read from a prefix, is the start of what
 * remark reads in all of it: undefined when that cannot be compared (MDX that
 * remark refuses as a whole, site syntax other than directive fences, a
 * `<!-- more -->` marker).
 */
export function prefixMismatch(body: string, isMdx: boolean, maxChars: number): { got: string; want: string } | undefined {
  if (!comparable(body, isMdx)) return undefined;
  const whole = read(body, isMdx, true);
  if (isMdx && whole.fallback) return undefined;
  const got = excerpt(body, { maxChars, mdx: isMdx });
  const want = truncated(whole.text, maxChars);
  return got === want ? undefined : { got, want };
}
