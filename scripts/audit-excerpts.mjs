#!/usr/bin/env node
// Audits the excerpts of a content tree (not part of `npm test`: it reads real
// sites that the repository does not hold). For each Markdown/MDX file it
// takes the excerpt a plan would send, compares it with the remark oracle of
// test/helpers/excerpt-oracle.ts (the excerpt rules applied to remark's tree
// of the whole body, site syntax taken out first), and looks for markup that
// leaked into it.
//
//   node scripts/audit-excerpts.mjs DIR [--max-chars 1000] [--out excerpts.json] [--show 20]
//
// --out writes {path: excerpt} for the whole tree. Exit code 1 when a leak or
// a disagreement with the oracle is found that no rule below explains.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fg from 'fast-glob';
import { createJiti } from 'jiti';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const jiti = createJiti(import.meta.url);
const { excerpt } = await jiti.import(path.join(root, 'src/core/excerpt.ts'));
const { stripSiteSyntax } = await jiti.import(path.join(root, 'src/core/site-syntax.ts'));
const { parseFrontMatter } = await jiti.import(path.join(root, 'src/frontmatter/read.ts'));
const { tableStart } = await jiti.import(path.join(root, 'src/core/prose-tables.ts'));
const { read, truncated } = await jiti.import(path.join(root, 'test/helpers/excerpt-oracle.ts'));

const args = process.argv.slice(2);
const option = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const dir = args.find((arg, i) => !arg.startsWith('--') && !args[i - 1]?.startsWith('--'));
if (!dir) {
  process.stderr.write('usage: node scripts/audit-excerpts.mjs DIR [--max-chars 1000] [--out excerpts.json] [--show 20]\n');
  process.exit(2);
}
const maxChars = Number(option('--max-chars') ?? 1000);
const show = Number(option('--show') ?? 20);

