import path from 'node:path';
import type { ImageBlockParam } from '@anthropic-ai/sdk/resources/messages';
import { getField, parseFieldPath } from '../frontmatter/field-path.js';

/** The formats the Messages API takes in an image block. */
export const MEDIA_TYPES = { jpeg: 'image/jpeg', png: 'image/png', gif: 'image/gif', webp: 'image/webp' } as const;
export type ImageFormat = keyof typeof MEDIA_TYPES;
type ImageMediaType = (typeof MEDIA_TYPES)[ImageFormat];

/** The API scales a longer edge down to this anyway (slower, same answer): images are sent at most this size. */
export const MAX_EDGE = 1568;
/** The API's limit per image, base64-decoded. */
export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;

/** Input tokens of one image as the API counts them, after its scaling: about width × height / 750. */
export function imageTokens(width: number, height: number): number {
  const { width: w, height: h } = fitWithin(width, height);
  return Math.ceil((w * h) / 750);
}

/** The size an image is sent at: its long edge at most `maxEdge`, never enlarged, the aspect ratio kept. */
export function fitWithin(width: number, height: number, maxEdge = MAX_EDGE): { width: number; height: number } {
  const scale = Math.min(1, maxEdge / Math.max(width, height));
  if (scale === 1) return { width, height };
  // sharp's `fit: inside` rounds the same way: the long edge exact, the short one to the nearest pixel.
  return width >= height ? { width: maxEdge, height: Math.max(1, Math.round(height * scale)) } : { width: Math.max(1, Math.round(width * scale)), height: maxEdge };
}

/** Why a file's image is not sent, and with it no request for that file. */
export type ImageSkipReason = 'no-image' | 'image-remote' | 'image-missing' | 'image-format' | 'image-unreadable';

/** One image ready to send: read, oriented, sized and encoded (see io/images.ts). */
export interface PreparedImage {
  /** The path as the front matter writes it. */
  ref: string;
  /** Where it was found, relative to the config's folder. */
  file: string;
  /** Digest of the file's bytes: a changed image is a new request, an unchanged one never is. */
  digest: string;
  mediaType: ImageMediaType;
  /** The size it is sent at. */
  width: number;
  height: number;
  /** Bytes sent (base64-decoded). */
  bytes: number;
  /** The bytes sent, base64: read when the request is built. */
  data(): string;
}

/** What a file gives a task that reads images: the images, or why there is none to send. */
export type ImageInput = { images: PreparedImage[]; hash: string } | { skip: ImageSkipReason; detail: string };

/** The image paths a file's front matter names in `from` fields, in order, each once: strings, and the strings of lists. */
export function imageRefs(data: Record<string, unknown>, from: readonly string[]): string[] {
  const refs: string[] = [];
  for (const field of from) {
    const value = getField(data, parseFieldPath(field));
    for (const item of Array.isArray(value) ? value : [value]) {
      // `images: [{src: …}]` is common too: a map's src/url/image key.
      const ref = typeof item === 'string' ? item : item && typeof item === 'object' ? ['src', 'url', 'image', 'path'].map((k) => (item as Record<string, unknown>)[k]).find((v) => typeof v === 'string') : undefined;
      if (typeof ref === 'string' && ref.trim() && !refs.includes(ref.trim())) refs.push(ref.trim());
    }
  }
  return refs;
}

/** A URL the API would have to fetch (or a data: URI): not read from the site. */
const isRemote = (ref: string): boolean => /^[a-z][a-z\d+.-]*:/i.test(ref) || ref.startsWith('//');

export interface ImageRoots {
  /** Absolute: the folder of the content file. */
  fileDir: string;
  contentRoot: string;
  /** The config's folder: nothing outside it is ever read. */
  projectDir: string;
  /** Absolute public/static folders, in order. */
  publicDirs: readonly string[];
}

/**
 * Pure: where an image path may be, in the order looked: a site-absolute path (`/covers/a.png`) in the public
 * folders, the config's folder (a Jekyll site's root) and the content root; a relative one (`./cover.jpg`, a Hugo
 * page bundle's) beside the file, then in the content root and the public folders. Query and fragment are dropped
 * and %-escapes decoded. Paths leading out of the config's folder are left out: content never reads files elsewhere.
 */
export function candidatePaths(ref: string, roots: ImageRoots): string[] {
  let clean = ref.replace(/[?#].*$/, '');
  try {
    clean = decodeURIComponent(clean);
  } catch {
    // A stray % is a file name character, then.
  }
  const siteAbsolute = clean.startsWith('/');
  const relative = clean.replace(/^\/+/, '');
  const bases = siteAbsolute ? [...roots.publicDirs, roots.projectDir, roots.contentRoot] : [roots.fileDir, roots.contentRoot, ...roots.publicDirs];
  const inside = (abs: string) => {
    const rel = path.relative(roots.projectDir, abs);
    return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
  };
  return [...new Set(bases.map((base) => path.resolve(base, relative)))].filter(inside);
}

/** Why an image's name says it cannot be sent, before reading it: a URL, or an extension of a format the API does not take. */
export function refProblem(ref: string): { skip: ImageSkipReason; detail: string } | undefined {
  if (isRemote(ref)) return { skip: 'image-remote', detail: `${ref.length > 80 ? `${ref.slice(0, 77)}...` : ref} is a URL, not a file of the site; only local images are sent` };
  const ext = path.extname(ref.replace(/[?#].*$/, '')).slice(1).toLowerCase();
  if (ext && !['jpg', 'jpeg', 'png', 'gif', 'webp'].includes(ext)) return { skip: 'image-format', detail: `${ref}: .${ext} is not a format the API takes (JPEG, PNG, GIF, WebP)` };
  return undefined;
}

const blocks = new WeakMap<object, PreparedImage>();

/** The content block for an image, remembered so the request's digest and token estimate can tell it apart. */
export function imageBlock(image: PreparedImage): ImageBlockParam {
  const block: ImageBlockParam = { type: 'image', source: { type: 'base64', media_type: image.mediaType, data: image.data() } };
  blocks.set(block, image);
  return block;
}

export const imageOfBlock = (value: unknown): PreparedImage | undefined => (value && typeof value === 'object' ? blocks.get(value) : undefined);

/**
 * A JSON.stringify replacer that writes an image block as its digest and size: a request's digest then follows the
 * image file, not how this sharp version encodes it, and is not computed over megabytes of base64.
 */
export function imageDigestReplacer(_key: string, value: unknown): unknown {
  const image = imageOfBlock(value);
  return image ? { type: 'image', digest: image.digest, width: image.width, height: image.height } : value;
}
