import { describe, expect, it } from 'vitest';
import { digest } from '../src/core/hash.js';
import { pairKey, pathPatterns, sampleRequests, selects } from '../src/core/selection.js';

describe('selection', () => {
  const root = '/site/content';
  const files = ['posts/a.md', 'posts/2024/b.mdx', 'posts-old/c.md', 'reviews/r.md', '.hidden/d.md'];
  // What exists on this made-up disk: the content files and their folders.
  const disk = new Set([root, ...files.flatMap((f) => f.split('/').map((_, i, parts) => `${root}/${parts.slice(0, i + 1).join('/')}`))]);
  const real = (abs: string) => (disk.has(abs.replace(/\/$/, '')) ? abs.replace(/\/$/, '') : undefined);
  const matching = (args: string[], cwd = '/site') => {
    const paths = pathPatterns(args, cwd, root, real);
    return files.filter((rel) => selects({ paths }, 'any', rel));
  };

  it('takes files and folders relative to where the command runs, and refuses what is not there', () => {
    expect(matching(['content/posts'])).toEqual(['posts/a.md', 'posts/2024/b.mdx']);
    expect(matching(['posts/a.md'], root)).toEqual(['posts/a.md']);
    expect(matching(['content/reviews/'])).toEqual(['reviews/r.md']);
    expect(matching(['.'], root)).toHaveLength(5);
    expect(matching(['../posts-old'], '/site/content/posts')).toEqual(['posts-old/c.md']);
    expect(() => pathPatterns(['README.md'], '/site', root, (abs) => abs)).toThrow(/"README\.md" is outside the content root \(content\)/);
    expect(() => pathPatterns(['content/posts/nope.md'], '/site', root, real)).toThrow(/"content\/posts\/nope\.md": no such file or folder/);
  });

  it('reads a quoted glob as the shell would: files or folders, at any depth, from where the command runs', () => {
    expect(matching(['content/**/*.mdx'])).toEqual(['posts/2024/b.mdx']);
    // `posts/*` names posts/a.md and the folder posts/2024, and so all it holds.
    expect(matching(['content/posts/*'])).toEqual(['posts/a.md', 'posts/2024/b.mdx']);
    expect(matching(['content/posts/20*'])).toEqual(['posts/2024/b.mdx']);
    // A glob may start above the content root, and may be written from inside it.
    expect(matching(['*/reviews/*.md'])).toEqual(['reviews/r.md']);
    expect(matching(['*.md'], '/site/content/posts')).toEqual(['posts/a.md']);
    expect(matching(['./content/posts-*/*'])).toEqual(['posts-old/c.md']);
    // Like the shell's, `*` does not match a dot-folder.
    expect(matching(['content/*/d.md'])).toEqual([]);
  });

  it('takes a file that exists as itself, glob characters and all; a pattern only when nothing has that name', () => {
    const named = (rel: string) => (abs: string) => (abs === `${root}/${rel}` || abs === root ? abs : undefined);
    const rels = ['pages/[slug].mdx', 'pages/s.mdx'];
    expect(rels.filter((rel) => selects({ paths: pathPatterns(['content/pages/[slug].mdx'], '/site', root, named('pages/[slug].mdx')) }, 'any', rel))).toEqual(['pages/[slug].mdx']);
    // As a pattern, [slug] is a character class and picks pages/s.mdx too: the over-selection taking the file as itself prevents.
    expect(rels.filter((rel) => selects({ paths: pathPatterns(['content/pages/[slug].mdx'], '/site', root, named('nothing')) }, 'any', rel))).toEqual(rels);
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
    // Pairs already in the sample (in flight, or sent earlier in the run) count against the limit; their own requests always go.
    const covered = new Set([pairKey('a', picked[0]!), pairKey('a', 'posts/in-flight.md')]);
    const more = sampleRequests(items, 4, covered).kept.filter((r) => r.task === 'a').map((r) => r.file);
    expect(more).toHaveLength(3);
    expect(more).toContain(picked[0]);
    expect(sampleRequests(items, 2, covered).kept.filter((r) => r.task === 'a').map((r) => r.file)).toEqual([picked[0]]);
  });

  it('--task narrows to the tasks named', () => {
    expect(selects({ tasks: new Set(['a']) }, 'a', 'x.md')).toBe(true);
    expect(selects({ tasks: new Set(['a']) }, 'b', 'x.md')).toBe(false);
  });
});
