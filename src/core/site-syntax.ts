import { fenceAfter } from './prose-pieces.js';

/*
 * Site generators write their own syntax into Markdown, and a Markdown parser
 * reads it as text: Hugo shortcodes ({{< figure >}}, {{% notice %}}), Liquid
 * and Nunjucks tags and outputs (Jekyll, Eleventy: {% include %}, {{ site.url }}),
 * kramdown attribute lists ({: .lead}), heading ids (## Setup {#setup}),
 * directive fences (Docusaurus admonitions, :::note … :::) and footnotes
 * ([^1]). None of it is prose, so before an excerpt is read it is taken out:
 * the tags go and what they wrap stays (a notice's text is prose), except the
 * tags that wrap code or comments (highlight, raw, comment, code), which go
 * with their content. Fenced code is left as it is (the excerpt drops it
 * anyway), and so are code spans. Outputs like {{ x }} are left alone in MDX,
 * where `style={{ … }}` is JSX.
 */

/** Cheap test first: most bodies have none of it. */
const TRIGGER = /\{[{%<:#]|^ {0,3}:{3}|\[\^/m;

/** A tag that wraps code or a comment: name → the tag that ends it. */
const WRAPPING = /\{%-?\s*(highlight|raw|comment)\b[^%]*%\}|\{\{[<%]\s*(highlight|code)\b.*?[>%]\}\}/;
const endOf = (liquid: string | undefined, hugo: string | undefined) =>
  liquid ? new RegExp(`\\{%-?\\s*end${liquid}\\s*-?%\\}`) : new RegExp(`\\{\\{[<%]\\s*/\\s*${hugo}\\s*[>%]\\}\\}`);

const SHORTCODE = /\{\{[<%].*?[>%]\}\}/g;
const LIQUID_TAG = /\{%.*?%\}/g;
const LIQUID_OUTPUT = /\{\{(?![<%]).*?\}\}/g;
const ATTRIBUTES = /\{:[^}\n]*\}/g;
const HEADING_ID = /[ \t]*\{#[\w:.-]+\}[ \t]*$/;
const FOOTNOTE_REF = /\[\^[^\]\s]+\]/g;
const FOOTNOTE_DEF = /^ {0,3}\[\^[^\]\s]+\]:/;
const DIRECTIVE_FENCE = /^ {0,3}:{3,}/;
const CODE_SPAN = /(`+)[^`]*?\1/g;

/** `source` with the site generators' syntax taken out (see above); the rest untouched. */
export function stripSiteSyntax(source: string, isMdx: boolean): string {
  if (!TRIGGER.test(source)) return source;
  const out: string[] = [];
  let fence = '';
  let wrapped: RegExp | undefined;
  let footnote = false;
  for (const line of source.split('\n')) {
    const before = fence;
    fence = fenceAfter(line, fence);
    if (before || fence) {
      out.push(line);
      continue;
    }
    if (wrapped) {
      const end = wrapped.exec(line);
      if (!end) {
        out.push('');
        continue;
      }
      const after = withoutWrapped(line.slice(end.index + end[0].length));
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
    if (DIRECTIVE_FENCE.test(line)) {
      out.push('');
      continue;
    }
    const { text, open } = withoutWrapped(line);
    wrapped = open;
    out.push(stripLine(text, isMdx));
  }
  return out.join('\n');
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