/** Markup that has no place in an excerpt: name → pattern. */
const LEAKS = {
  'import/export line': /(?:^|\n)(?:import|export)\s+(?:\{|\*|default\b|const\b|let\b|function\b|[\w$]+\s+from\b|[\w$]+\s*,)/,
  'JSX tag': /<\/?[A-Z][\w.]*(?:\s[^<>]*)?\/?>/,
  'HTML tag': /<\/?[a-z][\w-]*(?:\s[^<>]*)?\/?>/,
  'Hugo shortcode': /\{\{[<%]|[>%]\}\}/,
  'Liquid tag': /\{%|%\}/,
  'template output {{ }}': /\{\{(?![<%])[^]*?\}\}/,
  'directive fence :::': /:::/,
  'table pipes': /\|[ \t]*:?-{3,}|\|[^|.\n]{1,30}\|[^|.\n]{1,30}\|/,
  'raw link or reference ][': /\]\[|\]\(/,
  'fenced code': /```|~~~/,
  'MDX expression or comment': /\{\/\*|\*\/\}/,
};
const MORE = /<!--\s*(?:more|truncate)\s*-->/i;
const MDX_MORE = /\{\s*\/\*\s*(?:more|truncate)\s*\*\/\s*\}/i;
const DEFINITION = /^ {0,3}\[(?:[^\\\[\]]|\\.)+\]:/;
/** The excerpt reads at most this much of a body (16 × maxChars, 16 KB at least). */
const CAP = Math.max(16 * maxChars, 16 * 1024);

/** The text of every code span in `body`: markup there is kept as written, by design. */
function codeSpans(body) {
  const spans = [];
  for (const match of body.matchAll(/(`+)(?!`)([^]*?[^`])\1(?!`)/g)) spans.push(match[2].replace(/\s+/g, ' ').trim());
  return spans;
}

/**
 * Why markup found in an excerpt is no leak, if it is not: the text of code spans is kept as written
 * (a tag's delimiters may sit in several, as in `{{` and `}}`); `&lt;` in the text is a `<` the author escaped;
 * a reference whose definition a template loop writes (`[#{{ issue }}]: …`) is unknown until the site
 * is built, and stays as written, as remark leaves it; pipes that GFM reads as no table stay text.
 */
function explained(kind, found, body, spans, text) {
  if (spans.some((span) => span.includes(found.trim()))) return 'inside code spans';
  const delimiters = found.match(/[{}%<>]{2,}/g) ?? [];
  if (/template|shortcode|Liquid/.test(kind) && delimiters.length && delimiters.every((bit) => spans.some((span) => span.includes(bit)))) return 'inside code spans';
  if ((kind === 'JSX tag' || kind === 'HTML tag') && !body.includes(found) && body.includes('&lt;')) return 'written as &lt; in the body';
  // GitHub reads a table only where the header row has as many cells as the delimiter row under it.
  if (kind === 'table pipes' && nonTable(body, text)) return 'no table to GFM';
  if (kind === 'raw link or reference ][' && /^ {0,3}\[[^\]\n]*\{[{%][^\]\n]*\]:/m.test(body)) return 'defined by a template loop';
  return undefined;
}

/** Whether `text` holds a delimiter row of `body` that GFM does not read as a table's, its header row having other cells. */
function nonTable(body, text) {
  const lines = body.split('\n');
  for (let i = 1; i < lines.length; i++) {
    const row = lines[i].trim();
    if (row.includes('|') && /^[|:\- \t]+$/.test(row) && row.includes('-') && text.includes(row) && tableStart(`${lines[i - 1]}\n${lines[i]}`) === undefined) return true;
  }
  return false;
}

const files = fg.sync(['**/*.md', '**/*.mdx', '**/*.markdown'], { cwd: dir, ignore: ['**/node_modules/**'] }).sort();
const dump = {};
const leaks = [];
const mismatches = [];
const counts = { files: files.length, read: 0, empty: 0, compared: 0, notCompared: 0, explained: {}, stoppedAtCap: 0 };
for (const rel of files) {
  let body;
  try {
    body = parseFrontMatter(readFileSync(path.join(dir, rel), 'utf8')).body;
  } catch {
    continue; // broken front matter: the scan never reaches the body
  }
  const isMdx = rel.endsWith('.mdx');
  const text = excerpt(body, { maxChars, mdx: isMdx });
  dump[rel] = text;
  counts.read++;
  if (!text) counts.empty++;

  const spans = codeSpans(body);
  for (const [kind, pattern] of Object.entries(LEAKS)) {
    const match = pattern.exec(text);
    if (!match) continue;
    const why = explained(kind, match[0], body, spans, text);
    if (why) {
      counts.explained[why] = (counts.explained[why] ?? 0) + 1;
      continue;
    }
    leaks.push({ file: rel, kind, at: text.slice(Math.max(0, match.index - 40), match.index + match[0].length + 40).replace(/\n/g, ' ') });
  }

  // The oracle: remark's tree of the whole body, site syntax taken out; before a `<!-- more -->` marker,
  // with the definitions after it (they still define the references before it).
  let whole = body;
  const more = isMdx ? Math.min(...[whole.search(MORE), whole.search(MDX_MORE)].filter((at) => at !== -1)) : whole.search(MORE);
  if (more !== -1 && more !== Infinity) whole = `${whole.slice(0, more)}\n\n${whole.slice(more).split('\n').filter((line) => DEFINITION.test(line)).join('\n')}`;
  const oracle = read(stripSiteSyntax(whole, isMdx), isMdx, true);
  // MDX that remark refuses as a whole is read as Markdown there; the excerpt may still read its prefix as MDX.
  if (isMdx && oracle.fallback) {
    counts.notCompared++;
    continue;
  }
  counts.compared++;
  const want = truncated(oracle.text, maxChars);
  // Short of prose in the 16 KB read, the excerpt holds less than the oracle found in the whole body.
  if (want !== text && body.length > CAP && text.length < maxChars && oracle.text.startsWith(text)) {
    counts.stoppedAtCap++;
    continue;
  }
  if (want !== text) {
    let at = 0;
    while (at < text.length && text[at] === want[at]) at++;
    mismatches.push({ file: rel, got: text.slice(Math.max(0, at - 40), at + 80), want: want.slice(Math.max(0, at - 40), at + 80) });
  }
}

if (option('--out')) writeFileSync(option('--out'), `${JSON.stringify(dump, null, 1)}\n`);
const byKind = {};
for (const leak of leaks) byKind[leak.kind] = (byKind[leak.kind] ?? 0) + 1;
const out = [
  `${dir}: ${counts.read} of ${counts.files} files read, ${counts.empty} with no prose; ` +
    `${counts.compared} compared with the remark oracle (${counts.notCompared} MDX files remark refuses whole, not compared)`,
  `leaks: ${leaks.length}${leaks.length ? ` (${Object.entries(byKind).map(([kind, n]) => `${kind}: ${n}`).join(', ')})` : ''}; ` +
    `explained, not counted: ${Object.entries(counts.explained).map(([why, n]) => `${n} ${why}`).join(', ') || 'none'}`,
  ...leaks.slice(0, show).map((leak) => `  ${leak.file}: ${leak.kind}: …${leak.at}…`),
  `disagreements with the oracle: ${mismatches.length}; ${counts.stoppedAtCap} more where the 16 KB read held less prose than the body`,
  ...mismatches.slice(0, show).flatMap((m) => [`  ${m.file}`, `    got:  …${m.got.replace(/\n/g, '⏎')}…`, `    want: …${m.want.replace(/\n/g, '⏎')}…`]),
];
process.stdout.write(`${out.join('\n')}\n`);
process.exitCode = leaks.length || mismatches.length ? 1 : 0;
