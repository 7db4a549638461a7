import remarkMdx from 'remark-mdx';
import remarkParse from 'remark-parse';
import { unified } from 'unified';

export interface ExcerptOptions {
  maxChars: number;
  /** Parse as MDX (imports, JSX, `{expressions}`); falls back to Markdown when MDX will not parse. */
  mdx: boolean;
}

// Built once: creating and freezing a processor per file would cost more than small files' parses.
const markdown = unified().use(remarkParse).freeze();
const mdx = unified().use(remarkParse).use(remarkMdx).freeze();

/** Nodes that are code, markup or metadata rather than prose. */
const DROP = new Set(['yaml', 'toml', 'mdxjsEsm', 'mdxFlowExpression', 'mdxTextExpression', 'code', 'html', 'definition', 'image', 'imageReference']);
/** Nodes whose text forms one block of the excerpt. */
const BLOCKS = new Set(['paragraph', 'heading', 'tableCell']);

const MORE = /<!--\s*(?:more|truncate)\s*-->/i;
const MDX_MORE = /\{\s*\/\*\s*(?:more|truncate)\s*\*\/\s*\}/i;
const ESM_LINE = /^(?:import|export)\b/;

interface MdNode {
  type: string;
  value?: unknown;
  children?: MdNode[];
}

/**
 * Plain text from the start of a Markdown/MDX body for the prompt: prose only,
 * paragraphs separated by a blank line, at most `maxChars` characters.
 */
export function excerpt(body: string, { maxChars, mdx: isMdx }: ExcerptOptions): string {
  if (maxChars <= 0) return '';
  // Parsing is the slow part, so parse a prefix a little longer than the text wanted, and a longer one
  // only when headings, code and markup left too little prose in it.
  for (let limit = Math.max(Math.ceil(maxChars * 1.5), 1024); ; limit *= 2) {
    const source = boundedPrefix(body, limit);
    const { text, ended } = excerptOf(source, isMdx);
    if (text.length >= maxChars || ended || source.length >= body.length) return truncate(text, maxChars);
  }
}

/** The prose of `source`, and whether a `<!-- more -->` marker ended it. */
function excerptOf(prefix: string, isMdx: boolean): { text: string; ended: boolean } {
  // The marker only matters before the cut, so it is looked for in the prefix alone.
  let source = prefix;
  const more = source.search(MORE);
  if (more !== -1) source = source.slice(0, more);
  const mdxMore = isMdx ? source.search(MDX_MORE) : -1;
  if (mdxMore !== -1) source = source.slice(0, mdxMore);

  let tree: MdNode;
  let fallback = false;
  try {
    tree = (isMdx ? mdx : markdown).parse(source);
  } catch {
    // MDX rejects what Markdown accepts (`<br>`, a lone `{`); such a file still gets an excerpt.
    tree = markdown.parse(source);
    fallback = true;
  }
  const blocks: string[] = [];
  collect(tree, blocks, fallback);
  return { text: blocks.join('\n\n'), ended: more !== -1 || mdxMore !== -1 };
}

function collect(node: MdNode, blocks: string[], fallback: boolean): void {
  if (DROP.has(node.type)) return;
  if (BLOCKS.has(node.type) || !node.children) {
    const text = inlineText(node).replace(/\s+/g, ' ').trim();
    // Parsed as plain Markdown, MDX import/export statements are paragraphs.
    if (text && !(fallback && node.type === 'paragraph' && ESM_LINE.test(text))) blocks.push(text);
    return;
  }
  for (const child of node.children) collect(child, blocks, fallback);
}

function inlineText(node: MdNode): string {
  // A space, not nothing: `one<br>two` and `a {x} b` must not glue words together.
  if (DROP.has(node.type) || node.type === 'break') return ' ';
  if (typeof node.value === 'string') return node.value;
  return node.children ? node.children.map(inlineText).join('') : '';
}

const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/**
 * The start of `body`, about `limit` characters long, cut at a blank line
 * outside fenced code so the parser sees whole blocks: parsing is the slow
 * part and an excerpt never needs the rest of a long post.
 */
export function boundedPrefix(body: string, limit: number): string {
  if (body.length <= limit) return body;
  let fence = '';
  let cut = -1;
  for (let pos = 0; pos <= limit; ) {
    const lf = body.indexOf('\n', pos);
    const end = lf === -1 ? body.length : lf;
    const line = body.slice(pos, end);
    const marker = FENCE.exec(line)?.[1];
    if (fence) {
      // A closing fence: the same character, at least as long, nothing after it.
      if (marker && marker[0] === fence[0] && marker.length >= fence.length && line.trim() === marker) fence = '';
    } else if (marker) {
      fence = marker;
    } else if (line.trim() === '') {
      cut = pos;
    }
    if (lf === -1) break;
    pos = lf + 1;
  }
  return body.slice(0, cut > 0 ? cut : limit);
}

/** At most `maxChars`, ending at a word boundary when there is one in the second half. */
function truncate(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  let cut = maxChars;
  const space = text.lastIndexOf(' ', maxChars);
  const newline = text.lastIndexOf('\n', maxChars);
  const boundary = Math.max(space, newline);
  if (boundary > maxChars / 2) cut = boundary;
  // Never split a surrogate pair (emoji, rare CJK).
  else if (/[\uD800-\uDBFF]/.test(text[cut - 1] ?? '')) cut--;
  return text.slice(0, cut).trimEnd();
}
