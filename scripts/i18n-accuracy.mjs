#!/usr/bin/env node
// The language identifier on a real multilingual tree (see docs/i18n.md), after `npm run build`:
//   node scripts/i18n-accuracy.mjs <content root> [excerpt chars]
// 1. excerpts: the language read in each page's excerpt against the one its path names (a locale folder; the
//    pages outside every locale folder are taken as English), per language;
// 2. descriptions: each page's `description` against the page's language (front matter, path, else identified
//    in its excerpt), judged as the `language: 'page'` rule judges an answer; and against the language the
//    identifier reads in the page's excerpt.
import { readFileSync } from 'node:fs';
import fg from 'fast-glob';
import { parseScanned } from '../dist/io/scan-parse.js';
import { judgeLanguage, loadIdentifier } from '../dist/core/identify.js';
import { pageLanguage } from '../dist/core/language.js';
import { baseLanguage, localeOfPath } from '../dist/core/locale.js';

const root = process.argv[2];
const maxChars = Number(process.argv[3] ?? 1000);
if (!root) throw new Error('usage: node scripts/i18n-accuracy.mjs <content root> [excerpt chars]');
const identifier = await loadIdentifier();
const per = new Map();
const misread = [];
const described = { same: 0, notChecked: 0, wrong: [], none: 0 };
// Each description against the language the identifier reads in its page's excerpt (not the path's).
const asRead = { same: 0, notChecked: 0, wrong: [] };
for (const rel of fg.sync('**/*.{md,mdx,markdown}', { cwd: root }).sort()) {
  const file = parseScanned(rel, `${root}/${rel}`, readFileSync(`${root}/${rel}`, 'utf8'), () => [maxChars]);
  const text = file.excerpts.get(maxChars) ?? '';
  const want = baseLanguage(localeOfPath(rel, {})?.tag ?? 'en');
  if (text.trim()) {
    const got = identifier.identify(text).language;
    const row = per.get(want) ?? { pages: 0, right: 0 };
    row.pages++;
    if (got === want) row.right++;
    else misread.push(`${rel}: read as ${got || 'nothing'}`);
    per.set(want, row);
  }
  const description = file.data?.description;
  if (typeof description !== 'string') {
    described.none++;
    continue;
  }
  const page = pageLanguage(file, {}, identifier, text);
  const verdict = page ? judgeLanguage(identifier, description, page.code) : { ok: true, note: 'page language unknown' };
  if (!verdict.ok) described.wrong.push(`${rel}: ${verdict.reason}: ${description}`);
  else if (verdict.note) described.notChecked++;
  else described.same++;
  const read = text.trim() ? identifier.identify(text).language : '';
  const seen = read ? judgeLanguage(identifier, description, read) : { ok: true, note: 'page not read' };
  if (!seen.ok) asRead.wrong.push(`${rel}: ${seen.reason}`);
  else if (seen.note) asRead.notChecked++;
  else asRead.same++;
}
const total = [...per.values()].reduce((a, r) => ({ pages: a.pages + r.pages, right: a.right + r.right }), { pages: 0, right: 0 });
console.log(`excerpts (${maxChars} characters): ${total.right}/${total.pages} read as their path's language (${((100 * total.right) / total.pages).toFixed(1)}%) in ${per.size} languages`);
for (const [lang, r] of [...per].sort()) console.log(`  ${lang}: ${r.right}/${r.pages}`);
for (const line of misread) console.log(`  misread ${line}`);
console.log(`descriptions: ${described.same} in the page's language, ${described.notChecked} too short to tell, ${described.wrong.length} in another, ${described.none} pages without one`);
for (const line of described.wrong) console.log(`  ${line}`);
console.log(`descriptions against the language read in their page: ${asRead.same} the same, ${asRead.notChecked} not checked, ${asRead.wrong.length} another`);
for (const line of asRead.wrong) console.log(`  ${line}`);
