import { mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { estimateInputTokens } from '../src/core/cost.js';
import { candidatePaths, fitWithin, imageRefs, imageTokens, refProblem, type PreparedImage } from '../src/core/images.js';
import { plan, type PlannedRequest } from '../src/core/plan.js';
import { buildParams, templateVars } from '../src/core/request.js';
import { emptyState } from '../src/core/state.js';
import { prepareImageBytes } from '../src/io/images.js';
import { parseScanned } from '../src/io/scan-parse.js';
import { createLog } from '../src/io/log.js';
import { imageInputs } from '../src/pipeline/images.js';
import { openSession } from '../src/pipeline/session.js';
import { chunkRequests } from '../src/pipeline/submit.js';
import { random } from './helpers/random.js';
import { makeTask } from './helpers/task.js';
import { testdir } from './helpers/testdir.js';

const roots = { fileDir: '/site/content/posts/hello', contentRoot: '/site/content', projectDir: '/site', publicDirs: ['/site/public', '/site/static'] };

/** A flat-colour image of the given size and format, as a file a site would have. */
const solid = (width: number, height: number, colour: string) => sharp({ create: { width, height, channels: 3, background: colour } });

describe('finding an image named in front matter', () => {
  it('collects paths from plain, listed, nested and {src} values, each once, in field order', () => {
    const data = { heroImage: 'a.png', images: ['b.jpg', { src: 'c.webp' }, 'a.png', 7], cover: { image: '/d.gif' } };
    expect(imageRefs(data, ['heroImage', 'images', 'cover.image', 'missing'])).toEqual(['a.png', 'b.jpg', 'c.webp', '/d.gif']);
    expect(imageRefs({ heroImage: '  ' }, ['heroImage'])).toEqual([]);
  });

  it('looks beside the file (a Hugo page bundle), then in the content root, then the public folders', () => {
    expect(candidatePaths('cover.jpg', roots)).toEqual(['/site/content/posts/hello/cover.jpg', '/site/content/cover.jpg', '/site/public/cover.jpg', '/site/static/cover.jpg']);
    expect(candidatePaths('./img/cover.jpg?v=3#top', roots)[0]).toBe('/site/content/posts/hello/img/cover.jpg');
    expect(candidatePaths('../shared/cover%20art.png', roots)[0]).toBe('/site/content/posts/shared/cover art.png');
  });

  it('looks for a site-absolute path in the public folders first, then the project and the content root', () => {
    expect(candidatePaths('/covers/a.png', roots)).toEqual(['/site/public/covers/a.png', '/site/static/covers/a.png', '/site/covers/a.png', '/site/content/covers/a.png']);
  });

  it('never leads out of the config folder', () => {
    expect(candidatePaths('../../../../etc/secret.png', roots)).toEqual([]);
    expect(candidatePaths('../../../../other/x.png', { ...roots, publicDirs: [] })).toEqual([]);
    // Up and out of the content root, still inside the project: allowed (a Jekyll site's assets/ beside _posts/).
    expect(candidatePaths('../../../assets/x.png', { ...roots, publicDirs: [] })).toEqual(['/site/assets/x.png']);
  });

  it('says why a URL or another format is not sent, before reading anything', () => {
    expect(refProblem('https://cdn.example.com/a.png')?.skip).toBe('image-remote');
    expect(refProblem('//cdn.example.com/a.png')?.skip).toBe('image-remote');
    expect(refProblem('data:image/png;base64,AAAA')?.skip).toBe('image-remote');
    expect(refProblem('/covers/a.svg')).toMatchObject({ skip: 'image-format', detail: '/covers/a.svg: .svg is not a format the API takes (JPEG, PNG, GIF, WebP)' });
    expect(refProblem('/covers/a.avif?x=1')?.skip).toBe('image-format');
    expect(refProblem('/covers/a.JPG')).toBeUndefined();
    expect(refProblem('/covers/no-extension')).toBeUndefined();
  });
});

describe('sizing and counting', () => {
  it('fits the long edge to 1568 px and counts width × height / 750 tokens', () => {
    expect(fitWithin(3000, 2000)).toEqual({ width: 1568, height: 1045 });
    expect(fitWithin(1000, 4000)).toEqual({ width: 392, height: 1568 });
    expect(fitWithin(800, 600)).toEqual({ width: 800, height: 600 });
    // The reference's figure: a 1568 × 1045 image is about 2,200 tokens.
    expect(imageTokens(1568, 1045)).toBe(2185);
    expect(imageTokens(3000, 2000)).toBe(2185);
    expect(imageTokens(800, 600)).toBe(640);
  });

  it('predicts the size sharp resizes to (fitWithin against sharp as the oracle)', async () => {
    for (const [width, height] of [[3000, 2000], [2000, 3001], [1569, 10], [4000, 4000], [1600, 1599], [5000, 1234], [1568, 1568], [777, 3333]] as const) {
      const { info } = await solid(width, height, '#808080').resize({ width: 1568, height: 1568, fit: 'inside', withoutEnlargement: true }).png().toBuffer({ resolveWithObject: true });
      expect(fitWithin(width, height), `${width}×${height}`).toEqual({ width: info.width, height: info.height });
    }
  });

  /** Seeded noise: it does not compress, so a PNG of it is about 3 bytes a pixel. */
  const noise = (width: number, height: number, seed: number) => {
    const next = random(seed);
    const pixels = Buffer.alloc(width * height * 3);
    for (let i = 0; i < pixels.length; i++) pixels[i] = Math.floor(next() * 256);
    return sharp(pixels, { raw: { width, height, channels: 3 } }).png({ compressionLevel: 1 }).toBuffer();
  };

  it('resizes a large image to 1568 px on the long edge', async () => {
    const source = await noise(3200, 2400, 18);
    expect(source.length).toBeGreaterThan(5 * 1024 * 1024);
    const result = await prepareImageBytes(source);
    if ('skip' in result) throw new Error(result.detail);
    expect(result.meta).toMatchObject({ width: 1568, height: 1176 });
    expect(result.bytes.length).toBe(result.meta.bytes);
    expect(result.bytes.length).toBeLessThanOrEqual(5 * 1024 * 1024);
    const sent = await sharp(result.bytes).metadata();
    expect([sent.format, sent.width, sent.height]).toEqual([result.meta.format, 1568, 1176]);
  }, 30_000);

  it('re-encodes as JPEG an image whose PNG stays over the 5 MB limit', async () => {
    // Already 1568 px wide, so not resized; 1568 × 1176 of noise is ~5.5 MB as PNG.
    const source = await noise(1568, 1176, 7);
    expect(source.length).toBeGreaterThan(5 * 1024 * 1024);
    const result = await prepareImageBytes(source);
    if ('skip' in result) throw new Error(result.detail);
    expect(result.meta).toMatchObject({ format: 'jpeg', width: 1568, height: 1176 });
    expect(result.bytes.length).toBeLessThanOrEqual(5 * 1024 * 1024);
    expect((await sharp(result.bytes).metadata()).format).toBe('jpeg');
  }, 30_000);

  it('keeps a small image byte for byte, and turns one stored sideways upright by its EXIF orientation', async () => {
    const small = await solid(400, 300, '#c83028').png().toBuffer();
    const kept = await prepareImageBytes(small);
    if ('skip' in kept) throw new Error(kept.detail);
    expect(kept.bytes.equals(small)).toBe(true);
    expect(kept.meta).toEqual({ format: 'png', width: 400, height: 300, bytes: small.length });

    // Stored 1600 × 2400 with orientation 6: shown (and sent) 2400 × 1600, so 1568 × 1045.
    const sideways = await solid(1600, 2400, '#1f5fbf').jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const upright = await prepareImageBytes(sideways);
    if ('skip' in upright) throw new Error(upright.detail);
    expect(upright.meta).toMatchObject({ format: 'jpeg', width: 1568, height: 1045 });
    const sent = await sharp(upright.bytes).metadata();
    expect([sent.width, sent.height, sent.orientation ?? 1]).toEqual([1568, 1045, 1]);
  });

  it('refuses what is not an image, and images in formats the API does not take', async () => {
    expect(await prepareImageBytes(Buffer.from('not an image at all'))).toMatchObject({ skip: 'image-unreadable' });
    const tiff = await solid(10, 10, '#000').tiff().toBuffer();
    expect(await prepareImageBytes(tiff)).toMatchObject({ skip: 'image-format', detail: 'a TIFF image, not a format the API takes (JPEG, PNG, GIF, WebP)' });
    // A header that reads over pixels that do not: a large JPEG cut short.
    const jpeg = await solid(3000, 2000, '#123456').jpeg().toBuffer();
    expect(await prepareImageBytes(jpeg.subarray(0, jpeg.length / 3))).toMatchObject({ skip: 'image-unreadable', detail: expect.stringMatching(/^sharp could not decode it/) });
  });
});

/** A site with a task reading `heroImage`, and posts naming images every way a site does. */
async function site() {
  const dir = testdir({
    'batch.config.mjs': `export default { content: { root: 'content' }, tasks: { alt: { field: 'heroImageAlt', template: 'alt.hbs', image: { from: ['heroImage', 'cover.image'] }, output: { type: 'text', maxLength: 125 } } } };`,
    'alt.hbs': 'Alt text for the image of {{title}}, at most {{output.maxLength}} characters.',
    'content/posts/relative.md': '---\ntitle: Relative\nheroImage: ./relative.png\n---\nBody.\n',
    'content/posts/public.md': '---\ntitle: Public\nheroImage: /covers/public.jpg\n---\nBody.\n',
    'content/posts/bundle/index.md': '---\ntitle: Bundle\ncover:\n  image: cover.webp\n---\nBody.\n',
    'content/posts/remote.md': '---\ntitle: Remote\nheroImage: https://cdn.example.com/a.png\n---\nBody.\n',
    'content/posts/missing.md': '---\ntitle: Missing\nheroImage: /covers/nowhere.png\n---\nBody.\n',
    'content/posts/vector.md': '---\ntitle: Vector\nheroImage: /covers/logo.svg\n---\nBody.\n',
    'content/posts/fake.md': '---\ntitle: Fake\nheroImage: /covers/fake.png\n---\nBody.\n',
    'content/posts/tiff.md': '---\ntitle: Tiff\nheroImage: /covers/scan.png\n---\nBody.\n',
    'content/posts/none.md': '---\ntitle: None\n---\nBody.\n',
    'content/posts/done.md': '---\ntitle: Done\nheroImage: /covers/public.jpg\nheroImageAlt: Written by hand\n---\nBody.\n',
    'content/posts/linked.md': '---\ntitle: Linked\nheroImage: /covers/linked.png\n---\nBody.\n',
    'public/covers/logo.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>',
    'public/covers/fake.png': 'this is text',
  });
  await solid(300, 200, '#f28c28').png().toFile(path.join(dir, 'content/posts/relative.png'));
  mkdirSync(path.join(dir, 'public/covers'), { recursive: true });
  await solid(640, 480, '#1b9c9c').jpeg().toFile(path.join(dir, 'public/covers/public.jpg'));
  await solid(200, 200, '#2d8a4e').webp().toFile(path.join(dir, 'content/posts/bundle/cover.webp'));
  await solid(20, 20, '#000').tiff().toFile(path.join(dir, 'public/covers/scan.png'));
  // A real image outside the project, reached by a symlink committed into public/: never read.
  const outside = testdir({});
  await solid(30, 30, '#fff').png().toFile(path.join(outside, 'private.png'));
  symlinkSync(path.join(outside, 'private.png'), path.join(dir, 'public/covers/linked.png'));
  return dir;
}

describe('images as task input, on real files', () => {
  it('finds relative, public-folder and page-bundle images, and gives every other file its reason', async () => {
    const dir = await site();
    const session = await openSession({ cwd: dir, offline: true, env: {}, log: createLog({ quiet: true }) });
    try {
      const { scanProject } = await import('../src/pipeline/session.js');
      const { files } = await scanProject(session);
      const images = await imageInputs(session, files);
      const result = plan(session.project.tasks, files, session.store.data, { maxRetries: 2, images });
      const sent = Object.fromEntries(result.requests.map((r) => [r.file, r.images]));
      expect(sent).toEqual({
        'posts/bundle/index.md': { count: 1, tokens: imageTokens(200, 200) },
        'posts/public.md': { count: 1, tokens: imageTokens(640, 480) },
        'posts/relative.md': { count: 1, tokens: imageTokens(300, 200) },
      });
      expect(Object.fromEntries(result.skips.map((s) => [s.file, s.reason]))).toEqual({
        'posts/done.md': 'has-value',
        'posts/fake.md': 'image-unreadable',
        'posts/linked.md': 'image-missing',
        'posts/missing.md': 'image-missing',
        'posts/none.md': 'no-image',
        'posts/remote.md': 'image-remote',
        'posts/tiff.md': 'image-format',
        'posts/vector.md': 'image-format',
      });
      // The request: the image first, as a base64 block of the file's bytes, then the prompt.
      const bundle = result.requests.find((r) => r.file === 'posts/bundle/index.md')!;
      const content = bundle.params.messages[0]!.content as Array<{ type: string; source?: { media_type: string; data: string }; text?: string }>;
      expect(content.map((b) => b.type)).toEqual(['image', 'text']);
      expect(content[0]!.source!.media_type).toBe('image/webp');
      const bytes = Buffer.from(content[0]!.source!.data, 'base64');
      expect(await sharp(bytes).metadata()).toMatchObject({ format: 'webp', width: 200, height: 200 });
      expect(content[1]!.text).toBe('Alt text for the image of Bundle, at most 125 characters.');
    } finally {
      await session.close();
    }
  });
});

describe('several images a request', () => {
  it('sends every image of a list field up to maxImages, or none when one of them cannot be sent', async () => {
    const dir = testdir({
      'batch.config.mjs': `export default { tasks: { caption: { field: 'caption', template: 'c.hbs', image: { from: 'images', maxImages: 2 }, output: { type: 'text' } } } };`,
      'c.hbs': 'Caption for {{title}}.',
      'gallery.md': '---\ntitle: Gallery\nimages: [a.png, b.png, c.png]\n---\nBody.\n',
      'broken.md': '---\ntitle: Broken\nimages: [a.png, gone.png]\n---\nBody.\n',
    });
    for (const name of ['a', 'b', 'c']) await solid(100, 50, '#123456').png().toFile(path.join(dir, `${name}.png`));
    const session = await openSession({ cwd: dir, offline: true, env: {}, log: createLog({ quiet: true }) });
    try {
      const { scanProject } = await import('../src/pipeline/session.js');
      const { files } = await scanProject(session);
      const result = plan(session.project.tasks, files, session.store.data, { maxRetries: 2, images: await imageInputs(session, files) });
      expect(result.requests.map((r) => [r.file, r.images?.count])).toEqual([['gallery.md', 2]]);
      const content = result.requests[0]!.params.messages[0]!.content as Array<{ type: string }>;
      expect(content.map((b) => b.type)).toEqual(['image', 'image', 'text']);
      expect(result.skips.map((s) => [s.file, s.reason, s.detail])).toEqual([['broken.md', 'image-missing', expect.stringMatching(/^gone\.png: no such file/)]]);
    } finally {
      await session.close();
    }
  });
});

describe('the request fingerprint, cost and batch size with images', () => {
  const task = makeTask('alt', { field: 'heroImageAlt', image: { from: 'heroImage' }, output: { type: 'text', maxLength: 125 } }, 'Alt text for {{title}}.');
  const image = (digest: string, size: number, width = 1568, height = 1045): PreparedImage => ({
    ref: '/a.jpg',
    file: 'public/a.jpg',
    digest,
    mediaType: 'image/jpeg',
    width,
    height,
    bytes: size,
    data: () => Buffer.alloc(size, digest).toString('base64'),
  });
  const post = parseScanned('posts/a.md', '/site/posts/a.md', '---\ntitle: A\nheroImage: /a.jpg\n---\nBody.\n', () => [1000]);
  const planWith = (digest: string, state = emptyState()) =>
    plan([task], [post], state, { maxRetries: 2, images: new Map([['alt:posts/a.md', { images: [image(digest, 1000)], hash: digest }]]) });

  it('asks again when the image changes, and never while it stays the same', () => {
    const first = planWith('one');
    expect(first.requests).toHaveLength(1);
    const request = first.requests[0]!;
    // Answered: the state now holds it, as collect would leave it.
    const state = emptyState();
    state.items[request.key] = { task: 'alt', file: post.rel, planHash: post.hash, requestHash: request.requestHash, imageHash: 'one', status: 'succeeded', attempts: 1, value: 'Orange sunset over a harbour' };
    expect(planWith('one', state).requests).toHaveLength(0);
    expect(planWith('one', state).skips.map((s) => s.reason)).toEqual(['awaiting-apply']);
    const changed = planWith('two', state);
    expect(changed.requests).toHaveLength(1);
    expect(changed.requests[0]!.requestHash).not.toBe(request.requestHash);
    // Applied (the file now has the field) is done, as for text tasks; with when: always the image counts like the file.
    state.items[request.key] = { ...state.items[request.key]!, status: 'applied', appliedHash: post.hash };
    const always = makeTask('alt', { field: 'heroImageAlt', when: 'always', image: { from: 'heroImage' }, output: { type: 'text', maxLength: 125 } }, 'Alt text for {{title}}.');
    const run = (digest: string) => plan([always], [post], state, { maxRetries: 2, images: new Map([['alt:posts/a.md', { images: [image(digest, 1000)], hash: digest }]]) });
    expect(run('one').skips.map((s) => s.reason)).toEqual(['up-to-date']);
    expect(run('two').requests).toHaveLength(1);
  });

  it('digests a request by the image digest, not its base64, and estimates its tokens from its size', () => {
    const params = buildParams(task, templateVars(task, { data: { title: 'A' }, excerpt: '', path: 'posts/a.md' }), undefined, 100, [image('one', 300_000)]);
    const text = buildParams(task, templateVars(task, { data: { title: 'A' }, excerpt: '', path: 'posts/a.md' }), undefined, 100);
    expect(estimateInputTokens(params) - estimateInputTokens(text)).toBeGreaterThanOrEqual(2185);
    expect(estimateInputTokens(params) - estimateInputTokens(text)).toBeLessThan(2185 + 20);
    const requests = planWith('one').requests;
    expect(requests[0]!.inputTokens).toBeGreaterThan(2185);
    expect(requests[0]!.inputTokens).toBeLessThan(2185 + 100);
  });

  it('splits batches by bytes, counting the images, as well as by count', () => {
    const requests: PlannedRequest[] = ['a', 'b', 'c', 'd', 'e'].map((id) => {
      const params = buildParams(task, templateVars(task, { data: { title: id }, excerpt: '', path: `posts/${id}.md` }), undefined, 100, [image(id, 300_000)]);
      return { key: `alt:posts/${id}.md`, task: 'alt', file: `posts/${id}.md`, planHash: id, requestHash: id, params, model: task.model, maxTokens: 100, inputTokens: 2200, attempts: 0, reasks: false };
    });
    // Each request is ~400 KB of base64: two fit in 1 MB, a third does not.
    expect(chunkRequests(requests, 100, 1024 * 1024).map((c) => c.length)).toEqual([2, 2, 1]);
    expect(chunkRequests(requests, 100, 10 * 1024 * 1024).map((c) => c.length)).toEqual([5]);
    expect(chunkRequests(requests, 2, 10 * 1024 * 1024).map((c) => c.length)).toEqual([2, 2, 1]);
  });
});

describe('config', () => {
  it('checks the image key strictly', async () => {
    const { validateConfig } = await import('../src/config/validate.js');
    const base = { field: 'alt', template: 't.hbs', output: { type: 'text' } };
    expect(validateConfig({ tasks: { a: { ...base, image: { from: 'heroImage' } } } }).config?.tasks.a?.image).toEqual({ from: ['heroImage'], publicDir: ['public', 'static'], maxImages: 1 });
    expect(validateConfig({ tasks: { a: { ...base, image: { from: 'hero image' } } } }).errors.join('\n')).toMatch(/tasks\.a\.image\.from/);
    expect(validateConfig({ tasks: { a: { ...base, image: { from: 'x', fromm: 'y' } } } }).errors.join('\n')).toMatch(/fromm/);
    expect(validateConfig({ tasks: { a: { ...base, image: { from: 'x', maxImages: 21 } } } }).errors.join('\n')).toMatch(/maxImages/);
  });
});

