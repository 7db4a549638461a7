// The bench's synthetic site (see scripts/bench.mjs): posts of about 9 KB, half
// `.md` and half `.mdx`, with commented YAML front matter, code blocks, lists,
// JSX, and the inline markup real posts have in most paragraphs.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const words = 'static site build cache edge deploy preview trace metric vitals image font script layout route header sample budget latency origin asset bundle'.split(' ');
function prose(seed, count) {
  let out = '';
  for (let i = 0; i < count; i++) out += `${words[(seed * 7 + i * 13) % words.length]}${i % 11 === 10 ? '. ' : ' '}`;
  return `${out.trim()}.`;
}
/**
 * Prose with the inline markup real posts have in most paragraphs: a link, inline code,
 * emphasis and strong text, entities; one paragraph in three is plain.
 */
function marked(seed, count) {
  const text = prose(seed, count).split(' ');
  const at = (k) => (seed * 31 + k * 17) % (text.length - 2);
  switch (seed % 3) {
    case 0:
      text[at(1)] = `[${text[at(1)]} ${text[at(1) + 1]}](https://example.com/${words[seed % words.length]}/)`;
      text[at(2)] = `**${text[at(2)]}**`;
      break;
    case 1:
      text[at(1)] = `\`${words[seed % words.length]}()\``;
      text[at(2)] = `_${text[at(2)]}_`;
      text[at(3)] = `${text[at(3)]}&nbsp;&mdash;`;
      break;
  }
  return text.join(' ');
}
function post(i) {
  const mdx = i % 2 === 1;
  const lines = [
    '---',
    '# Synthetic post for the benchmark',
    `title: "Post ${i}: ${prose(i, 6)}"`,
    `date: 2024-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')}`,
    `tags: [${words[i % words.length]}, ${words[(i + 3) % words.length]}]  # flow list`,
    'author: Bench',
    ...(i % 3 === 0 ? ['description: A description a person wrote, which batchmatter leaves alone.'] : []),
    '---',
    '',
  ];
  if (mdx) lines.push("import { Callout } from '../components/Callout'", '', 'export const meta = { bench: true }', '');
  // About 9 KB: paragraphs, a code block, a list, and JSX in MDX files.
  for (let p = 0; p < 14; p++) {
    lines.push(p % 5 === 4 ? `## Section ${p}: the \`${words[p]}\` step` : `## Section ${p}`, '', marked(i + p, 80), '');
    if (p % 4 === 1) lines.push('```js', `const value${p} = compute(${p}); // not prose`, 'export default value;', '```', '');
    if (p % 4 === 2) lines.push(`- ${prose(p, 8)}`, `- run \`${words[p]} --fast\` first`, '');
    if (mdx && p % 4 === 3) lines.push(`<Callout type="info">${prose(p, 20)}</Callout>`, '', `{/* comment ${p} */}`, '');
  }
  return { rel: `posts/${String(Math.floor(i / 500)).padStart(3, '0')}/post-${i}.${mdx ? 'mdx' : 'md'}`, text: `${lines.join('\n')}\n` };
}

/** Writes `count` posts under `root`; returns their bytes. */
export function writeSyntheticSite(root, count) {
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const { rel, text } = post(i);
    mkdirSync(path.join(root, path.dirname(rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
    bytes += Buffer.byteLength(text);
  }
  return bytes;
}
