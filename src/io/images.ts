import { existsSync, mkdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import type { Project } from '../config/load.js';
import type { ImageInputConfig } from '../config/schema.js';
import { digest } from '../core/hash.js';
import { candidatePaths, fitWithin, MAX_EDGE, MAX_IMAGE_BYTES, MEDIA_TYPES, type ImageFormat, type ImageRoots, type ImageSkipReason, type PreparedImage } from '../core/images.js';

/** Where a file's images are looked for (see candidatePaths). */
export function imageRoots(project: Pick<Project, 'dir' | 'contentRoot'>, image: ImageInputConfig, abs: string): ImageRoots {
  return { fileDir: path.dirname(abs), contentRoot: project.contentRoot, projectDir: project.dir, publicDirs: image.publicDir.map((dir) => path.resolve(project.dir, dir)) };
}

/**
 * The first file an image path may be (see candidatePaths) that exists, once links are followed still inside the
 * config's folder: a symlink committed into public/ must not send a file from elsewhere on the machine.
 */
export function findImage(ref: string, roots: ImageRoots): string | undefined {
  let project: string;
  try {
    project = realpathSync(roots.projectDir);
  } catch {
    return undefined;
  }
  for (const candidate of candidatePaths(ref, roots)) {
    if (!statSync(candidate, { throwIfNoEntry: false })?.isFile()) continue;
    const rel = path.relative(project, realpathSync(candidate));
    return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? candidate : undefined;
  }
  return undefined;
}

/** How an image was prepared, kept beside the prepared bytes so the next plan need not decode it again. */
interface PreparedMeta {
  format: ImageFormat;
  width: number;
  height: number;
  bytes: number;
}

export type Prepared = PreparedImage | { skip: ImageSkipReason; detail: string };

/** Bump when the way images are prepared changes: cached ones are then made again. */
const PREPARE_VERSION = 1;
const JPEG_QUALITIES = [85, 75, 65, 55, 45];

/**
 * An image as the API should get it: EXIF orientation applied, the long edge at most 1568 px, at most 5 MB.
 * An image already so is sent as it is (its bytes, untouched); otherwise sharp rotates, resizes and re-encodes it
 * in its own format (a GIF as PNG), and one still over 5 MB is re-encoded as JPEG at falling quality.
 */
export async function prepareImageBytes(source: Buffer): Promise<{ meta: PreparedMeta; bytes: Buffer } | { skip: ImageSkipReason; detail: string }> {
  const { default: sharp } = await import('sharp');
  let info;
  try {
    info = await sharp(source, { animated: false }).metadata();
  } catch (error) {
    return { skip: 'image-unreadable', detail: `not an image sharp can read (${(error as Error).message.split('\n')[0]})` };
  }
  const format: string = info.format;
  if (!(format in MEDIA_TYPES)) return { skip: 'image-format', detail: `a ${String(info.format).toUpperCase()} image, not a format the API takes (JPEG, PNG, GIF, WebP)` };
  const orientation = info.orientation ?? 1;
  // Orientations 5–8 turn the picture a quarter: width and height trade places.
  const [width, height] = orientation >= 5 ? [info.height, info.width] : [info.width, info.height];
  const fitted = fitWithin(width, height);
  if (orientation === 1 && fitted.width === width && source.length <= MAX_IMAGE_BYTES) {
    return { meta: { format: format as ImageFormat, width, height, bytes: source.length }, bytes: source };
  }
  const base = () => sharp(source, { animated: false }).autoOrient().resize({ width: MAX_EDGE, height: MAX_EDGE, fit: 'inside', withoutEnlargement: true });
  type Encoded = Promise<{ data: Buffer; info: { width: number; height: number } }>;
  const encoded: Array<[ImageFormat, () => Encoded]> = [];
  if (format === 'png' || format === 'gif') encoded.push(['png', () => base().png({ compressionLevel: 9 }).toBuffer({ resolveWithObject: true })]);
  if (format === 'webp') encoded.push(['webp', () => base().webp({ quality: 85 }).toBuffer({ resolveWithObject: true })]);
  // A photo saved as PNG can stay over 5 MB at 1568 px: JPEG is the fallback for every format.
  for (const quality of JPEG_QUALITIES) encoded.push(['jpeg', () => base().flatten({ background: '#ffffff' }).jpeg({ quality, mozjpeg: true }).toBuffer({ resolveWithObject: true })]);
  for (const [out, encode] of encoded) {
    let made;
    try {
      made = await encode();
    } catch (error) {
      // A header that reads, over pixels that do not (a truncated file).
      return { skip: 'image-unreadable', detail: `sharp could not decode it (${(error as Error).message.split('\n')[0]})` };
    }
    // The size sharp made, which is what the API sees (fitWithin predicts it for the estimate of unprepared images).
    const { data, info } = made;
    if (data.length <= MAX_IMAGE_BYTES) return { meta: { format: out, width: info.width, height: info.height, bytes: data.length }, bytes: data };
  }
  return { skip: 'image-unreadable', detail: `still over ${MAX_IMAGE_BYTES / 1024 / 1024} MB at ${fitted.width}×${fitted.height} as a JPEG of quality ${JPEG_QUALITIES.at(-1)}` };
}

/**
 * Prepares images once per content: the result is kept in `cacheDir` under the source's digest (the prepared bytes
 * and their size), so a plan reads each image file and its digest, and decodes it only the first time.
 */
export class ImagePreparer {
  private readonly done = new Map<string, Promise<Prepared>>();

  constructor(
    private readonly cacheDir: string,
    private readonly projectDir: string,
  ) {}

  prepare(ref: string, abs: string): Promise<Prepared> {
    const stat = statSync(abs, { throwIfNoEntry: false });
    const key = `${abs}\0${stat?.size}\0${stat?.mtimeMs}`;
    let found = this.done.get(key);
    if (!found) this.done.set(key, (found = this.load(ref, abs)));
    return found.then((p) => ('skip' in p ? p : { ...p, ref }));
  }

  private async load(ref: string, abs: string): Promise<Prepared> {
    let source: Buffer;
    try {
      source = await readFile(abs);
    } catch (error) {
      return { skip: 'image-unreadable', detail: `${ref}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` };
    }
    const sourceDigest = digest(source);
    const stem = path.join(this.cacheDir, `${sourceDigest}-v${PREPARE_VERSION}`);
    const file = path.relative(this.projectDir, abs).split(path.sep).join('/');
    const cached = readMeta(`${stem}.json`);
    if (cached && existsSync(`${stem}.${cached.format}`)) return prepared(ref, file, sourceDigest, cached, `${stem}.${cached.format}`);
    const result = await prepareImageBytes(source);
    if ('skip' in result) return { ...result, detail: `${ref}: ${result.detail}` };
    mkdirSync(this.cacheDir, { recursive: true });
    // The bytes first: a meta file always has its bytes.
    await writeFileAtomic(`${stem}.${result.meta.format}`, result.bytes);
    await writeFileAtomic(`${stem}.json`, JSON.stringify(result.meta));
    return prepared(ref, file, sourceDigest, result.meta, `${stem}.${result.meta.format}`);
  }
}

function readMeta(file: string): PreparedMeta | undefined {
  try {
    const meta = JSON.parse(readFileSync(file, 'utf8')) as PreparedMeta;
    return meta.format in MEDIA_TYPES && meta.width > 0 && meta.height > 0 ? meta : undefined;
  } catch {
    return undefined;
  }
}

function prepared(ref: string, file: string, sourceDigest: string, meta: PreparedMeta, bytesFile: string): PreparedImage {
  return {
    ref,
    file,
    digest: sourceDigest,
    mediaType: MEDIA_TYPES[meta.format],
    width: meta.width,
    height: meta.height,
    bytes: meta.bytes,
    // Read when the request is built, not kept: a site's images need not all be in memory at once.
    data: () => readFileSync(bytesFile).toString('base64'),
  };
}
