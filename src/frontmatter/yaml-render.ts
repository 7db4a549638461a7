import { Document, visit } from 'yaml';
import { YAML_OPTIONS } from './yaml-options.js';

/** How the file already lays out nested collections, so new lines look like their neighbours. */
export interface Layout {
  /** Spaces per nesting level. */
  indent: number;
  /** `key:\n  - a` (true) or `key:\n- a` (false). */
  indentSeq: boolean;
  /** `{ a: 1 }` (true) or `{a: 1}` (false). */
  flowPadding: boolean;
}

export const DEFAULT_LAYOUT: Layout = { indent: 2, indentSeq: true, flowPadding: false };

// Stand-in key for rendering a value on its own: `k:` is two characters, always plain.
const PLACEHOLDER = 'k';

/**
 * Characters `yaml` writes raw that other readers refuse or misread: DEL and
 * the C1 controls (outside YAML's printable set: libyaml, Jekyll's reader,
 * fails the whole block), NEL, U+2028 and U+2029 (line breaks to YAML 1.1
 * readers), and the noncharacters U+FFFE/U+FFFF (js-yaml refuses them). A
 * string holding one is double-quoted and the character written as an escape.
 */
const RAW_UNSAFE = /[\u007f-\u009f\u2028\u2029\ufffe\uffff]/;
const escapeUnsafe = (text: string) => text.replace(new RegExp(RAW_UNSAFE.source, 'g'), (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

function toString(pair: Record<string, unknown>, layout: Layout, flow: boolean): string {
  // compat: also quote strings that YAML 1.1 readers (Jekyll, older Hugo) would take for booleans, dates or numbers.
  const doc = new Document(pair, { ...YAML_OPTIONS, compat: 'yaml-1.1' });
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value !== 'string') return;
      // Only inside double quotes can they be escaped (see RAW_UNSAFE); every one left in the text below is in such a scalar.
      if (RAW_UNSAFE.test(node.value)) node.type = 'QUOTE_DOUBLE';
      // YAML 1.1's "value" key: PyYAML and Psych refuse a plain `=`. A tab: PyYAML's pure-Python reader
      // (MkDocs, Pelican) refuses one in a plain scalar, and a double-quoted one is written as `\t`.
      if (node.value === '=' || node.value.includes('\t')) node.type = 'QUOTE_DOUBLE';
      if (!node.value.includes('\n')) return;
      // Multi-line plain scalars are legal in flow collections but would break the one-line splice;
      // and a block scalar with a line starting with a blank may not read back (the library writes no indentation indicator).
      if (flow || /(^|\n)[ \t]/.test(node.value)) node.type = 'QUOTE_DOUBLE';
    },
  });
  const text = doc.toString({
    indent: layout.indent,
    indentSeq: layout.indentSeq,
    flowCollectionPadding: layout.flowPadding,
    // 'any' (not 'block') so empty collections stay `{}` / `[]` on the key's line.
    collectionStyle: flow ? 'flow' : 'any',
    // A long description stays on one line rather than folded across several.
    lineWidth: 0,
  });
  return RAW_UNSAFE.test(text) ? escapeUnsafe(text) : text;
}

/** `key: value` as block YAML lines at column 0, without their line breaks. */
export function renderPairLines(key: string, value: unknown, layout: Layout): string[] {
  const lines = toString({ [key]: value }, layout, false).split('\n');
  lines.pop(); // the text ends with a line break
  return lines;
}

/**
 * A value for block context: `head` goes on the key's line right after the colon
 * (` plain`, ` |-`, or '' for a nested map or list), `tail` are the lines below,
 * at column 0 relative to the key.
 */
export function renderBlockValue(value: unknown, layout: Layout): { head: string; tail: string[] } {
  const [first, ...tail] = renderPairLines(PLACEHOLDER, value, layout);
  return { head: first!.slice(PLACEHOLDER.length + 1), tail };
}

/** `key: value` (or just the value) for a flow map, on one line. */
export function renderFlow(key: string | undefined, value: unknown, layout: Layout): string {
  const text = toString({ [key ?? PLACEHOLDER]: value }, layout, true);
  const pad = layout.flowPadding ? 1 : 0;
  const inner = text.slice(1 + pad, text.length - 2 - pad); // drop `{`, `}\n` and padding
  if (inner.includes('\n')) throw new Error('the value cannot be written on one line inside a flow map');
  return key === undefined ? inner.slice(PLACEHOLDER.length + 2) : inner;
}
