import { fenceAfter } from './fences.js';

/*
 * Site generators write their own syntax into Markdown, and a Markdown parser
 * reads it as text: Hugo shortcodes ({{< figure >}}, {{% notice %}}), Liquid
 * and Nunjucks tags and outputs (Jekyll, Eleventy: {% include %}, {{ site.url }}),
 * kramdown attribute lists ({: .lead}), heading ids (## Setup {#setup}),
 * directive fences (Docusaurus admonitions, :::note … :::, at any depth of
 * list items and quotes, where their indent is the container's) and footnotes
 * ([^1]). None of it is prose, so before an excerpt is read it is taken out
 * (but for a link definition's destination, which becomes `#`):
 * the tags go and what they wrap stays (a notice's text is prose), except the
 * tags that wrap code or comments (highlight, raw, comment, code, code-…), which go
 * with their content. Fenced code is left as it is (the excerpt drops it
 * anyway), and so are code spans. Outputs like {{ x }} are left alone in MDX,
 * where `style={{ … }}` is JSX.
 */

/** Cheap test first: most bodies have none of it. */
const TRIGGER = /\{[{%<:#]|^[ \t>]*:{3}|\[\^/m;

/**
 * A tag that wraps code or a comment: name → the tag that ends it. In Hugo,
 * `code-…` shortcodes wrap code too (`code-toggle` shows a config in three
 * formats); `codeblock` is another name, whose text stays. A self-closing
 * shortcode (`{{< code-toggle config=x />}}`), or one with no closing tag
 * after it, wraps nothing.
 */
const WRAPPING = /\{%-?\s*(highlight|raw|comment)(?![\w-])[^%]*%\}|\{\{[<%]\s*(highlight|code(?:-[\w-]+)?)(?![\w-]).*?(?<!\/)[>%]\}\}/;
const endOf = (liquid: string | undefined, hugo: string | undefined) =>
  liquid ? new RegExp(`\\{%-?\\s*end${liquid}\\s*-?%\\}`) : new RegExp(`\\{\\{[<%]\\s*/\\s*${hugo}\\s*[>%]\\}\\}`);

const SHORTCODE = /\{\{[<%].*?[>%]\}\}/g;
const LIQUID_TAG = /\{%.*?%\}/g;
const LIQUID_OUTPUT = /\{\{(?![<%]).*?\}\}/g;
const ATTRIBUTES = /\{:[^}\n]*\}/g;
const HEADING_ID = /[ \t]*\{#[\w:.-]+\}[ \t]*$/;
const FOOTNOTE_REF = /\[\^[^\]\s]+\]/g;
const FOOTNOTE_DEF = /^ {0,3}\[\^[^\]\s]+\]:/;
/** A directive fence, also inside a list item or a quote: the markers and indent before it are kept, so the container goes on. */
const DIRECTIVE_FENCE = /^([ \t>]*):{3,}.*/;
const CODE_SPAN = /(`+)[^`]*?\1/g;
/** A link reference definition whose destination starts with a tag or an output: the tag is replaced by `#`. */
const TEMPLATED_DESTINATION = /^( {0,3}\[(?:[^\\[\]]|\\.)+\]:[ \t]*<?)(?:\{\{.*?\}\}|\{%.*?%\})/;

/**
 * `source` with the site generators' syntax taken out (see above); the rest
 * untouched. `after` is the text that follows it, when it is the start of a
 * body: where a shortcode's closing tag may be.
 */
export function stripSiteSyntax(source: string, isMdx: boolean, after = ''): string {
  if (!TRIGGER.test(source)) return source;
  const out: string[] = [];
  let fence = '';
  let wrapped: RegExp | undefined;
  let footnote = false;
  let joins: Joins = { end: 0, runs: [] };
  let run = 0;
  for (let pos = 0, end = 0; pos <= source.length; pos = end + 1) {
    const lf = source.indexOf('\n', pos);
    end = lf === -1 ? source.length : lf;
    let line = source.slice(pos, end);
    const before = fence;
    fence = fenceAfter(line, fence);
    if (before || fence) {
      out.push(line);
      continue;
    }
    if (pos >= joins.end && (line.includes('{{') || line.includes('{%'))) [joins, run] = [joinsIn(source, pos, isMdx), 0];
    const joined = joins.runs[run];
    if (joined?.[0] === pos) {
      line = source.slice(pos, joined[1]).replace(/\r?\n/g, ' ');
      end = joined[1];
      run++;
    }
    if (wrapped) {
      const close = wrapped.exec(line);
      if (!close) {
        out.push('');
        continue;
      }
      const after = withoutWrapped(line.slice(close.index + close[0].length));
      wrapped = after.open;
      out.push(stripLine(after.text, isMdx));
      continue;
    }
    if (footnote && (line.trim() === '' || /^[ \t]/.test(line))) {
      out.push('');
      continue;
    }
    footnote = false;
    if (FOOTNOTE_DEF.test(line)) {
      footnote = true;
      out.push('');
      continue;
    }
    const directive = DIRECTIVE_FENCE.exec(line);
    if (directive) {
      out.push(directive[1]!.trimEnd());
      continue;
    }
    const { text, open } = withoutWrapped(line);
    // A shortcode with no closing tag after it wraps nothing (Hugo pairs a shortcode only with a closing tag).
    wrapped = open?.source.startsWith('\\{\\{') && !open.test(source.slice(end)) && !open.test(after) ? undefined : open;
    out.push(stripLine(text, isMdx));
  }
  return out.join('\n');
}

/*
 * A tag or output may be written across lines ({{< youtube ⏎ id="x" >}}, a
 * Liquid tag with one parameter a line). The generator reads it as it reads
 * the one-line form, so its lines are joined into one and read as that. Which
 * lines: in each paragraph (up to a blank line or a fence), outside code spans,
 * tags are matched as brackets are, so a close belongs to the nearest tag open
 * before it that it can close (the `}}` of `{% include x ⏎ a="{{ y }}" %}` ends
 * the output, the `%}` the tag), and a `{{` or `{%` not closed in its paragraph
 * stays text, as on one line. A paragraph is read once, so one full of
 * unclosed openers still takes linear time.
 */
const TOKEN = /(`+)[^`\n]*?\1|\{\{[<%]?|\{%|[>%]?\}\}|%\}|\n/g;
/** The kinds of tag, as bits, and the kinds each close can end (`%}}` ends a tag with its first two characters). */
const SHORTCODE_KIND = 1;
const TAG_KIND = 2;
const OUTPUT_KIND = 4;
const CLOSES: Record<string, number> = {
  '}}': OUTPUT_KIND,
  '>}}': SHORTCODE_KIND | OUTPUT_KIND,
  '%}}': SHORTCODE_KIND | TAG_KIND | OUTPUT_KIND,
  '%}': TAG_KIND,
};

interface Joins {
  /** Where the paragraph ends: the start of the blank line or fence after it, or the text's end. */
  end: number;
  /** The runs of its lines to read as one, in order: from a line's start to the end of the line where a tag closes. */
  runs: Array<[from: number, to: number]>;
}

function joinsIn(source: string, start: number, isMdx: boolean): Joins {
  // The tags still open, innermost last: their kinds and the starts of their lines; and how many of each kind.
  const kinds: number[] = [];
  const lines: number[] = [];
  const counts = [0, 0, 0, 0, 0];
  const runs: Joins['runs'] = [];
  let line = start;
  let lineEnd = start;
  TOKEN.lastIndex = start;
  for (let match = TOKEN.exec(source); match; match = TOKEN.exec(source)) {
    const token = match[0];
    if (token === '\n') {
      line = match.index + 1;
      lineEnd = source.indexOf('\n', line);
      if (lineEnd === -1) lineEnd = source.length;
      const next = source.slice(line, lineEnd);
      if (next.trim() === '' || fenceAfter(next, '')) return { end: line, runs };
      continue;
    }
    // A code span, or in MDX a JSX expression holding an object (`style={{ … }}`).
    if (match[1] !== undefined || (isMdx && token === '{{')) continue;
    if (token[0] === '{') {
      const kind = token === '{%' ? TAG_KIND : token === '{{' ? OUTPUT_KIND : SHORTCODE_KIND;
      kinds.push(kind);
      lines.push(line);
      counts[kind]!++;
      continue;
    }
    const closes = CLOSES[token]!;
    if (!((closes & SHORTCODE_KIND && counts[SHORTCODE_KIND]) || (closes & TAG_KIND && counts[TAG_KIND]) || (closes & OUTPUT_KIND && counts[OUTPUT_KIND]))) continue;
    // The nearest tag it can end, and with it what opened inside that tag.
    let kind: number;
    let from: number;
    do {
      kind = kinds.pop()!;
      from = lines.pop()!;
      counts[kind]!--;
    } while (!(kind & closes));
    if (kind === TAG_KIND && token.length === 3) TOKEN.lastIndex = match.index + 2;
    if (from === line) continue;
    let first = from;
    while ((runs.at(-1)?.[1] ?? -1) >= first) first = Math.min(first, runs.pop()![0]);
    runs.push([first, lineEnd]);
  }
  return { end: source.length, runs };
}

/**
 * `line` without the wrapping tags on it and what they wrap; when one opens
 * and does not close on this line, the text before it and the tag that ends it.
 */
function withoutWrapped(line: string): { text: string; open?: RegExp } {
  let text = '';
  let rest = line;
  for (let tag = WRAPPING.exec(rest); tag; tag = WRAPPING.exec(rest)) {
    text += rest.slice(0, tag.index);
    const end = endOf(tag[1], tag[2]);
    const after = rest.slice(tag.index + tag[0].length);
    const close = end.exec(after);
    if (!close) return { text, open: end };
    rest = after.slice(close.index + close[0].length);
  }
  return { text: text + rest };
}

/** One line without the inline syntax, outside code spans. */
function stripLine(line: string, isMdx: boolean): string {
  // A definition whose destination the generator writes (`[a]: {% post_url x %}`) stays one, so its references read as links.
  line = line.replace(TEMPLATED_DESTINATION, '$1#');
  let out = '';
  let last = 0;
  for (const span of line.matchAll(CODE_SPAN)) {
    out += stripText(line.slice(last, span.index), isMdx) + span[0];
    last = span.index + span[0].length;
  }
  out += stripText(line.slice(last), isMdx);
  return /^ {0,3}#/.test(out) ? out.replace(HEADING_ID, '') : out;
}

function stripText(text: string, isMdx: boolean): string {
  if (!text.includes('{') && !text.includes('[^')) return text;
  let out = text.replace(SHORTCODE, '').replace(LIQUID_TAG, '').replace(ATTRIBUTES, '').replace(FOOTNOTE_REF, '');
  if (!isMdx) out = out.replace(LIQUID_OUTPUT, '');
  return out;
}
