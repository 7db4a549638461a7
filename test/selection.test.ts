import { describe, expect, it } from 'vitest';
import { digest } from '../src/core/hash.js';
import { pathPatterns, sampleRequests, selects } from '../src/core/selection.js';

describe('selection', () => {
  const root = '/site/content';
  const matching = (args: string[], cwd = '/site') => {
    const paths = pathPatterns(args, cwd, root);
    return ['posts/a.md', 'posts/2024/b.mdx', 'posts-old/c.md', 'reviews/r.md', '.hidden/d.md'].filter((rel) => selects({ paths }, 'any', rel));
  };

  it('takes files, folders and globs relative to where the command runs', () => {
    expect(matching(['content/posts'])).toEqual(['posts/a.md', 'posts/2024/b.mdx']);
    expect(matching(['posts/a.md'], root)).toEqual(['posts/a.md']);
    expect(matching(['content/**/*.mdx', 'content/reviews/'])).toEqual(['posts/2024/b.mdx', 'reviews/r.md']);
    expect(matching(['.'], root)).toHaveLength(5);
    expect(matching(['../posts-old'], '/site/content/posts')).toEqual(['posts-old/c.md']);
    expect(() => pathPatterns(['README.md'], '/site', root)).toThrow(/"README\.md" is outside the content root \(content\)/);
    // A file that exists is taken as itself, glob characters and all; a pattern only when nothing has that name.
    const exists = (abs: string) => abs === '/site/content/pages/[slug].mdx';
    const rels = ['pages/[slug].mdx', 'pages/s.mdx'];
    expect(rels.filter((rel) => selects({ paths: pathPatterns(['content/pages/[slug].mdx'], '/site', root, exists) }, 'any', rel))).toEqual(['pages/[slug].mdx']);
    // As a pattern, [slug] is a character class and picks pages/s.mdx as well: the over-selection `exists` prevents.
    expect(rels.filter((rel) => selects({ paths: pathPatterns(['content/pages/[slug].mdx'], '/site', root) }, 'any', rel))).toEqual(rels);
  });

  it('--limit keeps at most n per task: retries first, then by a digest of the path, the same sample every time', () => {
    const request = (task: string, file: string, again = false) => ({ task, file, attempts: 0, reasks: again });
    const files = Array.from({ length: 40 }, (_, i) => `posts/${String(i).padStart(2, '0')}.md`);
    const items = [...files.map((f) => request('a', f)), request('b', 'reviews/r.md')];
    const { kept, held } = sampleRequests(items, 4);
    expect(held).toEqual({ a: 36 });
    const picked = kept.filter((r) => r.task === 'a').map((r) => r.file);
    expect(picked).toEqual([...files].sort((x, y) => (digest(x) < digest(y) ? -1 : 1)).slice(0, 4).sort());
    // Spread, not the first folder: these four are not the first four paths.
    expect(picked).not.toEqual(files.slice(0, 4));
    expect(kept.some((r) => r.task === 'b')).toBe(true);
    // The same files when the list changes around them (others answered, new ones added).
    const later = sampleRequests([...items.filter((r) => !picked.includes(r.file) || r.file === picked[0]), request('a', 'posts/new.md')], 4).kept.map((r) => r.file);
    expect(later).toContain(picked[0]);
    // A request asked again (refused in review) comes before new work.
    const again = sampleRequests([...items, request('a', 'posts/zz-refused.md', true)], 1).kept.map((r) => r.file);
    expect(again.sort()).toEqual(['posts/zz-refused.md', 'reviews/r.md']);
    expect(sampleRequests(items, undefined).kept).toHaveLength(41);
  });

  it('--task narrows to the tasks named', () => {
    expect(selects({ tasks: new Set(['a']) }, 'a', 'x.md')).toBe(true);
    expect(selects({ tasks: new Set(['a']) }, 'b', 'x.md')).toBe(false);
  });
});
